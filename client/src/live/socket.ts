/**
 * The one Socket.IO connection of the app: connection status, room (re)joining
 * and event listeners.
 *
 * - Rooms are reference-counted: `joinRoom` returns a leave function.
 * - After EVERY `connect` (first connect and each reconnect) each joined room is
 *   subscribed again, and its `onJoined` callbacks run once the server acks, so
 *   stores can refetch what they may have missed while the socket was down.
 */
import { io, type Socket } from 'socket.io-client';
import { createStore } from '../lib/store';
import type {
  Ack,
  ClientToServerEvents,
  LiveRequestName,
  LiveRequests,
  ServerEventName,
  ServerEvents,
  ServerToClientEvents,
  SubscribeAck,
} from './events';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting';

/** `connecting` until the first connect; `reconnecting` whenever the socket is down after that (or the first try failed). */
export const connectionStatus = createStore<ConnectionStatus>('connecting');

type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface RoomEntry {
  count: number;
  /** Subscribed and acked on the current connection. */
  joined: boolean;
  /** Pending delayed leave (rooms linger briefly so navigating between screens doesn't churn). */
  leaveTimer: number | null;
  onJoined: Set<(ack: SubscribeAck) => void>;
}

const rooms = new Map<string, RoomEntry>();
const refusedListeners = new Set<(error: Error) => void>();
let refusedRetry = 0;

/** Called when the server refuses the connection itself (not a network drop). */
export function onConnectionRefused(listener: (error: Error) => void): () => void {
  refusedListeners.add(listener);
  return () => {
    refusedListeners.delete(listener);
  };
}
let socket: AppSocket | null = null;
const subscribedListeners = new Set<(room: string, ack: SubscribeAck) => void>();

/** Every subscribe answer, for any room (e.g. the presence list that comes with it). */
export function onSubscribed(listener: (room: string, ack: SubscribeAck) => void): () => void {
  subscribedListeners.add(listener);
  return () => {
    subscribedListeners.delete(listener);
  };
}

const ACK_TIMEOUT_MS = 8000;
const ROOM_LINGER_MS = 10_000;

function subscribe(s: AppSocket, room: string, attempt = 1): void {
  s.timeout(ACK_TIMEOUT_MS).emit('subscribe', { room }, (err: Error | null, response?: SubscribeAck) => {
    const entry = rooms.get(room);
    if (!entry) return; // left meanwhile
    if (err) {
      // No ack in time: the connection is probably flaky. Retry a little; a reconnect resubscribes anyway.
      if (s.connected && attempt < 3) subscribe(s, room, attempt + 1);
      return;
    }
    // An ack without a payload counts as success.
    const ack: SubscribeAck = response ?? { ok: true };
    entry.joined = ack.ok;
    if (!ack.ok) {
      console.warn(`subscribe ${room} refused: ${ack.error.message}`);
    }
    for (const cb of [...subscribedListeners]) cb(room, ack);
    for (const cb of [...entry.onJoined]) cb(ack);
  });
}

