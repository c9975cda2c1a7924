"""Unit tests of webhook deliveries: the signature over the exact bytes, and what each
delivery means as port events. Real deliveries from a real Gitea are exercised by the
contract suite and ``test_app_on_gitea.py``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.forge.gitea.client import GiteaClient
from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.webhooks import (
    Signature,
    check_signature,
    event_ids,
    normalize,
    short_ref,
    sign,
)
from server.forge.port import (
    ZERO_SHA,
    BranchCreated,
    BranchDeleted,
    ForgeEvent,
    Person,
    PullRequestEvent,
    Pushed,
    RepoRef,
    RepositoryEvent,
)

SECRET = "s3cr3t-for-tests"
REPO = {"full_name": "acme/meta", "name": "meta", "owner": {"login": "acme"}}
A, B = "a" * 40, "b" * 40
DELIVERY = "0b7c2cc5-7a43-4f4e-9f58-1f6a2a9f7f10"


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# ---- signatures -------------------------------------------------------------

def test_the_signature_over_the_exact_bytes_is_valid() -> None:
    body = body_of({"ref": "refs/heads/main", "repository": REPO, "note": "é"})
    headers = {"X-Gitea-Signature": sign(body, SECRET)}
    assert check_signature(body, headers, SECRET) is Signature.VALID


def test_a_tampered_body_is_invalid_even_when_it_means_the_same() -> None:
    body = body_of({"ref": "refs/heads/main", "repository": REPO})
    headers = {"X-Gitea-Signature": sign(body, SECRET)}
    reformatted = json.dumps(json.loads(body), indent=1).encode()
    changed = body.replace(b"main", b"mail")
    assert check_signature(reformatted, headers, SECRET) is Signature.INVALID
    assert check_signature(changed, headers, SECRET) is Signature.INVALID
    assert check_signature(body + b"\n", headers, SECRET) is Signature.INVALID


def test_a_missing_or_empty_header_is_missing() -> None:
    body = b"{}"
    assert check_signature(body, {}, SECRET) is Signature.MISSING
    assert check_signature(body, {"X-Gitea-Signature": ""}, SECRET) is Signature.MISSING


def test_another_secret_or_no_secret_configured_is_invalid() -> None:
    body = b'{"a": 1}'
    assert check_signature(body, {"X-Gitea-Signature": sign(body, "other")},
                           SECRET) is Signature.INVALID
    assert check_signature(body, {"X-Gitea-Signature": sign(body, "")}, "") is Signature.INVALID
    assert check_signature(body, {"X-Gitea-Signature": "not hex ✓"}, SECRET) is Signature.INVALID


def test_forgejo_names_and_any_header_case_are_accepted() -> None:
    body = b'{"a": 1}'
    good = sign(body, SECRET)
    assert check_signature(body, {"X-Forgejo-Signature": good}, SECRET) is Signature.VALID
    assert check_signature(body, {"x-gitea-signature": good.upper()}, SECRET) is Signature.VALID
    assert check_signature(body, {"X-Gitea-Signature": f"sha256={good}"},
                           SECRET) is Signature.VALID


# ---- what deliveries mean ---------------------------------------------------

def commit(sha: str, message: str) -> dict[str, Any]:
    return {"id": sha, "message": message + "\n",
            "author": {"name": "Alice", "email": "alice@x", "username": "alice"},
            "timestamp": "2024-05-01T12:00:00+02:00"}


@pytest.mark.parametrize("ref", ["refs/heads/rfc/x", "rfc/x"])
def test_a_push_with_a_full_or_short_ref(ref: str) -> None:
    [event] = normalize("push", DELIVERY, {
        "ref": ref, "before": A, "after": B, "repository": REPO,
        # Gitea lists the newest commit first.
        "commits": [commit(B, "second"), commit("c" * 40, "first")]}) or []
    assert isinstance(event, Pushed)
    assert (event.repo, event.branch, event.before, event.after) == (
        RepoRef("acme", "meta"), "rfc/x", A, B)
    assert [c.message for c in event.commits] == ["first", "second"]
    assert event.commits[0].authored_at.isoformat() == "2024-05-01T10:00:00+00:00"


def test_a_push_to_the_all_zero_commit_is_a_deletion() -> None:
    events = normalize("push", DELIVERY, {"ref": "refs/heads/old", "before": A,
                                          "after": ZERO_SHA, "repository": REPO})
    assert events is not None and [type(e) for e in events] == [BranchDeleted]
    assert isinstance(events[0], BranchDeleted) and events[0].branch == "old"


def test_a_push_that_creates_a_branch_leaves_it_to_the_create_event() -> None:
    assert normalize("push", DELIVERY, {"ref": "refs/heads/new", "before": ZERO_SHA,
                                        "after": A, "repository": REPO}) == []
    [created] = normalize("create", DELIVERY, {"ref": "new", "ref_type": "branch", "sha": A,
                                               "repository": REPO}) or []
    assert isinstance(created, BranchCreated) and (created.branch, created.head) == ("new", A)


@pytest.mark.parametrize("ref", ["gone", "refs/heads/gone"])
def test_a_deleted_branch(ref: str) -> None:
    [event] = normalize("delete", DELIVERY, {"ref": ref, "ref_type": "branch",
                                             "pusher_type": "user", "repository": REPO}) or []
    assert isinstance(event, BranchDeleted) and event.branch == "gone"


def test_tags_and_scratch_branches_mean_nothing() -> None:
    assert normalize("push", DELIVERY, {"ref": "refs/tags/v1", "before": A, "after": B,
                                        "repository": REPO}) == []
    assert normalize("create", DELIVERY, {"ref": "v1", "ref_type": "tag", "sha": A,
                                          "repository": REPO}) == []
    assert normalize("create", DELIVERY, {"ref": "rfc-app-scratch/1f", "ref_type": "branch",
                                          "sha": A, "repository": REPO}) == []
    assert normalize("push", DELIVERY, {"ref": "refs/heads/rfc-app-scratch/1f",
                                        "before": A, "after": B, "repository": REPO}) == []


def pull_payload(action: str, *, merged: bool = False, state: str = "open") -> dict[str, Any]:
    return {"action": action, "number": 3, "repository": REPO, "pull_request": {
        "number": 3, "title": "Propose", "state": state, "merged": merged,
        "body": "Why\n\n<!-- rfc-app author: alice -->", "user": {"login": "rfc-bot"},
        "head": {"label": "rfcs/proposal/x", "ref": "rfcs/proposal/x", "sha": B},
        "base": {"ref": "main", "sha": A}, "merge_commit_sha": "d" * 40 if merged else None,
        "merged_at": "2024-05-01T12:00:00Z" if merged else None,
        "created_at": "2024-05-01T11:00:00Z", "updated_at": "2024-05-01T12:00:00Z",
        "closed_at": "2024-05-01T12:00:00Z" if state == "closed" else None}}


@pytest.mark.parametrize(("action", "merged", "state", "expected"), [
    ("opened", False, "open", "opened"),
    ("edited", False, "open", "edited"),
    ("synchronized", False, "open", "synchronized"),
    ("reopened", False, "open", "reopened"),
    ("closed", False, "closed", "closed"),
    ("closed", True, "closed", "merged"),
])
def test_pull_request_actions(action: str, merged: bool, state: str, expected: str) -> None:
    [event] = normalize("pull_request", DELIVERY, pull_payload(action, merged=merged,
                                                               state=state)) or []
    assert isinstance(event, PullRequestEvent) and event.action == expected
    assert (event.pull.number, event.pull.head_branch, event.pull.head_sha) == (
        3, "rfcs/proposal/x", B)
    assert (event.pull.author_login, event.pull.body) == ("alice", "Why")
    assert event.pull.state == ("merged" if merged else state)


def test_pull_request_actions_the_app_does_not_use_are_known_but_empty() -> None:
    assert normalize("pull_request", DELIVERY, pull_payload("label_updated")) == []
    assert normalize("pull_request", DELIVERY, pull_payload("review_requested")) == []


@pytest.mark.parametrize("action", ["created", "deleted"])
def test_repository_events(action: str) -> None:
    [event] = normalize("repository", DELIVERY, {"action": action, "repository": REPO,
                                                 "organization": {"login": "acme"}}) or []
    assert isinstance(event, RepositoryEvent) and event.action == action


@pytest.mark.parametrize("event", ["issues", "release", "workflow_run", "status", ""])
def test_unknown_event_types_are_unknown(event: str) -> None:
    assert normalize(event, DELIVERY, {"repository": REPO}) is None


def test_event_ids_are_stable_distinct_and_32_hex() -> None:
    first = event_ids(DELIVERY, 3)
    assert first == event_ids(DELIVERY, 3)
    assert len(set(first)) == 3 and all(len(i) == 32 and int(i, 16) >= 0 for i in first)
    assert first[0] != event_ids("another", 1)[0]


def test_short_ref() -> None:
    assert short_ref("refs/heads/a/b") == "a/b"
    assert short_ref("a/b") == "a/b"
    assert short_ref("refs/tags/v1") is None


# ---- receiving: duplicates, unknown types, order ------------------------------

async def test_a_replayed_delivery_is_taken_once_and_handlers_run_in_order() -> None:
    forge = GiteaForge(GiteaClient("http://gitea.invalid", "t"), Person("b", "b", "b@x"))
    seen: list[ForgeEvent] = []

    async def collect(event: ForgeEvent) -> None:
        seen.append(event)

    forge.on_event(collect)
    payload = {"ref": "refs/heads/main", "before": A, "after": B, "repository": REPO,
               "commits": []}
    assert forge.receive_webhook("push", DELIVERY, payload)[0] == "accepted"
    assert forge.receive_webhook("push", DELIVERY, payload) == ("duplicate", [])
    assert forge.receive_webhook("issues", "other-delivery", payload) == ("ignored", [])
    deleted = {"ref": "x", "ref_type": "branch", "repository": REPO}
    assert forge.receive_webhook("delete", "third", deleted)[0] == "accepted"
    await forge.drain()
    assert [type(e) for e in seen] == [Pushed, BranchDeleted]
    await forge.aclose()
