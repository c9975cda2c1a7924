"""Cached branches, who started them, and per-RFC maintainers."""

from __future__ import annotations

from typing import Any

from server.db.engine import Tx
from server.domain.store import BranchMark, CachedBranch

_COLUMNS = ("repo", "name", "kind", "rfc_slug", "head", "last_commit_at",
            "last_commit_author", "state", "pinned", "closed_at", "deleted_at")


def _branch(row: dict[str, Any]) -> CachedBranch:
    values = {c: row[c] for c in _COLUMNS}
    values["pinned"] = bool(values["pinned"])
    return CachedBranch(**values)


class SqlBranches:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, repo: str, name: str) -> CachedBranch | None:
        row = await self.tx.one("SELECT * FROM cached_branches WHERE repo = :repo"
                                " AND name = :name", {"repo": repo, "name": name})
        return _branch(row) if row else None

    async def for_rfc(self, slug: str) -> list[CachedBranch]:
        rows = await self.tx.all("SELECT * FROM cached_branches WHERE rfc_slug = :slug"
                                 " ORDER BY last_commit_at DESC, name", {"slug": slug})
        return [_branch(r) for r in rows]

    async def upsert(self, branch: CachedBranch) -> CachedBranch | None:
        previous = await self.get(branch.repo, branch.name)
        if previous == branch:
            return previous
        params = {c: getattr(branch, c) for c in _COLUMNS}
        params["pinned"] = int(branch.pinned)
        columns = ", ".join(_COLUMNS)
        placeholders = ", ".join(f":{c}" for c in _COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[2:])
        await self.tx.execute(f"INSERT INTO cached_branches ({columns}) VALUES ({placeholders})"
                              f" ON CONFLICT (repo, name) DO UPDATE SET {updates}", params)
        return previous

    async def creator(self, repo: str, name: str) -> int | None:
        value = await self.tx.scalar("SELECT user_id FROM branch_creators WHERE repo = :repo"
                                     " AND branch = :name", {"repo": repo, "name": name})
        return int(value) if value is not None else None

    async def set_creator(self, repo: str, name: str, user_id: int, at: str) -> None:
        await self.tx.execute("INSERT INTO branch_creators (repo, branch, user_id, created_at)"
                              " VALUES (:repo, :name, :user, :at)"
                              " ON CONFLICT (repo, branch) DO NOTHING",
                              {"repo": repo, "name": name, "user": user_id, "at": at})

    async def for_repo(self, repo: str) -> list[CachedBranch]:
        rows = await self.tx.all("SELECT * FROM cached_branches WHERE repo = :repo"
                                 " ORDER BY name", {"repo": repo})
        return [_branch(r) for r in rows]

    async def mark(self, repo: str, name: str) -> BranchMark:
        row = await self.tx.one("SELECT pinned, closed_at FROM branch_marks WHERE repo = :repo"
                                " AND branch = :name", {"repo": repo, "name": name})
        return BranchMark(bool(row["pinned"]), row["closed_at"]) if row else BranchMark()

    async def marks(self, repo: str) -> dict[str, BranchMark]:
        rows = await self.tx.all("SELECT branch, pinned, closed_at FROM branch_marks"
                                 " WHERE repo = :repo", {"repo": repo})
        return {r["branch"]: BranchMark(bool(r["pinned"]), r["closed_at"]) for r in rows}

    async def set_pinned(self, repo: str, name: str, pinned: bool, *, by: int | None,
                         at: str) -> None:
        await self.tx.execute(
            "INSERT INTO branch_marks (repo, branch, pinned, pinned_by, pinned_at)"
            " VALUES (:repo, :name, :pinned, :by, :at) ON CONFLICT (repo, branch) DO UPDATE"
            " SET pinned = excluded.pinned, pinned_by = excluded.pinned_by,"
            " pinned_at = excluded.pinned_at",
            {"repo": repo, "name": name, "pinned": int(pinned), "by": by, "at": at})

    async def set_closed_mark(self, repo: str, name: str, closed_at: str | None) -> None:
        await self.tx.execute(
            "INSERT INTO branch_marks (repo, branch, closed_at) VALUES (:repo, :name, :closed)"
            " ON CONFLICT (repo, branch) DO UPDATE SET closed_at = excluded.closed_at",
            {"repo": repo, "name": name, "closed": closed_at})


class SqlMaintainers:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def of(self, slug: str) -> list[int]:
        rows = await self.tx.all("SELECT user_id FROM rfc_maintainers WHERE slug = :slug"
                                 " ORDER BY user_id", {"slug": slug})
        return [int(r["user_id"]) for r in rows]

    async def is_maintainer(self, slug: str, user_id: int) -> bool:
        return bool(await self.tx.scalar("SELECT 1 FROM rfc_maintainers WHERE slug = :slug"
                                         " AND user_id = :user", {"slug": slug, "user": user_id}))

    async def grant(self, slug: str, user_id: int, granted_by: int | None, at: str) -> bool:
        result = await self.tx.execute(
            "INSERT INTO rfc_maintainers (slug, user_id, granted_by, granted_at)"
            " VALUES (:slug, :user, :by, :at) ON CONFLICT (slug, user_id) DO NOTHING",
            {"slug": slug, "user": user_id, "by": granted_by, "at": at})
        return bool(result.rowcount)

    async def revoke(self, slug: str, user_id: int) -> bool:
        result = await self.tx.execute("DELETE FROM rfc_maintainers WHERE slug = :slug"
                                       " AND user_id = :user", {"slug": slug, "user": user_id})
        return bool(result.rowcount)
