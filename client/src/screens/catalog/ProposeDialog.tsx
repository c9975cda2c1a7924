import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { api } from '../../api/endpoints';
import type { Proposal } from '../../api/types';
import { PITCH_MAX, SLUG_PATTERN, TITLE_MAX, TITLE_MIN, normalizeSlugInput, slugify } from '../../lib/slug';
import { noteSignedOut } from '../../state/session';

type Field = 'title' | 'slug' | 'pitch';

interface Props {
  open: boolean;
  onClose: () => void;
  onProposed: (proposal: Proposal) => void;
}

interface Draft {
  title: string;
  slug: string;
  slugEdited: boolean;
  pitch: string;
}

const EMPTY: Draft = { title: '', slug: '', slugEdited: false, pitch: '' };

function validate(d: Draft): { field: Field; message: string } | null {
  const title = d.title.trim().replace(/\s+/g, ' ');
  if (title.length < TITLE_MIN || title.length > TITLE_MAX) {
    return { field: 'title', message: `Give the RFC a title of ${TITLE_MIN} to ${TITLE_MAX} characters.` };
  }
  if (!SLUG_PATTERN.test(d.slug)) {
    return {
      field: 'slug',
      message:
        'The slug must be 3 to 64 lower-case letters, digits and hyphens, starting and ending with a letter or digit.',
    };
  }
  if (d.pitch.trim().length > PITCH_MAX) {
    return { field: 'pitch', message: `Shorten the pitch to at most ${PITCH_MAX} characters.` };
  }
  return null;
}

function fieldOf(error: ApiError): Field | null {
  if (error.field === 'title' || error.field === 'slug' || error.field === 'pitch') return error.field;
  if (error.status === 409) return 'slug';
  const m = error.message.toLowerCase();
  if (m.includes('slug')) return 'slug';
  if (m.includes('title')) return 'title';
  if (m.includes('pitch')) return 'pitch';
  return null;
}

/** "+ Propose New RFC": a modal dialog with Title, Slug (suggested from the title) and Pitch. */
export function ProposeDialog({ open, onClose, onProposed }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleInput = useRef<HTMLInputElement>(null);
  const slugInput = useRef<HTMLInputElement>(null);
  const pitchInput = useRef<HTMLTextAreaElement>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<{ field: Field | null; message: string } | null>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      titleInput.current?.focus();
    } else if (!open && el.open) {
      el.close();
    }
  }, [open]);

  const focusField = (field: Field | null): void => {
    const target = field === 'title' ? titleInput : field === 'slug' ? slugInput : field === 'pitch' ? pitchInput : null;
    target?.current?.focus();
  };

  const onSubmit = async (event: Event): Promise<void> => {
    event.preventDefault();
    if (pending) return;
    const problem = validate(draft);
    if (problem) {
      setError(problem);
      focusField(problem.field);
      return;
    }
    setPending(true);
    setError(null);
    try {
      const { proposal } = await api.propose({
        title: draft.title.trim().replace(/\s+/g, ' '),
        slug: draft.slug,
        pitch: draft.pitch.trim(),
      });
      setDraft(EMPTY);
      onProposed(proposal);
    } catch (err) {
      noteSignedOut(err);
      const field = err instanceof ApiError ? fieldOf(err) : null;
      let message = errorMessage(err);
      if (err instanceof ApiError && err.status === 401) message = `${message} Sign in again, then propose; your text is kept here.`;
      setError({ field, message });
      focusField(field);
    } finally {
      setPending(false);
    }
  };

  const invalid = (field: Field): true | undefined => (error?.field === field ? true : undefined);
  const describe = (field: Field, hint: string): string =>
    error?.field === field ? `${hint} propose-error` : hint;
  const pitchLength = draft.pitch.length;

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="propose-title"
      onClose={onClose}
      onCancel={(event) => {
        if (pending) event.preventDefault();
      }}
    >
      <form class="form" onSubmit={onSubmit} noValidate>
        <div class="dialog__head">
          <h2 id="propose-title">Propose a new RFC</h2>
          <button type="button" class="icon-button" aria-label="Close the form" onClick={onClose} disabled={pending}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <p class="muted dialog__intro">
          Your idea opens as a proposal in the catalog under “Pending ideas” until it is merged.
        </p>
        {error && (
          <div class="alert alert--error" role="alert" id="propose-error">
            <span class="alert__icon" aria-hidden="true">!</span>
            <div class="alert__body">{error.message}</div>
          </div>
        )}
        <div class="field">
          <label for="propose-title-input">Title</label>
          <input
            ref={titleInput}
            id="propose-title-input"
            name="title"
            type="text"
            required
            maxLength={TITLE_MAX}
            autoComplete="off"
            value={draft.title}
            aria-invalid={invalid('title')}
            aria-describedby={error?.field === 'title' ? 'propose-error' : undefined}
            onInput={(e) => {
              const title = e.currentTarget.value;
              setDraft((d) => ({ ...d, title, slug: d.slugEdited ? d.slug : slugify(title) }));
            }}
          />
        </div>
        <div class="field">
          <label for="propose-slug-input">Slug</label>
          <input
            ref={slugInput}
            id="propose-slug-input"
            name="slug"
            type="text"
            required
            class="mono"
            maxLength={64}
            autoComplete="off"
            autoCapitalize="none"
            spellcheck={false}
            value={draft.slug}
            aria-invalid={invalid('slug')}
            aria-describedby={describe('slug', 'propose-slug-hint')}
            onInput={(e) => {
              const slug = normalizeSlugInput(e.currentTarget.value);
              // An emptied slug goes back to following the title.
              setDraft((d) => ({ ...d, slug, slugEdited: slug !== '' }));
            }}
          />
          <p class="hint" id="propose-slug-hint">
            Lower-case letters, digits and hyphens. It names the file and the URL: /rfcs/{draft.slug || 'your-slug'}
          </p>
        </div>
        <div class="field">
          <label for="propose-pitch-input">Pitch</label>
          <textarea
            ref={pitchInput}
            id="propose-pitch-input"
            name="pitch"
            rows={3}
            maxLength={PITCH_MAX}
            value={draft.pitch}
            aria-invalid={invalid('pitch')}
            aria-describedby={describe('pitch', 'propose-pitch-count')}
            onInput={(e) => {
              const pitch = e.currentTarget.value;
              setDraft((d) => ({ ...d, pitch }));
            }}
          />
          <p class={`hint counter${pitchLength >= PITCH_MAX - 25 ? ' counter--near' : ''}`} id="propose-pitch-count">
            {pitchLength} / {PITCH_MAX} characters
          </p>
        </div>
        <div class="form__actions">
          <button type="button" class="button" onClick={onClose} disabled={pending}>
            Cancel
          </button>
          <button type="submit" class="button button--primary" disabled={pending} aria-busy={pending}>
            {pending ? 'Proposing…' : 'Propose'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
