/**
 * Every live event the server sends, with its payload.
 *
 * Mirrors `server/domain/live.py` (names and payloads) and the room protocol of
 * `realtime/`. Add a new event here first; the socket and the stores take their
 * types from this module.
 */
import type { Branch, Pull } from '../api/editing';
import type { Proposal, Rfc } from '../api/types';
import type { AdminUser, AuditEntry, PermissionEvent } from '../api/admin';
import type { ChatMessage, Thread } from '../api/chat';

export const CATALOG_ROOM = 'catalog';
/** Room for one RFC (joined by the RFC page once the server publishes to it). */
export const rfcRoom = (slug: string): string => `rfc:${slug}`;
/** Room for one branch: `repo` and the full branch `name` as the server sends them (`Branch.repo`, `Branch.name`). */
export const branchRoom = (repo: string, name: string): string => `branch:${repo}:${name}`;

/** The admin home base's room: owner and admins only (the server refuses others). */
export const ADMIN_ROOM = 'admin';
/** A discussion thread's chat room. */
export const threadRoom = (id: number): string => `thread:${id}`;
/** The signed-in person's own room (`chat.read` of their other tabs); joined once, by `live/chatUserRoom.ts`. */
export const userRoom = (id: number): string => `user:${id}`;

// ---- payloads ---------------------------------------------------------------

/** `proposal.opened` — room: catalog. */
export interface ProposalOpenedPayload {
  proposal: Proposal;
}

/** `proposal.closed` — room: catalog. */
export interface ProposalClosedPayload {
  proposal: Proposal;
}

/** `proposal.merged` — rooms: catalog, rfc:<slug>. `rfc` may be null if the RFC is not cached yet. */
export interface ProposalMergedPayload {
  proposal: Proposal;
  rfc: Rfc | null;
}

/** `rfc.updated` — rooms: catalog, rfc:<slug>. */
export interface RfcUpdatedPayload {
  rfc: Rfc;
}

/**
 * `rfc.removed` — rooms: catalog, rfc:<slug>. The RFC's file left the meta repository's
 * default branch: it is no longer in the catalog (a later `rfc.updated` may bring it back).
 */
export interface RfcRemovedPayload {
  slug: string;
}

/** `branch.updated` — rooms: rfc:<slug>, branch:<repo>:<name>. A branch was created, moved, closed, deleted or its PR changed. */
export interface BranchUpdatedPayload {
  branch: Branch;
}

/** `pull.updated` — rooms: rfc:<slug>, branch:<repo>:<head branch>. A body-edit or metadata PR was opened, changed, merged or closed. */
export interface PullUpdatedPayload {
  pull: Pull;
}

/** `audit.appended` — room: admin. A new audit-log entry. */
export interface AuditAppendedPayload {
  entry: AuditEntry;
}

/** `permission.changed` — room: admin. A new permission event (role, suspension, maintainer). */
export interface PermissionChangedPayload {
  event: PermissionEvent;
}

/** `user.changed` — room: admin. A user's role, suspension or maintainer grants changed. */
export interface UserChangedPayload {
  user: AdminUser;
}

/**
 * `session.revoked` — every socket of the affected user (server-side room
 * `sessions:<id>`, not joinable). Sent just before the server disconnects them
 * because their role, suspension or maintainer grants changed.
 */
export interface SessionRevokedPayload {
  reason: string;
}

/** `chat.message` — room: the message's own room (`branch:…`, `thread:…`). Sent, edited or deleted: upsert by id. */
export interface ChatMessagePayload {
  message: ChatMessage;
}

/** `chat.typing` — room: the chat room, to everyone in it but the typing socket. */
export interface ChatTypingPayload {
  room: string;
  login: string;
  display_name: string;
}

/** `chat.activity` — rooms: rfc:<slug>, catalog. New messages in `room`: unread counts are stale. */
export interface ChatActivityPayload {
  rfc_slug: string;
  room: string;
  last_id: number;
}

/** `chat.read` — room: user:<id>. The person's read cursor in `room` moved (maybe in another tab). */
export interface ChatReadPayload {
  rfc_slug: string;
  room: string;
  last_seen_id: number;
}

/** Someone present in a room (`realtime/presence.py`): one entry per person, whatever their tabs. */
export interface PresencePerson {
  login: string;
  display_name: string;
  /** Every tab of theirs in the room says it is idle. */
  idle: boolean;
}

/** `presence` — rooms rfc:*, branch:*, thread:* — who is in `room` now, whenever that changes. */
export interface PresencePayload {
  room: string;
  people: PresencePerson[];
}

