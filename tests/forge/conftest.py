"""Fixtures for the forge contract suite.

The tests in this folder take a ``forge`` and a ``repo`` and only use the ``Forge``
port, so another backend can run them by providing these fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.clock import FixedClock
from server.db.engine import Database
from server.db.migrate import migrate
from server.forge.embedded.forge import EmbeddedForge
from server.forge.port import ForgeEvent, Person, Repo, RepoRef

BOT = Person(login="rfc-bot", name="RFC Bot", email="bot@rfc.test")
ALICE = Person(login="alice", name="Alice Ærø", email="alice@rfc.test")
BOB = Person(login="bob", name="Bob", email="bob@rfc.test")


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
