import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { upsertBranch, upsertPull, type Branch } from '../../api/editing';
import { api } from '../../api/endpoints';
import type { Rfc, RfcResponse } from '../../api/types';
import { CATALOG_ROOM, rfcRoom } from '../../live/events';
import { onLiveEvent } from '../../live/socket';
import { useResource, type Resource } from '../../lib/useResource';
import { useRoom } from '../../lib/useRoom';
import { catalog } from '../../state/catalog';

/** What the reader is told about a live change. */
export type UpdateNotice =
  | { kind: 'none' }
  /** Applied in place (the reader was at the top, or only metadata changed). */
  | { kind: 'applied'; at: number }
  /** A new body is ready but the reader is mid-page: held until they choose to view it. */
  | { kind: 'held'; at: number };

export interface RfcPage {
  state: Resource<RfcResponse>;
  /** Best metadata we have: loaded, or from the catalog while loading. */
  rfc: Rfc | null;
  notice: UpdateNotice;
  /** The RFC left the catalog (`rfc.removed`) while the page was open: shown as it was, read only. */
  removed: boolean;
  /** Show a branch as the reader's own action returned it (e.g. a pin), before its live event arrives. */
  applyBranch: (branch: Branch) => void;
  showHeldUpdate: () => void;
  dismissNotice: () => void;
  reload: () => void;
}

const time = (iso: string): number => Date.parse(iso) || 0;

/** The parts of the page that change with editing activity (not the text being read). */
function activityOf(r: RfcResponse): Partial<RfcResponse> {
  return {
    branches: r.branches,
    pulls: r.pulls,
    history: r.history,
    maintainers: r.maintainers,
    can_start_branch: r.can_start_branch,
    can_merge: r.can_merge,
    can_pin: r.can_pin,
  };
}

/** Is the reader scrolled into the text (so replacing it would move what they read)? */
function readerIsMidPage(): boolean {
  return window.scrollY > 160;
}

/**
 * Data and live behaviour of the RFC page. The page will grow (branches, PRs,
 * threads, presence): each new part gets its own hook beside this one.
 */
