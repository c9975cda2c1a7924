import { useEffect, useRef, useState } from 'preact/hooks';
import { isStaff } from '../api/admin';
import { errorMessage } from '../api/client';
import type { User } from '../api/types';
import { connectionStatus } from '../live/socket';
import { navigate, useLocation } from '../lib/router';
import { useStore } from '../lib/store';
import { session, signOut } from '../state/session';
import { showToast } from './toasts';

/** Quiet while connected; says so in words while the live connection is down. */
export function ConnectionIndicator() {
  const status = useStore(connectionStatus);
  // Don't flash "Connecting…" on a fast first connect.
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    if (status !== 'connecting') {
      setSlow(false);
      return undefined;
    }
    const timer = window.setTimeout(() => setSlow(true), 1500);
    return () => window.clearTimeout(timer);
  }, [status]);

  let text: string | null = null;
  if (status === 'reconnecting') text = 'Reconnecting…';
  else if (status === 'connecting' && slow) text = 'Connecting…';

  return (
    <div class="conn" role="status" aria-live="polite">
      {text && (
        <span class="conn__down" title="Live updates are paused; missed changes will be fetched when the connection is back.">
          <span class="conn__dot" aria-hidden="true" />
          {text}
        </span>
      )}
    </div>
  );
}

function UserMenu({ user }: { user: User }) {
  const loc = useLocation();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return undefined;
    const onPointer = (event: PointerEvent): void => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const onSignOut = async (): Promise<void> => {
    setPending(true);
    try {
      await signOut();
      setOpen(false);
      navigate('/');
      showToast('You are signed out.', 'info');
    } catch (error) {
      showToast(`Could not sign out: ${errorMessage(error)}`, 'error');
    } finally {
      setPending(false);
    }
  };

  return (
    <div
      class="usermenu"
      ref={root}
      onFocusOut={(event) => {
        const next = event.relatedTarget as Node | null;
        if (next && root.current && !root.current.contains(next)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        class="usermenu__button"
        aria-expanded={open}
        aria-controls="usermenu-panel"
        onClick={() => setOpen((o) => !o)}
      >
        <span class="usermenu__avatar" aria-hidden="true">
          {user.login.slice(0, 1).toUpperCase()}
        </span>
        {user.login}
        <span class="usermenu__caret" aria-hidden="true">▾</span>
      </button>
      <div id="usermenu-panel" class="usermenu__panel" hidden={!open}>
        <p class="usermenu__who">
          Signed in as <strong>{user.display_name || user.login}</strong>
          <span class="usermenu__role">{user.role}</span>
        </p>
        {isStaff(user) && (
          <a
            href="/admin"
            class="usermenu__link"
            aria-current={loc.path === '/admin' || loc.path.startsWith('/admin/') ? 'page' : undefined}
            onClick={() => setOpen(false)}
          >
            Admin
          </a>
        )}
        <button type="button" class="button button--block" onClick={onSignOut} disabled={pending} aria-busy={pending}>
          {pending ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </div>
  );
}

export function TopBar() {
  const { user, status } = useStore(session);
  const loc = useLocation();
  const onCatalog = loc.path === '/catalog' || (loc.path === '/' && !!user);
  const signInHref =
    loc.path === '/' || loc.path === '/signin'
      ? '/signin'
      : `/signin?next=${encodeURIComponent(loc.path + loc.search)}`;
  return (
    <header class="topbar">
      <div class="topbar__inner">
        <a href="/" class="topbar__brand">
          <span class="topbar__logo" aria-hidden="true" />
          RFC app
        </a>
        <nav class="topbar__nav" aria-label="Main">
          <a href="/catalog" aria-current={onCatalog ? 'page' : undefined}>
            Catalog
          </a>
        </nav>
        <div class="topbar__end">
          <ConnectionIndicator />
          {/* The notification bell goes here. */}
          <div class="topbar__slot topbar__slot--bell" />
          {status === 'loading' ? (
            <span class="topbar__placeholder" aria-hidden="true" />
          ) : user ? (
            <UserMenu user={user} />
          ) : (
            <a href={signInHref} class="button button--small button--primary topbar__signin">
              Sign in
            </a>
          )}
        </div>
      </div>
    </header>
  );
}
