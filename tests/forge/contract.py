"""Contract tests of the forge port: one suite, every backend.

Not collected here: each backend's test module imports these tests, and its conftest
provides the fixtures they use: ``forge``, ``repo``, ``events``, ``clone_url``, ``settle``
(wait until events delivered asynchronously have arrived) and ``traits`` (what the
backends may do differently). ``tests/forge/test_embedded_forge.py`` runs them on the
embedded forge, ``tests/gitea/test_forge_contract.py`` on a real Gitea.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from server.forge.embedded.git import run_git
from server.forge.port import (
    ZERO_SHA,
    BranchCreated,
    BranchDeleted,
    Commit,
    FileChange,
    Forge,
    ForgeAlreadyExists,
    ForgeError,
    ForgeEvent,
    ForgeNotFound,
    InvalidRefName,
    MergeOutcome,
    Person,
    ProtectedBranch,
    PullRequest,
    PullRequestEvent,
    Pushed,
    Repo,
    RepoRef,
    RepositoryEvent,
    StaleHead,
)
from tests.forge.conftest import ALICE, BOB, BOT, Settle, Traits

ODD_NAMES = ["rfc/é-draft+v1.2", "a.b/c.d", "feature+x", "日本語/ブランチ", "deep/ly/nested"]
REFUSED_NAMES = ["a..b", "x.lock", "-lead", "has space", "trailing/", "/lead", "a//b",
                 "end.", ".dot", "a@{b", "q?", "star*", "tilde~1", "col:on", "back\\slash",
                 "HEAD", ""]


async def head_of(forge: Forge, repo: Repo, branch: str) -> str:
    return (await forge.get_branch(repo.ref, branch)).head


async def write(forge: Forge, repo: Repo, branch: str, files: dict[str, str | None], *,
                author: Person = ALICE, message: str = "edit") -> Commit:
    """Commit ``files`` on top of whatever the branch has now."""
    return await forge.commit_files(
        repo.ref, branch, [FileChange(p, c) for p, c in files.items()], message=message,
        author=author, expected_head=await head_of(forge, repo, branch))


async def branch_with(forge: Forge, repo: Repo, name: str, files: dict[str, str | None]) -> Commit:
    await forge.create_branch(repo.ref, name, repo.default_branch)
    return await write(forge, repo, name, files)


async def open_pr(forge: Forge, repo: Repo, head: str, title: str = "Proposal") -> PullRequest:
    return await forge.open_pull_request(repo.ref, head=head, base=repo.default_branch,
                                         title=title, body="Please review", author=ALICE)


# ---- repositories -----------------------------------------------------------

async def test_ensure_repo_is_idempotent(forge: Forge, events: list[ForgeEvent],
                                         settle: Settle) -> None:
    ref = RepoRef("acme", "rfcs")
    first = await forge.ensure_repo(ref, description="Our RFCs")
    second = await forge.ensure_repo(ref, description="Our RFCs")
    await settle(events, 1)

    assert first == second
    assert first.default_branch == "main"
    assert first.description == "Our RFCs"
    assert await forge.get_repo(ref) == first
    assert [type(e) for e in events] == [RepositoryEvent]
    assert isinstance(events[0], RepositoryEvent)
    assert (events[0].action, events[0].repo) == ("created", ref)
    # A fresh repository already has its default branch, with one commit on it.
    branches = await forge.list_branches(ref)
    assert [b.name for b in branches] == ["main"]
    assert len(await forge.list_commits(ref, "main")) == 1


async def test_list_repos_and_missing_repo(forge: Forge) -> None:
    await forge.ensure_repo(RepoRef("acme", "beta"))
    await forge.ensure_repo(RepoRef("acme", "alpha"), default_branch="trunk")
    await forge.ensure_repo(RepoRef("other", "gamma"))

    listed = await forge.list_repos("acme")
    assert [(r.ref.name, r.default_branch) for r in listed] == [("alpha", "trunk"),
                                                                 ("beta", "main")]
    assert await forge.list_repos("nobody") == []
    with pytest.raises(ForgeNotFound):
        await forge.get_repo(RepoRef("acme", "missing"))
    with pytest.raises(ForgeNotFound):
        await forge.list_branches(RepoRef("acme", "missing"))


async def test_ping(forge: Forge) -> None:
    await forge.ping()


async def test_clone_shows_file_author_and_committer(forge: Forge, repo: Repo, tmp_path: Path,
                                                     clone_url: Callable[[RepoRef], str]) -> None:
    await write(forge, repo, "main", {"rfcs/0001-hello.md": "# Hello\n\nWörld\n"},
                message="Add hello")

    target = tmp_path / "clone"
    await run_git(["clone", "--quiet", clone_url(repo.ref), str(target)])
    assert (target / "rfcs" / "0001-hello.md").read_text("utf-8") == "# Hello\n\nWörld\n"
    shown = await run_git(["log", "-1", "--format=%an|%ae|%cn|%ce|%s"], cwd=target)
    assert shown.text.strip() == (f"{ALICE.name}|{ALICE.email}|{BOT.name}|{BOT.email}"
                                  "|Add hello")


# ---- files and commits ------------------------------------------------------

async def test_commit_read_and_list(forge: Forge, repo: Repo) -> None:
    commit = await write(forge, repo, "main", {"rfcs/a.md": "A", "rfcs/b.md": "B",
                                               "rfcs/sub/c.md": "C"}, message="Add three")
    assert commit.message == "Add three"
    assert (commit.author_name, commit.author_email) == (ALICE.name, ALICE.email)
    assert await head_of(forge, repo, "main") == commit.sha

    found = await forge.read_file(repo.ref, "rfcs/a.md", "main")
    assert (found.content, found.commit_sha) == ("A", commit.sha)
    assert len(found.blob_sha) == 40
    assert (await forge.read_file(repo.ref, "rfcs/b.md", commit.sha)).content == "B"
    assert await forge.list_dir(repo.ref, "rfcs", "main") == ["a.md", "b.md"]
    assert await forge.list_dir(repo.ref, "nothing/here", "main") == []
    with pytest.raises(ForgeNotFound):
        await forge.read_file(repo.ref, "rfcs/missing.md", "main")
    with pytest.raises(ForgeNotFound):
        await forge.read_file(repo.ref, "rfcs", "main")
    with pytest.raises(ForgeNotFound):
        await forge.read_file(repo.ref, "rfcs/a.md", "no-such-branch")


async def test_commit_deletes_files(forge: Forge, repo: Repo) -> None:
    await write(forge, repo, "main", {"doc.md": "x", "keep.md": "y"})
    await write(forge, repo, "main", {"doc.md": None})
    with pytest.raises(ForgeNotFound):
        await forge.read_file(repo.ref, "doc.md", "main")
    assert (await forge.read_file(repo.ref, "keep.md", "main")).content == "y"


async def test_commit_that_changes_nothing_is_refused(forge: Forge, repo: Repo) -> None:
    before = await write(forge, repo, "main", {"doc.md": "same"})
    with pytest.raises(ForgeError, match="nothing to commit"):
        await write(forge, repo, "main", {"doc.md": "same"})
    assert await head_of(forge, repo, "main") == before.sha


async def test_stale_expected_head_is_refused(forge: Forge, repo: Repo) -> None:
    old = await head_of(forge, repo, "main")
    current = await write(forge, repo, "main", {"doc.md": "first"})

    with pytest.raises(StaleHead) as caught:
        await forge.commit_files(repo.ref, "main", [FileChange("doc.md", "late")],
                                 message="late", author=BOB, expected_head=old)
    assert (caught.value.expected, caught.value.actual) == (old, current.sha)
    assert await head_of(forge, repo, "main") == current.sha
    assert (await forge.read_file(repo.ref, "doc.md", "main")).content == "first"


async def test_concurrent_commits_on_one_head_exactly_one_wins(forge: Forge, repo: Repo) -> None:
    head = await head_of(forge, repo, "main")

    async def attempt(who: str) -> Commit:
        return await forge.commit_files(repo.ref, "main", [FileChange("doc.md", who)],
                                        message=who, author=ALICE, expected_head=head)

    results = await asyncio.gather(attempt("one"), attempt("two"), return_exceptions=True)
    won = [r for r in results if isinstance(r, Commit)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], StaleHead)
    assert await head_of(forge, repo, "main") == won[0].sha
    assert won[0].parents == (head,)


async def test_commit_on_missing_branch(forge: Forge, repo: Repo) -> None:
    with pytest.raises(ForgeNotFound):
        await forge.commit_files(repo.ref, "ghost", [FileChange("a", "b")], message="m",
                                 author=ALICE, expected_head=ZERO_SHA)


async def test_list_commits_newest_first_with_path_and_limit(forge: Forge, repo: Repo) -> None:
    a = await write(forge, repo, "main", {"a.md": "1"}, message="a1")
    b = await write(forge, repo, "main", {"b.md": "1"}, message="b1")
    c = await write(forge, repo, "main", {"a.md": "2"}, message="a2")

    listed = await forge.list_commits(repo.ref, "main")
    assert [x.sha for x in listed[:3]] == [c.sha, b.sha, a.sha]
    assert len(listed) == 4  # plus the initial commit
    assert [x.message for x in await forge.list_commits(repo.ref, "main", path="a.md")] == [
        "a2", "a1"]
    assert [x.sha for x in await forge.list_commits(repo.ref, "main", limit=2)] == [c.sha, b.sha]
    assert c.parents == (b.sha,)


# ---- branches ---------------------------------------------------------------

@pytest.mark.parametrize("name", ODD_NAMES)
async def test_odd_branch_names_round_trip(forge: Forge, repo: Repo, name: str) -> None:
    created = await forge.create_branch(repo.ref, name, "main")
    assert created.name == name
    assert created.head == await head_of(forge, repo, "main")
    assert name in [b.name for b in await forge.list_branches(repo.ref)]
    assert (await forge.get_branch(repo.ref, name)).head == created.head

    commit = await write(forge, repo, name, {"rfcs/é.md": "on an odd branch"})
    assert (await forge.get_branch(repo.ref, name)).head == commit.sha
    assert (await forge.read_file(repo.ref, "rfcs/é.md", name)).content == "on an odd branch"
    assert (await forge.list_commits(repo.ref, name, limit=1))[0].sha == commit.sha
    pull = await open_pr(forge, repo, name)
    assert (pull.head_branch, pull.head_sha) == (name, commit.sha)

    await forge.delete_branch(repo.ref, name)
    assert name not in [b.name for b in await forge.list_branches(repo.ref)]
    with pytest.raises(ForgeNotFound):
        await forge.get_branch(repo.ref, name)


async def test_get_branch_is_exact(forge: Forge, repo: Repo) -> None:
    await forge.create_branch(repo.ref, "rfc/long", "main")
    with pytest.raises(ForgeNotFound):
        await forge.get_branch(repo.ref, "rfc")


@pytest.mark.parametrize("name", REFUSED_NAMES)
async def test_refused_branch_names(forge: Forge, repo: Repo, name: str) -> None:
    with pytest.raises(InvalidRefName) as caught:
        await forge.create_branch(repo.ref, name, "main")
    message = str(caught.value)
    assert repr(name) in message
    assert message.split(f"{name!r}: ", 1)[1]  # says why, not just "no"


async def test_create_branch_errors(forge: Forge, repo: Repo) -> None:
    await forge.create_branch(repo.ref, "draft", "main")
    with pytest.raises(ForgeAlreadyExists):
        await forge.create_branch(repo.ref, "draft", "main")
    with pytest.raises(ForgeNotFound):
        await forge.create_branch(repo.ref, "other", "no-such-ref")


async def test_create_branch_from_a_sha(forge: Forge, repo: Repo) -> None:
    first = await write(forge, repo, "main", {"a.md": "1"})
    await write(forge, repo, "main", {"a.md": "2"})
    branch = await forge.create_branch(repo.ref, "from-sha", first.sha)
    assert branch.head == first.sha


async def test_default_branch_cannot_be_deleted(forge: Forge, repo: Repo) -> None:
    with pytest.raises(ProtectedBranch):
        await forge.delete_branch(repo.ref, "main")
    assert (await forge.get_branch(repo.ref, "main")).head
    with pytest.raises(ForgeNotFound):
        await forge.delete_branch(repo.ref, "never-was")


async def test_last_commit_at_is_the_head_commit_date(forge: Forge, repo: Repo) -> None:
    commit = await write(forge, repo, "main", {"a.md": "1"})
    branch = await forge.get_branch(repo.ref, "main")
    assert branch.last_commit_at == commit.authored_at


# ---- pull requests ----------------------------------------------------------

async def test_pull_request_lifecycle(forge: Forge, repo: Repo) -> None:
    head = await branch_with(forge, repo, "rfc/one", {"one.md": "1"})
    await branch_with(forge, repo, "rfc/two", {"two.md": "2"})

    first = await open_pr(forge, repo, "rfc/one", "First")
    second = await open_pr(forge, repo, "rfc/two", "Second")
    assert (first.number, second.number) == (1, 2)
    assert (first.state, first.head_sha, first.author_login) == ("open", head.sha, ALICE.login)
    assert (first.base_branch, first.body) == ("main", "Please review")
    assert await forge.get_pull_request(repo.ref, 1) == first
    assert sorted(p.number for p in await forge.list_pull_requests(repo.ref)) == [1, 2]

    edited = await forge.edit_pull_request(repo.ref, 1, title="First, renamed")
    assert (edited.title, edited.body) == ("First, renamed", "Please review")
    edited = await forge.edit_pull_request(repo.ref, 1, body="New body")
    assert (edited.title, edited.body) == ("First, renamed", "New body")
    assert await forge.get_pull_request(repo.ref, 1) == edited

    closed = await forge.close_pull_request(repo.ref, 1)
    assert closed.state == "closed" and closed.closed_at is not None
    assert [p.number for p in await forge.list_pull_requests(repo.ref, "open")] == [2]
    assert [p.number for p in await forge.list_pull_requests(repo.ref, "closed")] == [1]
    assert sorted(p.number for p in await forge.list_pull_requests(repo.ref, "all")) == [1, 2]
    with pytest.raises(ForgeNotFound):
        await forge.get_pull_request(repo.ref, 99)


async def test_duplicate_open_pull_request_is_refused(forge: Forge, repo: Repo) -> None:
    await branch_with(forge, repo, "rfc/dup", {"dup.md": "1"})
    first = await open_pr(forge, repo, "rfc/dup")
    with pytest.raises(ForgeAlreadyExists):
        await open_pr(forge, repo, "rfc/dup")
    await forge.close_pull_request(repo.ref, first.number)
    again = await open_pr(forge, repo, "rfc/dup")
    assert again.number == first.number + 1


async def test_pull_request_needs_its_head_branch(forge: Forge, repo: Repo) -> None:
    with pytest.raises(ForgeNotFound):
        await open_pr(forge, repo, "rfc/missing")


async def test_pull_request_head_follows_its_branch(forge: Forge, repo: Repo) -> None:
    await branch_with(forge, repo, "rfc/moving", {"m.md": "1"})
    pull = await open_pr(forge, repo, "rfc/moving")
    later = await write(forge, repo, "rfc/moving", {"m.md": "2"})
    assert (await forge.get_pull_request(repo.ref, pull.number)).head_sha == later.sha


async def test_merge_creates_a_merge_commit(forge: Forge, repo: Repo, traits: Traits) -> None:
    proposal = await branch_with(forge, repo, "rfc/merge-me", {"rfcs/new.md": "proposal"})
    on_main = await write(forge, repo, "main", {"other.md": "meanwhile"})
    pull = await open_pr(forge, repo, "rfc/merge-me")

    result = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge rfc/merge-me", merger=BOB)
    assert result.outcome is MergeOutcome.MERGED
    assert result.pull is not None and result.pull.state == "merged"
    assert result.pull.merge_commit_sha == result.merge_commit_sha
    assert result.pull.merged_at is not None

    main_head = await head_of(forge, repo, "main")
    assert main_head == result.merge_commit_sha
    merge = (await forge.list_commits(repo.ref, "main", limit=1))[0]
    assert merge.parents == (on_main.sha, proposal.sha)
    assert (merge.author_name, merge.message) == (traits.merge_author(BOB).name,
                                                  "Merge rfc/merge-me")
    assert (await forge.read_file(repo.ref, "rfcs/new.md", "main")).content == "proposal"
    assert (await forge.read_file(repo.ref, "other.md", "main")).content == "meanwhile"
    # The head branch stays; the pull request is listed among the closed ones.
    assert (await forge.get_branch(repo.ref, "rfc/merge-me")).head == proposal.sha
    assert [p.state for p in await forge.list_pull_requests(repo.ref, "closed")] == ["merged"]
    assert await forge.get_pull_request(repo.ref, pull.number) == result.pull


async def test_merge_is_never_a_fast_forward(forge: Forge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/ff", {"ff.md": "x"})
    base = await head_of(forge, repo, "main")
    pull = await open_pr(forge, repo, "rfc/ff")
    result = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge", merger=BOB)
    merge = (await forge.list_commits(repo.ref, "main", limit=1))[0]
    assert merge.sha == result.merge_commit_sha
    assert merge.parents == (base, proposal.sha)


async def test_merge_with_moved_head(forge: Forge, repo: Repo) -> None:
    seen = await branch_with(forge, repo, "rfc/moved", {"m.md": "seen"})
    pull = await open_pr(forge, repo, "rfc/moved")
    await write(forge, repo, "rfc/moved", {"m.md": "unseen"})
    base = await head_of(forge, repo, "main")

    result = await forge.merge_pull_request(repo.ref, pull.number, expected_head=seen.sha,
                                            message="Merge", merger=BOB)
    assert result.outcome is MergeOutcome.HEAD_MOVED
    assert await head_of(forge, repo, "main") == base
    assert (await forge.get_pull_request(repo.ref, pull.number)).state == "open"


async def test_conflicting_merge(forge: Forge, repo: Repo) -> None:
    await write(forge, repo, "main", {"doc.md": "line\n"})
    proposal = await branch_with(forge, repo, "rfc/conflict", {"doc.md": "theirs\n"})
    base = (await write(forge, repo, "main", {"doc.md": "ours\n"})).sha
    pull = await open_pr(forge, repo, "rfc/conflict")

    result = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge", merger=BOB)
    assert result.outcome is MergeOutcome.CONFLICTED
    assert await head_of(forge, repo, "main") == base
    assert (await forge.read_file(repo.ref, "doc.md", "main")).content == "ours\n"
    assert (await forge.get_pull_request(repo.ref, pull.number)).state == "open"


async def test_merging_twice(forge: Forge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/twice", {"t.md": "1"})
    pull = await open_pr(forge, repo, "rfc/twice")
    first = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                           message="Merge", merger=BOB)
    second = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge", merger=BOB)
    assert second.outcome is MergeOutcome.ALREADY_MERGED
    assert second.merge_commit_sha == first.merge_commit_sha
    assert await head_of(forge, repo, "main") == first.merge_commit_sha


async def test_merging_closed_or_missing_pull_request_is_gone(forge: Forge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/closed", {"c.md": "1"})
    pull = await open_pr(forge, repo, "rfc/closed")
    await forge.close_pull_request(repo.ref, pull.number)
    base = await head_of(forge, repo, "main")

    closed = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge", merger=BOB)
    missing = await forge.merge_pull_request(repo.ref, 404, expected_head=proposal.sha,
                                             message="Merge", merger=BOB)
    assert (closed.outcome, missing.outcome) == (MergeOutcome.GONE, MergeOutcome.GONE)
    assert await head_of(forge, repo, "main") == base


async def test_concurrent_merges_merge_once(forge: Forge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/race", {"r.md": "1"})
    pull = await open_pr(forge, repo, "rfc/race")
    results = await asyncio.gather(*(
        forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                 message="Merge", merger=BOB) for _ in range(3)))
    outcomes = sorted(r.outcome.value for r in results)
    assert outcomes == ["already_merged", "already_merged", "merged"]


# ---- compare ----------------------------------------------------------------

async def test_compare(forge: Forge, repo: Repo) -> None:
    await write(forge, repo, "main", {"doc.md": "old\n", "gone.md": "bye\n"})
    base = await head_of(forge, repo, "main")
    await forge.create_branch(repo.ref, "rfc/cmp", "main")
    one = await write(forge, repo, "rfc/cmp", {"doc.md": "new\n", "added.md": "hi\n"},
                      message="one")
    two = await write(forge, repo, "rfc/cmp", {"gone.md": None}, message="two")
    await write(forge, repo, "main", {"unrelated.md": "main moved on\n"})

    comparison = await forge.compare(repo.ref, "main", "rfc/cmp")
    assert comparison.merge_base == base
    assert comparison.head_sha == two.sha
    assert [c.sha for c in comparison.commits] == [one.sha, two.sha]
    files = {f.path: f for f in comparison.files}
    assert set(files) == {"doc.md", "added.md", "gone.md"}
    assert (files["doc.md"].status, files["doc.md"].old_content,
            files["doc.md"].new_content) == ("modified", "old\n", "new\n")
    assert (files["added.md"].status, files["added.md"].old_content,
            files["added.md"].new_content) == ("added", None, "hi\n")
    assert (files["gone.md"].status, files["gone.md"].old_content,
            files["gone.md"].new_content) == ("deleted", "bye\n", None)


# ---- events -----------------------------------------------------------------

def without_repeated_syncs(events: list[ForgeEvent]) -> list[ForgeEvent]:
    """Gitea now and then announces a pull request again ("synchronized") with the head it
    already had (seen once in many runs of this suite); such a repeat says nothing new,
    and ingesting it changes nothing."""
    heads: dict[int, str] = {}
    kept: list[ForgeEvent] = []
    for event in events:
        if isinstance(event, PullRequestEvent):
            number, head = event.pull.number, event.pull.head_sha
            if event.action == "synchronized" and heads.get(number) == head:
                continue
            heads[number] = head
        kept.append(event)
    return kept


async def test_events_in_order(forge: Forge, events: list[ForgeEvent], repo: Repo,
                               settle: Settle) -> None:
    ref = repo.ref
    created = await forge.create_branch(ref, "rfc/ev", "main")
    commit = await write(forge, repo, "rfc/ev", {"ev.md": "1"})
    pull = await open_pr(forge, repo, "rfc/ev")
    await forge.edit_pull_request(ref, pull.number, title="Renamed")
    again = await write(forge, repo, "rfc/ev", {"ev.md": "2"})
    main_before = await head_of(forge, repo, "main")
    merged = await forge.merge_pull_request(ref, pull.number, expected_head=again.sha,
                                            message="Merge", merger=BOB)
    await branch_with(forge, repo, "rfc/shut", {"s.md": "1"})
    shut = await open_pr(forge, repo, "rfc/shut")
    await forge.close_pull_request(ref, shut.number)
    await forge.delete_branch(ref, "rfc/shut")
    await settle(events, 14)
    events = without_repeated_syncs(events)

    kinds = [(type(e).__name__, getattr(e, "action", getattr(e, "branch", None)))
             for e in events]
    # A merge's push to the base and its "merged" may come in either order (Gitea sends
    # "merged" first); everything else comes in the order it happened.
    merge_pair = [("Pushed", "main"), ("PullRequestEvent", "merged")]
    if kinds[7:9] == merge_pair[::-1]:
        kinds[7:9] = merge_pair
        events[7:9] = events[8:6:-1]
    assert kinds == [
        ("RepositoryEvent", "created"),
        ("BranchCreated", "rfc/ev"),
        ("Pushed", "rfc/ev"),
        ("PullRequestEvent", "opened"),
        ("PullRequestEvent", "edited"),
        ("Pushed", "rfc/ev"),
        ("PullRequestEvent", "synchronized"),
        *merge_pair,
        ("BranchCreated", "rfc/shut"),
        ("Pushed", "rfc/shut"),
        ("PullRequestEvent", "opened"),
        ("PullRequestEvent", "closed"),
        ("BranchDeleted", "rfc/shut"),
    ]
    assert all(e.repo == ref for e in events)
    assert len({e.delivery_id for e in events}) == len(events)
    assert all(len(e.delivery_id) == 32 for e in events)

    branch_created = events[1]
    assert isinstance(branch_created, BranchCreated) and branch_created.head == created.head
    pushed = events[2]
    assert isinstance(pushed, Pushed)
    assert (pushed.before, pushed.after) == (created.head, commit.sha)
    assert [c.sha for c in pushed.commits] == [commit.sha]
    opened = events[3]
    assert isinstance(opened, PullRequestEvent) and opened.pull == pull
    edited = events[4]
    assert isinstance(edited, PullRequestEvent) and edited.pull.title == "Renamed"
    synced = events[6]
    assert isinstance(synced, PullRequestEvent) and synced.pull.head_sha == again.sha
    main_push = events[7]
    assert isinstance(main_push, Pushed)
    assert (main_push.before, main_push.after) == (main_before, merged.merge_commit_sha)
    assert main_push.commits[-1].sha == merged.merge_commit_sha
    assert {c.sha for c in main_push.commits} >= {commit.sha, again.sha}
    merged_event = events[8]
    assert isinstance(merged_event, PullRequestEvent) and merged_event.pull == merged.pull
    assert isinstance(events[-1], BranchDeleted)


async def test_raising_handler_does_not_undo_the_write(forge: Forge, repo: Repo, settle: Settle,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    seen: list[ForgeEvent] = []

    async def broken(event: ForgeEvent) -> None:
        raise RuntimeError("handler bug")

    async def collect(event: ForgeEvent) -> None:
        seen.append(event)

    forge.on_event(broken)
    forge.on_event(collect)
    with caplog.at_level(logging.ERROR):
        commit = await write(forge, repo, "main", {"doc.md": "kept"})
        await settle(seen, 1)
    assert await head_of(forge, repo, "main") == commit.sha
    assert [type(e) for e in seen] == [Pushed]
    assert "handler bug" in caplog.text


async def test_handler_may_call_back_into_the_forge(forge: Forge, repo: Repo,
                                                    settle: Settle) -> None:
    heads: list[str] = []

    async def reader(event: ForgeEvent) -> None:
        if isinstance(event, Pushed):
            heads.append(await head_of(forge, repo, event.branch))

    forge.on_event(reader)
    commit = await asyncio.wait_for(write(forge, repo, "main", {"doc.md": "x"}), timeout=10)
    await settle(heads, 1)
    assert heads == [commit.sha]
