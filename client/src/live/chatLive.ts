/**
 * Start-up of the chat's live parts, before any screen joins a room: presence lists
 * (kept from every subscribe answer, whoever joined) with the idle watch, and the
 * signed-in person's own room (`chat.read`).
 */
import { watchPresence } from './chatPresence';
import { watchUserRoom } from './chatUserRoom';

export function startChatLive(): void {
  watchPresence();
  watchUserRoom();
}
