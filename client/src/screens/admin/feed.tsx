/**
 * A newest-first list fed by pages and by live events: the audit log and the
 * permission events.
 *
 * - Items are keyed by id (ids grow with time, so "newest first" is "id descending").
 *   A page, a live event or a refetch after a reconnect never duplicates a row.
 * - "Load older" pages with `before=<oldest id shown>`.
 * - `resync` (bumped after every (re)join of the admin room) refetches the first
 *   page and merges it; if more than a page was missed, the list restarts from it.
 * - A reader scrolled down the list keeps their place when rows arrive above; a
 *   pill offers to jump up to them. New rows are announced politely.
 */
import type { ComponentChildren, RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ADMIN_PAGE_SIZE } from '../../api/admin';
import { errorMessage } from '../../api/client';
import { Alert } from '../../components/Alert';
import { noteSignedOut } from '../../state/session';

export interface FeedItem {
  id: number;
}

export interface FeedData<T extends FeedItem> {
  /** Newest first, unique ids. */
  items: T[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hasMore: boolean;
  older: 'idle' | 'loading' | 'error';
  olderError: string | null;
}

const cache = new Map<string, FeedData<FeedItem>>();

/** Forget cached lists (when leaving /admin). */
export function clearFeedCache(): void {
  cache.clear();
}

function emptyFeed<T extends FeedItem>(): FeedData<T> {
  return { items: [], status: 'loading', error: null, hasMore: false, older: 'idle', olderError: null };
}

/** Union by id; `preferred` wins for equal ids; result newest first. */
function mergeById<T extends FeedItem>(preferred: readonly T[], others: readonly T[]): T[] {
  const byId = new Map<number, T>();
  for (const item of others) byId.set(item.id, item);
  for (const item of preferred) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

function mergeFirstPage<T extends FeedItem>(current: FeedData<T>, page: readonly T[]): FeedData<T> {
  const full = page.length >= ADMIN_PAGE_SIZE;
  const had = current.status === 'ready' && current.items.length > 0;
  const newest = page[0]?.id ?? 0;
  const oldest = page[page.length - 1]?.id ?? 0;
  // More than a page arrived since we last looked: what we hold may not join up with
  // the fresh page. Restart from it (keeping only newer live rows); "Load older" refills.
  const gap = full && had && !current.items.some((i) => i.id >= oldest && i.id <= newest);
  if (gap) {
    return {
      ...current,
      items: mergeById(page, current.items.filter((i) => i.id > newest)),
      status: 'ready',
      error: null,
      hasMore: true,
    };
  }
  return {
    ...current,
    items: mergeById(page, current.items),
    status: 'ready',
    error: null,
    hasMore: had ? current.hasMore : full,
  };
}

interface FeedOptions<T extends FeedItem> {
  /** Identifies the list (tab + filters) for the cache. */
  cacheKey: string;
  fetchPage: (before?: number) => Promise<T[]>;
  resync: number;
  /**
   * How to announce rows that arrived (live or missed while disconnected): `items`
   * just arrived; `total` counts a burst of arrivals announced together.
   */
  describe: (items: T[], total: number) => string;
}

export interface FeedHandle<T extends FeedItem> {
  data: FeedData<T>;
  fresh: ReadonlySet<number>;
  announcement: string;
  loadOlder: () => void;
  retry: () => void;
  /** A live item (already checked against the filters). */
  receive: (item: T) => void;
  listRef: RefObject<HTMLDivElement | null>;
  /** Rows that arrived above a reader scrolled down the list. */
  unseenAbove: number;
  showNewest: () => void;
}

function topbarBottom(): number {
  return document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0;
}

export function useFeed<T extends FeedItem>(options: FeedOptions<T>): FeedHandle<T> {
  const { cacheKey, resync } = options;
  const [data, setData] = useState<FeedData<T>>(
    () => (cache.get(cacheKey) as FeedData<T> | undefined) ?? emptyFeed<T>(),
  );
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const [unseenAbove, setUnseenAbove] = useState(0);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const dataRef = useRef(data);
  dataRef.current = data;
  const generation = useRef(0);
  const mounted = useRef(true);
  const listRef = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ id: string; top: number } | null>(null);
  const timers = useRef<number[]>([]);
  const burst = useRef({ count: 0, at: 0 });

  useEffect(() => {
    cache.set(cacheKey, data as FeedData<FeedItem>);
  }, [cacheKey, data]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      generation.current++;
      for (const t of timers.current) window.clearTimeout(t);
    };
  }, []);

  const markArrived = useCallback((items: T[]) => {
    if (items.length === 0) return;
    const ids = items.map((i) => i.id);
    setFresh((prev) => new Set([...prev, ...ids]));
    timers.current.push(
      window.setTimeout(() => {
        if (!mounted.current) return;
        setFresh((prev) => {
          const next = new Set(prev);
          for (const id of ids) next.delete(id);
          return next;
        });
      }, 4500),
    );
    // Several rows in quick succession are announced as one burst ("3 new …").
    const now = Date.now();
    if (now - burst.current.at > 2000) burst.current.count = 0;
    burst.current = { count: burst.current.count + items.length, at: now };
    const text = optionsRef.current.describe(items, burst.current.count);
    // Alternate a trailing space so the same words are announced again.
    setAnnouncement((prev) => (prev === text ? `${text}\u00a0` : text));
  }, []);

  /** Before rows are added above: remember the first row the reader can see, if they scrolled into the list. */
  const captureAnchor = useCallback((): boolean => {
    anchor.current = null;
    const list = listRef.current;
    if (!list) return false;
    const limit = topbarBottom();
    if (list.getBoundingClientRect().top >= limit) return false;
    for (const row of Array.from(list.querySelectorAll<HTMLElement>('[data-row-id]'))) {
      const rect = row.getBoundingClientRect();
      if (rect.bottom > limit) {
        anchor.current = { id: row.dataset.rowId ?? '', top: rect.top };
        return true;
      }
    }
    return false;
  }, []);

  // After rows were added above: scroll by however much the remembered row moved.
  useLayoutEffect(() => {
    const mark = anchor.current;
    anchor.current = null;
    const list = listRef.current;
    if (!mark || !list) return;
    const row = list.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(mark.id)}"]`);
    if (!row) return;
    const delta = row.getBoundingClientRect().top - mark.top;
    if (delta !== 0) window.scrollBy(0, delta);
  }, [data.items]);

  // Once the reader is back at the top of the list, nothing is unseen.
  useEffect(() => {
    if (unseenAbove === 0) return undefined;
    const onScroll = (): void => {
      const list = listRef.current;
      if (!list || list.getBoundingClientRect().top >= topbarBottom() - 4) setUnseenAbove(0);
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [unseenAbove]);

  const loadFirst = useCallback(async (): Promise<void> => {
    const mine = ++generation.current;
    try {
      const page = await optionsRef.current.fetchPage();
      if (mine !== generation.current) return;
      const before = dataRef.current;
      const known = new Set(before.items.map((i) => i.id));
      const newestKnown = before.items[0]?.id ?? 0;
      const arrived =
        before.status === 'ready' ? page.filter((i) => !known.has(i.id) && i.id > newestKnown) : [];
      const scrolledDown = arrived.length > 0 && captureAnchor();
      setData((d) => mergeFirstPage(d, page));
      if (arrived.length > 0) {
        markArrived(arrived);
        if (scrolledDown) setUnseenAbove((n) => n + arrived.length);
      }
    } catch (error) {
      if (mine !== generation.current) return;
      noteSignedOut(error);
      const message = errorMessage(error);
      // A failed background refresh keeps what is shown.
      setData((d) => (d.status === 'ready' ? d : { ...d, status: 'error', error: message }));
    }
  }, [captureAnchor, markArrived]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  const firstResync = useRef(resync);
  useEffect(() => {
    if (resync !== firstResync.current) void loadFirst();
  }, [resync, loadFirst]);

  const retry = useCallback(() => {
    setData((d) => ({ ...d, status: 'loading', error: null }));
    void loadFirst();
  }, [loadFirst]);

  const loadOlder = useCallback(async (): Promise<void> => {
    const current = dataRef.current;
    if (current.older === 'loading') return;
    const oldest = current.items[current.items.length - 1]?.id;
    setData((d) => ({ ...d, older: 'loading', olderError: null }));
    try {
      const page = await optionsRef.current.fetchPage(oldest);
      if (!mounted.current) return;
      setData((d) => ({
        ...d,
        items: mergeById(d.items, page),
        hasMore: page.length >= ADMIN_PAGE_SIZE,
        older: 'idle',
      }));
    } catch (error) {
      if (!mounted.current) return;
      noteSignedOut(error);
      setData((d) => ({ ...d, older: 'error', olderError: errorMessage(error) }));
    }
  }, []);

  const receive = useCallback(
    (item: T) => {
      if (dataRef.current.items.some((i) => i.id === item.id)) return;
      const scrolledDown = captureAnchor();
      setData((d) => (d.items.some((i) => i.id === item.id) ? d : { ...d, items: mergeById([item], d.items) }));
      markArrived([item]);
      if (scrolledDown) setUnseenAbove((n) => n + 1);
    },
    [captureAnchor, markArrived],
  );

  const showNewest = useCallback(() => {
    setUnseenAbove(0);
    const list = listRef.current;
    if (!list) return;
    list.scrollIntoView({ block: 'start' });
    list.querySelector<HTMLElement>('[data-row-id]')?.focus({ preventScroll: true });
  }, []);

  return {
    data,
    fresh,
    announcement,
    loadOlder: () => void loadOlder(),
    retry,
    receive,
    listRef,
    unseenAbove,
    showNewest,
  };
}

interface FeedViewProps<T extends FeedItem> {
  feed: FeedHandle<T>;
  /** e.g. ["audit entry", "audit entries"] */
  noun: readonly [string, string];
  empty: ComponentChildren;
  /** The table (rows carry `data-row-id`). */
  children: ComponentChildren;
  loadOlderLabel: string;
}

/** Loading/error/empty states, the live announcement, the "new above" pill and "Load older". */
export function FeedView<T extends FeedItem>({ feed, noun: [one, many], empty, children, loadOlderLabel }: FeedViewProps<T>) {
  const { data } = feed;
  const endRef = useRef<HTMLParagraphElement>(null);
  const wasLoadingOlder = useRef(false);

  // If "Load older" reached the end, the button goes away: put focus on the end note instead.
  useEffect(() => {
    if (wasLoadingOlder.current && data.older === 'idle' && !data.hasMore && endRef.current?.contains(document.activeElement) === false) {
      endRef.current.focus();
    }
    wasLoadingOlder.current = data.older === 'loading';
  }, [data.older, data.hasMore]);

  return (
    <div class="feed">
      <p class="visually-hidden" role="status" aria-live="polite">
        {feed.announcement}
      </p>
      {feed.unseenAbove > 0 && (
        <div class="feed__pill-region">
          <button type="button" class="feed__pill" onClick={feed.showNewest}>
            <span aria-hidden="true">↑ </span>
            {feed.unseenAbove === 1 ? `Show 1 new ${one}` : `Show ${feed.unseenAbove} new ${many}`}
          </button>
        </div>
      )}
      {data.status === 'error' && (
        <Alert onRetry={feed.retry}>
          Could not load the {many}: {data.error}
        </Alert>
      )}
      {data.status === 'loading' && data.items.length === 0 ? (
        <div class="feed__loading" aria-busy="true">
          <p class="visually-hidden">Loading {many}…</p>
          <div class="skeleton" aria-hidden="true">
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} class="skeleton__line feed__skeleton-line" />
            ))}
          </div>
        </div>
      ) : data.items.length === 0 && data.status === 'ready' ? (
        <div class="empty">{empty}</div>
      ) : data.items.length > 0 ? (
        <>
          <div ref={feed.listRef}>{children}</div>
          <div class="feed__more">
            {data.older === 'error' && <Alert onRetry={feed.loadOlder}>Could not load older {many}: {data.olderError}</Alert>}
            {data.hasMore ? (
              data.older !== 'error' && (
                <button
                  type="button"
                  class="button"
                  onClick={feed.loadOlder}
                  disabled={data.older === 'loading'}
                  aria-busy={data.older === 'loading'}
                >
                  {data.older === 'loading' ? 'Loading…' : loadOlderLabel}
                </button>
              )
            ) : (
              <p class="muted feed__end" ref={endRef} tabIndex={-1}>
                {data.items.length === 1 ? `That is the only ${one}.` : `That is all: ${data.items.length} ${many}.`}
              </p>
            )}
          </div>
        </>
      ) : null}
    </div>
  );
}
