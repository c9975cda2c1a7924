import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../../api/client';
import { branchUrl, editingApi, rfcUrl, shortOfEditBranch, type Pull, type PullResponse } from '../../api/editing';
import { Alert } from '../../components/Alert';
import { Changes } from '../../components/Changes';
import { PullStateBadge, pullKindLabel } from '../../components/EditingBadges';
import { Prose } from '../../components/Prose';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { showToast } from '../../components/toasts';
import { rfcRoom } from '../../live/events';
import { onLiveEvent } from '../../live/socket';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { isNotFound, useResource } from '../../lib/useResource';
import { useRoom } from '../../lib/useRoom';
import { noteSignedOut } from '../../state/session';
import { NotFoundScreen } from '../NotFound';
import '../../styles/editing.css';

const REASON_MAX = 500;
const time = (iso: string): number => Date.parse(iso) || 0;

function Outcome({ pull, slug, live }: { pull: Pull; slug: string; live: boolean }) {
  if (pull.state === 'merged') {
    return (
      <div class="outcome outcome--merged" tabIndex={-1} id="pull-outcome">
        <p>
          <strong>Merged{live ? ' just now' : ''}.</strong>
          {pull.kind === 'metadata' ? ' The RFC has the new metadata.' : ' The RFC has the new text.'}{' '}
          <a href={rfcUrl(slug)} class="button button--small button--primary">
            Back to the RFC
          </a>
        </p>
      </div>
    );
  }
  if (pull.state === 'closed') {
    return (
      <div class="outcome outcome--closed" tabIndex={-1} id="pull-outcome">
        <p>
          <strong>Closed{live ? ' just now' : ''}</strong> without merging.
        </p>
        {pull.close_reason && (
          <blockquote class="outcome__reason">
            <span class="visually-hidden">Reason: </span>
            {pull.close_reason}
          </blockquote>
        )}
      </div>
    );
  }
  return null;
}

