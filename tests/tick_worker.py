"""A process that runs one tick loop on a shared database, for the two-process test.

    python -m tests.tick_worker DATABASE OUTPUT_DIR HOLDER

Its one job takes a lock file, notes the run in OUTPUT_DIR/runs, and lets the
lock go. A lock left by a process that is gone is stale; a lock held by a live
process means two processes ran the job at once, noted as an overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from server.clock import SystemClock
from server.db.engine import Database
from server.db.leases import Leases
from server.db.migrate import migrate
from server.ticks.scheduler import Job, TickConfig, TickLoop


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _note(out: Path, line: str) -> None:
    with (out / "runs").open("a") as handle:
        handle.write(line + "\n")


async def main(database: Path, out: Path, holder: str) -> None:
    db = Database.open_sqlite(database)
    await migrate(db)
    lock = out / "running.lock"

    async def work() -> None:
        while True:
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                break
            except FileExistsError:
                with contextlib.suppress(OSError, ValueError):
                    other = int(lock.read_text() or "0")
                    if other and not _alive(other):
                        lock.unlink()  # left by a process that was killed mid-run
                        continue
                _note(out, f"overlap {holder}")
                return
        try:
            os.write(fd, str(os.getpid()).encode())
            _note(out, f"run {holder}")
            await asyncio.sleep(0.05)
        finally:
            os.close(fd)
            lock.unlink()

    loop = TickLoop([Job("work", 0.1, work)], leases=Leases(db), clock=SystemClock(),
                    config=TickConfig(lease_seconds=1.5, renew_seconds=0.25, jitter=0,
                                      start_with=None), holder=holder)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await loop.start()
    await stop.wait()
    await loop.stop()
    await db.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
