"""Accounts of the embedded forge: adding people and checking their passwords."""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.clock import iso, parse_iso
from server.domain.context import Domain
from server.domain.people import LOGIN_PATTERN, Role, User
from server.errors import AppError, Conflict, InvalidInput

PASSWORD_MIN, PASSWORD_MAX = 8, 256
BAD_CREDENTIALS = "That username and password do not match an account."

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verifying against this when the login is unknown keeps the answer's timing the same.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class BadCredentials(AppError):
    status = 401
    code = "bad_credentials"


def check_login(login: str) -> str:
    if not LOGIN_PATTERN.match(login):
        raise InvalidInput("A login is 1 to 40 letters, digits, dots, hyphens or underscores, "
                           "starting with a letter or digit.", details={"field": "login"})
    return login


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidInput(f"A password is {PASSWORD_MIN} to {PASSWORD_MAX} characters long.",
                           details={"field": "password"})
    return password


def role_for_new_user(d: Domain, login: str) -> Role:
    return "owner" if login.lower() == d.owner_login.lower() else "contributor"


def generate_password() -> str:
    return secrets.token_urlsafe(12)


async def add_user(d: Domain, *, login: str, email: str, password: str,
                   display_name: str | None = None) -> User:
    check_login(login)
    check_password(password)
    if email and "@" not in email:
        raise InvalidInput("That email address is missing an @.", details={"field": "email"})
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with d.store.write() as uow:
        if await uow.users.by_login(login) is not None:
            raise Conflict(f"An account named {login} exists already.", code="login_taken")
        user = await uow.users.create(login=login, display_name=display_name or login,
                                      email=email, role=role_for_new_user(d, login),
                                      password_hash=password_hash, at=d.now_iso())
        await uow.audit.record(at=d.now_iso(), actor_id=None, kind="add_user",
                               target=f"user:{user.id}",
                               details={"login": login, "role": user.role})
    return user


async def _verifies(stored: str, password: str) -> bool:
    try:
        return await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(d: Domain, login: str, password: str) -> bool:
    async with d.store.read() as uow:
        found = await uow.users.password_hash(login)
    return found is not None and await _verifies(found[1], password)


async def set_password(d: Domain, user: User, password: str) -> None:
    check_password(password)
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    async with d.store.write() as uow:
        await uow.users.set_password_hash(user.id, password_hash)
        await uow.audit.record(at=d.now_iso(), actor_id=None, kind="set_password",
                               target=f"user:{user.id}", details={"login": user.login})


async def sign_in(d: Domain, *, username: str, password: str) -> User:
    async with d.store.read() as uow:
        found = await uow.users.password_hash(username.strip())
    stored = found[1] if found else _DUMMY_HASH
    if not await _verifies(stored, password) or found is None:
        raise BadCredentials(BAD_CREDENTIALS)
    user, _ = found
    if user.suspended:
        raise AppError("Your account is suspended. Ask an admin to restore it.",
                       code="suspended", status=403)
    async with d.store.write() as uow:
        if _hasher.check_needs_rehash(stored):
            await uow.users.set_password_hash(user.id,
                                              await asyncio.to_thread(_hasher.hash, password))
        await uow.users.touch(user.id, d.now_iso())
    return user


SEEN_EVERY = timedelta(minutes=5)


async def note_seen(d: Domain, user: User) -> None:
    """Note that ``user`` is here, at most once every few minutes.

    Every request and socket event asks; only the first in each interval writes, so
    "last seen" stays within minutes without a write per request.
    """
    now = d.clock.now()
    if user.last_seen_at and timedelta(0) <= now - parse_iso(user.last_seen_at) < SEEN_EVERY:
        return
    try:
        async with d.store.write() as uow:
            await uow.users.touch(user.id, iso(now))
    except Exception:
        # Never fail a request over a timestamp; the next one tries again.
        log.warning("could not note when %s was last seen", user.login, exc_info=True)
