import { useEffect } from 'preact/hooks';
import { adminApi, type PermissionEvent, type PermissionFilters } from '../../api/admin';
import { RelTime } from '../../components/RelTime';
import { onLiveEvent } from '../../live/socket';
import { Actor, FilterField, RoleName, useUrlFilters } from './format';
import { FeedView, useFeed } from './feed';

const KEYS = ['subject', 'actor'] as const;

function matches(event: PermissionEvent, f: PermissionFilters): boolean {
  if (f.subject && event.subject !== f.subject) return false;
  if (f.actor && event.actor !== f.actor) return false;
  return true;
}

function Scope({ scope }: { scope: string }) {
  if (scope === 'site') return <span>site</span>;
  if (scope.startsWith('rfc:')) {
    const slug = scope.slice(4);
    return (
      <span>
        RFC <a href={`/rfcs/${encodeURIComponent(slug)}`}>{slug}</a>
      </span>
    );
  }
  return <code>{scope}</code>;
}

function PermissionFeed({ filters, filtering, resync }: { filters: PermissionFilters; filtering: boolean; resync: number }) {
  const feed = useFeed<PermissionEvent>({
    cacheKey: `permissions:${JSON.stringify(filters)}`,
    fetchPage: async (before) => (await adminApi.permissionEvents(filters, before)).events,
    resync,
    describe: (items, total) =>
      total === 1 && items[0]
        ? `New permission event: ${items[0].subject} from ${items[0].from ?? 'none'} to ${items[0].to ?? 'none'}.`
        : `${total} new permission events.`,
  });
  const { receive } = feed;

  useEffect(
    () =>
      onLiveEvent('permission.changed', ({ event }) => {
        if (matches(event, filters)) receive(event);
      }),
    // Keyed by its filters: they never change while mounted.
    [receive],
  );

  return (
    <FeedView
      feed={feed}
      noun={['permission event', 'permission events']}
      loadOlderLabel="Load older events"
      empty={<p>{filtering ? 'No permission events match these filters.' : 'No permission events yet.'}</p>}
    >
      <div class="table-scroll" tabIndex={0} role="region" aria-label="Permission events list">
        <table class="admin-table admin-table--permissions">
          <caption class="visually-hidden">Permission events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Subject</th>
              <th scope="col">Scope</th>
              <th scope="col">Change</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {feed.data.items.map((e) => (
              <tr key={e.id} data-row-id={e.id} tabIndex={-1} class={feed.fresh.has(e.id) ? 'is-fresh' : undefined}>
                <td class="nowrap">
                  <RelTime iso={e.at} />
                </td>
                <td>
                  <Actor actor={e.actor} />
                </td>
                <td>
                  <strong>{e.subject}</strong>
                </td>
                <td>
                  <Scope scope={e.scope} />
                </td>
                <td class="nowrap">
                  <RoleName role={e.from} />
                  <span aria-hidden="true"> → </span>
                  <span class="visually-hidden"> to </span>
                  <RoleName role={e.to} />
                </td>
                <td class="reason-cell">{e.reason || <span class="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </FeedView>
  );
}

export function PermissionsTab({ resync }: { resync: number }) {
  const f = useUrlFilters(KEYS);
  const { applied, draft, setDraft } = f;
  const filters: PermissionFilters = { subject: applied.subject || undefined, actor: applied.actor || undefined };

  const field = (key: (typeof KEYS)[number]) => ({
    id: `perm-${key}`,
    value: draft[key],
    onInput: (e: Event) => {
      const value = (e.currentTarget as HTMLInputElement).value;
      setDraft((d) => ({ ...d, [key]: value }));
    },
  });

  return (
    <>
      <form
        class="admin-filters"
        role="search"
        aria-label="Filter the permission events"
        onSubmit={(e) => {
          e.preventDefault();
          f.apply(draft);
        }}
        noValidate
      >
        <FilterField id="perm-subject" label="Subject">
          <input type="text" {...field('subject')} placeholder="login" autoComplete="off" spellcheck={false} autoCapitalize="none" />
        </FilterField>
        <FilterField id="perm-actor" label="Actor">
          <input type="text" {...field('actor')} placeholder="login" autoComplete="off" spellcheck={false} autoCapitalize="none" />
        </FilterField>
        <div class="admin-filters__actions">
          <button type="submit" class="button">
            Apply filters
          </button>
          {f.active && (
            <button type="button" class="button" onClick={() => f.apply({ subject: '', actor: '' })}>
              Clear filters
            </button>
          )}
        </div>
      </form>
      <p class="hint admin-note">Role changes, suspensions and maintainer grants. Newest first, live.</p>
      <PermissionFeed key={f.appliedKey} filters={filters} filtering={f.active} resync={resync} />
    </>
  );
}
