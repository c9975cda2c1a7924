import type { ProposalState, RfcState } from '../api/types';

const RFC_LABELS: Record<RfcState, string> = {
  'super-draft': 'Super-draft',
  active: 'Active',
  accepted: 'Accepted',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  superseded: 'Superseded',
};

const PROPOSAL_LABELS: Record<ProposalState, string> = {
  open: 'Open',
  merged: 'Merged',
  closed: 'Closed',
};

export function rfcStateLabel(state: RfcState): string {
  return RFC_LABELS[state] ?? state;
}

/** A coloured badge that always carries its text label (colour is never the only signal). */
export function RfcStateBadge({ state }: { state: RfcState }) {
  return (
    <span class={`badge badge--${state}`}>
      <span class="visually-hidden">State: </span>
      {rfcStateLabel(state)}
    </span>
  );
}

export function ProposalStateBadge({ state }: { state: ProposalState }) {
  return (
    <span class={`badge badge--proposal-${state}`}>
      <span class="visually-hidden">Proposal state: </span>
      {PROPOSAL_LABELS[state] ?? state}
    </span>
  );
}
