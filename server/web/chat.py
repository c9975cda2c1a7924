"""Chat over HTTP: history pages, unread counts and discussion threads.

Sending, editing and read cursors travel over the socket (see realtime/server.py);
these routes serve what a page loads and what a reconnecting client missed.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app, request
from quart_schema import validate_request

from server.domain import chat
from server.domain.context import Domain
from server.web.params import int_arg
from server.web.schemas import ThreadIn
from server.web.session import current_user

blueprint = Blueprint("chat", __name__, url_prefix="/api")


def domain() -> Domain:
    return current_app.services.domain  # type: ignore[attr-defined,no-any-return]


@blueprint.get("/chat")
async def history() -> dict[str, Any]:
    room = request.args.get("room", "")
    page = await chat.history(domain(), await current_user(), room,
                              before_id=int_arg("before"), after_id=int_arg("after"),
                              limit=int_arg("limit") or 50)
    return {"room": room, "messages": [m.to_json() for m in page.messages],
            "has_more": page.has_more, "read_only": page.read_only,
            "last_seen_id": page.last_seen_id}


@blueprint.get("/rfcs/<slug>/unread")
async def unread_for_rfc(slug: str) -> dict[str, Any]:
    return {"rooms": await chat.unread_for_rfc(domain(), await current_user(), slug)}


@blueprint.get("/unread")
async def unread() -> dict[str, Any]:
    return {"rfcs": await chat.unread_by_rfc(domain(), await current_user())}


@blueprint.get("/rfcs/<slug>/threads")
async def threads(slug: str) -> dict[str, Any]:
    return {"threads": [t.to_json() for t in await chat.threads_of(domain(), slug)]}


@blueprint.post("/rfcs/<slug>/threads")
@validate_request(ThreadIn)
async def start_thread(slug: str, data: ThreadIn) -> tuple[dict[str, Any], int]:
    thread, message = await chat.start_thread(
        domain(), current_app.chat_limiter, await current_user(),  # type: ignore[attr-defined]
        slug, title=data.title, body=data.body)
    return {"thread": thread.to_json(), "message": message.to_json()}, 201


@blueprint.get("/threads/<int:thread_id>")
async def thread(thread_id: int) -> dict[str, Any]:
    return {"thread": (await chat.get_thread(domain(), thread_id)).to_json()}
