import { useLayoutEffect, useMemo, useRef } from 'preact/hooks';

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
  }, [fitted]);
  return <div ref={ref} class="prose" dangerouslySetInnerHTML={{ __html: fitted }} />;
}
