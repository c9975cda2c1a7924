"""Branch chat, threads, cursors, presence and typing over real sockets on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio

from tests.support import (
    ApiClient,
    close_branch,
    delete_branch,
    remove_rfc,
    running_server,
    seed_rfc,
    signed_in_client,
)

SLUG = "chatty"
ROOM = f"branch:rfcs/meta:rfc/{SLUG}/talk"


class Person:
    """A signed-in HTTP client and its socket, recording what the socket hears."""

    def __init__(self, http: ApiClient) -> None:
        self.http = http
        self.sio = socketio.AsyncClient(reconnection=False)
        self.heard: list[tuple[str, dict[str, Any]]] = []
        for name in ("chat.message", "chat.typing", "presence", "chat.activity", "chat.read"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: dict[str, Any]) -> None:
            self.heard.append((name, data))
        return record

    async def connect(self, base: str) -> None:
        jar = self.http.client.cookie_jar
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        await self.sio.connect(base, headers={"Cookie": cookie} if cookie else {},
                               transports=["websocket"])

    async def join(self, room: str) -> dict[str, Any]:
        ack = await self.sio.call("subscribe", {"room": room})
        assert ack["ok"], ack
        return dict(ack)

    async def send(self, body: str, room: str = ROOM) -> dict[str, Any]:
        return dict(await self.sio.call("chat.send", {"room": room, "body": body}))

    def messages(self) -> list[dict[str, Any]]:
        return [d["message"] for n, d in self.heard if n == "chat.message"]


async def until(check, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def base(app, make_client) -> AsyncIterator[dict[str, Any]]:
    await seed_rfc(app, SLUG)
    people = {login: Person(await signed_in_client(app, make_client, login))
              for login in ("alice", "bob", "owner")}
    _, made = await people["alice"].http.post(f"/api/rfcs/{SLUG}/branches", {"name": "talk"})
    assert made["branch"]["name"] == f"rfc/{SLUG}/talk"
    async with running_server(app) as url:
        for person in people.values():
            await person.connect(url)
        yield {"url": url, "people": people, "app": app}
        for person in people.values():
            await person.sio.disconnect()


async def test_a_message_is_stored_then_sent_once_to_everyone_in_the_room(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await alice.join(ROOM)
    await bob.join(ROOM)
    ack = await alice.send("Hello **bob**, see @bob and @nobody")
    assert ack["ok"] is True
    message = ack["message"]
    assert message["author"] == "alice" and "<strong>bob</strong>" in message["html"]
    assert message["mentions"] == ["bob"]
    await until(lambda: len(bob.messages()) == 1)
    assert bob.messages()[0]["id"] == message["id"]
    await asyncio.sleep(0.2)
    assert len(alice.messages()) == 1, "the sender's own copy arrives once too"
    _, page = await bob.http.get(f"/api/chat?room={ROOM}")
    assert [m["body"] for m in page["messages"]] == ["Hello **bob**, see @bob and @nobody"]


async def test_one_clients_messages_keep_their_order(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await bob.join(ROOM)
    await asyncio.gather(*(alice.send(f"message {n}") for n in range(10)))
    await until(lambda: len(bob.messages()) == 10)
    assert [m["body"] for m in bob.messages()] == [f"message {n}" for n in range(10)]
    ids = [m["id"] for m in bob.messages()]
    assert ids == sorted(ids)


async def test_sending_again_after_a_lost_acknowledgement_stores_the_message_once(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await bob.join(ROOM)
    send = {"room": ROOM, "body": "said once", "client_key": "k3y-0f-one-message"}
    first = await alice.sio.call("chat.send", send)
    again = await alice.sio.call("chat.send", send)
    assert first["ok"] and again["ok"], (first, again)
    assert again["message"]["id"] == first["message"]["id"]
    other = await alice.sio.call("chat.send", {**send, "client_key": "another-message"})
    assert other["message"]["id"] != first["message"]["id"]
    await until(lambda: len(bob.messages()) == 2)
    await asyncio.sleep(0.2)
    assert [m["body"] for m in bob.messages()] == ["said once", "said once"]
    _, page = await bob.http.get(f"/api/chat?room={ROOM}")
    assert len(page["messages"]) == 2
    # Keys are per author: Bob's message with Alice's key is his own.
    bobs = await bob.sio.call("chat.send", send)
    assert bobs["ok"] and bobs["message"]["author"] == "bob"


async def test_a_client_key_is_checked(base):
    alice = base["people"]["alice"]
    short = await alice.sio.call("chat.send", {"room": ROOM, "body": "x", "client_key": "k"})
    assert short["ok"] is False and short["error"]["code"] == "invalid_input"
    assert "client_key" in short["error"]["message"]
    await alice.sio.call("chat.send", {"room": ROOM, "body": "x", "client_key": "used-here-1"})
    _, made = await alice.http.post(f"/api/rfcs/{SLUG}/branches", {"name": "elsewhere"})
    elsewhere = f"branch:rfcs/meta:{made['branch']['name']}"
    moved = await alice.sio.call("chat.send", {"room": elsewhere, "body": "x",
                                               "client_key": "used-here-1"})
    assert moved["ok"] is False and moved["error"]["code"] == "invalid_input"


async def test_reconnecting_fetches_what_was_missed_once_and_in_order(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await bob.join(ROOM)
    first = (await alice.send("before the cut"))["message"]
    await until(lambda: len(bob.messages()) == 1)
    last_seen = bob.messages()[-1]["id"]
    await bob.sio.disconnect()
    for n in range(3):
        await alice.send(f"while away {n}")
    await bob.connect(base["url"])
    await bob.join(ROOM)
    _, missed = await bob.http.get(f"/api/chat?room={ROOM}&after={last_seen}")
    assert [m["body"] for m in missed["messages"]] == [f"while away {n}" for n in range(3)]
    assert all(m["id"] > first["id"] for m in missed["messages"])
    await alice.send("after the return")
    await until(lambda: bob.messages()[-1]["body"] == "after the return")
    live_ids = [m["id"] for m in bob.messages()]
    assert len(live_ids) == len(set(live_ids)) == 2


async def test_history_pages_backwards(base):
    alice = base["people"]["alice"]
    for n in range(7):
        await alice.send(f"m{n}")
    _, newest = await alice.http.get(f"/api/chat?room={ROOM}&limit=3")
    assert [m["body"] for m in newest["messages"]] == ["m4", "m5", "m6"]
    assert newest["has_more"] is True
    _, older = await alice.http.get(
        f"/api/chat?room={ROOM}&limit=3&before={newest['messages'][0]['id']}")
    assert [m["body"] for m in older["messages"]] == ["m1", "m2", "m3"]
    _, oldest = await alice.http.get(
        f"/api/chat?room={ROOM}&limit=3&before={older['messages'][0]['id']}")
    assert [m["body"] for m in oldest["messages"]] == ["m0"] and oldest["has_more"] is False


async def test_authors_edit_and_delete_their_own_messages_live(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await bob.join(ROOM)
    sent = (await alice.send("tpyo"))["message"]
    refused = await bob.sio.call("chat.edit", {"id": sent["id"], "body": "hijacked"})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    edited = await alice.sio.call("chat.edit", {"id": sent["id"], "body": "typo"})
    assert edited["ok"] and edited["message"]["edited_at"]
    deleted = await alice.sio.call("chat.delete", {"id": sent["id"]})
    assert deleted["message"]["deleted"] is True and deleted["message"]["body"] is None
    await until(lambda: len(bob.messages()) == 3)
    assert [(m["body"], m["deleted"]) for m in bob.messages()] == [
        ("tpyo", False), ("typo", False), (None, True)]


async def test_bad_messages_and_anonymous_senders_are_refused(base, make_client):
    alice = base["people"]["alice"]
    for body in ("", "   ", "x" * 10_001, "\u0000", "bell\u0007"):
        answer = await alice.send(body)
        assert answer["ok"] is False and answer["error"]["code"] == "invalid_input"
    missing = await alice.sio.call("chat.send", {"room": ROOM})
    assert missing["error"]["details"]["field"] == "body"
    unknown = await alice.send("hi", room="branch:rfcs/meta:rfc/chatty/nope")
    assert unknown["error"]["code"] == "not_found"
    stranger = Person(make_client())
    await stranger.connect(base["url"])
    answer = await stranger.send("hello?")
    assert answer["ok"] is False and answer["error"]["code"] == "not_signed_in"
    await stranger.sio.disconnect()
    _, page = await alice.http.get(f"/api/chat?room={ROOM}")
    assert page["messages"] == []


async def test_sending_too_fast_is_refused_with_a_clear_error(base):
    alice = base["people"]["alice"]
    answers = [await alice.send(f"burst {n}") for n in range(21)]
    assert all(a["ok"] for a in answers[:20])
    assert answers[20]["ok"] is False
    assert answers[20]["error"]["code"] == "rate_limited"
    assert "too fast" in answers[20]["error"]["message"]


async def test_edits_count_against_the_same_limit(base):
    alice = base["people"]["alice"]
    first = (await alice.send("to be polished"))["message"]
    for n in range(19):
        assert (await alice.sio.call("chat.edit", {"id": first["id"], "body": f"v{n}"}))["ok"]
    refused = await alice.sio.call("chat.edit", {"id": first["id"], "body": "one more"})
    assert refused["ok"] is False and refused["error"]["code"] == "rate_limited"


async def test_an_oversized_socket_payload_is_refused(base):
    alice = base["people"]["alice"]
    with pytest.raises(Exception):  # noqa: B017 - the server drops the connection
        await alice.sio.call("chat.send", {"room": ROOM, "body": "x" * 100_000}, timeout=5)
    _, page = await alice.http.get(f"/api/chat?room={ROOM}")
    assert page["messages"] == []


async def set_branch_state(app, state: str) -> None:  # type: ignore[no-untyped-def]
    name = f"rfc/{SLUG}/talk"
    if state == "closed":
        await close_branch(app, name)
    else:
        await delete_branch(app, name)
    async with app.services.domain.store.read() as uow:
        assert (await uow.branches.get("rfcs/meta", name)).state == state


@pytest.mark.parametrize("state", ["closed", "deleted"])
async def test_a_closed_or_deleted_branch_keeps_a_read_only_chat(base, state):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    kept = (await alice.send("said while open"))["message"]
    await bob.sio.call("chat.seen", {"room": ROOM, "last_id": kept["id"]})
    await set_branch_state(base["app"], state)
    answer = await alice.send("said after")
    assert answer["ok"] is False and answer["error"]["code"] == "chat_closed"
    assert (await alice.sio.call("chat.edit", {"id": kept["id"], "body": "x"}))["ok"] is False
    await alice.join(ROOM)
    typing = await alice.sio.call("chat.typing", {"room": ROOM})
    assert typing["ok"] is False and typing["error"]["code"] == "chat_closed"
    _, page = await bob.http.get(f"/api/chat?room={ROOM}")
    assert [m["body"] for m in page["messages"]] == ["said while open"]
    assert state in page["read_only"], "the notice says why the chat is read-only"
    assert page["last_seen_id"] == kept["id"], "read cursors outlive the branch"


async def test_unread_counts_follow_read_cursors(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await alice.join(f"rfc:{SLUG}")
    for n in range(3):
        last = (await bob.send(f"news {n}"))["message"]
    _, unread = await alice.http.get(f"/api/rfcs/{SLUG}/unread")
    assert unread == {"rooms": {ROOM: 3}}
    _, by_rfc = await alice.http.get("/api/unread")
    assert by_rfc == {"rfcs": {SLUG: 3}}
    _, own = await bob.http.get(f"/api/rfcs/{SLUG}/unread")
    assert own == {"rooms": {}}, "your own messages are not unread"
    await until(lambda: any(n == "chat.activity" for n, _ in alice.heard))
    seen = await alice.sio.call("chat.seen", {"room": ROOM, "last_id": last["id"] + 100})
    assert seen == {"ok": True, "last_seen_id": last["id"]}, "a cursor never passes the end"
    backwards = await alice.sio.call("chat.seen", {"room": ROOM, "last_id": 1})
    assert backwards["last_seen_id"] == last["id"], "a cursor never moves back"
    _, after = await alice.http.get(f"/api/rfcs/{SLUG}/unread")
    assert after == {"rooms": {}}


async def test_presence_counts_people_not_tabs_and_follows_idle(base, app):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    second_tab = Person(alice.http)
    await second_tab.connect(base["url"])
    room = f"rfc:{SLUG}"
    await bob.join(room)
    await alice.join(room)
    joined = await second_tab.join(room)
    assert [p["login"] for p in joined["presence"]] == ["alice", "bob"]

    def latest() -> list[dict[str, Any]]:
        return [d for n, d in bob.heard if n == "presence"][-1]["people"]

    await alice.sio.call("presence.state", {"idle": True})
    await until(lambda: latest() == [
        {"login": "alice", "display_name": "alice", "idle": False},
        {"login": "bob", "display_name": "bob", "idle": False}])
    await second_tab.sio.call("presence.state", {"idle": True})
    await until(lambda: latest()[0]["idle"] is True)
    await second_tab.sio.disconnect()
    await until(lambda: latest()[0]["idle"] is True and len(latest()) == 2)
    await alice.sio.call("unsubscribe", {"room": room})
    await until(lambda: [p["login"] for p in latest()] == ["bob"])


async def test_typing_reaches_the_others_but_not_the_typist(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await alice.join(ROOM)
    await bob.join(ROOM)
    assert (await alice.sio.call("chat.typing", {"room": ROOM}))["ok"]
    await until(lambda: any(n == "chat.typing" for n, _ in bob.heard))
    assert not any(n == "chat.typing" for n, _ in alice.heard)
    outside = await alice.sio.call("chat.typing", {"room": "rfc:other"})
    assert outside["ok"] is False


async def test_discussion_threads_have_live_messages(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    await bob.join(f"rfc:{SLUG}")
    status, made = await alice.http.post(f"/api/rfcs/{SLUG}/threads",
                                         {"title": "Naming", "body": "What do we call it?"})
    assert status == 201, made
    thread_room = made["thread"]["room"]
    await bob.join(thread_room)
    reply = await bob.send("Call it *Fred*", room=thread_room)
    assert reply["ok"] and "<em>Fred</em>" in reply["message"]["html"]
    _, listed = await alice.http.get(f"/api/rfcs/{SLUG}/threads")
    assert [(t["title"], t["messages"]) for t in listed["threads"]] == [("Naming", 2)]
    await until(lambda: any(n == "chat.message" for n, _ in bob.heard))
    bad = await alice.http.post(f"/api/rfcs/{SLUG}/threads", {"title": "", "body": "x"})
    assert bad[0] == 422
    assert (await alice.http.post("/api/rfcs/nope-nope/threads",
                                  {"title": "x", "body": "y"}))[0] == 404


async def test_a_removed_rfcs_threads_are_kept_read_only(base):
    alice, bob = base["people"]["alice"], base["people"]["bob"]
    _, made = await alice.http.post(f"/api/rfcs/{SLUG}/threads",
                                    {"title": "Scope", "body": "Too wide?"})
    room = made["thread"]["room"]
    await bob.join(room)
    await remove_rfc(base["app"], SLUG)
    answer = await bob.send("Still here?", room=room)
    assert answer["ok"] is False and answer["error"]["code"] == "chat_closed"
    _, page = await bob.http.get(f"/api/chat?room={room}")
    assert [m["body"] for m in page["messages"]] == ["Too wide?"]
    assert "removed" in page["read_only"]



async def test_malformed_socket_events_get_an_answer_not_silence(base):
    alice = base["people"]["alice"]
    bare = await alice.sio.call("subscribe")
    assert bare["ok"] is False and bare["error"]["code"] == "invalid_input"
    huge = await alice.sio.call("chat.edit", {"id": 10**25, "body": "x"})
    assert huge["ok"] is False and huge["error"]["code"] == "invalid_input"
    room = await alice.send("hello", room=f"thread:{'9' * 25}")
    assert room["ok"] is False and room["error"]["code"] == "not_found"
