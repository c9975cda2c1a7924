/**
 * The admin home base's API (server/web/admin.py): users, roles, suspensions,
 * maintainers, the audit trail and permission events. Shapes mirror
 * server/domain/views.py (AdminUserView, AuditEntryView, PermissionEventView).
 */
import { request } from './client';
import type { Role, User } from './types';

export const ROLES: readonly Role[] = ['owner', 'admin', 'contributor'];

/** The server's page size for every admin list (server/domain/admin.py PAGE_SIZE). */
export const ADMIN_PAGE_SIZE = 50;

/** May see /admin: the owner and admins (suspended people are never signed in). */
export function isStaff(user: User | null | undefined): boolean {
  return !!user && (user.role === 'owner' || user.role === 'admin');
}

export interface AdminUser {
  id: number;
  login: string;
  display_name: string;
  email: string;
  role: Role;
  suspended: boolean;
  suspended_reason: string | null;
  /** ISO 8601 */
  created_at: string;
  /** ISO 8601, or null if never seen. */
  last_seen_at: string | null;
  /** RFC slugs this person maintains, sorted. */
  maintainer_of: string[];
  /** Set when no email goes to this person's address (a bounce, a complaint, or staff). */
  email_suppression: EmailSuppression | null;
}

export interface EmailSuppression {
  reason: 'bounce' | 'complaint' | 'admin';
  details: string;
  /** ISO 8601 */
  at: string;
}

export interface AuditEntry {
  id: number;
  /** ISO 8601 UTC, e.g. 2026-03-03T14:05:09Z */
  at: string;
  /** Login of the person who acted; null for the system. */
  actor: string | null;
  /** The bot login that did the git work for them, if any. */
  on_behalf_of: string | null;
  kind: string;
  /** e.g. `user:3`, `proposal:12`, `rfc:better-search` */
  target: string;
  details: Record<string, unknown>;
}

export interface PermissionEvent {
  id: number;
  at: string;
  actor: string | null;
  subject: string;
  /** `site` or `rfc:<slug>` */
  scope: string;
  from: string | null;
  to: string | null;
  reason: string;
}

/**
 * A request to graduate a super-draft (the graduation feature lands later; the
 * queue is empty until then). Fields beyond `id` are what the screen shows if present.
 */
export interface GraduationRequest {
  id: number;
  rfc_slug?: string;
  rfc_title?: string;
  requested_by?: string | null;
  /** ISO 8601 */
  requested_at?: string;
  note?: string;
}

export interface AuditFilters {
  actor?: string;
  kind?: string;
  rfc?: string;
  /** ISO 8601 lower bound (inclusive). */
  since?: string;
  /** ISO 8601 upper bound (inclusive). */
  until?: string;
}

export interface PermissionFilters {
  subject?: string;
  actor?: string;
}

export interface UserResponse {
  user: AdminUser;
}

function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const qs = search.toString();
  return qs ? `?${qs}` : '';
}

/** Every admin call, typed. */
export const adminApi = {
  users: (q: string, page: number) =>
    request<{ users: AdminUser[] }>('GET', `/api/admin/users${query({ q: q.trim(), page: page > 1 ? page : undefined })}`),
  changeRole: (userId: number, role: Role, reason: string) =>
    request<UserResponse>('POST', `/api/admin/users/${userId}/role`, { role, reason }),
  suspend: (userId: number, reason: string) =>
    request<UserResponse>('POST', `/api/admin/users/${userId}/suspend`, { reason }),
  restore: (userId: number, reason: string) =>
    request<UserResponse>('POST', `/api/admin/users/${userId}/restore`, { reason }),
  setEmailSuppression: (userId: number, suppressed: boolean, reason: string) =>
    request<UserResponse>('POST', `/api/admin/users/${userId}/email`, { suppressed, reason }),
  setMaintainer: (userId: number, slug: string, grant: boolean, reason: string) =>
    request<UserResponse>('POST', `/api/admin/users/${userId}/maintainer`, { slug, grant, reason }),
  audit: (filters: AuditFilters, before?: number) =>
    request<{ entries: AuditEntry[] }>('GET', `/api/admin/audit${query({ ...filters, before })}`),
  permissionEvents: (filters: PermissionFilters, before?: number) =>
    request<{ events: PermissionEvent[] }>('GET', `/api/admin/permission-events${query({ ...filters, before })}`),
  graduationQueue: () => request<{ requests: GraduationRequest[] }>('GET', '/api/admin/graduation-queue'),
  /** Not served yet: arrives with the graduation feature. */
  decideGraduation: (requestId: number, approve: boolean, reason: string) =>
    request<{ request: GraduationRequest }>(
      'POST',
      `/api/admin/graduation-queue/${requestId}/${approve ? 'approve' : 'decline'}`,
      { reason },
    ),
};
