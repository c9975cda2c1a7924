import { useEffect, useRef } from 'preact/hooks';
import { joinRoom } from '../live/socket';

/**
 * Like `useRoom`, for a room known only once data has loaded (`null` until then).
 * `onJoined(first)` runs after every successful (re)join; `first` is false after a reconnect.
 */
export function useOptionalRoom(room: string | null, onJoined?: (first: boolean) => void): void {
  const callback = useRef(onJoined);
  callback.current = onJoined;
  useEffect(() => {
    if (!room) return undefined;
    let joins = 0;
    return joinRoom(room, (ack) => {
      if (!ack.ok) return;
      joins += 1;
      callback.current?.(joins === 1);
    });
  }, [room]);
}
