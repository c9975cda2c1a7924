import '../../styles/chat-shared.css';
import type { PresencePerson } from '../../live/events';
import { Avatar } from './Avatar';

interface Props {
  people: readonly PresencePerson[] | null;
  /** The reader's login, marked "(you)". */
  me: string | null;
  /** Names the list for assistive tech, e.g. "On this branch now". */
  label: string;
  /** Shown when nobody signed in is here (signed-out readers are not listed). */
  emptyText?: string;
  compact?: boolean;
}

/** Who is here now: initials, the name as text, and "idle" in words (not only a dimmer look). */
export function PresenceList({ people, me, label, emptyText = 'Nobody else is here right now.', compact = false }: Props) {
  if (people === null) {
    return (
      <p class="presence presence--loading muted" aria-busy="true">
        Checking who is here…
      </p>
    );
  }
  if (people.length === 0) return <p class="presence presence--empty muted">{emptyText}</p>;
  return (
    <ul class={`presence${compact ? ' presence--compact' : ''}`} aria-label={label} role="list">
      {people.map((p) => (
        <li key={p.login} class={`presence__person${p.idle ? ' is-idle' : ''}`}>
          <Avatar login={p.login} name={p.display_name} size={compact ? 'small' : 'normal'} />
          <span class="presence__name">
            {p.display_name || p.login}
            {p.login === me && <span class="presence__you"> (you)</span>}
          </span>
          {p.idle && <span class="presence__idle">idle</span>}
        </li>
      ))}
    </ul>
  );
}
