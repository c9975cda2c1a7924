import type { Proposal } from '../../api/types';
import { RelTime } from '../../components/RelTime';

interface Props {
  proposals: Proposal[];
  loading: boolean;
  open: boolean;
  onToggle: (open: boolean) => void;
  fresh: ReadonlySet<string>;
}

/** The "Pending ideas (n)" disclosure: open proposals, newest first. */
export function PendingIdeas({ proposals, loading, open, onToggle, fresh }: Props) {
  return (
    <details
      class="pending"
      open={open}
      onToggle={(e) => onToggle((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary class="pending__summary">
        <span class="pending__label">
          {loading ? 'Pending ideas' : `Pending ideas (${proposals.length})`}
        </span>
        <span class="pending__hint">proposals waiting to be merged</span>
      </summary>
      {loading ? (
        <p class="muted pending__empty">Loading pending ideas…</p>
      ) : proposals.length === 0 ? (
        <p class="muted pending__empty">No ideas are waiting right now.</p>
      ) : (
        <ul class="pending__list">
          {proposals.map((p) => (
            <li key={p.number} class={`pending__item${fresh.has(`proposal:${p.number}`) ? ' is-fresh' : ''}`}>
              <div class="pending__line">
                <a href={`/proposals/${p.number}`} class="pending__title">
                  {p.title}
                </a>
                <code class="slug">{p.slug}</code>
              </div>
              {p.pitch && (
                <p class="oneline" title={p.pitch}>
                  {p.pitch}
                </p>
              )}
              <p class="meta">
                <span>#{p.number}</span>
                <span>by {p.author}</span>
                <RelTime iso={p.opened_at} prefix="opened" />
              </p>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
