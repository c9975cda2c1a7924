"""Serving the built browser client: its assets, and index.html for every screen."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, Response, current_app, send_from_directory
from werkzeug.exceptions import NotFound

STATIC_APP = Path(__file__).resolve().parents[2] / "static" / "app"

blueprint = Blueprint("spa", __name__)

_MISSING_BUILD = (
    "<!doctype html><title>RFC app</title><h1>The browser client is not built</h1>"
    "<p>Run <code>npm --prefix client ci &amp;&amp; npm --prefix client run build</code>, "
    "or start the app with the README's quick-start command.</p>")


@blueprint.get("/assets/<path:name>")
async def asset(name: str) -> Response:
    response = await send_from_directory(STATIC_APP / "assets", name)
    # Asset names carry a content hash, so they never change.
    response.cache_control.public = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    return response


@blueprint.get("/")
@blueprint.get("/<path:path>")
async def screen(path: str = "") -> Response:
    if path.startswith(("api/", "auth/", "socket.io")):
        raise NotFound()
    root: Path = current_app.config.get("STATIC_APP_DIR", STATIC_APP)
    if path and "/" not in path and (root / path).is_file():
        return await send_from_directory(root, path)
    index = root / "index.html"
    if not index.is_file():
        return Response(_MISSING_BUILD, status=503, content_type="text/html")
    response = await send_from_directory(root, "index.html")
    response.cache_control.no_cache = True
    return response
