import { useMemo } from 'preact/hooks';
import { DiffView } from '../../components/Changes';
import { diffLines } from '../../lib/lineDiff';

export interface Conflict {
  /** The branch head someone else saved. */
  headSha: string;
  /** Their text at that head. */
  markdown: string;
  /** The server's explanation. */
  message: string;
}

interface Props {
  conflict: Conflict;
  mine: string;
  busy: boolean;
  onUseTheirs: () => void;
  onKeepMine: () => void;
}

const LABELS = { add: 'Only in yours', del: 'Only in theirs', oldColumn: 'Their', newColumn: 'Your' };

/** Someone saved first: say so, show their text against ours, and offer both ways out. */
export function ConflictPanel({ conflict, mine, busy, onUseTheirs, onKeepMine }: Props) {
  const hunks = useMemo(() => diffLines(conflict.markdown, mine), [conflict.markdown, mine]);
  return (
    <section class="conflict" aria-labelledby="conflict-heading">
      <div class="alert alert--warning" role="alert">
        <span class="alert__icon" aria-hidden="true">
          !
        </span>
        <div class="alert__body">
          <h2 id="conflict-heading" class="conflict__title">
            Not saved: someone else saved first
          </h2>
          <p>{conflict.message}</p>
        </div>
      </div>
      <div class="conflict__actions">
        <button type="button" class="button button--primary" onClick={onKeepMine} disabled={busy} aria-busy={busy}>
          Keep mine and save again
        </button>
        <button type="button" class="button" onClick={onUseTheirs} disabled={busy}>
          Use their version
        </button>
        <p class="hint">
          “Keep mine” saves your text over theirs (their version stays in the branch history). “Use theirs” replaces the text in the
          editor with theirs.
        </p>
      </div>
      <h3 class="conflict__sub">Their version compared with yours</h3>
      {hunks.length === 0 ? (
        <p class="muted">Your text and theirs are the same.</p>
      ) : (
        <DiffView hunks={hunks} labels={LABELS} caption="Their saved text (−) compared with your text in the editor (+)" />
      )}
      <details class="conflict__theirs">
        <summary>Their full text</summary>
        <pre class="conflict__pre" tabIndex={0}>
          {conflict.markdown || '(empty)'}
        </pre>
      </details>
    </section>
  );
}
