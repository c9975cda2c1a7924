"""Reading the catalog and single RFCs."""

from __future__ import annotations

from server.domain.context import Domain
from server.domain.ingest import proposal_view
from server.domain.rfcs import MalformedRfcFile, parse_rfc_file
from server.domain.views import ProposalView, RfcView
from server.errors import NotFound
from server.forge.port import ForgeNotFound, RepoRef


async def get_catalog(d: Domain) -> tuple[list[RfcView], list[ProposalView]]:
    async with d.store.read() as uow:
        rfcs = await uow.cache.list_rfcs()
        pulls = await uow.cache.list_pulls(kind="proposal", state="open")
        pending = [await proposal_view(uow, p) for p in pulls]
    return rfcs, pending


async def get_rfc(d: Domain, slug: str) -> tuple[RfcView, str]:
    """The RFC's catalog entry and its body text (front matter removed)."""
    async with d.store.read() as uow:
        cached = await uow.cache.get_rfc(slug)
    if cached is None:
        raise NotFound(f"There is no RFC “{slug}”.")
    repo = RepoRef.parse(cached.view.repo) if cached.view.repo else d.meta_repo
    try:
        default = (await d.forge.get_repo(repo)).default_branch
        file = await d.forge.read_file(repo, cached.path, default)
        body = parse_rfc_file(file.content)[1]
    except (ForgeNotFound, MalformedRfcFile):
        body = ""
    return cached.view, body
