import type { ComponentChildren } from 'preact';

interface Props {
  children: ComponentChildren;
  /** Offer a retry button with this label. */
  onRetry?: () => void;
  retryLabel?: string;
  tone?: 'error' | 'warning';
  id?: string;
}

/** An error (or warning) that says what happened and what to do, announced to screen readers. */
export function Alert({ children, onRetry, retryLabel = 'Try again', tone = 'error', id }: Props) {
  return (
    <div class={`alert alert--${tone}`} role="alert" id={id}>
      <span class="alert__icon" aria-hidden="true">{tone === 'error' ? '!' : 'i'}</span>
      <div class="alert__body">{children}</div>
      {onRetry && (
        <button type="button" class="button button--small" onClick={onRetry}>
          {retryLabel}
        </button>
      )}
    </div>
  );
}
