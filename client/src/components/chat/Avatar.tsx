/** Initials in a coloured circle. Decorative: the name is always given as text beside it. */

const TONES = 6;

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function initials(name: string): string {
  const words = name.trim().split(/[\s._-]+/).filter(Boolean);
  const first = (word: string | undefined): string => [...(word ?? '')][0] ?? '';
  const out = words.length >= 2 ? first(words[0]) + first(words[1]) : first(words[0]);
  return (out || '?').toUpperCase();
}

export function Avatar({ login, name, size = 'normal' }: { login: string; name: string; size?: 'normal' | 'small' }) {
  return (
    <span class={`avatar avatar--tone${hash(login) % TONES}${size === 'small' ? ' avatar--small' : ''}`} aria-hidden="true">
      {initials(name || login)}
    </span>
  );
}
