/**
 * Requests to graduate a super-draft into an active RFC. The server keeps the queue
 * empty until the graduation feature lands; the list and its decisions are ready for it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { adminApi, type GraduationRequest } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { Alert } from '../../components/Alert';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { showToast } from '../../components/toasts';
import { isNotFound, useResource } from '../../lib/useResource';
import { noteSignedOut } from '../../state/session';

const REASON_MAX = 500;

function label(request: GraduationRequest): string {
  return request.rfc_title || request.rfc_slug || `request #${request.id}`;
}

function RequestItem({ request, onDecided }: { request: GraduationRequest; onDecided: (id: number) => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<'approve' | 'decline' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  const name = label(request);
  const base = `graduation-${request.id}`;

  const decide = async (approve: boolean): Promise<void> => {
    if (!approve && !reason.trim()) {
      setError(`Give a reason for declining ${name}, so the authors know why.`);
      reasonRef.current?.focus();
      return;
    }
    setBusy(approve ? 'approve' : 'decline');
    setError(null);
    try {
      await adminApi.decideGraduation(request.id, approve, reason.trim());
      showToast(approve ? `Approved the graduation of ${name}.` : `Declined the graduation of ${name}.`);
      onDecided(request.id);
    } catch (err) {
      noteSignedOut(err);
      setError(
        isNotFound(err)
          ? 'Deciding graduation requests is not available on this server yet.'
          : `Could not ${approve ? 'approve' : 'decline'} ${name}: ${errorMessage(err)}`,
      );
      setBusy(null);
    }
  };

  return (
    <li class="grad card">
      <div class="grad__head">
        <h3 id={`${base}-title`} class="grad__title">
          {request.rfc_slug ? <a href={`/rfcs/${encodeURIComponent(request.rfc_slug)}`}>{name}</a> : name}
        </h3>
        {request.rfc_slug && request.rfc_title && <code class="slug">{request.rfc_slug}</code>}
      </div>
      <p class="meta">
        {request.requested_by && <span>requested by {request.requested_by}</span>}
        {request.requested_at && <RelTime iso={request.requested_at} />}
      </p>
      {request.note && <p class="grad__note">{request.note}</p>}
      {error && <Alert>{error}</Alert>}
      <div class="field">
        <label for={`${base}-reason`}>Reason for {name}</label>
        <input
          ref={reasonRef}
          id={`${base}-reason`}
          type="text"
          value={reason}
          maxLength={REASON_MAX}
          aria-describedby={`${base}-hint`}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <span class="hint" id={`${base}-hint`}>
          Optional when approving, required when declining.
        </span>
      </div>
      <div class="manage__row">
        <button
          type="button"
          class="button button--primary"
          disabled={busy !== null}
          aria-busy={busy === 'approve'}
          onClick={() => void decide(true)}
        >
          Approve
        </button>
        <button
          type="button"
          class="button button--danger-outline"
          disabled={busy !== null}
          aria-busy={busy === 'decline'}
          onClick={() => void decide(false)}
        >
          Decline
        </button>
      </div>
    </li>
  );
}

export function GraduationTab({ resync }: { resync: number }) {
  const { state, reload, update } = useResource('graduation-queue', async () => (await adminApi.graduationQueue()).requests);

  const firstResync = useRef(resync);
  useEffect(() => {
    if (resync !== firstResync.current) void reload({ silent: true });
  }, [resync, reload]);

  if (state.status === 'loading') return <SkeletonLines lines={3} widths={['60%', '100%', '80%']} />;
  if (state.status === 'error') {
    return <Alert onRetry={() => void reload()}>Could not load the graduation queue: {state.error.message}</Alert>;
  }
  const requests = state.data;
  return (
    <>
      <p class="hint admin-note">
        Super-drafts whose authors asked to graduate them into active RFCs, oldest first.
      </p>
      {requests.length === 0 ? (
        <div class="empty">
          <p>No graduation requests are waiting.</p>
        </div>
      ) : (
        <ul class="grad-list">
          {requests.map((r) => (
            <RequestItem
              key={r.id}
              request={r}
              onDecided={(id) => update((list) => list.filter((x) => x.id !== id))}
            />
          ))}
        </ul>
      )}
    </>
  );
}
