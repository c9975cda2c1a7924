"""The reconciler: one sweep repairs whatever events were lost, and repairs nothing twice.

The forge is the real embedded one and the database a real SQLite file. Events
are lost, held back and repeated on their way from the forge to ingestion
(``EventMail``), as webhooks are.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from server.clock import FixedClock
from server.domain.live import BranchUpdated, LiveEvent, PullUpdated, RfcRemoved, RfcUpdated
from server.domain.naming import edit_branch
from server.domain.rfcs import rfc_path
from server.forge.port import FileChange
from server.services import Services, open_services
from tests.forge_world import PEOPLE, EventMail, World, cache_rows, empty_cache, rfc_text
from tests.support import make_settings

T0 = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)


class Opened:
    def __init__(self, services: Services, mail: EventMail, clock: FixedClock,
                 published: list[LiveEvent]) -> None:
        self.services, self.mail, self.clock, self.published = services, mail, clock, published

    @property
    def d(self) -> Any:
        return self.services.domain

    def world(self, seed: int) -> World:
        return World(self.d.forge, self.d.meta_repo, self.clock, random.Random(seed))


@pytest.fixture
async def opened(tmp_path) -> AsyncIterator[Opened]:
    published: list[LiveEvent] = []

    async def publish(event: LiveEvent) -> None:
        published.append(event)

    clock = FixedClock(T0)
    mail = EventMail()
    services = await open_services(make_settings(tmp_path / "data"), clock=clock,
                                   publish=publish, route_events=mail)
    try:
        yield Opened(services, mail, clock, published)
    finally:
        await services.close()


async def rebuilt(services: Services) -> dict[str, list[Any]]:
    """The cache as a sweep over an empty cache builds it from the forge alone."""
    await empty_cache(services.db)
    await services.reconciler.sweep()
    return await cache_rows(services.db)


@pytest.mark.parametrize("seed", range(6))
async def test_one_sweep_after_lost_events_equals_a_cache_rebuilt_from_scratch(opened, seed):
    rng = random.Random(seed)
    opened.mail.rng = rng
    opened.mail.drop, opened.mail.hold, opened.mail.repeat = 0.35, 0.15, 0.1
    world = opened.world(seed)
    for _ in range(30):
        await world.step()
    assert opened.mail.dropped > 0, "the test must lose some events"
    await opened.services.reconciler.sweep()
    swept = await cache_rows(opened.services.db)
    assert swept == await rebuilt(opened.services), world.done
    assert any(swept.values()), "the world left something to cache"


@pytest.mark.parametrize("seed", range(4))
async def test_events_repeated_and_out_of_order_leave_the_same_cache(opened, seed):
    rng = random.Random(100 + seed)
    opened.mail.rng = rng
    opened.mail.hold, opened.mail.repeat = 0.3, 0.3
    world = opened.world(100 + seed)
    for _ in range(30):
        await world.step()
    await opened.mail.flush()
    ingested = await cache_rows(opened.services.db)  # no sweep: the events alone
    assert ingested == await rebuilt(opened.services), world.done


async def populated(opened: Opened) -> None:
    world = opened.world(7)
    for _ in range(25):
        await world.step()
    await opened.services.reconciler.sweep()


async def test_a_sweep_with_nothing_to_repair_writes_nothing(opened, tmp_path):
    await populated(opened)
    watcher = sqlite3.connect(opened.services.settings.database_path)
    try:
        before = watcher.execute("PRAGMA data_version").fetchone()
        opened.published.clear()
        report = await opened.services.reconciler.sweep()
        after = watcher.execute("PRAGMA data_version").fetchone()
    finally:
        watcher.close()
    assert report.repairs == 0
    assert after == before, "no transaction committed a change"
    assert opened.published == []


async def test_the_sweep_repairs_lost_events_broadcasts_them_and_logs_counts(opened, caplog):
    d = opened.d
    world = opened.world(1)
    for slug in ("kept", "gone"):
        await world.commit("main", [FileChange(rfc_path(slug), rfc_text(slug, slug.title()))],
                           f"Add {slug}")
    doomed = edit_branch("kept", "doomed")
    await d.forge.create_branch(d.meta_repo, doomed, "main")
    assert (await cache_rows(opened.services.db))["cached_branches"], "ingested so far"
    opened.mail.drop = 1.0  # from here on, every event is lost
    await world.commit("main", [FileChange(rfc_path("fresh"), rfc_text("fresh", "Fresh"))],
                       "Add fresh")
    await world.commit("main", [FileChange(rfc_path("gone"), None)], "Remove gone")
    branch = edit_branch("kept", "tidy")
    await d.forge.create_branch(d.meta_repo, branch, "main")
    await world.commit(branch, [FileChange("notes/a.md", "A\n")], "Note")
    pull = await d.forge.open_pull_request(d.meta_repo, head=branch, base="main",
                                           title="Tidy", body="", author=PEOPLE[1])
    await d.forge.delete_branch(d.meta_repo, doomed)  # a deletion that never arrives
    opened.published.clear()
    caplog.set_level("INFO", logger="server.domain.reconcile")

    report = await opened.services.reconciler.sweep()

    assert (report.rfcs_changed, report.rfcs_removed) == (1, 1)
    assert (report.pulls_changed, report.branches_changed, report.branches_gone) == (1, 1, 1)
    kinds = {(type(e).__name__, getattr(e, "slug", None)) for e in opened.published}
    assert ("RfcRemoved", "gone") in kinds
    assert any(isinstance(e, RfcUpdated) and e.rfc.slug == "fresh" for e in opened.published)
    assert any(isinstance(e, PullUpdated) and e.pull.number == pull.number
               for e in opened.published)
    updated = {e.branch.name: e.branch.state for e in opened.published
               if isinstance(e, BranchUpdated)}
    assert updated[branch] == "open" and updated[doomed] == "deleted"
    removed = next(e for e in opened.published if isinstance(e, RfcRemoved))
    assert removed.rooms == ("catalog", "rfc:gone")
    messages = [r.getMessage() for r in caplog.records if r.name == "server.domain.reconcile"]
    assert messages[0] == "reconciler: starting sweep"
    assert messages[-1].startswith("reconciler: sweep complete — 5 repair(s): RFCs 1 changed, "
                                   "1 removed; pull requests 1 changed, 0 removed; "
                                   "branches 1 changed, 1 gone; ")
    rows = await cache_rows(opened.services.db, with_deleted=True)
    assert [r["slug"] for r in rows["cached_rfcs"]] == ["fresh", "kept"]
    assert {r["name"]: r["state"] for r in rows["cached_branches"]} == {
        branch: "open", doomed: "deleted"}
