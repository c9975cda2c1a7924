import type { HTMLAttributes } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, errorMessage } from '../../api/client';
import { editingApi, pullUrl, rfcUrl, type Branch, type BranchResponse } from '../../api/editing';
import { Alert } from '../../components/Alert';
import { Changes } from '../../components/Changes';
import { BranchStateBadges, PullStateBadge } from '../../components/EditingBadges';
import { PIN_MEANING, PinButton, PinnedBadge } from '../../components/PinControl';
import { Prose } from '../../components/Prose';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { LazyChat } from '../../components/chat/LazyChat';
import { UnreadCount } from '../../components/chat/UnreadCount';
import { branchRoom, rfcRoom } from '../../live/events';
import { onLiveEvent } from '../../live/socket';
import { useStore } from '../../lib/store';
import { relativeTime } from '../../lib/time';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { useMediaQuery } from '../../lib/useMediaQuery';
import { useOptionalRoom } from '../../lib/useOptionalRoom';
import { isNotFound, useResource } from '../../lib/useResource';
import { useRoom } from '../../lib/useRoom';
import { noteSignedOut, session } from '../../state/session';
import { NotFoundScreen } from '../NotFound';
import { ConflictPanel, type Conflict } from './ConflictPanel';
import { clearDrafts, loadDraft, saveDraft } from './drafts';
import { Editor, type EditorControl } from './Editor';
import { OpenPull } from './OpenPull';
import { usePreview } from './usePreview';
import '../../styles/editing.css';

/** The text the editor is based on: a branch head and the text at that head. */
interface Base {
  sha: string;
  markdown: string;
}

type Tab = 'edit' | 'preview' | 'changes' | 'chat';
/** Below the chat column's breakpoint the chat is a tab too. */
const TABS: { id: Tab; label: string }[] = [
  { id: 'edit', label: 'Edit' },
  { id: 'preview', label: 'Preview' },
  { id: 'changes', label: 'Changes' },
  { id: 'chat', label: 'Chat' },
];
/** Editor, preview and the chat side by side from here; tabs below. */
const COLUMNS_QUERY = '(max-width: 1199px)';

const WRITE_RULE = 'Only the person who started this branch, maintainers and admins can save here.';
const DRAFT_DELAY_MS = 300;

function readOnlyReason(data: BranchResponse, signedIn: boolean, rfcRemoved: boolean): string | null {
  if (rfcRemoved) return 'This RFC was removed from the catalog: its branches can be read, but nothing more can be saved.';
  if (data.branch.state === 'deleted') return 'This branch was deleted: it can be read, but nothing more can be saved to it.';
  if (data.branch.state === 'closed') return 'This branch is closed: it can be read, but nothing more can be saved to it.';
  if (!data.can_write) {
    return signedIn ? `${WRITE_RULE} Start a branch of your own on the RFC page to propose changes.` : `${WRITE_RULE} Sign in if that is you.`;
  }
  return null;
}

