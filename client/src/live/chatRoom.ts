/**
 * One chat room as the client knows it: its messages (ascending id, one per id),
 * whether older ones exist, why it is read-only, typing people, the read cursor.
 *
 * Nothing lost, duplicated or reordered:
 *  - messages are merged by id (sorted insert), and a newer version of a message
 *    (edited later, or deleted) replaces an older one, never the other way round;
 *  - after every (re)join of the room the controller fetches what came after the
 *    highest id it holds without a gap (`after=<id>`, looping while `has_more`),
 *    then the latest page again (edits and deletions made meanwhile); live
 *    messages that arrive during that fetch — or while a fetch keeps failing — are
 *    buffered and merged only afterwards;
 *  - the history is fetched over HTTP at once, whether or not the socket is up.
 */
import { chatApi, PAGE_MAX, PAGE_SIZE, type ChatMessage } from '../api/chat';
import { errorMessage } from '../api/client';
import { createStore, type Store } from '../lib/store';
import type { AckError } from './events';
import { emitRequest, joinRoom, onLiveEvent } from './socket';

export interface Typist {
  login: string;
  display_name: string;
  /** ms since the epoch after which the indicator goes away */
  until: number;
}

export interface ChatState {
  /** `loading` until the first page is in; `error` if that failed. */
  status: 'loading' | 'ready' | 'error';
  loadError: string | null;
  /** Fetching what was missed while offline failed (retried by itself). */
  syncError: string | null;
  messages: readonly ChatMessage[];
  hasOlder: boolean;
  older: 'idle' | 'loading' | 'error';
  /** Why nobody can post any more (closed or deleted branch), or null. */
  readOnly: string | null;
  /** The reader's cursor when the chat opened (null when signed out). */
  seenAtOpen: number | null;
  /** The reader's cursor now. */
  cursor: number;
  typing: readonly Typist[];
  /** Messages that are new to the reader (live, or fetched after a reconnect), newest batch. */
  arrivals: { seq: number; ids: readonly number[] };
}

export const TYPING_SHOWN_MS = 4000;
const TYPING_SEND_EVERY_MS = 2500;
const SEEN_DEBOUNCE_MS = 500;

type MergeKind = 'initial' | 'older' | 'live' | 'catchup' | 'refresh' | 'own';

/** A later version of a message wins: deleted > edited later > edited > as sent. */
function version(m: ChatMessage): number {
  if (m.deleted) return Number.MAX_SAFE_INTEGER;
  if (m.edited_at) return Date.parse(m.edited_at) || 1;
  return 0;
}

/** Index of `id` in `list` (ascending ids), or where it would go. */
function search(list: readonly ChatMessage[], id: number): { found: boolean; index: number } {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const at = (list[mid] as ChatMessage).id;
    if (at === id) return { found: true, index: mid };
    if (at < id) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, index: lo };
}

/** Merge `incoming` into `list` by id. Returns the new list (same array when nothing changed) and the ids added. */
export function mergeMessages(
  list: readonly ChatMessage[],
  incoming: readonly ChatMessage[],
  options: { keepBelowFirst: boolean },
): { list: readonly ChatMessage[]; added: number[] } {
  let out: ChatMessage[] | null = null;
  const added: number[] = [];
  for (const m of incoming) {
    const current = out ?? list;
    const first = current[0];
    const { found, index } = search(current, m.id);
    if (found) {
      if (version(m) <= version(current[index] as ChatMessage)) continue;
      out ??= [...list];
      out[index] = m;
      continue;
    }
    // Older than everything we hold while more history exists: it belongs to a page not loaded yet.
    if (!options.keepBelowFirst && first && m.id < first.id) continue;
    out ??= [...list];
    out.splice(index, 0, m);
    added.push(m.id);
  }
  return { list: out ?? list, added };
}

export class ChatRoom {
  readonly state: Store<ChatState>;
  private readonly offs: (() => void)[] = [];
  private started = false;
  private disposed = false;
  /** Live messages may be merged directly (the last fetch left no gap). */
  private synced = false;
  private syncing = false;
  private syncAgain = false;
  private buffer: ChatMessage[] = [];
  /** The highest id known to have no gap below it (where the next catch-up starts). */
  private contiguous = 0;
  private retryTimer: number | null = null;
  private retryDelay = 0;
  private typingTimer: number | null = null;
  private lastTypingSent = 0;
  private seenTimer: number | null = null;
  private seenWanted = 0;
  private seenSent = 0;

