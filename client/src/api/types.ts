/** The server's JSON shapes, as documented in the API contract. */
import type { Branch, CommitEntry, Pull } from './editing';

export type Role = 'owner' | 'admin' | 'contributor';

export interface User {
  id: number;
  login: string;
  display_name: string;
  role: Role;
}

export const RFC_STATES = [
  'super-draft',
  'active',
  'accepted',
  'rejected',
  'withdrawn',
  'superseded',
] as const;
export type RfcState = (typeof RFC_STATES)[number];

export type ProposalState = 'open' | 'merged' | 'closed';

export interface Rfc {
  slug: string;
  title: string;
  pitch: string;
  state: RfcState;
  authors: string[];
  rfc_number: number | null;
  repo: string;
  /** ISO 8601 */
  updated_at: string;
}

export interface Proposal {
  number: number;
  slug: string;
  title: string;
  pitch: string;
  author: string;
  state: ProposalState;
  /** ISO 8601 */
  opened_at: string;
  /** ISO 8601 */
  updated_at: string;
  close_reason: string | null;
  head_sha?: string;
}

export interface MeResponse {
  user: User | null;
  csrf_token: string;
  /** How people sign in here: a password form, or a round trip through Gitea. */
  sign_in: 'password' | 'gitea';
  /** Why a session that was signed in no longer is (sent once), e.g. a suspension. */
  notice?: string;
}

export interface LoginResponse {
  user: User;
  csrf_token: string;
}

export interface LogoutResponse {
  ok: true;
  csrf_token: string;
}

export interface CatalogResponse {
  rfcs: Rfc[];
  pending: Proposal[];
}

export interface NewProposal {
  title: string;
  slug: string;
  pitch: string;
}

export interface ProposalCreatedResponse {
  proposal: Proposal;
}

export interface ProposalResponse {
  proposal: Proposal;
  /** Sanitized HTML rendered by the server. */
  body_html: string;
  can_decide: boolean;
}

export interface MergeResponse {
  proposal: Proposal;
  rfc: Rfc;
}

export interface CloseResponse {
  proposal: Proposal;
}

export interface RfcResponse {
  rfc: Rfc;
  body_html: string;
  /** Edit branches of the RFC (any state). */
  branches: Branch[];
  /** Open body-edit and metadata pull requests. */
  pulls: Pull[];
  /** Latest commits that touched the RFC's file on the default branch, newest first. */
  history: CommitEntry[];
  maintainers: string[];
  /** When it entered the catalog (its proposal's merge), or null where that is unknown. */
  created_at: string | null;
  can_start_branch: boolean;
  can_merge: boolean;
  /** The viewer may pin and unpin this RFC's branches (decided by the server). */
  can_pin: boolean;
}

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { field?: string } & Record<string, unknown>;
  };
}
