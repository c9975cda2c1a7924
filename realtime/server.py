"""The Socket.IO server: who a socket is, which rooms it may join, and its events.

A socket is authenticated from the same signed session cookie as HTTP. A
missing cookie (or one without a user) makes an anonymous socket, allowed in
public rooms only; a forged, expired or revoked one is refused, never treated
as someone else. Every event is answered through one acknowledgement shape:
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

import socketio
from itsdangerous import BadSignature

from realtime.presence import Presence, tracks
from server.domain import chat
from server.domain.context import Domain
from server.domain.limits import ID_MAX, SlidingWindow
from server.domain.live import sessions_room
from server.domain.people import User
from server.domain.permissions import may_join_room
from server.errors import AppError, InvalidInput

log = logging.getLogger(__name__)

MAX_ROOM_NAME = 300
TYPING_EVERY_SECONDS = 1.0
SessionLoader = Callable[[str], Any]
UserLoader = Callable[[dict[str, Any]], Awaitable[User | None]]
Handler = Callable[[str, Any], Awaitable[dict[str, Any]]]


class SessionRejected(Exception):
    pass


def _refusal(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}


def acknowledged(handler: Handler) -> Handler:
    """Turn the app's errors into a refusal the client can show; never a silent drop."""
    async def run(sid: str, data: Any = None) -> dict[str, Any]:  # an event may carry none
        try:
            return await handler(sid, data)
        except AppError as error:
            return {"ok": False, **error.to_json()}
        except Exception:
            log.exception("socket event failed")
            return _refusal("internal_error", "Something went wrong on our side. Try again.")
    run.__name__ = handler.__name__
    return run


def _field(data: Any, name: str, kind: type) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get(name), kind) or (
            kind is int and isinstance(data.get(name), bool)):
        raise InvalidInput(f"Send `{name}` ({kind.__name__}).", details={"field": name})
    if kind is int and not 0 <= data[name] <= ID_MAX:
        raise InvalidInput(f"`{name}` is a whole number from 0 to {ID_MAX}.",
                           details={"field": name})
    return data[name]


def _room_of(data: Any) -> str:
    room = _field(data, "room", str)
    if not room or len(room) > MAX_ROOM_NAME:
        raise InvalidInput("Send {\"room\": \"<name>\"}.", details={"field": "room"})
    return str(room)


def create_socket_server(*, cookie_name: str, load_session: SessionLoader,
                         load_user: UserLoader, allowed_origins: list[str] | None,
                         domain: Callable[[], Domain], clock_limiter: SlidingWindow,
                         presence: Presence) -> socketio.AsyncServer:
    # None keeps python-socketio's same-origin check; a public APP_URL names the origin.
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins=allowed_origins,
                               max_http_buffer_size=64 * 1024)
    locks: dict[str, asyncio.Lock] = {}
    last_typing: dict[tuple[str, str], float] = {}

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

    async def current(sid: str) -> User | None:
        """The socket's person, reloaded so a suspension or new role applies at once."""
        session = await sio.get_session(sid)
        if session.get("uid") is None:
            return None
        return await load_user({"uid": session["uid"], "epoch": session["epoch"]})

    async def announce(room: str) -> None:
        await sio.emit("presence", {"room": room, "people": presence.snapshot(room)}, to=room)

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            user = await identify(environ)
        except SessionRejected as exc:
            # The client's connect_error handler gets {"message": ..., "data": {"code": ...}}.
            raise socketio.exceptions.ConnectionRefusedError(
                str(exc), {"code": "session_invalid"}) from None
        await sio.save_session(sid, {"uid": user.id if user else None,
                                     "epoch": user.session_epoch if user else 0})
        if user is not None:
            # Lets the server end all of a person's sockets when their rights change.
            await sio.enter_room(sid, sessions_room(user.id))

    @sio.event
    async def disconnect(sid: str, *args: Any) -> None:
        locks.pop(sid, None)
        for key in [k for k in last_typing if k[0] == sid]:
            del last_typing[key]
        for room in presence.forget(sid):
            await announce(room)

    @sio.on("subscribe")
    @acknowledged
    async def subscribe(sid: str, data: Any) -> dict[str, Any]:
        room = _room_of(data)
        user = await current(sid)
        if not may_join_room(user, room):
            return _refusal("forbidden", f"You may not join {room}.")
        await sio.enter_room(sid, room)
        if tracks(room) and user is not None and presence.join(
                room, sid, user.id, user.login, user.display_name):
            await announce(room)
        answer: dict[str, Any] = {"ok": True, "room": room}
        if tracks(room):
            answer["presence"] = presence.snapshot(room)
        return answer

    @sio.on("unsubscribe")
    @acknowledged
    async def unsubscribe(sid: str, data: Any) -> dict[str, Any]:
        room = _room_of(data)
        await sio.leave_room(sid, room)
        if presence.leave(room, sid):
            await announce(room)
        return {"ok": True, "room": room}

    @sio.on("presence.state")
    @acknowledged
    async def presence_state(sid: str, data: Any) -> dict[str, Any]:
        for room in presence.set_idle(sid, bool(_field(data, "idle", bool))):
            await announce(room)
        return {"ok": True}

    @sio.on("chat.send")
    @acknowledged
    async def chat_send(sid: str, data: Any) -> dict[str, Any]:
        room, body = _room_of(data), _field(data, "body", str)
        key = _field(data, "client_key", str) if data.get("client_key") is not None else None
        # One client's sends are stored in the order it sent them.
        async with locks.setdefault(sid, asyncio.Lock()):
            message = await chat.send_message(domain(), clock_limiter, await current(sid),
                                              room, body, client_key=key)
        return {"ok": True, "message": message.to_json()}

    @sio.on("chat.edit")
    @acknowledged
    async def chat_edit(sid: str, data: Any) -> dict[str, Any]:
        message = await chat.edit_message(domain(), clock_limiter, await current(sid),
                                          _field(data, "id", int), _field(data, "body", str))
        return {"ok": True, "message": message.to_json()}

    @sio.on("chat.delete")
    @acknowledged
    async def chat_delete(sid: str, data: Any) -> dict[str, Any]:
        message = await chat.delete_message(domain(), await current(sid),
                                            _field(data, "id", int))
        return {"ok": True, "message": message.to_json()}

    @sio.on("chat.seen")
    @acknowledged
    async def chat_seen(sid: str, data: Any) -> dict[str, Any]:
        cursor = await chat.mark_seen(domain(), await current(sid), _room_of(data),
                                      _field(data, "last_id", int))
        return {"ok": True, "last_seen_id": cursor}

    @sio.on("chat.typing")
    @acknowledged
    async def chat_typing(sid: str, data: Any) -> dict[str, Any]:
        room = _room_of(data)
        user = await current(sid)
        if user is None or user.suspended:
            return _refusal("not_signed_in", "Sign in to chat.")
        if room not in sio.rooms(sid):
            return _refusal("forbidden", "Join the room first.")
        now = time.monotonic()
        if now - last_typing.get((sid, room), 0.0) >= TYPING_EVERY_SECONDS:
            # Only here (about once a second) is the room looked up, not per keystroke.
            if not await chat.accepts_messages(domain(), room):
                return _refusal("chat_closed", "This chat is read-only.")
            last_typing[(sid, room)] = now
            await sio.emit("chat.typing", {"room": room, "login": user.login,
                                           "display_name": user.display_name},
                           to=room, skip_sid=sid)
        return {"ok": True}

    return sio
