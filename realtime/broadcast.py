"""Sending committed live events to the rooms that show them."""

from __future__ import annotations

import logging

import socketio

from server.domain.live import LiveEvent

log = logging.getLogger(__name__)


class Broadcaster:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def publish(self, event: LiveEvent) -> None:
        # One emit to several rooms reaches each socket once, even if it is in all of them.
        await self.sio.emit(event.name, event.payload(), to=list(event.rooms))
        log.debug("live %s -> %s", event.name, ",".join(event.rooms))
