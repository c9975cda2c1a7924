import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { branchUrl, editingApi, pullUrl, type MetadataChange } from '../../api/editing';
import { RFC_STATES, type Rfc, type RfcState, type User } from '../../api/types';
import { Alert } from '../../components/Alert';
import { rfcStateLabel } from '../../components/StateBadge';
import { navigate, useLocation } from '../../lib/router';
import { noteSignedOut } from '../../state/session';

type Panel = 'branch' | 'metadata' | null;

interface FormError {
  message: string;
  field: string | undefined;
}

function failure(prefix: string, err: unknown): FormError {
  noteSignedOut(err);
  return { message: `${prefix}: ${errorMessage(err)}`, field: err instanceof ApiError ? err.field : undefined };
}

function StartBranchForm({ slug, user, onCancel }: { slug: string; user: User; onCancel: () => void }) {
  const [name, setName] = useState(`${user.login}/`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (!name.trim()) {
      setError({ message: 'Give the branch a name, for example “clarify-motivation”.', field: 'name' });
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { branch } = await editingApi.startBranch(slug, name.trim());
      navigate(branchUrl(slug, branch.short));
    } catch (err) {
      setError(failure('Could not start the branch', err));
      setBusy(false);
      input.current?.focus();
    }
  };

  return (
    <form id="start-branch-form" class="form action-panel card" onSubmit={submit} noValidate aria-labelledby="start-branch-title">
      <h2 id="start-branch-title" class="action-panel__title">
        Start editing on a new branch
      </h2>
      {error && <Alert>{error.message}</Alert>}
      <div class="field">
        <label for="branch-name">Branch name</label>
        <input
          ref={input}
          id="branch-name"
          type="text"
          value={name}
          maxLength={100}
          required
          autoComplete="off"
          spellcheck={false}
          aria-invalid={error?.field === 'name'}
          aria-describedby="branch-name-hint"
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <p class="hint" id="branch-name-hint">
          Your edits are saved on this branch until a maintainer merges them. Slashes, dots, plus signs and accents are fine, e.g.{' '}
          <code>{user.login}/clarify-motivation</code>.
        </p>
      </div>
      <div class="form__actions form__actions--start">
        <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Creating branch…' : 'Create branch'}
        </button>
        <button type="button" class="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

const splitAuthors = (value: string): string[] =>
  value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

function MetadataForm({ slug, rfc, onCancel }: { slug: string; rfc: Rfc; onCancel: () => void }) {
  const [title, setTitle] = useState(rfc.title);
  const [pitch, setPitch] = useState(rfc.pitch);
  const [state, setState] = useState<RfcState>(rfc.state);
  const [authors, setAuthors] = useState(rfc.authors.join(', '));
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const change: MetadataChange = { description };
    if (title.trim() !== rfc.title) change.title = title.trim();
    if (pitch.trim() !== rfc.pitch) change.pitch = pitch.trim();
    if (state !== rfc.state) change.state = state;
    const authorList = splitAuthors(authors);
    if (authorList.join('\n') !== rfc.authors.join('\n')) change.authors = authorList;
    if (Object.keys(change).length === 1) {
      setError({ message: 'Nothing would change: edit at least one of title, pitch, state or authors.', field: undefined });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { pull } = await editingApi.changeMetadata(slug, change);
      navigate(pullUrl(slug, pull.number));
    } catch (err) {
      setError(failure('Could not propose the change', err));
      setBusy(false);
    }
  };

  const invalid = (field: string): boolean => error?.field === field;

  return (
    <form id="metadata-form" class="form action-panel card" onSubmit={submit} noValidate aria-labelledby="metadata-title">
      <h2 id="metadata-title" class="action-panel__title">
        Propose a metadata change
      </h2>
      <p class="hint">This opens a pull request; the RFC changes once a maintainer merges it.</p>
      {error && <Alert>{error.message}</Alert>}
      <div class="form__grid">
        <div class="field">
          <label for="meta-title">Title</label>
          <input
            ref={first}
            id="meta-title"
            type="text"
            value={title}
            maxLength={120}
            aria-invalid={invalid('title')}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="meta-state">State</label>
          <select id="meta-state" value={state} aria-invalid={invalid('state')} onChange={(e) => setState(e.currentTarget.value as RfcState)}>
            {RFC_STATES.map((s) => (
              <option key={s} value={s}>
                {rfcStateLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="field">
        <label for="meta-pitch">Pitch</label>
        <textarea id="meta-pitch" rows={2} value={pitch} maxLength={500} aria-invalid={invalid('pitch')} onInput={(e) => setPitch(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="meta-authors">Authors</label>
        <input
          id="meta-authors"
          type="text"
          value={authors}
          aria-describedby="meta-authors-hint"
          aria-invalid={invalid('authors')}
          onInput={(e) => setAuthors(e.currentTarget.value)}
        />
        <p class="hint" id="meta-authors-hint">
          Separated by commas.
        </p>
      </div>
      <div class="field">
        <label for="meta-description">Description</label>
        <textarea
          id="meta-description"
          rows={3}
          value={description}
          aria-describedby="meta-description-hint"
          aria-invalid={invalid('description')}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <p class="hint" id="meta-description-hint">
          Optional. Why change it? Shown on the pull request.
        </p>
      </div>
      <div class="form__actions form__actions--start">
        <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Proposing…' : 'Propose metadata change'}
        </button>
        <button type="button" class="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface Props {
  slug: string;
  rfc: Rfc | null;
  user: User | null;
  canStartBranch: boolean;
}

/** "Start editing" and "Change metadata": each opens its form below the header. */
export function RfcActions({ slug, rfc, user, canStartBranch }: Props) {
  const [panel, setPanel] = useState<Panel>(null);
  const loc = useLocation();
  const branchButton = useRef<HTMLButtonElement>(null);
  const metaButton = useRef<HTMLButtonElement>(null);

  if (!rfc) return null;
  if (!user) {
    return (
      <p class="rfc-actions rfc-actions--signed-out muted">
        <a href={`/signin?next=${encodeURIComponent(loc.path)}`}>Sign in</a> to edit this RFC or propose changes.
      </p>
    );
  }
  const close = (button: typeof branchButton) => () => {
    setPanel(null);
    window.setTimeout(() => button.current?.focus(), 0);
  };
  return (
    <div class="rfc-actions-wrap">
      <div class="rfc-actions">
        {canStartBranch && (
          <button
            ref={branchButton}
            type="button"
            class="button button--primary"
            aria-expanded={panel === 'branch'}
            aria-controls="start-branch-form"
            onClick={() => setPanel((p) => (p === 'branch' ? null : 'branch'))}
          >
            Start editing
          </button>
        )}
        <button
          ref={metaButton}
          type="button"
          class="button"
          aria-expanded={panel === 'metadata'}
          aria-controls="metadata-form"
          onClick={() => setPanel((p) => (p === 'metadata' ? null : 'metadata'))}
        >
          Change metadata
        </button>
      </div>
      {panel === 'branch' && <StartBranchForm slug={slug} user={user} onCancel={close(branchButton)} />}
      {panel === 'metadata' && <MetadataForm slug={slug} rfc={rfc} onCancel={close(metaButton)} />}
    </div>
  );
}
