import type { ComponentChildren } from 'preact';
import type { Branch, CommitEntry, Pull } from '../../api/editing';
import { branchUrl, pullUrl } from '../../api/editing';
import { BranchStateBadges, pullKindLabel } from '../../components/EditingBadges';
import { PIN_MEANING, PinButton, PinnedBadge } from '../../components/PinControl';
import { RelTime } from '../../components/RelTime';
import { SkeletonLines } from '../../components/Skeleton';
import { UnreadCount } from '../../components/chat/UnreadCount';
import { branchRoom } from '../../live/events';

const time = (iso: string): number => Date.parse(iso) || 0;

/** Open branches first, then by last commit, newest first; pinned ones lead their group. */
function ordered(branches: readonly Branch[]): Branch[] {
  const rank = (b: Branch): number => (b.state === 'open' ? 0 : b.state === 'closed' ? 1 : 2);
  return [...branches].sort(
    (a, b) => rank(a) - rank(b) || Number(b.pinned) - Number(a.pinned) || time(b.last_commit_at) - time(a.last_commit_at),
  );
}

interface BranchesProps {
  slug: string;
  branches: readonly Branch[];
  unread: Readonly<Record<string, number>>;
  canPin: boolean;
  onBranchChanged: (branch: Branch) => void;
}

function Branches({ slug, branches, unread, canPin, onBranchChanged }: BranchesProps) {
  if (branches.length === 0) {
    return <p class="side__empty muted">No branches yet. Start editing to propose a change to the text.</p>;
  }
  return (
    <>
      {(canPin || branches.some((b) => b.pinned)) && (
        <p class="hint side__hint" id="pin-meaning">
          {PIN_MEANING} Others close after 30 days without commits and are deleted 90 days later.
        </p>
      )}
      <ul class="side-list" role="list">
        {ordered(branches).map((b) => (
          <li key={b.name} class={`side-item side-item--${b.state}`}>
            <div class="side-item__line">
              <a class="side-item__title branch-link" href={branchUrl(slug, b.short)}>
                {b.short}
              </a>
              <BranchStateBadges branch={b} />
              <UnreadCount count={unread[branchRoom(b.repo, b.name)]} />
              {b.pinned && <PinnedBadge />}
              {canPin && <PinButton slug={slug} branch={b} onChanged={onBranchChanged} named describedBy="pin-meaning" />}
            </div>
            <p class="meta">
              <span>
                {b.last_commit_author || 'someone'} <RelTime iso={b.last_commit_at} />
              </span>
              <code class="sha" title={b.head}>
                <span class="visually-hidden">last commit </span>
                {b.head.slice(0, 7)}
              </code>
              {b.pull && (
                <a href={pullUrl(slug, b.pull.number)}>
                  PR #{b.pull.number}
                  <span class="visually-hidden"> ({b.pull.state})</span>
                </a>
              )}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

function Pulls({ slug, pulls }: { slug: string; pulls: readonly Pull[] }) {
  if (pulls.length === 0) return <p class="side__empty muted">No open pull requests.</p>;
  return (
    <ul class="side-list" role="list">
      {[...pulls]
        .sort((a, b) => time(b.created_at) - time(a.created_at))
        .map((p) => (
          <li key={p.number} class="side-item">
            <div class="side-item__line">
              <a class="side-item__title" href={pullUrl(slug, p.number)}>
                #{p.number} {p.title}
              </a>
            </div>
            <p class="meta">
              <span class="pull-kind">{pullKindLabel(p.kind)}</span>
              <span>
                by {p.author} <RelTime iso={p.created_at} />
              </span>
            </p>
          </li>
        ))}
    </ul>
  );
}

function History({ history }: { history: readonly CommitEntry[] }) {
  if (history.length === 0) return <p class="side__empty muted">No history yet.</p>;
  return (
    <ol class="side-list" role="list">
      {history.map((c) => (
        <li key={c.sha} class="side-item">
          <p class="side-item__message">{c.message || '(no message)'}</p>
          <p class="meta">
            <span>
              {c.author} <RelTime iso={c.at} />
            </span>
            <code class="sha" title={c.sha}>
              <span class="visually-hidden">commit </span>
              {c.sha.slice(0, 7)}
            </code>
          </p>
        </li>
      ))}
    </ol>
  );
}

interface Props {
  slug: string;
  branches: readonly Branch[] | null;
  pulls: readonly Pull[] | null;
  history: readonly CommitEntry[] | null;
  /** Unread chat messages by room (`branch:<repo>:<name>`), for the signed-in reader. */
  unread?: Readonly<Record<string, number>>;
  /** Sections above the branches (who is here, discussions). */
  lead?: ComponentChildren;
  /** Offer Pin / Unpin (the server's `can_pin`). */
  canPin?: boolean;
  onBranchChanged?: (branch: Branch) => void;
}

/** The side column of the RFC page: its branches, open pull requests and history. */
export function RfcActivity({ slug, branches, pulls, history, unread = {}, lead, canPin = false, onBranchChanged = () => undefined }: Props) {
  const loading = <SkeletonLines lines={2} widths={['70%', '45%']} />;
  return (
    <div class="rfc-side">
      {lead}
      <section class="side" aria-labelledby="branches-heading">
        <h2 id="branches-heading" class="section-label">
          Branches{branches ? ` (${branches.length})` : ''}
        </h2>
        {branches ? (
          <Branches slug={slug} branches={branches} unread={unread} canPin={canPin} onBranchChanged={onBranchChanged} />
        ) : (
          loading
        )}
      </section>
      <section class="side" aria-labelledby="pulls-heading">
        <h2 id="pulls-heading" class="section-label">
          Open pull requests{pulls ? ` (${pulls.length})` : ''}
        </h2>
        {pulls ? <Pulls slug={slug} pulls={pulls} /> : loading}
      </section>
      <section class="side" aria-labelledby="history-heading">
        <h2 id="history-heading" class="section-label">
          History
        </h2>
        {history ? <History history={history} /> : loading}
      </section>
    </div>
  );
}
