"""Unit tests of merging on Gitea: every answer of the merge endpoint becomes one outcome
a person understands, and a merge whose answer was lost is never reported twice.

The merge endpoint is played by ``httpx.MockTransport`` (statuses a real Gitea gives
only under load or misconfiguration are hard to provoke); ``test_gitea_forge.py`` merges
on a real Gitea, including a lost answer, a work-in-progress title and an archived
repository.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from server.errors import AppError
from server.forge.gitea.client import GiteaClient
from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.merging import Decision, MergeBlocked, MergeDecision, merge_decision
from server.forge.port import ForgeUnavailable, MergeOutcome, Person, RepoRef

BOT = Person("rfc-bot", "RFC Bot", "bot@rfc.test")
HEAD = "a" * 40
BASE = "b" * 40
MERGE_BASE = "c" * 40
MERGED_AS = "d" * 40
REPO = RepoRef("acme", "rfcs")


@pytest.mark.parametrize(("status", "message", "decision", "reason"), [
    (200, "", Decision.MERGED, ""),
    (201, "", Decision.SCHEDULED, ""),
    (404, "not found", Decision.GONE, ""),
    (405, "The PR is already merged", Decision.ALREADY_MERGED, ""),
    (405, "Please try again later", Decision.RETRY, ""),
    (405, "User not allowed to merge PR", Decision.BLOCKED, "not_allowed"),
    (405, "Work in progress PRs cannot be merged", Decision.BLOCKED, "work_in_progress"),
    (405, "rebase is not allowed an allowed merge style for this repository",
     Decision.BLOCKED, "merge_style"),
    (405, "wont sign: never", Decision.BLOCKED, "signing"),
    (405, "Not all required status checks successful", Decision.BLOCKED, "protection"),
    (409, "head out of date", Decision.HEAD_MOVED, ""),
    (409, "merge push out of date", Decision.RETRY, ""),
    (409, "PushRejected with remote message: hook declined", Decision.BLOCKED, "rejected"),
    (409, "{'Style': 'merge', 'StdOut': 'CONFLICT (content)'}", Decision.CONFLICTED, ""),
    (409, "auto merge already scheduled", Decision.SCHEDULED, ""),
    (423, "repo is archived", Decision.BLOCKED, "archived"),
    (403, "forbidden", Decision.BLOCKED, "forbidden"),
    (500, "boom", Decision.UNAVAILABLE, ""),
])
def test_every_answer_has_one_decision(status: int, message: str, decision: Decision,
                                       reason: str) -> None:
    assert merge_decision(status, message) == MergeDecision(decision, reason)


def test_a_blocked_merge_is_an_app_error_with_a_reason_a_person_can_act_on() -> None:
    blocked = MergeBlocked("archived")
    assert isinstance(blocked, AppError) and blocked.status == 409
    assert blocked.code == "merge_blocked_archived"
    assert "archived" in blocked.message
    rejected = MergeBlocked("rejected", "pre-receive hook declined")
    assert rejected.message.endswith("Gitea said: pre-receive hook declined")


class FakeGitea:
    """One pull request (#1) and its merge endpoint, answering from a script."""

    def __init__(self, merge_answers: list[Any], *, touched_by_base: tuple[str, ...] = ("a",),
                 touched_by_head: tuple[str, ...] = ("b",)) -> None:
        self.merge_answers = merge_answers
        self.merged = False
        self.closed = False
        self.mergeable = True
        self.mergeable_after_reads: int | None = None
        self.reads = 0
        self.merge_posts: list[dict[str, Any]] = []
        self.touched = {BASE: touched_by_base, HEAD: touched_by_head}

    def pull(self) -> dict[str, Any]:
        return {
            "number": 1, "title": "Proposal", "body": "text", "user": {"login": "rfc-bot"},
            "state": "closed" if self.merged or self.closed else "open",
            "merged": self.merged, "mergeable": self.mergeable,
            "merged_at": "2024-05-01T12:00:00Z" if self.merged else None,
            "merge_commit_sha": MERGED_AS if self.merged else None,
            "merge_base": MERGE_BASE, "created_at": "2024-05-01T11:00:00Z",
            "updated_at": "2024-05-01T11:00:00Z", "closed_at": None,
            "head": {"label": "rfc/x", "ref": "rfc/x", "sha": HEAD},
            "base": {"ref": "main", "sha": BASE, "repo": {"full_name": "acme/rfcs"}}}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path.endswith("/pulls/1"):
            self.reads += 1
            if self.mergeable_after_reads is not None and self.reads >= self.mergeable_after_reads:
                self.mergeable = True
            return httpx.Response(200, json=self.pull())
        if request.method == "POST" and path.endswith("/pulls/1/merge"):
            self.merge_posts.append(json.loads(request.content))
            answer = self.merge_answers.pop(0)
            if isinstance(answer, Exception):
                self.merged = True  # it happened; only the answer is lost
                raise answer
            status, message = answer
            if status == 200:
                self.merged = True
            return httpx.Response(status, json={"message": message} if message else None)
        if request.method == "GET" and "/compare/" in path:
            _, _, pair = path.partition("/compare/")
            head = pair.split("...")[1]
            files = [{"filename": f, "status": "modified"} for f in self.touched.get(head, ())]
            return httpx.Response(200, json={"commits": [
                {"sha": "e" * 40, "parents": [{"sha": MERGE_BASE}], "files": files,
                 "commit": {"message": "x", "author": {"name": "A", "email": "a@x",
                                                       "date": "2024-05-01T11:00:00Z"}}}]})
        return httpx.Response(404, json={"message": f"unexpected {request.method} {path}"})


def forge_on(fake: FakeGitea, **options: Any) -> GiteaForge:
    async def no_sleep(_seconds: float) -> None:
        return None

    client = GiteaClient("http://gitea.test", "t", transport=httpx.MockTransport(fake),
                         sleep=no_sleep)
    return GiteaForge(client, BOT, poll=0.001, **{"merge_wait": 0.05, "conflict_wait": 0.02,
                                                   "lost_merge_wait": 0.05, **options})


async def merge(forge: GiteaForge) -> Any:
    return await forge.merge_pull_request(REPO, 1, expected_head=HEAD,
                                          message="Merge #1: Proposal\n\nMerged by @bob.",
                                          merger=Person("bob", "Bob", "bob@x"))


async def test_a_merge_sends_the_approved_head_and_the_message_as_title_and_body() -> None:
    fake = FakeGitea([(200, "")])
    result = await merge(forge_on(fake))
    assert (result.outcome, result.merge_commit_sha) == (MergeOutcome.MERGED, MERGED_AS)
    assert fake.merge_posts == [{
        "Do": "merge", "MergeTitleField": "Merge #1: Proposal",
        "MergeMessageField": "Merged by @bob.", "head_commit_id": HEAD,
        "delete_branch_after_merge": False, "force_merge": False}]


async def test_a_lost_answer_is_confirmed_by_reading_the_pull_request_again() -> None:
    fake = FakeGitea([httpx.ReadTimeout("the answer never came")])
    result = await merge(forge_on(fake))
    assert result.outcome is MergeOutcome.MERGED  # ours, not "already merged"
    assert result.merge_commit_sha == MERGED_AS
    assert len(fake.merge_posts) == 1


async def test_a_lost_answer_of_a_merge_that_did_not_happen_is_tried_again() -> None:
    class NotMerged(FakeGitea):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and not self.merge_posts:
                self.merge_posts.append({})
                raise httpx.ReadTimeout("lost before Gitea merged")
            return super().__call__(request)

    fake = NotMerged([(200, "")])
    result = await merge(forge_on(fake))
    assert result.outcome is MergeOutcome.MERGED
    assert len(fake.merge_posts) == 2


async def test_a_5xx_on_the_merge_is_also_confirmed_not_guessed() -> None:
    class FailsAfterMerging(FakeGitea):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                self.merged = True
                self.merge_posts.append({})
                return httpx.Response(500, json={"message": "internal"})
            return super().__call__(request)

    result = await merge(forge_on(FailsAfterMerging([])))
    assert result.outcome is MergeOutcome.MERGED


async def test_try_again_later_waits_for_the_check_then_merges() -> None:
    fake = FakeGitea([(405, "Please try again later"), (200, "")])
    fake.mergeable = False
    fake.mergeable_after_reads = 3
    result = await merge(forge_on(fake, merge_wait=5))
    assert result.outcome is MergeOutcome.MERGED
    assert len(fake.merge_posts) == 2


async def test_a_check_that_never_ends_is_not_mergeable_yet() -> None:
    fake = FakeGitea([(405, "Please try again later")] * 50,
                     touched_by_base=("other.md",), touched_by_head=("rfcs/x.md",))
    fake.mergeable = False
    result = await merge(forge_on(fake))
    assert result.outcome is MergeOutcome.NOT_MERGEABLE_YET


async def test_not_mergeable_with_both_sides_changing_a_file_is_a_conflict() -> None:
    fake = FakeGitea([(405, "Please try again later")] * 50,
                     touched_by_base=("rfcs/x.md",), touched_by_head=("rfcs/x.md",))
    fake.mergeable = False
    result = await merge(forge_on(fake))
    assert result.outcome is MergeOutcome.CONFLICTED


@pytest.mark.parametrize(("answer", "outcome"), [
    ((201, ""), MergeOutcome.SCHEDULED),
    ((409, "head out of date"), MergeOutcome.HEAD_MOVED),
    ((409, ""), MergeOutcome.CONFLICTED),
    ((404, "not found"), MergeOutcome.GONE),
])
async def test_answers_that_end_the_attempt(answer: tuple[int, str],
                                            outcome: MergeOutcome) -> None:
    assert (await merge(forge_on(FakeGitea([answer])))).outcome is outcome


async def test_already_merged_by_someone_else_is_already_merged() -> None:
    class MergedMeanwhile(FakeGitea):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                self.merged = True
                return httpx.Response(405, json={"message": "The PR is already merged"})
            return super().__call__(request)

    result = await merge(forge_on(MergedMeanwhile([])))
    assert (result.outcome, result.merge_commit_sha) == (MergeOutcome.ALREADY_MERGED, MERGED_AS)


@pytest.mark.parametrize(("answer", "reason"), [
    ((405, "User not allowed to merge PR"), "not_allowed"),
    ((405, "Work in progress PRs cannot be merged"), "work_in_progress"),
    ((423, "archived"), "archived"),
])
async def test_refusals_a_person_must_fix_are_explained(answer: tuple[int, str],
                                                        reason: str) -> None:
    with pytest.raises(MergeBlocked) as caught:
        await merge(forge_on(FakeGitea([answer])))
    assert caught.value.reason == reason


async def test_a_merge_endpoint_that_fails_with_5xx_before_merging_is_unavailable() -> None:
    class Down(FakeGitea):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST":
                self.merge_posts.append({})
                return httpx.Response(503, json={"message": "maintenance"})
            return super().__call__(request)

    with pytest.raises(ForgeUnavailable):
        await merge(forge_on(Down([]), lost_merge_wait=0.01))
