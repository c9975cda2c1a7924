"""Chat messages, read cursors and discussion threads."""

from __future__ import annotations

import json
from typing import Any

from server.db.engine import Tx
from server.domain.store import StoredMessage
from server.domain.views import ThreadView

_SELECT = ("SELECT m.*, u.login AS author_login, u.display_name AS author_name"
           " FROM chat_messages m JOIN users u ON u.id = m.author_id")
_THREADS = ("SELECT t.*, u.login AS author, (SELECT count(*) FROM chat_messages m"
            " WHERE m.room = 'thread:' || t.id AND m.deleted_at IS NULL) AS messages"
            " FROM threads t JOIN users u ON u.id = t.author_id")


def _message(row: dict[str, Any]) -> StoredMessage:
    return StoredMessage(id=row["id"], room=row["room"], rfc_slug=row["rfc_slug"],
                         author_id=row["author_id"], author_login=row["author_login"],
                         author_name=row["author_name"], body=row["body"],
                         mentions=tuple(json.loads(row["mentions"])),
                         created_at=row["created_at"], edited_at=row["edited_at"],
                         deleted_at=row["deleted_at"])


def _thread(row: dict[str, Any]) -> ThreadView:
    return ThreadView(id=row["id"], rfc_slug=row["rfc_slug"], title=row["title"],
                      author=row["author"], created_at=row["created_at"],
                      last_message_at=row["last_message_at"], messages=row["messages"])


class SqlChat:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def insert(self, *, room: str, rfc_slug: str, author_id: int, body: str,
                     mentions: tuple[str, ...], at: str,
                     client_key: str | None = None) -> StoredMessage:
        result = await self.tx.execute(
            "INSERT INTO chat_messages (room, rfc_slug, author_id, body, mentions, created_at,"
            " client_key) VALUES (:room, :slug, :author, :body, :mentions, :at, :key)",
            {"room": room, "slug": rfc_slug, "author": author_id, "body": body,
             "mentions": json.dumps(list(mentions)), "at": at, "key": client_key})
        stored = await self.get(int(result.lastrowid))
        assert stored is not None
        return stored

    async def get(self, message_id: int) -> StoredMessage | None:
        row = await self.tx.one(_SELECT + " WHERE m.id = :id", {"id": message_id})
        return _message(row) if row else None

    async def sent_with_key(self, author_id: int, client_key: str) -> StoredMessage | None:
        row = await self.tx.one(_SELECT + " WHERE m.author_id = :author AND m.client_key = :key",
                                {"author": author_id, "key": client_key})
        return _message(row) if row else None

    async def edit(self, message_id: int, *, body: str, mentions: tuple[str, ...],
                   at: str) -> StoredMessage:
        await self.tx.execute("UPDATE chat_messages SET body = :body, mentions = :mentions,"
                              " edited_at = :at WHERE id = :id",
                              {"body": body, "mentions": json.dumps(list(mentions)), "at": at,
                               "id": message_id})
        stored = await self.get(message_id)
        assert stored is not None
        return stored

    async def delete(self, message_id: int, at: str) -> StoredMessage:
        # The row stays (ids and cursors keep their meaning); the words go.
        await self.tx.execute("UPDATE chat_messages SET body = '', mentions = '[]',"
                              " deleted_at = :at WHERE id = :id", {"at": at, "id": message_id})
        stored = await self.get(message_id)
        assert stored is not None
        return stored

    async def history(self, room: str, *, before_id: int | None, after_id: int | None,
                      limit: int) -> list[StoredMessage]:
        if after_id is not None:
            rows = await self.tx.all(_SELECT + " WHERE m.room = :room AND m.id > :after"
                                     " ORDER BY m.id LIMIT :limit",
                                     {"room": room, "after": after_id, "limit": limit})
            return [_message(r) for r in rows]
        rows = await self.tx.all(_SELECT + " WHERE m.room = :room"
                                 " AND (:before IS NULL OR m.id < :before)"
                                 " ORDER BY m.id DESC LIMIT :limit",
                                 {"room": room, "before": before_id, "limit": limit})
        return [_message(r) for r in reversed(rows)]

    async def last_id(self, room: str) -> int:
        return int(await self.tx.scalar("SELECT coalesce(max(id), 0) FROM chat_messages"
                                        " WHERE room = :room", {"room": room}) or 0)

    async def advance_cursor(self, user_id: int, room: str, last_seen_id: int,
                             at: str) -> int:
        await self.tx.execute(
            "INSERT INTO chat_cursors (user_id, room, last_seen_id, updated_at)"
            " VALUES (:user, :room, :seen, :at) ON CONFLICT (user_id, room) DO UPDATE SET"
            " last_seen_id = max(last_seen_id, excluded.last_seen_id),"
            " updated_at = excluded.updated_at",
            {"user": user_id, "room": room, "seen": last_seen_id, "at": at})
        return await self.cursor(user_id, room)

    async def cursor(self, user_id: int, room: str) -> int:
        return int(await self.tx.scalar("SELECT last_seen_id FROM chat_cursors"
                                        " WHERE user_id = :user AND room = :room",
                                        {"user": user_id, "room": room}) or 0)

    async def unread_by_room(self, user_id: int, rfc_slug: str) -> dict[str, int]:
        rows = await self.tx.all(
            "SELECT m.room, count(*) AS unread FROM chat_messages m"
            " LEFT JOIN chat_cursors c ON c.user_id = :user AND c.room = m.room"
            " WHERE m.rfc_slug = :slug AND m.author_id != :user AND m.deleted_at IS NULL"
            " AND m.id > coalesce(c.last_seen_id, 0) GROUP BY m.room",
            {"user": user_id, "slug": rfc_slug})
        return {r["room"]: int(r["unread"]) for r in rows}

    async def unread_by_rfc(self, user_id: int) -> dict[str, int]:
        rows = await self.tx.all(
            "SELECT m.rfc_slug, count(*) AS unread FROM chat_messages m"
            " LEFT JOIN chat_cursors c ON c.user_id = :user AND c.room = m.room"
            " WHERE m.author_id != :user AND m.deleted_at IS NULL"
            " AND m.id > coalesce(c.last_seen_id, 0) GROUP BY m.rfc_slug", {"user": user_id})
        return {r["rfc_slug"]: int(r["unread"]) for r in rows}

    async def create_thread(self, *, rfc_slug: str, title: str, author_id: int,
                            at: str) -> int:
        result = await self.tx.execute(
            "INSERT INTO threads (rfc_slug, title, author_id, created_at, last_message_at)"
            " VALUES (:slug, :title, :author, :at, :at)",
            {"slug": rfc_slug, "title": title, "author": author_id, "at": at})
        return int(result.lastrowid)

    async def thread(self, thread_id: int) -> ThreadView | None:
        row = await self.tx.one(_THREADS + " WHERE t.id = :id", {"id": thread_id})
        return _thread(row) if row else None

    async def threads_for(self, rfc_slug: str) -> list[ThreadView]:
        rows = await self.tx.all(_THREADS + " WHERE t.rfc_slug = :slug"
                                 " ORDER BY t.last_message_at DESC, t.id DESC",
                                 {"slug": rfc_slug})
        return [_thread(r) for r in rows]

    async def touch_thread(self, thread_id: int, at: str) -> None:
        await self.tx.execute("UPDATE threads SET last_message_at = :at WHERE id = :id",
                              {"at": at, "id": thread_id})
