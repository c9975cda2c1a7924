"""The reconciler: compare the cache with the forge and repair every difference.

It is the safety net for forge events that were lost, delayed or never sent,
and it fills an empty cache (a restore, or a new install on an old forge) on its
first sweep. Every repair goes through the ingestion's own write path, so it is
broadcast like any other change; a row that already matches the forge is never
written, so a sweep with nothing to repair writes nothing.

Only ``cached_*`` rows change here. App-canonical tables are read (the branch
marks say which branches are pinned or closed) and never written, except that a
closing mark is cleared once its branch got a commit or was deleted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from server.domain.context import Domain
from server.domain.ingest import Ingestor, branch_view, cached_pull, desired_branch, stale_mark
from server.domain.live import BranchUpdated
from server.domain.naming import classify_branch
from server.domain.store import BranchMark

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    rfcs_changed: int = 0
    rfcs_removed: int = 0
    pulls_changed: int = 0
    pulls_removed: int = 0
    branches_changed: int = 0
    branches_gone: int = 0
    seconds: float = 0.0

    @property
    def repairs(self) -> int:
        return (self.rfcs_changed + self.rfcs_removed + self.pulls_changed
                + self.pulls_removed + self.branches_changed + self.branches_gone)

    def summary(self) -> str:
        return (f"{self.repairs} repair(s): RFCs {self.rfcs_changed} changed, "
                f"{self.rfcs_removed} removed; pull requests {self.pulls_changed} changed, "
                f"{self.pulls_removed} removed; branches {self.branches_changed} changed, "
                f"{self.branches_gone} gone; {self.seconds:.2f} s")


class Reconciler:
    def __init__(self, domain: Domain, ingest: Ingestor, *,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.domain = domain
        self.ingest = ingest
        self._timer = timer

    async def sweep(self) -> SweepReport:
        """One pass over RFCs, pull requests and branches of the meta repository."""
        log.info("reconciler: starting sweep")
        started = self._timer()
        rfcs_changed, rfcs_removed = await self.ingest.sync_rfcs(None)
        # Pull requests before branches: a branch's row shows its latest pull request.
        pulls_changed, pulls_removed = await self._pulls()
        branches_changed, branches_gone = await self._branches()
        report = SweepReport(rfcs_changed=rfcs_changed, rfcs_removed=rfcs_removed,
                             pulls_changed=pulls_changed, pulls_removed=pulls_removed,
                             branches_changed=branches_changed, branches_gone=branches_gone,
                             seconds=self._timer() - started)
        log.info("reconciler: sweep complete — %s", report.summary())
        return report

    async def _pulls(self) -> tuple[int, int]:
        d = self.domain
        repo = d.meta_repo.full_name
        on_forge = await d.forge.list_pull_requests(d.meta_repo, "all")
        async with d.store.read() as uow:
            cached = {p.number: p for p in await uow.cache.list_pulls() if p.repo == repo}
        changed = 0
        for pull in sorted(on_forge, key=lambda p: p.number):
            known = cached.get(pull.number)
            # What a proposal proposes (``meta``) follows from its head, compared here.
            if known is not None and replace(known, meta={}) == cached_pull(d.meta_repo, pull):
                continue
            # Read it again: it may have moved on since the listing.
            if await self.ingest.sync_pull(await self.ingest.current_pull(pull)):
                changed += 1
        removed = 0
        vanished = set(cached) - {p.number for p in on_forge}
        if vanished:
            async with d.store.write() as uow:
                for number in sorted(vanished):
                    if not await uow.cache_repair.delete_pull(repo, number):
                        continue
                    removed += 1
                    branch = await uow.branches.get(repo, cached[number].head_branch)
                    if branch is not None:
                        uow.emit(BranchUpdated(await branch_view(uow, branch)))
        return changed, removed

    async def _branches(self) -> tuple[int, int]:
        d = self.domain
        repo = d.meta_repo.full_name
        listing = await d.forge.list_branches(d.meta_repo)
        async with d.store.read() as uow:
            cached = {b.name: b for b in await uow.branches.for_repo(repo)}
            marks = await uow.branches.marks(repo)
        changed = gone = 0
        live: set[str] = set()
        for branch in sorted(listing, key=lambda b: b.name):
            role = classify_branch(branch.name)
            if role is None or role.kind == "proposal":
                continue
            live.add(branch.name)
            previous = cached.get(branch.name)
            mark = marks.get(branch.name, BranchMark())
            if previous is not None and previous.head == branch.head:
                wanted = desired_branch(repo, branch.name, role.kind, role.slug, branch,
                                        previous.last_commit_author, previous, mark,
                                        d.now_iso())
                if wanted == previous and not stale_mark(wanted, mark):
                    continue
            # Fetched again by name, so a push since the listing is not rolled back.
            if await self.ingest.sync_branch(branch.name):
                changed += 1
        for name, previous in sorted(cached.items()):
            if name in live or previous.state == "deleted":
                continue
            # Deleted on the forge, and the event (branch deleted, or a push to the
            # all-zero commit) never arrived.
            if await self.ingest.sync_branch(name):
                gone += 1
        return changed, gone
