"""Who is asking, and the CSRF token that proves the request came from our page."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from quart import current_app, g, request, session

from server.domain.accounts import note_seen
from server.domain.context import Domain
from server.domain.people import User
from server.errors import AppError

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
        session.permanent = True
    return str(token)


def check_csrf() -> None:
    """Refuse a state-changing request whose token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    endpoint = request.endpoint or ""
    view = current_app.view_functions.get(endpoint)
    if view is not None and getattr(view, "csrf_exempt", False):
        return
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER, "")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise AppError("This request lacks a valid CSRF token. Reload the page and try again.",
                       code="csrf_failed", status=403)


def csrf_exempt(view: Any) -> Any:
    """For endpoints authenticated otherwise (signed webhooks)."""
    view.csrf_exempt = True
    return view


async def user_for_session(domain: Domain, data: dict[str, Any]) -> User | None:
    """The signed-in user of a session (noted as seen), or None if it was revoked or
    never had one. Requests and sockets both ask here."""
    uid = data.get("uid")
    if not uid:
        return None
    async with domain.store.read() as uow:
        user = await uow.users.get(int(uid))
    if user is None or user.suspended or user.session_epoch != data.get("epoch", 0):
        return None
    await note_seen(domain, user)
    return user


async def current_user() -> User | None:
    if "user" not in g:
        g.user = await user_for_session(current_app.services.domain,  # type: ignore[attr-defined]
                                        dict(session))
    user: User | None = g.user
    return user


def start_session(user: User) -> str:
    """Sign in: a fresh session (new CSRF token) so a planted one cannot be reused."""
    session.clear()
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    session.permanent = True
    g.user = user
    return csrf_token()


def end_session() -> str:
    session.clear()
    g.user = None
    return csrf_token()


async def session_notice() -> str | None:
    """Why a session that was signed in no longer is (shown once, then forgotten)."""
    uid = session.get("uid")
    if not uid or await current_user() is not None:
        return None
    store = current_app.services.domain.store  # type: ignore[attr-defined]
    async with store.read() as uow:
        user = await uow.users.get(int(uid))
    session.pop("uid", None)
    session.pop("epoch", None)
    if user is not None and user.suspended:
        return "Your account is suspended. Ask an admin to restore it."
    return "Your session ended because your permissions changed. Sign in again."
