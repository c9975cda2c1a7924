"""Proposing an RFC and the owner's decision, through the HTTP API."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from server.clock import FixedClock
from tests.support import PASSWORD, ApiClient, add_account, seed_rfc


@pytest.fixture
async def alice(app, make_client) -> ApiClient:
    await add_account(app, "alice")
    c = make_client()
    await c.sign_in("alice")
    return c


@pytest.fixture
async def owner(app, make_client) -> ApiClient:
    await add_account(app, "owner")
    c = make_client()
    await c.sign_in("owner")
    return c


GOOD = {"title": "Better search", "slug": "better-search", "pitch": "Find RFCs by meaning."}


def meta_branches(app) -> list[str]:
    path = app.settings.git_root / "rfcs" / "meta.git"
    out = subprocess.run(["git", "-C", str(path), "for-each-ref", "--format=%(refname:short)",
                          "refs/heads"], capture_output=True, text=True, check=True).stdout
    return sorted(out.split())


async def test_me_gives_a_csrf_token_to_anonymous_visitors(client):
    status, body = await client.get("/api/me")
    assert status == 200
    assert body["user"] is None
    assert len(body["csrf_token"]) > 20
    assert body["sign_in"] == "password", "the embedded forge signs in with a password form"


async def test_the_session_cookie_is_signed_http_only_and_same_site(app, client):
    await add_account(app, "alice")
    response = await client.client.post("/auth/login", json={
        "username": "alice", "password": PASSWORD},
        headers={"X-CSRF-Token": (await client.refresh_csrf())["csrf_token"]})
    assert response.status_code == 200
    cookie = next(v for k, v in response.headers.items(lower=True) if k == "set-cookie"
                  and v.startswith("rfc_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie, "plain http on loopback: a Secure cookie would never return"
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "alice" not in value and value.count(".") >= 2, "signed, not a bare user id"


async def test_sign_in_without_csrf_token_is_refused(app, client):
    await add_account(app, "alice")
    status, body = await client.post("/auth/login", {"username": "alice", "password": "x" * 9},
                                     csrf=False)
    assert status == 403
    assert body["error"]["code"] == "csrf_failed"


async def test_wrong_password_and_unknown_user_get_the_same_answer(app, client):
    await add_account(app, "alice")
    wrong = await client.post("/auth/login", {"username": "alice", "password": "nope-nope"})
    unknown = await client.post("/auth/login", {"username": "zed", "password": "nope-nope"})
    assert wrong[0] == unknown[0] == 401
    assert wrong[1] == unknown[1]


async def test_owner_login_gets_the_owner_role(owner):
    body = await owner.refresh_csrf()
    assert body["user"]["login"] == "owner"
    assert body["user"]["role"] == "owner"


async def test_signing_in_rotates_the_csrf_token(app, client):
    await add_account(app, "alice")
    before = (await client.refresh_csrf())["csrf_token"]
    after = (await client.sign_in("alice"))["csrf_token"]
    assert before != after


async def test_proposing_opens_a_pending_idea(app, alice):
    status, body = await alice.post("/api/proposals", GOOD)
    assert status == 201, body
    proposal = body["proposal"]
    assert proposal["number"] >= 1
    assert proposal["slug"] == "better-search"
    assert proposal["author"] == "alice"
    assert proposal["state"] == "open"
    _, catalog = await alice.get("/api/catalog")
    assert [p["slug"] for p in catalog["pending"]] == ["better-search"]
    assert catalog["rfcs"] == []
    assert "proposal/better-search" in meta_branches(app)


async def test_proposal_file_carries_front_matter_and_author(app, alice):
    await alice.post("/api/proposals", GOOD)
    repo = app.settings.git_root / "rfcs" / "meta.git"
    text = subprocess.run(["git", "-C", str(repo), "show",
                           "proposal/better-search:rfcs/better-search.md"],
                          capture_output=True, text=True, check=True).stdout
    assert text.startswith("---\ntitle: \"Better search\"\nslug: \"better-search\"")
    assert 'authors: ["alice"]' in text
    assert 'state: "super-draft"' in text
    author = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%an <%ae>|%cn",
                             "proposal/better-search"], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert author == "alice <alice@example.invalid>|rfc-bot"


async def test_signed_out_visitors_cannot_propose(client):
    status, body = await client.post("/api/proposals", GOOD)
    assert status == 401
    assert body["error"]["code"] == "not_signed_in"


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "Bad Slug"}, "slug"),
    ({"slug": "ab"}, "slug"),
    ({"slug": "-leading"}, "slug"),
    ({"slug": "a" * 65}, "slug"),
    ({"slug": "better-search\n"}, "slug"),  # `$` alone would let a final newline through
    ({"title": "no"}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"pitch": "p" * 501}, "pitch"),
    ({"surprise": 1}, "surprise"),
])
async def test_bad_proposals_are_refused_and_write_nothing(app, alice, change, field):
    branches_before = meta_branches(app)
    status, body = await alice.post("/api/proposals", {**GOOD, **change})
    assert status == 422, body
    assert body["error"]["details"]["field"] == field
    assert body["error"]["message"]
    assert meta_branches(app) == branches_before
    _, catalog = await alice.get("/api/catalog")
    assert catalog["pending"] == []


async def test_a_slug_already_proposed_is_a_conflict(app, alice):
    await alice.post("/api/proposals", GOOD)
    status, body = await alice.post("/api/proposals", {**GOOD, "title": "Another"})
    assert status == 409
    assert "better-search" in body["error"]["message"]


async def test_owner_merges_a_proposal_into_a_super_draft(app, alice, owner):
    _, created = await alice.post("/api/proposals", GOOD)
    number = created["proposal"]["number"]
    status, body = await owner.post(f"/api/proposals/{number}/merge")
    assert status == 200, body
    assert body["proposal"]["state"] == "merged"
    assert body["rfc"]["slug"] == "better-search"
    assert body["rfc"]["state"] == "super-draft"
    assert body["rfc"]["authors"] == ["alice"]
    _, catalog = await owner.get("/api/catalog")
    assert [r["slug"] for r in catalog["rfcs"]] == ["better-search"]
    assert catalog["pending"] == []
    _, rfc = await owner.get("/api/rfcs/better-search")
    assert "<h1" in rfc["body_html"] and "Better search" in rfc["body_html"]
    repo = app.settings.git_root / "rfcs" / "meta.git"
    parents = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%P", "main"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert len(parents) == 2, "a proposal merge is a real merge commit"


async def test_a_contributor_cannot_merge_or_close(app, alice):
    _, created = await alice.post("/api/proposals", GOOD)
    number = created["proposal"]["number"]
    merge = await alice.post(f"/api/proposals/{number}/merge")
    close = await alice.post(f"/api/proposals/{number}/close", {"reason": "mine"})
    assert merge[0] == close[0] == 403
    _, proposal = await alice.get(f"/api/proposals/{number}")
    assert proposal["proposal"]["state"] == "open"
    assert proposal["can_decide"] is False


async def test_merge_without_csrf_changes_nothing(app, alice, owner):
    _, created = await alice.post("/api/proposals", GOOD)
    number = created["proposal"]["number"]
    status, _ = await owner.post(f"/api/proposals/{number}/merge", csrf=False)
    assert status == 403
    _, proposal = await owner.get(f"/api/proposals/{number}")
    assert proposal["proposal"]["state"] == "open"


async def test_owner_closes_with_a_reason(app, alice, owner):
    _, created = await alice.post("/api/proposals", GOOD)
    number = created["proposal"]["number"]
    empty = await owner.post(f"/api/proposals/{number}/close", {"reason": "   "})
    assert empty[0] == 422
    status, body = await owner.post(f"/api/proposals/{number}/close",
                                    {"reason": "Covered by search-v2"})
    assert status == 200, body
    assert body["proposal"]["state"] == "closed"
    assert body["proposal"]["close_reason"] == "Covered by search-v2"
    _, catalog = await owner.get("/api/catalog")
    assert catalog["pending"] == [] and catalog["rfcs"] == []
    again = await owner.post(f"/api/proposals/{number}/merge")
    assert again[0] == 409


async def test_a_closed_slug_can_be_proposed_again(app, alice, owner):
    _, first = await alice.post("/api/proposals", GOOD)
    await owner.post(f"/api/proposals/{first['proposal']['number']}/close", {"reason": "later"})
    status, second = await alice.post("/api/proposals", GOOD)
    assert status == 201, second
    assert second["proposal"]["number"] != first["proposal"]["number"]


async def test_merging_a_stale_head_is_refused(app, alice, owner):
    _, created = await alice.post("/api/proposals", GOOD)
    number = created["proposal"]["number"]
    status, body = await owner.post(f"/api/proposals/{number}/merge", {"head_sha": "0" * 40})
    assert status == 409
    assert body["error"]["code"] == "head_moved"


async def test_slug_of_a_merged_rfc_cannot_be_proposed(app, alice, owner):
    _, created = await alice.post("/api/proposals", GOOD)
    await owner.post(f"/api/proposals/{created['proposal']['number']}/merge")
    status, body = await alice.post("/api/proposals", GOOD)
    assert status == 409
    assert body["error"]["code"] == "slug_taken"


async def test_unknown_proposal_and_rfc_are_404(client):
    assert (await client.get("/api/proposals/999"))[0] == 404
    assert (await client.get("/api/rfcs/nope-nope"))[0] == 404


async def test_openapi_document_lists_the_api(client):
    status, body = await client.get("/api/openapi.json")
    assert status == 200
    assert "/api/proposals" in body["paths"]
    assert "/api/catalog" in body["paths"]


async def test_healthz_reports_database_and_forge(client):
    status, body = await client.get("/healthz")
    assert status == 200
    assert body == {"ok": True, "database": "ok", "forge": "ok"}


async def test_two_people_proposing_one_slug_at_once_get_one_proposal(app, alice,
                                                                      make_client):
    """The loser is told the slug is taken; the winner's proposal is left whole."""
    await add_account(app, "bob")
    bob_client = make_client()
    await bob_client.sign_in("bob")
    for round_ in range(3):
        slug = f"race-idea-{round_}"
        answers = await asyncio.gather(
            alice.post("/api/proposals", {**GOOD, "slug": slug}),
            bob_client.post("/api/proposals", {**GOOD, "slug": slug}))
        statuses = sorted(status for status, _ in answers)
        assert statuses == [201, 409], answers
        loser = next(body for status, body in answers if status == 409)
        assert loser["error"]["code"] == "slug_taken"
    _, catalog = await alice.get("/api/catalog")
    assert sorted(p["slug"] for p in catalog["pending"]) == [f"race-idea-{n}" for n in range(3)]
    assert all(branch in meta_branches(app) for branch in
               [f"proposal/race-idea-{n}" for n in range(3)]), "no winner lost its branch"


class TestCreatedDate:
    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(datetime(2027, 5, 3, 10, 0, tzinfo=UTC))

    async def test_an_rfc_is_created_when_its_proposal_merges(self, app, alice, owner, clock):
        _, created = await alice.post("/api/proposals", GOOD)
        clock.advance(timedelta(days=2))
        await owner.post(f"/api/proposals/{created['proposal']['number']}/merge")
        clock.advance(timedelta(days=5))
        _, rfc = await alice.get("/api/rfcs/better-search")
        assert rfc["created_at"] == "2027-05-05T10:00:00Z"

    async def test_an_rfc_committed_directly_is_created_with_its_first_commit(self, app,
                                                                              alice):
        await seed_rfc(app, "direct-one", title="Direct one")
        _, rfc = await alice.get("/api/rfcs/direct-one")
        assert rfc["created_at"] == rfc["history"][-1]["at"]
