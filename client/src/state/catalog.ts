/**
 * The catalog as the client knows it: RFCs by slug, proposals by number.
 *
 * Sources, all merged idempotently:
 *  - snapshots from GET /api/catalog (on first use and after every (re)join of the
 *    catalog room, to pick up changes missed while the socket was down);
 *  - live events from the catalog room (`rfc.removed` drops the row in place);
 *  - responses to the user's own actions (propose, merge, close).
 *
 * An item is only replaced by one at least as new (`updated_at`), so a stale or
 * repeated event never undoes a newer state and never duplicates a row. Events that
 * arrive while a snapshot is being fetched are buffered and replayed on top of it.
 * Order is fixed when a snapshot lands (newest first); live changes update rows in
 * place and new rows are added at the top, so nothing the reader looks at jumps.
 */
import { useEffect } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { api } from '../api/endpoints';
import type { CatalogResponse, Proposal, Rfc } from '../api/types';
import { CATALOG_ROOM, type ServerEventName, type ServerEvents } from '../live/events';
import { joinRoom, onLiveEvent } from '../live/socket';
import { createStore, useStore } from '../lib/store';

export interface CatalogState {
  /** `idle` before the first fetch; `loading` until the first snapshot; then `ready`. */
  status: 'idle' | 'loading' | 'ready' | 'error';
  rfcs: ReadonlyMap<string, Rfc>;
  rfcOrder: readonly string[];
  proposals: ReadonlyMap<number, Proposal>;
  /** Open proposals, newest first. */
  pendingOrder: readonly number[];
  /** Keys of rows that just arrived live (`rfc:<slug>`, `proposal:<n>`), for a gentle highlight. */
  fresh: ReadonlySet<string>;
  /** Why the last fetch failed (data may still be shown from before). */
  error: string | null;
}

const initial: CatalogState = {
  status: 'idle',
  rfcs: new Map(),
  rfcOrder: [],
  proposals: new Map(),
  pendingOrder: [],
  fresh: new Set(),
  error: null,
};

export const catalog = createStore<CatalogState>(initial);

const time = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
};

function isNotOlder(incoming: { updated_at: string }, current: { updated_at: string } | undefined): boolean {
  return !current || time(incoming.updated_at) >= time(current.updated_at);
}

const FRESH_MS = 4000;

function markFresh(key: string): void {
  catalog.set((s) => ({ ...s, fresh: new Set(s.fresh).add(key) }));
  window.setTimeout(() => {
    catalog.set((s) => {
      if (!s.fresh.has(key)) return s;
      const fresh = new Set(s.fresh);
      fresh.delete(key);
      return { ...s, fresh };
    });
  }, FRESH_MS);
}

// ---- merging ----------------------------------------------------------------

function withRfc(s: CatalogState, rfc: Rfc): CatalogState {
  if (!isNotOlder(rfc, s.rfcs.get(rfc.slug))) return s;
  const rfcs = new Map(s.rfcs).set(rfc.slug, rfc);
  const rfcOrder = s.rfcOrder.includes(rfc.slug) ? s.rfcOrder : [rfc.slug, ...s.rfcOrder];
  return { ...s, rfcs, rfcOrder };
}

function withoutRfc(s: CatalogState, slug: string): CatalogState {
  if (!s.rfcs.has(slug) && !s.rfcOrder.includes(slug)) return s;
  const rfcs = new Map(s.rfcs);
  rfcs.delete(slug);
  return { ...s, rfcs, rfcOrder: s.rfcOrder.filter((r) => r !== slug) };
}

function withProposal(s: CatalogState, proposal: Proposal): CatalogState {
  if (!isNotOlder(proposal, s.proposals.get(proposal.number))) return s;
  const proposals = new Map(s.proposals).set(proposal.number, proposal);
  let pendingOrder = s.pendingOrder;
  const listed = pendingOrder.includes(proposal.number);
  if (proposal.state === 'open' && !listed) pendingOrder = [proposal.number, ...pendingOrder];
  if (proposal.state !== 'open' && listed) pendingOrder = pendingOrder.filter((n) => n !== proposal.number);
  return { ...s, proposals, pendingOrder };
}

function fromSnapshot(s: CatalogState, snap: CatalogResponse): CatalogState {
  const rfcsSorted = [...snap.rfcs].sort((a, b) => time(b.updated_at) - time(a.updated_at));
  const pendingSorted = snap.pending
    .filter((p) => p.state === 'open')
    .sort((a, b) => time(b.opened_at) - time(a.opened_at));
  // Keep proposals we know were decided (so a stale `opened` can't resurrect them).
  const proposals = new Map<number, Proposal>();
  for (const p of s.proposals.values()) if (p.state !== 'open') proposals.set(p.number, p);
  for (const p of pendingSorted) {
    const known = proposals.get(p.number);
    if (!known || isNotOlder(p, known)) proposals.set(p.number, p);
  }
  return {
    ...s,
    status: 'ready',
    error: null,
    rfcs: new Map(rfcsSorted.map((r) => [r.slug, r])),
    rfcOrder: rfcsSorted.map((r) => r.slug),
    proposals,
    pendingOrder: pendingSorted.filter((p) => proposals.get(p.number)?.state === 'open').map((p) => p.number),
  };
}

