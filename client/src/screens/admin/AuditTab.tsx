import { useEffect, useState } from 'preact/hooks';
import { adminApi, type AuditEntry, type AuditFilters } from '../../api/admin';
import { Alert } from '../../components/Alert';
import { RelTime } from '../../components/RelTime';
import { onLiveEvent } from '../../live/socket';
import { Actor, dayEnd, dayStart, Details, FilterField, isDay, useUrlFilters } from './format';
import { FeedView, useFeed } from './feed';

const KEYS = ['actor', 'kind', 'rfc', 'from', 'to'] as const;
type Key = (typeof KEYS)[number];
const NO_FILTERS: Record<Key, string> = { actor: '', kind: '', rfc: '', from: '', to: '' };

/** Suggestions for the Kind filter (any text is accepted). */
const KNOWN_KINDS = [
  'add_user',
  'change_role',
  'suspend_user',
  'restore_user',
  'grant_maintainer',
  'revoke_maintainer',
  'propose_rfc',
  'merge_proposal',
  'close_proposal',
  'start_branch',
  'save_body',
  'open_pull',
  'merge_pull',
  'close_pull',
  'pin_branch',
  'unpin_branch',
  'close_idle_branch',
  'delete_stale_branch',
  'delete_post_merge_branch',
];

/** The same test the server applies (exact logins, kinds and slugs; inclusive times). */
function matches(entry: AuditEntry, f: AuditFilters): boolean {
  if (f.actor && entry.actor !== f.actor) return false;
  if (f.kind && entry.kind !== f.kind) return false;
  if (f.rfc && entry.details.slug !== f.rfc) return false;
  if (f.since && entry.at < f.since) return false;
  if (f.until && entry.at > f.until) return false;
  return true;
}

function actorText(entry: AuditEntry): string {
  if (entry.actor) return entry.actor;
  return entry.on_behalf_of ? 'the bot' : 'the system';
}

function AuditFeed({ filters, filtering, resync }: { filters: AuditFilters; filtering: boolean; resync: number }) {
  const feed = useFeed<AuditEntry>({
    cacheKey: `audit:${JSON.stringify(filters)}`,
    fetchPage: async (before) => (await adminApi.audit(filters, before)).entries,
    resync,
    describe: (items, total) =>
      total === 1 && items[0]
        ? `New audit entry: ${items[0].kind} by ${actorText(items[0])}.`
        : `${total} new audit entries.`,
  });
  const { receive } = feed;

  useEffect(
    () =>
      onLiveEvent('audit.appended', ({ entry }) => {
        if (matches(entry, filters)) receive(entry);
      }),
    // The component is keyed by its filters, so they never change while mounted.
    [receive],
  );

  return (
    <FeedView
      feed={feed}
      noun={['audit entry', 'audit entries']}
      loadOlderLabel="Load older entries"
      empty={<p>{filtering ? 'No audit entries match these filters.' : 'No audit entries yet.'}</p>}
    >
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Audit log entries">
        <table class="admin-table admin-table--audit">
          <caption class="visually-hidden">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Kind</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {feed.data.items.map((e) => (
              <tr key={e.id} data-row-id={e.id} tabIndex={-1} class={feed.fresh.has(e.id) ? 'is-fresh' : undefined}>
                <td class="nowrap">
                  <RelTime iso={e.at} />
                </td>
                <td>
                  <Actor actor={e.actor} onBehalfOf={e.on_behalf_of} />
                </td>
                <td>
                  <code class="kind">{e.kind}</code>
                </td>
                <td>
                  <code class="target">{e.target}</code>
                </td>
                <td>
                  <Details details={e.details} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </FeedView>
  );
}

export function AuditTab({ resync }: { resync: number }) {
  const f = useUrlFilters(KEYS);
  const [formError, setFormError] = useState<string | null>(null);
  const { applied, draft, setDraft } = f;

  const filters: AuditFilters = {
    actor: applied.actor || undefined,
    kind: applied.kind || undefined,
    rfc: applied.rfc || undefined,
    since: isDay(applied.from) ? dayStart(applied.from) : undefined,
    until: isDay(applied.to) ? dayEnd(applied.to) : undefined,
  };

  const onSubmit = (event: Event): void => {
    event.preventDefault();
    if (draft.from && draft.to && draft.from > draft.to) {
      setFormError('“From” must be on or before “To”.');
      document.getElementById('audit-from')?.focus();
      return;
    }
    setFormError(null);
    f.apply(draft);
  };

  const field = (key: Key) => ({
    id: `audit-${key}`,
    value: draft[key],
    onInput: (e: Event) => {
      const value = (e.currentTarget as HTMLInputElement).value;
      setDraft((d) => ({ ...d, [key]: value }));
    },
  });

  return (
    <>
      <form class="admin-filters" role="search" aria-label="Filter the audit log" onSubmit={onSubmit} noValidate>
        <FilterField id="audit-actor" label="Actor">
          <input type="text" {...field('actor')} placeholder="login" autoComplete="off" spellcheck={false} autoCapitalize="none" />
        </FilterField>
        <FilterField id="audit-kind" label="Kind">
          <input type="text" {...field('kind')} list="audit-kinds" placeholder="e.g. add_user" autoComplete="off" spellcheck={false} autoCapitalize="none" />
          <datalist id="audit-kinds">
            {KNOWN_KINDS.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </FilterField>
        <FilterField id="audit-rfc" label="RFC">
          <input type="text" {...field('rfc')} placeholder="slug" autoComplete="off" spellcheck={false} autoCapitalize="none" />
        </FilterField>
        <FilterField id="audit-from" label="From">
          <input type="date" {...field('from')} aria-invalid={formError ? true : undefined} aria-describedby="audit-dates-hint" />
        </FilterField>
        <FilterField id="audit-to" label="To">
          <input type="date" {...field('to')} aria-describedby="audit-dates-hint" />
        </FilterField>
        <div class="admin-filters__actions">
          <button type="submit" class="button">
            Apply filters
          </button>
          {f.active && (
            <button
              type="button"
              class="button"
              onClick={() => {
                setFormError(null);
                f.apply(NO_FILTERS);
              }}
            >
              Clear filters
            </button>
          )}
        </div>
      </form>
      <p class="hint admin-note" id="audit-dates-hint">
        Whole days in UTC. Newest first; new entries appear at the top as they happen.
      </p>
      {formError && <Alert>{formError}</Alert>}
      <AuditFeed key={f.appliedKey} filters={filters} filtering={f.active} resync={resync} />
    </>
  );
}
