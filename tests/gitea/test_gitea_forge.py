"""What only the Gitea forge does, on a real Gitea: names Gitea's routes must get exactly,
pages, the compare-and-swap of a commit against another writer, merges Gitea refuses,
and a merge whose answer is lost on the way back."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest

from server.forge.gitea.client import GiteaClient
from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.merging import MergeBlocked
from server.forge.port import FileChange, MergeOutcome, Repo, RepoRef, StaleHead
from tests.forge.conftest import ALICE, BOB, BOT
from tests.forge.contract import branch_with, head_of, open_pr, write
from tests.gitea.harness import GiteaServer


class Intercepting(httpx.AsyncBaseTransport):
    """The real network, with a hook before and after chosen requests."""

    def __init__(self, *, before: Callable[[httpx.Request], object] | None = None,
                 lose: Callable[[httpx.Request, httpx.Response], bool] | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.before = before
        self.lose = lose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.before is not None:
            waiting = self.before(request)
            if waiting is not None:
                await waiting  # type: ignore[misc]
        response = await self.inner.handle_async_request(request)
        if self.lose is not None and self.lose(request, response):
            await response.aread()
            await response.aclose()
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def forge_with(gitea: GiteaServer, transport: httpx.AsyncBaseTransport,
               **options: object) -> GiteaForge:
    client = GiteaClient(gitea.url, gitea.bot.token, transport=transport)
    return GiteaForge(client, BOT, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["issue#42/100%-done", "rfc/what's+new", "räksmörgås"])
async def test_branch_names_with_characters_urls_treat_specially(
        forge: GiteaForge, repo: Repo, name: str) -> None:
    created = await forge.create_branch(repo.ref, name, "main")
    assert (await forge.get_branch(repo.ref, name)).head == created.head
    commit = await write(forge, repo, name, {"doc.md": name})
    assert (await forge.read_file(repo.ref, "doc.md", name)).content == name
    assert (await forge.list_commits(repo.ref, name, limit=1))[0].sha == commit.sha
    await forge.delete_branch(repo.ref, name)
    assert name not in [b.name for b in await forge.list_branches(repo.ref)]


async def test_file_paths_with_characters_urls_treat_specially(forge: GiteaForge,
                                                               repo: Repo) -> None:
    paths = ["rfcs/what? #1 +50% é.md", "docs/a b/ü+ß#x.md", "100%/done?.md"]
    await write(forge, repo, "main", {p: f"text of {p}\n" for p in paths})
    for path in paths:
        assert (await forge.read_file(repo.ref, path, "main")).content == f"text of {path}\n"
    assert await forge.list_dir(repo.ref, "docs/a b", "main") == ["ü+ß#x.md"]
    assert await forge.list_dir(repo.ref, "100%", "main") == ["done?.md"]
    base = (await forge.list_commits(repo.ref, "main"))[-1].sha
    comparison = await forge.compare(repo.ref, base, "main")
    assert sorted(f.path for f in comparison.files) == sorted(paths)
    history = await forge.list_commits(repo.ref, "main", path=paths[0])
    assert len(history) == 1


async def test_lists_follow_every_page(gitea: GiteaServer, forge: GiteaForge,
                                       repo: Repo) -> None:
    for n in range(5):
        await forge.create_branch(repo.ref, f"page/{n}", "main")
    small = GiteaForge(GiteaClient(gitea.url, gitea.bot.token, page_limit=2), BOT)
    try:
        names = [b.name for b in await small.list_branches(repo.ref)]
        assert names == ["main", *(f"page/{n}" for n in range(5))]
        for n in range(3):
            await write(small, repo, "main", {f"f{n}.md": str(n)})
        assert len(await small.list_commits(repo.ref, "main", limit=100)) == 4
        assert len(await small.list_commits(repo.ref, "main", limit=3)) == 3
    finally:
        await small.aclose()


async def test_commits_carry_the_person_as_author_and_leave_no_scratch_branch(
        gitea: GiteaServer, forge: GiteaForge, repo: Repo) -> None:
    commit = await write(forge, repo, "main", {"a.md": "by Alice"}, author=ALICE)
    shown = gitea.api("GET", f"/repos/acme/rfcs/git/commits/{commit.sha}")
    assert shown["commit"]["author"]["name"] == ALICE.name
    assert shown["commit"]["author"]["email"] == ALICE.email
    assert shown["commit"]["committer"]["email"] == gitea.bot.email
    branches = gitea.api("GET", "/repos/acme/rfcs/branches?limit=50")
    assert [b["name"] for b in branches] == ["main"]


async def test_another_writer_between_check_and_move_makes_it_stale(
        gitea: GiteaServer, forge: GiteaForge, repo: Repo) -> None:
    head = await head_of(forge, repo, "main")
    outside = GiteaClient(gitea.url, gitea.admin.token)
    moved: list[str] = []

    async def write_first(request: httpx.Request) -> None:
        # Someone else commits on main just before the forge moves main to its commit.
        if request.method == "PUT" and request.url.path.endswith("/branches/main") and not moved:
            answer = await outside.request("POST", "/repos/acme/rfcs/contents/outside.md", json={
                "branch": "main", "message": "outside", "content":
                base64.b64encode(b"from elsewhere").decode()})
            moved.append(answer.json()["commit"]["sha"])

    racing = forge_with(gitea, Intercepting(before=write_first))
    try:
        with pytest.raises(StaleHead) as caught:
            await racing.commit_files(repo.ref, "main", [FileChange("ours.md", "ours")],
                                      message="ours", author=ALICE, expected_head=head)
    finally:
        await racing.aclose()
        await outside.aclose()
    assert caught.value.actual == moved[0]
    assert await head_of(forge, repo, "main") == moved[0]
    assert (await forge.read_file(repo.ref, "outside.md", "main")).content == "from elsewhere"
    assert "ours.md" not in await forge.list_dir(repo.ref, "", "main")


async def test_a_merge_whose_answer_is_lost_is_confirmed_as_merged(
        gitea: GiteaServer, forge: GiteaForge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/lost", {"l.md": "1"})
    pull = await open_pr(forge, repo, "rfc/lost")
    # Gitea merges, and its "200" never reaches the forge.
    lossy = forge_with(gitea, Intercepting(
        lose=lambda request, response: request.method == "POST"
        and request.url.path.endswith("/merge") and response.status_code == 200))
    try:
        result = await lossy.merge_pull_request(repo.ref, pull.number,
                                                expected_head=proposal.sha, message="Merge",
                                                merger=BOB)
    finally:
        await lossy.aclose()
    assert result.outcome is MergeOutcome.MERGED
    assert result.merge_commit_sha == await head_of(forge, repo, "main")
    again = await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                           message="Merge", merger=BOB)
    assert again.outcome is MergeOutcome.ALREADY_MERGED


async def test_a_work_in_progress_pull_request_is_refused_with_the_reason(
        forge: GiteaForge, repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/wip", {"w.md": "1"})
    pull = await open_pr(forge, repo, "rfc/wip", title="WIP: not yet")
    with pytest.raises(MergeBlocked) as caught:
        await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                       message="Merge", merger=BOB)
    assert caught.value.reason == "work_in_progress"
    assert (await forge.get_pull_request(repo.ref, pull.number)).state == "open"


async def test_an_archived_repository_refuses_merges(gitea: GiteaServer, forge: GiteaForge,
                                                     repo: Repo) -> None:
    proposal = await branch_with(forge, repo, "rfc/archived", {"a.md": "1"})
    pull = await open_pr(forge, repo, "rfc/archived")
    gitea.api("PATCH", "/repos/acme/rfcs", json={"archived": True})
    try:
        with pytest.raises(MergeBlocked) as caught:
            await forge.merge_pull_request(repo.ref, pull.number, expected_head=proposal.sha,
                                           message="Merge", merger=BOB)
    finally:
        gitea.api("PATCH", "/repos/acme/rfcs", json={"archived": False})
    assert caught.value.reason == "archived"


async def test_a_missing_organization_is_named(forge: GiteaForge) -> None:
    with pytest.raises(Exception, match="no organization 'nowhere'"):
        await forge.ensure_repo(RepoRef("nowhere", "x"))
