/**
 * Unread chat counts for the signed-in reader: per room of one RFC (the RFC page's
 * branches and threads) and per RFC (the catalog). Fetched on first use and after
 * each re-join of the room that carries `chat.activity`; refetched, debounced, when
 * `chat.activity` says a room got messages, `chat.read` says a cursor moved, or
 * `thread.updated` says a thread started (the RFC page's room only).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { chatApi } from '../api/chat';
import { useStore } from '../lib/store';
import { useRoom } from '../lib/useRoom';
import { session } from '../state/session';
import { CATALOG_ROOM, rfcRoom } from './events';
import { onLiveEvent } from './socket';

const REFRESH_DEBOUNCE_MS = 400;

export type UnreadCounts = Readonly<Record<string, number>>;

function useUnread(
  key: string,
  room: string,
  fetch: () => Promise<UnreadCounts>,
  concerns: (rfcSlug: string) => boolean,
): UnreadCounts {
  const user = useStore(session).user;
  const [counts, setCounts] = useState<UnreadCounts>({});
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;
  const concernsRef = useRef(concerns);
  concernsRef.current = concerns;
  const refresh = useRef<(debounced: boolean) => void>(() => undefined);

  useEffect(() => {
    setCounts({});
    if (!user) return undefined;
    let generation = 0;
    let timer: number | null = null;
    let live = true;
    const load = (): void => {
      const mine = ++generation;
      fetchRef.current().then(
        (next) => {
          if (live && mine === generation) setCounts(next);
        },
        () => undefined, // keep what is shown; the next event or re-join tries again
      );
    };
    refresh.current = (debounced) => {
      if (timer !== null) window.clearTimeout(timer);
      timer = null;
      if (debounced) timer = window.setTimeout(load, REFRESH_DEBOUNCE_MS);
      else load();
    };
    load();
    const offs = [
      onLiveEvent('chat.activity', (p) => {
        if (concernsRef.current(p.rfc_slug)) refresh.current(true);
      }),
      onLiveEvent('chat.read', (p) => {
        if (concernsRef.current(p.rfc_slug)) refresh.current(true);
      }),
      // A new thread's first message comes without `chat.activity` (rfc:<slug> room only).
      onLiveEvent('thread.updated', ({ thread }) => {
        if (concernsRef.current(thread.rfc_slug)) refresh.current(true);
      }),
    ];
    return () => {
      live = false;
      if (timer !== null) window.clearTimeout(timer);
      refresh.current = () => undefined;
      offs.forEach((off) => off());
    };
  }, [key, user?.id]);

  // Missed events while the connection was down: fetch again after each re-join.
  useRoom(room, (first) => {
    if (!first) refresh.current(false);
  });
  return counts;
}

/** Unread messages per chat room of one RFC (`branch:<repo>:<name>`, `thread:<id>`). */
export function useRfcUnread(slug: string): UnreadCounts {
  return useUnread(
    `rfc:${slug}`,
    rfcRoom(slug),
    () => chatApi.unreadForRfc(slug).then((r) => r.rooms),
    (s) => s === slug,
  );
}

/** Unread messages per RFC slug, for the catalog. */
export function useCatalogUnread(): UnreadCounts {
  return useUnread(
    'catalog',
    CATALOG_ROOM,
    () => chatApi.unread().then((r) => r.rfcs),
    () => true,
  );
}
