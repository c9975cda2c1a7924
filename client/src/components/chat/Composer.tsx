import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGE_MAX } from '../../api/chat';
import type { ChatRoom } from '../../live/chatRoom';
import type { AckError } from '../../live/events';
import { Alert } from '../Alert';
import { loadChatDraft, loadPendingSend, newSendKey, saveChatDraft, savePendingSend } from './drafts';

const DRAFT_DELAY_MS = 250;
const COUNT_FROM = MESSAGE_MAX - 1000;

interface Props {
  chat: ChatRoom;
  idPrefix: string;
  /** Why nobody can post here (the notice's id describes the disabled field). */
  readOnly: string | null;
  readOnlyId: string;
  /** The reader sent a message: the list scrolls to it. */
  onSent: () => void;
}

function describe(error: AckError): string {
  if (error.code === 'rate_limited') {
    const wait = Number(error.details?.retry_after);
    return Number.isFinite(wait) && !/\d\s*s\b/.test(error.message)
      ? `Not sent: ${error.message} Wait ${wait} s, then send again.`
      : `Not sent: ${error.message}`;
  }
  return `Not sent: ${error.message}`;
}

/**
 * The message box: Enter sends, Shift+Enter starts a new line. What is typed stays
 * until the server stored it (refused, offline or timed out: it stays, with the
 * reason), and is kept as a draft per room across reloads.
 */
export function Composer({ chat, idPrefix, readOnly, readOnlyId, onSent }: Props) {
  const room = chat.room;
  const [text, setTextState] = useState(() => loadChatDraft(room));
  const textRef = useRef(text);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = useRef<HTMLTextAreaElement>(null);
  const setText = (next: string | ((prev: string) => string)): void => {
    const value = typeof next === 'function' ? next(textRef.current) : next;
    textRef.current = value;
    setTextState(value);
  };

  // The draft, a moment after typing stops, and when the page goes away.
  useEffect(() => {
    const timer = window.setTimeout(() => saveChatDraft(room, text), DRAFT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [room, text]);
  useEffect(() => {
    const onHide = (): void => saveChatDraft(room, textRef.current);
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      saveChatDraft(room, textRef.current);
    };
  }, [room]);

  const submit = async (): Promise<void> => {
    if (busy || readOnly) return;
    const body = textRef.current;
    const trimmed = body.trim();
    if (!trimmed) {
      field.current?.focus();
      return;
    }
    if (trimmed.length > MESSAGE_MAX) {
      setError(`Not sent: a message is at most ${MESSAGE_MAX.toLocaleString()} characters; this one has ${trimmed.length.toLocaleString()}. Shorten it or split it in two.`);
      return;
    }
    setBusy(true);
    const pending = loadPendingSend(room);
    const key = pending && pending.body === body ? pending.key : newSendKey();
    savePendingSend(room, { body, key });
    const refused = await chat.send(body, key);
    setBusy(false);
    if (refused) {
      setError(describe(refused));
      field.current?.focus();
      return;
    }
    setError(null);
    savePendingSend(room, null);
    // Whatever was typed while sending stays.
    setText((current) => (current === body ? '' : current.startsWith(body) ? current.slice(body.length).replace(/^\s+/, '') : current));
    saveChatDraft(room, textRef.current);
    onSent();
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    }
  };

  const fieldId = `${idPrefix}-composer`;
  const hintId = `${idPrefix}-composer-hint`;
  const counterId = `${idPrefix}-composer-count`;
  const length = text.trim().length;
  const describedBy = [readOnly ? readOnlyId : null, hintId, length >= COUNT_FROM ? counterId : null].filter(Boolean).join(' ');

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      {error && (
        <Alert id={`${idPrefix}-composer-error`}>
          {error}
        </Alert>
      )}
      <div class="composer__row">
        <label class="visually-hidden" for={fieldId}>
          Message
        </label>
        <textarea
          ref={field}
          id={fieldId}
          class="chat-textarea composer__field"
          value={text}
          rows={1}
          placeholder={readOnly ? 'This chat is read-only' : 'Write a message…'}
          disabled={!!readOnly}
          aria-describedby={describedBy}
          aria-invalid={length > MESSAGE_MAX}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (e.currentTarget.value.trim()) chat.typing();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="submit" class="button button--primary composer__send" disabled={busy || !!readOnly} aria-busy={busy}>
          Send
        </button>
      </div>
      <p class="composer__hint hint" hidden={!!readOnly}>
        <span id={hintId}>Enter sends · Shift+Enter for a new line · Markdown works</span>
        {length >= COUNT_FROM && (
          <span id={counterId} class={length > MESSAGE_MAX ? 'counter--near' : ''}>
            {length.toLocaleString()} / {MESSAGE_MAX.toLocaleString()} characters
          </span>
        )}
      </p>
    </form>
  );
}
