"""App-canonical records: the audit log, permission events, closing reasons, deliveries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from server.db.engine import Tx
from server.domain.views import AuditEntryView, PermissionEventView

AuditListener = Callable[[AuditEntryView], None]
PermissionListener = Callable[[PermissionEventView], None]

_AUDIT_SELECT = (
    "SELECT a.id, a.at, u.login AS actor, a.on_behalf_of, a.kind, a.target, a.details"
    " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id")


def _audit_entry(row: dict[str, Any]) -> AuditEntryView:
    return AuditEntryView(id=row["id"], at=row["at"], actor=row["actor"],
                          on_behalf_of=row["on_behalf_of"], kind=row["kind"],
                          target=row["target"], details=json.loads(row["details"]))


class SqlAudit:
    """The audit log. Each entry is handed to ``on_recorded`` (the live stream)."""

    def __init__(self, tx: Tx, on_recorded: AuditListener | None = None) -> None:
        self.tx = tx
        self.on_recorded = on_recorded

    async def record(self, *, at: str, actor_id: int | None, kind: str, target: str,
                     details: dict[str, Any] | None = None,
                     on_behalf_of: str | None = None) -> int:
        result = await self.tx.execute(
            "INSERT INTO audit_log (at, actor_user_id, on_behalf_of, kind, target, details)"
            " VALUES (:at, :actor, :behalf, :kind, :target, :details)",
            {"at": at, "actor": actor_id, "behalf": on_behalf_of, "kind": kind,
             "target": target, "details": json.dumps(details or {}, sort_keys=True)})
        entry_id = int(result.lastrowid)
        if self.on_recorded is not None:
            row = await self.tx.one(_AUDIT_SELECT + " WHERE a.id = :id", {"id": entry_id})
            assert row is not None
            self.on_recorded(_audit_entry(row))
        return entry_id

    async def list(self, *, actor: str | None = None, kind: str | None = None,
                   rfc: str | None = None, since: str | None = None, until: str | None = None,
                   before_id: int | None = None, limit: int = 50) -> list[AuditEntryView]:
        rows = await self.tx.all(
            _AUDIT_SELECT +
            " WHERE (:actor IS NULL OR u.login = :actor)"
            " AND (:kind IS NULL OR a.kind = :kind)"
            " AND (:rfc IS NULL OR json_extract(a.details, '$.slug') = :rfc)"
            " AND (:since IS NULL OR a.at >= :since) AND (:until IS NULL OR a.at <= :until)"
            " AND (:before IS NULL OR a.id < :before)"
            " ORDER BY a.id DESC LIMIT :limit",
            {"actor": actor, "kind": kind, "rfc": rfc, "since": since, "until": until,
             "before": before_id, "limit": limit})
        return [_audit_entry(r) for r in rows]


_PERMISSION_SELECT = (
    "SELECT p.id, p.at, a.login AS actor, s.login AS subject, p.scope, p.from_role,"
    " p.to_role, p.reason FROM permission_events p"
    " LEFT JOIN users a ON a.id = p.actor_user_id JOIN users s ON s.id = p.subject_user_id")


def _permission_event(row: dict[str, Any]) -> PermissionEventView:
    return PermissionEventView(id=row["id"], at=row["at"], actor=row["actor"],
                               subject=row["subject"], scope=row["scope"],
                               from_role=row["from_role"], to_role=row["to_role"],
                               reason=row["reason"])


class SqlPermissionEvents:
    def __init__(self, tx: Tx, on_recorded: PermissionListener | None = None) -> None:
        self.tx = tx
        self.on_recorded = on_recorded

    async def record(self, *, at: str, actor_id: int | None, subject_id: int, scope: str,
                     from_role: str | None, to_role: str | None,
                     reason: str) -> PermissionEventView:
        result = await self.tx.execute(
            "INSERT INTO permission_events (at, actor_user_id, subject_user_id, scope,"
            " from_role, to_role, reason) VALUES (:at, :actor, :subject, :scope, :from_role,"
            " :to_role, :reason)",
            {"at": at, "actor": actor_id, "subject": subject_id, "scope": scope,
             "from_role": from_role, "to_role": to_role, "reason": reason})
        row = await self.tx.one(_PERMISSION_SELECT + " WHERE p.id = :id",
                                {"id": int(result.lastrowid)})
        assert row is not None
        event = _permission_event(row)
        if self.on_recorded is not None:
            self.on_recorded(event)
        return event

    async def list(self, *, subject: str | None = None, actor: str | None = None,
                   before_id: int | None = None, limit: int = 50
                   ) -> list[PermissionEventView]:
        rows = await self.tx.all(
            _PERMISSION_SELECT +
            " WHERE (:subject IS NULL OR s.login = :subject)"
            " AND (:actor IS NULL OR a.login = :actor)"
            " AND (:before IS NULL OR p.id < :before) ORDER BY p.id DESC LIMIT :limit",
            {"subject": subject, "actor": actor, "before": before_id, "limit": limit})
        return [_permission_event(r) for r in rows]


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
