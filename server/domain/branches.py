"""Edit branches of a super-draft: starting one, reading it, saving to it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from server.domain.context import Domain
from server.domain.diffs import Hunk, diff_text
from server.domain.ingest import Ingestor, branch_view, pull_view
from server.domain.naming import BRANCH_NAME_MAX, edit_branch
from server.domain.people import User
from server.domain.permissions import (
    may_pin_branch,
    may_start_branch,
    may_write_branch,
    require_signed_in,
)
from server.domain.rfcs import MalformedRfcFile, parse_rfc_file, replace_body, rfc_path
from server.domain.store import CachedRfc
from server.domain.views import BranchView, PullView, RfcView
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.forge.port import (
    FileChange,
    ForgeAlreadyExists,
    ForgeError,
    ForgeNotFound,
    InvalidRefName,
    RepoRef,
    StaleHead,
)

BODY_MAX = 200_000
COMMIT_MESSAGE_MAX = 500


@dataclass(frozen=True)
class BranchDetail:
    branch: BranchView
    rfc: RfcView
    markdown: str
    base_branch: str
    base_markdown: str
    hunks: list[Hunk]
    pull: PullView | None
    can_write: bool
    can_pin: bool


async def editable_rfc(d: Domain, slug: str) -> CachedRfc:
    async with d.store.read() as uow:
        rfc = await uow.cache.get_rfc(slug)
    if rfc is None:
        raise NotFound(f"There is no RFC “{slug}”.")
    if RepoRef.parse(rfc.view.repo) != d.meta_repo:
        raise Conflict("This RFC has its own repository now; edit it there.", code="graduated")
    return rfc


def check_branch_short_name(short: str) -> str:
    cleaned = short.strip()
    if not cleaned:
        raise InvalidInput("Give the branch a name, for example `clarify-motivation`.",
                           details={"field": "name"})
    if len(cleaned) > BRANCH_NAME_MAX:
        raise InvalidInput(f"A branch name is at most {BRANCH_NAME_MAX} characters.",
                           details={"field": "name"})
    # Control characters git refuses anyway; invisible ones (right-to-left overrides,
    # zero-width spaces) would let one branch pass for another.
    hidden = next((c for c in cleaned if unicodedata.category(c) in ("Cc", "Cf")), None)
    if hidden is not None:
        raise InvalidInput("A branch name cannot contain control or invisible characters "
                           f"(it has U+{ord(hidden):04X}).", details={"field": "name"})
    return cleaned


async def _facts(d: Domain, user: User | None, slug: str, branch: str) -> tuple[bool, bool]:
    """(started it, maintains the RFC) for ``user``."""
    if user is None:
        return False, False
    async with d.store.read() as uow:
        creator = await uow.branches.creator(d.meta_repo.full_name, branch)
        maintains = await uow.maintainers.is_maintainer(slug, user.id)
    return creator == user.id, maintains


async def can_write(d: Domain, user: User | None, slug: str, branch: str) -> bool:
    started, maintains = await _facts(d, user, slug, branch)
    return may_write_branch(user, started_it=started, maintains_rfc=maintains)


async def start_editing(d: Domain, ingest: Ingestor, actor: User | None, slug: str,
                        short: str) -> BranchView:
    user = require_signed_in(actor)
    if not may_start_branch(user):
        raise Forbidden("You may not start branches.")
    await editable_rfc(d, slug)
    name = edit_branch(slug, check_branch_short_name(short))
    await _refuse_folder_clash(d, slug, name)
    repo = await d.forge.get_repo(d.meta_repo)
    try:
        await d.forge.create_branch(d.meta_repo, name, repo.default_branch)
    except InvalidRefName as exc:
        raise InvalidInput(f"git does not accept that branch name: {exc}",
                           details={"field": "name"}) from None
    except ForgeAlreadyExists:
        raise Conflict(f"A branch named “{short.strip()}” exists already for this RFC.",
                       code="branch_exists", details={"field": "name"}) from None
    async with d.store.write() as uow:
        await uow.branches.set_creator(d.meta_repo.full_name, name, user.id, d.now_iso())
        await uow.audit.record(at=d.now_iso(), actor_id=user.id, kind="start_branch",
                               target=f"branch:{d.meta_repo.full_name}:{name}",
                               details={"slug": slug}, on_behalf_of=d.forge.bot.login)
    await ingest.sync_branch(name)
    return await get_branch_view(d, name)


async def _refuse_folder_clash(d: Domain, slug: str, name: str) -> None:
    """git keeps branch names like paths: `a/b` and `a/b/c` cannot both exist."""
    async with d.store.read() as uow:
        rows = await uow.branches.for_repo(d.meta_repo.full_name)
    for row in rows:
        if row.state != "deleted" and (row.name.startswith(name + "/")
                                       or name.startswith(row.name + "/")):
            prefix = edit_branch(slug, "")
            other = row.name[len(prefix):] if row.name.startswith(prefix) else row.name
            raise Conflict(f"That name cannot sit beside the branch “{other}”: one branch "
                           "name cannot be a folder of another. Pick another name.",
                           code="branch_name_clash", details={"field": "name"})


async def get_branch_view(d: Domain, name: str) -> BranchView:
    async with d.store.read() as uow:
        cached = await uow.branches.get(d.meta_repo.full_name, name)
        if cached is None:
            raise NotFound("There is no such branch.")
        return await branch_view(uow, cached)


async def _body_at(d: Domain, slug: str, ref: str) -> str:
    try:
        file = await d.forge.read_file(d.meta_repo, rfc_path(slug), ref)
    except ForgeNotFound:
        return ""
    return _body_of(file.content)


async def _base_body(d: Domain, slug: str, default_branch: str, head: str,
                     markdown: str) -> str:
    """The body where the branch left the default branch (their merge base).

    Against the default branch's current head, changes merged there since the branch
    started would show as if this branch reverted them; the pull request page diffs
    from the merge base too, so both pages show the same change.
    """
    try:
        comparison = await d.forge.compare(d.meta_repo, default_branch, head)
    except ForgeError:
        # The head is gone from the forge (a deleted branch): the current text is the best base.
        return await _body_at(d, slug, default_branch)
    path = rfc_path(slug)
    for changed in comparison.files:
        if changed.path == path:
            return _body_of(changed.old_content)
    return markdown  # the branch did not touch the RFC's file


def _body_of(content: str | None) -> str:
    if content is None:
        return ""
    try:
        return parse_rfc_file(content)[1]
    except MalformedRfcFile:
        return ""


async def get_branch(d: Domain, actor: User | None, slug: str, short: str) -> BranchDetail:
    rfc = await editable_rfc(d, slug)
    name = edit_branch(slug, short)
    view = await get_branch_view(d, name)
    repo = await d.forge.get_repo(d.meta_repo)
    live = view.state != "deleted"
    markdown = await _body_at(d, slug, view.head)
    base_markdown = await _base_body(d, slug, repo.default_branch, view.head, markdown)
    pull = None
    if view.pull is not None:
        async with d.store.read() as uow:
            cached_pull = await uow.cache.get_pull(view.repo, view.pull.number)
            pull = await pull_view(uow, cached_pull) if cached_pull else None
    return BranchDetail(branch=view, rfc=rfc.view, markdown=markdown,
                        base_branch=repo.default_branch, base_markdown=base_markdown,
                        hunks=diff_text(base_markdown, markdown), pull=pull,
                        can_write=live and await can_write(d, actor, slug, name),
                        can_pin=live and may_pin_branch(actor))


async def save_body(d: Domain, ingest: Ingestor, actor: User | None, slug: str, short: str, *,
                    markdown: str, base_sha: str, message: str) -> BranchView:
    """Commit a new body on the branch, only if it is still at ``base_sha``."""
    user = require_signed_in(actor)
    rfc = await editable_rfc(d, slug)
    name = edit_branch(slug, short)
    if len(markdown) > BODY_MAX:
        raise InvalidInput(f"The text is longer than {BODY_MAX:,} characters.",
                           details={"field": "markdown"})
    summary = " ".join(message.split())[:COMMIT_MESSAGE_MAX] or f"Edit {rfc.view.title}"
    if not await can_write(d, user, slug, name):
        raise Forbidden("Only the person who started this branch, the RFC's maintainers and "
                        "admins can save to it. Start a branch of your own to propose changes.")
    try:
        branch = await d.forge.get_branch(d.meta_repo, name)
    except ForgeNotFound:
        raise NotFound("This branch no longer exists.") from None
    if branch.head != base_sha:
        raise await _moved(d, slug, branch.head)
    file = await d.forge.read_file(d.meta_repo, rfc_path(slug), branch.head)
    if parse_rfc_file(file.content)[1].rstrip("\n") == markdown.rstrip("\n"):
        return await get_branch_view(d, name)
    try:
        await d.forge.commit_files(d.meta_repo, name,
                                   [FileChange(rfc_path(slug), replace_body(file.content,
                                                                            markdown))],
                                   message=summary, author=user.as_author(),
                                   expected_head=base_sha)
    except StaleHead as stale:
        raise await _moved(d, slug, stale.actual or "") from None
    async with d.store.write() as uow:
        await uow.audit.record(at=d.now_iso(), actor_id=user.id, kind="save_body",
                               target=f"branch:{d.meta_repo.full_name}:{name}",
                               details={"slug": slug, "message": summary},
                               on_behalf_of=d.forge.bot.login)
    await ingest.sync_branch(name)
    return await get_branch_view(d, name)


async def _moved(d: Domain, slug: str, head: str) -> Conflict:
    theirs = await _body_at(d, slug, head) if head else ""
    return Conflict("Someone saved to this branch after you started editing. Your text is "
                    "still in the editor: compare it with theirs, then save again.",
                    code="branch_moved", details={"head_sha": head, "markdown": theirs})
