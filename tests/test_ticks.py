"""The tick loop: jobs on intervals, failures contained, outages logged once, one leader.

Jobs here are small functions of the test's own (the loop takes any job); the
lease, the schedule and the database are the real ones, on a real SQLite file.
Time is a FixedClock the tests move; the loop's short waits are real.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.clock import FixedClock
from server.db.engine import Database
from server.db.leases import Leases, stamp
from server.db.migrate import migrate
from server.forge.port import ForgeUnavailable
from server.ticks.scheduler import Job, TickConfig, TickLoop

T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
# The lease is long in clock time (tests move the clock in bigger steps than it would
# move between two renewals), renewals and polls are quick in real time.
FAST = TickConfig(lease_seconds=600, renew_seconds=0.1, jitter=0, retry_floor=1,
                  stop_grace=0.5, start_with=None)


async def eventually(check: Callable[[], bool], timeout: float = 10) -> None:
    async def poll() -> None:
        while not check():
            await asyncio.sleep(0.01)
    await asyncio.wait_for(poll(), timeout)


async def idle(db: Database, clock: FixedClock, *jobs: str) -> None:
    """Wait until each job ran as far as the clock allows and recorded when it is due next."""
    leases = Leases(db)
    for name in jobs:
        while (record := await leases.job(name)) is None or record.next_due_at <= clock.now():
            await asyncio.sleep(0.01)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.open_sqlite(tmp_path / "ticks.db")
    await migrate(database)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


class Counter:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.runs = 0
        self.fail_with = fail_with

    async def __call__(self) -> None:
        self.runs += 1
        if self.fail_with is not None:
            raise self.fail_with


async def test_a_job_that_raises_does_not_stop_the_others(db, clock, caplog):
    broken, steady = Counter(RuntimeError("a bug")), Counter()
    loop = TickLoop([Job("broken", 60, broken), Job("steady", 60, steady)],
                    leases=Leases(db), clock=clock, config=FAST)
    await loop.start()
    try:
        await eventually(lambda: loop.leading)
        for tick in range(1, 4):
            await asyncio.wait_for(idle(db, clock, "broken", "steady"), 10)
            clock.advance(timedelta(seconds=60))
            await eventually(lambda tick=tick: steady.runs == tick and broken.runs == tick)
    finally:
        await loop.stop()
    failures = [r for r in caplog.records if r.getMessage() == "broken tick failed"]
    assert len(failures) == 3
    assert all(r.exc_info is not None for r in failures), "a bug is logged with its traceback"
    assert (await Leases(db).job("broken")).last_outcome == "failed"  # type: ignore[union-attr]
    assert (await Leases(db).job("steady")).last_outcome == "ok"  # type: ignore[union-attr]


async def test_a_forge_outage_is_logged_once_as_it_starts_and_once_as_it_ends(db, clock,
                                                                             caplog):
    outage = [True, True, True, False, False]

    async def reach_forge() -> None:
        if outage.pop(0):
            raise ForgeUnavailable("connection refused")

    leases = Leases(db)
    loop = TickLoop([Job("reconcile", 3, reach_forge)], leases=leases, clock=clock,
                    config=FAST)
    caplog.set_level(logging.INFO, logger="server.ticks")
    delays = []
    for _ in range(5):
        due = await loop.run_now("reconcile")
        delays.append((due - clock.now()).total_seconds())
    lines = [r for r in caplog.records if "forge" in r.getMessage()]
    assert [r.getMessage() for r in lines] == [
        "reconcile tick: forge unavailable (connection refused); retrying until it answers",
        "reconcile tick: forge available again"]
    assert all(r.exc_info is None for r in lines), "an expected outage has no traceback"
    # Backoff from the floor, doubling, never beyond the job's own interval.
    assert delays == [1, 2, 3, 3, 3]
    record = await leases.job("reconcile")
    assert record is not None and record.last_outcome == "ok"


async def test_a_failing_job_runs_again_at_its_next_tick(db, clock):
    broken = Counter(RuntimeError("still broken"))
    loop = TickLoop([Job("hygiene", 3600, broken)], leases=Leases(db), clock=clock,
                    config=FAST)
    due = await loop.run_now("hygiene")
    assert due == T0 + timedelta(seconds=3600)


async def test_jobs_stop_cleanly_on_shutdown(db, clock):
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def endless() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    leases = Leases(db)
    loop = TickLoop([Job("endless", 1, endless)], leases=leases, clock=clock, config=FAST)
    await loop.start()
    await eventually(lambda: loop.leading)
    clock.advance(timedelta(seconds=1))
    await asyncio.wait_for(started.wait(), 10)
    await asyncio.wait_for(loop.stop(), 10)
    assert cancelled.is_set(), "a job still running after the grace is cancelled"
    assert not loop.leading
    lease = await leases.current("ticks")
    assert lease is not None and lease.expires_at <= clock.now(), "the lease is handed back"


async def test_the_start_up_job_runs_before_start_returns(db, clock):
    first = Counter()
    loop = TickLoop([Job("reconcile", 300, first)], leases=Leases(db), clock=clock,
                    config=TickConfig(renew_seconds=0.1, jitter=0))
    await loop.start()
    try:
        assert first.runs == 1
        record = await Leases(db).job("reconcile")
        assert record is not None and record.next_due_at == T0 + timedelta(seconds=300)
    finally:
        await loop.stop()


async def test_two_loops_on_one_database_never_both_run_a_job(tmp_path, clock):
    databases = [Database.open_sqlite(tmp_path / "shared.db") for _ in range(2)]
    await migrate(databases[0])
    active: set[str] = set()
    overlaps: list[str] = []
    runs: list[str] = []

    def job_of(holder: str) -> Job:
        async def work() -> None:
            if active:
                overlaps.append(f"{holder} ran while {active} did")
            active.add(holder)
            try:
                runs.append(holder)
                await asyncio.sleep(0.02)
            finally:
                active.discard(holder)
        return Job("reconcile", 1, work)

    loops = {name: TickLoop([job_of(name)], leases=Leases(db), clock=clock, config=FAST,
                            holder=name) for name, db in zip("ab", databases, strict=True)}
    try:
        await loops["a"].start()
        await loops["b"].start()
        await eventually(lambda: loops["a"].leading)
        for _ in range(5):
            await asyncio.wait_for(idle(databases[0], clock, "reconcile"), 10)
            before = len(runs)
            clock.advance(timedelta(seconds=1))
            await eventually(lambda before=before: len(runs) > before)
        assert set(runs) == {"a"} and not loops["b"].leading
        # The leader stops; the other one takes over and carries on the schedule.
        await loops["a"].stop()
        await eventually(lambda: loops["b"].leading)
        for _ in range(3):
            await asyncio.wait_for(idle(databases[0], clock, "reconcile"), 10)
            before = len(runs)
            clock.advance(timedelta(seconds=1))
            await eventually(lambda before=before: len(runs) > before)
        assert runs[-1] == "b"
    finally:
        for loop in loops.values():
            await loop.stop()
        for db in databases:
            await db.close()
    assert overlaps == []


async def test_another_process_takes_over_when_the_holder_dies(db, clock):
    leases = Leases(db)
    # A holder that died leaves only its lease row behind.
    assert await leases.claim("ticks", "dead-process", clock.now(), 60) == 1
    work = Counter()
    loop = TickLoop([Job("reconcile", 5, work)], leases=leases, clock=clock, config=FAST,
                    holder="survivor")
    await loop.start()
    try:
        await asyncio.sleep(0.3)  # a few renewal periods: the lease is not free yet
        assert not loop.leading and work.runs == 0
        clock.advance(timedelta(seconds=61))  # the dead holder's lease expires
        await eventually(lambda: loop.leading)
        lease = await leases.current("ticks")
        assert lease is not None and (lease.holder, lease.epoch) == ("survivor", 2)
    finally:
        await loop.stop()


async def test_a_failed_renewal_stops_the_running_jobs_at_once(db, clock, caplog):
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def long_sweep() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    leases = Leases(db)
    loop = TickLoop([Job("reconcile", 1, long_sweep)], leases=leases, clock=clock,
                    config=FAST, holder="slow")
    await loop.start()
    try:
        await eventually(lambda: loop.leading)
        clock.advance(timedelta(seconds=1))
        await asyncio.wait_for(started.wait(), 10)
        # Another process took the lease (this one stalled past its expiry, say).
        async with db.write() as tx:
            await tx.execute("UPDATE tick_leases SET holder = 'other',"
                             " expires_at = :later", {"later": stamp(T0 + timedelta(days=1))})
        await asyncio.wait_for(cancelled.wait(), 10)
        assert not loop.leading
        assert "ticks: lost the lease; stopping the periodic jobs" in caplog.messages
    finally:
        await loop.stop()


async def test_a_new_leader_does_not_repeat_a_job_early(tmp_path, clock):
    databases = [Database.open_sqlite(tmp_path / "shared.db") for _ in range(2)]
    await migrate(databases[0])
    work = Counter()
    first = TickLoop([Job("hygiene", 3600, work)], leases=Leases(databases[0]), clock=clock,
                     config=FAST, holder="first")
    second = TickLoop([Job("hygiene", 3600, work)], leases=Leases(databases[1]), clock=clock,
                      config=FAST, holder="second")
    try:
        await first.start()
        await eventually(lambda: first.leading)
        clock.advance(timedelta(seconds=3600))
        await eventually(lambda: work.runs == 1)
        await first.stop()
        clock.advance(timedelta(seconds=1800))  # half-way to the next run
        await second.start()
        await eventually(lambda: second.leading)
        await asyncio.sleep(0.3)  # a few polls of the new leader's schedule
        assert work.runs == 1, "the new leader keeps the old schedule"
        record = await Leases(databases[1]).job("hygiene")
        assert record is not None and record.last_holder == "first"
        clock.advance(timedelta(seconds=1800))
        await eventually(lambda: work.runs == 2)
    finally:
        await first.stop()
        await second.stop()
        for db in databases:
            await db.close()


def test_two_real_processes_take_turns_and_never_overlap(tmp_path):
    """Two OS processes on one SQLite file; the leader is killed; the other takes over."""
    import os
    import signal
    import subprocess
    import sys
    import time

    database, out = tmp_path / "shared.db", tmp_path / "out"
    out.mkdir()
    root = Path(__file__).resolve().parents[1]

    def start(holder: str) -> subprocess.Popen[str]:
        with (tmp_path / f"{holder}.log").open("w") as log_file:
            return subprocess.Popen([sys.executable, "-m", "tests.tick_worker", str(database),
                                     str(out), holder], cwd=root, text=True,
                                    stderr=log_file, env={**os.environ})

    def runs() -> list[str]:
        path = out / "runs"
        return path.read_text().split("\n")[:-1] if path.exists() else []

    def wait_for(check: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 30
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {runs()}")
            time.sleep(0.05)

    workers = {"one": start("one")}
    wait_for(lambda: len(runs()) >= 1, "the first process to run the job")
    workers["two"] = start("two")
    try:
        wait_for(lambda: len(runs()) >= 10, "ten runs")
        leaders = {line.split()[1] for line in runs()}
        assert leaders == {"one"}, "the process that came second stands by"
        workers["one"].send_signal(signal.SIGKILL)
        workers["one"].wait(timeout=10)
        wait_for(lambda: "run two" in runs(), "the other process to take over")
        count = len(runs())
        wait_for(lambda: len(runs()) >= count + 5, "more runs by the new leader")
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=20)
    lines = runs()
    assert not [line for line in lines if line.startswith("overlap")]
    turn = lines.index("run two")
    assert set(lines[:turn]) == {"run one"} and set(lines[turn:]) == {"run two"}
    assert workers["two"].returncode == 0, (tmp_path / "two.log").read_text()


async def test_a_job_another_process_is_running_is_not_run_beside_it(db, clock, caplog):
    """An operator's `rfc-app sweep` holds the job's run lock: the loop waits its turn."""
    caplog.set_level(logging.INFO, logger="server.ticks.scheduler")
    sweep = Counter()
    leases = Leases(db)
    loop = TickLoop([Job("reconcile", 60, sweep)], leases=leases, clock=clock, config=FAST)
    assert await leases.claim("run:reconcile", "cli:elsewhere", clock.now(), 900) is not None
    due = await loop.run_now("reconcile")
    assert sweep.runs == 0
    assert due <= clock.now() + timedelta(seconds=1), "it tries again soon, not next interval"
    assert "another process is running it" in caplog.text
    await leases.drop("run:reconcile", "cli:elsewhere")
    await loop.run_now("reconcile")
    assert sweep.runs == 1
    assert (await leases.current("run:reconcile")) is None, "the loop frees the lock after"
