import { useStore } from '../lib/store';
import { sessionNotice } from '../state/session';
import { Alert } from './Alert';

/** Why the session ended (e.g. a suspension), shown once until dismissed. */
export function SessionNotice() {
  const notice = useStore(sessionNotice);
  if (!notice) return null;
  return (
    <div class="banner">
      <Alert tone="warning" onRetry={() => sessionNotice.set(null)} retryLabel="Dismiss">
        {notice}
      </Alert>
    </div>
  );
}
