import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { showToast } from '../components/toasts';
import { navigate, safeNext, useLocation } from '../lib/router';
import { useStore } from '../lib/store';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { session, signIn, signInMode } from '../state/session';

export function SignInScreen() {
  useDocumentTitle('Sign in');
  const loc = useLocation();
  const { user, status } = useStore(session);
  const mode = useStore(signInMode);
  const next = safeNext(loc.search) ?? '/catalog';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const justSignedIn = useRef(false);

  // Already signed in (e.g. opened /signin in a new tab): go where they were headed.
  useEffect(() => {
    if (user && !justSignedIn.current) navigate(next, { replace: true });
  }, [user, next]);

  // Signing in happens on Gitea's pages: a full page load of /signin lets the server
  // start that round trip (an in-app link click would otherwise land on this form).
  useEffect(() => {
    if (status === 'ready' && !user && mode === 'gitea') window.location.replace(window.location.href);
  }, [status, user, mode]);

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (pending) return;
    if (!username.trim() || !password) {
      setError(!username.trim() ? 'Enter your username.' : 'Enter your password.');
      (!username.trim() ? usernameRef : passwordRef).current?.focus();
      return;
    }
    setPending(true);
    setError(null);
    try {
      justSignedIn.current = true;
      const signedIn = await signIn(username.trim(), password);
      showToast(`Signed in as ${signedIn.login}.`, 'info');
      navigate(next, { replace: true });
    } catch (err) {
      justSignedIn.current = false;
      setPending(false);
      setError(errorMessage(err));
      setPassword('');
      passwordRef.current?.focus();
    }
  };

  if (mode === 'gitea') {
    return (
      <div class="narrow">
        <h1 tabIndex={-1}>Sign in</h1>
        <p class="muted" role="status">Taking you to Gitea to sign in…</p>
      </div>
    );
  }

  return (
    <div class="narrow">
      <h1 tabIndex={-1}>Sign in</h1>
      <p class="muted">Sign in to propose RFCs, write on branches and join the discussion.</p>
      <form class="form card" onSubmit={onSubmit} noValidate aria-describedby={error ? 'signin-error' : undefined}>
        {error && (
          <div class="alert alert--error" role="alert" id="signin-error">
            <span class="alert__icon" aria-hidden="true">!</span>
            <div class="alert__body">{error}</div>
          </div>
        )}
        <div class="field">
          <label for="signin-username">Username</label>
          <input
            ref={usernameRef}
            id="signin-username"
            name="username"
            type="text"
            autoComplete="username"
            autoCapitalize="none"
            spellcheck={false}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            aria-invalid={error !== null && !username.trim() ? true : undefined}
          />
        </div>
        <div class="field">
          <label for="signin-password">Password</label>
          <input
            ref={passwordRef}
            id="signin-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button--primary button--block" disabled={pending} aria-busy={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
