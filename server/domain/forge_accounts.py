"""Accounts that sign in through the forge (Gitea's OAuth): found by login, made at first."""

from __future__ import annotations

from server.domain.accounts import check_login, role_for_new_user
from server.domain.context import Domain
from server.domain.people import User
from server.errors import AppError


async def sign_in_from_forge(d: Domain, *, login: str, display_name: str,
                             email: str) -> User:
    """The user the forge vouched for; the first sign-in creates them.

    ``OWNER_GITEA_LOGIN`` becomes the owner, everyone else a contributor.
    """
    check_login(login)
    async with d.store.write() as uow:
        user = await uow.users.by_login(login)
        if user is None:
            user = await uow.users.create(login=login, display_name=display_name or login,
                                          email=email, role=role_for_new_user(d, login),
                                          password_hash=None, at=d.now_iso())
            await uow.audit.record(at=d.now_iso(), actor_id=None, kind="add_user",
                                   target=f"user:{user.id}",
                                   details={"login": login, "role": user.role,
                                            "via": "gitea"})
        if user.suspended:
            raise AppError("Your account is suspended. Ask an admin to restore it.",
                           code="suspended", status=403)
        await uow.users.touch(user.id, d.now_iso())
    return user
