import '../../styles/chat-shared.css';

interface Props {
  count: number | undefined;
  /** The words after the number, e.g. "unread in chat". */
  label?: string;
  /** Only the number shows (e.g. in a tab); the words stay for screen readers. */
  compact?: boolean;
}

/** "3 unread": a count with its words, never a bare coloured dot. Nothing when zero. */
export function UnreadCount({ count, label = 'unread', compact = false }: Props) {
  if (!count) return null;
  const shown = count > 999 ? '999+' : String(count);
  return (
    <span class={`unread-count${compact ? ' unread-count--compact' : ''}`}>
      {shown}
      {compact ? <span class="visually-hidden"> {label}</span> : ` ${label}`}
    </span>
  );
}
