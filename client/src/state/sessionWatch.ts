/**
 * The server ends a person's live connections when their role, suspension or
 * maintainer grants change, after telling them why (`session.revoked`). Show the
 * reason, re-check who we are (they may now be signed out or have a new role),
 * and let the socket reconnect by itself with the new rights.
 */
import { showToast } from '../components/toasts';
import { onLiveEvent } from '../live/socket';
import { loadSession } from './session';

let watching = false;

export function watchSessionChanges(): void {
  if (watching) return;
  watching = true;
  onLiveEvent('session.revoked', ({ reason }) => {
    showToast(reason || 'Your permissions changed.', 'info');
    void loadSession();
  });
}
