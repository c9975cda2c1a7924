import { useEffect, useState } from 'preact/hooks';
import { ChatRoom, type ChatState } from '../../live/chatRoom';
import { useStore } from '../../lib/store';

/**
 * A chat room controller for as long as the component is mounted. The caller keys
 * the component by room and reader, so either changing makes a new one.
 */
export function useChatRoom(room: string, me: string | null): { chat: ChatRoom; state: ChatState } {
  const [chat] = useState(() => new ChatRoom(room, me));
  useEffect(() => {
    chat.start();
    return () => chat.dispose();
  }, [chat]);
  return { chat, state: useStore(chat.state) };
}
