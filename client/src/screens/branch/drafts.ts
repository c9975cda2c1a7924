/**
 * Unsaved text of a branch, kept in localStorage so it survives a reload, a crash
 * or a dropped connection. Keyed by RFC slug + branch + the head the text was
 * based on; the base text is stored with it, so a draft based on an older head can
 * still be saved (the server then answers with its conflict, which the page shows).
 */

export interface Draft {
  slug: string;
  branch: string;
  /** The branch head the text was based on. */
  base: string;
  /** The text at `base` (what "unchanged" means for this draft). */
  baseMarkdown: string;
  markdown: string;
  /** ms since the epoch */
  savedAt: number;
}

const PREFIX = 'rfc-app:draft:';

const keyOf = (slug: string, branch: string, base: string): string => PREFIX + JSON.stringify([slug, branch, base]);

function parseKey(key: string): [string, string, string] | null {
  if (!key.startsWith(PREFIX)) return null;
  try {
    const parts: unknown = JSON.parse(key.slice(PREFIX.length));
    if (Array.isArray(parts) && parts.length === 3 && parts.every((p) => typeof p === 'string')) {
      return parts as [string, string, string];
    }
  } catch {
    /* not ours */
  }
  return null;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // disabled (privacy settings): drafts are just not kept
  }
}

function keysFor(slug: string, branch: string): string[] {
  const store = storage();
  if (!store) return [];
  const keys: string[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    const parts = key ? parseKey(key) : null;
    if (key && parts && parts[0] === slug && parts[1] === branch) keys.push(key);
  }
  return keys;
}

export function saveDraft(draft: Omit<Draft, 'savedAt'>): boolean {
  const store = storage();
  if (!store) return false;
  try {
    // One draft per branch: a newer base replaces drafts of older ones.
    for (const key of keysFor(draft.slug, draft.branch)) store.removeItem(key);
    store.setItem(keyOf(draft.slug, draft.branch, draft.base), JSON.stringify({ ...draft, savedAt: Date.now() }));
    return true;
  } catch {
    return false; // quota exceeded
  }
}

/** The latest draft of a branch: preferably the one based on `head`, else the newest one. */
export function loadDraft(slug: string, branch: string, head: string): Draft | null {
  const store = storage();
  if (!store) return null;
  const drafts: Draft[] = [];
  for (const key of keysFor(slug, branch)) {
    try {
      const value = JSON.parse(store.getItem(key) ?? 'null') as Draft | null;
      if (value && typeof value.markdown === 'string' && typeof value.base === 'string' && typeof value.baseMarkdown === 'string') {
        drafts.push(value);
      }
    } catch {
      /* unreadable: ignore */
    }
  }
  return drafts.find((d) => d.base === head) ?? drafts.sort((a, b) => b.savedAt - a.savedAt)[0] ?? null;
}

export function clearDrafts(slug: string, branch: string): void {
  const store = storage();
  if (!store) return;
  for (const key of keysFor(slug, branch)) store.removeItem(key);
}
