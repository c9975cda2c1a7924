import type { Rfc } from '../../api/types';
import { RelTime } from '../../components/RelTime';
import { RfcStateBadge } from '../../components/StateBadge';
import { UnreadCount } from '../../components/chat/UnreadCount';

interface Props {
  rfcs: Rfc[];
  fresh: ReadonlySet<string>;
  /** Unread chat messages per RFC slug (signed-in readers). */
  unread?: Readonly<Record<string, number>>;
}

export function RfcRow({ rfc, fresh, unread }: { rfc: Rfc; fresh: boolean; unread?: number }) {
  return (
    <li class={`rfc-row${fresh ? ' is-fresh' : ''}`}>
      <div class="rfc-row__main">
        <h3 class="rfc-row__title">
          <a href={`/rfcs/${encodeURIComponent(rfc.slug)}`}>{rfc.title}</a>
        </h3>
        {rfc.rfc_number !== null && <span class="rfc-number">RFC {rfc.rfc_number}</span>}
        <RfcStateBadge state={rfc.state} />
      </div>
      <p class="oneline rfc-row__pitch" title={rfc.pitch || undefined}>
        {rfc.pitch || <span class="muted">No pitch yet.</span>}
      </p>
      <p class="meta">
        <code class="slug">{rfc.slug}</code>
        {rfc.authors.length > 0 && <span>by {rfc.authors.join(', ')}</span>}
        <RelTime iso={rfc.updated_at} prefix="updated" />
        <UnreadCount count={unread} label="unread in chat" />
      </p>
    </li>
  );
}

export function RfcList({ rfcs, fresh, unread = {} }: Props) {
  return (
    <ul class="rfc-list">
      {rfcs.map((rfc) => (
        <RfcRow key={rfc.slug} rfc={rfc} fresh={fresh.has(`rfc:${rfc.slug}`)} unread={unread[rfc.slug]} />
      ))}
    </ul>
  );
}

/** Placeholder rows of the same height as real ones. */
export function RfcListSkeleton({ rows = 4 }: { rows?: number }) {
  return (
    <ul class="rfc-list" aria-hidden="true">
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} class="rfc-row rfc-row--skeleton">
          <div class="rfc-row__main">
            <span class="skeleton__line" style={{ width: `${40 + ((i * 17) % 30)}%` }} />
          </div>
          <p class="oneline">
            <span class="skeleton__line" style={{ width: `${70 + ((i * 11) % 25)}%` }} />
          </p>
          <p class="meta">
            <span class="skeleton__line" style={{ width: '35%' }} />
          </p>
        </li>
      ))}
    </ul>
  );
}
