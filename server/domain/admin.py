"""The admin home base: users, roles, suspensions, maintainers, the audit trail.

Each change is one transaction holding the change, its audit entry and its
permission event; the live events (admin room, the user's own sockets) leave
after that transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.context import Domain
from server.domain.live import SessionsRevoked, UserChanged
from server.domain.people import ROLES, Role, User
from server.domain.permissions import (
    check_restore,
    check_role_change,
    check_suspension,
    require_staff,
)
from server.domain.store import UnitOfWork
from server.domain.views import AdminUserView, AuditEntryView, PermissionEventView
from server.errors import Conflict, InvalidInput, NotFound

PAGE_SIZE = 50
REASON_MAX = 500


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    kind: str | None = None
    rfc: str | None = None
    since: str | None = None
    until: str | None = None
    before_id: int | None = None
    limit: int = PAGE_SIZE


def _reason(reason: str, *, required: bool) -> str:
    cleaned = reason.strip()
    if len(cleaned) > REASON_MAX:
        raise InvalidInput(f"A reason is at most {REASON_MAX} characters.",
                           details={"field": "reason"})
    if required and not cleaned:
        raise InvalidInput("Give a reason; it is kept in the permission events.",
                           details={"field": "reason"})
    return cleaned


def _role(role: str) -> Role:
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; it must be one of: {', '.join(ROLES)}.",
                           details={"field": "role"})
    return role  # type: ignore[return-value]


async def _subject(uow: UnitOfWork, user_id: int) -> User:
    user = await uow.users.get(user_id)
    if user is None:
        raise NotFound(f"There is no user #{user_id}.")
    return user


async def _announce(uow: UnitOfWork, user_id: int, why: str) -> AdminUserView:
    view = await uow.users.admin_view(user_id)
    assert view is not None
    uow.emit(UserChanged(view))
    uow.emit(SessionsRevoked(user_id, why))
    return view


async def list_users(d: Domain, actor: User | None, *, query: str = "",
                     page: int = 1) -> list[AdminUserView]:
    require_staff(actor)
    if len(query) > 100:
        raise InvalidInput("Search for at most 100 characters.", details={"field": "q"})
    async with d.store.read() as uow:
        return await uow.users.search(query.strip(), limit=PAGE_SIZE,
                                      offset=(max(page, 1) - 1) * PAGE_SIZE)


async def change_role(d: Domain, actor: User | None, user_id: int, *, role: str,
                      reason: str = "") -> AdminUserView:
    staff = require_staff(actor)
    new_role = _role(role)
    why = _reason(reason, required=False)
    async with d.store.write() as uow:
        subject = await _subject(uow, user_id)
        if subject.role == new_role:
            raise Conflict(f"{subject.login} is already {new_role}.", code="unchanged")
        check_role_change(staff, subject, new_role, await uow.users.count_owners())
        await uow.users.set_role(subject.id, new_role)
        await uow.permission_events.record(at=d.now_iso(), actor_id=staff.id,
                                           subject_id=subject.id, scope="site",
                                           from_role=subject.role, to_role=new_role,
                                           reason=why)
        await uow.audit.record(at=d.now_iso(), actor_id=staff.id, kind="change_role",
                               target=f"user:{subject.id}",
                               details={"login": subject.login, "from": subject.role,
                                        "to": new_role, "reason": why})
        return await _announce(uow, subject.id, "Your role changed; reconnecting.")


async def suspend_user(d: Domain, actor: User | None, user_id: int, *,
                       reason: str) -> AdminUserView:
    staff = require_staff(actor)
    why = _reason(reason, required=True)
    async with d.store.write() as uow:
        subject = await _subject(uow, user_id)
        if subject.suspended:
            raise Conflict(f"{subject.login} is already suspended.", code="unchanged")
        check_suspension(staff, subject, await uow.users.count_owners())
        await uow.users.set_suspended(subject.id, at=d.now_iso(), reason=why)
        await uow.permission_events.record(at=d.now_iso(), actor_id=staff.id,
                                           subject_id=subject.id, scope="site",
                                           from_role=subject.role, to_role="suspended",
                                           reason=why)
        await uow.audit.record(at=d.now_iso(), actor_id=staff.id, kind="suspend_user",
                               target=f"user:{subject.id}",
                               details={"login": subject.login, "reason": why})
        return await _announce(uow, subject.id, "Your account has been suspended.")


async def restore_user(d: Domain, actor: User | None, user_id: int, *,
                       reason: str = "") -> AdminUserView:
    staff = require_staff(actor)
    why = _reason(reason, required=False)
    async with d.store.write() as uow:
        subject = await _subject(uow, user_id)
        if not subject.suspended:
            raise Conflict(f"{subject.login} is not suspended.", code="unchanged")
        check_restore(staff, subject)
        await uow.users.set_suspended(subject.id, at=None, reason=None)
        await uow.permission_events.record(at=d.now_iso(), actor_id=staff.id,
                                           subject_id=subject.id, scope="site",
                                           from_role="suspended", to_role=subject.role,
                                           reason=why)
        await uow.audit.record(at=d.now_iso(), actor_id=staff.id, kind="restore_user",
                               target=f"user:{subject.id}",
                               details={"login": subject.login, "reason": why})
        return await _announce(uow, subject.id, "Your account has been restored.")


async def set_maintainer(d: Domain, actor: User | None, user_id: int, slug: str, *,
                         grant: bool, reason: str = "") -> AdminUserView:
    staff = require_staff(actor)
    why = _reason(reason, required=False)
    async with d.store.write() as uow:
        subject = await _subject(uow, user_id)
        if await uow.cache.get_rfc(slug) is None:
            raise NotFound(f"There is no RFC “{slug}”.", details={"field": "slug"})
        changed = (await uow.maintainers.grant(slug, subject.id, staff.id, d.now_iso())
                   if grant else await uow.maintainers.revoke(slug, subject.id))
        if not changed:
            state = "already maintains" if grant else "does not maintain"
            raise Conflict(f"{subject.login} {state} {slug}.", code="unchanged")
        await uow.permission_events.record(
            at=d.now_iso(), actor_id=staff.id, subject_id=subject.id, scope=f"rfc:{slug}",
            from_role=None if grant else "maintainer", to_role="maintainer" if grant else None,
            reason=why)
        await uow.audit.record(at=d.now_iso(), actor_id=staff.id,
                               kind="grant_maintainer" if grant else "revoke_maintainer",
                               target=f"user:{subject.id}",
                               details={"login": subject.login, "slug": slug, "reason": why})
        return await _announce(uow, subject.id, "Your permissions changed; reconnecting.")


async def set_email_suppression(d: Domain, actor: User | None, user_id: int, *,
                                suppressed: bool, reason: str = "") -> AdminUserView:
    """Stop all email to a person's address, or lift a stop (one from a bounce included)."""
    staff = require_staff(actor)
    why = _reason(reason, required=suppressed)
    async with d.store.write() as uow:
        subject = await _subject(uow, user_id)
        if not subject.email:
            raise Conflict(f"{subject.login} has no email address.", code="no_email")
        before = await uow.users.admin_view(subject.id)
        assert before is not None
        if suppressed == (before.email_suppression is not None):
            state = "already stopped" if suppressed else "not stopped"
            raise Conflict(f"Email to {subject.login} is {state}.", code="unchanged")
        if suppressed:
            await uow.users.suppress_email(subject.email, reason="admin", details=why,
                                           at=d.now_iso(), by=staff.id)
        else:
            await uow.users.unsuppress_email(subject.email)
        details: dict[str, object] = {"login": subject.login, "reason": why}
        if before.email_suppression is not None:
            details["was"] = before.email_suppression.reason  # what a lift undid
        await uow.audit.record(at=d.now_iso(), actor_id=staff.id,
                               kind="suppress_email" if suppressed else "unsuppress_email",
                               target=f"user:{subject.id}", details=details)
        view = await uow.users.admin_view(subject.id)
        assert view is not None
        uow.emit(UserChanged(view))
        return view


async def audit_log(d: Domain, actor: User | None, query: AuditFilter) -> list[AuditEntryView]:
    require_staff(actor)
    async with d.store.read() as uow:
        return await uow.audit.list(actor=query.actor, kind=query.kind, rfc=query.rfc,
                                    since=query.since, until=query.until,
                                    before_id=query.before_id,
                                    limit=min(max(query.limit, 1), 200))


async def permission_events(d: Domain, actor: User | None, *, subject: str | None = None,
                            by: str | None = None, before_id: int | None = None,
                            limit: int = PAGE_SIZE) -> list[PermissionEventView]:
    require_staff(actor)
    async with d.store.read() as uow:
        return await uow.permission_events.list(subject=subject, actor=by,
                                                before_id=before_id,
                                                limit=min(max(limit, 1), 200))