/** Record a proposal we got from an API response (our own action). */
export function rememberProposal(proposal: Proposal, highlight = false): void {
  const before = catalog.get();
  catalog.set((s) => withProposal(s, proposal));
  if (highlight && !before.proposals.has(proposal.number)) markFresh(`proposal:${proposal.number}`);
}

/** Record an RFC we got from an API response. */
export function rememberRfc(rfc: Rfc): void {
  catalog.set((s) => withRfc(s, rfc));
}

// ---- live events ------------------------------------------------------------

type BufferedEvent = { [K in ServerEventName]: { name: K; payload: ServerEvents[K] } }[ServerEventName];

let syncing = false;
let syncAgain = false;
let buffer: BufferedEvent[] = [];

function applyEvent(event: BufferedEvent, live: boolean): void {
  const before = catalog.get();
  switch (event.name) {
    case 'proposal.opened':
    case 'proposal.closed':
      catalog.set((s) => withProposal(s, event.payload.proposal));
      break;
    case 'proposal.merged': {
      const { proposal, rfc } = event.payload;
      catalog.set((s) => {
        const next = withProposal(s, proposal);
        return rfc ? withRfc(next, rfc) : next;
      });
      break;
    }
    case 'rfc.updated':
      catalog.set((s) => withRfc(s, event.payload.rfc));
      break;
    case 'rfc.removed':
      catalog.set((s) => withoutRfc(s, event.payload.slug));
      break;
  }
  if (!live || before.status !== 'ready') return;
  const after = catalog.get();
  if (event.name === 'proposal.opened') {
    const n = event.payload.proposal.number;
    if (!before.pendingOrder.includes(n) && after.pendingOrder.includes(n)) markFresh(`proposal:${n}`);
  }
  const rfc = event.name === 'rfc.updated' ? event.payload.rfc : event.name === 'proposal.merged' ? event.payload.rfc : null;
  if (rfc && before.rfcs.get(rfc.slug) !== after.rfcs.get(rfc.slug)) markFresh(`rfc:${rfc.slug}`);
}

function receive(event: BufferedEvent): void {
  if (syncing) buffer.push(event);
  applyEvent(event, true);
}

let listening = false;
function listen(): void {
  if (listening) return;
  listening = true;
  onLiveEvent('proposal.opened', (payload) => receive({ name: 'proposal.opened', payload }));
  onLiveEvent('proposal.closed', (payload) => receive({ name: 'proposal.closed', payload }));
  onLiveEvent('proposal.merged', (payload) => receive({ name: 'proposal.merged', payload }));
  onLiveEvent('rfc.updated', (payload) => receive({ name: 'rfc.updated', payload }));
  onLiveEvent('rfc.removed', (payload) => receive({ name: 'rfc.removed', payload }));
}

// ---- fetching ---------------------------------------------------------------

/** Fetch a fresh snapshot; coalesces concurrent calls (one more fetch runs after the current one). */
export async function syncCatalog(): Promise<void> {
  if (syncing) {
    syncAgain = true;
    return;
  }
  syncing = true;
  buffer = [];
  catalog.set((s) => (s.status === 'idle' || s.status === 'error' && s.rfcOrder.length === 0 ? { ...s, status: 'loading' } : s));
  try {
    const snap = await api.catalog();
    const replay = buffer;
    catalog.set((s) => fromSnapshot(s, snap));
    for (const event of replay) applyEvent(event, false);
  } catch (error) {
    catalog.set((s) => ({
      ...s,
      status: s.status === 'ready' ? 'ready' : 'error',
      error: errorMessage(error),
    }));
  } finally {
    syncing = false;
    buffer = [];
  }
  if (syncAgain) {
    syncAgain = false;
    await syncCatalog();
  }
}

/**
 * Keep the catalog room joined while the calling component is mounted, and the
 * store fresh: fetch on first use and again after every (re)join of the room.
 */
export function useCatalogRoom(): void {
  useEffect(() => {
    listen();
    if (catalog.get().status === 'idle') void syncCatalog();
    return joinRoom(CATALOG_ROOM, () => {
      void syncCatalog();
    });
  }, []);
}

/** The catalog store, with the room joined and data kept fresh. */
export function useCatalog(): CatalogState {
  useCatalogRoom();
  return useStore(catalog);
}
