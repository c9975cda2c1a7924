import { useEffect, useRef } from 'preact/hooks';
import { joinRoom } from '../live/socket';

/**
 * Stay in a Socket.IO room while mounted. `onJoined` runs after every successful
 * (re)join; `first` is false after a reconnect, when the screen should refetch
 * what it may have missed.
 */
export function useRoom(room: string, onJoined?: (first: boolean) => void): void {
  const callback = useRef(onJoined);
  callback.current = onJoined;
  useEffect(() => {
    let joins = 0;
    return joinRoom(room, (ack) => {
      if (!ack.ok) return;
      joins += 1;
      callback.current?.(joins === 1);
    });
  }, [room]);
}
