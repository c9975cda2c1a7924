"""Live events: one dataclass per event, one registry, one way to emit.

Events are queued on the write that caused them and sent only after that
write commits (see ``store.UnitOfWork.emit``). ``client/src/live/events.ts``
mirrors the names and payloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from server.domain.views import ProposalView, RfcView

CATALOG_ROOM = "catalog"

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
            rooms.append(f"rfc:{self.rfc.slug}")
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
        return (CATALOG_ROOM, f"rfc:{self.rfc.slug}")

    def payload(self) -> dict[str, Any]:
        return {"rfc": self.rfc.to_json()}
