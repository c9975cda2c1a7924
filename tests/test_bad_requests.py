"""Requests no person should send still get a clear 4xx, never a 500, and change nothing."""

from __future__ import annotations

import pytest

from tests.support import seed_rfc, signed_in_client

SLUG = "sturdy"
HUGE = "9" * 25  # past SQLite's 64-bit integers


@pytest.fixture
async def alice(app, make_client):
    await seed_rfc(app, SLUG)
    return await signed_in_client(app, make_client, "alice")


@pytest.fixture
async def owner(app, make_client, alice):
    return await signed_in_client(app, make_client, "owner")


@pytest.mark.parametrize("path", [
    f"/api/proposals/{HUGE}", f"/api/threads/{HUGE}", f"/api/rfcs/{SLUG}/pulls/{HUGE}"])
async def test_an_id_too_large_for_the_database_is_not_found(alice, path):
    status, body = await alice.get(path)
    assert status == 404, body


@pytest.mark.parametrize("path", [
    f"/api/chat?room=thread:1&after={HUGE}", "/api/chat?room=thread:1&before=%C2%B2",
    f"/api/admin/users?page={HUGE}", f"/api/admin/audit?before={HUGE}",
    f"/api/admin/permission-events?before={HUGE}"])
async def test_a_query_number_out_of_range_is_refused(owner, path):
    status, body = await owner.get(path)
    assert status == 422, body
    assert "whole number" in body["error"]["message"]


async def test_a_huge_thread_room_is_not_found(alice):
    status, body = await alice.get(f"/api/chat?room=thread:{HUGE}")
    assert status == 404, body


async def test_a_body_that_is_not_utf8_is_refused(alice):
    response = await alice.client.post(
        "/api/proposals", data=b'{"title": "\xff\xfe", "slug": "abc-def"}',
        headers={"X-CSRF-Token": alice.csrf, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert (await response.get_json())["error"]["code"] == "bad_encoding"
    _, catalog = await alice.get("/api/catalog")
    assert catalog["pending"] == []


async def test_json_nested_beyond_reason_is_refused(alice):
    response = await alice.client.post(
        "/api/render", data=b"[" * 100_000,
        headers={"X-CSRF-Token": alice.csrf, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert (await response.get_json())["error"]["code"] == "bad_json"


@pytest.mark.parametrize(("name", "shown"), [
    ("x\u0000y", "U+0000"), ("abc\u202edef", "U+202E"), ("zero\u200bwidth", "U+200B")])
async def test_control_and_invisible_characters_in_branch_names_are_refused(alice, name, shown):
    status, body = await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": name})
    assert status == 422, body
    assert shown in body["error"]["message"]


@pytest.mark.parametrize(("first", "second"), [("a/b", "a/b/c"), ("a/b/c", "a/b")])
async def test_a_branch_name_cannot_be_a_folder_of_another(alice, first, second):
    assert (await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": first}))[0] == 201
    status, body = await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": second})
    assert status == 409, body
    assert body["error"]["code"] == "branch_name_clash"
    assert f"“{first}”" in body["error"]["message"]
