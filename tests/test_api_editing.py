"""Editing a super-draft through the API: branches, saves, conflicts, pull requests."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import seed_rfc, signed_in_client

SLUG = "better-search"
BASE = f"/api/rfcs/{SLUG}"


@pytest.fixture
async def rfc(app):
    await seed_rfc(app, SLUG, title="Better search", body="# Better search\n\nOld text.\n")


@pytest.fixture
async def alice(app, make_client, rfc):
    return await signed_in_client(app, make_client, "alice")


@pytest.fixture
async def bob(app, make_client, rfc):
    return await signed_in_client(app, make_client, "bob")


@pytest.fixture
async def owner(app, make_client, rfc):
    return await signed_in_client(app, make_client, "owner")


async def start(client, name="tidy-up"):
    status, body = await client.post(f"{BASE}/branches", {"name": name})
    assert status == 201, body
    return body["branch"]


async def save(client, name, markdown, base_sha, message="Edit"):
    return await client.put(f"{BASE}/branches/{name}/body",
                            {"markdown": markdown, "base_sha": base_sha, "message": message})


async def test_starting_a_branch_names_it_after_the_rfc(alice):
    branch = await start(alice)
    assert branch["name"] == f"rfc/{SLUG}/tidy-up"
    assert branch["short"] == "tidy-up"
    assert branch["state"] == "open"
    _, page = await alice.get(BASE)
    assert [b["short"] for b in page["branches"]] == ["tidy-up"]
    assert page["can_start_branch"] is True


async def test_signed_out_visitors_cannot_start_branches(client, rfc):
    status, _ = await client.post(f"{BASE}/branches", {"name": "x"})
    assert status == 401


async def test_the_same_branch_twice_is_a_conflict(alice):
    await start(alice)
    status, body = await alice.post(f"{BASE}/branches", {"name": "tidy-up"})
    assert status == 409
    assert body["error"]["code"] == "branch_exists"


async def test_saving_commits_the_new_body_and_keeps_the_front_matter(app, alice):
    branch = await start(alice)
    status, body = await save(alice, "tidy-up", "# Better search\n\nNew text.\n",
                              branch["head"], "Say it better")
    assert status == 200, body
    assert body["branch"]["head"] != branch["head"]
    assert body["branch"]["last_commit_author"] == "alice"
    _, detail = await alice.get(f"{BASE}/branches/tidy-up")
    assert detail["markdown"] == "# Better search\n\nNew text.\n"
    assert detail["can_write"] is True
    removed = [seg["text"] for h in detail["diff"] for line in h["lines"]
               if line["kind"] == "del" for seg in line["segments"] if seg["changed"]]
    added = [seg["text"] for h in detail["diff"] for line in h["lines"]
             if line["kind"] == "add" for seg in line["segments"] if seg["changed"]]
    assert removed == ["Old"] and added == ["New"]
    assert "Old text" in detail["rendered"]["before_html"]
    assert "New text" in detail["rendered"]["after_html"]
    d = app.services.domain
    file = await d.forge.read_file(d.meta_repo, f"rfcs/{SLUG}.md", body["branch"]["head"])
    assert file.content.startswith('---\ntitle: "Better search"')


async def test_a_save_based_on_an_old_head_is_refused_with_their_text(alice, owner):
    branch = await start(alice)
    first = await save(owner, "tidy-up", "Owner's version\n", branch["head"])
    assert first[0] == 200
    status, body = await save(alice, "tidy-up", "Alice's version\n", branch["head"])
    assert status == 409
    assert body["error"]["code"] == "branch_moved"
    assert body["error"]["details"]["markdown"] == "Owner's version\n"
    assert body["error"]["details"]["head_sha"] == first[1]["branch"]["head"]
    _, detail = await alice.get(f"{BASE}/branches/tidy-up")
    assert detail["markdown"] == "Owner's version\n", "the refused save wrote nothing"


async def test_only_the_starter_and_deciders_may_save(alice, bob, owner):
    branch = await start(alice)
    status, body = await save(bob, "tidy-up", "Bob was here\n", branch["head"])
    assert status == 403
    assert "Start a branch of your own" in body["error"]["message"]
    _, detail = await bob.get(f"{BASE}/branches/tidy-up")
    assert detail["can_write"] is False
    assert (await save(owner, "tidy-up", "Owner edit\n", branch["head"]))[0] == 200


async def test_a_maintainer_may_save_to_any_branch(app, alice, bob):
    branch = await start(alice)
    async with app.services.domain.store.write() as uow:
        bob_user = await uow.users.by_login("bob")
        await uow.maintainers.grant(SLUG, bob_user.id, None, "2026-12-03T00:00:00Z")
    assert (await save(bob, "tidy-up", "Maintained\n", branch["head"]))[0] == 200


async def test_oversized_text_is_refused(alice):
    branch = await start(alice)
    status, _ = await save(alice, "tidy-up", "x" * 200_001, branch["head"])
    assert status == 422


async def test_render_sanitizes_through_the_one_renderer(client):
    status, body = await client.post("/api/render",
                                     {"markdown": "# Hi\n\n<script>alert(1)</script>"})
    assert status == 200
    assert "<h1" in body["html"] and "<script" not in body["html"]
    too_big = await client.post("/api/render", {"markdown": "x" * 200_001})
    assert too_big[0] == 422


async def test_a_pull_request_needs_changes_first(alice):
    await start(alice)
    status, body = await alice.post(f"{BASE}/branches/tidy-up/pulls", {"title": "Tidy up"})
    assert status == 422
    assert body["error"]["code"] == "nothing_to_propose"


async def open_pull(alice, text="# Better search\n\nNew text.\n"):
    branch = await start(alice)
    await save(alice, "tidy-up", text, branch["head"])
    status, body = await alice.post(f"{BASE}/branches/tidy-up/pulls",
                                    {"title": "Tidy up", "description": "Clearer **wording**"})
    assert status == 201, body
    return body["pull"]


async def test_body_edit_pull_request_lifecycle(app, alice, owner):
    pull = await open_pull(alice)
    assert pull["kind"] == "body" and pull["state"] == "open" and pull["author"] == "alice"
    _, page = await alice.get(BASE)
    assert [p["number"] for p in page["pulls"]] == [pull["number"]]
    _, detail = await alice.get(f"{BASE}/pulls/{pull['number']}")
    assert detail["can_decide"] is False
    assert "<strong>wording</strong>" in detail["description_html"]
    assert [c["message"] for c in detail["commits"]] == ["Edit"]
    refused = await alice.post(f"{BASE}/pulls/{pull['number']}/merge")
    assert refused[0] == 403
    status, merged = await owner.post(f"{BASE}/pulls/{pull['number']}/merge",
                                      {"head_sha": pull["head_sha"]})
    assert status == 200, merged
    assert merged["pull"]["state"] == "merged"
    _, page = await owner.get(BASE)
    assert "New text" in page["body_html"]
    assert page["pulls"] == []
    assert page["branches"][0]["merged"] is True
    # The history of the file names the edit itself (and its author), not the merge.
    assert (page["history"][0]["message"], page["history"][0]["author"]) == ("Edit", "alice")
    _, after = await owner.get(f"{BASE}/pulls/{pull['number']}")
    assert any(line["kind"] == "add" for h in after["diff"] for line in h["lines"]), \
        "a merged pull request still shows what it changed"


async def test_closing_a_pull_request_needs_a_reason_and_a_decider(alice, owner):
    pull = await open_pull(alice)
    assert (await alice.post(f"{BASE}/pulls/{pull['number']}/close", {"reason": "no"}))[0] == 403
    assert (await owner.post(f"{BASE}/pulls/{pull['number']}/close", {"reason": ""}))[0] == 422
    status, body = await owner.post(f"{BASE}/pulls/{pull['number']}/close",
                                    {"reason": "Superseded"})
    assert status == 200
    assert body["pull"]["state"] == "closed" and body["pull"]["close_reason"] == "Superseded"


async def test_merging_a_moved_head_is_refused(alice, owner):
    pull = await open_pull(alice)
    status, body = await owner.post(f"{BASE}/pulls/{pull['number']}/merge",
                                    {"head_sha": "f" * 40})
    assert status == 409 and body["error"]["code"] == "head_moved"


async def test_unknown_pull_and_branch_are_404(alice):
    assert (await alice.get(f"{BASE}/pulls/77"))[0] == 404
    assert (await alice.get(f"{BASE}/branches/no-such-branch"))[0] == 404


async def test_the_branch_diff_starts_where_the_branch_left_the_text(alice, bob, owner):
    """A change merged after the branch started is not shown as this branch undoing it."""
    two = "# Better search\n\nOld text.\n\nSecond part.\n"
    first = await start(owner, "set-up")
    await save(owner, "set-up", two, first["head"])
    status, pull = await owner.post(f"{BASE}/branches/set-up/pulls", {"title": "Set up"})
    assert status == 201, pull
    assert (await owner.post(f"{BASE}/pulls/{pull['pull']['number']}/merge",
                             {"head_sha": pull["pull"]["head_sha"]}))[0] == 200

    alice_branch = await start(alice, "wording")
    bob_branch = await start(bob, "second")
    await save(bob, "second", two.replace("Second part.", "Second part, sharper."),
               bob_branch["head"])
    status, bobs = await bob.post(f"{BASE}/branches/second/pulls", {"title": "Sharper"})
    assert status == 201, bobs
    assert (await owner.post(f"{BASE}/pulls/{bobs['pull']['number']}/merge",
                             {"head_sha": bobs["pull"]["head_sha"]}))[0] == 200
    await save(alice, "wording", two.replace("Old text.", "New text."), alice_branch["head"])

    _, detail = await alice.get(f"{BASE}/branches/wording")
    changed = [(line["kind"], seg["text"]) for h in detail["diff"] for line in h["lines"]
               if line["kind"] != "context" for seg in line["segments"] if seg["changed"]]
    assert changed == [("del", "Old"), ("add", "New")], "only alice's own change shows"
    assert "sharper" not in detail["rendered"]["before_html"], \
        "the base is where alice started, before bob's change merged"


async def test_a_merge_and_a_close_at_once_leave_one_decision(app, alice, owner, bob):
    pull = await open_pull(alice)
    url = f"{BASE}/pulls/{pull['number']}"
    for _ in range(3):  # the race goes either way; either way one decision stands
        merged, closed = await asyncio.gather(
            owner.post(f"{url}/merge", {"head_sha": pull["head_sha"]}),
            owner.post(f"{url}/close", {"reason": "Not this way"}))
        if merged[0] == 200 or closed[0] == 200:
            break
    assert sorted([merged[0], closed[0]]) == [200, 409], (merged, closed)
    _, detail = await owner.get(url)
    state = detail["pull"]["state"]
    assert state == ("merged" if merged[0] == 200 else "closed")
    assert detail["pull"]["close_reason"] == ("Not this way" if state == "closed" else None)
    async with app.services.domain.store.read() as uow:
        kinds = [e.kind for e in await uow.audit.list(limit=50)
                 if e.kind in ("merge_pull", "close_pull")]
    assert kinds == ["merge_pull" if state == "merged" else "close_pull"]
