"""App-canonical records: the audit log, closing reasons, ingested deliveries."""

from __future__ import annotations

import json
from typing import Any

from server.db.engine import Tx


class SqlAudit:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def record(self, *, at: str, actor_id: int | None, kind: str, target: str,
                     details: dict[str, Any] | None = None,
                     on_behalf_of: str | None = None) -> int:
        result = await self.tx.execute(
            "INSERT INTO audit_log (at, actor_user_id, on_behalf_of, kind, target, details)"
            " VALUES (:at, :actor, :behalf, :kind, :target, :details)",
            {"at": at, "actor": actor_id, "behalf": on_behalf_of, "kind": kind,
             "target": target, "details": json.dumps(details or {}, sort_keys=True)})
        return int(result.lastrowid)


class SqlClosures:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def set_reason(self, *, repo: str, number: int, reason: str, closed_by: int | None,
                         at: str) -> None:
        await self.tx.execute(
            "INSERT INTO pull_request_closures (repo, number, reason, closed_by, closed_at)"
            " VALUES (:repo, :number, :reason, :by, :at) ON CONFLICT (repo, number)"
            " DO UPDATE SET reason = excluded.reason, closed_by = excluded.closed_by,"
            " closed_at = excluded.closed_at",
            {"repo": repo, "number": number, "reason": reason, "by": closed_by, "at": at})

    async def reason(self, repo: str, number: int) -> str | None:
        value = await self.tx.scalar("SELECT reason FROM pull_request_closures"
                                     " WHERE repo = :repo AND number = :number",
                                     {"repo": repo, "number": number})
        return str(value) if value is not None else None


class SqlDeliveries:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def first_time(self, delivery_id: str, at: str) -> bool:
        result = await self.tx.execute(
            "INSERT INTO ingested_deliveries (delivery_id, received_at) VALUES (:id, :at)"
            " ON CONFLICT (delivery_id) DO NOTHING", {"id": delivery_id, "at": at})
        return bool(result.rowcount)
