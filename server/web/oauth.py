"""Signing in with Gitea: OAuth2's authorization-code flow with state and PKCE (Authlib).

``GET /signin`` (a full page load) and ``GET /auth/gitea`` send the browser to Gitea's
authorize page; Gitea sends it back to ``APP_URL/auth/callback``. Each started sign-in
keeps its own entry (state → PKCE verifier, where to go next) in the session, so two
tabs can sign in at once; the callback takes its entry out, so a state works once. An
unknown, replayed or failed return shows a page that says so, with a way to start again.

The session cookie is ``SameSite=Lax``: browsers send it on the top-level GET that
brings the person back from Gitea, which is all the callback needs.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
import warnings
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from quart import Blueprint, Response, current_app, redirect, request, session
from quart.typing import ResponseReturnValue

from server.domain.forge_accounts import sign_in_from_forge
from server.errors import AppError
from server.web.session import start_session

with warnings.catch_warnings():
    # Authlib prefers the httpx2 package and warns when it falls back to httpx.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

log = logging.getLogger(__name__)

blueprint = Blueprint("oauth", __name__)

# Gitea keeps the scope string of a person's first consent and refuses a later request
# with a different string (even the same scopes reordered), so this never changes.
SCOPE = "openid profile email"
FLOWS_KEY = "oauth_flows"
FLOW_LIFETIME = 15 * 60   # seconds a started sign-in may take
MAX_FLOWS = 5             # started sign-ins kept per browser (tabs)
DEFAULT_NEXT = "/catalog"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the catalog."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if any(c in target for c in "\\\r\n\t") or any(ord(c) < 32 for c in target):
        return DEFAULT_NEXT
    return target


def _settings() -> Any:
    return current_app.settings  # type: ignore[attr-defined]


def _redirect_uri() -> str:
    return f"{_settings().public_url}/auth/callback"


def _gitea(path: str) -> str:
    return f"{_settings().GITEA_URL.rstrip('/')}{path}"


def _client() -> AsyncOAuth2Client:
    settings = _settings()
    return AsyncOAuth2Client(client_id=settings.OAUTH_CLIENT_ID,
                             client_secret=settings.OAUTH_CLIENT_SECRET, scope=SCOPE,
                             redirect_uri=_redirect_uri(), code_challenge_method="S256",
                             timeout=15.0)


def _pending() -> dict[str, dict[str, Any]]:
    """Started sign-ins of this browser that have not expired."""
    now = time.time()
    flows = session.get(FLOWS_KEY) or {}
    return {state: flow for state, flow in flows.items()
            if isinstance(flow, dict) and now - float(flow.get("at", 0)) < FLOW_LIFETIME}


def _failed(message: str, next_path: str = DEFAULT_NEXT, status: int = 400) -> Response:
    """Back to signing in, saying what went wrong (never a 500)."""
    again = html.escape("/auth/gitea?" + urlencode({"next": next_path}), quote=True)
    page = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>Sign in · RFC app</title></head><body style=\"font-family: system-ui, "
        "sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5\">"
        "<main><h1>Sign in</h1>"
        f"<p role=\"alert\">{html.escape(message)}</p>"
        f"<p><a href=\"{again}\">Sign in with Gitea</a> · <a href=\"/\">Home</a></p>"
        "</main></body></html>")
    return Response(page, status=status, content_type="text/html; charset=utf-8")


@blueprint.get("/signin")
async def signin_page() -> ResponseReturnValue:
    """A full page load of the sign-in screen goes straight to Gitea."""
    return redirect("/auth/gitea?" + urlencode({"next": safe_next(request.args.get("next"))}))


@blueprint.get("/auth/gitea")
async def start() -> ResponseReturnValue:
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
    flows = _pending()
    flows[state] = {"verifier": verifier, "next": safe_next(request.args.get("next")),
                    "at": time.time()}
    newest = sorted(flows.items(), key=lambda item: item[1]["at"])[-MAX_FLOWS:]
    session[FLOWS_KEY] = dict(newest)
    async with _client() as client:
        url, _ = client.create_authorization_url(_gitea("/login/oauth/authorize"),
                                                 state=state, code_verifier=verifier)
    response = redirect(url)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/auth/callback")
async def callback() -> ResponseReturnValue:
    flows = _pending()
    state = request.args.get("state", "")
    flow = flows.pop(state, None) if state else None
    session[FLOWS_KEY] = flows
    if flow is None:
        return _failed("That sign-in link has expired or was already used. "
                       "Start signing in again.")
    next_path = safe_next(flow.get("next"))
    if request.args.get("error"):
        reason = request.args.get("error_description") or request.args.get("error", "")
        return _failed(f"Gitea did not sign you in ({reason}).", next_path)
    code = request.args.get("code", "")
    if not code:
        return _failed("Gitea sent no authorization code back. Start signing in again.",
                       next_path)
    try:
        async with _client() as client:
            await client.fetch_token(_gitea("/login/oauth/access_token"), code=code,
                                     code_verifier=flow["verifier"],
                                     grant_type="authorization_code")
            answer = await client.get(_gitea("/login/oauth/userinfo"))
            answer.raise_for_status()
            info = answer.json()
    except (OAuthError, httpx.HTTPError, ValueError) as exc:
        log.warning("sign-in: Gitea did not confirm the sign-in: %s", exc)
        return _failed("Gitea did not confirm the sign-in. Start signing in again.",
                       next_path, status=502)
    login = str(info.get("preferred_username") or info.get("login") or "")
    try:
        user = await sign_in_from_forge(
            current_app.services.domain,  # type: ignore[attr-defined]
            login=login, display_name=str(info.get("name") or login),
            email=str(info.get("email") or ""))
    except AppError as exc:
        return _failed(exc.message, next_path, status=exc.status)
    start_session(user)
    # Sign-ins other tabs started are still waiting for their own return.
    if flows:
        session[FLOWS_KEY] = flows
    log.info("sign-in: %s signed in with Gitea", user.login)
    return redirect(next_path)
