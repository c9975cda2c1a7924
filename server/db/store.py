"""The SQL implementation of the domain's store protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from server.db.branches import SqlBranches, SqlMaintainers
from server.db.cache import SqlCache
from server.db.chat import SqlChat
from server.db.engine import Database, Tx
from server.db.records import SqlAudit, SqlClosures, SqlDeliveries, SqlPermissionEvents
from server.db.repair import SqlCacheRepair
from server.db.users import SqlUsers
from server.domain.live import AuditAppended, LiveEvent, PermissionChanged

Publish = Callable[[LiveEvent], Awaitable[None]]


class SqlUnitOfWork:
    def __init__(self, tx: Tx, publish: Publish | None) -> None:
        self.tx = tx
        self.users = SqlUsers(tx)
        self.cache = SqlCache(tx)
        self.branches = SqlBranches(tx)
        self.maintainers = SqlMaintainers(tx)
        self.chat = SqlChat(tx)
        # Every audit entry and permission event streams to the admin room after commit.
        self.audit = SqlAudit(tx, (lambda e: self.emit(AuditAppended(e))) if publish else None)
        self.permission_events = SqlPermissionEvents(
            tx, (lambda e: self.emit(PermissionChanged(e))) if publish else None)
        self.closures = SqlClosures(tx)
        self.deliveries = SqlDeliveries(tx)
        self.cache_repair = SqlCacheRepair(tx)
        self._publish = publish

    def emit(self, event: LiveEvent) -> None:
        publish = self._publish
        if publish is None:
            raise RuntimeError("live events can only be emitted from a write")
        self.tx.after_commit(lambda: publish(event))


class SqlStore:
    def __init__(self, db: Database, publish: Publish) -> None:
        self.db = db
        self._publish = publish

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.read() as tx:
            yield SqlUnitOfWork(tx, None)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqlUnitOfWork]:
        async with self.db.write() as tx:
            yield SqlUnitOfWork(tx, self._publish)
