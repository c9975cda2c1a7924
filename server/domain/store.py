"""What the domain needs from persistence, as protocols.

``server/db/store.py`` implements them on SQL; the domain never sees SQL.
A unit of work is one transaction; live events emitted on it are sent only
after it commits.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.domain.live import LiveEvent
from server.domain.people import Role, User
from server.domain.views import (
    AdminUserView,
    AuditEntryView,
    PermissionEventView,
    RfcView,
    ThreadView,
)


@dataclass(frozen=True)
class CachedPull:
    repo: str
    number: int
    kind: str  # "proposal", "body", "metadata" or "other"
    rfc_slug: str | None
    title: str
    body: str
    head_branch: str
    base_branch: str
    head_sha: str
    state: str
    author_login: str
    created_at: str
    updated_at: str
    merged_at: str | None = None
    closed_at: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CachedBranch:
    repo: str
    name: str
    kind: str  # "edit", "metadata" or "proposal"
    rfc_slug: str | None
    head: str
    last_commit_at: str
    last_commit_author: str
    state: str = "open"  # "open", "closed" or "deleted"
    pinned: bool = False
    closed_at: str | None = None
    deleted_at: str | None = None


@dataclass(frozen=True)
class BranchMark:
    """What the app decided about a branch, which the forge does not know (app-canonical).

    ``closed_at`` is when the hygiene sweep closed it for idleness; it stops counting
    once the branch gets a commit after that moment.
    """

    pinned: bool = False
    closed_at: str | None = None


@dataclass(frozen=True)
class CachedRfc:
    view: RfcView
    path: str
    commit_sha: str


class Users(Protocol):
    async def get(self, user_id: int) -> User | None: ...
    async def by_login(self, login: str) -> User | None: ...
    async def password_hash(self, login: str) -> tuple[User, str] | None: ...
    async def create(self, *, login: str, display_name: str, email: str, role: Role,
                     password_hash: str | None, at: str) -> User: ...
    async def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    async def touch(self, user_id: int, at: str) -> None: ...
    async def admin_view(self, user_id: int) -> AdminUserView | None: ...
    async def search(self, query: str, *, limit: int, offset: int) -> list[AdminUserView]: ...
    async def set_role(self, user_id: int, role: Role) -> None: ...
    async def set_suspended(self, user_id: int, *, at: str | None,
                            reason: str | None) -> None:
        """Suspend (``at`` set) or restore (``at`` None); either ends existing sessions."""
    async def suppress_email(self, address: str, *, reason: str, details: str, at: str,
                             by: int | None) -> None: ...
    async def unsuppress_email(self, address: str) -> bool:
        """Lift a suppression; whether there was one."""
    async def count_owners(self) -> int:
        """Owners who are not suspended."""


class Cache(Protocol):
    async def get_rfc(self, slug: str) -> CachedRfc | None: ...
    async def list_rfcs(self) -> list[RfcView]: ...
    async def upsert_rfc(self, rfc: CachedRfc) -> bool: ...
    async def delete_rfc(self, slug: str) -> bool: ...
    async def get_pull(self, repo: str, number: int) -> CachedPull | None: ...
    async def list_pulls(self, *, kind: str | None = None,
                         state: str | None = None) -> list[CachedPull]: ...
    async def latest_pull_for_branch(self, repo: str, branch: str) -> CachedPull | None: ...
    async def pulls_for_rfc(self, slug: str, *, state: str | None = None
                            ) -> list[CachedPull]: ...
    async def upsert_pull(self, pull: CachedPull) -> CachedPull | None:
        """Store ``pull``; return the previous row (None if new). Unchanged rows are not written."""


class Branches(Protocol):
    async def get(self, repo: str, name: str) -> CachedBranch | None: ...
    async def for_rfc(self, slug: str) -> list[CachedBranch]: ...
    async def upsert(self, branch: CachedBranch) -> CachedBranch | None:
        """Store ``branch``; return the previous row (None if new)."""
    async def creator(self, repo: str, name: str) -> int | None: ...
    async def set_creator(self, repo: str, name: str, user_id: int, at: str) -> None: ...
    async def for_repo(self, repo: str) -> list[CachedBranch]: ...
    async def mark(self, repo: str, name: str) -> BranchMark: ...
    async def marks(self, repo: str) -> dict[str, BranchMark]: ...
    async def set_pinned(self, repo: str, name: str, pinned: bool, *, by: int | None,
                         at: str) -> None: ...
    async def set_closed_mark(self, repo: str, name: str, closed_at: str | None) -> None: ...


class CacheRepair(Protocol):
    """What only the reconciler needs: dropping cached rows the forge no longer has."""

    async def delete_pull(self, repo: str, number: int) -> bool: ...


class Maintainers(Protocol):
    async def of(self, slug: str) -> list[int]: ...
    async def is_maintainer(self, slug: str, user_id: int) -> bool: ...
    async def grant(self, slug: str, user_id: int, granted_by: int | None, at: str) -> bool: ...
    async def revoke(self, slug: str, user_id: int) -> bool: ...


@dataclass(frozen=True)
class StoredMessage:
    id: int
    room: str
    rfc_slug: str
    author_id: int
    author_login: str
    author_name: str
    body: str
    mentions: tuple[str, ...]
    created_at: str
    edited_at: str | None
    deleted_at: str | None


class Chat(Protocol):
    async def insert(self, *, room: str, rfc_slug: str, author_id: int, body: str,
                     mentions: tuple[str, ...], at: str,
                     client_key: str | None = None) -> StoredMessage: ...
    async def get(self, message_id: int) -> StoredMessage | None: ...
    async def sent_with_key(self, author_id: int, client_key: str) -> StoredMessage | None:
        """The message this author already sent with this key, if any."""
    async def edit(self, message_id: int, *, body: str, mentions: tuple[str, ...],
                   at: str) -> StoredMessage: ...
    async def delete(self, message_id: int, at: str) -> StoredMessage: ...
    async def history(self, room: str, *, before_id: int | None, after_id: int | None,
                      limit: int) -> list[StoredMessage]:
        """Messages in id order: the newest ``limit`` before ``before_id``, or the
        oldest ``limit`` after ``after_id``."""
    async def last_id(self, room: str) -> int: ...
    async def advance_cursor(self, user_id: int, room: str, last_seen_id: int,
                             at: str) -> int:
        """Move the cursor forward only; return where it now is."""
    async def cursor(self, user_id: int, room: str) -> int: ...
    async def unread_by_room(self, user_id: int, rfc_slug: str) -> dict[str, int]: ...
    async def unread_by_rfc(self, user_id: int) -> dict[str, int]: ...
    async def create_thread(self, *, rfc_slug: str, title: str, author_id: int,
                            at: str) -> int: ...
    async def thread(self, thread_id: int) -> ThreadView | None: ...
    async def threads_for(self, rfc_slug: str) -> list[ThreadView]: ...
    async def touch_thread(self, thread_id: int, at: str) -> None: ...


class Audit(Protocol):
    async def record(self, *, at: str, actor_id: int | None, kind: str, target: str,
                     details: dict[str, Any] | None = None,
                     on_behalf_of: str | None = None) -> int:
        """Append an entry; it streams to the admin room once the write commits."""
    async def list(self, *, actor: str | None = None, kind: str | None = None,
                   rfc: str | None = None, since: str | None = None, until: str | None = None,
                   before_id: int | None = None, limit: int = 50) -> list[AuditEntryView]: ...


class PermissionEvents(Protocol):
    async def record(self, *, at: str, actor_id: int | None, subject_id: int, scope: str,
                     from_role: str | None, to_role: str | None,
                     reason: str) -> PermissionEventView: ...
    async def list(self, *, subject: str | None = None, actor: str | None = None,
                   before_id: int | None = None, limit: int = 50
                   ) -> list[PermissionEventView]: ...


class Closures(Protocol):
    async def set_reason(self, *, repo: str, number: int, reason: str, closed_by: int | None,
                         at: str) -> None: ...
    async def reason(self, repo: str, number: int) -> str | None: ...


class Deliveries(Protocol):
    async def first_time(self, delivery_id: str, at: str) -> bool:
        """Record the delivery; True only the first time it is seen."""


class UnitOfWork(Protocol):
    @property
    def users(self) -> Users: ...
    @property
    def cache(self) -> Cache: ...
    @property
    def branches(self) -> Branches: ...
    @property
    def maintainers(self) -> Maintainers: ...
    @property
    def chat(self) -> Chat: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def permission_events(self) -> PermissionEvents: ...
    @property
    def closures(self) -> Closures: ...
    @property
    def deliveries(self) -> Deliveries: ...
    @property
    def cache_repair(self) -> CacheRepair: ...

    def emit(self, event: LiveEvent) -> None:
        """Queue a live event, sent once this unit of work commits."""


class Store(Protocol):
    def read(self) -> AbstractAsyncContextManager[UnitOfWork]: ...
    def write(self) -> AbstractAsyncContextManager[UnitOfWork]: ...
