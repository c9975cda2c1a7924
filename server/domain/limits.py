"""Limits on what people send: per-person rates (in this process's memory), id sizes."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from server.clock import Clock
from server.errors import TooMany

# The largest id the database holds (SQLite's 64-bit integers); a larger number sent
# anywhere is refused before it reaches a query.
ID_MAX = 2**63 - 1


class SlidingWindow:
    """At most ``limit`` acts per ``window`` for each key."""

    def __init__(self, clock: Clock, *, limit: int, window: timedelta, what: str) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.what = what
        self._acts: dict[object, deque[float]] = {}

    def check(self, key: object) -> None:
        """Count one act for ``key``, or raise ``TooMany`` without counting it."""
        now = self.clock.now().timestamp()
        acts = self._acts.setdefault(key, deque())
        while acts and acts[0] <= now - self.window.total_seconds():
            acts.popleft()
        if len(acts) >= self.limit:
            wait = int(acts[0] + self.window.total_seconds() - now) + 1
            raise TooMany(f"You are sending {self.what} too fast. Wait {wait} s and try again.",
                          details={"retry_after": wait})
        acts.append(now)
