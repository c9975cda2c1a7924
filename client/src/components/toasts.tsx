import type { ComponentChildren } from 'preact';
import { createStore, useStore } from '../lib/store';

export interface Toast {
  id: number;
  message: ComponentChildren;
  kind: 'success' | 'info' | 'error';
}

const toasts = createStore<readonly Toast[]>([]);
let nextId = 1;

const TOAST_MS = 7000;

export function dismissToast(id: number): void {
  toasts.set((list) => list.filter((t) => t.id !== id));
}

/** Show a short message in the polite live region; it goes away by itself. */
export function showToast(message: ComponentChildren, kind: Toast['kind'] = 'success'): void {
  const id = nextId++;
  toasts.set((list) => [...list.slice(-3), { id, message, kind }]);
  window.setTimeout(() => dismissToast(id), kind === 'error' ? TOAST_MS * 2 : TOAST_MS);
}

/** Always in the DOM (live regions must exist before their content changes). */
export function ToastRegion() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite" aria-relevant="additions text">
      {list.map((t) => (
        <div key={t.id} class={`toast toast--${t.kind}`}>
          <div class="toast__message">{t.message}</div>
          <button type="button" class="toast__close" aria-label="Dismiss notification" onClick={() => dismissToast(t.id)}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
      ))}
    </div>
  );
}
