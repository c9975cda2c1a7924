"""Numbered, append-only SQL migrations, applied at start-up and recorded."""

from __future__ import annotations

import logging
import re
from importlib import resources

from server.db.engine import Database

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    folder = resources.files("server.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migration numbers must run 1..N without gaps, found {numbers}")
    return found


def _statements(sql: str) -> list[str]:
    """Split a migration into statements.

    Whole-line ``--`` comments are dropped first, so prose in them may hold
    semicolons; statements themselves never contain one inside a literal.
    """
    code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [chunk.strip() for chunk in code.split(";") if chunk.strip()]


async def migrate(db: Database) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now."""
    applied_now: list[str] = []
    async with db.write() as tx:
        await tx.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         " number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                         " applied_at TEXT NOT NULL"
                         " DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))")
        done = {r["number"] for r in await tx.all("SELECT number FROM schema_migrations")}
        for number, name, sql in migration_files():
            if number in done:
                continue
            for statement in _statements(sql):
                await tx.conn.exec_driver_sql(statement)
            await tx.execute("INSERT INTO schema_migrations (number, name) VALUES (:n, :name)",
                             {"n": number, "name": name})
            applied_now.append(name)
    for name in applied_now:
        log.info("migration applied: %s", name)
    return applied_now
