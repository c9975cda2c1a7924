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
