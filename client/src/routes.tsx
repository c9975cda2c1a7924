import type { ComponentChildren } from 'preact';
import type { SessionState } from './state/session';
import { CatalogScreen } from './screens/catalog/CatalogScreen';
import { LandingScreen } from './screens/Landing';
import { NotFoundScreen } from './screens/NotFound';
import { ProposalScreen, parseProposalNumber } from './screens/ProposalScreen';
import { RfcScreen } from './screens/rfc/RfcScreen';
import { SignInScreen } from './screens/SignIn';

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

  let m = /^\/proposals\/([^/]+)$/.exec(clean);
  if (m?.[1]) {
    const n = parseProposalNumber(m[1]);
    if (n !== null) return { key: `proposal:${n}`, screen: <ProposalScreen number={n} /> };
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
