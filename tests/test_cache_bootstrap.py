"""An empty or stale cache pointed at existing repositories fills itself on the first sweep.

The first sweep runs at start-up, before the app reports started. It rebuilds every
cached_* table (RFCs and their states, branches, pull requests) from the forge,
takes pins and closings from the app's own records, and never writes an
app-canonical table.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.app import RfcApp, create_app
from server.clock import FixedClock
from server.domain.hygiene import sweep_hygiene
from server.domain.naming import edit_branch
from server.domain.rfcs import rfc_path
from server.forge.port import FileChange
from server.settings import Settings
from tests.forge_world import PEOPLE, cache_rows, rfc_text
from tests.support import ApiClient, add_account, make_settings, seed_rfc, signed_in_client

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


class Running:
    def __init__(self, app: RfcApp, harness: Any) -> None:
        self.app, self.harness = app, harness
        self.d = app.services.domain

    def client(self) -> ApiClient:
        return ApiClient(self.harness.test_client())

    async def person(self, login: str) -> ApiClient:
        return await signed_in_client(self.app, self.client, login)


class Install:
    """One data folder, started as often as a test likes, on one clock."""

    def __init__(self, settings: Settings, clock: FixedClock) -> None:
        self.settings, self.clock = settings, clock

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Running]:
        """The app started (start-up sweep included), then stopped again."""
        app = create_app(self.settings, clock=self.clock)
        async with app.test_app() as harness:
            yield Running(app, harness)

    def sql(self) -> sqlite3.Connection:
        return sqlite3.connect(self.settings.database_path)

    def app_tables(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every table but the cache and the tick bookkeeping, row by row."""
        with self.sql() as db:
            names = [r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                " 'cached_%' AND name NOT LIKE 'tick_%' AND name NOT LIKE 'sqlite_%'")]
            return {n: db.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall()
                    for n in names}


def settings_for(data_dir: Path) -> Settings:
    return make_settings(data_dir, RECONCILE_TICK_SECONDS=0, HYGIENE_TICK_SECONDS=0)


@pytest.fixture
def install(tmp_path) -> Install:
    return Install(settings_for(tmp_path / "data"), FixedClock(T0))


async def lived_in(r: Running, clock: FixedClock) -> None:
    """A community's worth of history: RFCs, proposals, branches, pull requests, pins."""
    for slug in ("alpha", "beta"):
        await seed_rfc(r.app, slug)
    owner, alice, bob = [await r.person(n) for n in ("owner", "alice", "bob")]
    for slug in ("gamma", "delta", "epsilon"):
        status, _ = await alice.post("/api/proposals", {"title": slug.title(), "slug": slug})
        assert status == 201
    _, catalog = await owner.get("/api/catalog")
    numbers = {p["slug"]: (p["number"], p["head_sha"]) for p in catalog["pending"]}
    assert (await owner.post(f"/api/proposals/{numbers['delta'][0]}/merge",
                             {"head_sha": numbers["delta"][1]}))[0] == 200
    assert (await owner.post(f"/api/proposals/{numbers['epsilon'][0]}/close",
                             {"reason": "Out of scope"}))[0] == 200

    async def branch(client: ApiClient, short: str, text: str) -> None:
        status, made = await client.post("/api/rfcs/alpha/branches", {"name": short})
        assert status == 201, made
        status, _ = await client.put(f"/api/rfcs/alpha/branches/{short}/body",
                                     {"markdown": text, "base_sha": made["branch"]["head"]})
        assert status == 200

    await branch(alice, "sleepy", "Sleepy text.\n")
    await branch(alice, "pinned", "Pinned text.\n")
    assert (await owner.post("/api/rfcs/alpha/branches/pinned/pin"))[0] == 200
    clock.advance(timedelta(days=31))
    report = await sweep_hygiene(r.d, r.app.services.ingest)
    assert [a.branch for a in report.done] == [edit_branch("alpha", "sleepy")]
    await branch(alice, "tidy", "Tidy text.\n")
    status, tidy = await alice.post("/api/rfcs/alpha/branches/tidy/pulls", {"title": "Tidy"})
    assert status == 201
    await branch(bob, "bold", "Bold text.\n")
    status, bold = await bob.post("/api/rfcs/alpha/branches/bold/pulls", {"title": "Bold"})
    assert (await owner.post(f"/api/rfcs/alpha/pulls/{bold['pull']['number']}/merge",
                             {"head_sha": bold["pull"]["head_sha"]}))[0] == 200
    assert (await owner.post("/api/rfcs/beta/metadata", {"state": "accepted"}))[0] == 201
    ada = await add_account(r.app, "ada")
    async with r.d.store.write() as uow:
        await uow.maintainers.grant("alpha", ada.id, None, "2027-01-04T09:00:00Z")
    assert tidy["pull"]["state"] == "open"


