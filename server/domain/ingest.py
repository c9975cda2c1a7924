"""Turning forge events into the cache, and cache changes into live events.

Every path here is idempotent: ingesting the same event twice, or refreshing
something that did not change, writes nothing and emits nothing. Forge reads
happen before the write transaction opens, so the write lock is held briefly.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from server.clock import iso
from server.domain.context import Domain
from server.domain.live import (
    BranchUpdated,
    ProposalClosed,
    ProposalMerged,
    ProposalOpened,
    PullUpdated,
    RfcRemoved,
    RfcUpdated,
)
from server.domain.naming import PULL_KIND_OF_BRANCH, classify_branch
from server.domain.rfcs import RFC_DIR, MalformedRfcFile, parse_rfc_file, slug_from_path
from server.domain.store import BranchMark, CachedBranch, CachedPull, CachedRfc, UnitOfWork
from server.domain.views import BranchView, ProposalView, PullRef, PullView, RfcView
from server.forge.port import (
    ZERO_SHA,
    Branch,
    BranchCreated,
    BranchDeleted,
    ForgeEvent,
    ForgeNotFound,
    PullRequest,
    PullRequestEvent,
    Pushed,
    RepoRef,
    RepositoryEvent,
)

log = logging.getLogger(__name__)

# Writes an act's audit entry inside the transaction that records the act.
AuditWrite = Callable[[UnitOfWork], Awaitable[object]]


def audit_entry(d: Domain, actor_id: int, kind: str, target: str,
                details: dict[str, object]) -> AuditWrite:
    """The audit entry of an act a person asked the bot to do on the forge."""
    async def write(uow: UnitOfWork) -> None:
        await uow.audit.record(at=d.now_iso(), actor_id=actor_id, kind=kind, target=target,
                               details=details, on_behalf_of=d.forge.bot.login)
    return write


async def forget_close_reason(d: Domain, repo: str, number: int) -> None:
    """Undo the reason recorded before a close that then did not happen."""
    async with d.store.write() as uow:
        await uow.closures.set_reason(repo=repo, number=number, reason="", closed_by=None,
                                      at=d.now_iso())


def classify_pull(meta_repo: RepoRef, pull: PullRequest) -> tuple[str, str | None]:
    """(kind, rfc slug) of a pull request, from the forge's data alone."""
    if pull.repo == meta_repo:
        role = classify_branch(pull.head_branch)
        if role is not None:
            return PULL_KIND_OF_BRANCH[role.kind], role.slug
    return "other", None


def cached_pull(meta_repo: RepoRef, pull: PullRequest,
                meta: dict[str, Any] | None = None) -> CachedPull:
    """The cached row of a pull request (``meta``: what a proposal's file proposes)."""
    kind, slug = classify_pull(meta_repo, pull)
    return CachedPull(
        repo=pull.repo.full_name, number=pull.number, kind=kind, rfc_slug=slug,
        title=pull.title, body=pull.body, head_branch=pull.head_branch,
        base_branch=pull.base_branch, head_sha=pull.head_sha, state=pull.state,
        author_login=pull.author_login, created_at=iso(pull.created_at),
        updated_at=iso(pull.updated_at),
        merged_at=iso(pull.merged_at) if pull.merged_at else None,
        closed_at=iso(pull.closed_at) if pull.closed_at else None, meta=meta or {})


def desired_branch(repo: str, name: str, kind: str, slug: str, branch: Branch | None,
                   author: str, previous: CachedBranch | None, mark: BranchMark,
                   now: str) -> CachedBranch | None:
    """The cached row a branch should have, from the forge's facts and the app's marks.

    ``branch`` None means the forge no longer has it: a known branch becomes
    ``deleted`` (the row stays, for its history); an unknown one stays unknown. A
    branch is ``closed`` while its mark says the hygiene sweep closed it and no commit
    arrived since; a cache rebuilt from scratch reaches the same answer from the
    commit time alone.
    """
    if branch is None:
        if previous is None or previous.state == "deleted":
            return previous
        return replace(previous, state="deleted", pinned=mark.pinned, deleted_at=now)
    last = iso(branch.last_commit_at)
    if previous is not None and previous.state != "deleted":
        closed = mark.closed_at is not None and previous.head == branch.head
    else:
        closed = mark.closed_at is not None and mark.closed_at >= last
    return CachedBranch(
        repo=repo, name=name, kind=kind, rfc_slug=slug, head=branch.head,
        last_commit_at=last, last_commit_author=author, state="closed" if closed else "open",
        pinned=mark.pinned, closed_at=mark.closed_at if closed else None)


