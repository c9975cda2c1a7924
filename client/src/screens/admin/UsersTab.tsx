import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ADMIN_PAGE_SIZE, adminApi, ROLES, type AdminUser, type EmailSuppression } from '../../api/admin';
import { errorMessage } from '../../api/client';
import type { Role, User } from '../../api/types';
import { Alert } from '../../components/Alert';
import { RelTime } from '../../components/RelTime';
import { showToast } from '../../components/toasts';
import { onLiveEvent } from '../../live/socket';
import { navigate, useLocation } from '../../lib/router';
import { noteSignedOut } from '../../state/session';

const REASON_MAX = 500;
const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', contributor: 'Contributor' };

interface UsersState {
  users: AdminUser[];
  /** Pages loaded so far. */
  page: number;
  hasMore: boolean;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  more: 'idle' | 'loading' | 'error';
  moreError: string | null;
}

const byLogin = (a: AdminUser, b: AdminUser): number => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0);

/** What the server's search matches (login, name or email containing the words, any case). */
function matchesQuery(user: AdminUser, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [user.login, user.display_name, user.email].some((v) => v.toLowerCase().includes(needle));
}

function upsert(state: UsersState, user: AdminUser, q: string): UsersState {
  const at = state.users.findIndex((u) => u.id === user.id);
  if (at >= 0) {
    const users = state.users.slice();
    users[at] = user;
    return { ...state, users };
  }
  if (!matchesQuery(user, q)) return state;
  // Not loaded yet and beyond the pages we hold: it shows up when the next page loads.
  const last = state.users[state.users.length - 1];
  if (state.hasMore && last && user.login > last.login) return state;
  return { ...state, users: [...state.users, user].sort(byLogin) };
}

function StateCell({ user }: { user: AdminUser }) {
  if (!user.suspended) return <span class="badge badge--user-active">Active</span>;
  return (
    <span class="user-state">
      <span class="badge badge--user-suspended">Suspended</span>
      {user.suspended_reason && (
        <span class="user-state__reason">
          <span class="visually-hidden">Reason: </span>
          {user.suspended_reason}
        </span>
      )}
    </span>
  );
}

const SUPPRESSION_LABELS: Record<EmailSuppression['reason'], string> = {
  bounce: 'bounced',
  complaint: 'marked as spam',
  admin: 'stopped by staff',
};

/** The address, and whether email still goes to it. */
function EmailCell({ user }: { user: AdminUser }) {
  if (!user.email) return <span class="muted">—</span>;
  const stop = user.email_suppression;
  return (
    <span class="email-state">
      <span>{user.email}</span>
      {stop ? (
        <span class="badge badge--email-stopped" title={stop.details || undefined}>
          Email stopped: {SUPPRESSION_LABELS[stop.reason]}
        </span>
      ) : (
        <span class="muted email-state__on">Email on</span>
      )}
    </span>
  );
}

type Busy = 'role' | 'suspend' | 'restore' | 'grant' | 'revoke' | 'email' | null;

