/**
 * The admin home base (code-split; AdminScreen decides who gets here): four tabs,
 * each with its own URL, and the `admin` live room for as long as any tab is open.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ADMIN_ROOM } from '../../live/events';
import { navigate, useLocation } from '../../lib/router';
import { useStore } from '../../lib/store';
import { useRoom } from '../../lib/useRoom';
import { session } from '../../state/session';
import { AuditTab } from './AuditTab';
import { clearFeedCache } from './feed';
import { GraduationTab } from './GraduationTab';
import { PermissionsTab } from './PermissionsTab';
import { ADMIN_TABS, type AdminTab } from './tabs';
import { UsersTab } from './UsersTab';
import '../../styles/admin.css';

/** The filters each tab had last, so coming back to a tab keeps them. */
const lastSearch: Partial<Record<AdminTab, string>> = {};

const hrefFor = (tab: AdminTab): string => `/admin/${tab}${lastSearch[tab] ?? ''}`;

function Tabs({ tab }: { tab: AdminTab }) {
  const refs = useRef<Partial<Record<AdminTab, HTMLAnchorElement | null>>>({});
  const listRef = useRef<HTMLDivElement>(null);

  // On a narrow screen the tab list scrolls sideways: keep the current tab in view.
  useEffect(() => {
    const el = refs.current[tab];
    const list = listRef.current;
    if (!el || !list || list.scrollWidth <= list.clientWidth) return;
    const left = el.offsetLeft - list.offsetLeft;
    if (left < list.scrollLeft || left + el.offsetWidth > list.scrollLeft + list.clientWidth) {
      list.scrollTo({ left: Math.max(0, left - 16) });
    }
  }, [tab]);

  const onKeyDown = (event: KeyboardEvent): void => {
    const index = ADMIN_TABS.findIndex((t) => t.id === tab);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (index + 1) % ADMIN_TABS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + ADMIN_TABS.length) % ADMIN_TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = ADMIN_TABS.length - 1;
    else if (event.key === ' ') {
      // The focused tab is already the open one (automatic activation); don't scroll the page.
      event.preventDefault();
      return;
    }
    if (next === null) return;
    event.preventDefault();
    const target = ADMIN_TABS[next];
    if (!target) return;
    navigate(hrefFor(target.id));
    refs.current[target.id]?.focus();
  };

  return (
    <div class="tabs" role="tablist" aria-label="Admin sections" ref={listRef}>
      {ADMIN_TABS.map((t) => {
        const selected = t.id === tab;
        return (
          <a
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            id={`admin-tab-${t.id}`}
            role="tab"
            class="tabs__tab"
            href={hrefFor(t.id)}
            aria-selected={selected ? 'true' : 'false'}
            aria-controls={selected ? 'admin-panel' : undefined}
            tabIndex={selected ? 0 : -1}
            onKeyDown={onKeyDown}
          >
            {t.label}
          </a>
        );
      })}
    </div>
  );
}

export function AdminHome({ tab }: { tab: AdminTab }) {
  const { user } = useStore(session);
  const loc = useLocation();
  const [resync, setResync] = useState(0);

  // Every (re)join of the room refetches the open tab's first page: entries written
  // while the socket was down (or before the first join was acknowledged) are merged
  // in by id, never lost or doubled.
  useRoom(ADMIN_ROOM, () => setResync((n) => n + 1));

  useEffect(() => () => clearFeedCache(), []);

  // `/admin` is the users tab; give it its canonical URL.
  useEffect(() => {
    if (loc.path.replace(/\/+$/, '') === '/admin') navigate(`/admin/users${loc.search}`, { replace: true });
  }, [loc.path, loc.search]);

  useEffect(() => {
    lastSearch[tab] = loc.search;
  }, [tab, loc.search]);

  if (!user) return null;
  return (
    <>
      <Tabs tab={tab} />
      <div class="tabpanel" role="tabpanel" id="admin-panel" aria-labelledby={`admin-tab-${tab}`}>
        {tab === 'users' && <UsersTab resync={resync} viewer={user} />}
        {tab === 'graduation' && <GraduationTab resync={resync} />}
        {tab === 'audit' && <AuditTab resync={resync} />}
        {tab === 'permissions' && <PermissionsTab resync={resync} />}
      </div>
    </>
  );
}
