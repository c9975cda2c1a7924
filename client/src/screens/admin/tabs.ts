/** The four tabs of /admin, each with its own URL. Small on purpose: loaded eagerly by the router. */
export type AdminTab = 'users' | 'graduation' | 'audit' | 'permissions';

export interface AdminTabInfo {
  id: AdminTab;
  label: string;
}

export const ADMIN_TABS: readonly AdminTabInfo[] = [
  { id: 'users', label: 'Users' },
  { id: 'graduation', label: 'Graduation queue' },
  { id: 'audit', label: 'Audit log' },
  { id: 'permissions', label: 'Permission events' },
];

/** `/admin` → users, `/admin/<tab>` → that tab, anything else → null (not found). */
export function parseAdminTab(path: string): AdminTab | null {
  const clean = path.replace(/\/+$/, '');
  if (clean === '/admin') return 'users';
  const m = /^\/admin\/([a-z]+)$/.exec(clean);
  const id = m?.[1];
  return ADMIN_TABS.find((t) => t.id === id)?.id ?? null;
}

export function tabLabel(tab: AdminTab): string {
  return ADMIN_TABS.find((t) => t.id === tab)?.label ?? tab;
}
