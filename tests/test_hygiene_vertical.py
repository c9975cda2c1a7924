"""Branch hygiene end to end, with time moved by an injected clock.

Branches are made through the API, commits land in real git repositories with the
clock's time, and hygiene passes run as the tick loop runs them. The rules, in
``server/domain/hygiene.py``: 30 days without a commit or an open pull request
closes a branch; 90 days closed, or 90 days after its merge, deletes it; pinned
branches are left alone.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import socketio

from server.app import RfcApp, create_app
from server.clock import FixedClock, iso
from server.domain.hygiene import (
    CLOSE_IDLE,
    DELETE_MERGED,
    DELETE_STALE,
    HygieneReport,
    due_hygiene,
    sweep_hygiene,
)
from server.domain.naming import edit_branch, proposal_branch
from server.domain.store import CachedBranch, CachedPull
from server.forge.port import ForgeNotFound
from server.ticks.scheduler import TickConfig
from tests.support import (
    ApiClient,
    add_account,
    make_settings,
    running_server,
    seed_rfc,
    signed_in_client,
)

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
SLUG = "better-search"
BASE = f"/api/rfcs/{SLUG}"
DAY = timedelta(days=1)


class Setting:
    """The app on a FixedClock, and its people."""

    def __init__(self, app: RfcApp, clock: FixedClock, harness: Any) -> None:
        self.app, self.clock, self.harness = app, clock, harness
        self.d = app.services.domain

    def client(self) -> ApiClient:
        return ApiClient(self.harness.test_client())

    async def person(self, login: str) -> ApiClient:
        return await signed_in_client(self.app, self.client, login)

    async def sweep(self, *, after: timedelta = timedelta(0)) -> HygieneReport:
        self.clock.advance(after)
        return await sweep_hygiene(self.d, self.app.services.ingest)

    async def state(self, short: str) -> str:
        async with self.d.store.read() as uow:
            row = await uow.branches.get(self.d.meta_repo.full_name, edit_branch(SLUG, short))
        assert row is not None
        return row.state

    async def audit(self, kind: str) -> list[Any]:
        async with self.d.store.read() as uow:
            return await uow.audit.list(kind=kind)

    async def on_forge(self, short: str) -> bool:
        try:
            await self.d.forge.get_branch(self.d.meta_repo, edit_branch(SLUG, short))
        except ForgeNotFound:
            return False
        return True

    async def app_records(self) -> dict[str, list[dict[str, Any]]]:
        """Every app-canonical table but the ones hygiene writes (audit log, marks)."""
        async with self.app.services.db.read() as tx:
            tables = [r["name"] for r in await tx.all(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                " 'cached_%' AND name NOT LIKE 'tick_%' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT IN ('audit_log', 'branch_marks', 'ingested_deliveries')")]
            return {t: await tx.all(f"SELECT * FROM {t} ORDER BY rowid") for t in tables}


@pytest.fixture
async def setting(tmp_path) -> AsyncIterator[Setting]:
    clock = FixedClock(T0)
    # No periodic jobs: each test runs the passes itself, at the moments it chooses.
    settings = make_settings(tmp_path / "data", RECONCILE_TICK_SECONDS=0,
                             HYGIENE_TICK_SECONDS=0)
    app = create_app(settings, clock=clock)
    async with app.test_app() as harness:
        await seed_rfc(app, SLUG, title="Better search", body="# Better search\n\nOld.\n")
        yield Setting(app, clock, harness)


async def start(client: ApiClient, short: str, text: str = "New text.\n") -> dict[str, Any]:
    status, made = await client.post(f"{BASE}/branches", {"name": short})
    assert status == 201, made
    return await save(client, short, text, made["branch"]["head"])


async def save(client: ApiClient, short: str, text: str, head: str) -> dict[str, Any]:
    status, saved = await client.put(f"{BASE}/branches/{short}/body",
                                     {"markdown": text, "base_sha": head})
    assert status == 200, saved
    return dict(saved["branch"])


# ---- the whole life of a branch ----------------------------------------------

async def test_an_idle_branch_closes_after_30_days_and_goes_90_days_later(setting):
    alice = await setting.person("alice")
    branch = await start(alice, "tidy-up")
    assert branch["last_commit_at"] == iso(T0)

    assert (await setting.sweep(after=30 * DAY - timedelta(minutes=1))).done == ()
    assert await setting.state("tidy-up") == "open"

    before = await setting.app_records()
    report = await setting.sweep(after=timedelta(minutes=1))
    assert [a.kind for a in report.done] == [CLOSE_IDLE]
    assert await setting.state("tidy-up") == "closed"
    assert await setting.on_forge("tidy-up"), "a closed branch stays in git"
    [closing] = await setting.audit("close_idle_branch")
    assert (closing.actor, closing.on_behalf_of) == (None, "rfc-bot")
    assert closing.target == f"branch:rfcs/meta:rfc/{SLUG}/tidy-up"
    assert closing.details["slug"] == SLUG

    assert (await setting.sweep(after=90 * DAY - timedelta(minutes=1))).done == ()
    report = await setting.sweep(after=timedelta(minutes=1))
    assert [a.kind for a in report.done] == [DELETE_STALE]
    assert not await setting.on_forge("tidy-up"), "the bot deleted it from the forge"
    assert await setting.state("tidy-up") == "deleted"
    [deletion] = await setting.audit("delete_stale_branch")
    assert (deletion.actor, deletion.on_behalf_of) == (None, "rfc-bot")
    assert deletion.details["closed_at"] == iso(T0 + 30 * DAY)
    # Who started it, and everything else the app keeps about it, outlives the branch.
    assert await setting.app_records() == before
    _, page = await alice.get(BASE)
    assert [(b["short"], b["state"]) for b in page["branches"]] == [("tidy-up", "deleted")]
    assert (await setting.sweep(after=400 * DAY)).plan.acts == (), "nothing more to do"


async def test_commits_and_open_pull_requests_keep_branches_open(setting):
    alice = await setting.person("alice")
    busy = await start(alice, "busy")
    await start(alice, "proposed")
    status, _ = await alice.post(f"{BASE}/branches/proposed/pulls", {"title": "Proposed"})
    assert status == 201
    setting.clock.advance(20 * DAY)
    busy = await save(alice, "busy", "Newer text.\n", busy["head"])

    await setting.sweep(after=20 * DAY)  # day 40: busy was idle for 20 days only
    assert (await setting.state("busy"), await setting.state("proposed")) == ("open", "open")
    await setting.sweep(after=10 * DAY)  # day 50
    assert await setting.state("busy") == "closed"

    # A new commit reopens a closed branch; its idle clock starts again.
    setting.clock.advance(10 * DAY)  # day 60
    await save(alice, "busy", "Newest text.\n", busy["head"])
    assert await setting.state("busy") == "open"
    assert (await setting.sweep(after=29 * DAY)).done == ()
    assert [a.kind for a in (await setting.sweep(after=DAY)).done] == [CLOSE_IDLE]
    assert (await setting.sweep(after=89 * DAY)).done == (), "90 days from the new closing"
    assert await setting.state("proposed") == "open", "an open pull request protects it"


class PullOpenedMidPass:
    """The real forge, where someone opens a pull request from ``branch`` just after
    the pass has read the list it plans from (as can happen between plan and act)."""

    def __init__(self, forge: Any, opener: ApiClient, branch: str) -> None:
        self._forge, self._opener, self._branch = forge, opener, branch
        self._opened = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._forge, name)

    async def list_pull_requests(self, repo: Any, state: str = "open") -> Any:
        listed = await self._forge.list_pull_requests(repo, state)
        if state == "all" and not self._opened:
            self._opened = True
            status, _ = await self._opener.post(f"{BASE}/branches/{self._branch}/pulls",
                                                {"title": "Just in time"})
            assert status == 201
        return listed


async def test_a_pull_request_opened_while_the_pass_runs_keeps_the_branch(setting):
    alice = await setting.person("alice")
    await start(alice, "late")
    setting.clock.advance(31 * DAY)
    racing = replace(setting.d, forge=PullOpenedMidPass(setting.d.forge, alice, "late"))
    report = await sweep_hygiene(racing, setting.app.services.ingest)
    assert [a.branch for a in report.plan.acts] == [edit_branch(SLUG, "late")], \
        "the plan was made without the pull request"
    assert report.done == () and len(report.skipped) == 1
    assert await setting.state("late") == "open"
    assert await setting.audit(CLOSE_IDLE) == []


async def test_a_merged_branch_is_deleted_90_days_after_its_merge(setting):
    alice, owner = await setting.person("alice"), await setting.person("owner")
    await start(alice, "merged")
    status, opened = await alice.post(f"{BASE}/branches/merged/pulls", {"title": "Merge me"})
    assert status == 201
    setting.clock.advance(2 * DAY)
    status, merged = await owner.post(f"{BASE}/pulls/{opened['pull']['number']}/merge",
                                      {"head_sha": opened["pull"]["head_sha"]})
    assert status == 200, merged

    await setting.sweep(after=30 * DAY)  # day 32: idle since day 0, no open pull request
    assert await setting.state("merged") == "closed"
    assert (await setting.sweep(after=60 * DAY - timedelta(minutes=1))).done == ()
    report = await setting.sweep(after=timedelta(minutes=1))  # day 92: merge + 90 days
    assert [a.kind for a in report.done] == [DELETE_MERGED]
    assert not await setting.on_forge("merged")
    [deletion] = await setting.audit("delete_post_merge_branch")
    assert deletion.details["pull"] == opened["pull"]["number"]
    assert deletion.details["merged_at"] == iso(T0 + 2 * DAY)
    assert (deletion.actor, deletion.on_behalf_of) == (None, "rfc-bot")


async def test_pinned_branches_are_left_alone_and_only_the_owner_and_admins_pin(setting):
    alice, owner = await setting.person("alice"), await setting.person("owner")
    ada = await add_account(setting.app, "ada")
    async with setting.d.store.write() as uow:
        await uow.users.set_role(ada.id, "admin")
    admin = await setting.person("ada")
    await start(alice, "keep")

    status, refused = await alice.post(f"{BASE}/branches/keep/pin")
    assert status == 403 and refused["error"]["code"] == "forbidden"
    status, pinned = await owner.post(f"{BASE}/branches/keep/pin")
    assert status == 200 and pinned["branch"]["pinned"] is True
    [entry] = await setting.audit("pin_branch")
    assert entry.actor == "owner" and entry.details == {"slug": SLUG}

    assert (await setting.sweep(after=400 * DAY)).plan.acts == ()
    assert await setting.state("keep") == "open" and await setting.on_forge("keep")

    status, unpinned = await admin.post(f"{BASE}/branches/keep/unpin")
    assert status == 200 and unpinned["branch"]["pinned"] is False
    assert [a.kind for a in (await setting.sweep()).done] == [CLOSE_IDLE]
    # Pinning a closed branch keeps it alive: it reopens.
    status, again = await admin.post(f"{BASE}/branches/keep/pin")
    assert status == 200 and again["branch"]["state"] == "open"
    assert (await setting.audit("pin_branch"))[0].details == {"slug": SLUG, "reopened": True}
    assert (await setting.sweep(after=400 * DAY)).plan.acts == ()
    assert [e.actor for e in await setting.audit("unpin_branch")] == ["ada"]


async def test_pins_of_metadata_branches_and_of_missing_or_deleted_ones(setting):
    owner = await setting.person("owner")
    status, change = await owner.post(f"{BASE}/metadata", {"pitch": "A sharper pitch"})
    assert status == 201
    name = change["pull"]["head_branch"]
    status, pinned = await owner.post(f"{BASE}/branches/{name}/pin")
    assert status == 200 and pinned["branch"]["name"] == name
    assert (await owner.post(f"{BASE}/branches/nothing-here/pin"))[0] == 404
    await start(owner, "short-lived")
    await setting.sweep(after=30 * DAY)
    await setting.sweep(after=90 * DAY)
    assert await setting.state("short-lived") == "deleted"
    status, refused = await owner.post(f"{BASE}/branches/short-lived/pin")
    assert status == 409 and refused["error"]["code"] == "branch_deleted"


async def test_proposal_default_and_other_branches_are_never_touched(setting):
    d = setting.d
    contributor = await setting.person("carol")
    status, _ = await contributor.post("/api/proposals",
                                       {"title": "Old idea", "slug": "old-idea"})
    assert status == 201
    await d.forge.create_branch(d.meta_repo, "topic/unrelated", "main")
    report = await setting.sweep(after=1000 * DAY)
    assert report.plan.acts == ()
    names = {b.name for b in await d.forge.list_branches(d.meta_repo)}
    assert {"main", proposal_branch("old-idea"), "topic/unrelated"} <= names


async def test_a_failed_branch_listing_aborts_the_pass_with_nothing_done(setting, caplog):
    alice = await setting.person("alice")
    await start(alice, "stale")
    await setting.sweep(after=30 * DAY)
    await start(alice, "idle")
    setting.clock.advance(90 * DAY)  # "stale" is due for deletion, "idle" for closing
    repo_dir = setting.app.settings.git_root / "rfcs" / "meta.git"
    aside = repo_dir.with_name("meta.git.aside")
    shutil.move(repo_dir, aside)
    try:
        await setting.app.ticks.run_now("hygiene")
    finally:
        shutil.move(aside, repo_dir)
    assert any(m.startswith("hygiene: could not read branches or pull requests from the "
                            "forge") and m.endswith("pass aborted, nothing closed or deleted")
               for m in caplog.messages)
    assert "hygiene tick failed" in caplog.messages
    assert await setting.state("stale") == "closed" and await setting.on_forge("stale")
    assert await setting.state("idle") == "open"
    assert await setting.audit("delete_stale_branch") == []
    # The next pass, with the forge answering again, does both.
    kinds = sorted(a.kind for a in (await setting.sweep()).done)
    assert kinds == [CLOSE_IDLE, DELETE_STALE]


async def test_the_tick_loop_runs_hygiene_when_it_is_due(tmp_path):
    clock = FixedClock(T0)
    settings = make_settings(tmp_path / "data", RECONCILE_TICK_SECONDS=0,
                             HYGIENE_TICK_SECONDS=3600)
    app = create_app(settings, clock=clock,
                     ticks=TickConfig(renew_seconds=0.05, jitter=0, lease_seconds=3600))
    async with app.test_app() as harness:
        await seed_rfc(app, SLUG)
        alice = await signed_in_client(app, lambda: ApiClient(harness.test_client()), "alice")
        await start(alice, "forgotten")
        while not app.ticks.leading:  # the jobs are scheduled just after start-up
            await asyncio.sleep(0.01)
        clock.advance(31 * DAY)

        async def closed() -> None:
            while True:
                _, page = await alice.get(BASE)
                if page["branches"][0]["state"] == "closed":
                    return
                await asyncio.sleep(0.02)

        await asyncio.wait_for(closed(), 20)
        record = await app.ticks.leases.job("hygiene")
        assert record is not None and record.last_outcome == "ok"


async def test_hygiene_is_broadcast_to_the_rooms_that_show_the_branch(setting):
    alice = await setting.person("alice")
    await start(alice, "watched")
    seen: list[dict[str, Any]] = []
    arrived = asyncio.Event()
    sio = socketio.AsyncClient(reconnection=False)

    @sio.on("branch.updated")
    async def _updated(data: dict[str, Any]) -> None:
        seen.append(data["branch"])
        arrived.set()

    async with running_server(setting.app) as url:
        await sio.connect(url, transports=["websocket"])
        try:
            room = f"branch:rfcs/meta:{edit_branch(SLUG, 'watched')}"
            assert (await sio.call("subscribe", {"room": room}))["ok"] is True
            await setting.sweep(after=30 * DAY)
            await asyncio.wait_for(arrived.wait(), 10)
        finally:
            await sio.disconnect()
    assert seen[-1]["state"] == "closed" and seen[-1]["name"] == edit_branch(SLUG, "watched")


# ---- what is due: the pure rules ------------------------------------------------

NOW = datetime(2027, 6, 1, tzinfo=UTC)


def branch(name: str, *, idle: timedelta, state: str = "open", pinned: bool = False,
           closed: timedelta | None = None) -> CachedBranch:
    return CachedBranch(repo="rfcs/meta", name=name, kind="edit", rfc_slug=SLUG,
                        head="h-" + name, last_commit_at=iso(NOW - idle),
                        last_commit_author="Alice", state=state, pinned=pinned,
                        closed_at=iso(NOW - closed) if closed else None)


def pull(name: str, state: str, *, merged: timedelta | None = None,
         closed: timedelta | None = None, number: int = 1) -> CachedPull:
    return CachedPull(repo="rfcs/meta", number=number, kind="body", rfc_slug=SLUG, title="t",
                      body="", head_branch=name, base_branch="main", head_sha="x",
                      state=state, author_login="alice", created_at=iso(NOW - 400 * DAY),
                      updated_at=iso(NOW), merged_at=iso(NOW - merged) if merged else None,
                      closed_at=iso(NOW - closed) if closed else None)


def kinds(branches: list[CachedBranch], pulls: Sequence[CachedPull] = (),
          **options: Any) -> dict[str, str]:
    plan = due_hygiene(branches, pulls, NOW, **options)
    return {a.branch: a.kind for a in plan.acts}


def test_idleness_is_counted_to_the_minute():
    a, b = edit_branch(SLUG, "a"), edit_branch(SLUG, "b")
    assert kinds([branch(a, idle=30 * DAY), branch(b, idle=30 * DAY - timedelta(seconds=1))]
                 ) == {a: CLOSE_IDLE}


def test_idleness_counts_from_a_pull_request_closed_after_the_last_commit():
    recent, long_ago = edit_branch(SLUG, "recent"), edit_branch(SLUG, "long-ago")
    branches = [branch(recent, idle=40 * DAY), branch(long_ago, idle=70 * DAY)]
    pulls = [pull(recent, "closed", closed=2 * DAY, number=1),
             pull(long_ago, "closed", closed=31 * DAY, number=2)]
    plan = due_hygiene(branches, pulls, NOW)
    assert [(a.branch, a.kind, a.since) for a in plan.acts] == [
        (long_ago, CLOSE_IDLE, iso(NOW - 31 * DAY))]


def test_closed_branches_are_deleted_90_days_after_closing():
    a, b = edit_branch(SLUG, "a"), edit_branch(SLUG, "b")
    assert kinds([branch(a, idle=200 * DAY, state="closed", closed=90 * DAY),
                  branch(b, idle=200 * DAY, state="closed", closed=89 * DAY)]) == {
        a: DELETE_STALE}


def test_a_merge_deletes_only_without_later_commits():
    merged, continued = edit_branch(SLUG, "merged"), edit_branch(SLUG, "continued")
    branches = [branch(merged, idle=95 * DAY), branch(continued, idle=10 * DAY)]
    pulls = [pull(merged, "merged", merged=90 * DAY, number=1),
             pull(continued, "merged", merged=90 * DAY, number=2)]
    assert kinds(branches, pulls) == {merged: DELETE_MERGED}


def test_open_pull_requests_pins_and_deletions_exempt_a_branch():
    names = [edit_branch(SLUG, n) for n in ("open-pr", "pinned", "gone")]
    branches = [branch(names[0], idle=300 * DAY), branch(names[1], idle=300 * DAY, pinned=True),
                branch(names[2], idle=300 * DAY, state="deleted")]
    assert kinds(branches, [pull(names[0], "open")]) == {}


def test_only_edit_and_metadata_branches_of_an_rfc_and_never_a_protected_one():
    candidates = [branch(n, idle=300 * DAY) for n in (
        "main", proposal_branch("idea"), "topic/x", f"meta/{SLUG}/20270101-alice",
        edit_branch(SLUG, "protected"))]
    assert kinds(candidates, protected={"main", edit_branch(SLUG, "protected")}) == {
        f"meta/{SLUG}/20270101-alice": CLOSE_IDLE}


def test_the_plan_is_a_value_of_its_inputs():
    rows = [branch(edit_branch(SLUG, n), idle=40 * DAY) for n in "cab"]
    first = due_hygiene(rows, [], NOW)
    assert first == due_hygiene(list(reversed(rows)), [], NOW)
    assert [a.branch for a in first.acts] == sorted(a.branch for a in first.acts)
    assert first.as_of == iso(NOW)
    assert due_hygiene([replace(r, pinned=True) for r in rows], [], NOW).acts == ()
