"""Branch names survive URLs exactly: slashes, dots, plus signs, non-ASCII, percent signs."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.support import PASSWORD, running_server, seed_rfc, signed_in_client

SLUG = "path-test"
ODD_NAMES = [
    "plain",
    "alice/fix-typos",
    "deep/er/and/deeper",
    "v1.2.3",
    "c++-syntax",
    "résumé/naïve-ß",
    "日本語",
    "100%-done",
    "issue#42",
    "with;semicolon&and=equals",
]
REFUSED = ["a..b", "ends.lock", "has space", "trailing/", "double//slash", "tilde~1",
           "colon:x", "caret^", "question?mark*", "back\\slash", "@{-1}"]


def url_of(name: str) -> str:
    """How the browser client builds a branch URL: each segment percent-encoded once."""
    return "/".join(quote(segment, safe="") for segment in name.split("/"))


@pytest.fixture
async def alice(app, make_client):
    await seed_rfc(app, SLUG)
    return await signed_in_client(app, make_client, "alice")


@pytest.mark.parametrize("name", ODD_NAMES)
async def test_a_branch_name_round_trips_through_every_route(alice, name):
    status, created = await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": name})
    assert status == 201, created
    assert created["branch"]["short"] == name
    assert created["branch"]["name"] == f"rfc/{SLUG}/{name}"

    status, detail = await alice.get(f"/api/rfcs/{SLUG}/branches/{url_of(name)}")
    assert status == 200, detail
    assert detail["branch"]["short"] == name

    saved = await alice.put(f"/api/rfcs/{SLUG}/branches/{url_of(name)}/body",
                            {"markdown": f"Edited on {name}\n",
                             "base_sha": detail["branch"]["head"], "message": "edit"})
    assert saved[0] == 200, saved
    opened = await alice.post(f"/api/rfcs/{SLUG}/branches/{url_of(name)}/pulls",
                              {"title": f"From {name}"})
    assert opened[0] == 201, opened
    assert opened[1]["pull"]["head_branch"] == f"rfc/{SLUG}/{name}"

    _, page = await alice.get(f"/api/rfcs/{SLUG}")
    assert name in [b["short"] for b in page["branches"]]


@pytest.mark.parametrize("name", REFUSED)
async def test_names_git_refuses_get_a_clear_message(alice, name):
    status, body = await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": name})
    assert status == 422, body
    assert body["error"]["details"]["field"] == "name"
    assert body["error"]["message"]
    _, page = await alice.get(f"/api/rfcs/{SLUG}")
    assert page["branches"] == []


async def test_an_encoded_slash_means_the_same_branch(alice):
    await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": "alice/fix"})
    status, detail = await alice.get(f"/api/rfcs/{SLUG}/branches/alice%2Ffix")
    assert status == 200
    assert detail["branch"]["short"] == "alice/fix"


async def test_branch_screens_with_slashes_serve_the_client(app, alice, tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>client</title>")
    app.config["STATIC_APP_DIR"] = tmp_path
    response = await alice.client.get(f"/rfcs/{SLUG}/branches/{url_of('alice/fix-typos')}")
    assert response.status_code == 200
    assert "<title>client</title>" in await response.get_data(as_text=True)


async def test_names_round_trip_over_a_real_http_server(app, alice):
    """Through uvicorn's own path decoding, not only the in-process test client."""
    async with running_server(app) as base, httpx.AsyncClient(base_url=base) as http:
        me = (await http.get("/api/me")).json()
        signed = await http.post("/auth/login", json={"username": "alice",
                                                      "password": PASSWORD},
                                 headers={"X-CSRF-Token": me["csrf_token"]})
        token = signed.json()["csrf_token"]
        for name in ("résumé/naïve-ß", "100%-done", "c++-syntax", "issue#42"):
            made = await http.post(f"/api/rfcs/{SLUG}/branches", json={"name": name},
                                   headers={"X-CSRF-Token": token})
            assert made.status_code == 201, made.text
            got = await http.get(f"/api/rfcs/{SLUG}/branches/{url_of(name)}")
            assert got.status_code == 200, (name, got.text)
            assert got.json()["branch"]["short"] == name
