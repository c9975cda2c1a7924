/**
 * Every live event the server sends, with its payload.
 *
 * Mirrors `server/domain/live.py` (names and payloads) and the room protocol of
 * `realtime/`. Add a new event here first; the socket and the stores take their
 * types from this module.
 */
import type { Proposal, Rfc } from '../api/types';

export const CATALOG_ROOM = 'catalog';
/** Room for one RFC (joined by the RFC page once the server publishes to it). */
export const rfcRoom = (slug: string): string => `rfc:${slug}`;

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

/** Server → client events, by name. */
export interface ServerEvents {
  'proposal.opened': ProposalOpenedPayload;
  'proposal.closed': ProposalClosedPayload;
  'proposal.merged': ProposalMergedPayload;
  'rfc.updated': RfcUpdatedPayload;
}

export type ServerEventName = keyof ServerEvents;

export const SERVER_EVENT_NAMES: readonly ServerEventName[] = [
  'proposal.opened',
  'proposal.closed',
  'proposal.merged',
  'rfc.updated',
];

// ---- the room protocol (client → server) -------------------------------------

export interface RoomRequest {
  room: string;
}

export type SubscribeAck =
  | { ok: true }
  | { ok: false; error: { code: string; message: string } };

// ---- socket.io typing ---------------------------------------------------------

export type ServerToClientEvents = {
  [K in ServerEventName]: (payload: ServerEvents[K]) => void;
};

export interface ClientToServerEvents {
  subscribe: (request: RoomRequest, ack: (response: SubscribeAck) => void) => void;
  unsubscribe: (request: RoomRequest, ack: (response: SubscribeAck) => void) => void;
}
