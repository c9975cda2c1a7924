import { Prose } from '../components/Prose';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { api } from '../api/endpoints';
import type { Proposal, ProposalResponse, Rfc } from '../api/types';
import { Alert } from '../components/Alert';
import { RelTime } from '../components/RelTime';
import { SkeletonLines } from '../components/Skeleton';
import { ProposalStateBadge } from '../components/StateBadge';
import { showToast } from '../components/toasts';
import { CATALOG_ROOM } from '../live/events';
import { onLiveEvent } from '../live/socket';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { isNotFound, useResource } from '../lib/useResource';
import { useRoom } from '../lib/useRoom';
import { catalog, rememberProposal, rememberRfc } from '../state/catalog';
import { noteSignedOut } from '../state/session';
import { NotFoundScreen } from './NotFound';

const REASON_MAX = 500;

const newer = (a: Proposal, b: Proposal): boolean => Date.parse(a.updated_at) >= Date.parse(b.updated_at);

function Outcome({ proposal, rfcSlug, live }: { proposal: Proposal; rfcSlug: string; live: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  if (proposal.state === 'merged') {
    return (
      <div class="outcome outcome--merged" ref={ref} tabIndex={-1} id="proposal-outcome">
        <p>
          <strong>Merged{live ? ' just now' : ''}.</strong> This idea is now an RFC.{' '}
          <a href={`/rfcs/${encodeURIComponent(rfcSlug)}`} class="button button--small button--primary">
            Open the RFC
          </a>
        </p>
      </div>
    );
  }
  if (proposal.state === 'closed') {
    return (
      <div class="outcome outcome--closed" ref={ref} tabIndex={-1} id="proposal-outcome">
        <p>
          <strong>Closed{live ? ' just now' : ''}</strong> without merging.
        </p>
        {proposal.close_reason && (
          <blockquote class="outcome__reason">
            <span class="visually-hidden">Reason: </span>
            {proposal.close_reason}
          </blockquote>
        )}
      </div>
    );
  }
  return null;
}

interface DecideProps {
  proposal: Proposal;
  onDecided: (proposal: Proposal, rfc?: Rfc) => void;
}

/** "Merge proposal" / "Close proposal" for those who may decide. */
function Decide({ proposal, onDecided }: DecideProps) {
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
      const result = await api.mergeProposal(proposal.number, proposal.head_sha);
      onDecided(result.proposal, result.rfc);
    } catch (err) {
      noteSignedOut(err);
      setError(`Could not merge: ${errorMessage(err)}`);
      setBusy(null);
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
      const result = await api.closeProposal(proposal.number, trimmed);
      onDecided(result.proposal);
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
          <button
            type="button"
            class="button button--primary"
            onClick={merge}
            disabled={busy !== null}
            aria-busy={busy === 'merge'}
          >
            {busy === 'merge' ? 'Merging…' : 'Merge proposal'}
          </button>
          <button
            ref={closeOpener}
            type="button"
            class="button button--danger-outline"
            aria-expanded={false}
            aria-controls="close-form"
            onClick={() => {
              setError(null);
              setClosing(true);
            }}
            disabled={busy !== null}
          >
            Close proposal…
          </button>
          <p class="hint">Merging adds the RFC to the catalog as a super-draft.</p>
        </div>
      ) : (
        <form id="close-form" class="form" onSubmit={close} noValidate>
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
              {busy === 'close' ? 'Closing proposal…' : 'Close proposal'}
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

export function ProposalScreen({ number }: { number: number }) {
  const resource = useResource<ProposalResponse>(`proposal:${number}`, () => api.proposal(number));
  const { state, update, reload } = resource;
  const [liveChange, setLiveChange] = useState(false);
  const proposal = state.status === 'ready' ? state.data.proposal : null;
  const current = useRef<Proposal | null>(null);
  current.current = proposal;
  useDocumentTitle(proposal ? `Proposal: ${proposal.title}` : `Proposal #${number}`);

  // Live: follow merges/closes by others via the catalog room; refetch after reconnects.
  const stateRef = useRef(state);
  stateRef.current = state;
  useRoom(CATALOG_ROOM, (first) => {
    // The first join happens right after our own first fetch: only refetch if that failed.
    if (!first || stateRef.current.status === 'error') void reload({ silent: true });
  });
  useEffect(() => {
    setLiveChange(false);
    const apply = (incoming: Proposal): void => {
      if (incoming.number !== number) return;
      const shownNow = current.current;
      if (!shownNow || !newer(incoming, shownNow)) return;
      if (shownNow.state === 'open' && incoming.state !== 'open') setLiveChange(true);
      update((d) => (newer(incoming, d.proposal) ? { ...d, proposal: incoming } : d));
    };
    const offs = [
      onLiveEvent('proposal.merged', (p) => apply(p.proposal)),
      onLiveEvent('proposal.closed', (p) => apply(p.proposal)),
      onLiveEvent('proposal.opened', (p) => apply(p.proposal)),
    ];
    return () => offs.forEach((off) => off());
  }, [number, update]);

  // Keep the catalog store in step with what this page learns.
  useEffect(() => {
    if (proposal) rememberProposal(proposal);
  }, [proposal]);

  const onDecided = (decided: Proposal, rfc?: Rfc): void => {
    rememberProposal(decided);
    if (rfc) rememberRfc(rfc);
    update((d) => ({ ...d, proposal: decided }));
    setLiveChange(false);
    showToast(decided.state === 'merged' ? `Merged “${decided.title}”. It is now an RFC.` : `Closed “${decided.title}”.`);
    window.setTimeout(() => document.getElementById('proposal-outcome')?.focus(), 0);
  };

  if (state.status === 'error' && isNotFound(state.error)) {
    return <NotFoundScreen title={`Proposal #${number} not found`} detail="There is no proposal with this number. It may have been mistyped." />;
  }

  const cached = catalog.get().proposals.get(number);
  const shown = proposal ?? cached ?? null;

  return (
    <article class="proposal">
      <header class="doc-head">
        <p class="eyebrow">
          Proposal #{number}
          {shown && <ProposalStateBadge state={shown.state} />}
        </p>
        <h1 tabIndex={-1} class={shown ? undefined : 'is-loading'}>
          {shown ? shown.title : state.status === 'error' ? `Proposal #${number}` : `Loading proposal #${number}…`}
        </h1>
        {shown ? (
          <>
            {shown.pitch && <p class="lead">{shown.pitch}</p>}
            <dl class="facts">
              <div>
                <dt>Slug</dt>
                <dd>
                  <code class="slug">{shown.slug}</code>
                </dd>
              </div>
              <div>
                <dt>Author</dt>
                <dd>{shown.author}</dd>
              </div>
              <div>
                <dt>State</dt>
                <dd>{shown.state === 'open' ? 'Open, waiting for a decision' : shown.state === 'merged' ? 'Merged' : 'Closed'}</dd>
              </div>
              <div>
                <dt>Opened</dt>
                <dd>
                  <RelTime iso={shown.opened_at} />
                </dd>
              </div>
            </dl>
          </>
        ) : (
          <SkeletonLines lines={3} widths={['80%', '40%', '60%']} />
        )}
      </header>

      {state.status === 'error' && (
        <Alert onRetry={() => void reload()}>Could not load this proposal: {state.error.message}</Alert>
      )}

      {proposal && (
        <div role="status" class="outcome-region">
          <Outcome proposal={proposal} rfcSlug={proposal.slug} live={liveChange} />
        </div>
      )}

      {state.status === 'ready' && proposal?.state === 'open' && state.data.can_decide && (
        <Decide proposal={proposal} onDecided={onDecided} />
      )}

      <section class="doc-body" aria-labelledby="proposed-text-heading">
        <h2 id="proposed-text-heading" class="section-label">
          Proposed text
        </h2>
        {state.status === 'ready' ? (
          state.data.body_html.trim() ? (
            <Prose html={state.data.body_html} title={state.data.proposal.title} />
          ) : (
            <p class="muted">This proposal has no text beyond its pitch.</p>
          )
        ) : state.status === 'loading' ? (
          <SkeletonLines lines={8} widths={['95%', '100%', '88%', '97%', '60%', '100%', '92%', '45%']} />
        ) : null}
      </section>
    </article>
  );
}

export function parseProposalNumber(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null;
}
