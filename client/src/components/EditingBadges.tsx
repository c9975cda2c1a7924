import type { Branch, PullKind, PullState } from '../api/editing';

const PULL_LABELS: Record<PullState, string> = { open: 'Open', merged: 'Merged', closed: 'Closed' };
const BRANCH_LABELS: Record<Branch['state'], string> = { open: 'Open', closed: 'Closed', deleted: 'Deleted' };

export function pullKindLabel(kind: PullKind): string {
  return kind === 'body' ? 'Text edit' : kind === 'metadata' ? 'Metadata change' : 'Proposal';
}

/** Open / Merged / Closed, always with its text (colour is never the only signal). */
export function PullStateBadge({ state }: { state: PullState }) {
  return (
    <span class={`badge badge--pull-${state}`}>
      <span class="visually-hidden">Pull request state: </span>
      {PULL_LABELS[state] ?? state}
    </span>
  );
}

/** A branch's state, and "Merged" once its pull request was merged. */
export function BranchStateBadges({ branch }: { branch: Pick<Branch, 'state' | 'merged'> }) {
  return (
    <>
      <span class={`badge badge--branch-${branch.state}`}>
        <span class="visually-hidden">Branch state: </span>
        {BRANCH_LABELS[branch.state] ?? branch.state}
      </span>
      {branch.merged && (
        <span class="badge badge--pull-merged">
          Merged
        </span>
      )}
    </>
  );
}