def stale_mark(cached: CachedBranch | None, mark: BranchMark) -> bool:
    """A closing mark outlives its branch's closed state (a new commit, or deletion)."""
    return mark.closed_at is not None and (cached is None or cached.state != "closed")


async def proposal_view(uow: UnitOfWork, pull: CachedPull) -> ProposalView:
    reason = (await uow.closures.reason(pull.repo, pull.number)
              if pull.state == "closed" else None)
    return ProposalView(number=pull.number, slug=pull.rfc_slug or "",
                        title=str(pull.meta.get("title", pull.title)),
                        pitch=str(pull.meta.get("pitch", "")), author=pull.author_login,
                        state=pull.state, head_sha=pull.head_sha, opened_at=pull.created_at,
                        updated_at=pull.updated_at, close_reason=reason)


async def pull_view(uow: UnitOfWork, pull: CachedPull) -> PullView:
    reason = (await uow.closures.reason(pull.repo, pull.number)
              if pull.state == "closed" else None)
    return PullView(repo=pull.repo, number=pull.number, kind=pull.kind,
                    rfc_slug=pull.rfc_slug or "", title=pull.title, body=pull.body,
                    head_branch=pull.head_branch, base_branch=pull.base_branch,
                    head_sha=pull.head_sha, state=pull.state, author=pull.author_login,
                    created_at=pull.created_at, updated_at=pull.updated_at,
                    merged_at=pull.merged_at, closed_at=pull.closed_at, close_reason=reason)


async def branch_view(uow: UnitOfWork, branch: CachedBranch) -> BranchView:
    role = classify_branch(branch.name)
    pull = await uow.cache.latest_pull_for_branch(branch.repo, branch.name)
    return BranchView(repo=branch.repo, name=branch.name, short=role.short if role else "",
                      kind=branch.kind, rfc_slug=branch.rfc_slug or "", state=branch.state,
                      head=branch.head, last_commit_at=branch.last_commit_at,
                      last_commit_author=branch.last_commit_author, pinned=branch.pinned,
                      pull=PullRef(pull.number, pull.state, pull.kind) if pull else None)


