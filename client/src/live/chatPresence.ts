/**
 * Who is in a room right now (rfc:*, branch:*, thread:*), and whether this tab is idle.
 *
 * The list comes with every subscribe answer (`presence`) and then with each
 * `presence` event the server sends to the room when it changes. Both are kept in
 * one store by room, so any number of components can show the same room's people
 * whoever joined it first.
 *
 * Idle: no keyboard, pointer or focus activity for 3 minutes, or the tab hidden,
 * sends `presence.state {idle: true}`; activity sends `{idle: false}`. The server
 * forgets a socket's state when it disconnects, so an idle tab says so again after
 * each reconnect (before its rooms are re-joined).
 */
import { useEffect } from 'preact/hooks';
import { createStore, useStore } from '../lib/store';
import type { PresencePerson } from './events';
import { connectionStatus, emitRequest, joinRoom, onLiveEvent, onSubscribed } from './socket';

export const IDLE_AFTER_MS = 3 * 60 * 1000;

const people = createStore<ReadonlyMap<string, readonly PresencePerson[]>>(new Map());

function setRoom(room: string, list: readonly PresencePerson[]): void {
  people.set((map) => new Map(map).set(room, list));
}

let listening = false;
/** Keep every room's people from subscribe answers and `presence` events; start the idle watch. Once, at start-up. */
export function watchPresence(): void {
  if (listening) return;
  listening = true;
  onLiveEvent('presence', ({ room, people: list }) => setRoom(room, list));
  onSubscribed((room, ack) => {
    if (ack.ok && ack.presence) setRoom(room, ack.presence);
  });
  watchIdle();
}

// ---- idle ---------------------------------------------------------------------------

let idle = false;
let lastActivity = Date.now();

function sendIdle(next: boolean): void {
  if (next === idle) return;
  idle = next;
  void emitRequest('presence.state', { idle: next });
}

function onActivity(): void {
  lastActivity = Date.now();
  if (idle && document.visibilityState === 'visible') sendIdle(false);
}

let watching = false;
function watchIdle(): void {
  if (watching) return;
  watching = true;
  const opts = { passive: true, capture: true } as const;
  for (const type of ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'focusin'] as const) {
    window.addEventListener(type, onActivity, opts);
  }
  window.addEventListener('focus', onActivity);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') sendIdle(true);
    else onActivity();
  });
  window.setInterval(() => {
    if (!idle && Date.now() - lastActivity >= IDLE_AFTER_MS) sendIdle(true);
  }, 15_000);
  // `connected` is set before the rooms are re-joined: the state reaches the server first.
  connectionStatus.subscribe((status) => {
    if (status === 'connected' && idle) void emitRequest('presence.state', { idle: true });
  });
  if (document.visibilityState === 'hidden') sendIdle(true);
}

// ---- hook -----------------------------------------------------------------------------

/** Stay in `room` while mounted and return who is there (null until known). */
export function usePresence(room: string | null): readonly PresencePerson[] | null {
  watchPresence(); // normally done at start-up (main.tsx), before any room is joined
  useEffect(() => (room ? joinRoom(room) : undefined), [room]);
  const map = useStore(people);
  return room ? (map.get(room) ?? null) : null;
}
