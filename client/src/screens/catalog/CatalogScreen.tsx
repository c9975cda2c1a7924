import { useMemo, useRef, useState } from 'preact/hooks';
import { RFC_STATES, type Proposal, type Rfc, type RfcState } from '../../api/types';
import { Alert } from '../../components/Alert';
import { rfcStateLabel } from '../../components/StateBadge';
import { showToast } from '../../components/toasts';
import { navigate, useLocation } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { useCatalogUnread } from '../../live/chatUnread';
import { rememberProposal, syncCatalog, useCatalog } from '../../state/catalog';
import { session } from '../../state/session';
import { PendingIdeas } from './PendingIdeas';
import { ProposeDialog } from './ProposeDialog';
import { RfcList, RfcListSkeleton } from './RfcList';

// Remembered while the app runs, so coming back keeps the disclosure as it was.
let pendingOpen = false;

function isRfcState(value: string): value is RfcState {
  return (RFC_STATES as readonly string[]).includes(value);
}

function matches(rfc: Rfc, state: RfcState | null, words: string[]): boolean {
  if (state && rfc.state !== state) return false;
  if (words.length === 0) return true;
  const hay = `${rfc.title}\n${rfc.slug}\n${rfc.pitch}`.toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function CatalogScreen() {
  useDocumentTitle('Catalog');
  const data = useCatalog();
  const unread = useCatalogUnread();
  const { user } = useStore(session);
  const loc = useLocation();
  const params = new URLSearchParams(loc.search);
  const stateParam = params.get('state') ?? '';
  const stateFilter = isRfcState(stateParam) ? stateParam : null;
  const query = params.get('q') ?? '';
  const [showPending, setShowPending] = useState(pendingOpen);
  const [proposing, setProposing] = useState(false);
  const proposeButton = useRef<HTMLButtonElement>(null);

  const setFilter = (key: 'state' | 'q', value: string): void => {
    // Read the live URL (not this render's copy) so fast typing never drops the other filter.
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    navigate(`${window.location.pathname}${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const togglePending = (open: boolean): void => {
    pendingOpen = open;
    setShowPending(open);
  };

  const loading = data.status === 'idle' || data.status === 'loading';
  const rfcs = useMemo(
    () => data.rfcOrder.map((slug) => data.rfcs.get(slug)).filter((r): r is Rfc => r !== undefined),
    [data.rfcOrder, data.rfcs],
  );
  const pending = useMemo(
    () =>
      data.pendingOrder
        .map((n) => data.proposals.get(n))
        .filter((p): p is Proposal => p !== undefined && p.state === 'open'),
    [data.pendingOrder, data.proposals],
  );
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = rfcs.filter((r) => matches(r, stateFilter, words));
  const filtering = stateFilter !== null || words.length > 0;

  const onProposed = (proposal: Proposal): void => {
    setProposing(false);
    rememberProposal(proposal, true);
    togglePending(true);
    showToast(
      <>
        Proposed “{proposal.title}” (#{proposal.number}). It is listed under Pending ideas.{' '}
        <a href={`/proposals/${proposal.number}`}>View proposal #{proposal.number}</a>
      </>,
    );
  };

  return (
    <div class="catalog">
      <div class="page-head">
        <h1 tabIndex={-1}>Catalog</h1>
        {user ? (
          <button
            ref={proposeButton}
            type="button"
            class="button button--primary"
            aria-haspopup="dialog"
            onClick={() => setProposing(true)}
          >
            + Propose New RFC
          </button>
        ) : (
          <p class="muted page-head__note">Signed-in members can propose new RFCs.</p>
        )}
      </div>

      {data.status === 'error' && (
        <Alert onRetry={() => void syncCatalog()}>
          Could not load the catalog: {data.error ?? 'unknown error'}
        </Alert>
      )}
      {data.status === 'ready' && data.error && (
        <Alert tone="warning" onRetry={() => void syncCatalog()}>
          Could not refresh the catalog ({data.error}). Showing what was loaded earlier.
        </Alert>
      )}

      <PendingIdeas
        proposals={pending}
        loading={loading}
        open={showPending}
        onToggle={togglePending}
        fresh={data.fresh}
      />

      <section class="rfcs" aria-labelledby="rfcs-heading">
        <div class="rfcs__head">
          <h2 id="rfcs-heading">RFCs</h2>
          <form class="filters" role="search" aria-label="Filter RFCs" onSubmit={(e) => e.preventDefault()}>
            <div class="field field--inline">
              <label for="filter-state">State</label>
              <select
                id="filter-state"
                value={stateFilter ?? ''}
                onChange={(e) => setFilter('state', e.currentTarget.value)}
              >
                <option value="">All</option>
                {RFC_STATES.map((s) => (
                  <option key={s} value={s}>
                    {rfcStateLabel(s)}
                  </option>
                ))}
              </select>
            </div>
            <div class="field field--inline field--grow">
              <label for="filter-search">Search</label>
              <input
                id="filter-search"
                type="search"
                placeholder="Title, slug or pitch"
                value={query}
                autoComplete="off"
                onInput={(e) => setFilter('q', e.currentTarget.value)}
              />
            </div>
          </form>
        </div>
        <p class="rfcs__count muted" role="status">
          {loading
            ? 'Loading RFCs…'
            : filtering
              ? `Showing ${shown.length} of ${rfcs.length} RFCs`
              : `${rfcs.length} ${rfcs.length === 1 ? 'RFC' : 'RFCs'}`}
        </p>
        {loading ? (
          <RfcListSkeleton />
        ) : shown.length > 0 ? (
          <RfcList rfcs={shown} fresh={data.fresh} unread={unread} />
        ) : data.status === 'ready' ? (
          <div class="empty">
            {filtering ? (
              <>
                <p>No RFCs match these filters.</p>
                <button type="button" class="button" onClick={() => navigate(loc.path, { replace: true })}>
                  Clear filters
                </button>
              </>
            ) : (
              <p>No RFCs yet. {user ? 'Propose the first one.' : 'Ideas appear here once they are merged.'}</p>
            )}
          </div>
        ) : null}
      </section>

      {user && (
        <ProposeDialog open={proposing} onClose={() => setProposing(false)} onProposed={onProposed} />
      )}
    </div>
  );
}
