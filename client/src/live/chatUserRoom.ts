/**
 * The signed-in person's own room, `user:<id>`: the server sends `chat.read` there
 * when their read cursor moves (in any tab), so every tab's unread counts follow.
 * Joined here and nowhere else, for whoever is signed in; left on sign-out.
 */
import { session, type SessionState } from '../state/session';
import { userRoom } from './events';
import { joinRoom } from './socket';

let started = false;

export function watchUserRoom(): void {
  if (started) return;
  started = true;
  let current: number | null = null;
  let leave: (() => void) | null = null;
  const follow = (state: SessionState): void => {
    const id = state.user?.id ?? null;
    if (id === current) return;
    leave?.();
    leave = null;
    current = id;
    if (id !== null) leave = joinRoom(userRoom(id));
  };
  session.subscribe(follow);
  follow(session.get());
}
