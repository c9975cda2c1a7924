"""Signing in and out with an account of the embedded forge (Gitea: ``oauth.py``)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app
from quart_schema import validate_request

from server.domain.accounts import sign_in
from server.errors import AppError
from server.web.schemas import LoginIn
from server.web.session import end_session, start_session

blueprint = Blueprint("auth", __name__, url_prefix="/auth")


@blueprint.post("/login")
@validate_request(LoginIn)
async def login(data: LoginIn) -> dict[str, Any]:
    if current_app.settings.FORGE == "gitea":  # type: ignore[attr-defined]
        # People sign in with their Gitea accounts (server/web/oauth.py); a full load of
        # /signin goes there.
        raise AppError("This site signs in with Gitea. Reload this page to continue to "
                       "Gitea's sign-in.", code="sign_in_with_gitea", status=409)
    user = await sign_in(current_app.services.domain,  # type: ignore[attr-defined]
                         username=data.username, password=data.password)
    token = start_session(user)
    return {"user": user.to_json(), "csrf_token": token}


@blueprint.post("/logout")
async def logout() -> dict[str, Any]:
    return {"ok": True, "csrf_token": end_session()}
