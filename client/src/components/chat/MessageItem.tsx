import { memo } from 'preact/compat';
import { useEffect, useRef, useState } from 'preact/hooks';
import { MESSAGE_MAX, type ChatMessage } from '../../api/chat';
import type { AckError } from '../../live/events';
import { exactTime, parseTime } from '../../lib/time';
import { Alert } from '../Alert';
import { RelTime } from '../RelTime';
import { Avatar } from './Avatar';

export interface MessageActions {
  edit: (id: number, body: string) => Promise<AckError | null>;
  remove: (id: number) => Promise<AckError | null>;
  /** Where focus goes when the message's own controls disappear. */
  focusList: () => void;
}

interface Props {
  message: ChatMessage;
  /** Same author as the message above, shortly after: the name and time are not repeated visibly. */
  grouped: boolean;
  canEdit: boolean;
  canDelete: boolean;
  actions: MessageActions;
  observe: (el: HTMLElement | null, id: number) => void;
}

function EditedMark({ at }: { at: string }) {
  const date = parseTime(at);
  return (
    <span class="msg__edited" title={date ? `Edited ${exactTime(date)}` : undefined}>
      (edited)
    </span>
  );
}

function MessageItemInner({ message, grouped, canEdit, canDelete, actions, observe }: Props) {
  const [mode, setMode] = useState<'view' | 'edit' | 'delete'>('view');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const editor = useRef<HTMLTextAreaElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const item = useRef<HTMLLIElement>(null);
  const id = message.id;
  const bodyId = `msg-${id}-body`;

  useEffect(() => {
    observe(item.current, id);
    return () => observe(null, id);
  }, [observe, id]);

  useEffect(() => {
    if (mode === 'edit') {
      const el = editor.current;
      el?.focus();
      el?.setSelectionRange(el.value.length, el.value.length);
    } else if (mode === 'delete') confirm.current?.focus();
  }, [mode]);

  // Deleted (by us or by a moderator) while a control was open: nothing left to do.
  useEffect(() => {
    if (message.deleted && mode !== 'view') {
      setMode('view');
      actions.focusList();
    }
  }, [message.deleted, mode, actions]);

  const back = (to: 'edit' | 'delete'): void => {
    setMode('view');
    setError(null);
    window.setTimeout(() => (to === 'edit' ? editButton.current : deleteButton.current)?.focus(), 0);
  };

  const saveEdit = async (): Promise<void> => {
    if (busy) return;
    const body = text.trim();
    if (!body) {
      setError('A message cannot be empty. To remove it, use “Delete message”.');
      return;
    }
    if (body.length > MESSAGE_MAX) {
      setError(`A message is at most ${MESSAGE_MAX.toLocaleString()} characters; this one has ${body.length.toLocaleString()}.`);
      return;
    }
    if (body === message.body) {
      back('edit');
      return;
    }
    setBusy(true);
    setError(null);
    const refused = await actions.edit(id, body);
    setBusy(false);
    if (refused) setError(`Not saved: ${refused.message}`);
    else back('edit');
  };

  const confirmDelete = async (): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const refused = await actions.remove(id);
    setBusy(false);
    if (refused) setError(`Not deleted: ${refused.message}`);
    else {
      setMode('view');
      actions.focusList();
    }
  };

  const onEditKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      back('edit');
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void saveEdit();
    }
  };

  const name = message.author_name || message.author;
  const showActions = !message.deleted && mode === 'view' && (canEdit || canDelete);

  return (
    <li ref={item} class={`msg${grouped ? ' msg--grouped' : ''}${message.deleted ? ' msg--deleted' : ''}`} data-id={id}>
      {!grouped && <Avatar login={message.author} name={name} />}
      <div class="msg__main">
        <p class={`msg__head${grouped ? ' visually-hidden' : ''}`}>
          <span class="msg__author">{name}</span>
          {message.author_name && message.author_name !== message.author && <span class="msg__login">@{message.author}</span>}
          <RelTime iso={message.created_at} />
          {message.edited_at && !message.deleted && <EditedMark at={message.edited_at} />}
        </p>
        {grouped && message.edited_at && !message.deleted && (
          <span class="msg__edited-inline" aria-hidden="true">
            <EditedMark at={message.edited_at} />
          </span>
        )}
        {message.deleted ? (
          <p class="msg__deleted" id={bodyId}>
            This message was deleted
          </p>
        ) : mode === 'edit' ? (
          <form
            class="msg__edit"
            onSubmit={(e) => {
              e.preventDefault();
              void saveEdit();
            }}
          >
            <label class="visually-hidden" for={`msg-${id}-edit`}>
              Edited message
            </label>
            <textarea
              ref={editor}
              id={`msg-${id}-edit`}
              class="chat-textarea"
              value={text}
              rows={2}
              aria-describedby={`msg-${id}-edit-hint`}
              onInput={(e) => setText(e.currentTarget.value)}
              onKeyDown={onEditKey}
            />
            <p class="hint" id={`msg-${id}-edit-hint`}>
              Enter saves, Escape cancels, Shift+Enter starts a new line.
            </p>
            {error && <Alert>{error}</Alert>}
            <div class="msg__edit-actions">
              <button type="submit" class="button button--small button--primary" disabled={busy} aria-busy={busy}>
                Save edit
              </button>
              <button type="button" class="button button--small" onClick={() => back('edit')} disabled={busy}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <div class="msg__body prose prose--chat" id={bodyId} dangerouslySetInnerHTML={{ __html: message.html }} />
        )}
        {mode === 'delete' && (
          <div class="msg__confirm" role="group" aria-label="Delete this message?">
            <p>Delete this message for everyone?</p>
            {error && <Alert>{error}</Alert>}
            <div class="msg__edit-actions">
              <button
                ref={confirm}
                type="button"
                class="button button--small button--danger"
                onClick={() => void confirmDelete()}
                disabled={busy}
                aria-busy={busy}
              >
                Confirm delete
              </button>
              <button type="button" class="button button--small" onClick={() => back('delete')} disabled={busy}>
                Cancel
              </button>
            </div>
          </div>
        )}
      </div>
      {showActions && (
        <div class="msg__actions">
          {canEdit && (
            <button
              ref={editButton}
              type="button"
              class="msg__action"
              aria-describedby={bodyId}
              onClick={() => {
                setText(message.body ?? '');
                setError(null);
                setMode('edit');
              }}
            >
              Edit<span class="visually-hidden"> message</span>
            </button>
          )}
          {canDelete && (
            <button
              ref={deleteButton}
              type="button"
              class="msg__action msg__action--danger"
              aria-describedby={bodyId}
              onClick={() => {
                setError(null);
                setMode('delete');
              }}
            >
              Delete<span class="visually-hidden"> message</span>
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** One chat message. Re-renders only when its own message or permissions change. */
export const MessageItem = memo(MessageItemInner);