  constructor(
    readonly room: string,
    private readonly me: string | null,
  ) {
    this.state = createStore<ChatState>({
      status: 'loading',
      loadError: null,
      syncError: null,
      messages: [],
      hasOlder: false,
      older: 'idle',
      readOnly: null,
      seenAtOpen: null,
      cursor: 0,
      typing: [],
      arrivals: { seq: 0, ids: [] },
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.offs.push(
      onLiveEvent('chat.message', ({ message }) => {
        if (message.room === this.room) this.receive(message);
      }),
      onLiveEvent('chat.typing', (p) => {
        if (p.room === this.room && p.login !== this.me) this.someoneTypes(p.login, p.display_name);
      }),
      onLiveEvent('chat.read', (p) => {
        if (p.room === this.room) this.patch((s) => (p.last_seen_id > s.cursor ? { ...s, cursor: p.last_seen_id } : s));
      }),
      joinRoom(this.room, () => {
        // (Re)joined: fetch whatever happened while we were not in the room.
        void this.sync();
      }),
    );
    void this.sync();
  }

  dispose(): void {
    if (this.disposed) return;
    this.flushSeen();
    this.disposed = true;
    this.offs.forEach((off) => off());
    for (const timer of [this.retryTimer, this.typingTimer, this.seenTimer]) if (timer !== null) window.clearTimeout(timer);
  }

  private patch(fn: (s: ChatState) => ChatState): void {
    if (!this.disposed) this.state.set(fn);
  }

  private maxId(): number {
    const list = this.state.get().messages;
    return list.length ? (list[list.length - 1] as ChatMessage).id : 0;
  }

  // ---- merging ---------------------------------------------------------------------

  private merge(incoming: readonly ChatMessage[], kind: MergeKind): void {
    if (incoming.length === 0 || this.disposed) return;
    const s = this.state.get();
    const { list, added } = mergeMessages(s.messages, incoming, {
      keepBelowFirst: kind === 'initial' || kind === 'older' || !s.hasOlder,
    });
    const counts = kind === 'live' || kind === 'catchup' || kind === 'refresh' || kind === 'own';
    if (kind !== 'older' && kind !== 'refresh' && (this.synced || kind === 'initial' || kind === 'catchup')) {
      this.contiguous = Math.max(this.contiguous, ...incoming.map((m) => m.id));
    }
    const authors = new Set(incoming.map((m) => m.author));
    this.patch((st) => ({
      ...st,
      messages: list,
      typing: kind === 'live' ? st.typing.filter((t) => !authors.has(t.login)) : st.typing,
      arrivals: counts && added.length ? { seq: st.arrivals.seq + 1, ids: added } : st.arrivals,
    }));
  }

  private receive(message: ChatMessage): void {
    if (this.syncing || !this.synced) this.buffer.push(message);
    else this.merge([message], 'live');
  }

  // ---- fetching --------------------------------------------------------------------

  /** Load the latest page (first time) or catch up; coalesces overlapping calls. */
  async sync(): Promise<void> {
    if (this.disposed) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    // Until this fetch is done there may be a gap (we were out of the room): nothing
    // merged meanwhile moves the point the next catch-up starts from.
    this.synced = false;
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    try {
      do {
        this.syncAgain = false;
        if (this.state.get().status !== 'ready') await this.loadLatest();
        else await this.catchUp();
      } while (this.syncAgain && !this.disposed);
      this.synced = true;
      this.retryDelay = 0;
      this.patch((s) => (s.syncError ? { ...s, syncError: null } : s));
    } catch (error) {
      this.synced = false;
      const message = errorMessage(error);
      this.patch((s) =>
        s.status === 'ready'
          ? { ...s, syncError: `Could not fetch the messages you missed: ${message} Trying again…` }
          : { ...s, status: 'error', loadError: message },
      );
      if (this.state.get().status === 'ready') {
        this.retryDelay = Math.min(this.retryDelay * 2 || 2000, 30_000);
        this.retryTimer = window.setTimeout(() => void this.sync(), this.retryDelay);
      }
    } finally {
      this.syncing = false;
    }
    if (this.synced && this.buffer.length) {
      const buffered = this.buffer;
      this.buffer = [];
      this.merge(buffered, 'live');
    }
  }

  /** Try the first load again (after it failed). */
  retry(): void {
    this.patch((s) => (s.status === 'error' ? { ...s, status: 'loading', loadError: null } : s));
    void this.sync();
  }

  private async loadLatest(): Promise<void> {
    const page = await chatApi.history(this.room, { limit: PAGE_SIZE });
    if (this.disposed) return;
    this.patch((s) => ({
      ...s,
      status: 'ready',
      loadError: null,
      hasOlder: page.has_more,
      readOnly: page.read_only,
      seenAtOpen: this.me ? page.last_seen_id : null,
      cursor: Math.max(s.cursor, page.last_seen_id),
    }));
    this.merge(page.messages, 'initial');
  }

  private async catchUp(): Promise<void> {
    let after = this.contiguous || this.maxId();
    for (;;) {
      const page = await chatApi.history(this.room, { after, limit: PAGE_MAX });
      if (this.disposed) return;
      this.merge(page.messages, 'catchup');
      this.patch((s) => (s.readOnly === page.read_only ? s : { ...s, readOnly: page.read_only }));
      const last = page.messages[page.messages.length - 1];
      if (!page.has_more || !last) break;
      after = last.id;
    }
    // Edits and deletions of recent messages made while we were away.
    const latest = await chatApi.history(this.room, { limit: PAGE_SIZE });
    if (this.disposed) return;
    this.merge(latest.messages, 'refresh');
    this.patch((s) => (s.readOnly === latest.read_only ? s : { ...s, readOnly: latest.read_only }));
  }

  async loadOlder(): Promise<void> {
    const s = this.state.get();
    const first = s.messages[0];
    if (!s.hasOlder || s.older === 'loading' || !first) return;
    this.patch((st) => ({ ...st, older: 'loading' }));
    try {
      const page = await chatApi.history(this.room, { before: first.id, limit: PAGE_SIZE });
      this.merge(page.messages, 'older');
      this.patch((st) => ({ ...st, older: 'idle', hasOlder: page.has_more }));
    } catch {
      this.patch((st) => ({ ...st, older: 'error' }));
    }
  }

  // ---- actions -----------------------------------------------------------------------

  private afterOwn(answer: { ok: true; message: ChatMessage }): void {
    this.merge([answer.message], 'own');
  }

  private refused(error: AckError): AckError {
    if (error.code === 'chat_closed') this.patch((s) => ({ ...s, readOnly: error.message }));
    return error;
  }

  /**
   * Send a message; resolves with the refusal, or null once it is stored. Sending
   * again with the same `key` after a timeout can never store it twice.
   */
  async send(body: string, key: string): Promise<AckError | null> {
    const answer = await emitRequest('chat.send', { room: this.room, body, client_key: key });
    if (!answer.ok) return this.refused(answer.error);
    this.lastTypingSent = 0; // the next message's typing shows at once
    this.afterOwn(answer);
    this.patch((s) => (answer.message.id > s.cursor ? { ...s, cursor: answer.message.id } : s));
    return null;
  }

  async edit(id: number, body: string): Promise<AckError | null> {
    const answer = await emitRequest('chat.edit', { id, body });
    if (!answer.ok) return this.refused(answer.error);
    this.afterOwn(answer);
    return null;
  }

  async remove(id: number): Promise<AckError | null> {
    const answer = await emitRequest('chat.delete', { id });
    if (!answer.ok) return this.refused(answer.error);
    this.afterOwn(answer);
    return null;
  }

  // ---- typing --------------------------------------------------------------------------

  /** The reader is typing: tell the room (at most every few seconds). */
  typing(): void {
    const now = Date.now();
    if (!this.me || this.state.get().readOnly || now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    this.lastTypingSent = now;
    void emitRequest('chat.typing', { room: this.room });
  }

  private someoneTypes(login: string, displayName: string): void {
    const until = Date.now() + TYPING_SHOWN_MS;
    this.patch((s) => ({
      ...s,
      typing: [...s.typing.filter((t) => t.login !== login), { login, display_name: displayName, until }],
    }));
    this.scheduleTypingPrune();
  }

  private scheduleTypingPrune(): void {
    if (this.typingTimer !== null) window.clearTimeout(this.typingTimer);
    const typing = this.state.get().typing;
    if (typing.length === 0) {
      this.typingTimer = null;
      return;
    }
    const next = Math.min(...typing.map((t) => t.until));
    this.typingTimer = window.setTimeout(() => {
      const now = Date.now();
      this.patch((s) => ({ ...s, typing: s.typing.filter((t) => t.until > now) }));
      this.scheduleTypingPrune();
    }, Math.max(50, next - Date.now()));
  }

  // ---- read cursor ----------------------------------------------------------------------

  /** The reader can see message `id` (the highest visible one): move the cursor there soon. */
  seen(id: number): void {
    if (!this.me || id <= Math.max(this.seenSent, this.state.get().cursor)) return;
    this.seenWanted = Math.max(this.seenWanted, id);
    if (this.seenTimer !== null) window.clearTimeout(this.seenTimer);
    this.seenTimer = window.setTimeout(() => this.flushSeen(), SEEN_DEBOUNCE_MS);
  }

  private flushSeen(): void {
    if (this.seenTimer !== null) window.clearTimeout(this.seenTimer);
    this.seenTimer = null;
    const id = this.seenWanted;
    if (this.disposed || !this.me || document.visibilityState !== 'visible') return;
    if (id <= Math.max(this.seenSent, this.state.get().cursor)) return;
    const before = this.seenSent;
    this.seenSent = id;
    void emitRequest('chat.seen', { room: this.room, last_id: id }).then((answer) => {
      if (answer.ok) this.patch((s) => (answer.last_seen_id > s.cursor ? { ...s, cursor: answer.last_seen_id } : s));
      else if (this.seenSent === id) this.seenSent = before; // let a later look try again
    });
  }
}
