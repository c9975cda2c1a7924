"""Fixtures for the forge contract suite (``contract.py``) on the embedded forge.

Another backend runs the same suite by providing the same fixtures (see
``tests/gitea/conftest.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

# The contract suite lives in a plain module, imported by each backend's test module.
pytest.register_assert_rewrite("tests.forge.contract")

from server.clock import FixedClock  # noqa: E402
from server.db.engine import Database  # noqa: E402
from server.db.migrate import migrate  # noqa: E402
from server.forge.embedded.forge import EmbeddedForge  # noqa: E402
from server.forge.port import ForgeEvent, Person, Repo, RepoRef  # noqa: E402

BOT = Person(login="rfc-bot", name="RFC Bot", email="bot@rfc.test")
ALICE = Person(login="alice", name="Alice Ærø", email="alice@rfc.test")
BOB = Person(login="bob", name="Bob", email="bob@rfc.test")

# ``await settle(seen, n)``: return once ``seen`` holds at least ``n`` items and no more
# arrive for a moment. Backends that deliver events in-process need not wait at all.
Settle = Callable[[list[Any], int], Awaitable[None]]


@dataclass(frozen=True)
class Traits:
    """What a backend is allowed to do differently, stated once."""

    # Gitea's merge API takes no author: its merge commits are written by the bot.
    merge_commit_by_bot: bool = False

    def merge_author(self, merger: Person) -> Person:
        return BOT if self.merge_commit_by_bot else merger


@pytest.fixture
def traits() -> Traits:
    return Traits()


@pytest.fixture
def settle() -> Settle:
    async def delivered_already(seen: list[Any], count: int) -> None:
        return None

    return delivered_already


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.open_sqlite(tmp_path / "db.sqlite")
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
def forge(tmp_path: Path, db: Database, clock: FixedClock) -> EmbeddedForge:
    return EmbeddedForge(tmp_path / "git", db, clock, BOT)


@pytest.fixture
def events(forge: EmbeddedForge) -> list[ForgeEvent]:
    """Every event the forge delivers from now on, in order."""
    seen: list[ForgeEvent] = []

    async def collect(event: ForgeEvent) -> None:
        seen.append(event)

    forge.on_event(collect)
    return seen


@pytest.fixture
async def repo(forge: EmbeddedForge) -> Repo:
    return await forge.ensure_repo(RepoRef("acme", "rfcs"), description="Our RFCs")


@pytest.fixture
def clone_url(tmp_path: Path) -> Callable[[RepoRef], str]:
    """Where ``git clone`` finds a repository of this backend."""
    return lambda ref: str(tmp_path / "git" / ref.owner / f"{ref.name}.git")
