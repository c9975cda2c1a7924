"""Body-edit and metadata pull requests of a super-draft: open, read, merge, close."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace

from server.domain.branches import BODY_MAX, can_write, editable_rfc
from server.domain.context import Domain
from server.domain.diffs import Hunk, diff_text
from server.domain.ingest import (
    AuditWrite,
    Ingestor,
    audit_entry,
    forget_close_reason,
    pull_view,
)
from server.domain.naming import edit_branch, metadata_branch
from server.domain.people import User
from server.domain.permissions import may_merge_rfc_pull, require_signed_in
from server.domain.rfcs import (
    MalformedRfcFile,
    RfcMeta,
    check_authors,
    check_pitch,
    check_state,
    check_title,
    parse_rfc_file,
    replace_front_matter,
    rfc_path,
)
from server.domain.views import PullView
from server.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from server.forge.port import (
    Commit,
    FileChange,
    ForgeAlreadyExists,
    ForgeError,
    ForgeNotFound,
    MergeOutcome,
)

DESCRIPTION_MAX = 10_000
REASON_MAX = 500

MERGE_REFUSALS: dict[MergeOutcome, tuple[str, int, str]] = {
    MergeOutcome.ALREADY_MERGED: ("already_merged", 409, "This was merged already."),
    MergeOutcome.GONE: ("gone", 409, "This pull request is closed or its branch is gone."),
    MergeOutcome.HEAD_MOVED: ("head_moved", 409, "New changes arrived since you opened this "
                              "page. Look at them, then merge again."),
    MergeOutcome.CONFLICTED: ("merge_conflict", 409, "These changes conflict with the current "
                              "text. Update the branch from the current text, then merge."),
    MergeOutcome.NOT_MERGEABLE_YET: ("not_mergeable_yet", 409, "The git host is still checking "
                                     "whether this can merge. Try again in a few seconds."),
    MergeOutcome.SCHEDULED: ("scheduled", 202, "The merge is scheduled and will happen "
                             "shortly."),
}


def merge_refusal(outcome: MergeOutcome) -> AppError:
    code, status, message = MERGE_REFUSALS[outcome]
    return AppError(message, code=code, status=status)


@dataclass(frozen=True)
class PullDetail:
    pull: PullView
    hunks: list[Hunk]
    before_markdown: str
    after_markdown: str
    commits: list[Commit]
    can_decide: bool


def _check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not 3 <= len(cleaned) <= 120:
        raise InvalidInput("The title must be 3 to 120 characters long.",
                           details={"field": "title"})
    return cleaned


def _check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(f"The description is at most {DESCRIPTION_MAX:,} characters.",
                           details={"field": "description"})
    return description.strip()


async def _maintains(d: Domain, user: User | None, slug: str) -> bool:
    if user is None:
        return False
    async with d.store.read() as uow:
        return await uow.maintainers.is_maintainer(slug, user.id)


async def open_body_pull(d: Domain, ingest: Ingestor, actor: User | None, slug: str,
                         short: str, *, title: str, description: str) -> PullView:
    user = require_signed_in(actor)
    await editable_rfc(d, slug)
    name = edit_branch(slug, short)
    title, description = _check_title(title), _check_description(description)
    if not await can_write(d, user, slug, name):
        raise Forbidden("Only the person who started this branch, the RFC's maintainers and "
                        "admins can open a pull request from it.")
    repo = await d.forge.get_repo(d.meta_repo)
    try:
        comparison = await d.forge.compare(d.meta_repo, repo.default_branch, name)
    except ForgeNotFound:
        raise NotFound("This branch no longer exists.") from None
    if not comparison.commits:
        raise InvalidInput("This branch has no changes yet. Save an edit first.",
                           code="nothing_to_propose")
    try:
        pull = await d.forge.open_pull_request(
            d.meta_repo, head=name, base=repo.default_branch, title=title,
            body=_with_signature(description, user), author=user.as_author())
    except ForgeAlreadyExists:
        raise Conflict("This branch already has an open pull request.",
                       code="pull_exists") from None
    await ingest.sync_pull(pull, audit=_audit(d, user, "open_pull", pull.number,
                                              {"slug": slug, "kind": "body"}))
    return await get_pull(d, slug, pull.number)


def _with_signature(description: str, user: User) -> str:
    signature = f"Opened by @{user.login} through the RFC app."
    return f"{description}\n\n{signature}" if description else signature


async def propose_metadata_change(d: Domain, ingest: Ingestor, actor: User | None, slug: str,
                                  *, title: str | None = None, pitch: str | None = None,
                                  state: str | None = None, authors: list[str] | None = None,
                                  new_slug: str | None = None,
                                  description: str = "") -> PullView:
    """Open a pull request that changes only the front matter; refuse bad metadata first."""
    user = require_signed_in(actor)
    await editable_rfc(d, slug)
    if new_slug is not None and new_slug != slug:
        raise InvalidInput("The slug of an RFC cannot change: links and branches use it.",
                           details={"field": "slug"})
    description = _check_description(description)
    repo = await d.forge.get_repo(d.meta_repo)
    current = await d.forge.read_file(d.meta_repo, rfc_path(slug), repo.default_branch)
    meta, _ = parse_rfc_file(current.content)
    changed = replace(
        meta,
        title=check_title(title) if title is not None else meta.title,
        pitch=check_pitch(pitch) if pitch is not None else meta.pitch,
        state=check_state(state) if state is not None else meta.state,
        authors=check_authors(authors) if authors is not None else meta.authors)
    what = _changed_fields(meta, changed)
    if not what:
        raise InvalidInput("Nothing would change: the metadata is already like that.",
                           code="nothing_to_propose")
    # A short random tail keeps two changes in one second apart; the login is for people
    # reading the branch list, stripped to what every ref name allows.
    who = re.sub(r"[^A-Za-z0-9_-]+", "-", user.login).strip("-") or "someone"
    name = metadata_branch(slug, f"{d.clock.now():%Y%m%d-%H%M%S}-{who}-{secrets.token_hex(3)}")
    start = await d.forge.create_branch(d.meta_repo, name, repo.default_branch)
    try:
        await d.forge.commit_files(
            d.meta_repo, name,
            [FileChange(rfc_path(slug), replace_front_matter(current.content, changed))],
            message=f"Change {', '.join(what)} of {meta.title}", author=user.as_author(),
            expected_head=start.head)
        pull = await d.forge.open_pull_request(
            d.meta_repo, head=name, base=repo.default_branch,
            title=f"Change {', '.join(what)} of “{meta.title}”",
            body=_with_signature(description, user), author=user.as_author())
    except ForgeError:
        try:
            await d.forge.delete_branch(d.meta_repo, name)
        except ForgeError:
            pass
        raise
    async with d.store.write() as uow:
        await uow.branches.set_creator(d.meta_repo.full_name, name, user.id, d.now_iso())
    await ingest.sync_branch(name)
    await ingest.sync_pull(pull, audit=_audit(d, user, "open_pull", pull.number,
                                              {"slug": slug, "kind": "metadata",
                                               "fields": what}))
    return await get_pull(d, slug, pull.number)


def _changed_fields(old: RfcMeta, new: RfcMeta) -> list[str]:
    return [f for f in ("title", "pitch", "state", "authors") if getattr(old, f) !=
            getattr(new, f)]


async def get_pull(d: Domain, slug: str, number: int) -> PullView:
    async with d.store.read() as uow:
        cached = await uow.cache.get_pull(d.meta_repo.full_name, number)
        if cached is None or cached.rfc_slug != slug or cached.kind not in ("body",
                                                                            "metadata"):
            raise NotFound(f"RFC “{slug}” has no pull request #{number}.")
        return await pull_view(uow, cached)


async def get_pull_detail(d: Domain, actor: User | None, slug: str,
                          number: int) -> PullDetail:
    pull = await get_pull(d, slug, number)
    base_ref = pull.base_branch
    if pull.state == "merged":
        merged = await d.forge.get_pull_request(d.meta_repo, number)
        if merged.merge_commit_sha:
            [merge_commit] = await d.forge.list_commits(d.meta_repo, merged.merge_commit_sha,
                                                        limit=1)
            base_ref = merge_commit.parents[0] if merge_commit.parents else base_ref
    comparison = await d.forge.compare(d.meta_repo, base_ref, pull.head_sha)
    path = rfc_path(slug)
    changed = next((f for f in comparison.files if f.path == path), None)
    before = changed.old_content or "" if changed else ""
    after = changed.new_content or "" if changed else before
    can_decide = pull.state == "open" and may_merge_rfc_pull(
        actor, maintains_rfc=await _maintains(d, actor, slug))
    return PullDetail(pull=pull, hunks=diff_text(before, after), before_markdown=_body(before),
                      after_markdown=_body(after), commits=list(comparison.commits),
                      can_decide=can_decide)


def _body(text: str) -> str:
    if not text:
        return ""
    try:
        return parse_rfc_file(text)[1]
    except MalformedRfcFile:
        return text


async def _require_decider(d: Domain, actor: User | None, slug: str) -> User:
    user = require_signed_in(actor)
    if not may_merge_rfc_pull(user, maintains_rfc=await _maintains(d, user, slug)):
        raise Forbidden("Only the owner, admins and this RFC's maintainers can merge or close "
                        "its pull requests.")
    return user


async def merge_pull(d: Domain, ingest: Ingestor, actor: User | None, slug: str, number: int,
                     *, expected_head: str | None = None) -> PullView:
    user = await _require_decider(d, actor, slug)
    pull = await get_pull(d, slug, number)
    if pull.state != "open":
        raise merge_refusal(MergeOutcome.ALREADY_MERGED if pull.state == "merged"
                            else MergeOutcome.GONE)
    result = await d.forge.merge_pull_request(
        d.meta_repo, number, expected_head=expected_head or pull.head_sha,
        message=f"Merge #{number}: {pull.title}\n\nMerged by @{user.login}.",
        merger=user.as_author())
    if result.outcome is not MergeOutcome.MERGED:
        raise merge_refusal(result.outcome)
    await ingest.sync_pull(result.pull or await d.forge.get_pull_request(d.meta_repo, number),
                           audit=_audit(d, user, "merge_pull", number,
                                        {"slug": slug, "kind": pull.kind,
                                         "merge_commit": result.merge_commit_sha}))
    await ingest.sync_branch(pull.head_branch)
    return await get_pull(d, slug, number)


async def close_pull(d: Domain, ingest: Ingestor, actor: User | None, slug: str, number: int,
                     *, reason: str) -> PullView:
    user = await _require_decider(d, actor, slug)
    reason = reason.strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise InvalidInput(f"Give a reason of 1 to {REASON_MAX} characters; the author will "
                           "see it.", details={"field": "reason"})
    pull = await get_pull(d, slug, number)
    if pull.state != "open":
        raise Conflict(f"This pull request is already {pull.state}.", code=pull.state)
    async with d.store.write() as uow:
        await uow.closures.set_reason(repo=pull.repo, number=number, reason=reason,
                                      closed_by=user.id, at=d.now_iso())
    try:
        closed = await d.forge.close_pull_request(d.meta_repo, number)
    except ForgeError:
        await forget_close_reason(d, pull.repo, number)
        raise
    if closed.state != "closed":
        # Someone merged it a moment before: that decision stands, this one is void.
        await forget_close_reason(d, pull.repo, number)
        await ingest.sync_pull(closed)
        raise Conflict(f"This pull request was {closed.state} a moment ago; it stays "
                       f"{closed.state}.", code=closed.state)
    await ingest.sync_pull(closed, audit=_audit(d, user, "close_pull", number,
                                                {"slug": slug, "kind": pull.kind,
                                                 "reason": reason}))
    return await get_pull(d, slug, number)


def _audit(d: Domain, user: User, kind: str, number: int,
           details: dict[str, object]) -> AuditWrite:
    return audit_entry(d, user.id, kind, f"pull:{d.meta_repo.full_name}#{number}", details)


__all__ = ["BODY_MAX", "PullDetail", "close_pull", "get_pull", "get_pull_detail",
           "merge_pull", "open_body_pull", "propose_metadata_change"]
