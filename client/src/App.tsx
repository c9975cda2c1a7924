import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { Alert } from './components/Alert';
import { SessionNotice } from './components/SessionNotice';
import { ToastRegion } from './components/toasts';
import { TopBar } from './components/TopBar';
import { settleScroll, useLocation } from './lib/router';
import { useStore } from './lib/store';
import { route } from './routes';
import { loadSession, session } from './state/session';

export function App() {
  const loc = useLocation();
  const sess = useStore(session);
  const { key, screen } = route(loc.path, sess);
  const firstRender = useRef(true);

  // After each navigation: restore/reset scroll, and move focus to the new screen's heading
  // (not on the first load, where focus should stay at the top of the document).
  useLayoutEffect(() => {
    settleScroll();
  }, [loc.path, loc.hash]);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('#main h1');
    heading?.focus({ preventScroll: true });
    // Keyed by screen, not path: moving between tabs of one screen (e.g. /admin/users →
    // /admin/audit) keeps focus on the tab the reader is on.
  }, [key]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      {sess.status === 'error' && (
        <div class="banner">
          <Alert onRetry={() => void loadSession()}>
            Could not check whether you are signed in: {sess.message}
          </Alert>
        </div>
      )}
      <SessionNotice />
      <main id="main" tabIndex={-1} class="main">
        <div class="screen" key={key}>
          {screen}
        </div>
      </main>
      <ToastRegion />
    </>
  );
}
