import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { chatApi, MESSAGE_MAX, THREAD_TITLE_MAX, threadUrl, type Thread } from '../../api/chat';
import type { User } from '../../api/types';
import { Alert } from '../../components/Alert';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { UnreadCount } from '../../components/chat/UnreadCount';
import type { UnreadCounts } from '../../live/chatUnread';
import { navigate, useLocation } from '../../lib/router';
import { noteSignedOut } from '../../state/session';
import { useThreads } from './useThreads';

interface FormError {
  message: string;
  field: string | undefined;
}

function StartThreadForm({ slug, onCancel, onStarted }: { slug: string; onCancel: () => void; onStarted: (t: Thread) => void }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const titleField = useRef<HTMLInputElement>(null);
  const bodyField = useRef<HTMLTextAreaElement>(null);
  useEffect(() => titleField.current?.focus(), []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!title.trim()) {
      setError({ message: 'Give the discussion a title, for example “Should search be fuzzy?”.', field: 'title' });
      titleField.current?.focus();
      return;
    }
    if (!body.trim()) {
      setError({ message: 'Write the first message: what do you want to discuss?', field: 'body' });
      bodyField.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { thread } = await chatApi.startThread(slug, title.trim(), body);
      onStarted(thread);
      navigate(threadUrl(slug, thread.id));
    } catch (err) {
      noteSignedOut(err);
      const field = err instanceof ApiError ? err.field : undefined;
      setError({ message: `Could not start the discussion: ${errorMessage(err)}`, field });
      setBusy(false);
      (field === 'body' ? bodyField : titleField).current?.focus();
    }
  };

  return (
    <form id="thread-form" class="thread-form" onSubmit={submit} noValidate aria-labelledby="thread-form-title">
      <h3 id="thread-form-title" class="thread-form__title">
        Start a discussion
      </h3>
      {error && <Alert>{error.message}</Alert>}
      <div class="field">
        <label for="thread-title">Thread title</label>
        <input
          ref={titleField}
          id="thread-title"
          type="text"
          value={title}
          maxLength={THREAD_TITLE_MAX}
          required
          autoComplete="off"
          aria-invalid={error?.field === 'title'}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="thread-body">First message</label>
        <textarea
          ref={bodyField}
          id="thread-body"
          rows={4}
          value={body}
          maxLength={MESSAGE_MAX}
          required
          aria-describedby="thread-body-hint"
          aria-invalid={error?.field === 'body'}
          onInput={(e) => setBody(e.currentTarget.value)}
        />
        <p class="hint" id="thread-body-hint">
          Markdown works. Everyone can read and reply.
        </p>
      </div>
      <div class="form__actions form__actions--start">
        <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Starting…' : 'Start discussion'}
        </button>
        <button type="button" class="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function messagesLabel(n: number): string {
  return `${n} ${n === 1 ? 'message' : 'messages'}`;
}

interface Props {
  slug: string;
  user: User | null;
  unread: UnreadCounts;
  /** No new discussions (the RFC left the catalog); the existing ones stay listed. */
  closed?: boolean;
}

/** The RFC page's "Discussion": threads (live), and "Start a discussion". */
export function Discussion({ slug, user, unread, closed = false }: Props) {
  const { state, reload, remember } = useThreads(slug);
  const [open, setOpen] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const loc = useLocation();
  const threads = state.status === 'ready' ? state.threads : null;

  const close = (): void => {
    setOpen(false);
    window.setTimeout(() => opener.current?.focus(), 0);
  };

  return (
    <section class="side discussion" aria-labelledby="discussion-heading">
      <h2 id="discussion-heading" class="section-label">
        Discussion{threads ? ` (${threads.length})` : ''}
      </h2>
      {closed ? null : user ? (
        <button
          ref={opener}
          type="button"
          class="button button--small discussion__intro"
          aria-expanded={open}
          aria-controls="thread-form"
          onClick={() => setOpen((o) => !o)}
        >
          Start a discussion
        </button>
      ) : (
        <p class="side__empty muted">
          <a href={`/signin?next=${encodeURIComponent(loc.path)}`}>Sign in</a> to start a discussion.
        </p>
      )}
      {open && user && !closed && <StartThreadForm slug={slug} onCancel={close} onStarted={remember} />}
      {state.status === 'loading' && <SkeletonLines lines={2} widths={['70%', '45%']} />}
      {state.status === 'error' && <Alert onRetry={reload}>Could not load the discussions: {state.message}</Alert>}
      {threads && threads.length === 0 && <p class="side__empty muted">No discussions yet.</p>}
      {threads && threads.length > 0 && (
        <ul class="side-list" role="list">
          {threads.map((t) => (
            <li key={t.id} class="side-item">
              <div class="side-item__line">
                <a class="thread-item__title" href={threadUrl(slug, t.id)}>
                  {t.title}
                </a>
                <UnreadCount count={unread[t.room]} />
              </div>
              <p class="meta">
                <span>by {t.author}</span>
                <span>{messagesLabel(t.messages)}</span>
                <RelTime iso={t.last_message_at} prefix="active" />
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
