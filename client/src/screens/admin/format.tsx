/** Small presentational pieces and helpers shared by the admin tabs. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { navigate, useLocation } from '../../lib/router';

/** Someone who acted: a login, the system ("—"), or the bot, with on whose behalf. */
export function Actor({ actor, onBehalfOf }: { actor: string | null; onBehalfOf?: string | null }) {
  if (actor) {
    return (
      <span class="actor">
        <span class="actor__login">{actor}</span>
        {onBehalfOf && <span class="actor__via muted">via {onBehalfOf}</span>}
      </span>
    );
  }
  if (onBehalfOf) {
    return (
      <span class="actor">
        <span class="actor__login">bot</span>
        <span class="actor__via muted">{onBehalfOf}</span>
      </span>
    );
  }
  return (
    <span class="muted" title="The system">
      —<span class="visually-hidden">the system</span>
    </span>
  );
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** `key: value` pairs on one or two lines; empty values are left out. */
export function Details({ details }: { details: Record<string, unknown> }) {
  const pairs = Object.entries(details).filter(([, v]) => v !== '' && v !== null && v !== undefined);
  if (pairs.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="kv">
      {pairs.map(([k, v]) => (
        <li key={k}>
          <span class="kv__key">{k}:</span> <span class="kv__value">{showValue(v)}</span>
        </li>
      ))}
    </ul>
  );
}

/** A role or scope name, or "none". */
export function RoleName({ role }: { role: string | null }) {
  return role ? <span class={`role role--${role}`}>{role}</span> : <span class="muted">none</span>;
}

/** `<input type=date>` value → ISO bounds, as the server stores times (UTC). */
export function dayStart(day: string): string {
  return `${day}T00:00:00Z`;
}

export function dayEnd(day: string): string {
  return `${day}T23:59:59Z`;
}

export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/**
 * Filters kept in the URL (`?actor=…&kind=…`), so a filtered view can be shared and
 * survives a reload. The form edits a draft; `apply` writes it to the URL.
 */
export function useUrlFilters<K extends string>(keys: readonly K[]) {
  const loc = useLocation();
  const params = new URLSearchParams(loc.search);
  const applied = Object.fromEntries(keys.map((k) => [k, params.get(k)?.trim() ?? ''])) as Record<K, string>;
  const appliedKey = keys.map((k) => `${k}=${applied[k]}`).join('&');
  const [draft, setDraft] = useState<Record<K, string>>(applied);

  // Back/forward or "Clear filters": the form follows the URL.
  useEffect(() => {
    setDraft(applied);
  }, [appliedKey]);

  const apply = (values: Record<K, string>): void => {
    const next = new URLSearchParams();
    for (const k of keys) {
      const v = values[k].trim();
      if (v) next.set(k, v);
    }
    const qs = next.toString();
    navigate(`${window.location.pathname}${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const active = keys.some((k) => applied[k] !== '');
  return { applied, appliedKey, draft, setDraft, apply, active };
}

export function FilterField({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return (
    <div class="field field--inline admin-filter">
      <label for={id}>{label}</label>
      {children}
    </div>
  );
}