class Ingestor:
    def __init__(self, domain: Domain) -> None:
        self.domain = domain

    async def handle(self, event: ForgeEvent) -> None:
        """Apply one normalized forge event (deduplicated by its delivery id)."""
        d = self.domain
        async with d.store.write() as uow:
            if not await uow.deliveries.first_time(event.delivery_id, d.now_iso()):
                log.debug("forge event %s seen before; ignored", event.delivery_id)
                return
        if event.repo != d.meta_repo:
            return
        match event:
            case PullRequestEvent(pull=pull):
                # The forge's current state, not the payload: a late or repeated delivery
                # then cannot roll the cache back.
                await self.sync_pull(await self.current_pull(pull))
            case Pushed(branch=branch, after=after) if after == ZERO_SHA:
                # A deletion that arrives only as a push to the all-zero commit.
                await self.sync_branch(branch)
            case Pushed(branch=branch, before=before, after=after):
                if await self._is_default(branch):
                    await self.sync_rfcs(await self._changed_rfc_paths(before, after))
                else:
                    await self.sync_branch(branch)
            case BranchCreated(branch=branch):
                if await self._is_default(branch):
                    await self.sync_rfcs(None)
                else:
                    await self.sync_branch(branch)
            case BranchDeleted(branch=branch):
                await self.sync_branch(branch)
            case RepositoryEvent(action="created"):
                await self.sync_rfcs(None)
            case _:
                pass

    async def _is_default(self, branch: str) -> bool:
        repo = await self.domain.forge.get_repo(self.domain.meta_repo)
        return branch == repo.default_branch

    async def current_pull(self, pull: PullRequest) -> PullRequest:
        """``pull`` as the forge has it now (unchanged if the forge no longer has it)."""
        try:
            return await self.domain.forge.get_pull_request(pull.repo, pull.number)
        except ForgeNotFound:
            return pull

    async def _changed_rfc_paths(self, before: str, after: str) -> list[str] | None:
        if before == ZERO_SHA:
            return None
        try:
            comparison = await self.domain.forge.compare(self.domain.meta_repo, before, after)
        except ForgeNotFound:
            return None  # history rewritten: look at every file
        return [f.path for f in comparison.files if f.path.startswith(RFC_DIR + "/")]

    async def sync_rfcs(self, paths: Iterable[str] | None) -> tuple[int, int]:
        """Refresh cached RFCs of the meta repo: the given paths, or all of them.

        Returns (RFCs added or changed, RFCs removed).
        """
        d = self.domain
        repo = await d.forge.get_repo(d.meta_repo)
        ref = repo.default_branch
        if paths is None:
            names = await d.forge.list_dir(d.meta_repo, RFC_DIR, ref)
            wanted = [f"{RFC_DIR}/{n}" for n in names]
            full = True
        else:
            wanted, full = list(paths), False
        found: dict[str, CachedRfc] = {}
        missing: list[str] = []
        for path in wanted:
            slug = slug_from_path(path)
            if slug is None:
                continue
            try:
                file = await d.forge.read_file(d.meta_repo, path, ref)
            except ForgeNotFound:
                missing.append(slug)
                continue
            try:
                meta, _body = parse_rfc_file(file.content)
            except MalformedRfcFile as exc:
                log.warning("skipping %s in %s: %s", path, d.meta_repo.full_name, exc)
                continue
            last = await d.forge.list_commits(d.meta_repo, ref, path=path, limit=1)
            updated = iso(last[0].authored_at) if last else d.now_iso()
            view = RfcView(slug=slug, title=meta.title, pitch=meta.pitch, state=meta.state,
                           authors=meta.authors, rfc_number=meta.rfc_number,
                           repo=meta.repo or d.meta_repo.full_name, updated_at=updated)
            found[slug] = CachedRfc(view=view, path=path,
                                    commit_sha=last[0].sha if last else file.commit_sha)
        async with d.store.read() as uow:
            known = {r.slug for r in await uow.cache.list_rfcs()}
            differs = [c for c in found.values() if await uow.cache.get_rfc(c.view.slug) != c]
        leaving = (set(missing) | (known - set(found) if full else set())) & known
        if not differs and not leaving:
            return 0, 0  # nothing to repair: do not even take the write lock
        changed = removed = 0
        async with d.store.write() as uow:
            for cached in found.values():
                if await uow.cache.upsert_rfc(cached):
                    uow.emit(RfcUpdated(cached.view))
                    changed += 1
            gone = set(missing)
            if full:
                # Every cached RFC comes from a file in the meta repository, graduated or not.
                gone |= {r.slug for r in await uow.cache.list_rfcs()} - set(found)
            for slug in sorted(gone):
                if await uow.cache.delete_rfc(slug):
                    uow.emit(RfcRemoved(slug))
                    removed += 1
        return changed, removed

    async def sync_branch(self, name: str, *, audit: AuditWrite | None = None) -> bool:
        """Refresh one RFC branch of the meta repo from the forge (deleted if it is gone).

        ``audit`` writes the audit entry of the act that changed it, in the same
        transaction as the cached row.
        """
        d = self.domain
        role = classify_branch(name)
        if role is None or role.kind == "proposal":
            return False
        try:
            branch = await d.forge.get_branch(d.meta_repo, name)
        except ForgeNotFound:
            branch = None
        return await self.store_branch(name, branch, audit=audit)

    async def store_branch(self, name: str, branch: Branch | None, *,
                           author: str | None = None, audit: AuditWrite | None = None) -> bool:
        """Bring the cached row of ``name`` in line with ``branch`` (None: gone from the forge).

        ``author`` is the head commit's author, looked up when not given. Returns whether
        anything was written.
        """
        d = self.domain
        role = classify_branch(name)
        if role is None or role.kind == "proposal":
            return False
        repo = d.meta_repo.full_name
        if branch is not None and author is None:
            last = await d.forge.list_commits(d.meta_repo, branch.head, limit=1)
            author = last[0].author_name if last else ""
        async with d.store.write() as uow:
            if audit is not None:
                await audit(uow)
            previous = await uow.branches.get(repo, name)
            mark = await uow.branches.mark(repo, name)
            cached = desired_branch(repo, name, role.kind, role.slug, branch, author or "",
                                    previous, mark, d.now_iso())
            stale = stale_mark(cached, mark)
            if stale:
                await uow.branches.set_closed_mark(repo, name, None)
            if cached is None or cached == previous:
                return stale
            await uow.branches.upsert(cached)
            uow.emit(BranchUpdated(await branch_view(uow, cached)))
            return True

    async def sync_pull(self, pull: PullRequest, *, audit: AuditWrite | None = None) -> bool:
        """Refresh one pull request from ``pull``; returns whether the cache changed.

        ``audit`` writes the audit entry of the act that changed the pull request, in
        the same transaction as the cached row (even when an event got there first).
        """
        d = self.domain
        kind, slug = classify_pull(d.meta_repo, pull)
        meta: dict[str, object] = {}
        if kind == "proposal" and slug:
            meta = await self._proposal_meta(pull, slug)
            if pull.state == "merged":
                await self.sync_rfcs([f"{RFC_DIR}/{slug}.md"])
        elif kind in ("body", "metadata") and pull.state == "merged" and slug:
            await self.sync_rfcs([f"{RFC_DIR}/{slug}.md"])
        cached = cached_pull(d.meta_repo, pull, meta)
        async with d.store.write() as uow:
            if audit is not None:
                await audit(uow)
            previous = await uow.cache.upsert_pull(cached)
            if previous == cached:
                return False
            if kind == "other":
                return True
            if kind == "proposal":
                await self._emit_proposal(uow, cached, slug or "")
                return True
            uow.emit(PullUpdated(await pull_view(uow, cached)))
            branch = await uow.branches.get(cached.repo, cached.head_branch)
            if branch is not None:
                uow.emit(BranchUpdated(await branch_view(uow, branch)))
            return True

    async def _emit_proposal(self, uow: UnitOfWork, cached: CachedPull, slug: str) -> None:
        view = await proposal_view(uow, cached)
        if cached.state == "open":
            uow.emit(ProposalOpened(view))
        elif cached.state == "closed":
            uow.emit(ProposalClosed(view))
        elif cached.state == "merged":
            rfc = await uow.cache.get_rfc(slug)
            uow.emit(ProposalMerged(view, rfc.view if rfc else None))

    async def _proposal_meta(self, pull: PullRequest, slug: str) -> dict[str, object]:
        """Title, pitch and authors proposed, read from the proposal's file."""
        d = self.domain
        try:
            file = await d.forge.read_file(pull.repo, f"{RFC_DIR}/{slug}.md", pull.head_sha)
            meta, _ = parse_rfc_file(file.content)
            return {"title": meta.title, "pitch": meta.pitch, "authors": list(meta.authors)}
        except (ForgeNotFound, MalformedRfcFile):
            async with d.store.read() as uow:
                known = await uow.cache.get_pull(pull.repo.full_name, pull.number)
            return dict(known.meta) if known else {"title": pull.title, "pitch": ""}
