"""The users table."""

from __future__ import annotations

from typing import Any

from server.db.engine import Tx
from server.domain.people import Role, User

_COLUMNS = "id, login, display_name, email, role, suspended_at, session_epoch"


def _user(row: dict[str, Any]) -> User:
    return User(id=row["id"], login=row["login"], display_name=row["display_name"],
                email=row["email"], role=row["role"],
                suspended=row["suspended_at"] is not None, session_epoch=row["session_epoch"])


class SqlUsers:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def get(self, user_id: int) -> User | None:
        row = await self.tx.one(f"SELECT {_COLUMNS} FROM users WHERE id = :id", {"id": user_id})
        return _user(row) if row else None

    async def by_login(self, login: str) -> User | None:
        row = await self.tx.one(f"SELECT {_COLUMNS} FROM users WHERE login = :login",
                                {"login": login})
        return _user(row) if row else None

    async def password_hash(self, login: str) -> tuple[User, str] | None:
        row = await self.tx.one(f"SELECT {_COLUMNS}, password_hash FROM users "
                                "WHERE login = :login", {"login": login})
        if not row or not row["password_hash"]:
            return None
        return _user(row), row["password_hash"]

    async def create(self, *, login: str, display_name: str, email: str, role: Role,
                     password_hash: str | None, at: str) -> User:
        result = await self.tx.execute(
            "INSERT INTO users (login, display_name, email, role, password_hash, created_at) "
            "VALUES (:login, :display_name, :email, :role, :hash, :at)",
            {"login": login, "display_name": display_name, "email": email, "role": role,
             "hash": password_hash, "at": at})
        user = await self.get(int(result.lastrowid))
        assert user is not None
        return user

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await self.tx.execute("UPDATE users SET password_hash = :hash WHERE id = :id",
                              {"hash": password_hash, "id": user_id})

    async def touch(self, user_id: int, at: str) -> None:
        await self.tx.execute("UPDATE users SET last_seen_at = :at WHERE id = :id",
                              {"at": at, "id": user_id})
