/**
 * A small line diff (with word marks inside changed lines), computed in the browser
 * to compare two unsaved texts — e.g. someone else's saved version with ours. Same
 * shape as the server's diffs (`DiffHunk`), so the same component shows both.
 */
import type { DiffHunk, DiffLine, DiffSegment } from '../api/editing';

type Op = { kind: 'equal' | 'del' | 'add'; a: number; b: number };

/** Longest common subsequence script between `a` and `b` (trimmed of a common head and tail). */
function script<T>(a: readonly T[], b: readonly T[], limit: number): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ kind: 'equal', a: i, b: i });
  const n = endA - start;
  const m = endB - start;
  if (n * m > limit) {
    // Too big to compare finely: the whole middle changed.
    for (let i = 0; i < n; i++) ops.push({ kind: 'del', a: start + i, b: -1 });
    for (let j = 0; j < m; j++) ops.push({ kind: 'add', a: -1, b: start + j });
  } else if (n > 0 || m > 0) {
    // lengths[i][j]: LCS length of a[start+i..endA) and b[start+j..endB)
    const width = m + 1;
    const lengths = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lengths[i * width + j] =
          a[start + i] === b[start + j]
            ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
            : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        ops.push({ kind: 'equal', a: start + i, b: start + j });
        i++;
        j++;
      } else if (j < m && (i === n || (lengths[i * width + j + 1] ?? 0) >= (lengths[(i + 1) * width + j] ?? 0))) {
        ops.push({ kind: 'add', a: -1, b: start + j });
        j++;
      } else {
        ops.push({ kind: 'del', a: start + i, b: -1 });
        i++;
      }
    }
  }
  for (let k = 0; k < a.length - endA; k++) ops.push({ kind: 'equal', a: endA + k, b: endB + k });
  return ops;
}

const TOKENS = /\s+|[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

function merge(segments: DiffSegment[]): DiffSegment[] {
  const out: DiffSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.changed === s.changed) last.text += s.text;
    else if (s.text) out.push({ ...s });
  }
  return out;
}

/** Mark the words that differ between a removed and an added line. */
export function wordSegments(oldLine: string, newLine: string): [DiffSegment[], DiffSegment[]] {
  const a = oldLine.match(TOKENS) ?? [];
  const b = newLine.match(TOKENS) ?? [];
  const left: DiffSegment[] = [];
  const right: DiffSegment[] = [];
  for (const op of script(a, b, 250_000)) {
    if (op.kind === 'equal') {
      left.push({ text: a[op.a] ?? '', changed: false });
      right.push({ text: b[op.b] ?? '', changed: false });
    } else if (op.kind === 'del') left.push({ text: a[op.a] ?? '', changed: true });
    else right.push({ text: b[op.b] ?? '', changed: true });
  }
  return [merge(left), merge(right)];
}

const whole = (text: string): DiffSegment[] => [{ text, changed: false }];

function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Hunks (with `context` unchanged lines around each change) turning `oldText` into `newText`. */
export function diffLines(oldText: string, newText: string, context = 3): DiffHunk[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = script(a, b, 4_000_000);
  // Lines with word marks: pair each run of removed lines with the added run after it.
  const lines: DiffLine[] = [];
  let k = 0;
  while (k < ops.length) {
    const op = ops[k];
    if (!op) break;
    if (op.kind === 'equal') {
      lines.push({ kind: 'context', old: op.a + 1, new: op.b + 1, segments: whole(a[op.a] ?? '') });
      k++;
      continue;
    }
    const dels: number[] = [];
    const adds: number[] = [];
    while (k < ops.length && ops[k]?.kind !== 'equal') {
      const o = ops[k] as Op;
      if (o.kind === 'del') dels.push(o.a);
      else adds.push(o.b);
      k++;
    }
    const paired = Math.min(dels.length, adds.length);
    const left: DiffSegment[][] = [];
    const right: DiffSegment[][] = [];
    for (let p = 0; p < paired; p++) {
      const [l, r] = wordSegments(a[dels[p] as number] ?? '', b[adds[p] as number] ?? '');
      left.push(l);
      right.push(r);
    }
    dels.forEach((i, p) => lines.push({ kind: 'del', old: i + 1, new: null, segments: left[p] ?? whole(a[i] ?? '') }));
    adds.forEach((j, p) => lines.push({ kind: 'add', old: null, new: j + 1, segments: right[p] ?? whole(b[j] ?? '') }));
  }
  // Group changed lines with their context into hunks.
  const hunks: DiffHunk[] = [];
  const changed = lines.map((l, i) => (l.kind === 'context' ? -1 : i)).filter((i) => i >= 0);
  let idx = 0;
  while (idx < changed.length) {
    const first = changed[idx] as number;
    let last = first;
    while (idx + 1 < changed.length && (changed[idx + 1] as number) - last <= context * 2 + 1) {
      idx++;
      last = changed[idx] as number;
    }
    idx++;
    const from = Math.max(0, first - context);
    const to = Math.min(lines.length, last + context + 1);
    const slice = lines.slice(from, to);
    const firstOld = slice.find((l) => l.old !== null)?.old ?? 1;
    const firstNew = slice.find((l) => l.new !== null)?.new ?? 1;
    hunks.push({ old_start: firstOld, new_start: firstNew, lines: slice });
  }
  return hunks;
}
