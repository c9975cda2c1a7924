import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/endpoints';
import type { Rfc, RfcResponse } from '../../api/types';
import { CATALOG_ROOM } from '../../live/events';
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
  showHeldUpdate: () => void;
  dismissNotice: () => void;
  reload: () => void;
}

const time = (iso: string): number => Date.parse(iso) || 0;

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
  const held = useRef<RfcResponse | null>(null);
  const stateRef = useRef(state);
  stateRef.current = state;

  useEffect(() => {
    setNotice({ kind: 'none' });
    held.current = null;
  }, [slug]);

  /** Fetch the new text and either apply it or hold it behind the notice. */
  const refreshBody = useCallback(async (): Promise<void> => {
    const before = stateRef.current;
    if (before.status !== 'ready') {
      await reload({ silent: true });
      return;
    }
    let fresh: RfcResponse;
    try {
      fresh = await api.rfc(slug);
    } catch {
      return; // keep what we show; the next event or reconnect tries again
    }
    const current = stateRef.current;
    if (current.status !== 'ready') return;
    const bodyChanged = fresh.body_html !== current.data.body_html;
    const metaChanged = JSON.stringify(fresh.rfc) !== JSON.stringify(current.data.rfc);
    if (!bodyChanged && !metaChanged) return;
    if (bodyChanged && readerIsMidPage()) {
      held.current = fresh;
      // Metadata (title, state…) is small and at the top: update it now.
      update((d) => ({ ...d, rfc: fresh.rfc }));
      setNotice({ kind: 'held', at: Date.now() });
    } else {
      update(() => fresh);
      setNotice({ kind: 'applied', at: Date.now() });
    }
  }, [slug, reload, update]);

  useRoom(CATALOG_ROOM, (first) => {
    if (!first || stateRef.current.status === 'error') void refreshBody();
  });

  useEffect(() => {
    const onRfc = (rfc: Rfc | null): void => {
      if (!rfc || rfc.slug !== slug) return;
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
    if (next) update(() => next);
    setNotice({ kind: 'none' });
    document.getElementById('rfc-text')?.scrollIntoView({ block: 'start' });
  }, [update]);

  const rfc = state.status === 'ready' ? state.data.rfc : (catalog.get().rfcs.get(slug) ?? null);

  return {
    state,
    rfc,
    notice,
    showHeldUpdate,
    dismissNotice: () => setNotice({ kind: 'none' }),
    reload: () => void reload(),
  };
}
