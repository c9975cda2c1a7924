import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client';

export type Resource<T> =
  | { status: 'loading' }
  | { status: 'ready'; data: T; refreshing: boolean }
  | { status: 'error'; error: ApiError | Error };

export interface ResourceHandle<T> {
  state: Resource<T>;
  /** Fetch again. `silent` keeps showing the current data meanwhile (background refresh). */
  reload: (options?: { silent?: boolean }) => Promise<T | null>;
  /** Replace the data locally (e.g. with a server response to an action). */
  update: (fn: (data: T) => T) => void;
}

/**
 * Load something for a screen; refetches when `key` changes and ignores answers
 * to requests that were superseded.
 */
export function useResource<T>(key: string, fetcher: () => Promise<T>): ResourceHandle<T> {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const generation = useRef(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const reload = useCallback(async (options: { silent?: boolean } = {}): Promise<T | null> => {
    const mine = ++generation.current;
    setState((s) =>
      options.silent && s.status === 'ready' ? { ...s, refreshing: true } : { status: 'loading' },
    );
    try {
      const data = await fetcherRef.current();
      if (mine !== generation.current) return null;
      setState({ status: 'ready', data, refreshing: false });
      return data;
    } catch (error) {
      if (mine !== generation.current) return null;
      const err = error instanceof Error ? error : new Error(String(error));
      // A failed background refresh keeps the data on screen.
      setState((s) => (options.silent && s.status === 'ready' ? { ...s, refreshing: false } : { status: 'error', error: err }));
      return null;
    }
  }, []);

  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [key, reload]);

  const update = useCallback((fn: (data: T) => T) => {
    setState((s) => (s.status === 'ready' ? { ...s, data: fn(s.data) } : s));
  }, []);

  return { state, reload, update };
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