/** "Merge" and "Close" (with a reason) for the owner, admins and the RFC's maintainers. */
function Decide({ slug, pull, onDecided, onStale }: { slug: string; pull: Pull; onDecided: (p: Pull) => void; onStale: () => void }) {
  const [busy, setBusy] = useState<'merge' | 'close' | null>(null);
  const [closing, setClosing] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const closeOpener = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (closing) reasonRef.current?.focus();
  }, [closing]);

  const merge = async (): Promise<void> => {
    setBusy('merge');
    setError(null);
    try {
      const result = await editingApi.mergePull(slug, pull.number, pull.head_sha);
      onDecided(result.pull);
    } catch (err) {
      noteSignedOut(err);
      setError(`Could not merge: ${errorMessage(err)}`);
      setBusy(null);
      onStale(); // e.g. new commits arrived (head_moved): show them
    }
  };

  const close = async (event: Event): Promise<void> => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (!trimmed) {
      setError('Give a reason for closing, so the author knows why.');
      reasonRef.current?.focus();
      return;
    }
    setBusy('close');
    setError(null);
    try {
      const result = await editingApi.closePull(slug, pull.number, trimmed);
      onDecided(result.pull);
    } catch (err) {
      noteSignedOut(err);
      setError(`Could not close: ${errorMessage(err)}`);
      setBusy(null);
    }
  };

  return (
    <section class="decide card" aria-labelledby="decide-heading">
      <h2 id="decide-heading">Decide</h2>
      {error && <Alert>{error}</Alert>}
      {!closing ? (
        <div class="decide__actions">
          <button type="button" class="button button--primary" onClick={merge} disabled={busy !== null} aria-busy={busy === 'merge'}>
            {busy === 'merge' ? 'Merging…' : 'Merge'}
          </button>
          <button
            ref={closeOpener}
            type="button"
            class="button button--danger-outline"
            aria-expanded={false}
            aria-controls="close-pull-form"
            onClick={() => {
              setError(null);
              setClosing(true);
            }}
            disabled={busy !== null}
          >
            Close
          </button>
          <p class="hint">Merging puts these changes into the RFC on its default branch.</p>
        </div>
      ) : (
        <form id="close-pull-form" class="form" onSubmit={close} noValidate>
          <div class="field">
            <label for="close-reason">Reason</label>
            <textarea
              ref={reasonRef}
              id="close-reason"
              rows={3}
              maxLength={REASON_MAX}
              required
              value={reason}
              aria-describedby="close-reason-count"
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <p class="hint counter" id="close-reason-count">
              {reason.length} / {REASON_MAX} characters. The author will see this.
            </p>
          </div>
          <div class="form__actions form__actions--start">
            <button type="submit" class="button button--danger" disabled={busy !== null} aria-busy={busy === 'close'}>
              {busy === 'close' ? 'Closing…' : 'Close pull request'}
            </button>
            <button
              type="button"
              class="button"
              disabled={busy !== null}
              onClick={() => {
                setClosing(false);
                setError(null);
                window.setTimeout(() => closeOpener.current?.focus(), 0);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** /rfcs/<slug>/pulls/<number>: a body-edit or metadata pull request, its changes, and the decision. */
export function PullScreen({ slug, number }: { slug: string; number: number }) {
  const { state, update, reload } = useResource<PullResponse>(`pull:${slug}:${number}`, () => editingApi.pull(slug, number));
  const data = state.status === 'ready' ? state.data : null;
  const pull = data?.pull ?? null;
  const [liveChange, setLiveChange] = useState(false);
  useDocumentTitle(pull ? `#${number} ${pull.title}` : `Pull request #${number}`);

  const current = useRef<Pull | null>(null);
  current.current = pull;
  const stateRef = useRef(state);
  stateRef.current = state;

  useRoom(rfcRoom(slug), (first) => {
    if (!first || stateRef.current.status === 'error') void reload({ silent: true });
  });
  useEffect(() => {
    return onLiveEvent('pull.updated', ({ pull: incoming }) => {
      if (incoming.number !== number || incoming.rfc_slug !== slug) return;
      const shown = current.current;
      if (!shown || time(incoming.updated_at) < time(shown.updated_at)) return;
      if (shown.state === 'open' && incoming.state !== 'open') setLiveChange(true);
      update((d) => ({ ...d, pull: incoming, can_decide: d.can_decide && incoming.state === 'open' }));
      // New commits: the diff and commit list changed too.
      if (incoming.head_sha !== shown.head_sha) void reload({ silent: true });
    });
  }, [slug, number, update, reload]);

  const onDecided = (decided: Pull): void => {
    update((d) => ({ ...d, pull: decided, can_decide: false }));
    setLiveChange(false);
    showToast(decided.state === 'merged' ? `Merged #${decided.number}.` : `Closed #${decided.number}.`);
    window.setTimeout(() => document.getElementById('pull-outcome')?.focus(), 0);
  };

  if (state.status === 'error' && isNotFound(state.error)) {
    return <NotFoundScreen title={`Pull request #${number} not found`} detail={`RFC “${slug}” has no pull request #${number}.`} />;
  }

  const short = pull ? shortOfEditBranch(slug, pull.head_branch) : null;

  return (
    <article class="pull-page">
      <header class="doc-head">
        <p class="eyebrow">
          Pull request #{number}
          {pull && <PullStateBadge state={pull.state} />}
        </p>
        <h1 tabIndex={-1} class={pull ? undefined : 'is-loading'}>
          {pull ? pull.title : state.status === 'error' ? `Pull request #${number}` : `Loading pull request #${number}…`}
        </h1>
        {pull ? (
          <dl class="facts">
            <div>
              <dt>Kind</dt>
              <dd>{pullKindLabel(pull.kind)}</dd>
            </div>
            <div>
              <dt>RFC</dt>
              <dd>
                <a href={rfcUrl(slug)}>{slug}</a>
              </dd>
            </div>
            <div>
              <dt>Author</dt>
              <dd>{pull.author}</dd>
            </div>
            <div>
              <dt>Opened</dt>
              <dd>
                <RelTime iso={pull.created_at} />
              </dd>
            </div>
            {pull.merged_at && (
              <div>
                <dt>Merged</dt>
                <dd>
                  <RelTime iso={pull.merged_at} />
                </dd>
              </div>
            )}
            {pull.closed_at && pull.state === 'closed' && (
              <div>
                <dt>Closed</dt>
                <dd>
                  <RelTime iso={pull.closed_at} />
                </dd>
              </div>
            )}
            <div>
              <dt>Branch</dt>
              <dd>
                {short && pull.kind === 'body' ? (
                  <a href={branchUrl(slug, short)} class="branch-link">
                    {short}
                  </a>
                ) : (
                  <code class="slug">{pull.head_branch}</code>
                )}
                <span class="muted"> into </span>
                <code class="slug">{pull.base_branch}</code>
              </dd>
            </div>
          </dl>
        ) : state.status === 'loading' ? (
          <SkeletonLines lines={2} widths={['70%', '40%']} />
        ) : null}
      </header>

      {state.status === 'error' && <Alert onRetry={() => void reload()}>Could not load this pull request: {state.error.message}</Alert>}

      <div role="status" class="outcome-region">
        {pull && <Outcome pull={pull} slug={slug} live={liveChange} />}
      </div>

      {data && pull?.state === 'open' && data.can_decide && (
        <Decide slug={slug} pull={pull} onDecided={onDecided} onStale={() => void reload({ silent: true })} />
      )}

      {data && (
        <>
          <section class="pull-section" aria-labelledby="description-heading">
            <h2 id="description-heading" class="section-label">
              Description
            </h2>
            {data.description_html.trim() ? <Prose html={data.description_html} /> : <p class="muted">No description.</p>}
          </section>

          <section class="pull-section" aria-labelledby="pull-changes-heading">
            <h2 id="pull-changes-heading" class="section-label">
              Changes
            </h2>
            <Changes diff={data.diff} rendered={data.rendered} idPrefix="pull-changes" emptyText="This pull request changes nothing in the RFC's text." />
          </section>

          <section class="pull-section" aria-labelledby="commits-heading">
            <h2 id="commits-heading" class="section-label">
              Commits ({data.commits.length})
            </h2>
            {data.commits.length === 0 ? (
              <p class="muted">No commits.</p>
            ) : (
              <ol class="side-list commits" role="list">
                {data.commits.map((c) => (
                  <li key={c.sha} class="side-item">
                    <p class="side-item__message">{c.message.split('\n', 1)[0] || '(no message)'}</p>
                    <p class="meta">
                      <span>
                        {c.author} <RelTime iso={c.at} />
                      </span>
                      <code class="sha" title={c.sha}>
                        <span class="visually-hidden">commit </span>
                        {c.sha.slice(0, 7)}
                      </code>
                    </p>
                  </li>
                ))}
              </ol>
            )}
          </section>
        </>
      )}
      {state.status === 'loading' && <SkeletonLines lines={6} />}
    </article>
  );
}

export function parsePullNumber(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
}
