"""Ideas: proposing an RFC, and the owner's merge or close.

A proposal is a pull request on the meta repository, from the branch
``proposal/<slug>``, that adds ``rfcs/<slug>.md``. The forge is the arbiter of
races: two people proposing one slug at once collide on the branch name.
"""

from __future__ import annotations

import logging

from server.domain.context import Domain
from server.domain.ingest import (
    AuditWrite,
    Ingestor,
    audit_entry,
    forget_close_reason,
    proposal_view,
)
from server.domain.naming import proposal_branch
from server.domain.people import User
from server.domain.permissions import require_may_decide_proposal, require_signed_in
from server.domain.rfcs import (
    MalformedRfcFile,
    RfcMeta,
    check_pitch,
    check_slug,
    check_title,
    parse_rfc_file,
    render_rfc_file,
    rfc_path,
    starter_body,
)
from server.domain.views import ProposalView, RfcView
from server.errors import Conflict, InvalidInput, NotFound, Unavailable
from server.forge.port import (
    Branch,
    FileChange,
    ForgeAlreadyExists,
    ForgeError,
    ForgeNotFound,
    MergeOutcome,
)

log = logging.getLogger(__name__)

CLOSE_REASON_MAX = 500

_MERGE_REFUSALS = {
    MergeOutcome.ALREADY_MERGED: ("already_merged", "This proposal has already been merged."),
    MergeOutcome.GONE: ("gone", "This proposal is closed or no longer exists."),
    MergeOutcome.HEAD_MOVED: ("head_moved", "The proposal changed since you opened it. "
                              "Reload it, check the new text, then merge again."),
    MergeOutcome.CONFLICTED: ("merge_conflict", "The proposal conflicts with the catalog "
                              "(an RFC with this file exists already). Close it instead."),
    MergeOutcome.NOT_MERGEABLE_YET: ("not_mergeable_yet", "The forge is still checking this "
                                     "proposal. Try again in a few seconds."),
    MergeOutcome.SCHEDULED: ("scheduled", "The merge is scheduled and will happen shortly."),
}


async def propose_rfc(d: Domain, ingest: Ingestor, actor: User | None, *, title: str,
                      slug: str, pitch: str) -> ProposalView:
    user = require_signed_in(actor)
    meta = RfcMeta(title=check_title(title), slug=check_slug(slug), pitch=check_pitch(pitch),
                   authors=(user.login,), state="super-draft")
    await _refuse_used_slug(d, meta.slug)

    repo = await d.forge.get_repo(d.meta_repo)
    branch = proposal_branch(meta.slug)
    start = await _start_proposal_branch(d, branch, repo.default_branch, meta.slug)
    ours = {start.head}  # heads this request put there; only those may be cleaned up
    try:
        commit = await d.forge.commit_files(
            d.meta_repo, branch,
            [FileChange(rfc_path(meta.slug), render_rfc_file(meta, starter_body(meta.title,
                                                                               meta.pitch)))],
            message=f"Propose RFC: {meta.title}", author=user.as_author(),
            expected_head=start.head)
        ours.add(commit.sha)
        pull = await d.forge.open_pull_request(
            d.meta_repo, head=branch, base=repo.default_branch,
            title=f"Propose RFC: {meta.title}",
            body=f"{meta.pitch}\n\nProposed by @{user.login} through the RFC app.",
            author=user.as_author())
    except ForgeError:
        # Leave nothing half-made behind: no branch without its pull request.
        await _delete_quietly(d, branch, ours)
        raise
    await ingest.sync_pull(pull, audit=_audit(d, user, "propose_rfc", pull.number,
                                              {"slug": meta.slug, "title": meta.title}))
    return await get_proposal(d, pull.number)


async def _refuse_used_slug(d: Domain, slug: str) -> None:
    async with d.store.read() as uow:
        if await uow.cache.get_rfc(slug) is not None:
            raise Conflict(f"The slug “{slug}” is already used by an RFC in the catalog.",
                           code="slug_taken", details={"field": "slug"})
        for pull in await uow.cache.list_pulls(kind="proposal", state="open"):
            if pull.rfc_slug == slug:
                raise Conflict(f"The slug “{slug}” is already taken by proposal "
                               f"#{pull.number}.", code="slug_taken",
                               details={"field": "slug"})
    # The cache may lag the forge: ask the forge too.
    repo = await d.forge.get_repo(d.meta_repo)
    try:
        await d.forge.read_file(d.meta_repo, rfc_path(slug), repo.default_branch)
    except ForgeNotFound:
        return
    raise Conflict(f"The slug “{slug}” is already used by an RFC in the catalog.",
                   code="slug_taken", details={"field": "slug"})