/** /rfcs/<slug>/branches/<branch…>: edit the RFC's text on a branch, preview it, save, open a pull request. */
export function BranchScreen({ slug, branch }: { slug: string; branch: string }) {
  const { state, update, reload } = useResource<BranchResponse>(`branch:${slug}:${branch}`, () => editingApi.branch(slug, branch));
  const data = state.status === 'ready' ? state.data : null;
  const user = useStore(session).user;
  useDocumentTitle(data ? `${branch} · ${data.rfc.title}` : branch);

  // ---- the editing session: base, text, and what the person is told -------------------
  const [base, setBaseState] = useState<Base | null>(null);
  const [text, setTextState] = useState<string | null>(null);
  const baseRef = useRef<Base | null>(null);
  const textRef = useRef<string | null>(null);
  const setBase = (next: Base): void => {
    baseRef.current = next;
    setBaseState(next);
  };
  const setText = (next: string): void => {
    textRef.current = next;
    setTextState(next);
  };
  const editor = useRef<EditorControl | null>(null);
  const [restoredAt, setRestoredAt] = useState<number | null>(null);
  const [newer, setNewer] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [saveStatus, setSaveStatus] = useState<'idle' | 'saving' | 'saved'>('idle');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const saving = useRef(false);
  const heldEvent = useRef<Branch | null>(null);
  const [rfcRemoved, setRfcRemoved] = useState(false);

  const dirty = base !== null && text !== null && text !== base.markdown;
  const isDirty = (): boolean => baseRef.current !== null && textRef.current !== null && textRef.current !== baseRef.current.markdown;

  // First load: the server's text, or the person's unsaved draft of it.
  useEffect(() => {
    if (!data || baseRef.current) return;
    const head = data.branch.head;
    const draft = loadDraft(slug, branch, head);
    if (draft && draft.markdown !== draft.baseMarkdown && draft.markdown !== data.markdown) {
      // A draft based on an older head keeps that head: saving it shows the conflict to resolve.
      setBase(draft.base === head ? { sha: head, markdown: data.markdown } : { sha: draft.base, markdown: draft.baseMarkdown });
      setText(draft.markdown);
      setRestoredAt(draft.savedAt);
      if (draft.base !== head) setNewer(true);
    } else {
      if (draft) clearDrafts(slug, branch);
      setBase({ sha: head, markdown: data.markdown });
      setText(data.markdown);
    }
  }, [data, slug, branch]);

  /** Take the server's current text (only when there is nothing unsaved to lose). */
  const adopt = (fresh: BranchResponse): void => {
    setBase({ sha: fresh.branch.head, markdown: fresh.markdown });
    setText(fresh.markdown);
    editor.current?.setText(fresh.markdown);
    setNewer(false);
  };

  /** Refetch the branch; follow a newer head unless that would overwrite unsaved text. */
  const refresh = useCallback(async (): Promise<void> => {
    const fresh = await reload({ silent: true });
    const current = baseRef.current;
    if (!fresh || !current || fresh.branch.head === current.sha) return;
    if (isDirty()) setNewer(true);
    else adopt(fresh);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reload]);

  // ---- live: the branch room ------------------------------------------------------------
  const onBranch = useCallback(
    (incoming: Branch): void => {
      update((d) => ({ ...d, branch: incoming }));
      const current = baseRef.current;
      if (!current) return;
      if (incoming.head === current.sha) {
        setNewer(false);
        return;
      }
      if (isDirty()) setNewer(true);
      else void refresh();
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [update, refresh],
  );

  const room = data ? branchRoom(data.branch.repo, data.branch.name) : null;
  const fullName = data?.branch.name ?? null;
  // Whoever is on a branch is on its RFC too (the RFC page's "Here now").
  useRoom(rfcRoom(slug));
  useOptionalRoom(room, (first) => {
    if (!first) void refresh(); // missed events while the connection was down
  });
  useEffect(() => {
    if (!fullName) return undefined;
    const offs = [
      onLiveEvent('branch.updated', ({ branch: b }) => {
        if (b.name !== fullName) return;
        // Our own save's event can beat its HTTP answer: look at it once the save is done.
        if (saving.current) heldEvent.current = b;
        else onBranch(b);
      }),
      onLiveEvent('rfc.removed', (p) => {
        if (p.slug === slug) setRfcRemoved(true);
      }),
      onLiveEvent('pull.updated', ({ pull }) => {
        if (pull.head_branch !== fullName) return;
        update((d) => (d.pull && d.pull.number === pull.number && Date.parse(pull.updated_at) < Date.parse(d.pull.updated_at) ? d : { ...d, pull }));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [fullName, slug, onBranch, update]);

  // ---- drafts and leaving ------------------------------------------------------------
  const flushDraft = useRef<() => void>(() => undefined);
  flushDraft.current = () => {
    const b = baseRef.current;
    const t = textRef.current;
    if (!b || t === null) return;
    if (t !== b.markdown) saveDraft({ slug, branch, base: b.sha, baseMarkdown: b.markdown, markdown: t });
    else clearDrafts(slug, branch);
  };
  useEffect(() => {
    if (!base || text === null) return undefined;
    const timer = window.setTimeout(() => flushDraft.current(), DRAFT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [base, text]);
  useEffect(() => {
    const onHide = (): void => flushDraft.current();
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      flushDraft.current(); // leaving the screen inside the app
    };
  }, []);
  useEffect(() => {
    if (!dirty) return undefined;
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      flushDraft.current();
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  // ---- saving ------------------------------------------------------------------------
  const save = async (baseSha?: string): Promise<void> => {
    const current = baseRef.current;
    const markdown = textRef.current;
    if (!current || markdown === null || saving.current) return;
    saving.current = true;
    setSaveStatus('saving');
    setSaveError(null);
    try {
      const result = await editingApi.saveBody(slug, branch, { markdown, base_sha: baseSha ?? current.sha, message: message.trim() });
      setBase({ sha: result.branch.head, markdown });
      clearDrafts(slug, branch);
      if (textRef.current !== markdown) flushDraft.current(); // typed on while saving
      setConflict(null);
      setNewer(false);
      setRestoredAt(null);
      setMessage('');
      setSaveStatus('saved');
      update((d) => ({ ...d, branch: result.branch }));
      void reload({ silent: true }); // the diff, the rendered before/after
    } catch (err) {
      setSaveStatus('idle');
      if (err instanceof ApiError && err.code === 'branch_moved' && err.details) {
        setConflict({
          headSha: String(err.details.head_sha ?? ''),
          markdown: String(err.details.markdown ?? ''),
          message: err.message,
        });
      } else {
        noteSignedOut(err);
        setSaveError(`Could not save: ${errorMessage(err)}`);
      }
    } finally {
      saving.current = false;
      const held = heldEvent.current;
      heldEvent.current = null;
      if (held) onBranch(held);
    }
  };

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (!isDirty() && !conflict) {
      setSaveError(null);
      setSaveStatus('saved');
      return;
    }
    void save();
  };

  const useTheirs = (): void => {
    if (!conflict) return;
    setBase({ sha: conflict.headSha, markdown: conflict.markdown });
    setText(conflict.markdown);
    editor.current?.setText(conflict.markdown);
    clearDrafts(slug, branch);
    setConflict(null);
    setNewer(false);
    setRestoredAt(null);
    setSaveStatus('idle');
    void refresh();
  };

  const discardDraft = (): void => {
    clearDrafts(slug, branch);
    setRestoredAt(null);
    if (data) adopt(data);
    void refresh();
  };

  const onEditorChange = useCallback((next: string) => {
    textRef.current = next;
    setTextState(next);
    setSaveStatus((s) => (s === 'saved' ? 'idle' : s));
  }, []);

  // ---- preview, layout -------------------------------------------------------------------
  const preview = usePreview(text, data && base ? { markdown: data.markdown, html: data.rendered.after_html } : null);
  const narrow = useMediaQuery(COLUMNS_QUERY);
  const [tab, setTab] = useState<Tab>('edit');
  const [chatUnread, setChatUnread] = useState(0);
  // The same element while the diff is the same: typing doesn't re-render the changes.
  const diff = data?.diff;
  const rendered = data?.rendered;
  const changes = useMemo(
    () =>
      diff && rendered ? (
        <Changes diff={diff} rendered={rendered} idPrefix="branch-changes" emptyText="No saved changes yet: this branch has the same text as the RFC." />
      ) : null,
    [diff, rendered],
  );

  if (state.status === 'error' && isNotFound(state.error)) {
    return (
      <NotFoundScreen
        title="Branch not found"
        detail={`RFC “${slug}” has no branch named “${branch}”. It may have been deleted, or the link is mistyped.`}
      />
    );
  }

  const reason = data ? readOnlyReason(data, !!user, rfcRemoved) : null;
  const writable = !!data && reason === null;

  const onTabKey = (event: KeyboardEvent): void => {
    const i = TABS.findIndex((t) => t.id === tab);
    let next = -1;
    if (event.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (event.key === 'ArrowLeft') next = (i + TABS.length - 1) % TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    event.preventDefault();
    const id = TABS[next]?.id ?? 'edit';
    setTab(id);
    document.getElementById(`tab-${id}`)?.focus();
  };
  const pane = (id: Tab): HTMLAttributes<HTMLElement> =>
    narrow
      ? { role: 'tabpanel', 'aria-labelledby': `tab-${id}`, hidden: tab !== id, id: `pane-${id}` }
      : { 'aria-labelledby': `${id}-heading`, id: `pane-${id}` };

  const chat = room ? (
    <LazyChat
      room={room}
      title="Chat"
      listLabel="Chat messages"
      presenceLabel="On this branch now"
      emptyText="No messages yet. Talk about this branch's changes here."
      active={!narrow || tab === 'chat'}
      onUnread={setChatUnread}
    />
  ) : (
    <div class="chat chat--placeholder" aria-hidden="true" />
  );

  const statusText = saveStatus === 'saving' ? 'Saving…' : dirty ? 'Unsaved changes' : saveStatus === 'saved' ? 'Saved' : '';

  return (
    <article class={`branch-page${narrow ? ' branch-page--tabs' : ' branch-page--with-chat'}`}>
      <div class="branch-page__main">
      <header class="doc-head branch-head">
        <p class="eyebrow">
          Branch
          {data && <BranchStateBadges branch={data.branch} />}
          {data?.branch.pinned && <PinnedBadge />}
        </p>
        <h1 tabIndex={-1} class={`branch-head__name${data ? '' : ' is-loading'}`}>
          {branch}
        </h1>
        {data ? (
          <p class="meta branch-head__meta">
            <span>
              Edits <a href={rfcUrl(slug)}>{data.rfc.title}</a>
            </span>
            <span>
              Last commit by {data.branch.last_commit_author || 'someone'} <RelTime iso={data.branch.last_commit_at} />
            </span>
            {data.pull && (
              <span>
                <a href={pullUrl(slug, data.pull.number)}>Pull request #{data.pull.number}</a> <PullStateBadge state={data.pull.state} />
              </span>
            )}
          </p>
        ) : state.status === 'loading' ? (
          <SkeletonLines lines={1} widths={['50%']} />
        ) : null}
        {data?.can_pin && data.branch.state !== 'deleted' && !rfcRemoved && (
          <p class="branch-pin">
            <PinButton slug={slug} branch={data.branch} onChanged={onBranch} describedBy="branch-pin-hint" />
            <span class="hint" id="branch-pin-hint">
              {PIN_MEANING}
              {data.branch.state === 'closed' && !data.branch.pinned ? ' Pinning reopens this branch.' : ''}
            </span>
          </p>
        )}
      </header>

      {state.status === 'error' && <Alert onRetry={() => void reload()}>Could not load this branch: {state.error.message}</Alert>}

      {reason && (
        <p class="readonly-note" id="readonly-why">
          <strong>Read only.</strong> {reason}
        </p>
      )}

      {restoredAt !== null && (
        <div class="note note--info">
          <p>
            <strong>Restored your unsaved text</strong> (last edited {relativeTime(new Date(restoredAt))}). It is not saved yet.
          </p>
          <button type="button" class="button button--small" onClick={discardDraft}>
            Discard draft
          </button>
        </div>
      )}

      <div class="live-note-region" role="status" aria-live="polite">
        {newer && !conflict && (
          <p class="note note--quiet">
            <strong>Someone saved a newer version.</strong> Your text stays as it is; when you save, you can compare it with theirs.
          </p>
        )}
      </div>

      {conflict && text !== null && (
        <ConflictPanel
          conflict={conflict}
          mine={text}
          busy={saveStatus === 'saving'}
          onUseTheirs={useTheirs}
          onKeepMine={() => void save(conflict.headSha)}
        />
      )}

      {saveError && <Alert>{saveError}</Alert>}

      {writable && (
        <form class="savebar" onSubmit={onSubmit} noValidate>
          <div class="field savebar__message">
            <label for="commit-message">Commit message</label>
            <input
              id="commit-message"
              type="text"
              value={message}
              maxLength={500}
              placeholder="What did you change? e.g. Clarify the motivation"
              onInput={(e) => setMessage(e.currentTarget.value)}
            />
          </div>
          <button
            id="save-button"
            type="submit"
            class="button button--primary savebar__save"
            disabled={saveStatus === 'saving'}
            aria-busy={saveStatus === 'saving'}
            aria-keyshortcuts="Control+S Meta+S"
            title="Save (Ctrl+S in the editor)"
          >
            Save
          </button>
          <p class="savebar__status" role="status" aria-live="polite">
            {statusText && <span class={`save-status save-status--${dirty ? 'dirty' : saveStatus}`}>{statusText}</span>}
          </p>
        </form>
      )}

      {narrow && (
        <div class="branch-tabs" role="tablist" aria-label="Branch views" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              id={`tab-${t.id}`}
              type="button"
              role="tab"
              class="branch-tabs__tab"
              aria-selected={tab === t.id}
              aria-controls={`pane-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {t.id === 'chat' && tab !== 'chat' && <UnreadCount count={chatUnread} compact />}
            </button>
          ))}
        </div>
      )}

      <div class={`workspace${narrow ? ' workspace--tabs' : ''}`}>
        <section class="pane pane--edit" {...pane('edit')}>
          <h2 id="edit-heading" class="pane__label">
            Text
          </h2>
          {data && text !== null ? (
            <Editor
              initial={text}
              readOnly={!writable}
              label="RFC text"
              {...(reason ? { describedBy: 'readonly-why' } : {})}
              onChange={onEditorChange}
              {...(writable ? { onSave: () => document.getElementById('save-button')?.click() } : {})}
              control={editor}
            />
          ) : (
            <div class="editor editor--placeholder" aria-hidden="true" />
          )}
        </section>
        <section class="pane pane--preview" {...pane('preview')}>
          <h2 id="preview-heading" class="pane__label">
            Preview
            <span class="pane__status" aria-hidden="true">
              {preview.pending ? 'updating…' : ''}
            </span>
          </h2>
          {preview.error && <Alert tone="warning">{preview.error}</Alert>}
          <div class="preview" tabIndex={0} role="region" aria-label="Preview of the text">
            {data ? preview.html.trim() ? <Prose html={preview.html} /> : <p class="muted">Nothing to preview yet.</p> : <SkeletonLines lines={8} />}
          </div>
        </section>
      </div>

      <section class="pane pane--changes branch-section" {...pane('changes')}>
        <h2 id="changes-heading" class="section-label">
          Changes
        </h2>
        {data ? (
          <>
            <p class="hint changes__hint">
              What this branch changes, as saved, compared with the RFC's current text on <code>{data.base_branch}</code>.
              {dirty && ' Your unsaved edits are not included yet.'}
            </p>
            {changes}
          </>
        ) : (
          <SkeletonLines lines={4} />
        )}
      </section>

      {narrow && (
        <section class="pane pane--chat" {...pane('chat')}>
          {chat}
        </section>
      )}

      {data && (
        <section class="branch-section" aria-labelledby="pull-heading">
          <h2 id="pull-heading" class="section-label">
            Pull request
          </h2>
          <OpenPull slug={slug} branch={branch} pull={data.pull} canOpen={writable} readOnlyReason={reason} unsaved={dirty} />
        </section>
      )}
      </div>
      {!narrow && <div class="branch-page__chat">{chat}</div>}
    </article>
  );
}
