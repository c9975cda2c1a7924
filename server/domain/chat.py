"""Branch chat and discussion threads: sending, editing, history, read cursors.

Messages are app-canonical and outlive their branch. A closed or deleted
branch keeps its history readable but refuses new messages, whatever a client
sends.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass

from server.domain.context import Domain
from server.domain.limits import ID_MAX, SlidingWindow
from server.domain.live import ChatActivity, ChatMessagePosted, ChatRead, ThreadUpdated
from server.domain.naming import classify_branch
from server.domain.people import User
from server.domain.permissions import is_staff, require_signed_in
from server.domain.store import StoredMessage, UnitOfWork
from server.domain.views import MessageView, ThreadView
from server.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.render.markdown import render_markdown

MESSAGE_MAX = 10_000
THREAD_TITLE_MAX = 200
PAGE_MAX = 100
# A sender's key for one message: what a client generates once per message it sends.
CLIENT_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{0,38})")


@dataclass(frozen=True)
class ChatRoom:
    name: str
    rfc_slug: str
    branch: str | None = None  # the full branch name, for branch chat
    thread_id: int | None = None


def _parse(d: Domain, name: str) -> tuple[str, str | None, int | None]:
    if name.startswith("branch:"):
        repo, sep, branch = name[len("branch:"):].partition(":")
        role = classify_branch(branch) if sep else None
        if repo != d.meta_repo.full_name or role is None or role.kind == "proposal":
            raise NotFound("There is no such chat.")
        return role.slug, branch, None
    number = name[len("thread:"):]
    if name.startswith("thread:") and number.isascii() and number.isdigit():
        if int(number) > ID_MAX:
            raise NotFound("There is no such thread.")
        return "", None, int(number)
    raise InvalidInput("A chat room is `branch:<repo>:<branch>` or `thread:<id>`.",
                       details={"field": "room"})


async def chat_room(d: Domain, uow: UnitOfWork, name: str) -> tuple[ChatRoom, str | None]:
    """The room, and why it is read-only (None when open for new messages)."""
    slug, branch, thread_id = _parse(d, name)
    if branch is not None:
        cached = await uow.branches.get(d.meta_repo.full_name, branch)
        if cached is None:
            raise NotFound("There is no such branch.")
        why = None
        if cached.state == "closed":
            why = ("This branch was closed after 30 days without activity; its chat is "
                   "read-only. A new commit reopens it.")
        elif cached.state == "deleted":
            why = "This branch was deleted; its chat is kept read-only."
        return ChatRoom(name, slug, branch=branch), why
    thread = await uow.chat.thread(thread_id or 0)
    if thread is None:
        raise NotFound("There is no such thread.")
    why = None
    if await uow.cache.get_rfc(thread.rfc_slug) is None:
        why = "This RFC was removed from the catalog; its discussion is kept read-only."
    return ChatRoom(name, thread.rfc_slug, thread_id=thread.id), why


async def accepts_messages(d: Domain, room: str) -> bool:
    """Whether ``room`` is a chat that takes new messages (and so typing)."""
    try:
        async with d.store.read() as uow:
            _, closed = await chat_room(d, uow, room)
    except (NotFound, InvalidInput):
        return False
    return closed is None


def check_body(body: str) -> str:
    text = body.strip()
    if not 1 <= len(text) <= MESSAGE_MAX:
        raise InvalidInput(f"A message is 1 to {MESSAGE_MAX:,} characters.",
                           details={"field": "body"})
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise InvalidInput("A message cannot contain control characters.",
                           details={"field": "body"})
    return text


async def _mentions(uow: UnitOfWork, text: str) -> tuple[str, ...]:
    found: list[str] = []
    for login in dict.fromkeys(MENTION.findall(text)):
        user = await uow.users.by_login(login)
        if user is not None:
            found.append(user.login)
    return tuple(found)


async def message_view(stored: StoredMessage) -> MessageView:
    deleted = stored.deleted_at is not None
    html = "" if deleted else await asyncio.to_thread(render_markdown, stored.body)
    return MessageView(id=stored.id, room=stored.room, rfc_slug=stored.rfc_slug,
                       author=stored.author_login, author_name=stored.author_name,
                       body=None if deleted else stored.body, html=html,
                       created_at=stored.created_at, edited_at=stored.edited_at,
                       deleted=deleted, mentions=stored.mentions)


async def send_message(d: Domain, limiter: SlidingWindow, actor: User | None, room: str,
                       body: str, *, client_key: str | None = None) -> MessageView:
    """Store a message and announce it. A client that sends again with the same
    ``client_key`` (its acknowledgement was lost) gets the stored message back, and
    nobody sees it twice."""
    user = require_signed_in(actor)
    text = check_body(body)
    if client_key is not None and not CLIENT_KEY.fullmatch(client_key):
        raise InvalidInput("`client_key` is 8 to 64 letters, digits, `-` or `_`.",
                           details={"field": "client_key"})
    async with d.store.write() as uow:
        if client_key is not None:
            already = await uow.chat.sent_with_key(user.id, client_key)
            if already is not None:
                if already.room != room:
                    raise InvalidInput("This `client_key` was used for a message elsewhere;"
                                       " use a new key for each message.",
                                       details={"field": "client_key"})
                return await message_view(already)
        where, closed = await chat_room(d, uow, room)
        if closed:
            raise Conflict(closed, code="chat_closed")
        limiter.check(user.id)
        stored = await uow.chat.insert(room=where.name, rfc_slug=where.rfc_slug,
                                       author_id=user.id, body=text,
                                       mentions=await _mentions(uow, text), at=d.now_iso(),
                                       client_key=client_key)
        if where.thread_id is not None:
            await uow.chat.touch_thread(where.thread_id, stored.created_at)
            thread = await uow.chat.thread(where.thread_id)
            if thread is not None:
                uow.emit(ThreadUpdated(thread))
        # The author has seen their own message.
        await uow.chat.advance_cursor(user.id, where.name, stored.id, stored.created_at)
        view = await message_view(stored)
        uow.emit(ChatMessagePosted(view))
        uow.emit(ChatActivity(where.rfc_slug, where.name, stored.id))
        return view


async def _own_message(d: Domain, uow: UnitOfWork, user: User, message_id: int,
                       *, moderating: bool) -> StoredMessage:
    stored = await uow.chat.get(message_id)
    if stored is None or stored.deleted_at is not None:
        raise NotFound("That message does not exist or was deleted.")
    if stored.author_id != user.id and not (moderating and is_staff(user)):
        raise Forbidden("You can only change your own messages.")
    _, closed = await chat_room(d, uow, stored.room)
    if closed:
        raise Conflict(closed, code="chat_closed")
    return stored


async def edit_message(d: Domain, limiter: SlidingWindow, actor: User | None, message_id: int,
                       body: str) -> MessageView:
    user = require_signed_in(actor)
    text = check_body(body)
    async with d.store.write() as uow:
        await _own_message(d, uow, user, message_id, moderating=False)
        limiter.check(user.id)  # an edit reaches everyone in the room, as a message does
        stored = await uow.chat.edit(message_id, body=text,
                                     mentions=await _mentions(uow, text), at=d.now_iso())
        view = await message_view(stored)
        uow.emit(ChatMessagePosted(view))
        return view


async def delete_message(d: Domain, actor: User | None, message_id: int) -> MessageView:
    """Authors delete their own messages; the owner and admins may remove any."""
    user = require_signed_in(actor)
    async with d.store.write() as uow:
        stored = await _own_message(d, uow, user, message_id, moderating=True)
        deleted = await uow.chat.delete(message_id, d.now_iso())
        if stored.author_id != user.id:
            await uow.audit.record(at=d.now_iso(), actor_id=user.id, kind="remove_message",
                                   target=f"message:{message_id}",
                                   details={"room": stored.room, "slug": stored.rfc_slug,
                                            "author": stored.author_login})
        view = await message_view(deleted)
        uow.emit(ChatMessagePosted(view))
        # A deleted message no longer counts as unread anywhere.
        uow.emit(ChatActivity(stored.rfc_slug, stored.room, stored.id))
        return view


@dataclass(frozen=True)
class History:
    messages: list[MessageView]
    has_more: bool
    read_only: str | None
    last_seen_id: int


async def history(d: Domain, viewer: User | None, room: str, *, before_id: int | None = None,
                  after_id: int | None = None, limit: int = 50) -> History:
    """A page of messages in id order: backwards with ``before_id``, forwards with
    ``after_id`` (what a reconnecting client missed)."""
    if before_id is not None and after_id is not None:
        raise InvalidInput("Ask for messages before an id or after one, not both.")
    size = min(max(limit, 1), PAGE_MAX)
    async with d.store.read() as uow:
        where, closed = await chat_room(d, uow, room)
        stored = await uow.chat.history(where.name, before_id=before_id, after_id=after_id,
                                        limit=size + 1)
        seen = await uow.chat.cursor(viewer.id, where.name) if viewer else 0
    has_more = len(stored) > size
    page = (stored[1:] if after_id is None else stored[:size]) if has_more else stored
    return History(messages=[await message_view(m) for m in page], has_more=has_more,
                   read_only=closed, last_seen_id=seen)


async def mark_seen(d: Domain, actor: User | None, room: str, last_id: int) -> int:
    user = require_signed_in(actor)
    async with d.store.write() as uow:
        where, _ = await chat_room(d, uow, room)
        newest = await uow.chat.last_id(where.name)
        before = await uow.chat.cursor(user.id, where.name)
        cursor = await uow.chat.advance_cursor(user.id, where.name, min(last_id, newest),
                                               d.now_iso())
        if cursor != before:
            uow.emit(ChatRead(user.id, where.rfc_slug, where.name, cursor))
        return cursor


async def unread_for_rfc(d: Domain, viewer: User | None, slug: str) -> dict[str, int]:
    if viewer is None:
        return {}
    async with d.store.read() as uow:
        return await uow.chat.unread_by_room(viewer.id, slug)


async def unread_by_rfc(d: Domain, viewer: User | None) -> dict[str, int]:
    if viewer is None:
        return {}
    async with d.store.read() as uow:
        return await uow.chat.unread_by_rfc(viewer.id)


async def start_thread(d: Domain, limiter: SlidingWindow, actor: User | None, slug: str, *,
                       title: str, body: str) -> tuple[ThreadView, MessageView]:
    user = require_signed_in(actor)
    heading = " ".join(title.split())
    if not 1 <= len(heading) <= THREAD_TITLE_MAX:
        raise InvalidInput(f"A thread title is 1 to {THREAD_TITLE_MAX} characters.",
                           details={"field": "title"})
    text = check_body(body)
    async with d.store.write() as uow:
        if await uow.cache.get_rfc(slug) is None:
            raise NotFound(f"There is no RFC “{slug}”.")
        limiter.check(user.id)
        thread_id = await uow.chat.create_thread(rfc_slug=slug, title=heading,
                                                 author_id=user.id, at=d.now_iso())
        room = f"thread:{thread_id}"
        stored = await uow.chat.insert(room=room, rfc_slug=slug, author_id=user.id, body=text,
                                       mentions=await _mentions(uow, text), at=d.now_iso())
        await uow.chat.advance_cursor(user.id, room, stored.id, stored.created_at)
        thread = await uow.chat.thread(thread_id)
        assert thread is not None
        message = await message_view(stored)
        uow.emit(ThreadUpdated(thread))
        uow.emit(ChatMessagePosted(message))
        uow.emit(ChatActivity(slug, room, stored.id))
        return thread, message


async def threads_of(d: Domain, slug: str) -> list[ThreadView]:
    async with d.store.read() as uow:
        if await uow.cache.get_rfc(slug) is None:
            raise NotFound(f"There is no RFC “{slug}”.")
        return await uow.chat.threads_for(slug)


async def get_thread(d: Domain, thread_id: int) -> ThreadView:
    async with d.store.read() as uow:
        thread = await uow.chat.thread(thread_id)
    if thread is None:
        raise NotFound("There is no such thread.")
    return thread
