"""The forge contract suite run on the embedded forge, and what only the embedded forge does."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from server.clock import FixedClock
from server.forge.embedded.forge import EmbeddedForge
from server.forge.embedded.git import GitRepo, MergeTree, run_git
from server.forge.port import (
    Commit,
    FileChange,
    ForgeError,
    ForgeEvent,
    ForgeNotFound,
    ForgeUnavailable,
    MergeOutcome,
    Pushed,
    Repo,
    RepoRef,
    StaleHead,
)
from tests.forge.contract import *  # noqa: F403  (the contract suite, collected here)
from tests.forge.contract import BOB, BOT, branch_with, head_of, open_pr, write

# ---- embedded only ----------------------------------------------------------

async def test_bare_repository_on_disk(forge: EmbeddedForge, repo: Repo, tmp_path: Path) -> None:
    path = tmp_path / "git" / "acme" / "rfcs.git"
    assert (path / "HEAD").is_file()
    assert not (path / "index").exists()  # plumbing only: no work tree, no shared index
    readme = await forge.read_file(repo.ref, "README.md", "main")
    assert readme.content.startswith("# rfcs")
    first = (await forge.list_commits(repo.ref, "main"))[0]
    assert first.author_name == BOT.name


async def test_commit_dates_come_from_the_clock(forge: EmbeddedForge, repo: Repo,
                                                clock: FixedClock) -> None:
    clock.advance(timedelta(days=3, seconds=7))
    commit = await write(forge, repo, "main", {"doc.md": "dated"})
    assert commit.authored_at == clock.now()
    assert (await forge.get_branch(repo.ref, "main")).last_commit_at == clock.now()
    shown = await run_git(["log", "-1", "--format=%ct", commit.sha],
                          git_dir=forge.root / "acme" / "rfcs.git")
    assert int(shown.text) == int(clock.now().timestamp())


async def test_pull_request_timestamps_come_from_the_clock(forge: EmbeddedForge, repo: Repo,
                                                           clock: FixedClock) -> None:
    await branch_with(forge, repo, "rfc/t", {"t.md": "1"})
    pull = await open_pr(forge, repo, "rfc/t")
    assert pull.created_at == pull.updated_at == clock.now()
    clock.advance(timedelta(hours=1))
    closed = await forge.close_pull_request(repo.ref, pull.number)
    assert closed.closed_at == closed.updated_at == clock.now()
    assert closed.created_at == pull.created_at


async def test_ping_fails_on_an_unusable_root(tmp_path: Path, forge: EmbeddedForge) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    broken = EmbeddedForge(blocker / "git", forge.db, forge.clock, BOT)
    with pytest.raises(ForgeUnavailable):
        await broken.ping()


async def test_invalid_repository_names(forge: EmbeddedForge) -> None:
    for bad in (RepoRef("..", "x"), RepoRef("acme", "a/b"), RepoRef("acme", "x.git"),
                RepoRef("", "x")):
        with pytest.raises(ForgeError):
            await forge.ensure_repo(bad)
        with pytest.raises(ForgeNotFound):
            await forge.get_repo(bad)


async def test_invalid_file_paths(forge: EmbeddedForge, repo: Repo) -> None:
    for bad in ("/abs.md", "a/../b.md", "a//b.md", ".git/config", ""):
        with pytest.raises(ForgeError):
            await write(forge, repo, "main", {bad: "x"})


async def _move_outside(forge: EmbeddedForge, branch: str) -> str:
    """Move ``branch`` as another process would: plain git, no forge lock."""
    git_dir = forge.root / "acme" / "rfcs.git"
    head = (await run_git(["rev-parse", f"refs/heads/{branch}"], git_dir=git_dir)).text.strip()
    tree = (await run_git(["rev-parse", f"{head}^{{tree}}"], git_dir=git_dir)).text.strip()
    sha = (await run_git(["commit-tree", tree, "-p", head, "-m", "outside"],
                         git_dir=git_dir, env={"GIT_AUTHOR_NAME": "o", "GIT_AUTHOR_EMAIL": "o@x",
                                               "GIT_COMMITTER_NAME": "o",
                                               "GIT_COMMITTER_EMAIL": "o@x"})).text.strip()
    await run_git(["update-ref", f"refs/heads/{branch}", sha, head], git_dir=git_dir)
    return sha


async def test_ref_moved_by_another_process_mid_commit(forge: EmbeddedForge, repo: Repo,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    real = GitRepo.commit_tree
    moved: list[str] = []

    async def racing(self: GitRepo, *args: Any, **kwargs: Any) -> str:
        sha = await real(self, *args, **kwargs)
        moved.append(await _move_outside(forge, "main"))
        return sha

    monkeypatch.setattr(GitRepo, "commit_tree", racing)
    with pytest.raises(StaleHead):
        await write(forge, repo, "main", {"doc.md": "lost race"})
    assert await head_of(forge, repo, "main") == moved[0]


@pytest.mark.parametrize(("outside_moves", "outcome"), [
    (1, MergeOutcome.MERGED), (2, MergeOutcome.NOT_MERGEABLE_YET)])
async def test_merge_retries_once_when_base_moves_outside(
        forge: EmbeddedForge, repo: Repo, monkeypatch: pytest.MonkeyPatch,
        outside_moves: int, outcome: MergeOutcome) -> None:
    proposal = await branch_with(forge, repo, "rfc/retry", {"r.md": "1"})
    pull = await open_pr(forge, repo, "rfc/retry")
    real = GitRepo.merge_tree
    moved: list[str] = []

    async def racing(self: GitRepo, ours: str, theirs: str) -> MergeTree:
        result = await real(self, ours, theirs)
        if len(moved) < outside_moves:
            moved.append(await _move_outside(forge, "main"))
        return result

    monkeypatch.setattr(GitRepo, "merge_tree", racing)
    result = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                            message="Merge", merger=BOB)
    assert result.outcome is outcome
    main = await head_of(forge, repo, "main")
    if outcome is MergeOutcome.MERGED:
        merge = (await forge.list_commits(repo.ref, "main", limit=1))[0]
        assert merge.parents == (moved[-1], proposal.sha) and main == merge.sha
    else:
        assert main == moved[-1]
        assert (await forge.get_pull_request(repo.ref, pull.number)).state == "open"


async def test_handler_may_write_back_into_the_forge(forge: EmbeddedForge, repo: Repo) -> None:
    # Events arrive after the branch lock is released, so a handler can commit again.
    follow_ups: list[Commit] = []

    async def follow_up(event: ForgeEvent) -> None:
        if isinstance(event, Pushed) and not follow_ups:
            follow_ups.append(await forge.commit_files(
                repo.ref, event.branch, [FileChange("log.md", "noted")], message="note",
                author=BOT, expected_head=event.after))

    forge.on_event(follow_up)
    first = await asyncio.wait_for(write(forge, repo, "main", {"doc.md": "x"}), timeout=10)
    assert follow_ups[0].parents == (first.sha,)
    assert await head_of(forge, repo, "main") == follow_ups[0].sha
