import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { chatApi, sortThreads, upsertThread, type Thread } from '../../api/chat';
import { errorMessage } from '../../api/client';
import { rfcRoom } from '../../live/events';
import { onLiveEvent } from '../../live/socket';
import { useRoom } from '../../lib/useRoom';

export type ThreadsState =
  | { status: 'loading' }
  | { status: 'ready'; threads: readonly Thread[] }
  | { status: 'error'; message: string };

/**
 * The discussion threads of an RFC, live: `thread.updated` is upserted by id (also
 * when it arrives while a list is being fetched: it is replayed on top of it), and
 * every re-join of the RFC's room fetches the list again.
 */
export function useThreads(slug: string): { state: ThreadsState; reload: () => void; remember: (t: Thread) => void } {
  const [state, setState] = useState<ThreadsState>({ status: 'loading' });
  const fetching = useRef(0);
  const replay = useRef<Thread[]>([]);
  const generation = useRef(0);

  const apply = useCallback((thread: Thread): void => {
    if (fetching.current > 0) replay.current.push(thread);
    setState((s) => (s.status === 'ready' ? { ...s, threads: upsertThread(s.threads, thread) } : s));
  }, []);

  const load = useCallback(async (): Promise<void> => {
    const mine = ++generation.current;
    fetching.current += 1;
    try {
      const { threads } = await chatApi.threads(slug);
      if (mine !== generation.current) return;
      const merged = replay.current.reduce<Thread[]>((list, t) => upsertThread(list, t), sortThreads(threads));
      setState({ status: 'ready', threads: merged });
    } catch (error) {
      if (mine !== generation.current) return;
      // A failed refresh keeps the list on screen.
      setState((s) => (s.status === 'ready' ? s : { status: 'error', message: errorMessage(error) }));
    } finally {
      fetching.current -= 1;
      if (fetching.current === 0) replay.current = [];
    }
  }, [slug]);

  useEffect(() => {
    setState({ status: 'loading' });
    void load();
    const off = onLiveEvent('thread.updated', ({ thread }) => {
      if (thread.rfc_slug === slug) apply(thread);
    });
    return () => {
      generation.current++;
      off();
    };
  }, [slug, load, apply]);

  useRoom(rfcRoom(slug), (first) => {
    if (!first) void load();
  });

  return { state, reload: () => void load(), remember: apply };
}