/** `thread.updated` — room: rfc:<slug>. A thread was started or got a message. */
export interface ThreadUpdatedPayload {
  thread: Thread;
}

/** Server → client events, by name. */
export interface ServerEvents {
  'proposal.opened': ProposalOpenedPayload;
  'proposal.closed': ProposalClosedPayload;
  'proposal.merged': ProposalMergedPayload;
  'rfc.updated': RfcUpdatedPayload;
  'rfc.removed': RfcRemovedPayload;
  'audit.appended': AuditAppendedPayload;
  'permission.changed': PermissionChangedPayload;
  'user.changed': UserChangedPayload;
  'session.revoked': SessionRevokedPayload;
  'branch.updated': BranchUpdatedPayload;
  'pull.updated': PullUpdatedPayload;
  'chat.message': ChatMessagePayload;
  'chat.typing': ChatTypingPayload;
  'chat.activity': ChatActivityPayload;
  'chat.read': ChatReadPayload;
  presence: PresencePayload;
  'thread.updated': ThreadUpdatedPayload;
}

export type ServerEventName = keyof ServerEvents;

export const SERVER_EVENT_NAMES: readonly ServerEventName[] = [
  'proposal.opened',
  'proposal.closed',
  'proposal.merged',
  'rfc.updated',
  'rfc.removed',
  'audit.appended',
  'permission.changed',
  'user.changed',
  'session.revoked',
  'branch.updated',
  'pull.updated',
  'chat.message',
  'chat.typing',
  'chat.activity',
  'chat.read',
  'presence',
  'thread.updated',
];

// ---- the room protocol (client → server) -------------------------------------

export interface RoomRequest {
  room: string;
}

/** The server's one acknowledgement shape. `offline` and `timeout` refusals are made up by the client. */
export interface AckError {
  code: string;
  message: string;
  /** e.g. `retry_after` (seconds) of `rate_limited`, `field` of `invalid_input`. */
  details?: Record<string, unknown>;
}
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: AckError };

/** `presence` comes with rooms the server tracks (rfc:*, branch:*, thread:*). */
export type SubscribeAck = Ack<{ room?: string; presence?: PresencePerson[] }>;

/** Requests answered with an ack (`realtime/server.py`), by event name. */
export interface LiveRequests {
  /** 1–10,000 characters after trimming. Refusals: not_signed_in, invalid_input, rate_limited, chat_closed, not_found. */
  // `client_key`: one per message, reused when sending it again after a lost answer,
  // so the server stores it once.
  'chat.send': { request: { room: string; body: string; client_key?: string }; answer: { message: ChatMessage } };
  /** The author only. */
  'chat.edit': { request: { id: number; body: string }; answer: { message: ChatMessage } };
  /** The author, the owner or an admin. */
  'chat.delete': { request: { id: number }; answer: { message: ChatMessage } };
  /** Move the read cursor (never backwards, never past the end). */
  'chat.seen': { request: { room: string; last_id: number }; answer: { last_seen_id: number } };
  /** Only after joining the room. */
  'chat.typing': { request: { room: string }; answer: object };
  'presence.state': { request: { idle: boolean }; answer: object };
}
export type LiveRequestName = keyof LiveRequests;

// ---- socket.io typing ---------------------------------------------------------

export type ServerToClientEvents = {
  [K in ServerEventName]: (payload: ServerEvents[K]) => void;
};

export interface ClientToServerEvents {
  subscribe: (request: RoomRequest, ack: (response: SubscribeAck) => void) => void;
  unsubscribe: (request: RoomRequest, ack: (response: SubscribeAck) => void) => void;
  'chat.send': (request: LiveRequests['chat.send']['request'], ack: (response: Ack<LiveRequests['chat.send']['answer']>) => void) => void;
  'chat.edit': (request: LiveRequests['chat.edit']['request'], ack: (response: Ack<LiveRequests['chat.edit']['answer']>) => void) => void;
  'chat.delete': (request: LiveRequests['chat.delete']['request'], ack: (response: Ack<LiveRequests['chat.delete']['answer']>) => void) => void;
  'chat.seen': (request: LiveRequests['chat.seen']['request'], ack: (response: Ack<LiveRequests['chat.seen']['answer']>) => void) => void;
  'chat.typing': (request: LiveRequests['chat.typing']['request'], ack: (response: Ack) => void) => void;
  'presence.state': (request: LiveRequests['presence.state']['request'], ack: (response: Ack) => void) => void;
}
