/**
 * What someone typed in a chat composer and has not sent, per room, in
 * localStorage: it survives a dropped connection, leaving the page and a reload.
 */

const PREFIX = 'rfc-app:chat-draft:';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // disabled (privacy settings): drafts are just not kept
  }
}

export function loadChatDraft(room: string): string {
  try {
    const raw = storage()?.getItem(PREFIX + room);
    const value = raw ? (JSON.parse(raw) as { text?: unknown }) : null;
    return typeof value?.text === 'string' ? value.text : '';
  } catch {
    return '';
  }
}

export function saveChatDraft(room: string, text: string): void {
  const store = storage();
  if (!store) return;
  try {
    if (text.trim()) store.setItem(PREFIX + room, JSON.stringify({ text, savedAt: Date.now() }));
    else store.removeItem(PREFIX + room);
  } catch {
    /* quota exceeded: not kept */
  }
}

/**
 * A message whose send was attempted but not confirmed (timed out, offline, refused),
 * with the key it was sent under. Sending the same text again reuses the key, so a
 * message that did arrive before its answer was lost is not stored twice, even
 * after a reload.
 */
export interface PendingSend {
  body: string;
  key: string;
}

const PENDING_PREFIX = 'rfc-app:chat-pending:';

export function newSendKey(): string {
  // getRandomValues works on plain-http addresses too, unlike randomUUID.
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function loadPendingSend(room: string): PendingSend | null {
  try {
    const raw = storage()?.getItem(PENDING_PREFIX + room);
    const value = raw ? (JSON.parse(raw) as Partial<PendingSend>) : null;
    return typeof value?.body === 'string' && typeof value.key === 'string' ? { body: value.body, key: value.key } : null;
  } catch {
    return null;
  }
}

export function savePendingSend(room: string, pending: PendingSend | null): void {
  const store = storage();
  if (!store) return;
  try {
    if (pending) store.setItem(PENDING_PREFIX + room, JSON.stringify(pending));
    else store.removeItem(PENDING_PREFIX + room);
  } catch {
    /* quota exceeded: a resend after a reload may then store the message twice */
  }
}
