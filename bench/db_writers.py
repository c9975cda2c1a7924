"""Concurrent SQLite writers through the app's own database layer.

K asyncio tasks each run W write transactions on one ``Database.open_sqlite`` handle
(migrated with ``server.db.migrate.migrate``) in a temporary folder. Every transaction
reads first and then writes — it reads the ``seq`` of the newest bench row in ``audit_log``
and inserts ``seq + 1`` — which is exactly the pattern that fails with "database is locked" when a
transaction starts deferred (``BEGIN``) and another connection commits between its read
and its write. ``Database.write`` starts with ``BEGIN IMMEDIATE``, so the expected count
of locked errors is 0 and the sequence must come out as 1..K*W with no duplicates.

``--begin deferred`` runs the same transactions with a plain ``BEGIN`` (bypassing
``Database.write``) as a control, to show what ``BEGIN IMMEDIATE`` prevents.

Run:  .venv/bin/python bench/db_writers.py [--tasks K] [--writes W] [--timeout S]

Exit status: 0 every transaction committed with no locked error and no duplicate;
1 the global timeout hit (partial numbers are printed); 2 errors or duplicates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from server.db.engine import Database, Tx  # noqa: E402
from server.db.migrate import migrate  # noqa: E402

# The newest row holds the highest seq when writers are serialized; reading it by rowid
# keeps the read's cost flat as the table grows.
READ_SEQ = ("SELECT COALESCE((SELECT CAST(json_extract(details, '$.seq') AS INTEGER)"
            " FROM audit_log WHERE kind = 'bench' ORDER BY id DESC LIMIT 1), 0)")
INSERT = ("INSERT INTO audit_log (at, actor_user_id, kind, target, details)"
          " VALUES (:at, NULL, 'bench', :target, :details)")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.2f}"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    locked: int = 0
    other_errors: Counter[str] = field(default_factory=Counter)
    started: float = math.nan
    finished: float = math.nan
    timed_out: bool = False


@asynccontextmanager
async def deferred_write(db: Database) -> AsyncIterator[Tx]:
    """The control: a write transaction that starts with a plain (deferred) BEGIN."""
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(rfc_begin="BEGIN")
        async with conn.begin():
            yield Tx(conn)


async def writer(db: Database, task: int, writes: int, deferred: bool, tally: Tally) -> None:
    for n in range(writes):
        begun = time.perf_counter()
        transaction: AbstractAsyncContextManager[Tx] = (
            deferred_write(db) if deferred else db.write())
        try:
            async with transaction as tx:
                seq = int(await tx.scalar(READ_SEQ)) + 1
                await tx.execute(INSERT, {
                    "at": f"{time.time():.6f}", "target": f"task:{task}",
                    "details": json.dumps({"seq": seq, "task": task, "n": n})})
        except Exception as exc:
            if "database is locked" in str(exc):
                tally.locked += 1
            else:
                tally.other_errors[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
            continue
        tally.latencies.append(time.perf_counter() - begun)


async def check_sequence(db: Database) -> tuple[int, int, int]:
    """(rows, distinct seq values, max seq) among the rows this run wrote."""
    async with db.read() as tx:
        row = await tx.one(
            "SELECT COUNT(*) AS n,"
            " COUNT(DISTINCT json_extract(details, '$.seq')) AS distinct_seq,"
            " COALESCE(MAX(CAST(json_extract(details, '$.seq') AS INTEGER)), 0) AS top"
            " FROM audit_log WHERE kind = 'bench'")
    assert row is not None
    return int(row["n"]), int(row["distinct_seq"]), int(row["top"])


async def run(tasks: int, writes: int, deferred: bool, limit_seconds: float,
              tally: Tally) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory(prefix="rfc-bench-db-") as tmp:
        db = Database.open_sqlite(Path(tmp) / "bench.db")
        try:
            await migrate(db)
            tally.started = time.perf_counter()
            try:
                await asyncio.wait_for(
                    asyncio.gather(*(writer(db, t, writes, deferred, tally)
                                     for t in range(tasks))),
                    limit_seconds)
            except TimeoutError:
                tally.timed_out = True
            tally.finished = time.perf_counter()
            return await check_sequence(db)
        finally:
            await db.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", type=int, default=8, help="concurrent writer tasks K (8)")
    parser.add_argument("--writes", type=int, default=250,
                        help="write transactions per task W (250)")
    parser.add_argument("--begin", choices=("immediate", "deferred"), default="immediate",
                        help="immediate: Database.write (the app's path, default); "
                             "deferred: plain BEGIN, as a control")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="global time limit in seconds (120)")
    args = parser.parse_args(argv)
    if args.tasks < 1 or args.writes < 1 or args.timeout <= 0:
        parser.error("--tasks and --writes must be ≥ 1, --timeout > 0")

    tally = Tally()
    rows, distinct, top = asyncio.run(run(args.tasks, args.writes, args.begin == "deferred",
                                          args.timeout, tally))
    elapsed = tally.finished - tally.started
    committed = len(tally.latencies)
    other = sum(tally.other_errors.values())
    duplicates = rows - distinct
    lines: list[tuple[str, str]] = [
        ("tasks × writes", f"{args.tasks} × {args.writes} = {args.tasks * args.writes}"),
        ("transaction start", "BEGIN IMMEDIATE (Database.write)" if args.begin == "immediate"
                              else "BEGIN (deferred, control)"),
        ("committed", str(committed)),
        ("elapsed", f"{elapsed:.2f} s"),
        ("transactions/second", f"{committed / elapsed:,.0f}" if elapsed > 0 else "-"),
        ("latency p50/p95/p99/max ms",
         " / ".join(ms(percentile(tally.latencies, p)) for p in (50, 95, 99, 100))),
        ('"database is locked" errors', str(tally.locked)),
        ("other errors", str(other)),
        ("rows / distinct seq / max seq", f"{rows} / {distinct} / {top}"),
        ("duplicate seq (lost read-then-write)", str(duplicates)),
    ]
    width = max(len(label) for label, _ in lines)
    print(f"db writers — {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}")
    for label, value in lines:
        print(f"  {label:<{width}}  {value}")
    for message, count in tally.other_errors.most_common(5):
        print(f"    {count} × {message}")
    if tally.timed_out:
        print("  TIMED OUT: the numbers above are partial.")
        return 1
    return 2 if tally.locked or other or duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
