"""The forge port: everything the app asks of git hosting.

Two backends implement ``Forge``: the embedded forge (bare git repositories on
disk, pull requests in the app database) and Gitea (its REST API). Both pass the
contract tests in ``tests/forge``. Domain code sees only this module.

Names of branches and paths are passed exactly as git knows them; backends do
their own encoding.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

ZERO_SHA = "0" * 40


# ---- errors -----------------------------------------------------------------

class ForgeError(Exception):
    """Base of every failure a backend reports."""


class ForgeNotFound(ForgeError):
    """The repository, ref, file or pull request does not exist."""


class ForgeAlreadyExists(ForgeError):
    """A branch, repository or pull request with that identity exists already."""


class StaleHead(ForgeError):
    """A write was based on a head the branch no longer has."""

    def __init__(self, branch: str, expected: str | None, actual: str | None) -> None:
        super().__init__(f"branch {branch!r} is at {actual}, not {expected}")
        self.branch = branch
        self.expected = expected
        self.actual = actual


class InvalidRefName(ForgeError):
    """git refuses the name."""


class ProtectedBranch(ForgeError):
    """The default branch or a protected branch cannot be deleted or force-moved."""


class ForgeUnavailable(ForgeError):
    """The forge could not be reached or answered with a server error."""


# ---- values -----------------------------------------------------------------

@dataclass(frozen=True)
class RepoRef:
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @classmethod
    def parse(cls, full_name: str) -> RepoRef:
        owner, _, name = full_name.partition("/")
        return cls(owner, name)


@dataclass(frozen=True)
class Repo:
    ref: RepoRef
    default_branch: str
    description: str = ""


@dataclass(frozen=True)
class Person:
    """Who a commit is written for: name and email go into the commit as author."""

    login: str
    name: str
    email: str


@dataclass(frozen=True)
class FileAtRef:
    path: str
    content: str
    blob_sha: str
    commit_sha: str


@dataclass(frozen=True)
class Branch:
    name: str
    head: str
    last_commit_at: datetime
    protected: bool = False


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    author_name: str
    author_email: str
    authored_at: datetime
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileChange:
    """Write ``content`` to ``path``; ``content=None`` deletes the file."""

    path: str
    content: str | None


@dataclass(frozen=True)
class ChangedFile:
    path: str
    status: Literal["added", "modified", "deleted", "renamed"]
    old_content: str | None
    new_content: str | None


@dataclass(frozen=True)
class Comparison:
    base_sha: str
    head_sha: str
    merge_base: str
    commits: tuple[Commit, ...]
    files: tuple[ChangedFile, ...]


PullState = Literal["open", "closed", "merged"]


@dataclass(frozen=True)
class PullRequest:
    repo: RepoRef
    number: int
    title: str
    body: str
    head_branch: str
    base_branch: str
    head_sha: str
    state: PullState
    author_login: str
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None = None
    merge_commit_sha: str | None = None
    closed_at: datetime | None = None


class MergeOutcome(enum.Enum):
    MERGED = "merged"
    SCHEDULED = "scheduled"
    NOT_MERGEABLE_YET = "not_mergeable_yet"
    CONFLICTED = "conflicted"
    HEAD_MOVED = "head_moved"
    ALREADY_MERGED = "already_merged"
    GONE = "gone"


@dataclass(frozen=True)
class MergeResult:
    outcome: MergeOutcome
    pull: PullRequest | None = None
    merge_commit_sha: str | None = None


# ---- events -----------------------------------------------------------------

@dataclass(frozen=True)
class ForgeEvent:
    """A normalized event. ``delivery_id`` is unique per delivery, for deduplication."""

    delivery_id: str
    repo: RepoRef


@dataclass(frozen=True)
class BranchCreated(ForgeEvent):
    branch: str
    head: str


@dataclass(frozen=True)
class Pushed(ForgeEvent):
    branch: str
    before: str
    after: str
    commits: tuple[Commit, ...] = field(default=())


@dataclass(frozen=True)
class BranchDeleted(ForgeEvent):
    branch: str


@dataclass(frozen=True)
class PullRequestEvent(ForgeEvent):
    action: Literal["opened", "edited", "synchronized", "closed", "merged", "reopened"]
    pull: PullRequest


@dataclass(frozen=True)
class RepositoryEvent(ForgeEvent):
    action: Literal["created", "deleted"]


EventHandler = Callable[[ForgeEvent], Awaitable[None]]


# ---- the port ---------------------------------------------------------------

class Forge(Protocol):
    bot: Person

    def on_event(self, handler: EventHandler) -> None:
        """Register the handler every normalized event is delivered to."""

    async def ping(self) -> None:
        """Raise ``ForgeUnavailable`` unless the forge answers."""

    async def ensure_repo(self, repo: RepoRef, *, description: str = "",
                          default_branch: str = "main") -> Repo: ...

    async def get_repo(self, repo: RepoRef) -> Repo: ...

    async def list_repos(self, owner: str) -> list[Repo]: ...

    async def read_file(self, repo: RepoRef, path: str, ref: str) -> FileAtRef: ...

    async def list_dir(self, repo: RepoRef, path: str, ref: str) -> list[str]:
        """Names of the files directly inside ``path`` at ``ref`` (empty if absent)."""

    async def list_branches(self, repo: RepoRef) -> list[Branch]: ...

    async def get_branch(self, repo: RepoRef, name: str) -> Branch: ...

    async def create_branch(self, repo: RepoRef, name: str, from_ref: str) -> Branch: ...

    async def delete_branch(self, repo: RepoRef, name: str) -> None: ...

    async def commit_files(self, repo: RepoRef, branch: str, changes: Sequence[FileChange], *,
                           message: str, author: Person, expected_head: str) -> Commit:
        """Commit ``changes`` on top of ``expected_head``, or raise ``StaleHead``."""

    async def list_commits(self, repo: RepoRef, ref: str, *, path: str | None = None,
                           limit: int = 50) -> list[Commit]: ...

    async def compare(self, repo: RepoRef, base: str, head: str) -> Comparison: ...

    async def open_pull_request(self, repo: RepoRef, *, head: str, base: str, title: str,
                                body: str, author: Person) -> PullRequest: ...

    async def list_pull_requests(self, repo: RepoRef,
                                 state: Literal["open", "closed", "all"] = "open"
                                 ) -> list[PullRequest]: ...

    async def get_pull_request(self, repo: RepoRef, number: int) -> PullRequest: ...

    async def edit_pull_request(self, repo: RepoRef, number: int, *, title: str | None = None,
                                body: str | None = None) -> PullRequest: ...

    async def close_pull_request(self, repo: RepoRef, number: int) -> PullRequest: ...

    async def merge_pull_request(self, repo: RepoRef, number: int, *, expected_head: str,
                                 message: str, merger: Person) -> MergeResult:
        """Merge only if the head is still ``expected_head`` (else ``HEAD_MOVED``)."""
