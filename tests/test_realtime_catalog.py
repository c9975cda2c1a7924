"""The catalog room over real Socket.IO clients against the server on loopback."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import socketio

from tests.support import PASSWORD, add_account, running_server


class Watcher:
    """A Socket.IO client that records every catalog event it receives."""

    def __init__(self, cookies: dict[str, str] | None = None) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.cookies = cookies or {}
        self.arrived = asyncio.Event()
        for name in ("proposal.opened", "proposal.merged", "proposal.closed", "rfc.updated"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: dict[str, Any]) -> None:
            self.events.append((name, data))
            self.arrived.set()
        return record

    async def connect(self, url: str) -> None:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        await self.sio.connect(url, headers={"Cookie": header} if header else {},
                               transports=["websocket"])

    async def wait_for(self, name: str, timeout: float = 10) -> dict[str, Any]:
        async def seen() -> dict[str, Any]:
            while True:
                for event, data in self.events:
                    if event == name:
                        return data
                self.arrived.clear()
                await self.arrived.wait()
        return await asyncio.wait_for(seen(), timeout)


async def signed_in_http(base: str, login: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base)
    me = (await http.get("/api/me")).json()
    response = await http.post("/auth/login", json={"username": login, "password": PASSWORD},
                               headers={"X-CSRF-Token": me["csrf_token"]})
    assert response.status_code == 200, response.text
    http.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return http


@pytest.fixture
async def live(app):
    await add_account(app, "alice")
    await add_account(app, "owner")
    async with running_server(app) as base:
        yield base


async def test_a_second_client_sees_the_proposal_appear_then_merge(live):
    alice = await signed_in_http(live, "alice")
    owner = await signed_in_http(live, "owner")
    anonymous = Watcher()
    signed_in = Watcher(cookies=dict(owner.cookies))
    try:
        for watcher in (anonymous, signed_in):
            await watcher.connect(live)
            ack = await watcher.sio.call("subscribe", {"room": "catalog"})
            assert ack == {"ok": True, "room": "catalog"}

        created = await alice.post("/api/proposals", json={
            "title": "Live catalog", "slug": "live-catalog", "pitch": "Watch it happen."})
        assert created.status_code == 201, created.text
        number = created.json()["proposal"]["number"]
        for watcher in (anonymous, signed_in):
            opened = await watcher.wait_for("proposal.opened")
            assert opened["proposal"]["number"] == number
            assert opened["proposal"]["slug"] == "live-catalog"

        merged = await owner.post(f"/api/proposals/{number}/merge", json={})
        assert merged.status_code == 200, merged.text
        for watcher in (anonymous, signed_in):
            data = await watcher.wait_for("proposal.merged")
            assert data["proposal"]["state"] == "merged"
            assert data["rfc"]["slug"] == "live-catalog"
            assert data["rfc"]["state"] == "super-draft"
        # Each event arrives once per client, even though it is sent to several rooms.
        names = [name for name, _ in anonymous.events]
        assert names.count("proposal.opened") == 1
        assert names.count("proposal.merged") == 1
    finally:
        for watcher in (anonymous, signed_in):
            await watcher.sio.disconnect()
        await alice.aclose()
        await owner.aclose()


async def test_sockets_outside_the_catalog_room_hear_nothing(live):
    alice = await signed_in_http(live, "alice")
    bystander = Watcher()
    listener = Watcher()
    try:
        await bystander.connect(live)
        await listener.connect(live)
        await listener.sio.call("subscribe", {"room": "catalog"})
        await alice.post("/api/proposals", json={"title": "Quiet", "slug": "quiet-one",
                                                 "pitch": ""})
        await listener.wait_for("proposal.opened")
        await asyncio.sleep(0.2)
        assert bystander.events == []
    finally:
        await bystander.sio.disconnect()
        await listener.sio.disconnect()
        await alice.aclose()


async def test_private_rooms_are_refused_to_anonymous_sockets(live):
    watcher = Watcher()
    try:
        await watcher.connect(live)
        for room in ("admin", "user:1", "nonsense"):
            ack = await watcher.sio.call("subscribe", {"room": room})
            assert ack["ok"] is False
            assert ack["error"]["code"] == "forbidden"
        bad = await watcher.sio.call("subscribe", "catalog")
        assert bad["ok"] is False and bad["error"]["code"] == "invalid_input"
    finally:
        await watcher.sio.disconnect()


async def refusal(base: str, cookies: dict[str, str]) -> dict[str, Any]:
    """Why a socket with these cookies was refused (it must be)."""
    watcher = Watcher(cookies=cookies)
    reasons: list[Any] = []
    watcher.sio.on("connect_error", lambda data: reasons.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await watcher.connect(base)
    assert reasons, "refused without a reason"
    return dict(reasons[0])


async def test_a_forged_session_cookie_is_refused_with_a_reason(live):
    refused = await refusal(live, {"rfc_session": "eyJ1aWQiOjF9.forged.signature"})
    assert refused["data"]["code"] == "session_invalid"
    assert "sign in again" in refused["message"]


async def test_a_signed_in_socket_may_join_its_own_user_room_only(live):
    owner = await signed_in_http(live, "owner")
    me = (await owner.get("/api/me")).json()["user"]
    watcher = Watcher(cookies=dict(owner.cookies))
    try:
        await watcher.connect(live)
        own = await watcher.sio.call("subscribe", {"room": f"user:{me['id']}"})
        other = await watcher.sio.call("subscribe", {"room": f"user:{me['id'] + 1}"})
        admin = await watcher.sio.call("subscribe", {"room": "admin"})
        assert own["ok"] is True
        assert other["ok"] is False
        assert admin["ok"] is True
    finally:
        await watcher.sio.disconnect()
        await owner.aclose()


async def test_a_revoked_session_is_refused_not_taken_as_anonymous(live):
    """A suspension ends every session; restoring the account does not bring them back."""
    alice = await signed_in_http(live, "alice")
    owner = await signed_in_http(live, "owner")
    kept_cookies = dict(alice.cookies)
    me = (await alice.get("/api/me")).json()["user"]
    try:
        for act, body in (("suspend", {"reason": "Spam"}), ("restore", {})):
            done = await owner.post(f"/api/admin/users/{me['id']}/{act}", json=body)
            assert done.status_code == 200, done.text
        refused = await refusal(live, kept_cookies)
        assert refused["data"]["code"] == "session_invalid"
        assert "sign in again" in refused["message"]
    finally:
        await alice.aclose()
        await owner.aclose()
