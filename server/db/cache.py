"""The cached_* tables: a mirror of the forge, rebuildable from it at any time."""

from __future__ import annotations

import json
from typing import Any

from server.db.engine import Tx
from server.domain.store import CachedPull, CachedRfc
from server.domain.views import RfcView

_PULL_COLUMNS = ("repo", "number", "kind", "rfc_slug", "title", "body", "head_branch",
                 "base_branch", "head_sha", "state", "author_login", "created_at",
                 "updated_at", "merged_at", "closed_at")


def _rfc_view(row: dict[str, Any]) -> RfcView:
    return RfcView(slug=row["slug"], title=row["title"], pitch=row["pitch"], state=row["state"],
                   authors=tuple(json.loads(row["authors"])), rfc_number=row["rfc_number"],
                   repo=row["repo"], updated_at=row["updated_at"])


def _pull(row: dict[str, Any]) -> CachedPull:
    values = {name: row[name] for name in _PULL_COLUMNS}
    return CachedPull(**values, meta=json.loads(row["meta"]))


class SqlCache:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get_rfc(self, slug: str) -> CachedRfc | None:
        row = await self.tx.one("SELECT * FROM cached_rfcs WHERE slug = :slug", {"slug": slug})
        if row is None:
            return None
        return CachedRfc(view=_rfc_view(row), path=row["path"], commit_sha=row["commit_sha"])

    async def list_rfcs(self) -> list[RfcView]:
        rows = await self.tx.all("SELECT * FROM cached_rfcs ORDER BY updated_at DESC, slug")
        return [_rfc_view(r) for r in rows]

    async def upsert_rfc(self, rfc: CachedRfc) -> bool:
        current = await self.get_rfc(rfc.view.slug)
        if current == rfc:
            return False
        view = rfc.view
        await self.tx.execute(
            "INSERT INTO cached_rfcs (slug, repo, path, title, pitch, state, authors, rfc_number,"
            " commit_sha, updated_at) VALUES (:slug, :repo, :path, :title, :pitch, :state,"
            " :authors, :rfc_number, :commit_sha, :updated_at)"
            " ON CONFLICT (slug) DO UPDATE SET repo = excluded.repo, path = excluded.path,"
            " title = excluded.title, pitch = excluded.pitch, state = excluded.state,"
            " authors = excluded.authors, rfc_number = excluded.rfc_number,"
            " commit_sha = excluded.commit_sha, updated_at = excluded.updated_at",
            {"slug": view.slug, "repo": view.repo, "path": rfc.path, "title": view.title,
             "pitch": view.pitch, "state": view.state, "authors": json.dumps(list(view.authors)),
             "rfc_number": view.rfc_number, "commit_sha": rfc.commit_sha,
             "updated_at": view.updated_at})
        return True

    async def delete_rfc(self, slug: str) -> bool:
        result = await self.tx.execute("DELETE FROM cached_rfcs WHERE slug = :slug",
                                       {"slug": slug})
        return bool(result.rowcount)

    async def get_pull(self, repo: str, number: int) -> CachedPull | None:
        row = await self.tx.one("SELECT * FROM cached_pull_requests"
                                " WHERE repo = :repo AND number = :number",
                                {"repo": repo, "number": number})
        return _pull(row) if row else None

    async def list_pulls(self, *, kind: str | None = None,
                         state: str | None = None) -> list[CachedPull]:
        rows = await self.tx.all(
            "SELECT * FROM cached_pull_requests"
            " WHERE (:kind IS NULL OR kind = :kind) AND (:state IS NULL OR state = :state)"
            " ORDER BY created_at DESC, number DESC", {"kind": kind, "state": state})
        return [_pull(r) for r in rows]

    async def latest_pull_for_branch(self, repo: str, branch: str) -> CachedPull | None:
        row = await self.tx.one("SELECT * FROM cached_pull_requests WHERE repo = :repo"
                                " AND head_branch = :branch ORDER BY number DESC LIMIT 1",
                                {"repo": repo, "branch": branch})
        return _pull(row) if row else None

    async def pulls_for_rfc(self, slug: str, *, state: str | None = None
                            ) -> list[CachedPull]:
        rows = await self.tx.all(
            "SELECT * FROM cached_pull_requests WHERE rfc_slug = :slug AND kind != 'proposal'"
            " AND (:state IS NULL OR state = :state) ORDER BY number DESC",
            {"slug": slug, "state": state})
        return [_pull(r) for r in rows]

    async def upsert_pull(self, pull: CachedPull) -> CachedPull | None:
        previous = await self.get_pull(pull.repo, pull.number)
        if previous == pull:
            return previous
        params = {name: getattr(pull, name) for name in _PULL_COLUMNS}
        params["meta"] = json.dumps(pull.meta, sort_keys=True)
        columns = ", ".join((*_PULL_COLUMNS, "meta"))
        placeholders = ", ".join(f":{c}" for c in (*_PULL_COLUMNS, "meta"))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*_PULL_COLUMNS[2:], "meta"))
        await self.tx.execute(
            f"INSERT INTO cached_pull_requests ({columns}) VALUES ({placeholders})"
            f" ON CONFLICT (repo, number) DO UPDATE SET {updates}", params)
        return previous
