"""Pins and removals as the browser client learns of them: who is offered Pin / Unpin
(the server says, per viewer), and what the `rfc:<slug>` and catalog rooms hear when a
branch is pinned or an RFC's file leaves the default branch. Real sockets on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import socketio

from tests.support import (
    ApiClient,
    delete_branch,
    remove_rfc,
    running_server,
    seed_rfc,
    signed_in_client,
)

SLUG = "pinnable"
BASE = f"/api/rfcs/{SLUG}"
HEARD = ("branch.updated", "rfc.removed", "rfc.updated")


class Ear:
    """A socket in some rooms, recording the events the client cares about here."""

    def __init__(self, http: ApiClient | None = None) -> None:
        self.http = http
        self.sio = socketio.AsyncClient(reconnection=False)
        self.heard: list[tuple[str, dict[str, Any]]] = []
        for name in HEARD:
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: dict[str, Any]) -> None:
            self.heard.append((name, data))
        return record

    async def connect(self, base: str, *rooms: str) -> None:
        cookie = ""
        if self.http is not None:
            cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.client.cookie_jar)
        await self.sio.connect(base, headers={"Cookie": cookie} if cookie else {},
                               transports=["websocket"])
        for room in rooms:
            ack = await self.sio.call("subscribe", {"room": room})
            assert ack["ok"], ack

    def of(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self.heard if event == name]


async def until(check, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def people(app, make_client) -> dict[str, ApiClient]:
    await seed_rfc(app, SLUG)
    clients = {login: await signed_in_client(app, make_client, login)
               for login in ("alice", "owner")}
    status, made = await clients["alice"].post(f"{BASE}/branches", {"name": "keep"})
    assert status == 201, made
    return clients


@pytest.fixture
async def live(app, people) -> AsyncIterator[str]:
    async with running_server(app) as url:
        yield url


async def test_only_the_owner_and_admins_are_offered_pinning(app, people, client):
    owner, alice = people["owner"], people["alice"]
    for who, expected in ((owner, True), (alice, False), (client, False)):
        _, page = await who.get(BASE)
        assert page["can_pin"] is expected
        _, branch = await who.get(f"{BASE}/branches/keep")
        assert branch["can_pin"] is expected
    await delete_branch(app, f"rfc/{SLUG}/keep")
    _, gone = await owner.get(f"{BASE}/branches/keep")
    assert gone["branch"]["state"] == "deleted"
    assert gone["can_pin"] is False, "a deleted branch has nothing left to pin"


async def test_a_pin_and_an_unpin_reach_the_rfc_room_and_converge(people, live):
    owner = people["owner"]
    reader = Ear()  # a signed-out reader on the RFC page
    bystander = Ear()  # only the catalog: pins are not catalog news
    try:
        await reader.connect(live, f"rfc:{SLUG}")
        await bystander.connect(live, "catalog")
        _, before = await owner.get(BASE)
        shown = {b["name"]: b for b in before["branches"]}

        status, pinned = await owner.post(f"{BASE}/branches/keep/pin")
        assert status == 200 and pinned["branch"]["pinned"] is True
        await until(lambda: len(reader.of("branch.updated")) == 1)
        # The reader's page, with the event applied, is what a fresh fetch shows.
        event = reader.of("branch.updated")[0]["branch"]
        shown[event["name"]] = event
        _, after = await owner.get(BASE)
        assert shown == {b["name"]: b for b in after["branches"]}
        assert event["pinned"] is True

        status, unpinned = await owner.post(f"{BASE}/branches/keep/unpin")
        assert status == 200 and unpinned["branch"]["pinned"] is False
        await until(lambda: len(reader.of("branch.updated")) == 2)
        assert reader.of("branch.updated")[1]["branch"]["pinned"] is False

        # Pinning what is pinned already changes nothing and says nothing.
        await owner.post(f"{BASE}/branches/keep/unpin")
        await asyncio.sleep(0.2)
        assert len(reader.of("branch.updated")) == 2
        assert bystander.of("branch.updated") == []
    finally:
        await reader.sio.disconnect()
        await bystander.sio.disconnect()


async def test_a_removed_rfc_leaves_the_catalog_and_its_page_hears_it(app, people, live, client):
    watcher = Ear()  # on the catalog
    reader = Ear(people["alice"])  # on the RFC's page
    try:
        await watcher.connect(live, "catalog")
        await reader.connect(live, f"rfc:{SLUG}")
        _, before = await client.get("/api/catalog")
        assert SLUG in [r["slug"] for r in before["rfcs"]]

        await remove_rfc(app, SLUG)

        await until(lambda: watcher.of("rfc.removed") and reader.of("rfc.removed"))
        assert watcher.of("rfc.removed") == [{"slug": SLUG}]
        assert reader.of("rfc.removed") == [{"slug": SLUG}]
        # The catalog with the event applied is the catalog a fresh fetch shows.
        gone = {e["slug"] for e in watcher.of("rfc.removed")}
        _, after = await client.get("/api/catalog")
        assert [r for r in before["rfcs"] if r["slug"] not in gone] == after["rfcs"]
        status, _ = await client.get(BASE)
        assert status == 404
        # What the page stops offering, the server refuses.
        status, refused = await people["alice"].post(f"{BASE}/branches", {"name": "late"})
        assert status == 404, refused
    finally:
        await watcher.sio.disconnect()
        await reader.sio.disconnect()
