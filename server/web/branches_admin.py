"""Pinning and unpinning a branch (owner and admins): hygiene leaves a pinned branch alone.

The branch in the URL is the part a person named (``tidy-up`` for
``rfc/<slug>/tidy-up``) or a metadata branch's full name.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app

from server.domain.hygiene import set_pinned
from server.services import Services
from server.web.session import current_user

blueprint = Blueprint("branches_admin", __name__, url_prefix="/api")


def services() -> Services:
    return current_app.services  # type: ignore[attr-defined,no-any-return]


@blueprint.post("/rfcs/<slug>/branches/<path:branch>/pin")
async def pin(slug: str, branch: str) -> dict[str, Any]:
    view = await set_pinned(services().domain, await current_user(), slug, branch, pinned=True)
    return {"branch": view.to_json()}


@blueprint.post("/rfcs/<slug>/branches/<path:branch>/unpin")
async def unpin(slug: str, branch: str) -> dict[str, Any]:
    view = await set_pinned(services().domain, await current_user(), slug, branch,
                            pinned=False)
    return {"branch": view.to_json()}
