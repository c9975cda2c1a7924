"""The users table."""

from __future__ import annotations

from typing import Any

from server.db.engine import Tx
from server.domain.people import Role, User
from server.domain.views import AdminUserView, EmailSuppression

_COLUMNS = "id, login, display_name, email, role, suspended_at, session_epoch, last_seen_at"


def _user(row: dict[str, Any]) -> User:
    return User(id=row["id"], login=row["login"], display_name=row["display_name"],
                email=row["email"], role=row["role"],
                suspended=row["suspended_at"] is not None, session_epoch=row["session_epoch"],
                last_seen_at=row["last_seen_at"])


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

    async def admin_view(self, user_id: int) -> AdminUserView | None:
        rows = await self._admin_rows("u.id = :id", {"id": user_id}, limit=1, offset=0)
        return rows[0] if rows else None

    async def search(self, query: str, *, limit: int, offset: int) -> list[AdminUserView]:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return await self._admin_rows(
            "(:q = '' OR u.login LIKE :pattern ESCAPE '\\' OR u.display_name LIKE :pattern"
            " ESCAPE '\\' OR u.email LIKE :pattern ESCAPE '\\')",
            {"q": query, "pattern": pattern}, limit=limit, offset=offset)

    async def _admin_rows(self, where: str, params: dict[str, Any], *, limit: int,
                          offset: int) -> list[AdminUserView]:
        rows = await self.tx.all(
            "SELECT u.*, (SELECT group_concat(slug, char(31)) FROM"
            " (SELECT slug FROM rfc_maintainers m WHERE m.user_id = u.id ORDER BY slug))"
            " AS maintained, s.reason AS suppression_reason, s.details AS suppression_details,"
            " s.suppressed_at FROM users u"
            " LEFT JOIN email_suppressions s ON u.email != '' AND s.address = u.email"
            " WHERE " + where + " ORDER BY u.login LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset})
        return [AdminUserView(
            id=r["id"], login=r["login"], display_name=r["display_name"], email=r["email"],
            role=r["role"], suspended=r["suspended_at"] is not None,
            suspended_reason=r["suspended_reason"], created_at=r["created_at"],
            last_seen_at=r["last_seen_at"],
            maintainer_of=tuple(r["maintained"].split("\x1f")) if r["maintained"] else (),
            email_suppression=EmailSuppression(r["suppression_reason"],
                                               r["suppression_details"], r["suppressed_at"])
            if r["suppression_reason"] else None)
            for r in rows]

    async def set_role(self, user_id: int, role: Role) -> None:
        # No session_epoch bump: every request reloads the user, so the new role applies
        # at once without signing the person out.
        await self.tx.execute("UPDATE users SET role = :role WHERE id = :id",
                              {"role": role, "id": user_id})

    async def set_suspended(self, user_id: int, *, at: str | None,
                            reason: str | None) -> None:
        await self.tx.execute("UPDATE users SET suspended_at = :at, suspended_reason = :reason,"
                              " session_epoch = session_epoch + 1 WHERE id = :id",
                              {"at": at, "reason": reason, "id": user_id})

    async def suppress_email(self, address: str, *, reason: str, details: str, at: str,
                             by: int | None) -> None:
        await self.tx.execute(
            "INSERT INTO email_suppressions (address, reason, details, suppressed_at,"
            " suppressed_by) VALUES (:address, :reason, :details, :at, :by)"
            " ON CONFLICT (address) DO UPDATE SET reason = excluded.reason,"
            " details = excluded.details, suppressed_at = excluded.suppressed_at,"
            " suppressed_by = excluded.suppressed_by",
            {"address": address, "reason": reason, "details": details, "at": at, "by": by})

    async def unsuppress_email(self, address: str) -> bool:
        result = await self.tx.execute("DELETE FROM email_suppressions WHERE address = :a",
                                       {"a": address})
        return bool(result.rowcount)

    async def count_owners(self) -> int:
        return int(await self.tx.scalar("SELECT count(*) FROM users WHERE role = 'owner'"
                                        " AND suspended_at IS NULL") or 0)
