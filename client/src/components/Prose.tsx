import { useEffect, useLayoutEffect, useMemo, useRef } from 'preact/hooks';

/** The prefix the server's sanitizer puts on every id in rendered Markdown. */
export const USER_CONTENT_PREFIX = 'user-content-';

/**
 * The element a `#hash` means inside rendered Markdown: the id as written, or the
 * server's `user-content-` id for it (so `#motivation` finds `user-content-motivation`).
 */
export function anchorTarget(hash: string, root: ParentNode = document): HTMLElement | null {
  let id = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!id) return null;
  try {
    id = decodeURIComponent(id);
  } catch {
    /* keep it as written */
  }
  const find = (value: string): HTMLElement | null =>
    root instanceof Document ? root.getElementById(value) : root.querySelector<HTMLElement>(`[id="${CSS.escape(value)}"]`);
  return find(id) ?? (id.startsWith(USER_CONTENT_PREFIX) ? null : find(USER_CONTENT_PREFIX + id));
}

// The URL whose `#hash` was already scrolled to, so a live re-render doesn't jump again.
let settledHashOf: string | null = null;

const norm = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * Fit a rendered document under the screen's own headings: drop a leading `<h1>`
 * that repeats the page title, and shift every heading one level down, so the
 * screen keeps a single h1 and the document's sections sit under "Text".
 */
export function fitHeadings(html: string, title?: string): string {
  const template = document.createElement('template');
  template.innerHTML = html; // inert: nothing in a template runs or loads
  const root = template.content;
  const first = root.firstElementChild;
  if (first && first.tagName === 'H1' && title !== undefined && norm(first.textContent) === norm(title)) {
    first.remove();
  }
  for (const heading of Array.from(root.querySelectorAll('h1, h2, h3, h4, h5'))) {
    const level = Number(heading.tagName.slice(1));
    const replacement = document.createElement(`h${level + 1}`);
    for (const attr of Array.from(heading.attributes)) replacement.setAttribute(attr.name, attr.value);
    replacement.append(...Array.from(heading.childNodes));
    heading.replaceWith(replacement);
  }
  return template.innerHTML;
}

/**
 * Server-rendered, sanitized HTML in the reading column. Code blocks and tables
 * scroll sideways, so they are made keyboard-focusable (and thus scrollable by keyboard).
 */
export function Prose({ html, title }: { html: string; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const fitted = useMemo(() => fitHeadings(html, title), [html, title]);
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    for (const el of root.querySelectorAll<HTMLElement>('pre, table')) {
      if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
    }
    // A `#hash` in the address (a shared link, a reload): scroll to it once the text is there.
    const { hash, href } = window.location;
    if (hash.length > 1 && settledHashOf !== href) {
      const target = anchorTarget(hash, root);
      if (target) {
        settledHashOf = href;
        target.scrollIntoView();
      }
    }
  }, [fitted]);
  useEffect(() => {
    // Back/forward between anchors, or a typed `#name`: find `user-content-name` too.
    const onHash = (): void => {
      const root = ref.current;
      const target = root ? anchorTarget(window.location.hash, root) : null;
      if (target) {
        settledHashOf = window.location.href;
        target.scrollIntoView();
      }
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  /** In-page links (`#name`) whose plain id doesn't exist: go to the `user-content-` one. */
  const onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    const href = anchor?.getAttribute('href');
    const root = ref.current;
    if (!href || !href.startsWith('#') || href.length < 2 || !root) return;
    const target = anchorTarget(href, root);
    if (!target || target.id === href.slice(1)) return; // the browser does this one itself
    event.preventDefault();
    history.pushState(history.state, '', `#${encodeURIComponent(target.id)}`);
    settledHashOf = window.location.href;
    target.scrollIntoView();
  };
  return <div ref={ref} class="prose" onClick={onClick} dangerouslySetInnerHTML={{ __html: fitted }} />;
}
