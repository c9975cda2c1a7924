"""Reading the catalog and single RFCs."""

from __future__ import annotations

from dataclasses import dataclass

from server.clock import iso
from server.domain.context import Domain
from server.domain.ingest import branch_view, proposal_view, pull_view
from server.domain.people import User
from server.domain.permissions import may_merge_rfc_pull, may_pin_branch, may_start_branch
from server.domain.rfcs import MalformedRfcFile, parse_rfc_file
from server.domain.views import BranchView, ProposalView, PullView, RfcView
from server.errors import NotFound
from server.forge.port import Commit, ForgeNotFound, RepoRef

HISTORY_LIMIT = 30


@dataclass(frozen=True)
class RfcDetail:
    rfc: RfcView
    body: str
    branches: list[BranchView]
    pulls: list[PullView]
    history: list[Commit]
    maintainers: list[str]
    can_start_branch: bool
    can_merge: bool
    can_pin: bool
    created_at: str | None = None  # when it entered the catalog, where that is known


async def get_catalog(d: Domain) -> tuple[list[RfcView], list[ProposalView]]:
    async with d.store.read() as uow:
        rfcs = await uow.cache.list_rfcs()
        pulls = await uow.cache.list_pulls(kind="proposal", state="open")
        pending = [await proposal_view(uow, p) for p in pulls]
    return rfcs, pending


async def get_rfc(d: Domain, slug: str, viewer: User | None = None) -> RfcDetail:
    """The RFC's entry, body (front matter removed), branches, pull requests and history."""
    async with d.store.read() as uow:
        cached = await uow.cache.get_rfc(slug)
        if cached is None:
            raise NotFound(f"There is no RFC “{slug}”.")
        branches = [await branch_view(uow, b) for b in await uow.branches.for_rfc(slug)
                    if b.kind == "edit"]
        pulls = [await pull_view(uow, p) for p in await uow.cache.pulls_for_rfc(slug,
                                                                                 state="open")]
        merged_proposals = [p.merged_at for p in await uow.cache.list_pulls(kind="proposal",
                                                                             state="merged")
                            if p.rfc_slug == slug and p.merged_at]
        maintainer_ids = await uow.maintainers.of(slug)
        maintainers = [u.login for u in [await uow.users.get(i) for i in maintainer_ids] if u]
    repo = RepoRef.parse(cached.view.repo) if cached.view.repo else d.meta_repo
    history: list[Commit] = []
    try:
        default = (await d.forge.get_repo(repo)).default_branch
        file = await d.forge.read_file(repo, cached.path, default)
        body = parse_rfc_file(file.content)[1]
        history = await d.forge.list_commits(repo, default, path=cached.path,
                                             limit=HISTORY_LIMIT)
    except (ForgeNotFound, MalformedRfcFile):
        body = ""
    maintains = viewer is not None and viewer.login in maintainers
    # The merge of its proposal; else (an RFC committed directly) its file's first
    # commit, when the history shown reaches back that far.
    created = min(merged_proposals, default=None)
    if created is None and history and len(history) < HISTORY_LIMIT:
        created = iso(history[-1].authored_at)
    return RfcDetail(rfc=cached.view, body=body, branches=branches, pulls=pulls,
                     history=history, maintainers=maintainers,
                     can_start_branch=may_start_branch(viewer),
                     can_merge=may_merge_rfc_pull(viewer, maintains_rfc=maintains),
                     can_pin=may_pin_branch(viewer), created_at=created)