async def test_an_emptied_cache_is_rebuilt_before_the_app_reports_started(install, caplog):
    async with install.running() as r:
        await lived_in(r, install.clock)
    kept = await cached(install)
    assert len(kept["cached_rfcs"]) == 3 and len(kept["cached_pull_requests"]) == 6
    states = {row["name"]: (row["state"], row["pinned"]) for row in kept["cached_branches"]}
    assert states[edit_branch("alpha", "sleepy")] == ("closed", 0)
    assert states[edit_branch("alpha", "pinned")] == ("open", 1)
    with install.sql() as db:
        for table in ("cached_rfcs", "cached_pull_requests", "cached_branches"):
            db.execute(f"DELETE FROM {table}")
    records = install.app_tables()

    caplog.set_level(logging.INFO)
    async with install.running() as r:
        # Start-up is over: the cache is whole again, before anyone asked for anything.
        assert await cache_rows(r.app.services.db) == kept
        messages = [rec.getMessage() for rec in caplog.records]
        sweep_done = next(i for i, m in enumerate(messages)
                          if m.startswith("reconciler: sweep complete"))
        started = next(i for i, m in enumerate(messages) if m.startswith("RFC app started"))
        assert sweep_done < started
        _, page = await r.client().get("/api/rfcs/alpha")
        shown = {b["short"]: (b["state"], b["pinned"]) for b in page["branches"]}
        assert shown["sleepy"] == ("closed", False) and shown["pinned"] == ("open", True)
    assert install.app_tables() == records, "the rebuild wrote no app-canonical table"


async def cached(install: Install) -> dict[str, list[Any]]:
    async with install.running() as r:
        return await cache_rows(r.app.services.db)


async def test_a_stale_cache_from_an_older_backup_is_repaired(install, tmp_path):
    backup = tmp_path / "backup.db"
    async with install.running() as r:
        await lived_in(r, install.clock)
        with install.sql() as live, sqlite3.connect(backup) as copy:
            live.backup(copy)
        # Life goes on after the backup, some of it behind the app's back.
        d = r.d
        install.clock.advance(timedelta(hours=1))
        head = (await d.forge.get_branch(d.meta_repo, "main")).head
        await d.forge.commit_files(
            d.meta_repo, "main", [FileChange(rfc_path("zeta"), rfc_text("zeta", "Zeta")),
                                  FileChange(rfc_path("beta"), None)],
            message="Add zeta, drop beta", author=PEOPLE[0], expected_head=head)
        await d.forge.delete_branch(d.meta_repo, edit_branch("alpha", "bold"))
        tidy = edit_branch("alpha", "tidy")
        head = (await d.forge.get_branch(d.meta_repo, tidy)).head
        await d.forge.commit_files(d.meta_repo, tidy, [FileChange("notes/late.md", "Late\n")],
                                   message="Late note", author=PEOPLE[1], expected_head=head)
        current = await cache_rows(r.app.services.db)
    records = install.app_tables()
    with install.sql() as db:
        db.execute("ATTACH DATABASE ? AS old", (str(backup),))
        for table in ("cached_rfcs", "cached_pull_requests", "cached_branches"):
            db.execute(f"DELETE FROM {table}")
            db.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
        db.commit()
        db.execute("DETACH DATABASE old")
    assert await cached(install) == current
    with install.sql() as db:
        assert db.execute("SELECT state FROM cached_branches WHERE name = ?",
                          (edit_branch("alpha", "bold"),)).fetchone() == ("deleted",)
        assert [r[0] for r in db.execute("SELECT slug FROM cached_rfcs ORDER BY slug")] == [
            "alpha", "delta", "zeta"]
    assert install.app_tables() == records


async def test_a_new_install_on_an_old_forge_fills_its_catalog(install, tmp_path):
    async with install.running() as r:
        await lived_in(r, install.clock)
        before = await cache_rows(r.app.services.db)
    fresh = Install(settings_for(tmp_path / "fresh"), install.clock)
    shutil.copytree(install.settings.git_root, fresh.settings.git_root)
    async with fresh.running() as r:
        _, catalog = await r.client().get("/api/catalog")
        rows = await cache_rows(r.app.services.db)
    assert sorted(x["slug"] for x in catalog["rfcs"]) == ["alpha", "beta", "delta"]
    assert rows["cached_rfcs"] == before["cached_rfcs"], "RFCs and their states, from git"
    # The branches come back from git; pins and closings were the old database's records.
    assert {b["name"] for b in rows["cached_branches"]} == {
        b["name"] for b in before["cached_branches"]}
    assert {b["state"] for b in rows["cached_branches"]} == {"open"}
    # With the embedded forge, pull requests lived in the old database.
    assert rows["cached_pull_requests"] == []
    tables = fresh.app_tables()
    assert all(rows == [] for name, rows in tables.items() if name != "schema_migrations")
