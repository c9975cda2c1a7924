"""Catalog fan-out: how fast a new proposal reaches N live Socket.IO clients.

The app (Quart + python-socketio behind uvicorn, SQLite, embedded git forge) runs in
*this* process on a temporary data folder, so its resident memory is read from
/proc/self/status. The N Socket.IO clients and the one HTTP client that posts the
proposals run in a child process (this same file, started with ``--worker``) so that
neither their memory nor their CPU is counted as the server's. Both processes time
with ``time.perf_counter`` (CLOCK_MONOTONIC on Linux, shared by every process on the
machine); all latencies are taken inside the child anyway.

Run:  .venv/bin/python bench/catalog_fanout.py [--clients N] [--proposals M] [--timeout S]

Exit status: 0 all events delivered; 1 the global timeout hit (partial numbers are
printed); 2 the run finished but clients failed to connect, a POST failed or events
were lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

THIS_SCRIPT = Path(__file__).resolve()
REPO_ROOT = THIS_SCRIPT.parent.parent
CONNECT_BATCH = 50          # clients connecting at the same time
SETTLE_SECONDS = 15.0       # how long to wait for stragglers after the last POST
BENCH_LOGIN = "bench"
PASSWORD_VARIABLE = "RFC_BENCH_PASSWORD"  # how the coordinator hands the password over


# --------------------------------------------------------------------------- helpers


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def vmrss_kib(pid: int | str = "self") -> int:
    """Resident set size in KiB from /proc/<pid>/status (0 when unavailable)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB" if kib else "-"


