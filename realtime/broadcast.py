"""Sending committed live events to the rooms that show them.

Events go through one queue drained by one task, so a request that caused an
event does not wait for it to reach every socket, and events reach each socket
in the order they were committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import socketio

from server.domain.live import LiveEvent, SessionsRevoked

log = logging.getLogger(__name__)


class Broadcaster:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def publish(self, event: LiveEvent) -> None:
        if self._worker is None:
            # Not started (a command-line run): send directly.
            await self._send(event)
            return
        self._queue.put_nowait(event)

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._drain(), name="live-broadcast")

    async def stop(self) -> None:
        """Send what is queued, then stop."""
        if self._worker is None:
            return
        self._queue.put_nowait(None)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self._worker, timeout=5)
        self._worker = None

    async def _drain(self) -> None:
        while (event := await self._queue.get()) is not None:
            try:
                await self._send(event)
            except Exception:
                log.exception("could not send live event %s", event.name)

    async def _send(self, event: LiveEvent) -> None:
        # One emit to several rooms reaches each socket once, even if it is in all of them.
        await self.sio.emit(event.name, event.payload(), to=list(event.rooms))
        if isinstance(event, SessionsRevoked):
            await self._disconnect_room(event.rooms[0])

    async def _disconnect_room(self, room: str) -> None:
        """End every socket in ``room``; clients reconnect with their current rights."""
        sids = [sid for sid, _ in self.sio.manager.get_participants("/", room)]
        for sid in sids:
            await self.sio.disconnect(sid)
        if sids:
            log.info("ended %d live connection(s) in %s", len(sids), room)
