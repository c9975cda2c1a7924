"""The embedded forge: bare git repositories on disk, pull requests in the app database.

Repositories live at ``<root>/<owner>/<name>.git`` and are ordinary bare repositories,
so anyone with file access can clone them. Commits are written with plumbing only (no
work tree) and a branch moves with ``git update-ref <new> <old>``, which is a
compare-and-swap on disk: a write based on a stale head fails even if the head was moved
by something outside this process. Per-branch asyncio locks additionally serialize
writers inside the process so that they see each other's results instead of racing.

Events are delivered after the write is complete and the locks are released, so a
handler can call back into the forge without deadlocking.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from server.clock import Clock, iso, parse_iso
from server.db.engine import Database, Tx
from server.forge.embedded.git import (
    GitRepo,
    LogEntry,
    Signature,
    check_branch_name,
    run_git,
)
from server.forge.port import (
    ZERO_SHA,
    Branch,
    BranchCreated,
    BranchDeleted,
    ChangedFile,
    Commit,
    Comparison,
    EventHandler,
    FileAtRef,
    FileChange,
    ForgeAlreadyExists,
    ForgeError,
    ForgeEvent,
    ForgeNotFound,
    ForgeUnavailable,
    InvalidRefName,
    MergeOutcome,
    MergeResult,
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

log = logging.getLogger(__name__)

# Owner and repository names become directory names: keep them boring.
_REPO_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")

# Commits listed in a Pushed event, as on GitHub: enough to react, not a history dump.
_PUSH_COMMIT_LIMIT = 20

ChangeStatus = Literal["added", "modified", "deleted", "renamed"]
_STATUS: dict[str, ChangeStatus] = {"A": "added", "M": "modified", "D": "deleted",
                                    "T": "modified"}

_PR_COLUMNS = ("repo, number, title, body, head_branch, base_branch, head_sha, state, "
               "author_login, created_at, updated_at, merged_at, merge_commit_sha, closed_at")


def _delivery() -> str:
    return uuid.uuid4().hex


def _commit(entry: LogEntry) -> Commit:
    return Commit(sha=entry.sha, message=entry.message, author_name=entry.author_name,
                  author_email=entry.author_email, authored_at=entry.authored_at,
                  parents=entry.parents)


def _pull_from_row(row: dict[str, Any]) -> PullRequest:
    def when(value: str | None) -> datetime | None:
        return parse_iso(value) if value else None

    return PullRequest(
        repo=RepoRef.parse(row["repo"]), number=int(row["number"]), title=row["title"],
        body=row["body"], head_branch=row["head_branch"], base_branch=row["base_branch"],
        head_sha=row["head_sha"], state=row["state"], author_login=row["author_login"],
        created_at=parse_iso(row["created_at"]), updated_at=parse_iso(row["updated_at"]),
        merged_at=when(row["merged_at"]), merge_commit_sha=row["merge_commit_sha"],
        closed_at=when(row["closed_at"]))


def _check_path(path: str) -> str:
    """Refuse paths git would store oddly or that escape the tree."""
    parts = path.split("/")
    if (not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts)
            or "\0" in path or "\n" in path):
        raise ForgeError(f"invalid file path {path!r}")
    return path


def _refusal_reason(name: str) -> str:
    """Say which of git's rules a refused branch name breaks (git itself only says no)."""
    checks: list[tuple[bool, str]] = [
        (not name, "it is empty"),
        (name.startswith("-"), "it starts with '-'"),
        (name == "HEAD", "'HEAD' is reserved"),
        (name.startswith("/") or name.endswith("/"), "it starts or ends with '/'"),
        ("//" in name, "it contains '//'"),
        (".." in name, "it contains '..'"),
        (name.endswith("."), "it ends with '.'"),
        (any(p.startswith(".") for p in name.split("/")), "a component starts with '.'"),
        (any(p.endswith(".lock") for p in name.split("/")), "a component ends with '.lock'"),
        ("@{" in name, "it contains '@{'"),
        (any(c in name for c in " ~^:?*[\\"),
         "it contains a space or one of ~ ^ : ? * [ \\"),
        (any(ord(c) < 32 or ord(c) == 127 for c in name), "it contains a control character"),
    ]
    return next((why for broken, why in checks if broken), "git refuses it")