/** Role, suspension and maintainer grants of one person, with an optional reason for the record. */
function UserManage({ user, viewer, onUpdated }: { user: AdminUser; viewer: User; onUpdated: (u: AdminUser) => void }) {
  const id = user.id;
  const [role, setRole] = useState<Role>(user.role);
  const [reason, setReason] = useState('');
  const [slug, setSlug] = useState('');
  const [suspending, setSuspending] = useState(false);
  const [suspendReason, setSuspendReason] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [errorField, setErrorField] = useState<'slug' | 'suspend' | 'role' | 'reason' | null>(null);
  const suspendReasonRef = useRef<HTMLTextAreaElement>(null);
  const accessRef = useRef<HTMLButtonElement>(null);
  const focusAccess = useRef(false);

  // Follow live changes of the role unless the admin is picking a new one right now.
  useEffect(() => setRole(user.role), [user.role]);
  useEffect(() => {
    if (suspending) suspendReasonRef.current?.focus();
  }, [suspending]);
  useEffect(() => {
    if (focusAccess.current) {
      focusAccess.current = false;
      accessRef.current?.focus();
    }
  }, [user.suspended, suspending]);

  const run = async (
    kind: Exclude<Busy, null>,
    action: () => Promise<{ user: AdminUser }>,
    done: (u: AdminUser) => string,
    failure: string,
  ): Promise<boolean> => {
    setBusy(kind);
    setError(null);
    setErrorField(null);
    try {
      const result = await action();
      onUpdated(result.user);
      showToast(done(result.user), 'success');
      return true;
    } catch (err) {
      noteSignedOut(err);
      setError(`${failure}: ${errorMessage(err)}`);
      return false;
    } finally {
      setBusy(null);
    }
  };

  const changeRole = async (): Promise<void> => {
    if (role === user.role) {
      setError(`${user.login} is already ${ROLE_LABELS[role].toLowerCase()}. Pick another role first.`);
      setErrorField('role');
      return;
    }
    const ok = await run(
      'role',
      () => adminApi.changeRole(id, role, reason.trim()),
      (u) => `${u.login} is now ${ROLE_LABELS[u.role].toLowerCase()}.`,
      `Could not change ${user.login}’s role`,
    );
    if (ok) setReason('');
  };

  const maintainer = async (grant: boolean): Promise<void> => {
    const wanted = slug.trim();
    if (!wanted) {
      setError('Enter the slug of an RFC first.');
      setErrorField('slug');
      document.getElementById(`user-${id}-slug`)?.focus();
      return;
    }
    const ok = await run(
      grant ? 'grant' : 'revoke',
      () => adminApi.setMaintainer(id, wanted, grant, reason.trim()),
      (u) => (grant ? `${u.login} now maintains ${wanted}.` : `${u.login} no longer maintains ${wanted}.`),
      grant ? `Could not make ${user.login} a maintainer` : `Could not remove ${user.login} as a maintainer`,
    );
    if (ok) {
      setSlug('');
      setReason('');
    } else {
      setErrorField('slug');
    }
  };

  const suspend = async (event: Event): Promise<void> => {
    event.preventDefault();
    const why = suspendReason.trim();
    if (!why) {
      setError(`Give a reason for suspending ${user.login}; it is kept in the permission events.`);
      setErrorField('suspend');
      suspendReasonRef.current?.focus();
      return;
    }
    const ok = await run(
      'suspend',
      () => adminApi.suspend(id, why),
      (u) => `${u.login} is suspended and signed out everywhere.`,
      `Could not suspend ${user.login}`,
    );
    if (ok) {
      setSuspendReason('');
      focusAccess.current = true;
      setSuspending(false);
    } else {
      setErrorField('suspend');
    }
  };

  const restore = async (): Promise<void> => {
    const ok = await run(
      'restore',
      () => adminApi.restore(id, reason.trim()),
      (u) => `${u.login} is restored and can sign in again.`,
      `Could not restore ${user.login}`,
    );
    if (ok) {
      setReason('');
      focusAccess.current = true;
    }
  };

  const setEmail = async (stop: boolean): Promise<void> => {
    const why = reason.trim();
    if (stop && !why) {
      setError(`Give a reason for stopping email to ${user.login}; it is kept in the audit log.`);
      setErrorField('reason');
      document.getElementById(`user-${id}-reason`)?.focus();
      return;
    }
    const ok = await run(
      'email',
      () => adminApi.setEmailSuppression(id, stop, why),
      (u) => (stop ? `No more email goes to ${u.login}.` : `Email to ${u.login} is on again.`),
      stop ? `Could not stop email to ${user.login}` : `Could not resume email to ${user.login}`,
    );
    if (ok) setReason('');
  };

  const roles = ROLES.filter((r) => r !== 'owner' || viewer.role === 'owner' || user.role === 'owner');
  const errorId = `user-${id}-error`;

  return (
    <section class="manage" id={`manage-user-${id}`} aria-labelledby={`manage-user-${id}-title`}>
      <h3 id={`manage-user-${id}-title`} class="manage__title">
        Manage {user.login}
      </h3>
      {error && (
        <Alert id={errorId}>
          {error}
        </Alert>
      )}
      <div class="manage__grid">
        <div class="field manage__reason">
          <label for={`user-${id}-reason`}>Reason for {user.login} (optional)</label>
          <input
            id={`user-${id}-reason`}
            type="text"
            value={reason}
            maxLength={REASON_MAX}
            autoComplete="off"
            aria-invalid={errorField === 'reason' ? true : undefined}
            aria-describedby={`user-${id}-reason-hint${errorField === 'reason' ? ` ${errorId}` : ''}`}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <span class="hint" id={`user-${id}-reason-hint`}>
            Kept with a role change, maintainer change or restore in the permission events;
            required to stop email.
          </span>
        </div>

        <div class="field">
          <label for={`user-${id}-role`}>Role for {user.login}</label>
          <div class="manage__row">
            <select
              id={`user-${id}-role`}
              value={role}
              aria-invalid={errorField === 'role' ? true : undefined}
              aria-describedby={errorField === 'role' ? errorId : undefined}
              onChange={(e) => setRole(e.currentTarget.value as Role)}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            <button
              type="button"
              class="button button--primary"
              onClick={changeRole}
              disabled={busy !== null}
              aria-busy={busy === 'role'}
            >
              Change role
            </button>
          </div>
        </div>

        <div class="field manage__maintainer">
          <label for={`user-${id}-slug`}>RFC slug for {user.login}</label>
          <div class="manage__row">
            <input
              id={`user-${id}-slug`}
              type="text"
              value={slug}
              placeholder="e.g. better-search"
              autoComplete="off"
              spellcheck={false}
              autoCapitalize="none"
              list={user.maintainer_of.length > 0 ? `user-${id}-maintains` : undefined}
              aria-invalid={errorField === 'slug' ? true : undefined}
              aria-describedby={errorField === 'slug' ? errorId : undefined}
              onInput={(e) => setSlug(e.currentTarget.value)}
            />
            {user.maintainer_of.length > 0 && (
              <datalist id={`user-${id}-maintains`}>
                {user.maintainer_of.map((s) => (
                  <option key={s} value={s} />
                ))}
              </datalist>
            )}
            <button
              type="button"
              class="button"
              onClick={() => void maintainer(true)}
              disabled={busy !== null}
              aria-busy={busy === 'grant'}
            >
              Make maintainer
            </button>
            <button
              type="button"
              class="button"
              onClick={() => void maintainer(false)}
              disabled={busy !== null}
              aria-busy={busy === 'revoke'}
            >
              Remove maintainer
            </button>
          </div>
        </div>

        {user.email && (
          <div class="field" role="group" aria-labelledby={`user-${id}-email`}>
            <span class="manage__label" id={`user-${id}-email`}>
              Email to {user.email}
            </span>
            <div class="manage__row">
              <button
                type="button"
                class="button"
                onClick={() => void setEmail(!user.email_suppression)}
                disabled={busy !== null}
                aria-busy={busy === 'email'}
              >
                {user.email_suppression ? 'Resume email' : 'Stop email'}
              </button>
            </div>
          </div>
        )}

        <div class="field manage__access" role="group" aria-labelledby={`user-${id}-access`}>
          <span class="manage__label" id={`user-${id}-access`}>
            Access
          </span>
          {user.suspended ? (
            <div class="manage__row">
              <button
                ref={accessRef}
                type="button"
                class="button"
                onClick={restore}
                disabled={busy !== null}
                aria-busy={busy === 'restore'}
              >
                Restore
              </button>
            </div>
          ) : suspending ? (
            <form class="manage__suspend" onSubmit={suspend} noValidate>
              <label for={`user-${id}-suspend-reason`}>Reason for suspending {user.login}</label>
              <textarea
                ref={suspendReasonRef}
                id={`user-${id}-suspend-reason`}
                rows={2}
                required
                maxLength={REASON_MAX}
                value={suspendReason}
                aria-invalid={errorField === 'suspend' ? true : undefined}
                aria-describedby={`user-${id}-suspend-hint${errorField === 'suspend' ? ` ${errorId}` : ''}`}
                onInput={(e) => setSuspendReason(e.currentTarget.value)}
              />
              <span class="hint" id={`user-${id}-suspend-hint`}>
                Required. {user.login} is signed out everywhere and sees this until restored.
              </span>
              <div class="manage__row">
                <button type="submit" class="button button--danger" disabled={busy !== null} aria-busy={busy === 'suspend'}>
                  Confirm suspension
                </button>
                <button
                  type="button"
                  class="button"
                  onClick={() => {
                    focusAccess.current = true;
                    setSuspending(false);
                    setSuspendReason('');
                    if (errorField === 'suspend') {
                      setError(null);
                      setErrorField(null);
                    }
                  }}
                >
                  Cancel
                </button>
              </div>
            </form>
          ) : (
            <div class="manage__row">
              <button
                ref={accessRef}
                type="button"
                class="button button--danger-outline"
                onClick={() => setSuspending(true)}
                disabled={busy !== null}
              >
                Suspend
              </button>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

function UserRows({
  user,
  viewer,
  open,
  fresh,
  onToggle,
  onUpdated,
}: {
  user: AdminUser;
  viewer: User;
  open: boolean;
  fresh: boolean;
  onToggle: () => void;
  onUpdated: (u: AdminUser) => void;
}) {
  return (
    <>
      <tr data-row-id={user.id} class={`${fresh ? 'is-fresh' : ''}${open ? ' is-open' : ''}`.trim() || undefined}>
        <th scope="row" class="user-cell">
          <span class="user-cell__login">{user.login}</span>
          {user.display_name && user.display_name !== user.login && (
            <span class="user-cell__name muted">{user.display_name}</span>
          )}
          {user.id === viewer.id && <span class="user-cell__you muted">(you)</span>}
        </th>
        <td class="email-cell">
          <EmailCell user={user} />
        </td>
        <td>
          <span class={`role role--${user.role}`}>{ROLE_LABELS[user.role] ?? user.role}</span>
        </td>
        <td>
          <StateCell user={user} />
        </td>
        <td class="nowrap">{user.last_seen_at ? <RelTime iso={user.last_seen_at} /> : <span class="muted">never</span>}</td>
        <td>
          {user.maintainer_of.length > 0 ? (
            <ul class="slug-list">
              {user.maintainer_of.map((s) => (
                <li key={s}>
                  <a href={`/rfcs/${encodeURIComponent(s)}`} class="slug">
                    {s}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <span class="muted">—</span>
          )}
        </td>
        <td class="actions-cell">
          <button
            type="button"
            class="button button--small"
            aria-expanded={open ? 'true' : 'false'}
            aria-controls={open ? `manage-user-${user.id}` : undefined}
            onClick={onToggle}
          >
            Manage
            <span class="visually-hidden"> {user.login}</span>
            <span class="manage-toggle__caret" aria-hidden="true">
              ▾
            </span>
          </button>
        </td>
      </tr>
      {open && (
        <tr class="manage-row">
          <td colSpan={7}>
            <UserManage user={user} viewer={viewer} onUpdated={onUpdated} />
          </td>
        </tr>
      )}
    </>
  );
}

function UserList({ q, resync, viewer }: { q: string; resync: number; viewer: User }) {
  const [state, setState] = useState<UsersState>({
    users: [],
    page: 0,
    hasMore: false,
    status: 'loading',
    error: null,
    more: 'idle',
    moreError: null,
  });
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const stateRef = useRef(state);
  stateRef.current = state;
  const generation = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
      generation.current++;
    },
    [],
  );

  /** (Re)load pages 1..n and replace what is shown (after a reconnect nothing is missed). */
  const reload = useCallback(
    async (pages: number) => {
      const mine = ++generation.current;
      try {
        let users: AdminUser[] = [];
        let last: AdminUser[] = [];
        for (let page = 1; page <= Math.max(pages, 1); page++) {
          last = (await adminApi.users(q, page)).users;
          users = users.concat(last);
          if (last.length < ADMIN_PAGE_SIZE) break;
        }
        if (mine !== generation.current) return;
        const unique = [...new Map(users.map((u) => [u.id, u])).values()];
        setState((s) => ({
          ...s,
          users: unique,
          page: Math.max(pages, 1),
          hasMore: last.length >= ADMIN_PAGE_SIZE,
          status: 'ready',
          error: null,
        }));
      } catch (err) {
        if (mine !== generation.current) return;
        noteSignedOut(err);
        const message = errorMessage(err);
        setState((s) => (s.status === 'ready' ? s : { ...s, status: 'error', error: message }));
      }
    },
    [q],
  );

  useEffect(() => {
    void reload(1);
  }, [reload]);

  const firstResync = useRef(resync);
  useEffect(() => {
    if (resync !== firstResync.current) void reload(stateRef.current.page || 1);
  }, [resync, reload]);

  const loadMore = async (): Promise<void> => {
    const next = stateRef.current.page + 1;
    setState((s) => ({ ...s, more: 'loading', moreError: null }));
    try {
      const { users } = await adminApi.users(q, next);
      if (!mounted.current) return;
      setState((s) => ({
        ...s,
        users: [...new Map([...s.users, ...users].map((u) => [u.id, u])).values()].sort(byLogin),
        page: next,
        hasMore: users.length >= ADMIN_PAGE_SIZE,
        more: 'idle',
      }));
    } catch (err) {
      if (!mounted.current) return;
      noteSignedOut(err);
      setState((s) => ({ ...s, more: 'error', moreError: errorMessage(err) }));
    }
  };

  const flash = useCallback((id: number) => {
    setFresh((f) => new Set([...f, id]));
    window.setTimeout(() => {
      if (!mounted.current) return;
      setFresh((f) => {
        const next = new Set(f);
        next.delete(id);
        return next;
      });
    }, 4500);
  }, []);

  const apply = useCallback(
    (user: AdminUser, live: boolean) => {
      setState((s) => upsert(s, user, q));
      if (live) flash(user.id);
    },
    [q, flash],
  );

  useEffect(() => onLiveEvent('user.changed', ({ user }) => apply(user, true)), [apply]);

  const toggle = (id: number): void => {
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };

  const count = state.users.length;
  return (
    <>
      <p class="muted admin-count" role="status">
        {state.status === 'loading'
          ? 'Loading users…'
          : state.status === 'error'
            ? ''
            : count === 0
              ? q
                ? `No users match “${q}”.`
                : 'No users yet.'
              : `${count}${state.hasMore ? '+' : ''} ${count === 1 ? 'user' : 'users'}${q ? ` matching “${q}”` : ''}`}
      </p>
      {state.status === 'error' && (
        <Alert onRetry={() => void reload(1)}>Could not load the users: {state.error}</Alert>
      )}
      {state.status === 'loading' ? (
        <div class="skeleton" aria-hidden="true">
          {Array.from({ length: 5 }, (_, i) => (
            <div key={i} class="skeleton__line feed__skeleton-line" />
          ))}
        </div>
      ) : count > 0 ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Users list">
          <table class="admin-table admin-table--users">
            <caption class="visually-hidden">Users{q ? ` matching “${q}”` : ''}, by login</caption>
            <thead>
              <tr>
                <th scope="col">Login</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">State</th>
                <th scope="col">Last seen</th>
                <th scope="col">Maintainer of</th>
                <th scope="col" class="actions-cell">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.users.map((u) => (
                <UserRows
                  key={u.id}
                  user={u}
                  viewer={viewer}
                  open={open.has(u.id)}
                  fresh={fresh.has(u.id)}
                  onToggle={() => toggle(u.id)}
                  onUpdated={(updated) => apply(updated, false)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {state.status === 'ready' && state.hasMore && (
        <div class="feed__more">
          {state.more === 'error' && <Alert>Could not load more users: {state.moreError}</Alert>}
          <button
            type="button"
            class="button"
            onClick={() => void loadMore()}
            disabled={state.more === 'loading'}
            aria-busy={state.more === 'loading'}
          >
            {state.more === 'loading' ? 'Loading…' : 'Load more users'}
          </button>
        </div>
      )}
    </>
  );
}

export function UsersTab({ resync, viewer }: { resync: number; viewer: User }) {
  const loc = useLocation();
  const q = (new URLSearchParams(loc.search).get('q') ?? '').trim();
  const [input, setInput] = useState(q);

  // Typing searches after a short pause; the query lives in the URL (?q=).
  useEffect(() => {
    if (input.trim() === q) return undefined;
    const timer = window.setTimeout(() => {
      const wanted = input.trim();
      navigate(`/admin/users${wanted ? `?q=${encodeURIComponent(wanted)}` : ''}`, { replace: true });
    }, 300);
    return () => window.clearTimeout(timer);
  }, [input, q]);

  // Back/forward: the box follows the URL.
  useEffect(() => {
    setInput((current) => (current.trim() === q ? current : q));
  }, [q]);

  return (
    <>
      <form class="admin-filters" role="search" aria-label="Users" onSubmit={(e) => e.preventDefault()}>
        <div class="field field--inline admin-filter admin-filter--wide">
          <label for="admin-user-search">Search users</label>
          <input
            id="admin-user-search"
            type="search"
            value={input}
            placeholder="Login, name or email"
            autoComplete="off"
            spellcheck={false}
            autoCapitalize="none"
            maxLength={100}
            onInput={(e) => setInput(e.currentTarget.value)}
          />
        </div>
      </form>
      <UserList key={q} q={q} resync={resync} viewer={viewer} />
    </>
  );
}