function ensureSocket(): AppSocket {
  if (socket) return socket;
  const s: AppSocket = io({
    path: '/socket.io',
    withCredentials: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  s.on('connect', () => {
    refusedRetry = 0;
    connectionStatus.set('connected');
    for (const room of rooms.keys()) subscribe(s, room);
  });
  s.on('disconnect', (reason) => {
    for (const entry of rooms.values()) entry.joined = false;
    connectionStatus.set('reconnecting');
    // The server closed us on purpose (e.g. session change): socket.io won't retry by itself.
    if (reason === 'io server disconnect') s.connect();
  });
  s.on('connect_error', (error: Error & { data?: unknown }) => {
    connectionStatus.set('reconnecting');
    // Refused by the server (e.g. the session cookie is no longer valid): socket.io
    // won't retry by itself. Tell the app (it rechecks the session), then retry.
    if (!s.active) {
      for (const cb of [...refusedListeners]) cb(error);
      refusedRetry = Math.min(refusedRetry * 2 || 1000, 30_000);
      window.setTimeout(() => {
        if (!s.connected && !s.active) s.connect();
      }, refusedRetry);
    }
  });
  socket = s;
  return s;
}

/** Open the connection (idempotent). */
export function startLive(): void {
  ensureSocket();
}

/**
 * Reconnect with fresh credentials (after sign-in / sign-out, the session cookie
 * changed). Rooms are re-joined on the new connection.
 */
export function restartLive(): void {
  const s = ensureSocket();
  s.disconnect();
  connectionStatus.set('connecting');
  s.connect();
}

/**
 * Join a room for as long as the caller needs it. `onJoined` runs after every
 * successful (re)subscription, including the first one.
 */
export function joinRoom(room: string, onJoined?: (ack: SubscribeAck) => void): () => void {
  const s = ensureSocket();
  let entry = rooms.get(room);
  const isNew = !entry;
  if (!entry) {
    entry = { count: 0, joined: false, leaveTimer: null, onJoined: new Set() };
    rooms.set(room, entry);
  }
  if (entry.leaveTimer !== null) {
    window.clearTimeout(entry.leaveTimer);
    entry.leaveTimer = null;
  }
  entry.count += 1;
  if (onJoined) entry.onJoined.add(onJoined);
  if (isNew && s.connected) subscribe(s, room);
  else if (!isNew && entry.joined && onJoined) {
    // Already subscribed on this connection: tell the newcomer right away.
    onJoined({ ok: true });
  }

  let left = false;
  return () => {
    if (left) return;
    left = true;
    const current = rooms.get(room);
    if (!current) return;
    if (onJoined) current.onJoined.delete(onJoined);
    current.count -= 1;
    if (current.count <= 0 && current.leaveTimer === null) {
      current.leaveTimer = window.setTimeout(() => {
        current.leaveTimer = null;
        if (current.count > 0 || rooms.get(room) !== current) return;
        rooms.delete(room);
        if (s.connected) s.emit('unsubscribe', { room }, () => undefined);
      }, ROOM_LINGER_MS);
    }
  };
}

/** Listen to one server event; returns an unsubscribe function. Survives reconnects. */
export function onLiveEvent<K extends ServerEventName>(
  name: K,
  handler: (payload: ServerEvents[K]) => void,
): () => void {
  const s = ensureSocket();
  // socket.io's typed `on` needs the listener typed per event; this one is exactly that.
  const listener = handler as unknown as ServerToClientEvents[K];
  (s as Socket<ServerToClientEvents, ClientToServerEvents>).on(
    name as ServerEventName,
    listener as ServerToClientEvents[ServerEventName],
  );
  return () => {
    s.off(name as ServerEventName, listener as ServerToClientEvents[ServerEventName]);
  };
}

/**
 * Send a request the server acknowledges (chat, presence). Resolves with its answer;
 * never rejects: while offline, or without an answer in time, it resolves with an
 * `offline` / `timeout` refusal (a timed-out request may still have reached the server).
 */
export function emitRequest<K extends LiveRequestName>(
  name: K,
  payload: LiveRequests[K]['request'],
  timeoutMs = ACK_TIMEOUT_MS,
): Promise<Ack<LiveRequests[K]['answer']>> {
  const s = ensureSocket();
  type Answer = Ack<LiveRequests[K]['answer']>;
  if (!s.connected) {
    // Not buffered for later: the caller keeps what the person typed and tells them.
    return Promise.resolve({
      ok: false,
      error: { code: 'offline', message: 'You are offline. Nothing was sent; try again once the connection is back.' },
    });
  }
  return new Promise<Answer>((resolve) => {
    // socket.io types acks per event; this one is exactly the event's.
    (s as unknown as Socket).timeout(timeoutMs).emit(name, payload, (err: Error | null, answer?: Answer) => {
      if (err) {
        resolve({ ok: false, error: { code: 'timeout', message: 'The server did not answer in time. Check your connection and try again.' } });
      } else {
        resolve(answer ?? ({ ok: true } as Answer));
      }
    });
  });
}
