/**
 * Editing super-drafts: branches, saves, body-edit and metadata pull requests.
 * Shapes mirror `server/domain/views.py` (BranchView, PullView) and
 * `server/web/editing.py`; calls go through the same fetch wrapper as the rest.
 */
import { request } from './client';
import type { Rfc, RfcState } from './types';

export type BranchState = 'open' | 'closed' | 'deleted';
export type PullState = 'open' | 'merged' | 'closed';
export type PullKind = 'body' | 'metadata' | 'proposal';

export interface PullRef {
  number: number;
  state: PullState;
  kind: PullKind;
}

export interface Branch {
  repo: string;
  /** The full git branch name, e.g. `rfc/<slug>/alice/clarify`. */
  name: string;
  /** The part a person named, e.g. `alice/clarify` (used in URLs). */
  short: string;
  kind: 'edit' | 'metadata';
  rfc_slug: string;
  state: BranchState;
  head: string;
  /** ISO 8601 */
  last_commit_at: string;
  last_commit_author: string;
  pinned: boolean;
  merged: boolean;
  pull: PullRef | null;
}

export interface Pull {
  repo: string;
  number: number;
  kind: PullKind;
  rfc_slug: string;
  title: string;
  /** Markdown source of the description. */
  body: string;
  head_branch: string;
  base_branch: string;
  head_sha: string;
  state: PullState;
  author: string;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  closed_at: string | null;
  close_reason: string | null;
}

export interface DiffSegment {
  text: string;
  changed: boolean;
}

export interface DiffLine {
  kind: 'context' | 'add' | 'del';
  old: number | null;
  new: number | null;
  segments: DiffSegment[];
}

export interface DiffHunk {
  old_start: number;
  new_start: number;
  lines: DiffLine[];
}

export interface RenderedPair {
  before_html: string;
  after_html: string;
}

export interface CommitEntry {
  sha: string;
  message: string;
  author: string;
  /** ISO 8601 */
  at: string;
}

export interface BranchResponse {
  branch: Branch;
  rfc: Rfc;
  markdown: string;
  base_branch: string;
  diff: DiffHunk[];
  rendered: RenderedPair;
  pull: Pull | null;
  can_write: boolean;
  /** The viewer may pin or unpin this branch (the owner and admins; decided by the server). */
  can_pin: boolean;
}

export interface PullResponse {
  pull: Pull;
  description_html: string;
  diff: DiffHunk[];
  rendered: RenderedPair;
  commits: CommitEntry[];
  can_decide: boolean;
}

export interface MetadataChange {
  title?: string;
  pitch?: string;
  state?: RfcState;
  authors?: string[];
  description: string;
}

/** The `details` of a 409 `branch_moved` answer to a save. */
export interface BranchMovedDetails {
  head_sha: string;
  markdown: string;
}

// ---- URLs ---------------------------------------------------------------------

const enc = encodeURIComponent;

/** A branch's short name in a URL path: each `/`-separated segment encoded once, slashes kept. */
export function encodeBranchPath(short: string): string {
  return short.split('/').map(enc).join('/');
}

/** The inverse of `encodeBranchPath` (a malformed escape is kept as it is). */
export function decodeBranchPath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

export const rfcUrl = (slug: string): string => `/rfcs/${enc(slug)}`;
export const branchUrl = (slug: string, short: string): string =>
  `/rfcs/${enc(slug)}/branches/${encodeBranchPath(short)}`;
export const pullUrl = (slug: string, number: number): string => `/rfcs/${enc(slug)}/pulls/${number}`;

/** `rfc/<slug>/<short>` → `<short>` (null for branches that are not edit branches of this RFC). */
export function shortOfEditBranch(slug: string, name: string): string | null {
  const prefix = `rfc/${slug}/`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : null;
}

// ---- calls --------------------------------------------------------------------

const apiBranch = (slug: string, short: string): string =>
  `/api/rfcs/${enc(slug)}/branches/${encodeBranchPath(short)}`;

export const editingApi = {
  render: (markdown: string) => request<{ html: string }>('POST', '/api/render', { markdown }),
  startBranch: (slug: string, name: string) =>
    request<{ branch: Branch }>('POST', `/api/rfcs/${enc(slug)}/branches`, { name }),
  branch: (slug: string, short: string) => request<BranchResponse>('GET', apiBranch(slug, short)),
  saveBody: (slug: string, short: string, body: { markdown: string; base_sha: string; message: string }) =>
    request<{ branch: Branch }>('PUT', `${apiBranch(slug, short)}/body`, body),
  openPull: (slug: string, short: string, title: string, description: string) =>
    request<{ pull: Pull }>('POST', `${apiBranch(slug, short)}/pulls`, { title, description }),
  changeMetadata: (slug: string, change: MetadataChange) =>
    request<{ pull: Pull }>('POST', `/api/rfcs/${enc(slug)}/metadata`, change),
  pull: (slug: string, number: number) => request<PullResponse>('GET', `/api/rfcs/${enc(slug)}/pulls/${number}`),
  mergePull: (slug: string, number: number, headSha: string) =>
    request<{ pull: Pull }>('POST', `/api/rfcs/${enc(slug)}/pulls/${number}/merge`, { head_sha: headSha }),
  closePull: (slug: string, number: number, reason: string) =>
    request<{ pull: Pull }>('POST', `/api/rfcs/${enc(slug)}/pulls/${number}/close`, { reason }),
  pinBranch: (slug: string, short: string) => request<{ branch: Branch }>('POST', `${apiBranch(slug, short)}/pin`),
  unpinBranch: (slug: string, short: string) => request<{ branch: Branch }>('POST', `${apiBranch(slug, short)}/unpin`),
};

const time = (iso: string): number => Date.parse(iso) || 0;

/** Replace or add a pull request by number, never going back to an older state. */
export function upsertPull(list: readonly Pull[], pull: Pull): Pull[] {
  const known = list.find((p) => p.number === pull.number);
  if (known && time(pull.updated_at) < time(known.updated_at)) return [...list];
  return known ? list.map((p) => (p.number === pull.number ? pull : p)) : [pull, ...list];
}

/** Replace or add a branch by its full name. */
export function upsertBranch(list: readonly Branch[], branch: Branch): Branch[] {
  return list.some((b) => b.name === branch.name)
    ? list.map((b) => (b.name === branch.name ? branch : b))
    : [branch, ...list];
}
