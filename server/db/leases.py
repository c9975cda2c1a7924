"""The tick lease and each job's last run.

A lease row says which process runs the periodic jobs until when. It is taken
and renewed with one upsert inside ``BEGIN IMMEDIATE``: the row changes hands
only when it expired, and ``epoch`` grows each time it does. Times are written
with milliseconds in one fixed format, so comparing the text compares the times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from server.db.engine import Database


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires_at: datetime
    epoch: int


@dataclass(frozen=True)
class JobRecord:
    name: str
    next_due_at: datetime
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_outcome: str | None
    last_error: str
    last_holder: str


class Leases:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, name: str, holder: str, now: datetime, seconds: float) -> int | None:
        """Take or renew the lease for ``holder``; its epoch, or None if another holds it."""
        async with self.db.write() as tx:
            row = await tx.one(
                "INSERT INTO tick_leases (name, holder, expires_at, epoch)"
                " VALUES (:name, :holder, :expires, 1)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
                " expires_at = excluded.expires_at,"
                " epoch = tick_leases.epoch + (tick_leases.holder != excluded.holder)"
                " WHERE tick_leases.holder = excluded.holder OR tick_leases.expires_at <= :now"
                " RETURNING epoch",
                {"name": name, "holder": holder, "now": stamp(now),
                 "expires": stamp(now + timedelta(seconds=seconds))})
        return int(row["epoch"]) if row else None

    async def release(self, name: str, holder: str, now: datetime) -> None:
        """Let the lease go at once, so another process need not wait for it to expire."""
        async with self.db.write() as tx:
            await tx.execute("UPDATE tick_leases SET expires_at = :now"
                             " WHERE name = :name AND holder = :holder",
                             {"name": name, "holder": holder, "now": stamp(now)})

    async def drop(self, name: str, holder: str) -> None:
        """Remove a lease this holder has (a run lock: nothing to hand over, no epoch kept)."""
        async with self.db.write() as tx:
            await tx.execute("DELETE FROM tick_leases WHERE name = :name AND holder = :holder",
                             {"name": name, "holder": holder})

    async def current(self, name: str) -> Lease | None:
        async with self.db.read() as tx:
            row = await tx.one("SELECT * FROM tick_leases WHERE name = :name", {"name": name})
        if row is None:
            return None
        return Lease(row["name"], row["holder"], _parse(row["expires_at"]), int(row["epoch"]))

    async def job(self, name: str) -> JobRecord | None:
        async with self.db.read() as tx:
            row = await tx.one("SELECT * FROM tick_jobs WHERE name = :name", {"name": name})
        if row is None:
            return None

        def when(value: str | None) -> datetime | None:
            return _parse(value) if value else None

        return JobRecord(name=row["name"], next_due_at=_parse(row["next_due_at"]),
                         last_started_at=when(row["last_started_at"]),
                         last_finished_at=when(row["last_finished_at"]),
                         last_outcome=row["last_outcome"], last_error=row["last_error"],
                         last_holder=row["last_holder"])

    async def first_due(self, name: str, due: datetime) -> datetime:
        """The job's next due time, set to ``due`` if it has none yet."""
        async with self.db.write() as tx:
            await tx.execute("INSERT INTO tick_jobs (name, next_due_at) VALUES (:name, :due)"
                             " ON CONFLICT (name) DO NOTHING", {"name": name, "due": stamp(due)})
            value = await tx.scalar("SELECT next_due_at FROM tick_jobs WHERE name = :name",
                                    {"name": name})
        return _parse(str(value))

    async def record_run(self, name: str, *, holder: str, started: datetime,
                         finished: datetime, outcome: str, error: str,
                         next_due: datetime) -> None:
        async with self.db.write() as tx:
            await tx.execute(
                "INSERT INTO tick_jobs (name, last_started_at, last_finished_at, last_outcome,"
                " last_error, last_holder, next_due_at) VALUES (:name, :started, :finished,"
                " :outcome, :error, :holder, :due) ON CONFLICT (name) DO UPDATE SET"
                " last_started_at = excluded.last_started_at,"
                " last_finished_at = excluded.last_finished_at,"
                " last_outcome = excluded.last_outcome, last_error = excluded.last_error,"
                " last_holder = excluded.last_holder, next_due_at = excluded.next_due_at",
                {"name": name, "started": stamp(started), "finished": stamp(finished),
                 "outcome": outcome, "error": error[:1000], "holder": holder,
                 "due": stamp(next_due)})
