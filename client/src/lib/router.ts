/**
 * A small History API router: real URLs, back/forward, new tabs, and in-app
 * navigation for ordinary same-origin link clicks (including links inside
 * rendered RFC bodies).
 */
import { createStore, useStore } from './store';

export interface Location {
  path: string;
  search: string;
  hash: string;
}

function current(): Location {
  return { path: window.location.pathname, search: window.location.search, hash: window.location.hash };
}

export const location = createStore<Location>(current());

/** Paths the server answers itself; never routed in the client. */
const SERVER_PREFIXES = ['/api/', '/auth/', '/socket.io/', '/healthz', '/static/', '/assets/'];

interface HistoryState {
  scrollY?: number;
}

// On a reload, go back to where the reader was.
let restoreScrollTo: number | null = (history.state as HistoryState | null)?.scrollY ?? null;

function saveScroll(): void {
  const state: HistoryState = { ...(history.state as HistoryState | null), scrollY: window.scrollY };
  history.replaceState(state, '');
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  const samePath = url.pathname === window.location.pathname;
  if (options.replace) {
    history.replaceState({}, '', target);
  } else {
    saveScroll();
    history.pushState({}, '', target);
  }
  // A new screen starts at the top; a query change on the same screen (filters) keeps its place.
  restoreScrollTo = url.hash || samePath ? null : 0;
  location.set(current());
}

/** After a screen rendered: restore the scroll position of a back/forward, or go to the top / the anchor. */
export function settleScroll(): void {
  const hash = window.location.hash;
  if (restoreScrollTo !== null) {
    window.scrollTo(0, restoreScrollTo);
    restoreScrollTo = null;
  } else if (hash.length > 1) {
    const target = document.getElementById(decodeURIComponent(hash.slice(1)));
    target?.scrollIntoView();
  }
}

function isRoutable(anchor: HTMLAnchorElement): boolean {
  if (anchor.target && anchor.target !== '_self') return false;
  if (anchor.hasAttribute('download') || anchor.getAttribute('rel')?.includes('external')) return false;
  const href = anchor.getAttribute('href');
  if (!href || href.startsWith('#')) return false;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return false;
  return !SERVER_PREFIXES.some((p) => url.pathname === p.replace(/\/$/, '') || url.pathname.startsWith(p));
}

export function startRouter(): void {
  history.scrollRestoration = 'manual';
  window.addEventListener('popstate', (event) => {
    const state = event.state as HistoryState | null;
    restoreScrollTo = state?.scrollY ?? 0;
    location.set(current());
  });
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!(anchor instanceof HTMLAnchorElement) || !isRoutable(anchor)) return;
    const url = new URL(anchor.href);
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) {
      return; // same-page anchor: let the browser scroll
    }
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('beforeunload', saveScroll);
}

export function useLocation(): Location {
  return useStore(location);
}

/** `?next=` only when it is a same-site path (one leading slash, not `//host`). */
export function safeNext(search: string): string | null {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/')) return null;
  // Browsers drop tabs and newlines from URLs ("/\t/evil.example" becomes "//evil.example"),
  // so judge the address the browser would go to, not the text.
  if (/[\u0000-\u001f\\]/.test(next)) return null;
  const target = new URL(next, window.location.origin);
  if (target.origin !== window.location.origin) return null;
  return target.pathname + target.search + target.hash;
}
