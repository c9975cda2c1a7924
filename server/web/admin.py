"""The admin home base's API: users, roles, suspensions, maintainers, audit trail."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app, request
from quart_schema import validate_request

from server.domain import admin
from server.domain.context import Domain
from server.domain.permissions import require_staff
from server.errors import InvalidInput
from server.web.params import int_arg
from server.web.schemas import EmailSuppressionIn, MaintainerIn, ReasonIn, RoleIn
from server.web.session import current_user

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")


def domain() -> Domain:
    return current_app.services.domain  # type: ignore[attr-defined,no-any-return]


def _text_arg(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > 200:
        raise InvalidInput(f"`{name}` is too long.", details={"field": name})
    return value or None


@blueprint.get("/users")
async def users() -> dict[str, Any]:
    found = await admin.list_users(domain(), await current_user(),
                                   query=request.args.get("q", ""), page=int_arg("page") or 1)
    return {"users": [u.to_json() for u in found]}


@blueprint.post("/users/<int:user_id>/role")
@validate_request(RoleIn)
async def change_role(user_id: int, data: RoleIn) -> dict[str, Any]:
    view = await admin.change_role(domain(), await current_user(), user_id, role=data.role,
                                   reason=data.reason)
    return {"user": view.to_json()}


@blueprint.post("/users/<int:user_id>/suspend")
@validate_request(ReasonIn)
async def suspend(user_id: int, data: ReasonIn) -> dict[str, Any]:
    view = await admin.suspend_user(domain(), await current_user(), user_id,
                                    reason=data.reason)
    return {"user": view.to_json()}


@blueprint.post("/users/<int:user_id>/restore")
@validate_request(ReasonIn)
async def restore(user_id: int, data: ReasonIn) -> dict[str, Any]:
    view = await admin.restore_user(domain(), await current_user(), user_id,
                                    reason=data.reason)
    return {"user": view.to_json()}


@blueprint.post("/users/<int:user_id>/email")
@validate_request(EmailSuppressionIn)
async def email_suppression(user_id: int, data: EmailSuppressionIn) -> dict[str, Any]:
    view = await admin.set_email_suppression(domain(), await current_user(), user_id,
                                             suppressed=data.suppressed, reason=data.reason)
    return {"user": view.to_json()}


@blueprint.post("/users/<int:user_id>/maintainer")
@validate_request(MaintainerIn)
async def maintainer(user_id: int, data: MaintainerIn) -> dict[str, Any]:
    view = await admin.set_maintainer(domain(), await current_user(), user_id, data.slug,
                                      grant=data.grant, reason=data.reason)
    return {"user": view.to_json()}


@blueprint.get("/audit")
async def audit() -> dict[str, Any]:
    entries = await admin.audit_log(domain(), await current_user(), admin.AuditFilter(
        actor=_text_arg("actor"), kind=_text_arg("kind"), rfc=_text_arg("rfc"),
        since=_text_arg("since"), until=_text_arg("until"), before_id=int_arg("before"),
        limit=int_arg("limit") or admin.PAGE_SIZE))
    return {"entries": [e.to_json() for e in entries]}


@blueprint.get("/permission-events")
async def permission_events() -> dict[str, Any]:
    events = await admin.permission_events(domain(), await current_user(),
                                           subject=_text_arg("subject"), by=_text_arg("actor"),
                                           before_id=int_arg("before"),
                                           limit=int_arg("limit") or admin.PAGE_SIZE)
    return {"events": [e.to_json() for e in events]}


@blueprint.get("/graduation-queue")
async def graduation_queue() -> dict[str, Any]:
    require_staff(await current_user())
    # Graduation requests arrive with the graduation feature; until then the queue is empty.
    return {"requests": []}
