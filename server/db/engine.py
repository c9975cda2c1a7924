"""The database handle: one async engine, read and write transactions.

SQLite is opened so that concurrent writers wait instead of failing: the
driver's own transaction handling is turned off and every write transaction
starts with ``BEGIN IMMEDIATE``, which takes the write lock up front (a deferred
transaction that read first cannot upgrade once another connection committed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

AfterCommit = Callable[[], Any]

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)


class Tx:
    """A transaction: run SQL with named parameters; queue work for after commit."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._after_commit: list[AfterCommit] = []

    async def execute(self, sql: str, params: dict[str, Any] | None = None) -> CursorResult[Any]:
        return await self.conn.execute(text(sql), params or {})

    async def one(self, sql: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        row = (await self.execute(sql, params)).mappings().first()
        return dict(row) if row is not None else None

    async def all(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in (await self.execute(sql, params)).mappings().all()]

    async def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        return (await self.execute(sql, params)).scalar()

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` (a coroutine function or plain one) once the commit succeeded."""
        self._after_commit.append(callback)


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    def open_sqlite(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}",
                                     connect_args={"timeout": 10})

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Own the transactions ourselves: no implicit BEGIN from the driver.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("rfc_begin", "BEGIN")
            conn.exec_driver_sql(mode)

        return cls(engine)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(rfc_begin="BEGIN")
            async with conn.begin():
                yield Tx(conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Tx]:
        """A write transaction; callbacks queued with ``after_commit`` run after COMMIT."""
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(rfc_begin="BEGIN IMMEDIATE")
            tx = Tx(conn)
            async with conn.begin():
                yield tx
        for callback in tx._after_commit:
            result = callback()
            if hasattr(result, "__await__"):
                await result

    async def close(self) -> None:
        await self.engine.dispose()
