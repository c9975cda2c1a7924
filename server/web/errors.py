"""The one HTTP rendering of errors: {"error": {"code", "message"}}."""

from __future__ import annotations

import logging

from quart import Quart, jsonify
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from server.errors import AppError
from server.forge.port import ForgeError, ForgeUnavailable, StaleHead

log = logging.getLogger(__name__)


def _json(code: str, message: str, status: int, details: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _describe_validation(error: RequestSchemaValidationError) -> tuple[str, dict[str, object]]:
    validation = error.validation_error
    problems = getattr(validation, "errors", None)
    if callable(problems):
        first = problems()[0] if problems() else None
        if first:
            field = ".".join(str(p) for p in first.get("loc", ())) or "body"
            if first.get("type") == "extra_forbidden":
                return f"Unknown field “{field}”.", {"field": field}
            if first.get("type") == "missing":
                return f"The field “{field}” is required.", {"field": field}
            return f"The field “{field}”: {first.get('msg', 'is not valid')}.", {"field": field}
    return "The request body is not valid JSON of the expected shape.", {}


def install_error_handlers(app: Quart) -> None:
    @app.errorhandler(AppError)
    async def app_error(error: AppError):  # type: ignore[no-untyped-def]
        return _json(error.code, error.message, error.status, error.details)

    @app.errorhandler(RequestSchemaValidationError)
    async def invalid_body(error: RequestSchemaValidationError):  # type: ignore[no-untyped-def]
        message, details = _describe_validation(error)
        return _json("invalid_input", message, 422, details)

    @app.errorhandler(StaleHead)
    async def stale(error: StaleHead):  # type: ignore[no-untyped-def]
        return _json("conflict", "Someone else changed this in the meantime. Reload to see "
                     "their change, then try again.", 409)

    @app.errorhandler(ForgeUnavailable)
    async def forge_down(error: ForgeUnavailable):  # type: ignore[no-untyped-def]
        log.warning("forge unavailable: %s", error)
        return _json("forge_unavailable", "The git host is not answering. Try again shortly.",
                     503)

    @app.errorhandler(ForgeError)
    async def forge_error(error: ForgeError):  # type: ignore[no-untyped-def]
        log.exception("forge error", exc_info=error)
        return _json("forge_error", "The git host refused the change. Try again; if it "
                     "keeps failing, tell an admin.", 502)

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = (error.name or "error").lower().replace(" ", "_")
        return _json(code, error.description or error.name or "Request failed.",
                     error.code or 500)

    @app.errorhandler(Exception)
    async def unexpected(error: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error", exc_info=error)
        return _json("internal_error", "Something went wrong on our side. Try again.", 500)
