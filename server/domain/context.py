"""What every domain operation is given: persistence, the forge, the clock."""

from __future__ import annotations

from dataclasses import dataclass

from server.clock import Clock, iso
from server.domain.store import Store
from server.forge.port import Forge, RepoRef


@dataclass(frozen=True)
class Domain:
    store: Store
    forge: Forge
    clock: Clock
    meta_repo: RepoRef
    owner_login: str

    def now_iso(self) -> str:
        return iso(self.clock.now())
