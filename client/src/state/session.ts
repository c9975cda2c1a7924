import { ApiError, errorMessage, setCsrfRefresher, setCsrfToken } from '../api/client';
import { api } from '../api/endpoints';
import type { User } from '../api/types';
import { onConnectionRefused, restartLive } from '../live/socket';
import { createStore } from '../lib/store';

export type SessionState =
  | { status: 'loading'; user: null }
  | { status: 'ready'; user: User | null }
  | { status: 'error'; user: null; message: string };

export const session = createStore<SessionState>({ status: 'loading', user: null });

/**
 * Why a session that was signed in no longer is (`/api/me` sends it once, e.g.
 * "Your account is suspended…"). Shown as a banner until dismissed or sign-in.
 */
export const sessionNotice = createStore<string | null>(null);

/** How this site signs people in (from `/api/me`); `gitea` means through Gitea's own pages. */
export const signInMode = createStore<'password' | 'gitea'>('password');

export async function loadSession(): Promise<void> {
  try {
    const me = await api.me();
    setCsrfToken(me.csrf_token);
    signInMode.set(me.sign_in);
    if (me.notice) sessionNotice.set(me.notice);
    session.set({ status: 'ready', user: me.user });
  } catch (error) {
    session.set({ status: 'error', user: null, message: errorMessage(error) });
  }
}

setCsrfRefresher(async () => {
  const me = await api.me();
  setCsrfToken(me.csrf_token);
  if (me.notice) sessionNotice.set(me.notice);
  const current = session.get();
  if (current.user?.id !== me.user?.id) session.set({ status: 'ready', user: me.user });
});

// The socket was refused (e.g. the session expired or was revoked): recheck who we are.
onConnectionRefused(() => {
  void loadSession();
});

export async function signIn(username: string, password: string): Promise<User> {
  const result = await api.login(username, password);
  setCsrfToken(result.csrf_token);
  sessionNotice.set(null);
  session.set({ status: 'ready', user: result.user });
  restartLive();
  return result.user;
}

export async function signOut(): Promise<void> {
  const result = await api.logout();
  setCsrfToken(result.csrf_token);
  session.set({ status: 'ready', user: null });
  restartLive();
}

/** Call when the server says we are signed out (401) so the UI stops offering signed-in actions. */
export function noteSignedOut(error: unknown): void {
  if (error instanceof ApiError && error.status === 401 && session.get().user) {
    void loadSession();
  }
}
