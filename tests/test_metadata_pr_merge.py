"""Metadata pull requests: front matter only, refused early when invalid, live when merged."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio

from server.clock import FixedClock
from tests.support import running_server, seed_rfc, signed_in_client

SLUG = "meta-test"
BODY = "# Meta test\n\nThe body stays exactly as it is.\n\n---\n\nEven after a rule.\n"


@pytest.fixture
async def alice(app, make_client):
    await seed_rfc(app, SLUG, title="Meta test", body=BODY)
    return await signed_in_client(app, make_client, "alice")


@pytest.fixture
async def owner(app, make_client, alice):
    return await signed_in_client(app, make_client, "owner")


def branches(app) -> list[str]:
    out = subprocess.run(["git", "-C", str(app.settings.git_root / "rfcs" / "meta.git"),
                          "for-each-ref", "--format=%(refname:short)", "refs/heads"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(out.split())


async def test_a_metadata_change_edits_only_the_front_matter(app, alice):
    status, body = await alice.post(f"/api/rfcs/{SLUG}/metadata", {
        "title": "Meta test, renamed", "state": "accepted", "authors": ["alice", "@bob"],
        "description": "Accepted at the meeting"})
    assert status == 201, body
    pull = body["pull"]
    assert pull["kind"] == "metadata"
    assert pull["title"] == "Change title, state, authors of “Meta test”"
    assert pull["head_branch"].startswith(f"meta/{SLUG}/")
    _, detail = await alice.get(f"/api/rfcs/{SLUG}/pulls/{pull['number']}")
    changed = [line for h in detail["diff"] for line in h["lines"] if line["kind"] != "context"]
    texts = ["".join(s["text"] for s in line["segments"]) for line in changed]
    assert all(t.startswith(("title:", "state:", "authors:")) for t in texts), texts
    assert detail["rendered"]["before_html"] == detail["rendered"]["after_html"]
    d = app.services.domain
    file = await d.forge.read_file(d.meta_repo, f"rfcs/{SLUG}.md", pull["head_sha"])
    assert file.content.endswith("\n" + BODY), "the body is kept byte for byte"


@pytest.mark.parametrize(("change", "field"), [
    ({"state": "finished"}, "state"),
    ({"title": ""}, "title"),
    ({"title": "  "}, "title"),
    ({"slug": "another-slug"}, "slug"),
    ({"authors": []}, "authors"),
    ({"authors": ["not a login"]}, "authors"),
    ({"pitch": "p" * 501}, "pitch"),
    ({"colour": "blue"}, "colour"),
])
async def test_invalid_metadata_is_refused_before_any_pull_request(app, alice, change, field):
    before = branches(app)
    status, body = await alice.post(f"/api/rfcs/{SLUG}/metadata", change)
    assert status == 422, body
    assert body["error"]["details"]["field"] == field
    assert branches(app) == before
    _, page = await alice.get(f"/api/rfcs/{SLUG}")
    assert page["pulls"] == []


async def test_no_change_is_refused(alice):
    status, body = await alice.post(f"/api/rfcs/{SLUG}/metadata", {"title": "Meta test"})
    assert status == 422
    assert body["error"]["code"] == "nothing_to_propose"


async def test_signed_out_visitors_cannot_propose_metadata(client, app):
    await seed_rfc(app, SLUG)
    assert (await client.post(f"/api/rfcs/{SLUG}/metadata", {"state": "accepted"}))[0] == 401


async def test_merging_updates_catalog_and_rfc_page_live(app, alice, owner):
    _, body = await alice.post(f"/api/rfcs/{SLUG}/metadata",
                               {"title": "Meta test, accepted", "state": "accepted"})
    number = body["pull"]["number"]
    received: dict[str, list[dict[str, Any]]] = {"catalog": [], "rfc": []}
    catalog_watcher = socketio.AsyncClient(reconnection=False)
    rfc_watcher = socketio.AsyncClient(reconnection=False)
    catalog_watcher.on("rfc.updated", lambda data: received["catalog"].append(data))
    rfc_watcher.on("rfc.updated", lambda data: received["rfc"].append(data))
    async with running_server(app) as base:
        try:
            await catalog_watcher.connect(base, transports=["websocket"])
            await rfc_watcher.connect(base, transports=["websocket"])
            assert (await catalog_watcher.call("subscribe", {"room": "catalog"}))["ok"]
            assert (await rfc_watcher.call("subscribe", {"room": f"rfc:{SLUG}"}))["ok"]
            status, merged = await owner.post(f"/api/rfcs/{SLUG}/pulls/{number}/merge")
            assert status == 200, merged
            for _ in range(100):
                if received["catalog"] and received["rfc"]:
                    break
                await asyncio.sleep(0.05)
        finally:
            await catalog_watcher.disconnect()
            await rfc_watcher.disconnect()
    for room in ("catalog", "rfc"):
        [event] = received[room]
        assert event["rfc"]["title"] == "Meta test, accepted"
        assert event["rfc"]["state"] == "accepted"
    _, catalog = await owner.get("/api/catalog")
    [entry] = catalog["rfcs"]
    assert (entry["title"], entry["state"]) == ("Meta test, accepted", "accepted")


class TestWithTimeStandingStill:
    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(datetime(2026, 12, 4, 9, 30, tzinfo=UTC))

    async def test_two_changes_in_one_second_get_their_own_branches(self, app, alice):
        """Branch names carry the time to the second: a second change then must not clash."""
        first = await alice.post(f"/api/rfcs/{SLUG}/metadata", {"state": "accepted"})
        second = await alice.post(f"/api/rfcs/{SLUG}/metadata", {"state": "withdrawn"})
        assert (first[0], second[0]) == (201, 201), (first, second)
        assert first[1]["pull"]["head_branch"] != second[1]["pull"]["head_branch"]
        _, page = await alice.get(f"/api/rfcs/{SLUG}")
        assert len(page["pulls"]) == 2
