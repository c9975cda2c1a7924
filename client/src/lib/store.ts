import { useEffect, useRef, useState } from 'preact/hooks';

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
  const value = store.get();
  const [, force] = useState(0);
  // What this component last rendered with. Effects run after rendering, so the store
  // can change in between (an answer arriving at once): compare against what was
  // rendered, not against the value when the subscription starts, or that change is
  // never shown.
  const rendered = useRef(value);
  rendered.current = value;
  useEffect(() => {
    const check = (next: T): void => {
      if (!Object.is(next, rendered.current)) {
        rendered.current = next;
        force((n) => n + 1);
      }
    };
    check(store.get());
    return store.subscribe(check);
  }, [store]);
  return value;
}
