"""Live events: one dataclass per event, one registry, one way to emit.

Events are queued on the write that caused them and sent only after that
write commits (see ``store.UnitOfWork.emit``). ``client/src/live/events.ts``
mirrors the names and payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.domain.views import (
    AdminUserView,
    AuditEntryView,
    BranchView,
    MessageView,
    PermissionEventView,
    ProposalView,
    PullView,
    RfcView,
    ThreadView,
)

CATALOG_ROOM = "catalog"


def rfc_room(slug: str) -> str:
    return f"rfc:{slug}"


def branch_room(repo: str, branch: str) -> str:
    return f"branch:{repo}:{branch}"

REGISTRY: dict[str, type[LiveEvent]] = {}


@dataclass(frozen=True)
class LiveEvent:
    name: ClassVar[str]

    @property
    def rooms(self) -> tuple[str, ...]:
        raise NotImplementedError

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError


def register(cls: type[LiveEvent]) -> type[LiveEvent]:
    if cls.name in REGISTRY:
        raise RuntimeError(f"live event {cls.name} registered twice")
    REGISTRY[cls.name] = cls
    return cls


@register
@dataclass(frozen=True)
class ProposalOpened(LiveEvent):
    name: ClassVar[str] = "proposal.opened"
    proposal: ProposalView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (CATALOG_ROOM,)

    def payload(self) -> dict[str, Any]:
        return {"proposal": self.proposal.to_json()}


@register
@dataclass(frozen=True)
class ProposalClosed(LiveEvent):
    name: ClassVar[str] = "proposal.closed"
    proposal: ProposalView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (CATALOG_ROOM,)

    def payload(self) -> dict[str, Any]:
        return {"proposal": self.proposal.to_json()}


@register
@dataclass(frozen=True)
class ProposalMerged(LiveEvent):
    name: ClassVar[str] = "proposal.merged"
    proposal: ProposalView
    rfc: RfcView | None

    @property
    def rooms(self) -> tuple[str, ...]:
        rooms = [CATALOG_ROOM]
        if self.rfc is not None:
            rooms.append(rfc_room(self.rfc.slug))
        return tuple(rooms)

    def payload(self) -> dict[str, Any]:
        return {"proposal": self.proposal.to_json(),
                "rfc": self.rfc.to_json() if self.rfc else None}


@register
@dataclass(frozen=True)
class RfcUpdated(LiveEvent):
    name: ClassVar[str] = "rfc.updated"
    rfc: RfcView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (CATALOG_ROOM, rfc_room(self.rfc.slug))

    def payload(self) -> dict[str, Any]:
        return {"rfc": self.rfc.to_json()}


@register
@dataclass(frozen=True)
class BranchUpdated(LiveEvent):
    """A branch of an RFC was created, moved, closed, deleted or its pull request changed."""

    name: ClassVar[str] = "branch.updated"
    branch: BranchView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (rfc_room(self.branch.rfc_slug),
                branch_room(self.branch.repo, self.branch.name))

    def payload(self) -> dict[str, Any]:
        return {"branch": self.branch.to_json()}


@register
@dataclass(frozen=True)
class PullUpdated(LiveEvent):
    """A body-edit or metadata pull request was opened, changed, merged or closed."""

    name: ClassVar[str] = "pull.updated"
    pull: PullView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (rfc_room(self.pull.rfc_slug), branch_room(self.pull.repo,
                                                          self.pull.head_branch))

    def payload(self) -> dict[str, Any]:
        return {"pull": self.pull.to_json()}


ADMIN_ROOM = "admin"


@register
@dataclass(frozen=True)
class AuditAppended(LiveEvent):
    """A new audit-log entry, streamed to the admin home base."""

    name: ClassVar[str] = "audit.appended"
    entry: AuditEntryView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (ADMIN_ROOM,)

    def payload(self) -> dict[str, Any]:
        return {"entry": self.entry.to_json()}


@register
@dataclass(frozen=True)
class PermissionChanged(LiveEvent):
    name: ClassVar[str] = "permission.changed"
    event: PermissionEventView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (ADMIN_ROOM,)

    def payload(self) -> dict[str, Any]:
        return {"event": self.event.to_json()}


@register
@dataclass(frozen=True)
class UserChanged(LiveEvent):
    """A user's role, suspension or maintainer grants changed."""

    name: ClassVar[str] = "user.changed"
    user: AdminUserView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (ADMIN_ROOM,)

    def payload(self) -> dict[str, Any]:
        return {"user": self.user.to_json()}


@register
@dataclass(frozen=True)
class SessionsRevoked(LiveEvent):
    """The user's rights changed: their sockets are told why, then disconnected."""

    name: ClassVar[str] = "session.revoked"
    user_id: int
    reason: str

    @property
    def rooms(self) -> tuple[str, ...]:
        return (sessions_room(self.user_id),)

    def payload(self) -> dict[str, Any]:
        return {"reason": self.reason}


def sessions_room(user_id: int) -> str:
    """Every socket of one user; the server puts them there, clients cannot join."""
    return f"sessions:{user_id}"


@register
@dataclass(frozen=True)
class RfcRemoved(LiveEvent):
    """An RFC's file left the meta repository's default branch: it leaves the catalog."""

    name: ClassVar[str] = "rfc.removed"
    slug: str

    @property
    def rooms(self) -> tuple[str, ...]:
        return (CATALOG_ROOM, rfc_room(self.slug))

    def payload(self) -> dict[str, Any]:
        return {"slug": self.slug}


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


@register
@dataclass(frozen=True)
class ChatMessagePosted(LiveEvent):
    """A message was sent, edited or deleted (the same event: clients upsert by id)."""

    name: ClassVar[str] = "chat.message"
    message: MessageView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (self.message.room,)

    def payload(self) -> dict[str, Any]:
        return {"message": self.message.to_json()}


@register
@dataclass(frozen=True)
class ChatActivity(LiveEvent):
    """New messages in a room of this RFC: unread counts shown elsewhere are stale."""

    name: ClassVar[str] = "chat.activity"
    rfc_slug: str
    room: str
    last_id: int

    @property
    def rooms(self) -> tuple[str, ...]:
        return (rfc_room(self.rfc_slug), CATALOG_ROOM)

    def payload(self) -> dict[str, Any]:
        return {"rfc_slug": self.rfc_slug, "room": self.room, "last_id": self.last_id}


@register
@dataclass(frozen=True)
class ChatRead(LiveEvent):
    """A person's read cursor moved; their other tabs update their unread counts."""

    name: ClassVar[str] = "chat.read"
    user_id: int
    rfc_slug: str
    room: str
    last_seen_id: int

    @property
    def rooms(self) -> tuple[str, ...]:
        return (user_room(self.user_id),)

    def payload(self) -> dict[str, Any]:
        return {"rfc_slug": self.rfc_slug, "room": self.room,
                "last_seen_id": self.last_seen_id}


@register
@dataclass(frozen=True)
class ThreadUpdated(LiveEvent):
    name: ClassVar[str] = "thread.updated"
    thread: ThreadView

    @property
    def rooms(self) -> tuple[str, ...]:
        return (rfc_room(self.thread.rfc_slug),)

    def payload(self) -> dict[str, Any]:
        return {"thread": self.thread.to_json()}
