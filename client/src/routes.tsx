import type { ComponentChildren } from 'preact';
import type { SessionState } from './state/session';
import { AdminScreen, parseAdminTab } from './screens/admin/AdminScreen';
import { CatalogScreen } from './screens/catalog/CatalogScreen';
import { LandingScreen } from './screens/Landing';
import { NotFoundScreen } from './screens/NotFound';
import { ProposalScreen, parseProposalNumber } from './screens/ProposalScreen';
import { RfcScreen } from './screens/rfc/RfcScreen';
import { BranchScreen } from './screens/branch/BranchScreen';
import { PullScreen, parsePullNumber } from './screens/pull/PullScreen';
import { decodeBranchPath } from './api/editing';
import { SignInScreen } from './screens/SignIn';
import { ThreadScreen, parseThreadId } from './screens/thread/ThreadScreen';

function HomePlaceholder() {
  return <div class="home-placeholder" aria-busy="true" />;
}

/** Pick the screen for a path. A `key` makes screens remount when their subject changes. */
export function route(path: string, session: SessionState): { key: string; screen: ComponentChildren } {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (clean === '/') {
    if (session.status === 'loading') return { key: 'home', screen: <HomePlaceholder /> };
    return session.user
      ? { key: 'catalog', screen: <CatalogScreen /> }
      : { key: 'landing', screen: <LandingScreen /> };
  }
  if (clean === '/catalog') return { key: 'catalog', screen: <CatalogScreen /> };
  if (clean === '/signin') return { key: 'signin', screen: <SignInScreen /> };
  // One key for every tab, so switching tabs keeps the screen (and its live room).
  if (clean === '/admin' || clean.startsWith('/admin/')) {
    const tab = parseAdminTab(clean);
    if (tab) return { key: 'admin', screen: <AdminScreen tab={tab} /> };
  }

  let m = /^\/proposals\/([^/]+)$/.exec(clean);
  if (m?.[1]) {
    const n = parseProposalNumber(m[1]);
    if (n !== null) return { key: `proposal:${n}`, screen: <ProposalScreen number={n} /> };
  }
  // A branch name may contain slashes: everything after /branches/ is the name, segment by segment.
  m = /^\/rfcs\/([^/]+)\/branches\/(.+)$/.exec(clean);
  if (m?.[1] && m[2]) {
    const slug = decodeBranchPath(m[1]);
    const branch = decodeBranchPath(m[2]);
    return { key: `branch:${slug}:${branch}`, screen: <BranchScreen slug={slug} branch={branch} /> };
  }
  m = /^\/rfcs\/([^/]+)\/pulls\/([^/]+)$/.exec(clean);
  if (m?.[1] && m[2]) {
    const n = parsePullNumber(m[2]);
    const slug = decodeBranchPath(m[1]);
    if (n !== null) return { key: `pull:${slug}:${n}`, screen: <PullScreen slug={slug} number={n} /> };
  }
  m = /^\/rfcs\/([^/]+)\/threads\/([^/]+)$/.exec(clean);
  if (m?.[1] && m[2]) {
    const id = parseThreadId(m[2]);
    const slug = decodeBranchPath(m[1]);
    if (id !== null) return { key: `thread:${id}`, screen: <ThreadScreen slug={slug} id={id} /> };
  }
  m = /^\/rfcs\/([^/]+)$/.exec(clean);
  if (m?.[1]) {
    let slug: string;
    try {
      slug = decodeURIComponent(m[1]);
    } catch {
      slug = m[1];
    }
    return { key: `rfc:${slug}`, screen: <RfcScreen slug={slug} /> };
  }
  return { key: `404:${clean}`, screen: <NotFoundScreen /> };
}
