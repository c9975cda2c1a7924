"""Turning forge events into the cache, and cache changes into live events.

Every path here is idempotent: ingesting the same event twice, or refreshing
something that did not change, writes nothing and emits nothing. Forge reads
happen before the write transaction opens, so the write lock is held briefly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from server.clock import iso
from server.domain.context import Domain
from server.domain.live import (
    BranchUpdated,
    ProposalClosed,
    ProposalMerged,
    ProposalOpened,
    PullUpdated,
    RfcUpdated,
)
from server.domain.naming import PULL_KIND_OF_BRANCH, classify_branch
from server.domain.rfcs import RFC_DIR, MalformedRfcFile, parse_rfc_file, slug_from_path
from server.domain.store import CachedBranch, CachedPull, CachedRfc, UnitOfWork
from server.domain.views import BranchView, ProposalView, PullRef, PullView, RfcView
from server.forge.port import (
    ZERO_SHA,
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


def classify_pull(meta_repo: RepoRef, pull: PullRequest) -> tuple[str, str | None]:
    """(kind, rfc slug) of a pull request, from the forge's data alone."""
    if pull.repo == meta_repo:
        role = classify_branch(pull.head_branch)
        if role is not None:
            return PULL_KIND_OF_BRANCH[role.kind], role.slug
    return "other", None


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
                await self.sync_pull(pull)
            case Pushed(branch=branch, before=before, after=after):
                if await self._is_default(branch):
                    await self.sync_rfcs(await self._changed_rfc_paths(before, after))
                else:
                    # A push to the all-zero commit is a deletion; sync_branch finds it gone.
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

    async def _changed_rfc_paths(self, before: str, after: str) -> list[str] | None:
        if before == ZERO_SHA:
            return None
        comparison = await self.domain.forge.compare(self.domain.meta_repo, before, after)
        return [f.path for f in comparison.files if f.path.startswith(RFC_DIR + "/")]

    async def sync_rfcs(self, paths: Iterable[str] | None) -> None:
        """Refresh cached RFCs of the meta repo: the given paths, or all of them."""
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
        async with d.store.write() as uow:
            for cached in found.values():
                if await uow.cache.upsert_rfc(cached):
                    uow.emit(RfcUpdated(cached.view))
            gone = set(missing)
            if full:
                gone |= {r.slug for r in await uow.cache.list_rfcs()
                         if r.repo == d.meta_repo.full_name} - set(found)
            for slug in gone:
                await uow.cache.delete_rfc(slug)

    async def sync_branch(self, name: str) -> None:
        """Refresh one RFC branch of the meta repo from the forge (deleted if it is gone)."""
        d = self.domain
        role = classify_branch(name)
        if role is None or role.kind == "proposal":
            return
        repo = d.meta_repo.full_name
        try:
            branch = await d.forge.get_branch(d.meta_repo, name)
        except ForgeNotFound:
            branch = None
        author = ""
        if branch is not None:
            last = await d.forge.list_commits(d.meta_repo, branch.head, limit=1)
            author = last[0].author_name if last else ""
        async with d.store.write() as uow:
            previous = await uow.branches.get(repo, name)
            if branch is None:
                if previous is None or previous.state == "deleted":
                    return
                cached = CachedBranch(
                    repo=repo, name=name, kind=previous.kind, rfc_slug=previous.rfc_slug,
                    head=previous.head, last_commit_at=previous.last_commit_at,
                    last_commit_author=previous.last_commit_author, state="deleted",
                    pinned=previous.pinned, closed_at=previous.closed_at,
                    deleted_at=d.now_iso())
            else:
                moved = previous is None or previous.head != branch.head
                cached = CachedBranch(
                    repo=repo, name=name, kind=role.kind, rfc_slug=role.slug, head=branch.head,
                    last_commit_at=iso(branch.last_commit_at), last_commit_author=author,
                    # A new commit reopens a branch closed for idleness.
                    state="open" if moved or previous is None else previous.state,
                    pinned=previous.pinned if previous else False,
                    closed_at=None if moved or previous is None else previous.closed_at)
            if await uow.branches.upsert(cached) != cached:
                uow.emit(BranchUpdated(await branch_view(uow, cached)))

    async def sync_pull(self, pull: PullRequest) -> None:
        d = self.domain
        kind, slug = classify_pull(d.meta_repo, pull)
        meta: dict[str, object] = {}
        if kind == "proposal" and slug:
            meta = await self._proposal_meta(pull, slug)
            if pull.state == "merged":
                await self.sync_rfcs([f"{RFC_DIR}/{slug}.md"])
        elif kind in ("body", "metadata") and pull.state == "merged" and slug:
            await self.sync_rfcs([f"{RFC_DIR}/{slug}.md"])
        cached = CachedPull(
            repo=pull.repo.full_name, number=pull.number, kind=kind, rfc_slug=slug,
            title=pull.title, body=pull.body, head_branch=pull.head_branch,
            base_branch=pull.base_branch, head_sha=pull.head_sha, state=pull.state,
            author_login=pull.author_login, created_at=iso(pull.created_at),
            updated_at=iso(pull.updated_at),
            merged_at=iso(pull.merged_at) if pull.merged_at else None,
            closed_at=iso(pull.closed_at) if pull.closed_at else None, meta=meta)
        async with d.store.write() as uow:
            previous = await uow.cache.upsert_pull(cached)
            if previous == cached or kind == "other":
                return
            if kind == "proposal":
                await self._emit_proposal(uow, cached, slug or "")
                return
            uow.emit(PullUpdated(await pull_view(uow, cached)))
            branch = await uow.branches.get(cached.repo, cached.head_branch)
            if branch is not None:
                uow.emit(BranchUpdated(await branch_view(uow, branch)))

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