export function useRfcPage(slug: string): RfcPage {
  const { state, update, reload } = useResource<RfcResponse>(`rfc:${slug}`, () => api.rfc(slug));
  const [notice, setNotice] = useState<UpdateNotice>({ kind: 'none' });
  const [removed, setRemoved] = useState(false);
  const removedRef = useRef(false);
  const markRemoved = useCallback((gone: boolean): void => {
    removedRef.current = gone;
    setRemoved(gone);
  }, []);
  const held = useRef<RfcResponse | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    setNotice({ kind: 'none' });
    markRemoved(false);
    held.current = null;
  }, [slug, markRemoved]);

  // Branch and pull request events that arrive while a snapshot is being fetched are
  // replayed on top of it: the snapshot may have been read before they happened.
  const fetching = useRef(0);
  const replay = useRef<((d: RfcResponse) => RfcResponse)[]>([]);
  const applyLive = useCallback(
    (fn: (d: RfcResponse) => RfcResponse): void => {
      if (fetching.current > 0) replay.current.push(fn);
      update(fn);
    },
    [update],
  );

  /** Fetch the new text and either apply it or hold it behind the notice. */
  const refreshBody = useCallback(async (): Promise<void> => {
    if (removedRef.current) {
      // Only a successful fetch ends "removed" (its file came back): a "not found" must
      // not replace the last text the reader has.
      try {
        const back = await api.rfc(slug);
        markRemoved(false);
        update(() => back);
      } catch {
        // still gone
      }
      return;
    }
    const before = stateRef.current;
    if (before.status !== 'ready') {
      await reload({ silent: true });
      return;
    }
    let fetched: RfcResponse;
    fetching.current += 1;
    try {
      fetched = await api.rfc(slug);
    } catch {
      return; // keep what we show; the next event or reconnect tries again
    } finally {
      fetching.current -= 1;
    }
    const missed = replay.current;
    if (fetching.current === 0) replay.current = [];
    const fresh = missed.reduce((acc, fn) => fn(acc), fetched);
    const current = stateRef.current;
    if (current.status !== 'ready') return;
    const bodyChanged = fresh.body_html !== current.data.body_html;
    const metaChanged = JSON.stringify(fresh.rfc) !== JSON.stringify(current.data.rfc);
    if (!bodyChanged && !metaChanged) {
      // Branches, pull requests, history: updated quietly, in place.
      update((d) => ({ ...d, ...activityOf(fresh) }));
      return;
    }
    if (bodyChanged && readerIsMidPage()) {
      held.current = fresh;
      // Metadata (title, state…) is small and at the top: update it now.
      update((d) => ({ ...d, ...activityOf(fresh), rfc: fresh.rfc }));
      setNotice({ kind: 'held', at: Date.now() });
    } else {
      update(() => fresh);
      setNotice({ kind: 'applied', at: Date.now() });
    }
  }, [slug, reload, update, markRemoved]);

  useRoom(CATALOG_ROOM, (first) => {
    if (!first || stateRef.current.status === 'error') void refreshBody();
  });
  // The RFC's own room: branches, pull requests and text changes; refetch after a reconnect.
  useRoom(rfcRoom(slug), (first) => {
    if (!first) void refreshBody();
  });

  // Branches and pull requests, upserted as they change (never back to an older pull state).
  const pullSeen = useRef(new Map<number, number>());
  useEffect(() => {
    pullSeen.current = new Map();
    const offs = [
      onLiveEvent('branch.updated', ({ branch }) => {
        if (branch.rfc_slug !== slug || branch.kind !== 'edit') return;
        applyLive((d) => ({ ...d, branches: upsertBranch(d.branches ?? [], branch) }));
      }),
      onLiveEvent('rfc.removed', (p) => {
        if (p.slug !== slug) return;
        markRemoved(true);
        held.current = null;
        setNotice({ kind: 'none' });
        // What the server would now refuse is no longer offered (the page stays readable).
        update((d) => ({ ...d, can_start_branch: false, can_merge: false, can_pin: false }));
      }),
      onLiveEvent('pull.updated', ({ pull }) => {
        if (pull.rfc_slug !== slug) return;
        const at = time(pull.updated_at);
        if (at < (pullSeen.current.get(pull.number) ?? 0)) return;
        pullSeen.current.set(pull.number, at);
        applyLive((d) => {
          const pulls = d.pulls ?? [];
          return {
            ...d,
            pulls: pull.state === 'open' ? upsertPull(pulls, pull) : pulls.filter((p) => p.number !== pull.number),
          };
        });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [slug, applyLive, update, markRemoved]);

  useEffect(() => {
    const onRfc = (rfc: Rfc | null): void => {
      if (!rfc || rfc.slug !== slug) return;
      if (removedRef.current) {
        void refreshBody(); // back in the catalog: the fetch brings the text and the rights
        return;
      }
      const current = stateRef.current;
      if (current.status === 'ready' && time(rfc.updated_at) < time(current.data.rfc.updated_at)) return;
      if (current.status === 'ready') update((d) => ({ ...d, rfc }));
      void refreshBody();
    };
    const offs = [
      onLiveEvent('rfc.updated', (p) => onRfc(p.rfc)),
      onLiveEvent('proposal.merged', (p) => onRfc(p.rfc)),
    ];
    return () => offs.forEach((off) => off());
  }, [slug, update, refreshBody]);

  // "Updated just now" fades by itself; a held update waits for the reader.
  useEffect(() => {
    if (notice.kind !== 'applied') return undefined;
    const timer = window.setTimeout(() => setNotice({ kind: 'none' }), 10_000);
    return () => window.clearTimeout(timer);
  }, [notice]);

  const showHeldUpdate = useCallback(() => {
    const next = held.current;
    held.current = null;
    // Only the text and its metadata: branches and pull requests may be newer than `next`.
    if (next) update((d) => ({ ...d, rfc: next.rfc, body_html: next.body_html }));
    setNotice({ kind: 'none' });
    document.getElementById('rfc-text')?.scrollIntoView({ block: 'start' });
  }, [update]);

  const rfc = state.status === 'ready' ? state.data.rfc : (catalog.get().rfcs.get(slug) ?? null);

  return {
    state,
    rfc,
    notice,
    removed,
    applyBranch: (branch: Branch) => applyLive((d) => ({ ...d, branches: upsertBranch(d.branches ?? [], branch) })),
    showHeldUpdate,
    dismissNotice: () => setNotice({ kind: 'none' }),
    reload: () => void reload(),
  };
}
