import { useStore } from '../lib/store';
import { exactTime, minuteTick, parseTime, relativeTime } from '../lib/time';

interface Props {
  iso: string;
  /** Text before the relative time, e.g. "updated". */
  prefix?: string;
}

/** "updated 3 hours ago", with the exact local time on hover and in `datetime`. */
export function RelTime({ iso, prefix }: Props) {
  const now = useStore(minuteTick);
  const date = parseTime(iso);
  if (!date) return <span>{prefix ? `${prefix} at an unknown time` : 'unknown time'}</span>;
  const exact = exactTime(date);
  return (
    <span class="reltime">
      {prefix ? `${prefix} ` : ''}
      <time dateTime={date.toISOString()} title={exact}>
        {relativeTime(date, Math.max(now, Date.now()))}
      </time>
    </span>
  );
}
