/**
 * Chat over HTTP: history pages, unread counts, discussion threads.
 * Shapes mirror `server/domain/views.py` (MessageView, ThreadView) and
 * `server/web/chat.py`. Sending, editing, deleting and read cursors go over the
 * socket (`live/chatSocket.ts`).
 */
import { request } from './client';

/** One chat message (`MessageView.to_json`). Sent, edited and deleted versions share the id. */
export interface ChatMessage {
  id: number;
  room: string;
  rfc_slug: string;
  /** The author's login. */
  author: string;
  author_name: string;
  /** Markdown source; null once deleted. */
  body: string | null;
  /** Sanitized HTML rendered by the server ("" once deleted). */
  html: string;
  /** ISO 8601 */
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  mentions: string[];
}

/** A discussion thread of an RFC (`ThreadView.to_json`). Its chat room is `room` (`thread:<id>`). */
export interface Thread {
  id: number;
  rfc_slug: string;
  title: string;
  author: string;
  created_at: string;
  last_message_at: string;
  messages: number;
  room: string;
}

export interface ChatHistory {
  room: string;
  /** Ascending id. */
  messages: ChatMessage[];
  /** More before the first (a `before` page or the latest page) or after the last (an `after` page). */
  has_more: boolean;
  /** Why nobody can post here any more (closed or deleted branch), or null. */
  read_only: string | null;
  /** The reader's read cursor in this room (0 when signed out or never read). */
  last_seen_id: number;
}

/** The server's limits (server/domain/chat.py). */
export const MESSAGE_MAX = 10_000;
export const THREAD_TITLE_MAX = 200;
export const PAGE_SIZE = 50;
export const PAGE_MAX = 100;

const enc = encodeURIComponent;

export const threadUrl = (slug: string, id: number): string => `/rfcs/${enc(slug)}/threads/${id}`;

function historyPath(room: string, options: { before?: number; after?: number; limit?: number }): string {
  const params = new URLSearchParams({ room });
  if (options.before !== undefined) params.set('before', String(options.before));
  if (options.after !== undefined) params.set('after', String(options.after));
  if (options.limit !== undefined) params.set('limit', String(options.limit));
  return `/api/chat?${params.toString()}`;
}

export const chatApi = {
  /** The latest page (no cursor), an older page (`before`) or what came after an id (`after`). */
  history: (room: string, options: { before?: number; after?: number; limit?: number } = {}) =>
    request<ChatHistory>('GET', historyPath(room, options)),
  /** Unread messages per room of one RFC, for the signed-in reader (`{}` when signed out). */
  unreadForRfc: (slug: string) => request<{ rooms: Record<string, number> }>('GET', `/api/rfcs/${enc(slug)}/unread`),
  /** Unread messages per RFC, for the signed-in reader. */
  unread: () => request<{ rfcs: Record<string, number> }>('GET', '/api/unread'),
  threads: (slug: string) => request<{ threads: Thread[] }>('GET', `/api/rfcs/${enc(slug)}/threads`),
  startThread: (slug: string, title: string, body: string) =>
    request<{ thread: Thread; message: ChatMessage }>('POST', `/api/rfcs/${enc(slug)}/threads`, { title, body }),
  thread: (id: number) => request<{ thread: Thread }>('GET', `/api/threads/${id}`),
};

const time = (iso: string): number => Date.parse(iso) || 0;

/** Newest activity first (the server's order), ties by id. */
export function sortThreads(list: readonly Thread[]): Thread[] {
  return [...list].sort((a, b) => time(b.last_message_at) - time(a.last_message_at) || b.id - a.id);
}

/** Replace or add a thread by id, never going back to an older state. */
export function upsertThread(list: readonly Thread[], thread: Thread): Thread[] {
  const known = list.find((t) => t.id === thread.id);
  if (known && time(thread.last_message_at) < time(known.last_message_at)) return [...list];
  return sortThreads(known ? list.map((t) => (t.id === thread.id ? thread : t)) : [...list, thread]);
}
