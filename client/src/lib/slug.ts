/** Mirrors the server's rule (server/domain/rfcs.py SLUG_PATTERN). */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
export const SLUG_MAX = 64;
export const TITLE_MIN = 3;
export const TITLE_MAX = 120;
export const PITCH_MAX = 500;

/** "Better Search: Ünïcode & more!" → "better-search-unicode-more" */
export function slugify(title: string): string {
  const base = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (base.length <= SLUG_MAX) return base;
  const cut = base.slice(0, SLUG_MAX);
  const lastHyphen = cut.lastIndexOf('-');
  return (lastHyphen > 20 ? cut.slice(0, lastHyphen) : cut).replace(/-+$/g, '');
}

/** Light-touch clean-up while typing in the slug field. */
export function normalizeSlugInput(value: string): string {
  return value.toLowerCase().replace(/\s+/g, '-');
}