class EmbeddedForge:
    """``Forge`` on bare repositories under ``root`` and the ``forge_pull_requests`` table."""

    def __init__(self, root: Path, db: Database, clock: Clock, bot: Person) -> None:
        self.root = root
        self.db = db
        self.clock = clock
        self.bot = bot
        self._handlers: list[EventHandler] = []
        self._branch_locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._repo_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    # ---- events -------------------------------------------------------------

    def on_event(self, handler: EventHandler) -> None:
        self._handlers.append(handler)

    async def _emit(self, events: Sequence[ForgeEvent]) -> None:
        # The write already happened; a failing handler must not make it look like it did not.
        for event in events:
            for handler in self._handlers:
                try:
                    await handler(event)
                except Exception:
                    log.exception("forge event handler failed on %s", type(event).__name__)

    # ---- plumbing helpers ---------------------------------------------------

    def _path(self, repo: RepoRef) -> Path:
        return self.root / repo.owner / f"{repo.name}.git"

    def _git(self, repo: RepoRef) -> GitRepo:
        path = self._path(repo)
        valid = _REPO_PART.match(repo.owner) and _REPO_PART.match(repo.name)
        if not valid or not (path / "HEAD").is_file():
            raise ForgeNotFound(f"no repository {repo.full_name}")
        return GitRepo(path)

    def _signature(self, person: Person) -> Signature:
        return Signature(person.name, person.email, self.clock.now())

    async def _validate_branch(self, name: str) -> None:
        if not await check_branch_name(name, cwd=self.root if self.root.is_dir() else None):
            raise InvalidRefName(f"invalid branch name {name!r}: {_refusal_reason(name)}")

    @contextlib.asynccontextmanager
    async def _locked(self, repo: RepoRef, *branches: str) -> AsyncIterator[None]:
        # Sorted, so two writers taking the same pair of branches cannot deadlock.
        keys = sorted({(repo.full_name, b) for b in branches})
        async with contextlib.AsyncExitStack() as stack:
            for key in keys:
                await stack.enter_async_context(self._branch_locks[key])
            yield

    async def _head_or_missing(self, git: GitRepo, branch: str) -> str:
        head = await git.branch_head(branch)
        if head is None:
            raise ForgeNotFound(f"no branch {branch!r}")
        return head

    async def _commit_or_missing(self, git: GitRepo, ref: str) -> str:
        sha = await git.resolve_commit(ref)
        if sha is None:
            raise ForgeNotFound(f"no ref {ref!r}")
        return sha

    async def _pushed(self, repo: RepoRef, git: GitRepo, branch: str, before: str,
                      after: str) -> Pushed:
        entries = await git.log([after, f"^{before}"], limit=_PUSH_COMMIT_LIMIT)
        commits = tuple(_commit(e) for e in reversed(entries))
        return Pushed(_delivery(), repo, branch=branch, before=before, after=after,
                      commits=commits)

    # ---- repositories -------------------------------------------------------

    async def ping(self) -> None:
        try:
            await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK | os.X_OK):
                raise ForgeUnavailable(f"forge root {self.root} is not writable")
            await run_git(["--version"])
        except ForgeUnavailable:
            raise
        except (OSError, ForgeError) as exc:
            raise ForgeUnavailable(f"embedded forge unusable: {exc}") from exc

    async def ensure_repo(self, repo: RepoRef, *, description: str = "",
                          default_branch: str = "main") -> Repo:
        if not (_REPO_PART.match(repo.owner) and _REPO_PART.match(repo.name)):
            raise ForgeError(f"invalid repository name {repo.full_name!r}")
        if repo.name.endswith(".git"):
            raise ForgeError("repository names must not end with '.git'")
        await self._validate_branch(default_branch)
        async with self._repo_locks[repo.full_name]:
            created = (not (self._path(repo) / "HEAD").is_file()
                       and await self._create_repo(repo, description, default_branch))
        if created:
            await self._emit([RepositoryEvent(_delivery(), repo, action="created")])
        return await self.get_repo(repo)

    async def _create_repo(self, repo: RepoRef, description: str, default_branch: str) -> bool:
        """Build the repository beside its final place, then rename it in atomically.

        Nobody ever sees a repository without its first commit, even if we crash halfway.
        Returns False if another process put one there first.
        """
        final = self._path(repo)
        await asyncio.to_thread(final.parent.mkdir, parents=True, exist_ok=True)
        scratch = final.parent / f".creating-{uuid.uuid4().hex}"
        try:
            await run_git(["init", "--quiet", "--bare", f"--initial-branch={default_branch}",
                           str(scratch)])
            await asyncio.to_thread((scratch / "description").write_text,
                                    f"{description}\n", "utf-8")
            git = GitRepo(scratch)
            readme = f"# {repo.name}\n" + (f"\n{description}\n" if description else "")
            blob = await git.hash_blob(readme.encode("utf-8"))
            tree = await git.build_tree(None, {"README.md": blob})
            bot = self._signature(self.bot)
            first = await git.commit_tree(tree, [], "Initial commit", author=bot, committer=bot)
            if not await git.update_ref(default_branch, first, ZERO_SHA):
                raise ForgeError(f"could not create {default_branch!r} in {repo.full_name}")
            try:
                await asyncio.to_thread(os.rename, scratch, final)
            except OSError:
                if not (final / "HEAD").is_file():
                    raise
                return False
            return True
        finally:
            if scratch.exists():
                await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def get_repo(self, repo: RepoRef) -> Repo:
        git = self._git(repo)
        description = await asyncio.to_thread(self._read_description, git.git_dir)
        return Repo(ref=repo, default_branch=await git.default_branch(), description=description)

    @staticmethod
    def _read_description(git_dir: Path) -> str:
        try:
            text = (git_dir / "description").read_text("utf-8").strip()
        except OSError:
            return ""
        # git's placeholder for "nobody set one".
        return "" if text.startswith("Unnamed repository;") else text

    async def list_repos(self, owner: str) -> list[Repo]:
        if not _REPO_PART.match(owner):
            return []
        folder = self.root / owner

        def names() -> list[str]:
            if not folder.is_dir():
                return []
            return sorted(p.name.removesuffix(".git") for p in folder.iterdir()
                          if p.name.endswith(".git") and (p / "HEAD").is_file())

        return [await self.get_repo(RepoRef(owner, n)) for n in await asyncio.to_thread(names)]

    # ---- files --------------------------------------------------------------

    async def read_file(self, repo: RepoRef, path: str, ref: str) -> FileAtRef:
        git = self._git(repo)
        commit = await self._commit_or_missing(git, ref)
        blob = await git.rev_parse(f"{commit}:{path}")
        if blob is None or await git.object_type(blob) != "blob":
            raise ForgeNotFound(f"no file {path!r} at {ref!r}")
        content = (await git.blob(blob)).decode("utf-8", errors="replace")
        return FileAtRef(path=path, content=content, blob_sha=blob, commit_sha=commit)

    async def list_dir(self, repo: RepoRef, path: str, ref: str) -> list[str]:
        git = self._git(repo)
        commit = await self._commit_or_missing(git, ref)
        folder = path.strip("/")
        tree = await git.rev_parse(f"{commit}:{folder}" if folder else f"{commit}^{{tree}}")
        if tree is None or await git.object_type(tree) != "tree":
            return []
        return sorted(e.name for e in await git.ls_tree(tree) if e.kind == "blob")

    # ---- branches -----------------------------------------------------------

    async def list_branches(self, repo: RepoRef) -> list[Branch]:
        git = self._git(repo)
        default = await git.default_branch()
        return [Branch(h.name, h.sha, h.committed_at, protected=h.name == default)
                for h in await git.branches()]

    async def get_branch(self, repo: RepoRef, name: str) -> Branch:
        # for-each-ref patterns also match by prefix, so filter for the exact name.
        for branch in await self.list_branches(repo):
            if branch.name == name:
                return branch
        raise ForgeNotFound(f"no branch {name!r} in {repo.full_name}")

    async def create_branch(self, repo: RepoRef, name: str, from_ref: str) -> Branch:
        git = self._git(repo)
        await self._validate_branch(name)
        start = await self._commit_or_missing(git, from_ref)
        async with self._locked(repo, name):
            if not await git.update_ref(name, start, ZERO_SHA):
                if await git.branch_head(name) is not None:
                    raise ForgeAlreadyExists(f"branch {name!r} exists in {repo.full_name}")
                raise ForgeError(f"could not create branch {name!r}")
        await self._emit([BranchCreated(_delivery(), repo, branch=name, head=start)])
        return await self.get_branch(repo, name)

    async def delete_branch(self, repo: RepoRef, name: str) -> None:
        git = self._git(repo)
        if name == await git.default_branch():
            raise ProtectedBranch(f"{name!r} is the default branch of {repo.full_name}")
        async with self._locked(repo, name):
            head = await self._head_or_missing(git, name)
            if not await git.delete_ref(name, head):
                raise StaleHead(name, head, await git.branch_head(name))
        await self._emit([BranchDeleted(_delivery(), repo, branch=name)])

    # ---- commits ------------------------------------------------------------

    async def commit_files(self, repo: RepoRef, branch: str, changes: Sequence[FileChange], *,
                           message: str, author: Person, expected_head: str) -> Commit:
        """Commit on top of ``expected_head``.

        A commit that would not change the tree is refused with ``ForgeError("nothing to
        commit")``: an empty commit would only add noise to the RFC's history.
        """
        git = self._git(repo)
        writes = {_check_path(c.path): c.content for c in changes}
        async with self._locked(repo, branch):
            head = await self._head_or_missing(git, branch)
            if head != expected_head:
                raise StaleHead(branch, expected_head, head)
            blobs = {p: (await git.hash_blob(c.encode("utf-8")) if c is not None else None)
                     for p, c in writes.items()}
            tree = await git.build_tree(head, blobs)
            if tree == await git.tree_of(head):
                raise ForgeError("nothing to commit")
            sha = await git.commit_tree(tree, [head], message, author=self._signature(author),
                                        committer=self._signature(self.bot))
            if not await git.update_ref(branch, sha, head):
                # Moved by something outside this process between our check and now.
                raise StaleHead(branch, expected_head, await git.branch_head(branch))
            synced = await self._sync_pulls(repo, branch, sha)
        events: list[ForgeEvent] = [await self._pushed(repo, git, branch, head, sha)]
        events += [PullRequestEvent(_delivery(), repo, action="synchronized", pull=p)
                   for p in synced]
        await self._emit(events)
        return _commit((await git.log([sha], limit=1))[0])

    async def list_commits(self, repo: RepoRef, ref: str, *, path: str | None = None,
                           limit: int = 50) -> list[Commit]:
        git = self._git(repo)
        start = await self._commit_or_missing(git, ref)
        return [_commit(e) for e in await git.log([start], path=path, limit=limit)]

    async def compare(self, repo: RepoRef, base: str, head: str) -> Comparison:
        """Like a three-dot compare: commits and file changes since the merge base.

        Commits are oldest first. Renames show as a deletion plus an addition.
        """
        git = self._git(repo)
        base_sha = await self._commit_or_missing(git, base)
        head_sha = await self._commit_or_missing(git, head)
        merge_base = await git.merge_base(base_sha, head_sha)
        if merge_base is None:
            raise ForgeError(f"{base!r} and {head!r} have no common history")
        entries = await git.log([head_sha, f"^{base_sha}"], reverse=True)
        files = [await self._changed_file(git, merge_base, head_sha, letter, path)
                 for letter, path in await git.changed_paths(merge_base, head_sha)]
        return Comparison(base_sha=base_sha, head_sha=head_sha, merge_base=merge_base,
                          commits=tuple(_commit(e) for e in entries), files=tuple(files))

    async def _changed_file(self, git: GitRepo, old: str, new: str, letter: str,
                            path: str) -> ChangedFile:
        status = _STATUS.get(letter[:1], "modified")
        old_content = None if status == "added" else await self._text_at(git, old, path)
        new_content = None if status == "deleted" else await self._text_at(git, new, path)
        return ChangedFile(path=path, status=status, old_content=old_content,
                           new_content=new_content)

    async def _text_at(self, git: GitRepo, commit: str, path: str) -> str | None:
        blob = await git.rev_parse(f"{commit}:{path}")
        if blob is None:
            return None
        return (await git.blob(blob)).decode("utf-8", errors="replace")

    # ---- pull requests: storage ---------------------------------------------

    async def _load_pull(self, tx: Tx, repo: RepoRef, number: int) -> PullRequest | None:
        row = await tx.one(f"SELECT {_PR_COLUMNS} FROM forge_pull_requests "
                           "WHERE repo = :repo AND number = :number",
                           {"repo": repo.full_name, "number": number})
        return _pull_from_row(row) if row else None

    async def _save_pull(self, tx: Tx, pull: PullRequest) -> None:
        await tx.execute(
            "UPDATE forge_pull_requests SET title = :title, body = :body, head_sha = :head_sha,"
            " state = :state, updated_at = :updated_at, merged_at = :merged_at,"
            " merge_commit_sha = :merge_commit_sha, closed_at = :closed_at"
            " WHERE repo = :repo AND number = :number",
            {"repo": pull.repo.full_name, "number": pull.number, "title": pull.title,
             "body": pull.body, "head_sha": pull.head_sha, "state": pull.state,
             "updated_at": iso(pull.updated_at),
             "merged_at": iso(pull.merged_at) if pull.merged_at else None,
             "merge_commit_sha": pull.merge_commit_sha,
             "closed_at": iso(pull.closed_at) if pull.closed_at else None})

    async def _sync_pulls(self, repo: RepoRef, branch: str, head: str) -> list[PullRequest]:
        """Point every open pull request from ``branch`` at its new head."""
        now = self.clock.now()
        synced: list[PullRequest] = []
        async with self.db.write() as tx:
            rows = await tx.all(f"SELECT {_PR_COLUMNS} FROM forge_pull_requests WHERE repo = :repo"
                                " AND head_branch = :branch AND state = 'open' ORDER BY number",
                                {"repo": repo.full_name, "branch": branch})
            for row in rows:
                pull = replace(_pull_from_row(row), head_sha=head, updated_at=now)
                await self._save_pull(tx, pull)
                synced.append(pull)
        return synced

    # ---- pull requests: operations ------------------------------------------

    async def open_pull_request(self, repo: RepoRef, *, head: str, base: str, title: str,
                                body: str, author: Person) -> PullRequest:
        git = self._git(repo)
        if head == base:
            raise ForgeError("a pull request needs two different branches")
        head_sha = await self._head_or_missing(git, head)
        await self._head_or_missing(git, base)
        now = iso(self.clock.now())
        async with self.db.write() as tx:
            duplicate = await tx.scalar(
                "SELECT number FROM forge_pull_requests WHERE repo = :repo AND state = 'open'"
                " AND head_branch = :head AND base_branch = :base",
                {"repo": repo.full_name, "head": head, "base": base})
            if duplicate is not None:
                raise ForgeAlreadyExists(f"pull request #{duplicate} is already open for "
                                         f"{head!r} into {base!r}")
            # Numbered inside the write transaction, which holds SQLite's write lock.
            number = await tx.scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM"
                                     " forge_pull_requests WHERE repo = :repo",
                                     {"repo": repo.full_name})
            await tx.execute(
                f"INSERT INTO forge_pull_requests ({_PR_COLUMNS}) VALUES (:repo, :number, :title,"
                " :body, :head, :base, :head_sha, 'open', :author, :now, :now, NULL, NULL, NULL)",
                {"repo": repo.full_name, "number": number, "title": title, "body": body,
                 "head": head, "base": base, "head_sha": head_sha, "author": author.login,
                 "now": now})
            pull = await self._load_pull(tx, repo, int(number))
        assert pull is not None
        await self._emit([PullRequestEvent(_delivery(), repo, action="opened", pull=pull)])
        return pull

    async def list_pull_requests(self, repo: RepoRef,
                                 state: Literal["open", "closed", "all"] = "open"
                                 ) -> list[PullRequest]:
        """Newest first. ``closed`` includes merged ones, as on GitHub and Gitea."""
        self._git(repo)
        states = {"open": ("open",), "closed": ("closed", "merged"),
                  "all": ("open", "closed", "merged")}[state]
        params: dict[str, Any] = {f"s{i}": s for i, s in enumerate(states)}
        wanted = ", ".join(f":{key}" for key in params)
        params["repo"] = repo.full_name
        async with self.db.read() as tx:
            rows = await tx.all(
                f"SELECT {_PR_COLUMNS} FROM forge_pull_requests WHERE repo = :repo"
                f" AND state IN ({wanted}) ORDER BY number DESC", params)
        return [_pull_from_row(r) for r in rows]

    async def get_pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        self._git(repo)
        async with self.db.read() as tx:
            pull = await self._load_pull(tx, repo, number)
        if pull is None:
            raise ForgeNotFound(f"no pull request #{number} in {repo.full_name}")
        return pull

    async def edit_pull_request(self, repo: RepoRef, number: int, *, title: str | None = None,
                                body: str | None = None) -> PullRequest:
        self._git(repo)
        async with self.db.write() as tx:
            pull = await self._load_pull(tx, repo, number)
            if pull is None:
                raise ForgeNotFound(f"no pull request #{number} in {repo.full_name}")
            edited = replace(pull, title=pull.title if title is None else title,
                             body=pull.body if body is None else body)
            if edited == pull:
                return pull
            edited = replace(edited, updated_at=self.clock.now())
            await self._save_pull(tx, edited)
        await self._emit([PullRequestEvent(_delivery(), repo, action="edited", pull=edited)])
        return edited

    async def close_pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        """Close an open pull request; a closed or merged one is returned unchanged."""
        pull = await self.get_pull_request(repo, number)
        # The merge's locks: a close and a merge of one pull request never interleave.
        async with self._locked(repo, pull.base_branch, pull.head_branch):
            now = self.clock.now()
            async with self.db.write() as tx:
                current = await self._load_pull(tx, repo, number)
                if current is None:
                    raise ForgeNotFound(f"no pull request #{number} in {repo.full_name}")
                if current.state != "open":
                    return current
                closed = replace(current, state="closed", closed_at=now, updated_at=now)
                await self._save_pull(tx, closed)
        await self._emit([PullRequestEvent(_delivery(), repo, action="closed", pull=closed)])
        return closed

    async def merge_pull_request(self, repo: RepoRef, number: int, *, expected_head: str,
                                 message: str, merger: Person) -> MergeResult:
        """Always a real merge commit (base head first parent); the head branch is kept."""
        git = self._git(repo)
        try:
            pull = await self.get_pull_request(repo, number)
        except ForgeNotFound:
            return MergeResult(MergeOutcome.GONE)
        async with self._locked(repo, pull.base_branch, pull.head_branch):
            result, events = await self._merge_locked(repo, git, number, expected_head,
                                                      message, merger)
        await self._emit(events)
        return result

    async def _merge_locked(self, repo: RepoRef, git: GitRepo, number: int, expected_head: str,
                            message: str, merger: Person
                            ) -> tuple[MergeResult, list[ForgeEvent]]:
        # Re-read under the locks: another merge or a close may have won the race.
        pull = await self.get_pull_request(repo, number)
        if pull.state == "merged":
            return MergeResult(MergeOutcome.ALREADY_MERGED, pull, pull.merge_commit_sha), []
        pr_head = await git.branch_head(pull.head_branch)
        if pull.state == "closed" or pr_head is None:
            return MergeResult(MergeOutcome.GONE, pull), []
        if pr_head != expected_head:
            return MergeResult(MergeOutcome.HEAD_MOVED, pull), []
        # Our lock keeps in-process writers off the base; a retry covers outside pushes.
        for _attempt in range(2):
            base_head = await git.branch_head(pull.base_branch)
            if base_head is None:
                return MergeResult(MergeOutcome.GONE, pull), []
            merged = await git.merge_tree(base_head, pr_head)
            if not merged.clean:
                return MergeResult(MergeOutcome.CONFLICTED, pull), []
            sha = await git.commit_tree(merged.tree, [base_head, pr_head], message,
                                        author=self._signature(merger),
                                        committer=self._signature(self.bot))
            if await git.update_ref(pull.base_branch, sha, base_head):
                return await self._record_merge(repo, git, pull, pr_head, base_head, sha)
        return MergeResult(MergeOutcome.NOT_MERGEABLE_YET, pull), []

    async def _record_merge(self, repo: RepoRef, git: GitRepo, pull: PullRequest, pr_head: str,
                            base_before: str, sha: str) -> tuple[MergeResult, list[ForgeEvent]]:
        now = self.clock.now()
        merged = replace(pull, state="merged", head_sha=pr_head, merged_at=now,
                         merge_commit_sha=sha, updated_at=now)
        async with self.db.write() as tx:
            await self._save_pull(tx, merged)
        synced = await self._sync_pulls(repo, pull.base_branch, sha)
        events: list[ForgeEvent] = [await self._pushed(repo, git, pull.base_branch,
                                                       base_before, sha)]
        events += [PullRequestEvent(_delivery(), repo, action="synchronized", pull=p)
                   for p in synced]
        events.append(PullRequestEvent(_delivery(), repo, action="merged", pull=merged))
        return MergeResult(MergeOutcome.MERGED, merged, sha), events
