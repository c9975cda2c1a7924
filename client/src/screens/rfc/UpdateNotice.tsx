import type { UpdateNotice as Notice } from './useRfcPage';

/** "Updated just now" — floats under the top bar so the page never jumps. */
export function UpdateNotice({ notice, onView, onDismiss }: { notice: Notice; onView: () => void; onDismiss: () => void }) {
  return (
    <div class="update-notice-region" role="status" aria-live="polite">
      {notice.kind === 'held' && (
        <div class="update-notice">
          <span>This RFC was updated just now.</span>
          <button type="button" class="button button--small button--primary" onClick={onView}>
            View update
          </button>
          <button type="button" class="icon-button" aria-label="Dismiss update notice" onClick={onDismiss}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
      {notice.kind === 'applied' && (
        <div class="update-notice update-notice--quiet">
          <span>Updated just now.</span>
          <button type="button" class="icon-button" aria-label="Dismiss update notice" onClick={onDismiss}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
