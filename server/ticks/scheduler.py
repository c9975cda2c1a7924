"""The tick loop: named jobs on intervals, run by exactly one process of many.

It behaves like Home Assistant's DataUpdateCoordinator:

- A forge outage (``ForgeUnavailable``) is expected: it is logged once when it
  starts and once when it ends, without a traceback, and the job is retried with
  a backoff that grows up to the job's own interval.
- Anything else is a bug: ``<job> tick failed`` with the traceback, and the job
  runs again at its next tick.
- Every job runs in its own task, so one that fails or hangs never stops another.
- ``stop()`` ends everything promptly: running jobs get a short grace, then are
  cancelled, and the lease is handed back.

With several processes on one database, a lease row decides which one runs the
jobs. The leader renews it every third of its length; the first renewal that
fails stops its jobs at once, and another process takes the lease once it
expires. Each run is recorded with the time the job is due next, so a new leader
carries on the schedule instead of repeating a job early.

Due times come from the injected clock (tests move a ``FixedClock``); waiting is
in real time, in slices no longer than the renewal period, so a clock that moved
is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.clock import Clock
from server.db.leases import Leases
from server.forge.port import ForgeUnavailable

log = logging.getLogger(__name__)



@contextlib.asynccontextmanager
async def run_lock(leases: Leases, job: str, holder: str, now: Callable[[], datetime],
                   seconds: float) -> AsyncIterator[bool]:
    """Hold the lease ``run:<job>`` while running it: True if this holder got it.

    Whoever runs a job (the leader, or an operator's `rfc-app sweep`) holds it, so two
    runs of one job never overlap. It is renewed every third of ``seconds`` while held,
    so a process that dies mid-run frees it within ``seconds``.
    """
    name = f"run:{job}"
    if await leases.claim(name, holder, now(), seconds) is None:
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                await leases.claim(name, holder, now(), seconds)
            except Exception as exc:
                log.warning("%s: could not renew its run lock: %s", job, exc)

    renewing = asyncio.create_task(renew(), name=f"run-lock:{job}")
    try:
        yield True
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            await leases.drop(name, holder)
        except Exception:
            log.warning("%s: could not free its run lock; it expires by itself", job,
                        exc_info=True)


JobRun = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    interval: float  # seconds between runs; 0 or less: never on its own
    run: JobRun


@dataclass(frozen=True)
class TickConfig:
    lease_seconds: float = 60.0
    renew_seconds: float | None = None  # default: a third of the lease
    jitter: float = 0.1  # each wait is lengthened by up to this fraction
    retry_floor: float = 30.0  # first retry after an outage; doubles up to the interval
    stop_grace: float = 3.0  # how long a running job may finish when the app stops
    start_with: str | None = "reconcile"  # run once at start-up, before the app is started
    lease_name: str = "ticks"

    @property
    def renew_every(self) -> float:
        """Also how often a waiting job looks at the clock again."""
        return self.renew_seconds or self.lease_seconds / 3


@dataclass
class _Health:
    status: str = "ok"  # outcome of the last run: "ok", "failed" or "unavailable"
    failures: int = 0  # consecutive


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class TickLoop:
    def __init__(self, jobs: Sequence[Job], *, leases: Leases, clock: Clock,
                 config: TickConfig | None = None, holder: str | None = None,
                 rng: random.Random | None = None) -> None:
        names = [j.name for j in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = {j.name: j for j in jobs}
        self.leases = leases
        self.clock = clock
        self.config = config or TickConfig()
        self.holder = holder or default_holder()
        self._rng = rng or random.Random()
        self._health = {j.name: _Health() for j in jobs}
        self._stopping = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._held = False  # this process holds the lease
        self._running = False  # and its job tasks are started
        self._claim_failed = False

    @property
    def leading(self) -> bool:
        """True while this process holds the lease and its jobs are scheduled."""
        return self._held and self._running

    # ---- life cycle -----------------------------------------------------------

    async def start(self) -> None:
        """Take the lease if it is free; as leader, run the start-up job before returning."""
        self._stopping.clear()
        first = self.jobs.get(self.config.start_with or "")
        if await self._claim():
            self._held = True
            if first is not None:
                try:
                    await self._startup_run(first)
                except BaseException:
                    # Start-up fails: let another process have the lease at once.
                    self._held = False
                    with contextlib.suppress(Exception):
                        await self.leases.release(self.config.lease_name, self.holder,
                                                  self.clock.now())
                    raise
        else:
            lease = await self.leases.current(self.config.lease_name)
            log.info("ticks: %s runs the periodic jobs; this process stands by",
                     lease.holder if lease else "another process")
            if first is not None:
                await self._await_first_run(first)
        self._supervisor = asyncio.create_task(self._supervise(), name="ticks")

    async def stop(self) -> None:
        """Stop the jobs (a running one gets a short grace) and hand the lease back."""
        self._stopping.set()
        if self._supervisor is not None:
            await self._supervisor
            self._supervisor = None
        if self._held:
            self._held = False
            try:
                await self.leases.release(self.config.lease_name, self.holder, self.clock.now())
            except Exception:
                log.warning("ticks: could not hand the lease back; it expires by itself",
                            exc_info=True)

    # ---- leadership -----------------------------------------------------------

    async def _claim(self) -> bool:
        try:
            epoch = await self.leases.claim(self.config.lease_name, self.holder,
                                            self.clock.now(), self.config.lease_seconds)
        except Exception as exc:
            if not self._claim_failed:
                log.warning("ticks: could not take or renew the lease: %s", exc)
            self._claim_failed = True
            return False
        if self._claim_failed:
            log.info("ticks: the lease table answers again")
        self._claim_failed = False
        return epoch is not None

    async def _supervise(self) -> None:
        try:
            while not self._stopping.is_set():
                held = await self._claim()
                if held and not self._running:
                    self._held = True
                    try:
                        await self._lead()
                    except Exception:
                        log.exception("ticks: could not schedule the jobs; trying again soon")
                        await self._stop_jobs(grace=0)
                elif not held and self._held:
                    self._held = False
                    log.warning("ticks: lost the lease; stopping the periodic jobs")
                    await self._stop_jobs(grace=0)
                if await self._wait(self.config.renew_every):
                    break
        finally:
            await self._stop_jobs(grace=self.config.stop_grace)

    async def _lead(self) -> None:
        scheduled = [j for j in self.jobs.values() if j.interval > 0]
        # Carry on the schedule the last leader recorded (or start one).
        dues = {j.name: await self.leases.first_due(j.name, self._later(j.interval))
                for j in scheduled}
        log.info("ticks: this process runs the periodic jobs (%s)",
                 ", ".join(f"{j.name} every {j.interval:g} s" for j in scheduled)
                 or "none scheduled")
        for job in scheduled:
            self._tasks[job.name] = asyncio.create_task(self._job_loop(job, dues[job.name]),
                                                        name=f"tick:{job.name}")
        self._running = True

    async def _stop_jobs(self, *, grace: float) -> None:
        self._running = False
        tasks = list(self._tasks.values())
        self._tasks.clear()
        if not tasks:
            return
        pending = set(tasks)
        if grace > 0:
            _done, pending = await asyncio.wait(tasks, timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if the loop is stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=max(seconds, 0))
        return self._stopping.is_set()

    # ---- jobs -----------------------------------------------------------------

    def _later(self, seconds: float) -> datetime:
        spread = seconds * self._rng.uniform(0, self.config.jitter) if seconds > 0 else 0
        return self.clock.now() + timedelta(seconds=seconds + spread)

    async def _job_loop(self, job: Job, due: datetime) -> None:
        while not self._stopping.is_set():
            try:
                wait = (due - self.clock.now()).total_seconds()
                if wait > 0:
                    if await self._wait(min(wait, self.config.renew_every)):
                        return
                    continue
                due = await self._run(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The schedule itself failed (the database, most likely): try again later.
                log.exception("%s tick failed", job.name)
                if await self._wait(self.config.renew_every):
                    return

    async def _run(self, job: Job) -> datetime:
        """Run ``job`` once, log as the coordinator does, record it; when it is due next."""
        health = self._health[job.name]
        started = self.clock.now()
        outcome, error, delay = "ok", "", job.interval
        async with self._run_lock(job) as mine:
            if not mine:
                log.info("%s tick: another process is running it; trying again shortly",
                         job.name)
                return self._later(self.config.renew_every)
            try:
                await job.run()
            except ForgeUnavailable as exc:
                outcome, error = "unavailable", str(exc)
                if health.status != "unavailable":
                    log.warning("%s tick: forge unavailable (%s); retrying until it answers",
                                job.name, exc)
                delay = min(job.interval, self.config.retry_floor * 2 ** health.failures)
            except Exception as exc:
                outcome, error = "failed", f"{type(exc).__name__}: {exc}"
                log.exception("%s tick failed", job.name)
        if health.status == "unavailable" and outcome != "unavailable":
            log.info("%s tick: forge available again", job.name)
        health.failures = 0 if outcome == "ok" else health.failures + 1
        health.status = outcome
        due = self._later(delay)
        await self.leases.record_run(job.name, holder=self.holder, started=started,
                                     finished=self.clock.now(), outcome=outcome, error=error,
                                     next_due=due)
        return due

    def _run_lock(self, job: Job) -> contextlib.AbstractAsyncContextManager[bool]:
        return run_lock(self.leases, job.name, self.holder, self.clock.now,
                        self.config.lease_seconds)

    async def run_now(self, name: str) -> datetime:
        """Run one job at once, as the loop would (for tests and operators)."""
        return await self._run(self.jobs[name])

    async def _startup_run(self, job: Job) -> None:
        """The first sweep: before the app reports started, so the cache is filled.

        A forge outage lets the app start with the cache as it is (the loop retries);
        any other failure stops the start-up, loudly.
        """
        started = self.clock.now()
        health = self._health[job.name]
        async with self._run_lock(job) as mine:
            if not mine:
                # An operator's `rfc-app sweep` is doing this very work right now.
                log.info("%s at start-up: another process is running it; starting with the "
                         "cache as it is", job.name)
                return
            try:
                await job.run()
            except ForgeUnavailable as exc:
                log.warning("%s at start-up: forge unavailable (%s); starting with the cache "
                            "as it is", job.name, exc)
                health.status, health.failures = "unavailable", 1
                await self.leases.record_run(
                    job.name, holder=self.holder, started=started, finished=self.clock.now(),
                    outcome="unavailable", error=str(exc),
                    next_due=self._later(min(job.interval, self.config.retry_floor)))
                return
        await self.leases.record_run(job.name, holder=self.holder, started=started,
                                     finished=self.clock.now(), outcome="ok", error="",
                                     next_due=self._later(job.interval))

    async def _await_first_run(self, job: Job) -> None:
        """Standing by: wait (a little) for the leader's first ``job``, e.g. a cache fill."""
        for _ in range(int(self.config.lease_seconds / 0.2)):
            record = await self.leases.job(job.name)
            if record is not None and record.last_finished_at is not None:
                return
            if await self._wait(0.2):
                return
        log.warning("ticks: the leader has not finished its first %s yet; starting anyway",
                    job.name)
