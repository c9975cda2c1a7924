"""Roles, suspensions, maintainers and the audit trail through the admin API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import socketio

from server.clock import FixedClock
from tests.support import PASSWORD, running_server, seed_rfc, signed_in_client


@pytest.fixture
async def people(app, make_client) -> dict[str, Any]:
    clients = {login: await signed_in_client(app, make_client, login)
               for login in ("owner", "alice", "bob")}
    ids = {}
    async with app.services.domain.store.read() as uow:
        for login in clients:
            ids[login] = (await uow.users.by_login(login)).id
    return {"clients": clients, "ids": ids}


def c(people, login):
    return people["clients"][login]


def uid(people, login):
    return people["ids"][login]


async def test_only_staff_reach_the_admin_api(people, client):
    assert (await client.get("/api/admin/users"))[0] == 401
    assert (await c(people, "alice").get("/api/admin/users"))[0] == 403
    status, body = await c(people, "owner").get("/api/admin/users")
    assert status == 200
    assert [u["login"] for u in body["users"]] == ["alice", "bob", "owner"]


async def test_search_finds_users_by_login_name_or_email(people):
    _, body = await c(people, "owner").get("/api/admin/users?q=alic")
    assert [u["login"] for u in body["users"]] == ["alice"]
    _, none = await c(people, "owner").get("/api/admin/users?q=%25")
    assert none["users"] == [], "a percent sign is searched literally"


async def test_promoting_records_a_permission_event_and_an_audit_entry(people):
    owner = c(people, "owner")
    status, body = await owner.post(f"/api/admin/users/{uid(people, 'alice')}/role",
                                    {"role": "admin", "reason": "Runs the process"})
    assert status == 200, body
    assert body["user"]["role"] == "admin"
    _, events = await owner.get("/api/admin/permission-events")
    [event] = events["events"]
    assert (event["actor"], event["subject"], event["from"], event["to"], event["reason"]) == (
        "owner", "alice", "contributor", "admin", "Runs the process")
    _, audit = await owner.get("/api/admin/audit?kind=change_role")
    [entry] = audit["entries"]
    assert entry["actor"] == "owner" and entry["target"] == f"user:{uid(people, 'alice')}"
    status, me = await c(people, "alice").get("/api/me")
    assert me["user"]["role"] == "admin", "the new role applies without signing out"


async def test_an_admin_cannot_make_owners_or_demote_the_owner(people):
    owner, alice = c(people, "owner"), c(people, "alice")
    await owner.post(f"/api/admin/users/{uid(people, 'alice')}/role", {"role": "admin"})
    made_owner = await alice.post(f"/api/admin/users/{uid(people, 'bob')}/role",
                                  {"role": "owner"})
    assert made_owner[0] == 403
    demoted = await alice.post(f"/api/admin/users/{uid(people, 'owner')}/role",
                               {"role": "contributor"})
    assert demoted[0] == 403 and demoted[1]["error"]["code"] == "owner_protected"
    suspended = await alice.post(f"/api/admin/users/{uid(people, 'owner')}/suspend",
                                 {"reason": "coup"})
    assert suspended[0] == 403


async def test_only_an_owner_lifts_an_admins_suspension(people):
    owner, alice, bob = c(people, "owner"), c(people, "alice"), c(people, "bob")
    for login in ("alice", "bob"):
        await owner.post(f"/api/admin/users/{uid(people, login)}/role", {"role": "admin"})
    assert (await owner.post(f"/api/admin/users/{uid(people, 'bob')}/suspend",
                             {"reason": "Leaked a token"}))[0] == 200
    status, body = await alice.post(f"/api/admin/users/{uid(people, 'bob')}/restore", {})
    assert status == 403, body
    assert body["error"]["message"] == "Only an owner can restore an admin."
    _, users = await owner.get("/api/admin/users?q=bob")
    assert users["users"][0]["suspended"], "the refused restore changed nothing"
    assert (await owner.post(f"/api/admin/users/{uid(people, 'bob')}/restore", {}))[0] == 200
    assert (await bob.sign_in("bob"))["user"]["login"] == "bob"


async def test_an_admin_cannot_demote_another_admin_to_suspend_them(people):
    owner, alice = c(people, "owner"), c(people, "alice")
    for login in ("alice", "bob"):
        await owner.post(f"/api/admin/users/{uid(people, login)}/role", {"role": "admin"})
    status, body = await alice.post(f"/api/admin/users/{uid(people, 'bob')}/role",
                                    {"role": "contributor"})
    assert status == 403, body
    assert body["error"]["message"] == "Only an owner can change an admin's role."
    assert (await alice.post(f"/api/admin/users/{uid(people, 'bob')}/suspend",
                             {"reason": "coup"}))[0] == 403
    _, users = await owner.get("/api/admin/users?q=bob")
    assert users["users"][0]["role"] == "admin" and not users["users"][0]["suspended"]


async def test_there_is_always_an_owner(people):
    owner = c(people, "owner")
    status, body = await owner.post(f"/api/admin/users/{uid(people, 'owner')}/role",
                                    {"role": "admin"})
    assert status == 409 and body["error"]["code"] == "last_owner"
    await owner.post(f"/api/admin/users/{uid(people, 'bob')}/role", {"role": "owner"})
    status, body = await owner.post(f"/api/admin/users/{uid(people, 'owner')}/role",
                                    {"role": "admin"})
    assert status == 200, "with a second owner the first may step down"


@pytest.mark.parametrize(("path", "payload", "status"), [
    ("/api/admin/users/9999/role", {"role": "admin"}, 404),
    ("/api/admin/users/{bob}/role", {"role": "emperor"}, 422),
    ("/api/admin/users/{bob}/role", {"role": "contributor"}, 409),
    ("/api/admin/users/{bob}/role", {"role": "admin", "extra": 1}, 422),
    ("/api/admin/users/{bob}/suspend", {"reason": ""}, 422),
    ("/api/admin/users/{bob}/restore", {}, 409),
    ("/api/admin/users/{bob}/maintainer", {"slug": "no-such-rfc"}, 404),
])
async def test_bad_admin_requests_are_refused_and_change_nothing(people, path, payload,
                                                                  status):
    owner = c(people, "owner")
    got, body = await owner.post(path.format(bob=uid(people, "bob")), payload)
    assert got == status, body
    assert body["error"]["message"]
    _, events = await owner.get("/api/admin/permission-events")
    assert events["events"] == []


async def test_suspension_ends_sessions_and_blocks_sign_in_until_restored(app, people,
                                                                          make_client):
    owner, bob = c(people, "owner"), c(people, "bob")
    status, _ = await owner.post(f"/api/admin/users/{uid(people, 'bob')}/suspend",
                                 {"reason": "spam"})
    assert status == 200
    _, me = await bob.get("/api/me")
    assert me["user"] is None
    assert "suspended" in me["notice"]
    assert (await bob.post("/api/proposals", {"title": "Spam", "slug": "spam-spam"}))[0] == 401
    fresh = make_client()
    refused = await fresh.post("/auth/login", {"username": "bob", "password": PASSWORD})
    assert refused[0] == 403 and refused[1]["error"]["code"] == "suspended"
    await owner.post(f"/api/admin/users/{uid(people, 'bob')}/restore", {"reason": "ok"})
    _, old_session = await bob.get("/api/me")
    assert old_session["user"] is None, "restoring does not revive old sessions"
    assert (await fresh.sign_in("bob"))["user"]["login"] == "bob"


async def test_a_maintainer_may_merge_their_rfcs_pull_requests(app, people):
    await seed_rfc(app, "kept-rfc")
    owner, alice, bob = c(people, "owner"), c(people, "alice"), c(people, "bob")
    _, made = await alice.post("/api/rfcs/kept-rfc/branches", {"name": "edit"})
    await alice.put("/api/rfcs/kept-rfc/branches/edit/body",
                    {"markdown": "Changed\n", "base_sha": made["branch"]["head"]})
    _, opened = await alice.post("/api/rfcs/kept-rfc/branches/edit/pulls", {"title": "Edit it"})
    number = opened["pull"]["number"]
    assert (await bob.post(f"/api/rfcs/kept-rfc/pulls/{number}/merge"))[0] == 403
    granted = await owner.post(f"/api/admin/users/{uid(people, 'bob')}/maintainer",
                               {"slug": "kept-rfc", "reason": "knows it best"})
    assert granted[0] == 200 and granted[1]["user"]["maintainer_of"] == ["kept-rfc"]
    _, page = await bob.get("/api/rfcs/kept-rfc")
    assert page["maintainers"] == ["bob"] and page["can_merge"] is True
    assert (await bob.post(f"/api/rfcs/kept-rfc/pulls/{number}/merge"))[0] == 200
    _, events = await owner.get("/api/admin/permission-events?subject=bob")
    assert events["events"][0]["scope"] == "rfc:kept-rfc"


async def test_audit_log_filters_and_pages(app, people):
    owner, alice = c(people, "owner"), c(people, "alice")
    for n in range(3):
        await alice.post("/api/proposals", {"title": f"Idea {n}", "slug": f"idea-{n}"})
    await owner.post(f"/api/admin/users/{uid(people, 'bob')}/role", {"role": "admin"})
    _, everything = await owner.get("/api/admin/audit")
    kinds = [e["kind"] for e in everything["entries"]]
    assert kinds[0] == "change_role", "newest first"
    assert kinds.count("propose_rfc") == 3
    _, by_alice = await owner.get("/api/admin/audit?actor=alice")
    assert {e["kind"] for e in by_alice["entries"]} == {"propose_rfc"}
    _, for_rfc = await owner.get("/api/admin/audit?rfc=idea-1")
    assert [e["details"]["slug"] for e in for_rfc["entries"]] == ["idea-1"]
    _, first = await owner.get("/api/admin/audit?kind=propose_rfc&limit=2")
    _, rest = await owner.get(
        f"/api/admin/audit?kind=propose_rfc&before={first['entries'][-1]['id']}")
    assert len(first["entries"]) == 2 and len(rest["entries"]) == 1
    assert (await owner.get("/api/admin/audit?before=abc"))[0] == 422
    _, proposal_entry = await owner.get("/api/admin/audit?kind=propose_rfc&limit=1")
    assert proposal_entry["entries"][0]["on_behalf_of"] == "rfc-bot"


async def test_graduation_queue_is_empty_until_graduation_exists(people):
    _, body = await c(people, "owner").get("/api/admin/graduation-queue")
    assert body == {"requests": []}
    assert (await c(people, "alice").get("/api/admin/graduation-queue"))[0] == 403


async def test_admin_room_streams_audit_and_suspension_ends_sockets(app, people):
    owner, bob = c(people, "owner"), c(people, "bob")
    async with running_server(app) as base:
        staff = socketio.AsyncClient(reconnection=False)
        target = socketio.AsyncClient(reconnection=False)
        streamed: list[dict[str, Any]] = []
        revoked: list[dict[str, Any]] = []
        staff.on("audit.appended", lambda data: streamed.append(data))
        target.on("session.revoked", lambda data: revoked.append(data))

        def cookie(client: Any) -> dict[str, str]:
            jar = client.client.cookie_jar
            return {"Cookie": "; ".join(f"{k.name}={k.value}" for k in jar)}

        await staff.connect(base, headers=cookie(owner), transports=["websocket"])
        await target.connect(base, headers=cookie(bob), transports=["websocket"])
        assert (await staff.call("subscribe", {"room": "admin"}))["ok"] is True
        assert (await target.call("subscribe", {"room": "admin"}))["ok"] is False
        await owner.post(f"/api/admin/users/{uid(people, 'bob')}/suspend", {"reason": "spam"})
        for _ in range(100):
            if streamed and not target.connected:
                break
            await asyncio.sleep(0.05)
        assert streamed[0]["entry"]["kind"] == "suspend_user"
        assert revoked == [{"reason": "Your account has been suspended."}]
        assert target.connected is False
        await staff.disconnect()


class TestLastSeen:
    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))

    async def test_last_seen_follows_use_not_only_sign_in(self, app, people, clock):
        async def seen(login: str) -> str:
            _, body = await c(people, "owner").get(f"/api/admin/users?q={login}")
            return str(body["users"][0]["last_seen_at"])

        assert await seen("alice") == "2027-03-01T09:00:00Z"
        clock.advance(timedelta(minutes=2))
        await c(people, "alice").get("/api/me")
        assert await seen("alice") == "2027-03-01T09:00:00Z", "noted at most every few minutes"
        clock.advance(timedelta(hours=3))
        await c(people, "alice").get("/api/me")
        assert await seen("alice") == "2027-03-01T12:02:00Z"


async def test_staff_stop_and_resume_email_to_an_address_with_an_audit_trail(app, people):
    owner, alice = c(people, "owner"), c(people, "alice")
    bob_id = uid(people, "bob")
    assert (await alice.post(f"/api/admin/users/{bob_id}/email", {"suppressed": True,
                                                                 "reason": "x"}))[0] == 403
    refused = await owner.post(f"/api/admin/users/{bob_id}/email", {"suppressed": True})
    assert refused[0] == 422 and refused[1]["error"]["details"]["field"] == "reason"
    status, body = await owner.post(f"/api/admin/users/{bob_id}/email",
                                    {"suppressed": True, "reason": "Asked for no email"})
    assert status == 200, body
    assert body["user"]["email_suppression"]["reason"] == "admin"
    assert body["user"]["email_suppression"]["details"] == "Asked for no email"
    again = await owner.post(f"/api/admin/users/{bob_id}/email",
                             {"suppressed": True, "reason": "twice"})
    assert again[0] == 409 and again[1]["error"]["code"] == "unchanged"
    _, listed = await owner.get("/api/admin/users?q=bob")
    assert listed["users"][0]["email_suppression"]["reason"] == "admin"
    status, body = await owner.post(f"/api/admin/users/{bob_id}/email", {"suppressed": False})
    assert status == 200 and body["user"]["email_suppression"] is None
    _, audit = await owner.get("/api/admin/audit?kind=suppress_email")
    assert [e["details"]["reason"] for e in audit["entries"]] == ["Asked for no email"]
    _, lifted = await owner.get("/api/admin/audit?kind=unsuppress_email")
    assert lifted["entries"][0]["details"]["was"] == "admin"


async def test_a_suppression_follows_the_address_whatever_its_case(app, people):
    """A bounce names an address as the mail server spelled it."""
    async with app.services.domain.store.write() as uow:
        await uow.users.suppress_email("ALICE@Example.Invalid", reason="bounce",
                                       details="550 no such user", at="2027-01-01T00:00:00Z",
                                       by=None)
    _, listed = await c(people, "owner").get("/api/admin/users?q=alice")
    assert listed["users"][0]["email_suppression"] == {
        "reason": "bounce", "details": "550 no such user", "at": "2027-01-01T00:00:00Z"}
