/**
 * A live chat room: history (older pages on demand, keeping the reader's place),
 * live messages (upserted by id), edit and delete of one's own messages, typing,
 * presence, read cursors, an unread divider, and a composer whose text survives
 * refusals, a dropped connection and a reload. Used by the branch page (branch
 * chat) and the thread page (discussion threads). Code-split: see LazyChat.
 */
import { Fragment } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { isStaff } from '../../api/admin';
import type { ChatMessage } from '../../api/chat';
import { usePresence } from '../../live/chatPresence';
import type { Typist } from '../../live/chatRoom';
import { useStore } from '../../lib/store';
import { useLocation } from '../../lib/router';
import { session } from '../../state/session';
import { Alert } from '../Alert';
import { SkeletonLines } from '../Skeleton';
import { Composer } from './Composer';
import { MessageItem, type MessageActions } from './MessageItem';
import { PresenceList } from './PresenceList';
import { useChatRoom } from './useChatRoom';
import '../../styles/chat.css';

export interface ChatPanelProps {
  room: string;
  /** The panel's heading, e.g. "Chat". */
  title: string;
  /** Names the scrolling message list, e.g. "Chat messages". */
  listLabel: string;
  /** Names the presence list, e.g. "On this branch now". */
  presenceLabel: string;
  /** Shown when the room has no messages yet. */
  emptyText: string;
  /** False while another tab covers the panel: nothing is marked read meanwhile. */
  active?: boolean;
  /** The reader's unread count in this room (messages of others after their cursor). */
  onUnread?: (count: number) => void;
}

const GROUP_WITHIN_MS = 5 * 60 * 1000;
const BOTTOM_SLACK_PX = 48;
const TOP_LOAD_PX = 64;
const ANNOUNCE_CHARS = 160;

