"""The database layer on a real SQLite file: writers wait their turn, nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.db.engine import Database


@pytest.fixture
async def databases(tmp_path: Path):
    """Four handles on one file, as four processes of the app would have."""
    handles = [Database.open_sqlite(tmp_path / "shared.db") for _ in range(4)]
    async with handles[0].write() as tx:
        await tx.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        await tx.execute("INSERT INTO counter VALUES (0)")
    yield handles
    for db in handles:
        await db.close()


async def test_concurrent_read_then_write_transactions_all_succeed_and_lose_nothing(databases):
    async def bump(db: Database) -> None:
        async with db.write() as tx:
            n = await tx.scalar("SELECT n FROM counter")
            await asyncio.sleep(0.01)  # others try to write meanwhile
            await tx.execute("UPDATE counter SET n = :n", {"n": n + 1})

    await asyncio.gather(*(bump(databases[i % 4]) for i in range(20)))
    async with databases[0].read() as tx:
        assert await tx.scalar("SELECT n FROM counter") == 20


async def test_every_connection_has_the_pragmas(databases):
    async with databases[1].read() as tx:
        assert await tx.scalar("PRAGMA journal_mode") == "wal"
        assert await tx.scalar("PRAGMA foreign_keys") == 1
        assert await tx.scalar("PRAGMA busy_timeout") >= 5000


async def test_work_queued_for_after_commit_waits_for_the_commit(databases):
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        async with databases[0].write() as tx:
            await tx.execute("UPDATE counter SET n = 99")
            tx.after_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("the change fails")
    async with databases[0].write() as tx:
        tx.after_commit(lambda: ran.append("committed"))
    assert ran == ["committed"]
    async with databases[0].read() as tx:
        assert await tx.scalar("SELECT n FROM counter") == 0, "the failed change was undone"
