"""Live events: one dataclass per event, one registry, one way to emit.

Events are queued on the write that caused them and sent only after that
write commits (see ``store.UnitOfWork.emit``). ``client/src/live/events.ts``
mirrors the names and payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.domain.views import BranchView, ProposalView, PullView, RfcView

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