function plainText(html: string): string {
  const template = document.createElement('template');
  template.innerHTML = html; // inert
  return (template.content.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function clip(text: string): string {
  return text.length > ANNOUNCE_CHARS ? `${text.slice(0, ANNOUNCE_CHARS - 1)}…` : text;
}

function typingText(typing: readonly Typist[]): string {
  const names = typing.map((t) => t.display_name || t.login);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

function isGrouped(prev: ChatMessage | undefined, m: ChatMessage): boolean {
  if (!prev || prev.author !== m.author || prev.deleted || m.deleted) return false;
  return Date.parse(m.created_at) - Date.parse(prev.created_at) < GROUP_WITHIN_MS;
}

let panels = 0;

export function ChatPanel({ room, title, listLabel, presenceLabel, emptyText, active = true, onUnread }: ChatPanelProps) {
  const [idPrefix] = useState(() => `chat${++panels}`);
  const user = useStore(session).user;
  const me = user?.login ?? null;
  const staff = isStaff(user);
  const loc = useLocation();
  const { chat, state } = useChatRoom(room, me);
  const people = usePresence(room);
  const { messages, status } = state;

  // ---- the unread divider: fixed when the chat opens -----------------------------------
  const firstUnreadRef = useRef<number | null | undefined>(undefined);
  if (firstUnreadRef.current === undefined && status === 'ready') {
    const seen = state.seenAtOpen;
    const first = seen === null ? undefined : messages.find((m) => m.id > seen && m.author !== me && !m.deleted);
    firstUnreadRef.current = first ? first.id : null;
  }
  const firstUnread = firstUnreadRef.current;

  const unread = useMemo(
    () => (me ? messages.filter((m) => m.id > state.cursor && m.author !== me && !m.deleted).length : 0),
    [messages, state.cursor, me],
  );
  const onUnreadRef = useRef(onUnread);
  onUnreadRef.current = onUnread;
  useEffect(() => onUnreadRef.current?.(unread), [unread]);

  // ---- scrolling: stick to the bottom only if the reader is there ------------------------
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const fromBottom = useRef(0);
  const placed = useRef(false);
  const sentByMe = useRef(false);
  const known = useRef<{ first: number | null; last: number | null }>({ first: null, last: null });
  const [newBelow, setNewBelow] = useState(0);
  const lastTop = useRef(0);

  const measure = (): void => {
    const el = scroller.current;
    if (!el) return;
    fromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = fromBottom.current <= BOTTOM_SLACK_PX;
    if (atBottom.current) setNewBelow(0);
  };
  const toBottom = useCallback((): void => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    fromBottom.current = 0;
    atBottom.current = true;
    setNewBelow(0);
  }, []);

  const onScroll = (): void => {
    measure();
    const el = scroller.current;
    if (!el) return;
    // Scrolling up near the top (the reader, not our own placement) loads older messages.
    const upwards = el.scrollTop < lastTop.current;
    lastTop.current = el.scrollTop;
    if (upwards && el.scrollTop < TOP_LOAD_PX && state.hasOlder && state.older === 'idle' && placed.current) void chat.loadOlder();
  };

  /** On open: at the first unread message if there is one, else at the latest. */
  const place = (el: HTMLElement): void => {
    placed.current = true;
    const divider = firstUnread !== null ? el.querySelector<HTMLElement>('.chat__divider') : null;
    if (divider) el.scrollTop = Math.max(0, divider.offsetTop - 8);
    else el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
    measure();
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || status !== 'ready') return;
    const first = messages[0]?.id ?? null;
    const last = messages[messages.length - 1]?.id ?? null;
    const before = known.current;
    known.current = { first, last };
    if (!placed.current) {
      // Hidden behind another tab: placed when it is shown.
      if (el.clientHeight > 0) place(el);
      return;
    }
    const appended = last !== null && (before.last === null || last > before.last);
    const prepended = first !== null && before.first !== null && first < before.first;
    if (appended && (atBottom.current || sentByMe.current)) {
      toBottom();
    } else if (prepended || !appended) {
      // Older messages above, or a message changed in place: keep what the reader looks at.
      if (atBottom.current) toBottom();
      else el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current;
    }
    sentByMe.current = false;
  }, [messages, status, toBottom]);

  // Shown again (a tab): display:none lost the scroll position; put the reader back.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!active || !el || status !== 'ready' || el.clientHeight === 0) return;
    if (!placed.current) place(el);
    else el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active]);

  // Messages of others that arrived below while the reader was scrolled up.
  useEffect(() => {
    const { ids } = state.arrivals;
    if (ids.length === 0 || atBottom.current) return;
    const fresh = ids.filter((id) => messages.find((m) => m.id === id && m.author !== me));
    if (fresh.length) setNewBelow((n) => n + fresh.length);
    // Only when a batch arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.arrivals.seq]);

  // Taller content (an edit, a late image) while at the bottom: stay there.
  useEffect(() => {
    const el = list.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(() => {
      if (atBottom.current && placed.current) toBottom();
    });
    observer.observe(el);
    const box = scroller.current;
    if (box) observer.observe(box);
    return () => observer.disconnect();
  }, [status, toBottom]);

  // ---- announcements: new messages of others, politely ------------------------------------
  const [announced, setAnnounced] = useState<readonly { key: number; text: string }[]>([]);
  useEffect(() => {
    const { ids } = state.arrivals;
    if (ids.length === 0) return;
    const fresh = ids
      .map((id) => messages.find((m) => m.id === id))
      .filter((m): m is ChatMessage => !!m && m.author !== me && !m.deleted);
    const latest = fresh[fresh.length - 1];
    if (!latest) return;
    const who = latest.author_name || latest.author;
    const text = clip(plainText(latest.html));
    const said = fresh.length === 1 ? `${who}: ${text}` : `${fresh.length} new messages. Latest from ${who}: ${text}`;
    // A log: each batch is a new entry (the last few are kept), so each is announced once.
    setAnnounced((prev) => [...prev.slice(-4), { key: state.arrivals.seq, text: said }]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.arrivals.seq]);

  // ---- read cursor: the highest message actually visible, while the tab is visible ---------
  const visible = useRef(new Set<number>());
  const activeRef = useRef(active);
  activeRef.current = active;
  const report = useCallback((): void => {
    if (!activeRef.current || document.visibilityState !== 'visible' || visible.current.size === 0) return;
    chat.seen(Math.max(...visible.current));
  }, [chat]);
  const observer = useRef<IntersectionObserver | null>(null);
  const elements = useRef(new Map<number, HTMLElement>());
  useEffect(() => {
    const root = scroller.current;
    if (!root || typeof IntersectionObserver === 'undefined') return undefined;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = Number((entry.target as HTMLElement).dataset.id);
          const rootHeight = entry.rootBounds?.height ?? 0;
          const shown = entry.isIntersecting && (entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= rootHeight * 0.5);
          if (shown) visible.current.add(id);
          else visible.current.delete(id);
        }
        report();
      },
      { root, threshold: [0, 0.5, 1] },
    );
    observer.current = io;
    for (const el of elements.current.values()) io.observe(el);
    return () => {
      io.disconnect();
      observer.current = null;
      visible.current.clear();
    };
  }, [status, report]);
  const observe = useCallback((el: HTMLElement | null, id: number): void => {
    const old = elements.current.get(id);
    if (old && old !== el) {
      observer.current?.unobserve(old);
      elements.current.delete(id);
      visible.current.delete(id);
    }
    if (el) {
      elements.current.set(id, el);
      observer.current?.observe(el);
    }
  }, []);
  useEffect(() => {
    const onVisibility = (): void => report();
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [report]);
  useEffect(() => {
    if (active) report();
  }, [active, report]);

  // ---- actions -----------------------------------------------------------------------------
  const actions = useMemo<MessageActions>(
    () => ({
      edit: (id, body) => chat.edit(id, body),
      remove: (id) => chat.remove(id),
      focusList: () => scroller.current?.focus(),
    }),
    [chat],
  );
  const onSent = useCallback((): void => {
    sentByMe.current = true;
    toBottom();
  }, [toBottom]);

  const readOnlyId = `${idPrefix}-readonly`;
  const headingId = `${idPrefix}-heading`;
  const signInHref = `/signin?next=${encodeURIComponent(loc.path + loc.search)}`;

  let body;
  if (status === 'loading') {
    body = (
      <div class="chat__loading" aria-busy="true">
        <p class="visually-hidden">Loading messages…</p>
        <SkeletonLines lines={4} widths={['60%', '85%', '40%', '70%']} />
      </div>
    );
  } else if (status === 'error') {
    body = (
      <Alert onRetry={() => chat.retry()}>
        Could not load the messages: {state.loadError ?? 'unknown error'}
      </Alert>
    );
  } else {
    body = (
      <>
        <div class="chat__older">
          {state.hasOlder ? (
            <button
              type="button"
              class="button button--small"
              onClick={() => void chat.loadOlder()}
              disabled={state.older === 'loading'}
              aria-busy={state.older === 'loading'}
            >
              {state.older === 'loading' ? 'Loading older messages…' : 'Load older messages'}
            </button>
          ) : messages.length > 0 ? (
            <p class="muted">This is the beginning of the conversation.</p>
          ) : null}
          {state.older === 'error' && <p class="chat__older-error">Could not load older messages. Try again.</p>}
        </div>
        {messages.length === 0 ? (
          <p class="chat__empty muted">{emptyText}</p>
        ) : null}
        <ol ref={list} class="chat__list" role="list">
          {messages.map((m, i) => {
            const divider = m.id === firstUnread;
            const mine = me !== null && m.author === me;
            return (
              <Fragment key={m.id}>
                {divider && (
                  <li class="chat__divider">
                    <span>
                      Unread<span class="visually-hidden"> messages start here</span>
                    </span>
                  </li>
                )}
                <MessageItem
                  message={m}
                  grouped={!divider && isGrouped(messages[i - 1], m)}
                  canEdit={mine && !state.readOnly}
                  canDelete={(mine || staff) && !state.readOnly}
                  actions={actions}
                  observe={observe}
                />
              </Fragment>
            );
          })}
        </ol>
      </>
    );
  }

  return (
    <section class="chat" aria-labelledby={headingId}>
      <header class="chat__head">
        <h2 id={headingId} class="chat__title">
          {title}
        </h2>
        <PresenceList people={people} me={me} label={presenceLabel} compact emptyText="Nobody signed in is here." />
      </header>
      {state.readOnly && (
        <p class="chat__readonly" id={readOnlyId}>
          <strong>Read only.</strong> {state.readOnly}
        </p>
      )}
      {state.syncError && <Alert tone="warning">{state.syncError}</Alert>}
      <div class="chat__viewport">
        <div
          ref={scroller}
          class="chat__scroll"
          tabIndex={0}
          role="region"
          aria-label={listLabel}
          aria-busy={status === 'loading'}
          onScroll={onScroll}
        >
          {body}
        </div>
        {newBelow > 0 && (
          <button
            type="button"
            class="chat__jump button button--small button--primary"
            onClick={() => {
              toBottom();
              scroller.current?.focus({ preventScroll: true });
            }}
          >
            New messages ({newBelow})<span aria-hidden="true"> ↓</span>
          </button>
        )}
      </div>
      <p class="chat__typing" aria-hidden={state.typing.length === 0}>
        {typingText(state.typing)}
      </p>
      <div class="visually-hidden" role="log" aria-live="polite" aria-label="New messages from others">
        {announced.map((a) => (
          <p key={a.key}>{a.text}</p>
        ))}
      </div>
      {me ? (
        <Composer chat={chat} idPrefix={idPrefix} readOnly={state.readOnly} readOnlyId={readOnlyId} onSent={onSent} />
      ) : (
        <p class="chat__signin">
          <a href={signInHref}>Sign in</a> to write in this chat.
        </p>
      )}
    </section>
  );
}
