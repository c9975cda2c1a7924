"""Branch hygiene: idle branches close, stale ones are deleted, pinned ones are left alone.

The rules (DESIGN §2): an edit or metadata branch with no commit and no open pull
request for 30 days becomes ``closed`` (it stays in git; its chat becomes
read-only); a branch closed for 90 days, or whose pull request merged 90 days ago
with no commit since, is deleted from the forge by the bot and becomes
``deleted`` (its cached row, chat and read cursors stay). Pinned branches skip
both. Proposal branches, the default branch and protected branches are never
touched.

Two steps: ``due_hygiene`` decides what is due from facts and a moment (pure, no
I/O), and ``sweep_hygiene`` gathers the facts, applies the plan, audits every act
with no human actor and the bot as ``on_behalf_of``, and logs counts and timing.
Pinning and unpinning (owner and admins) live here too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from server.clock import iso, parse_iso
from server.domain.context import Domain
from server.domain.ingest import Ingestor, branch_view, cached_pull, desired_branch
from server.domain.live import BranchUpdated
from server.domain.naming import classify_branch, edit_branch
from server.domain.people import User
from server.domain.permissions import may_pin_branch, require_signed_in
from server.domain.store import BranchMark, CachedBranch, CachedPull, UnitOfWork
from server.domain.views import BranchView
from server.errors import Conflict, Forbidden, NotFound
from server.forge.port import ForgeError, ForgeNotFound, ForgeUnavailable

log = logging.getLogger(__name__)

IDLE_AFTER = timedelta(days=30)
DELETE_AFTER = timedelta(days=90)
SUBJECT_KINDS = frozenset({"edit", "metadata"})

HygieneKind = Literal["close_idle_branch", "delete_stale_branch", "delete_post_merge_branch"]
CLOSE_IDLE: HygieneKind = "close_idle_branch"
DELETE_STALE: HygieneKind = "delete_stale_branch"
DELETE_MERGED: HygieneKind = "delete_post_merge_branch"

_VERBS: dict[HygieneKind, tuple[str, str]] = {
    CLOSE_IDLE: ("close", "closed"),
    DELETE_STALE: ("delete", "deleted"),
    DELETE_MERGED: ("delete", "deleted"),
}


@dataclass(frozen=True)
class HygieneAct:
    kind: HygieneKind
    branch: str
    rfc_slug: str
    head: str  # the head the decision was made on; a branch that moved since is left alone
    since: str  # the last commit (close), the closing (stale) or the merge (post-merge)
    pull: int | None = None

    def describe(self, *, done: bool = False, would: bool = False) -> str:
        verb = _VERBS[self.kind][1 if done else 0]
        why = {
            CLOSE_IDLE: f"no commit and no open pull request since {self.since}",
            DELETE_STALE: f"closed since {self.since}",
            DELETE_MERGED: f"pull request #{self.pull} merged {self.since}",
        }[self.kind]
        return f"{'would ' if would else ''}{verb} {self.branch} (RFC {self.rfc_slug}): {why}"


@dataclass(frozen=True)
class HygienePlan:
    as_of: str
    acts: tuple[HygieneAct, ...] = ()

    def of(self, *kinds: HygieneKind) -> list[HygieneAct]:
        return [a for a in self.acts if a.kind in kinds]


def due_hygiene(branches: Iterable[CachedBranch], pulls: Iterable[CachedPull], now: datetime,
                *, protected: Collection[str] = ()) -> HygienePlan:
    """What the hygiene rules call for at ``now``: at most one act per branch."""
    by_branch: dict[tuple[str, str], list[CachedPull]] = {}
    for pull in pulls:
        by_branch.setdefault((pull.repo, pull.head_branch), []).append(pull)
    acts: list[HygieneAct] = []
    for branch in sorted(branches, key=lambda b: (b.repo, b.name)):
        role = classify_branch(branch.name)
        if (role is None or role.kind not in SUBJECT_KINDS or branch.state == "deleted"
                or branch.pinned or branch.name in protected):
            continue
        own = by_branch.get((branch.repo, branch.name), [])
        if any(p.state == "open" for p in own):
            continue
        last_commit = parse_iso(branch.last_commit_at)
        # Merged with nothing committed since: the work is in; the branch is leftover.
        merged = [p for p in own if p.state == "merged" and p.merged_at
                  and parse_iso(p.merged_at) >= last_commit]
        act: HygieneAct | None = None
        if merged:
            latest = max(merged, key=lambda p: p.merged_at or "")
            if latest.merged_at and now - parse_iso(latest.merged_at) >= DELETE_AFTER:
                act = HygieneAct(DELETE_MERGED, branch.name, role.slug, branch.head,
                                 latest.merged_at, latest.number)
        if act is None and branch.state == "closed" and branch.closed_at:
            if now - parse_iso(branch.closed_at) >= DELETE_AFTER:
                act = HygieneAct(DELETE_STALE, branch.name, role.slug, branch.head,
                                 branch.closed_at)
        # A pull request closed unmerged counts as activity: people were discussing it.
        idle_since = max([branch.last_commit_at] + [p.closed_at for p in own if p.closed_at
                                                    and p.state == "closed"],
                         key=parse_iso)
        if (act is None and branch.state == "open"
                and now - parse_iso(idle_since) >= IDLE_AFTER):
            act = HygieneAct(CLOSE_IDLE, branch.name, role.slug, branch.head, idle_since)
        if act is not None:
            acts.append(act)
    return HygienePlan(as_of=iso(now), acts=tuple(acts))


@dataclass(frozen=True)
class HygieneReport:
    plan: HygienePlan
    dry_run: bool = False
    done: tuple[HygieneAct, ...] = ()
    skipped: tuple[HygieneAct, ...] = ()
    seconds: float = 0.0

    @property
    def closed(self) -> int:
        return sum(1 for a in self.done if a.kind == CLOSE_IDLE)

    @property
    def deleted(self) -> int:
        return sum(1 for a in self.done if a.kind != CLOSE_IDLE)

    def summary(self) -> str:
        if self.dry_run:
            return (f"dry run as of {self.plan.as_of}: would close "
                    f"{len(self.plan.of(CLOSE_IDLE))}, would delete "
                    f"{len(self.plan.of(DELETE_STALE, DELETE_MERGED))}; nothing changed")
        stale = sum(1 for a in self.done if a.kind == DELETE_STALE)
        return (f"{self.closed} closed, {self.deleted} deleted ({stale} stale, "
                f"{self.deleted - stale} after merge), {len(self.skipped)} skipped; "
                f"{self.seconds:.2f} s")


async def sweep_hygiene(d: Domain, ingest: Ingestor, *, as_of: datetime | None = None,
                        dry_run: bool = False,
                        timer: Callable[[], float] = time.monotonic) -> HygieneReport:
    """One hygiene pass over the meta repository's branches, as of ``as_of`` (default: now).

    If the forge cannot list branches (or pull requests), the pass stops before
    doing anything: nothing is closed and nothing is deleted.
    """
    now = as_of or d.clock.now()
    started = timer()
    log.info("hygiene: starting sweep as of %s%s", iso(now), " (dry run)" if dry_run else "")
    try:
        plan = await _plan(d, now)
    except ForgeUnavailable:
        raise  # an outage: the tick loop logs it once when it starts and once when it ends
    except ForgeError as exc:
        log.warning("hygiene: could not read branches or pull requests from the forge (%s); "
                    "pass aborted, nothing closed or deleted", exc)
        raise
    if dry_run:
        for act in plan.acts:
            log.info("hygiene: %s", act.describe(would=True))
        report = HygieneReport(plan, dry_run=True, seconds=timer() - started)
        log.info("hygiene: sweep complete — %s", report.summary())
        return report
    done: list[HygieneAct] = []
    skipped: list[HygieneAct] = []
    for act in plan.acts:
        try:
            applied = await (_close(d, ingest, act, now) if act.kind == CLOSE_IDLE
                             else _delete(d, ingest, act))
        except ForgeUnavailable:
            raise  # the rest waits for the next pass; the tick loop reports the outage
        except ForgeError as exc:
            log.warning("hygiene: could not %s: %s", act.describe(), exc)
            applied = False
        if applied:
            log.info("hygiene: %s", act.describe(done=True))
            done.append(act)
        else:
            skipped.append(act)
    report = HygieneReport(plan, done=tuple(done), skipped=tuple(skipped),
                           seconds=timer() - started)
    log.info("hygiene: sweep complete — %s", report.summary())
    return report


async def _plan(d: Domain, now: datetime) -> HygienePlan:
    """The plan, from the forge's branches and pull requests and the cache's states."""
    repo = d.meta_repo.full_name
    listing = await d.forge.list_branches(d.meta_repo)
    pulls = await d.forge.list_pull_requests(d.meta_repo, "all")
    default = (await d.forge.get_repo(d.meta_repo)).default_branch
    on_forge = {b.name: b for b in listing}
    protected = {b.name for b in listing if b.protected} | {default}
    async with d.store.read() as uow:
        cached = await uow.branches.for_repo(repo)
        marks = await uow.branches.marks(repo)
    facts: list[CachedBranch] = []
    for row in cached:
        live = on_forge.get(row.name)
        role = classify_branch(row.name)
        # Branches the cache and the forge disagree about existing are the reconciler's.
        if row.state == "deleted" or live is None or role is None:
            continue
        # The forge's head and commit time, not the cache's: a lost push event must not
        # make a busy branch look idle.
        fact = desired_branch(repo, row.name, role.kind, role.slug, live,
                              row.last_commit_author, row, marks.get(row.name, BranchMark()),
                              iso(now))
        if fact is not None:
            facts.append(fact)
    return due_hygiene(facts, [cached_pull(d.meta_repo, p) for p in pulls], now,
                       protected=protected)


def _target(d: Domain, branch: str) -> str:
    return f"branch:{d.meta_repo.full_name}:{branch}"


async def _pull_opened_since(d: Domain, act: HygieneAct) -> bool:
    """A pull request opened from the branch after the plan was made keeps it alive."""
    return any(p.head_branch == act.branch
               for p in await d.forge.list_pull_requests(d.meta_repo, "open"))


async def _close(d: Domain, ingest: Ingestor, act: HygieneAct, now: datetime) -> bool:
    repo = d.meta_repo.full_name
    if await _pull_opened_since(d, act):
        return False
    async with d.store.read() as uow:
        row = await uow.branches.get(repo, act.branch)
    if row is not None and row.head != act.head:
        await ingest.sync_branch(act.branch)  # the cache missed a push: catch up first
    closed_at = iso(now)
    async with d.store.write() as uow:
        row = await uow.branches.get(repo, act.branch)
        if row is None or row.state != "open" or row.pinned or row.head != act.head:
            return False
        closed = replace(row, state="closed", closed_at=closed_at)
        await uow.branches.upsert(closed)
        await uow.branches.set_closed_mark(repo, act.branch, closed_at)
        await uow.audit.record(at=d.now_iso(), actor_id=None, kind=act.kind,
                               target=_target(d, act.branch),
                               details={"slug": act.rfc_slug, "head": act.head,
                                        "last_commit_at": act.since, "as_of": closed_at},
                               on_behalf_of=d.forge.bot.login)
        uow.emit(BranchUpdated(await branch_view(uow, closed)))
    return True


async def _delete(d: Domain, ingest: Ingestor, act: HygieneAct) -> bool:
    repo = d.meta_repo.full_name
    try:
        live = await d.forge.get_branch(d.meta_repo, act.branch)
    except ForgeNotFound:
        await ingest.sync_branch(act.branch)
        return False
    if live.head != act.head or live.protected or await _pull_opened_since(d, act):
        return False  # a commit or a pull request arrived since the plan, or it is protected
    async with d.store.read() as uow:
        if (await uow.branches.mark(repo, act.branch)).pinned:
            return False  # pinned since the plan
    try:
        await d.forge.delete_branch(d.meta_repo, act.branch)
    except ForgeNotFound:
        await ingest.sync_branch(act.branch)
        return False
    details: dict[str, object] = {"slug": act.rfc_slug, "head": act.head}
    if act.kind == DELETE_MERGED:
        details.update(pull=act.pull, merged_at=act.since)
    else:
        details.update(closed_at=act.since)

    async def audit(uow: UnitOfWork) -> None:
        await uow.audit.record(at=d.now_iso(), actor_id=None, kind=act.kind,
                               target=_target(d, act.branch), details=details,
                               on_behalf_of=d.forge.bot.login)

    # The forge's own event updates the row too; a lost event must not leave it behind,
    # and the audit entry commits with the row that says "deleted".
    await ingest.sync_branch(act.branch, audit=audit)
    return True


# ---- pins -------------------------------------------------------------------

async def _find_branch(uow: UnitOfWork, repo: str, slug: str,
                       branch: str) -> CachedBranch | None:
    """An RFC's branch by the name a person gave it, or by its full name."""
    names = [edit_branch(slug, branch)]
    role = classify_branch(branch)
    if role is not None and role.slug == slug and role.kind in SUBJECT_KINDS:
        names.append(branch)
    for name in names:
        row = await uow.branches.get(repo, name)
        if row is not None and row.rfc_slug == slug:
            return row
    return None


