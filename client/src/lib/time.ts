import { createStore } from './store';

/** Ticks once a minute so relative times stay right without each component running a timer. */
export const minuteTick = createStore(Date.now());
window.setInterval(() => minuteTick.set(Date.now()), 30_000);

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const exactFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'full',
  timeStyle: 'long',
});

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function parseTime(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "3 hours ago", "just now", "in 2 minutes" (clock skew). */
export function relativeTime(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size || unit === 'minute') {
      return rtf.format(Math.round(seconds / size), unit);
    }
  }
  return 'just now';
}

/** The exact time in the reader's time zone, e.g. "Tuesday, 3 March 2026 at 14:05:09 CET". */
export function exactTime(date: Date): string {
  return exactFormat.format(date);
}