def emit(message: dict[str, Any]) -> None:
    """Worker → coordinator: one JSON object per line on stdout."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- worker


class Watcher:
    """One Socket.IO client in the catalog room, timing each proposal.opened by slug."""

    def __init__(self) -> None:
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[str, float] = {}
        self.duplicates = 0
        self.sio.on("proposal.opened", self._on_opened)

    async def _on_opened(self, data: dict[str, Any]) -> None:
        now = time.perf_counter()
        slug = str(data.get("proposal", {}).get("slug", ""))
        if slug in self.received:
            self.duplicates += 1
        else:
            self.received[slug] = now

    async def start(self, url: str) -> None:
        await self.sio.connect(url, transports=["websocket"], wait_timeout=15)
        ack = await self.sio.call("subscribe", {"room": "catalog"}, timeout=15)
        if not (isinstance(ack, dict) and ack.get("ok")):
            raise RuntimeError(f"subscribe refused: {ack!r}")


async def _connect_all(url: str, count: int) -> tuple[list[Watcher], list[str]]:
    connected: list[Watcher] = []
    errors: list[str] = []
    for first in range(0, count, CONNECT_BATCH):
        batch = [Watcher() for _ in range(first, min(count, first + CONNECT_BATCH))]
        results = await asyncio.gather(*(w.start(url) for w in batch), return_exceptions=True)
        for watcher, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                errors.append(f"{type(result).__name__}: {result}")
                with contextlib.suppress(Exception):
                    await watcher.sio.disconnect()
            else:
                connected.append(watcher)
    return connected, errors


async def _sign_in(url: str) -> Any:
    import httpx

    http = httpx.AsyncClient(base_url=url, timeout=30)
    me = (await http.get("/api/me")).json()
    response = await http.post("/auth/login",
                               json={"username": BENCH_LOGIN,
                                     "password": os.environ[PASSWORD_VARIABLE]},
                               headers={"X-CSRF-Token": me["csrf_token"]})
    response.raise_for_status()
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


async def _report_deliveries(watchers: list[Watcher], sent: dict[str, float],
                             stopped_early: bool) -> None:
    latencies: list[float] = []
    spreads: list[float] = []          # first to last client receipt of one proposal
    first_by_slug: dict[str, float] = {}
    last_by_slug: dict[str, float] = {}
    for watcher in watchers:
        for slug, at in watcher.received.items():
            if slug not in sent:
                continue
            latencies.append(at - sent[slug])
            first_by_slug[slug] = min(at, first_by_slug.get(slug, at))
            last_by_slug[slug] = max(at, last_by_slug.get(slug, at))
    spreads = [last_by_slug[s] - first_by_slug[s] for s in first_by_slug]
    emit({"type": "deliveries", "latencies": latencies, "spreads": spreads,
          "duplicates": sum(w.duplicates for w in watchers),
          "expected": len(watchers) * len(sent),
          "first_send": min(sent.values(), default=math.nan),
          "last_receipt": max(last_by_slug.values(), default=math.nan),
          "client_rss_kib": vmrss_kib(), "stopped_early": stopped_early})


async def worker(url: str, clients: int, proposals: int, budget: float) -> None:
    deadline = time.perf_counter() + budget
    started = time.perf_counter()
    watchers, errors = await _connect_all(url, clients)
    emit({"type": "connected", "ok": len(watchers), "failed": len(errors),
          "errors": errors[:5], "seconds": time.perf_counter() - started,
          "client_rss_kib": vmrss_kib()})
    # Wait for the coordinator to read the server's memory before anything is posted.
    await asyncio.to_thread(sys.stdin.readline)

    sent: dict[str, float] = {}
    stopped_early = False
    http = await _sign_in(url)
    run = os.getpid()
    try:
        for i in range(proposals):
            if time.perf_counter() > deadline:
                stopped_early = True
                break
            slug = f"bench-{run}-{i:04d}"
            body = {"title": f"Bench proposal {i}", "slug": slug,
                    "pitch": "Posted by bench/catalog_fanout.py."}
            sent_at = time.perf_counter()
            sent[slug] = sent_at
            response = await http.post("/api/proposals", json=body,
                                       timeout=max(1.0, deadline - sent_at))
            emit({"type": "post", "i": i, "status": response.status_code,
                  "latency": time.perf_counter() - sent_at})
            if response.status_code != 201:
                del sent[slug]
        # Let the last events arrive: stop when every client has every slug.
        settle_until = min(deadline, time.perf_counter() + SETTLE_SECONDS)
        while time.perf_counter() < settle_until:
            if all(len(w.received) >= len(sent) for w in watchers):
                break
            await asyncio.sleep(0.01)
    except BaseException:
        stopped_early = True
        raise
    finally:
        await _report_deliveries(watchers, sent, stopped_early)
        await http.aclose()
        await asyncio.gather(*(w.sio.disconnect() for w in watchers), return_exceptions=True)
        emit({"type": "done"})


# --------------------------------------------------------------------------- coordinator


@dataclass
class Run:
    clients: int
    proposals: int
    connected: int = 0
    connect_failed: int = 0
    connect_errors: list[str] = field(default_factory=list)
    connect_seconds: float = math.nan
    posts: list[float] = field(default_factory=list)
    post_failures: int = 0
    deliveries: dict[str, Any] = field(default_factory=dict)
    rss: dict[str, int] = field(default_factory=dict)
    client_rss_kib: int = 0
    sockets_in_room: int = 0
    timed_out: bool = False
    error: str = ""
    done: bool = False


def _catalog_room_size(app: Any) -> int:
    try:
        return len(app.sio.manager.rooms["/"]["catalog"])
    except (KeyError, AttributeError, TypeError):
        return 0


async def _drive_worker(app: Any, url: str, password: str, run: Run, deadline: float) -> None:
    # The worker stops itself a little before the deadline so that its partial numbers
    # reach us; at the deadline itself it is killed.
    remaining = deadline - time.perf_counter()
    budget = max(0.5, remaining - min(5.0, remaining / 4))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(THIS_SCRIPT), "--worker", url,
        "--clients", str(run.clients), "--proposals", str(run.proposals),
        "--timeout", f"{budget:.1f}",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env={**os.environ, PASSWORD_VARIABLE: password},
        limit=64 * 1024 * 1024)    # one line carries every delivery latency
    assert proc.stdin is not None and proc.stdout is not None
    try:
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError
            line = await asyncio.wait_for(proc.stdout.readline(), remaining)
            if not line:
                break
            message = json.loads(line)
            kind = message["type"]
            if kind == "connected":
                run.connected, run.connect_failed = message["ok"], message["failed"]
                run.connect_errors = message["errors"]
                run.connect_seconds = message["seconds"]
                run.client_rss_kib = message["client_rss_kib"]
                await asyncio.sleep(0.5)    # let the server finish its per-socket setup
                run.sockets_in_room = _catalog_room_size(app)
                run.rss["connected"] = vmrss_kib()
                proc.stdin.write(b"go\n")
                await proc.stdin.drain()
            elif kind == "post":
                run.posts.append(message["latency"])
                run.post_failures += message["status"] != 201
            elif kind == "deliveries":
                run.deliveries = message
                run.timed_out = run.timed_out or bool(message["stopped_early"])
                run.client_rss_kib = max(run.client_rss_kib, message["client_rss_kib"])
                run.rss["end"] = vmrss_kib()
            elif kind == "done":
                run.done = True
                break
        await asyncio.wait_for(proc.wait(), max(1.0, deadline - time.perf_counter()))
    except TimeoutError:
        run.timed_out = True
    except Exception as exc:  # report what was measured, then fail
        run.error = f"{type(exc).__name__}: {exc}"
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def coordinate(run: Run, deadline: float) -> None:
    """Serve the app in this process and drive one worker against it; fill ``run``."""
    sys.path.insert(0, str(REPO_ROOT))
    from server.app import create_app
    from tests.support import PASSWORD, add_account, make_settings, running_server

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="rfc-bench-") as tmp:
        app = create_app(make_settings(Path(tmp) / "data", LOG_LEVEL="WARNING"))
        async with running_server(app) as url:
            await add_account(app, BENCH_LOGIN)
            run.rss["before"] = vmrss_kib()
            await _drive_worker(app, url, PASSWORD, run, deadline)
            run.rss.setdefault("end", vmrss_kib())
            await asyncio.sleep(0.5)
            run.rss["disconnected"] = vmrss_kib()


async def coordinate_bounded(run: Run, limit_seconds: float) -> None:
    """``coordinate`` with a hard stop: start-up and shut-down count against the limit too."""
    deadline = time.perf_counter() + limit_seconds
    try:
        # The worker is stopped at ``deadline``; allow a little for the server to shut down.
        await asyncio.wait_for(coordinate(run, deadline), limit_seconds + 20)
    except TimeoutError:
        run.timed_out = True
    except Exception as exc:  # report what was measured, then fail
        run.error = f"{type(exc).__name__}: {exc}"


def report(run: Run) -> None:
    d = run.deliveries
    latencies: list[float] = d.get("latencies", [])
    spreads: list[float] = d.get("spreads", [])
    expected = int(d.get("expected", 0))
    delivered = len(latencies)
    window = d.get("last_receipt", math.nan) - d.get("first_send", math.nan)
    throughput = delivered / window if window and window > 0 else math.nan
    before, connected = run.rss.get("before", 0), run.rss.get("connected", 0)
    per_conn = (connected - before) / run.connected if run.connected and connected else math.nan

    rows: list[tuple[str, str]] = [
        ("clients (connected / asked)", f"{run.connected} / {run.clients}"
                                        + (f"  ({run.connect_failed} failed)"
                                           if run.connect_failed else "")),
        ("sockets in catalog room (server)", str(run.sockets_in_room)),
        ("connect + subscribe, all clients",
         "-" if math.isnan(run.connect_seconds) else f"{run.connect_seconds:.2f} s"),
        ("proposals (posted / asked)", f"{len(run.posts)} / {run.proposals}"
                                       + (f"  ({run.post_failures} not 201)"
                                          if run.post_failures else "")),
    ]
    for label, values in (("POST latency", run.posts),
                          ("delivery latency (POST sent → event)", latencies),
                          ("fan-out spread (first → last client)", spreads)):
        rows.append((f"{label} p50/p95/p99/max ms",
                     " / ".join(ms(percentile(values, p)) for p in (50, 95, 99, 100))))
    unknown = "unknown (the worker was stopped before it reported)"
    rows += [
        ("events expected / delivered", f"{expected} / {delivered}" if d else unknown),
        ("events lost", str(expected - delivered) if d else unknown),
        ("duplicate events", str(d.get("duplicates", 0)) if d else unknown),
        ("throughput (delivered / (last event − first POST))",
         "-" if math.isnan(throughput) else f"{throughput:,.0f} events/s"),
        ("server RSS before clients", mib(before)),
        ("server RSS with clients connected", mib(connected)),
        ("server RSS at end (clients still connected)", mib(run.rss.get("end", 0))),
        ("server RSS after clients disconnected", mib(run.rss.get("disconnected", 0))),
        ("server RSS per connection ((connected − before) / N)",
         "-" if math.isnan(per_conn) else f"{per_conn:.1f} KiB"),
        ("client process RSS (all N clients)", mib(run.client_rss_kib)),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"catalog fan-out — {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}, Python {sys.version.split()[0]}")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    if run.connect_errors:
        print("  first connect errors:", *run.connect_errors, sep="\n    ")
    if run.timed_out:
        print("  TIMED OUT: the numbers above are partial.")
    if run.error:
        print(f"  FAILED: {run.error}; the numbers above are partial.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=200, help="Socket.IO clients (200)")
    parser.add_argument("--proposals", type=int, default=20, help="proposals to POST (20)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="global time limit in seconds (120)")
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients < 1 or args.proposals < 1 or args.timeout <= 0:
        parser.error("--clients and --proposals must be ≥ 1, --timeout > 0")

    if args.worker:
        asyncio.run(worker(args.worker, args.clients, args.proposals, args.timeout))
        return 0

    run = Run(clients=args.clients, proposals=args.proposals)
    asyncio.run(coordinate_bounded(run, args.timeout))
    report(run)
    if run.timed_out or run.error or not run.done:
        return 1
    lost = int(run.deliveries.get("expected", 0)) - len(run.deliveries.get("latencies", []))
    if run.connect_failed or run.post_failures or lost:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
