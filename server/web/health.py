"""Liveness for operators and load balancers."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app

from server.forge.port import ForgeError

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
async def healthz() -> tuple[dict[str, Any], int]:
    s = current_app.services  # type: ignore[attr-defined]
    checks: dict[str, str] = {}
    try:
        async with s.db.read() as tx:
            await tx.scalar("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure here is the answer, not a crash
        checks["database"] = f"failed: {type(exc).__name__}"
    try:
        await s.forge.ping()
        checks["forge"] = "ok"
    except ForgeError as exc:
        checks["forge"] = f"failed: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return {"ok": ok, **checks}, 200 if ok else 503
