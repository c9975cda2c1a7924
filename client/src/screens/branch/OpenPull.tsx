import { useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { editingApi, pullUrl, type Pull } from '../../api/editing';
import { Alert } from '../../components/Alert';
import { PullStateBadge } from '../../components/EditingBadges';
import { navigate } from '../../lib/router';
import { noteSignedOut } from '../../state/session';

const TITLE_MAX = 120;

interface Props {
  slug: string;
  branch: string;
  pull: Pull | null;
  /** May open a pull request from this branch (and the branch is open). */
  canOpen: boolean;
  readOnlyReason: string | null;
  unsaved: boolean;
}

/** "Open pull request" from the branch, or a link to the one it already has. */
export function OpenPull({ slug, branch, pull, canOpen, readOnlyReason, unsaved }: Props) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: string | undefined } | null>(null);

  const link = pull && (
    <p class="pull-link">
      {pull.state === 'open' ? 'This branch has an open pull request: ' : pull.state === 'merged' ? 'Merged in ' : 'Its last pull request was closed: '}
      <a href={pullUrl(slug, pull.number)}>
        #{pull.number} {pull.title}
      </a>{' '}
      <PullStateBadge state={pull.state} />
    </p>
  );
  if (pull?.state === 'open') return link;

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const cleaned = title.replace(/\s+/g, ' ').trim();
    if (cleaned.length < 3) {
      setError({ message: 'Give the pull request a title of 3 to 120 characters: what does it change?', field: 'title' });
      document.getElementById('pull-title')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await editingApi.openPull(slug, branch, cleaned, description);
      navigate(pullUrl(slug, result.pull.number));
    } catch (err) {
      noteSignedOut(err);
      setError({ message: `Could not open the pull request: ${errorMessage(err)}`, field: err instanceof ApiError ? err.field : undefined });
      setBusy(false);
    }
  };

  return (
    <>
      {link}
      {!canOpen ? (
        <p class="muted">
          {readOnlyReason ? 'Pull requests from this branch are opened by those who can save to it.' : 'You cannot open a pull request from this branch.'}
        </p>
      ) : (
        <form class="form pull-form" onSubmit={submit} noValidate>
          {error && <Alert>{error.message}</Alert>}
          <p class="hint">
            Ask the RFC's maintainers to merge the saved text of this branch into the RFC.
            {unsaved && <strong> You have unsaved changes: only saved text goes into the pull request.</strong>}
          </p>
          <div class="field">
            <label for="pull-title">Title</label>
            <input
              id="pull-title"
              type="text"
              value={title}
              maxLength={TITLE_MAX}
              required
              aria-invalid={error?.field === 'title'}
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="pull-description">Description</label>
            <textarea
              id="pull-description"
              rows={4}
              value={description}
              aria-describedby="pull-description-hint"
              aria-invalid={error?.field === 'description'}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
            <p class="hint" id="pull-description-hint">
              Optional. Why this change? Markdown works.
            </p>
          </div>
          <div class="form__actions form__actions--start">
            <button type="submit" class="button button--primary" disabled={busy} aria-busy={busy}>
              {busy ? 'Opening…' : 'Open pull request'}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
