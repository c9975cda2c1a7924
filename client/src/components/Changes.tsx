import { useState } from 'preact/hooks';
import type { DiffHunk, DiffLine, RenderedPair } from '../api/editing';
import { Prose } from './Prose';

export interface DiffLabels {
  /** Said (to screen readers) before an added line, e.g. "Added". */
  add: string;
  /** Said before a removed line, e.g. "Removed". */
  del: string;
  /** Column headings for the two line numbers. */
  oldColumn: string;
  newColumn: string;
}

const DEFAULT_LABELS: DiffLabels = { add: 'Added', del: 'Removed', oldColumn: 'Before', newColumn: 'After' };

function range(start: number, count: number): string {
  return count <= 1 ? `line ${start}` : `lines ${start}–${start + count - 1}`;
}

function hunkTitle(hunk: DiffHunk): string {
  const oldCount = hunk.lines.filter((l) => l.kind !== 'add').length;
  const newCount = hunk.lines.filter((l) => l.kind !== 'del').length;
  const oldPart = oldCount ? range(hunk.old_start, oldCount) : 'nothing';
  const newPart = newCount ? range(hunk.new_start, newCount) : 'nothing';
  return `${oldPart[0]?.toUpperCase() ?? ''}${oldPart.slice(1)} → ${newPart}`;
}

function Line({ line, labels }: { line: DiffLine; labels: DiffLabels }) {
  const sign = line.kind === 'add' ? '+' : line.kind === 'del' ? '−' : ' ';
  const Mark = line.kind === 'add' ? 'ins' : 'del';
  return (
    <tr class={`diff__line diff__line--${line.kind}`}>
      <td class="diff__num">{line.old ?? ''}</td>
      <td class="diff__num">{line.new ?? ''}</td>
      <td class="diff__text">
        <span class="diff__sign" aria-hidden="true">
          {sign}
        </span>
        {line.kind !== 'context' && <span class="visually-hidden">{line.kind === 'add' ? labels.add : labels.del}: </span>}
        {line.segments.map((segment, i) =>
          segment.changed && line.kind !== 'context' ? (
            <Mark key={i} class="diff__word">
              {segment.text}
            </Mark>
          ) : (
            <span key={i}>{segment.text}</span>
          ),
        )}
        {line.segments.length === 0 || line.segments.every((s) => s.text === '') ? <span class="diff__empty">{'\u00a0'}</span> : null}
      </td>
    </tr>
  );
}

/** A source diff: hunks of context, added (+, underlined words) and removed (−, struck-through words) lines. */
export function DiffView({ hunks, labels = DEFAULT_LABELS, caption }: { hunks: DiffHunk[]; labels?: DiffLabels; caption: string }) {
  const added = hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind === 'add').length, 0);
  const removed = hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind === 'del').length, 0);
  return (
    <div class="diff-wrap">
      <p class="diff__summary">
        <span class="diff__count diff__count--add">
          {added} {added === 1 ? 'line' : 'lines'} {labels.add.toLowerCase()}
        </span>
        <span class="diff__count diff__count--del">
          {removed} {removed === 1 ? 'line' : 'lines'} {labels.del.toLowerCase()}
        </span>
      </p>
      <div class="diff-scroll" tabIndex={0} role="region" aria-label={caption}>
        <table class="diff">
          <caption class="visually-hidden">{caption}</caption>
          <thead class="visually-hidden">
            <tr>
              <th scope="col">{labels.oldColumn} line</th>
              <th scope="col">{labels.newColumn} line</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          {hunks.map((hunk, i) => (
            <tbody key={`${hunk.old_start}:${hunk.new_start}:${i}`}>
              <tr class="diff__hunk">
                <th scope="rowgroup" colSpan={3}>
                  {hunkTitle(hunk)}
                </th>
              </tr>
              {hunk.lines.map((line, j) => (
                <Line key={j} line={line} labels={labels} />
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </div>
  );
}

/**
 * The changes of a branch or pull request: the source diff, or the rendered text
 * before and after, side by side (stacked on narrow screens).
 */
export function Changes({
  diff,
  rendered,
  emptyText,
  idPrefix,
}: {
  diff: DiffHunk[];
  rendered: RenderedPair;
  emptyText: string;
  idPrefix: string;
}) {
  const [mode, setMode] = useState<'source' | 'rendered'>('source');
  if (diff.length === 0) return <p class="muted">{emptyText}</p>;
  return (
    <div class="changes">
      <div class="segmented" role="group" aria-label="Show the changes as">
        <button type="button" class="segmented__button" aria-pressed={mode === 'source'} onClick={() => setMode('source')}>
          Source diff
        </button>
        <button type="button" class="segmented__button" aria-pressed={mode === 'rendered'} onClick={() => setMode('rendered')}>
          Rendered
        </button>
      </div>
      {mode === 'source' ? (
        <DiffView hunks={diff} caption="Source changes, line by line" />
      ) : (
        <div class="before-after">
          <section class="before-after__side" aria-labelledby={`${idPrefix}-before`}>
            <h3 id={`${idPrefix}-before`} class="before-after__label">
              Before
            </h3>
            {rendered.before_html.trim() ? <Prose html={rendered.before_html} /> : <p class="muted">(no text)</p>}
          </section>
          <section class="before-after__side" aria-labelledby={`${idPrefix}-after`}>
            <h3 id={`${idPrefix}-after`} class="before-after__label">
              After
            </h3>
            {rendered.after_html.trim() ? <Prose html={rendered.after_html} /> : <p class="muted">(no text)</p>}
          </section>
        </div>
      )}
    </div>
  );
}
