/**
 * /admin: who may see it (the owner and admins), and the admin home base itself,
 * which is code-split so nobody else downloads it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { isStaff } from '../../api/admin';
import { Alert } from '../../components/Alert';
import { SkeletonLines } from '../../components/Skeleton';
import { showToast } from '../../components/toasts';
import { navigate, useLocation } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { session } from '../../state/session';
import { type AdminTab, tabLabel } from './tabs';

export { parseAdminTab } from './tabs';

type HomeModule = typeof import('./AdminHome');
let loadedHome: HomeModule | null = null;

function LazyAdminHome({ tab }: { tab: AdminTab }) {
  const [mod, setMod] = useState<HomeModule | null>(loadedHome);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (mod) return undefined;
    let live = true;
    import('./AdminHome').then(
      (m) => {
        loadedHome = m;
        if (live) setMod(m);
      },
      () => {
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [mod, attempt]);

  if (failed) {
    return (
      <Alert
        onRetry={() => {
          setFailed(false);
          setAttempt((n) => n + 1);
        }}
      >
        Could not load the admin pages. Check your connection and try again.
      </Alert>
    );
  }
  if (!mod) return <SkeletonLines lines={6} widths={['40%', '100%', '100%', '100%', '100%', '70%']} />;
  return <mod.AdminHome tab={tab} />;
}

export function AdminScreen({ tab }: { tab: AdminTab }) {
  const { status, user } = useStore(session);
  const loc = useLocation();
  const staff = isStaff(user);
  const wasStaff = useRef(false);
  useDocumentTitle(staff ? `Admin · ${tabLabel(tab)}` : 'Admin');

  // Lost the right while here (role changed, suspended, signed out elsewhere): leave.
  useEffect(() => {
    if (staff) {
      wasStaff.current = true;
      return;
    }
    if (status === 'ready' && wasStaff.current) {
      wasStaff.current = false;
      // Signed out (suspended, or signed out here): the banner or the menu already said so.
      if (user) showToast('You are no longer an admin, so the admin pages are closed to you.', 'info');
      navigate(user ? '/catalog' : '/', { replace: true });
    }
  }, [staff, status, user]);

  let body;
  if (status === 'loading') {
    body = <SkeletonLines lines={4} widths={['40%', '100%', '100%', '70%']} />;
  } else if (!user) {
    const next = encodeURIComponent(loc.path + loc.search);
    body = (
      <div class="card admin-gate">
        <p>The admin pages are for the owner and admins. Sign in to continue.</p>
        <p>
          <a href={`/signin?next=${next}`} class="button button--primary">
            Sign in
          </a>
        </p>
      </div>
    );
  } else if (!staff) {
    body = (
      <div class="card admin-gate">
        <p>
          <strong>Only the owner and admins can see this page.</strong> You are signed in as{' '}
          {user.login} ({user.role}).
        </p>
        <p>
          <a href="/catalog" class="button">
            Go to the catalog
          </a>
        </p>
      </div>
    );
  } else {
    body = <LazyAdminHome tab={tab} />;
  }

  return (
    <div class="admin">
      <div class="page-head">
        <h1 tabIndex={-1}>Admin</h1>
      </div>
      {body}
    </div>
  );
}