async def set_pinned(d: Domain, actor: User | None, slug: str, branch: str, *,
                     pinned: bool) -> BranchView:
    """Pin (hygiene leaves it alone; a closed branch reopens) or unpin a branch."""
    user = require_signed_in(actor)
    if not may_pin_branch(user):
        raise Forbidden("Only the owner and admins can pin or unpin a branch.")
    repo = d.meta_repo.full_name
    async with d.store.write() as uow:
        row = await _find_branch(uow, repo, slug, branch)
        if row is None:
            raise NotFound("There is no such branch.")
        if row.state == "deleted":
            raise Conflict("This branch was deleted; there is nothing left to pin.",
                           code="branch_deleted")
        if row.pinned == pinned:
            return await branch_view(uow, row)
        now = d.now_iso()
        await uow.branches.set_pinned(repo, row.name, pinned, by=user.id, at=now)
        updated = replace(row, pinned=pinned)
        details: dict[str, object] = {"slug": slug}
        if pinned and row.state == "closed":
            # Pinning keeps a branch alive: it reopens, and its chat is writable again.
            updated = replace(updated, state="open", closed_at=None)
            await uow.branches.set_closed_mark(repo, row.name, None)
            details["reopened"] = True
        await uow.branches.upsert(updated)
        await uow.audit.record(at=now, actor_id=user.id,
                               kind="pin_branch" if pinned else "unpin_branch",
                               target=_target(d, row.name), details=details)
        view = await branch_view(uow, updated)
        uow.emit(BranchUpdated(view))
        return view
