"""The Socket.IO server: who a socket is, and which rooms it may join.

A socket is authenticated from the same signed session cookie as HTTP. A
missing cookie (or one without a user) makes an anonymous socket, allowed in
public rooms only; a forged, expired or revoked one is refused, never treated
as someone else.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

import socketio
from itsdangerous import BadSignature

from server.domain.live import sessions_room
from server.domain.people import User
from server.domain.permissions import may_join_room

log = logging.getLogger(__name__)

MAX_ROOM_NAME = 300
SessionLoader = Callable[[str], Any]
UserLoader = Callable[[dict[str, Any]], Awaitable[User | None]]


class SessionRejected(Exception):
    pass


def create_socket_server(*, cookie_name: str, load_session: SessionLoader,
                         load_user: UserLoader, allowed_origins: list[str] | None
                         ) -> socketio.AsyncServer:
    # None keeps python-socketio's same-origin check; a public APP_URL names the origin.
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=allowed_origins,
                               max_http_buffer_size=64 * 1024)

    async def identify(environ: dict[str, Any]) -> User | None:
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        morsel = cookies.get(cookie_name)
        if morsel is None:
            return None
        try:
            data = load_session(morsel.value)
        except BadSignature:
            raise SessionRejected("Your session is not valid any more; sign in again.") from None
        if not data.get("uid"):
            return None
        user = await load_user(data)
        if user is None:
            raise SessionRejected("Your session has ended; sign in again.")
        return user

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            user = await identify(environ)
        except SessionRejected as exc:
            # The client's connect_error handler gets {"message": ..., "data": {"code": ...}}.
            raise socketio.exceptions.ConnectionRefusedError(
                str(exc), {"code": "session_invalid"}) from None
        await sio.save_session(sid, {"user": user})
        if user is not None:
            # Lets the server end all of a person's sockets when their rights change.
            await sio.enter_room(sid, sessions_room(user.id))

    @sio.event
    async def subscribe(sid: str, data: Any) -> dict[str, Any]:
        room = _room_of(data)
        if room is None:
            return _refusal("bad_request", "Send {\"room\": \"<name>\"}.")
        session = await sio.get_session(sid)
        if not may_join_room(session.get("user"), room):
            return _refusal("forbidden", f"You may not join {room}.")
        await sio.enter_room(sid, room)
        return {"ok": True, "room": room}

    @sio.event
    async def unsubscribe(sid: str, data: Any) -> dict[str, Any]:
        room = _room_of(data)
        if room is None:
            return _refusal("bad_request", "Send {\"room\": \"<name>\"}.")
        await sio.leave_room(sid, room)
        return {"ok": True, "room": room}

    return sio


def _room_of(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    room = data.get("room")
    if not isinstance(room, str) or not room or len(room) > MAX_ROOM_NAME:
        return None
    return room


def _refusal(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}
