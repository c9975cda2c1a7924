"""What a request carries, checked before any handler reads it.

Numbers in URLs and query strings are kept to what the database can hold: past
SQLite's 64-bit integers the driver raised OverflowError (a 500); now a path does
not match (404) and a query argument is refused (422). A body must be UTF-8 JSON
of sane depth, or it is refused with 400 instead of failing deep in a handler.
"""

from __future__ import annotations

import json
import re

from quart import Quart, current_app, request
from werkzeug.routing import IntegerConverter

from server.domain.limits import ID_MAX
from server.errors import AppError, InvalidInput

_DIGITS = re.compile(r"[0-9]{1,19}")


class BoundedInt(IntegerConverter):
    """`<int:…>` in every route: at most ``ID_MAX``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def install_converters(app: Quart) -> None:
    app.url_map.converters["int"] = BoundedInt


def int_arg(name: str) -> int | None:
    """The query argument ``name`` as a whole number, or None when absent or empty."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not _DIGITS.fullmatch(raw) or int(raw) > ID_MAX:
        raise InvalidInput(f"`{name}` must be a whole number from 0 to {ID_MAX}.",
                           details={"field": name})
    return int(raw)


async def check_json_body() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "csrf_exempt", False):
        return  # signed webhooks judge their exact bytes themselves
    raw: bytes = await request.get_data(as_text=False)  # type: ignore[assignment]
    if not raw:
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AppError("The request body is not UTF-8 text.", code="bad_encoding",
                       status=400) from None
    try:
        json.loads(text)
    except RecursionError:
        raise AppError("The request body nests too deeply.", code="bad_json",
                       status=400) from None
    except ValueError:
        raise AppError("The request body is not valid JSON.", code="bad_json",
                       status=400) from None