async def _start_proposal_branch(d: Domain, branch: str, base: str, slug: str) -> Branch:
    try:
        return await d.forge.create_branch(d.meta_repo, branch, base)
    except ForgeAlreadyExists:
        pass
    taken = Conflict(f"The slug “{slug}” is already taken by another proposal.",
                     code="slug_taken", details={"field": "slug"})
    earlier = [p for p in await d.forge.list_pull_requests(d.meta_repo, "all")
               if p.head_branch == branch]
    if any(p.state == "open" for p in earlier):
        raise taken
    try:
        existing: Branch | None = await d.forge.get_branch(d.meta_repo, branch)
    except ForgeNotFound:
        existing = None
    if existing is not None:
        # The branch of an earlier, closed proposal for this slug is kept (its text stays
        # readable) until the slug is proposed again. Any other head is someone else's
        # proposal being made this very moment: theirs, not ours to remove.
        if not any(p.head_sha == existing.head for p in earlier):
            raise taken
        await d.forge.delete_branch(d.meta_repo, branch)
    try:
        return await d.forge.create_branch(d.meta_repo, branch, base)
    except ForgeAlreadyExists:
        raise taken from None


async def _delete_quietly(d: Domain, branch: str, ours: set[str]) -> None:
    try:
        if (await d.forge.get_branch(d.meta_repo, branch)).head in ours:
            await d.forge.delete_branch(d.meta_repo, branch)
    except ForgeNotFound:
        pass
    except ForgeError:
        log.warning("could not remove branch %s after a failed proposal", branch)


async def get_proposal(d: Domain, number: int) -> ProposalView:
    async with d.store.read() as uow:
        pull = await uow.cache.get_pull(d.meta_repo.full_name, number)
        if pull is None or pull.kind != "proposal":
            raise NotFound(f"There is no proposal #{number}.")
        return await proposal_view(uow, pull)


async def proposal_text(d: Domain, proposal: ProposalView) -> str:
    """The proposed file's body (front matter removed), at the proposal's head."""
    try:
        file = await d.forge.read_file(d.meta_repo, rfc_path(proposal.slug), proposal.head_sha)
        return parse_rfc_file(file.content)[1]
    except (ForgeNotFound, MalformedRfcFile):
        return ""


async def merge_proposal(d: Domain, ingest: Ingestor, actor: User | None, number: int, *,
                         expected_head: str | None = None) -> tuple[ProposalView, RfcView]:
    user = require_may_decide_proposal(actor)
    proposal = await get_proposal(d, number)
    if proposal.state != "open":
        code, message = _MERGE_REFUSALS[MergeOutcome.ALREADY_MERGED if proposal.state ==
                                        "merged" else MergeOutcome.GONE]
        raise Conflict(message, code=code)
    try:
        pull = await d.forge.get_pull_request(d.meta_repo, number)
    except ForgeNotFound:
        raise NotFound(f"There is no proposal #{number}.") from None
    result = await d.forge.merge_pull_request(
        d.meta_repo, number, expected_head=expected_head or pull.head_sha,
        message=f"Merge proposal #{number}: {proposal.title}\n\nMerged by @{user.login}.",
        merger=user.as_author())
    if result.outcome is not MergeOutcome.MERGED:
        code, message = _MERGE_REFUSALS[result.outcome]
        if result.outcome is MergeOutcome.SCHEDULED:
            raise Unavailable(message, code=code, status=202)
        raise Conflict(message, code=code)
    merged = result.pull or await d.forge.get_pull_request(d.meta_repo, number)
    await ingest.sync_pull(merged, audit=_audit(d, user, "merge_proposal", number,
                                                {"slug": proposal.slug,
                                                 "merge_commit": result.merge_commit_sha}))
    async with d.store.read() as uow:
        rfc = await uow.cache.get_rfc(proposal.slug)
    if rfc is None:
        raise Unavailable("The proposal was merged but the catalog has not caught up yet; "
                          "it will appear shortly.")
    return await get_proposal(d, number), rfc.view


async def close_proposal(d: Domain, ingest: Ingestor, actor: User | None, number: int, *,
                         reason: str) -> ProposalView:
    user = require_may_decide_proposal(actor)
    reason = reason.strip()
    if not 1 <= len(reason) <= CLOSE_REASON_MAX:
        raise InvalidInput(f"Give a reason of 1 to {CLOSE_REASON_MAX} characters; the "
                           "proposer will see it.", details={"field": "reason"})
    proposal = await get_proposal(d, number)
    if proposal.state != "open":
        raise Conflict(f"This proposal is already {proposal.state}.", code=proposal.state)
    repo = d.meta_repo.full_name
    # The reason is written first so the live "closed" event carries it.
    async with d.store.write() as uow:
        await uow.closures.set_reason(repo=repo, number=number, reason=reason,
                                      closed_by=user.id, at=d.now_iso())
    try:
        pull = await d.forge.close_pull_request(d.meta_repo, number)
    except ForgeError:
        await forget_close_reason(d, repo, number)
        raise
    if pull.state != "closed":
        # The owner merged it a moment before: that decision stands, this one is void.
        await forget_close_reason(d, repo, number)
        await ingest.sync_pull(pull)
        raise Conflict(f"This proposal was {pull.state} a moment ago; it stays {pull.state}.",
                       code=pull.state)
    await ingest.sync_pull(pull, audit=_audit(d, user, "close_proposal", number,
                                              {"slug": proposal.slug, "reason": reason}))
    return await get_proposal(d, number)


def _audit(d: Domain, user: User, kind: str, number: int,
           details: dict[str, object]) -> AuditWrite:
    return audit_entry(d, user.id, kind, f"proposal:{number}", details)
