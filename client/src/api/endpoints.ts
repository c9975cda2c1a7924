import { request } from './client';
import type {
  CatalogResponse,
  CloseResponse,
  LoginResponse,
  LogoutResponse,
  MeResponse,
  MergeResponse,
  NewProposal,
  ProposalCreatedResponse,
  ProposalResponse,
  RfcResponse,
} from './types';

const enc = encodeURIComponent;

/** The admin home base's calls live in ./admin.ts. */
export { adminApi } from './admin';

/** Every HTTP call the client makes, typed. */
export const api = {
  me: () => request<MeResponse>('GET', '/api/me'),
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/auth/login', { username, password }),
  logout: () => request<LogoutResponse>('POST', '/auth/logout', {}),
  catalog: () => request<CatalogResponse>('GET', '/api/catalog'),
  propose: (input: NewProposal) => request<ProposalCreatedResponse>('POST', '/api/proposals', input),
  proposal: (number: number) => request<ProposalResponse>('GET', `/api/proposals/${number}`),
  /** `headSha`: merge only if the proposal is still what the person saw (the server answers 409 otherwise). */
  mergeProposal: (number: number, headSha?: string) =>
    request<MergeResponse>('POST', `/api/proposals/${number}/merge`, headSha ? { head_sha: headSha } : {}),
  closeProposal: (number: number, reason: string) =>
    request<CloseResponse>('POST', `/api/proposals/${number}/close`, { reason }),
  rfc: (slug: string) => request<RfcResponse>('GET', `/api/rfcs/${enc(slug)}`),
};
