"""`rfc-app sweep reconcile` and `rfc-app sweep hygiene [--dry-run] [--as-of]` by hand."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.app import create_app
from server.clock import FixedClock
from server.db.engine import Database
from server.db.leases import Leases
from tests.support import ApiClient, make_settings, seed_rfc, signed_in_client

RFC_APP = [sys.executable, "-m", "server.cli"]
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def sweep(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    return subprocess.run([*RFC_APP, "sweep", *args, "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=env, cwd=data_dir.parent)


def everything(data_dir: Path) -> dict[str, list[Any]]:
    with sqlite3.connect(data_dir / "rfc-app.db") as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                          " AND name NOT LIKE 'sqlite_%'")]
        return {n: db.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in names}


def refs(data_dir: Path) -> str:
    return subprocess.run(["git", "for-each-ref"], cwd=data_dir / "git" / "rfcs" / "meta.git",
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
async def data_dir(tmp_path) -> Path:
    """Two edit branches last written on 4 January 2027; the app is stopped again."""
    folder = tmp_path / "data"
    app = create_app(make_settings(folder), clock=FixedClock(T0))
    async with app.test_app() as harness:
        await seed_rfc(app, "alpha")
        alice = await signed_in_client(app, lambda: ApiClient(harness.test_client()), "alice")
        for short in ("one", "two"):
            status, _ = await alice.post("/api/rfcs/alpha/branches", {"name": short})
            assert status == 201
    return folder


async def test_dry_run_changes_nothing_and_says_what_it_would_do(data_dir):
    before, refs_before = everything(data_dir), refs(data_dir)
    result = sweep(data_dir, "hygiene", "--dry-run", "--as-of", "2027-02-04T09:00:00Z")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "hygiene: would close rfc/alpha/one (RFC alpha): no commit and no open pull request "
        "since 2027-01-04T09:00:00Z",
        "hygiene: would close rfc/alpha/two (RFC alpha): no commit and no open pull request "
        "since 2027-01-04T09:00:00Z",
        "hygiene: dry run as of 2027-02-04T09:00:00Z: would close 2, would delete 0; "
        "nothing changed"]
    assert everything(data_dir) == before and refs(data_dir) == refs_before

    done = sweep(data_dir, "hygiene", "--as-of", "2027-02-04T09:00:00Z")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("hygiene: closed rfc/alpha/one (RFC alpha)")
    assert "2 closed, 0 deleted" in done.stdout.splitlines()[-1]
    with sqlite3.connect(data_dir / "rfc-app.db") as db:
        assert db.execute("SELECT DISTINCT state FROM cached_branches").fetchall() == [
            ("closed",)]
        assert db.execute("SELECT count(*) FROM audit_log WHERE kind = 'close_idle_branch'"
                          " AND actor_user_id IS NULL AND on_behalf_of = 'rfc-bot'"
                          ).fetchone() == (2,)
    assert refs(data_dir) == refs_before, "closing leaves git alone"


async def test_a_time_without_a_zone_is_refused(data_dir):
    result = sweep(data_dir, "hygiene", "--dry-run", "--as-of", "2027-02-04T09:00:00")
    assert result.returncode == 2
    assert "give a time zone" in result.stderr


async def test_sweep_reconcile_rebuilds_an_emptied_cache(data_dir):
    with sqlite3.connect(data_dir / "rfc-app.db") as db:
        kept = db.execute("SELECT * FROM cached_branches ORDER BY name").fetchall()
        db.execute("DELETE FROM cached_branches")
        db.execute("DELETE FROM cached_rfcs")
    result = sweep(data_dir, "reconcile")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("reconciler: 3 repair(s): RFCs 1 changed, 0 removed; "
                                    "pull requests 0 changed, 0 removed; branches 2 changed")
    with sqlite3.connect(data_dir / "rfc-app.db") as db:
        assert db.execute("SELECT * FROM cached_branches ORDER BY name").fetchall() == kept
    again = sweep(data_dir, "reconcile")
    assert again.stdout.startswith("reconciler: 0 repair(s)")


async def test_a_sweep_waits_for_another_run_of_the_same_job(data_dir):
    """Two processes never run one sweep at once: the second waits for the first."""
    db = Database.open_sqlite(data_dir / "rfc-app.db")
    try:
        assert await Leases(db).claim("run:reconcile", "server:other", datetime.now(UTC), 2)
    finally:
        await db.close()
    result = sweep(data_dir, "reconcile")
    assert result.returncode == 0, result.stderr
    assert "another process is running the reconcile sweep; waiting" in result.stderr
    assert result.stdout.startswith("reconciler: ")
    with sqlite3.connect(data_dir / "rfc-app.db") as db3:
        assert db3.execute("SELECT count(*) FROM tick_leases WHERE name = 'run:reconcile'"
                           ).fetchone() == (0,), "the sweep frees the lock when done"
