import { useEffect, useState } from 'preact/hooks';

/** A tiny observable value: enough for the app's shared state without a library. */
export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(listener: (value: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<(value: T) => void>();
  return {
    get: () => value,
    set(next) {
      const resolved = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      if (Object.is(resolved, value)) return;
      value = resolved;
      for (const listener of [...listeners]) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Re-render the calling component whenever the store changes. */
export function useStore<T>(store: Store<T>): T {
  const [, force] = useState(0);
  useEffect(() => {
    // The value may have changed between render and subscription.
    let seen = store.get();
    const check = (value: T): void => {
      if (!Object.is(value, seen)) {
        seen = value;
        force((n) => n + 1);
      }
    };
    check(store.get());
    return store.subscribe(check);
  }, [store]);
  return store.get();
}
