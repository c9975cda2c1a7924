import { useEffect } from 'preact/hooks';
import { chatApi, threadUrl, upsertThread, type Thread } from '../../api/chat';
import { rfcUrl } from '../../api/editing';
import { Alert } from '../../components/Alert';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { LazyChat } from '../../components/chat/LazyChat';
import { rfcRoom, threadRoom } from '../../live/events';
import { onLiveEvent } from '../../live/socket';
import { navigate } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { isNotFound, useResource } from '../../lib/useResource';
import { useRoom } from '../../lib/useRoom';
import { catalog, syncCatalog } from '../../state/catalog';
import { NotFoundScreen } from '../NotFound';
import '../../styles/chat-shared.css';

export function parseThreadId(raw: string): number | null {
  return /^\d{1,15}$/.test(raw) ? Number(raw) : null;
}

/** /rfcs/<slug>/threads/<id>: one discussion thread of an RFC, with the same chat as a branch. */
export function ThreadScreen({ slug, id }: { slug: string; id: number }) {
  const { state, update, reload } = useResource<{ thread: Thread }>(`thread:${id}`, () => chatApi.thread(id));
  const thread = state.status === 'ready' ? state.data.thread : null;
  const rfcTitle = useStore(catalog).rfcs.get(thread?.rfc_slug ?? slug)?.title ?? null;
  useDocumentTitle(thread ? `${thread.title} · ${rfcTitle ?? slug}` : 'Discussion');
  useEffect(() => {
    if (catalog.get().status === 'idle') void syncCatalog(); // for the RFC's title
  }, []);

  // Whoever is in a thread is on its RFC too; its room also carries `thread.updated`.
  useRoom(rfcRoom(thread?.rfc_slug ?? slug), (first) => {
    if (!first) void reload({ silent: true });
  });
  useEffect(
    () =>
      onLiveEvent('thread.updated', ({ thread: t }) => {
        if (t.id === id) update((d) => ({ thread: upsertThread([d.thread], t)[0] ?? d.thread }));
      }),
    [id, update],
  );

  // A link with the wrong RFC in it: go to the thread's own address.
  useEffect(() => {
    if (thread && thread.rfc_slug !== slug) navigate(threadUrl(thread.rfc_slug, thread.id), { replace: true });
  }, [thread, slug]);

  if (state.status === 'error' && isNotFound(state.error)) {
    return <NotFoundScreen title="Discussion not found" detail={`There is no discussion #${id}. It may never have existed, or the link is mistyped.`} />;
  }

  const owner = thread?.rfc_slug ?? slug;
  return (
    <article class="thread-page">
      <header class="doc-head">
        <p class="eyebrow">Discussion</p>
        <h1 tabIndex={-1} class={thread ? undefined : 'is-loading'}>
          {thread ? thread.title : 'Loading the discussion…'}
        </h1>
        {thread ? (
          <p class="meta">
            <span>
              On <a href={rfcUrl(owner)}>{rfcTitle ?? owner}</a>
            </span>
            <span>
              Started by {thread.author} <RelTime iso={thread.created_at} />
            </span>
            <span>
              {thread.messages} {thread.messages === 1 ? 'message' : 'messages'}, last <RelTime iso={thread.last_message_at} />
            </span>
          </p>
        ) : state.status === 'loading' ? (
          <SkeletonLines lines={1} widths={['60%']} />
        ) : null}
      </header>
      {state.status === 'error' && <Alert onRetry={() => void reload()}>Could not load this discussion: {state.error.message}</Alert>}
      {state.status !== 'error' && (
        <div class="thread-page__chat">
          {thread ? (
            <LazyChat
              room={threadRoom(thread.id)}
              title="Messages"
              listLabel="Discussion messages"
              presenceLabel="In this discussion now"
              emptyText="No messages yet."
            />
          ) : (
            <div class="chat chat--placeholder" aria-hidden="true" />
          )}
        </div>
      )}
    </article>
  );
}
