import { usePresence } from '../../live/chatPresence';
import { useStore } from '../../lib/store';
import { session } from '../../state/session';
import { PresenceList } from './PresenceList';

interface Props {
  /** The room whose people are listed, e.g. `rfc:<slug>`. */
  room: string;
  /** Names the list, e.g. "People on this RFC now". */
  label: string;
  headingId: string;
}

/** A side-column section: "Here now (2)" and who, live. */
export function HereNow({ room, label, headingId }: Props) {
  const people = usePresence(room);
  const me = useStore(session).user?.login ?? null;
  return (
    <section class="side" aria-labelledby={headingId}>
      <h2 id={headingId} class="section-label">
        Here now{people ? ` (${people.length})` : ''}
      </h2>
      <PresenceList people={people} me={me} label={label} emptyText="Nobody signed in is here right now." />
    </section>
  );
}
