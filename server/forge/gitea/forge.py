"""The Gitea forge: the forge port over Gitea's REST API, acting as the app's bot.

Writes that must not race:

- ``commit_files`` writes the commit on a scratch branch (Gitea's contents API always
  commits on top of a branch's current head), then moves the real branch there with
  ``PUT /branches/{name}`` and ``old_commit_id``: Gitea checks that id and pushes with
  ``--force-with-lease``, so the branch moves only if it is still at the head the caller
  saw, whatever else writes to it. The file writes also carry each file's blob sha.
- ``merge_pull_request`` sends the approved head as ``head_commit_id``; Gitea refuses the
  merge if the pull request's head moved. A merge whose answer is lost is confirmed by
  reading the pull request again, never reported as someone else's.

Per-branch and per-pull-request locks also serialize this process's own writers, so they
see each other's results instead of racing.

Events come from webhooks (``receive_webhook``), delivered to the handlers in arrival
order on a background task so the webhook is answered at once.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from server.forge.gitea import convert
from server.forge.gitea.client import (
    ApiError,
    ApiNotFound,
    GiteaClient,
    ResponseLost,
    error_message,
)
from server.forge.gitea.merging import Decision, MergeBlocked, merge_decision
from server.forge.gitea.names import (
    SCRATCH_PREFIX,
    branch_name_problem,
    is_scratch,
    path_problem,
    segment,
    wildcard,
)
from server.forge.gitea.webhooks import normalize
from server.forge.port import (
    Branch,
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
    Repo,
    RepoRef,
    StaleHead,
)

log = logging.getLogger(__name__)

_FULL_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_REPO_PART = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_SEEN_DELIVERIES = 10_000

WebhookOutcome = Literal["accepted", "duplicate", "ignored"]


@dataclass(frozen=True)
class _Blob:
    sha: str
    data: bytes


class GiteaForge:
    """``Forge`` on a Gitea, as the bot whose token ``client`` holds."""

    def __init__(self, client: GiteaClient, bot: Person, *, merge_wait: float = 10.0,
                 conflict_wait: float = 2.0, lost_merge_wait: float = 10.0,
                 poll: float = 0.25) -> None:
        self.client = client
        self.bot = bot
        self.merge_wait = merge_wait
        self.conflict_wait = conflict_wait
        self.lost_merge_wait = lost_merge_wait
        self.poll = poll
        self._handlers: list[EventHandler] = []
        self._branch_locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._pull_locks: defaultdict[tuple[str, int], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._default_branches: dict[str, str] = {}
        self._identity: Person | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._tail: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    # ---- lifecycle and events -----------------------------------------------

    def on_event(self, handler: EventHandler) -> None:
        self._handlers.append(handler)

    async def aclose(self) -> None:
        await self.drain()
        await self.client.aclose()

    async def drain(self) -> None:
        """Wait until every event received so far has been handled."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def receive_webhook(self, event: str, delivery: str,
                        payload: Mapping[str, Any]) -> tuple[WebhookOutcome, list[ForgeEvent]]:
        """Take one verified delivery: normalize it and queue its events for the handlers.

        Returns at once; the handlers run on a background task, one delivery after the
        other in the order they arrived.
        """
        if delivery and delivery in self._seen:
            return "duplicate", []
        events = normalize(event, delivery, payload)
        if delivery:
            self._seen[delivery] = None
            while len(self._seen) > _SEEN_DELIVERIES:
                self._seen.popitem(last=False)
        if events is None:
            return "ignored", []
        if events:
            self._enqueue(events)
        return "accepted", events

    def _enqueue(self, events: list[ForgeEvent]) -> None:
        previous = self._tail

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await self._emit(events)

        task = asyncio.get_running_loop().create_task(run())
        self._tail = task
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _emit(self, events: Sequence[ForgeEvent]) -> None:
        for event in events:
            for handler in self._handlers:
                try:
                    await handler(event)
                except Exception:
                    log.exception("forge event handler failed on %s", type(event).__name__)

    # ---- helpers ------------------------------------------------------------

    @staticmethod
    def _base(repo: RepoRef) -> str:
        if not (_REPO_PART.match(repo.owner) and _REPO_PART.match(repo.name)):
            raise ForgeNotFound(f"no repository {repo.full_name}")
        return f"/repos/{segment(repo.owner)}/{segment(repo.name)}"

    async def _default_branch(self, repo: RepoRef) -> str:
        known = self._default_branches.get(repo.full_name)
        return known if known is not None else (await self.get_repo(repo)).default_branch

    async def resolve(self, repo: RepoRef, ref: str) -> str:
        """The commit sha ``ref`` (a branch, tag or sha) names; ``ForgeNotFound`` if none."""
        if _FULL_SHA.match(ref):
            return ref
        try:
            found = await self.client.request(
                "GET", f"{self._base(repo)}/commits",
                params={"sha": ref, "limit": 1, "stat": "false", "verification": "false",
                        "files": "false"}, expect=(200,))
        except ApiError as exc:
            if exc.status in (404, 409, 422):
                raise ForgeNotFound(f"no ref {ref!r} in {repo.full_name}") from exc
            raise
        listed = found.json()
        if not listed:
            raise ForgeNotFound(f"no ref {ref!r} in {repo.full_name}")
        return str(listed[0]["sha"])

    async def _blob_at(self, repo: RepoRef, path: str, commit: str) -> _Blob | None:
        """The file at ``path`` in ``commit``; None if there is none (or it is a folder)."""
        try:
            data = await self.client.get_json(f"{self._base(repo)}/contents/{wildcard(path)}",
                                              {"ref": commit})
        except ApiNotFound:
            return None
        if not isinstance(data, dict) or data.get("type") not in ("file", "symlink"):
            return None
        content = data.get("content")
        if content is None:
            # Large files come without their content; the raw route serves any size.
            raw = await self.client.request("GET", f"{self._base(repo)}/raw/{wildcard(path)}",
                                            params={"ref": commit})
            return _Blob(str(data["sha"]), raw.content)
        return _Blob(str(data["sha"]), base64.b64decode(content))

    # ---- repositories -------------------------------------------------------

    async def ping(self) -> None:
        try:
            await self.client.get_json("/user")
        except ForgeUnavailable:
            raise
        except ForgeError as exc:
            raise ForgeUnavailable(f"Gitea is not usable: {exc}") from exc

    async def ensure_repo(self, repo: RepoRef, *, description: str = "",
                          default_branch: str = "main") -> Repo:
        try:
            return await self.get_repo(repo)
        except ForgeNotFound:
            pass
        if not (_REPO_PART.match(repo.owner) and _REPO_PART.match(repo.name)):
            raise ForgeError(f"invalid repository name {repo.full_name!r}")
        if repo.name.endswith(".git"):
            raise ForgeError("repository names must not end with '.git'")
        problem = branch_name_problem(default_branch)
        if problem:
            raise InvalidRefName(f"invalid branch name {default_branch!r}: {problem}")
        target = ("/user/repos" if repo.owner.lower() == self.bot.login.lower()
                  else f"/orgs/{segment(repo.owner)}/repos")
        try:
            await self.client.request("POST", target, json={
                "name": repo.name, "description": description, "auto_init": True,
                "readme": "Default", "default_branch": default_branch, "private": False},
                expect=(201, 409))
        except ApiNotFound as exc:
            raise ForgeNotFound(f"Gitea has no organization {repo.owner!r} the bot can create "
                                "repositories in") from exc
        except ResponseLost:
            log.warning("gitea: creating %s: the answer was lost; looking", repo.full_name)
        return await self.get_repo(repo)

    async def get_repo(self, repo: RepoRef) -> Repo:
        try:
            data = await self.client.get_json(self._base(repo))
        except ApiNotFound:
            raise ForgeNotFound(f"no repository {repo.full_name}") from None
        found = convert.repo(data, repo)
        self._default_branches[repo.full_name] = found.default_branch
        return found

    async def list_repos(self, owner: str) -> list[Repo]:
        if not _REPO_PART.match(owner):
            return []
        listed: list[Any] = []
        for path in (f"/orgs/{segment(owner)}/repos", f"/users/{segment(owner)}/repos"):
            try:
                listed = await self.client.paginate(path)
                break
            except ApiNotFound:
                continue
        repos = [convert.repo(r) for r in listed]
        for found in repos:
            self._default_branches[found.ref.full_name] = found.default_branch
        return sorted(repos, key=lambda r: r.ref.name)

    # ---- files --------------------------------------------------------------

    async def read_file(self, repo: RepoRef, path: str, ref: str) -> FileAtRef:
        if path_problem(path):
            raise ForgeNotFound(f"no file {path!r} at {ref!r}")
        commit = await self.resolve(repo, ref)
        blob = await self._blob_at(repo, path, commit)
        if blob is None:
            raise ForgeNotFound(f"no file {path!r} at {ref!r}")
        return FileAtRef(path=path, content=blob.data.decode("utf-8", errors="replace"),
                         blob_sha=blob.sha, commit_sha=commit)

    async def list_dir(self, repo: RepoRef, path: str, ref: str) -> list[str]:
        commit = await self.resolve(repo, ref)
        folder = path.strip("/")
        where = f"{self._base(repo)}/contents" + (f"/{wildcard(folder)}" if folder else "")
        try:
            data = await self.client.get_json(where, {"ref": commit})
        except ApiNotFound:
            return []
        if not isinstance(data, list):
            return []
        return sorted(e["name"] for e in data if e.get("type") in ("file", "symlink"))

    # ---- branches -----------------------------------------------------------

    async def list_branches(self, repo: RepoRef) -> list[Branch]:
        default = (await self.get_repo(repo)).default_branch
        listed = await self.client.paginate(f"{self._base(repo)}/branches")
        return sorted((convert.branch(b, default) for b in listed if not is_scratch(b["name"])),
                      key=lambda b: b.name)

    async def get_branch(self, repo: RepoRef, name: str) -> Branch:
        if not name:
            raise ForgeNotFound("no branch ''")
        try:
            data = await self.client.get_json(f"{self._base(repo)}/branches/{wildcard(name)}")
        except ApiNotFound:
            raise ForgeNotFound(f"no branch {name!r} in {repo.full_name}") from None
        if data.get("name") != name:
            raise ForgeNotFound(f"no branch {name!r} in {repo.full_name}")
        return convert.branch(data, await self._default_branch(repo))

    async def create_branch(self, repo: RepoRef, name: str, from_ref: str) -> Branch:
        problem = branch_name_problem(name)
        if problem:
            raise InvalidRefName(f"invalid branch name {name!r}: {problem}")
        return await self._create_branch(repo, name, from_ref)

    async def _create_branch(self, repo: RepoRef, name: str, from_ref: str) -> Branch:
        try:
            response = await self.client.request(
                "POST", f"{self._base(repo)}/branches",
                json={"new_branch_name": name, "old_ref_name": from_ref}, expect=(201,))
        except ApiNotFound:
            raise ForgeNotFound(f"no ref {from_ref!r} in {repo.full_name}") from None
        except ApiError as exc:
            if exc.status == 409:
                raise ForgeAlreadyExists(f"branch {name!r} exists in {repo.full_name}") from exc
            if exc.status == 422:
                raise InvalidRefName(f"invalid branch name {name!r}: Gitea refused it "
                                     f"({exc.message})") from exc
            raise
        except ResponseLost:
            # It may exist now; if it does and points where we wanted, it is ours.
            found = await self.get_branch(repo, name)
            if found.head != await self.resolve(repo, from_ref):
                raise
            return found
        return convert.branch(response.json(), await self._default_branch(repo))

    async def delete_branch(self, repo: RepoRef, name: str) -> None:
        if name == (await self.get_repo(repo)).default_branch:
            raise ProtectedBranch(f"{name!r} is the default branch of {repo.full_name}")
        async with self._branch_locks[(repo.full_name, name)]:
            await self._delete_branch(repo, name)

    async def _delete_branch(self, repo: RepoRef, name: str) -> None:
        try:
            await self.client.request("DELETE", f"{self._base(repo)}/branches/{wildcard(name)}",
                                      expect=(204,))
        except ApiNotFound:
            raise ForgeNotFound(f"no branch {name!r} in {repo.full_name}") from None
        except ApiError as exc:
            if exc.status == 403:
                raise ProtectedBranch(f"Gitea refuses to delete {name!r}: {exc.message}") from exc
            raise
        except ResponseLost:
            try:
                await self.get_branch(repo, name)
            except ForgeNotFound:
                return  # gone: the lost answer was a yes
            raise

    # ---- commits ------------------------------------------------------------

    async def commit_files(self, repo: RepoRef, branch: str, changes: Sequence[FileChange], *,
                           message: str, author: Person, expected_head: str) -> Commit:
        """Commit on top of ``expected_head``; refuse one that changes nothing."""
        writes: dict[str, str | None] = {}
        for change in changes:
            problem = path_problem(change.path)
            if problem:
                raise ForgeError(problem)
            writes[change.path] = change.content
        async with self._branch_locks[(repo.full_name, branch)]:
            head = (await self.get_branch(repo, branch)).head
            if head != expected_head:
                raise StaleHead(branch, expected_head, head)
            operations = await self._operations(repo, expected_head, writes)
            if not operations:
                raise ForgeError("nothing to commit")
            scratch = f"{SCRATCH_PREFIX}{uuid.uuid4().hex}"
            try:
                commit = await self._commit_on_scratch(repo, branch, scratch, operations,
                                                       message, author, expected_head)
                await self._move_branch(repo, branch, commit.sha, expected_head)
            finally:
                await self._delete_scratch(repo, scratch)
        return commit

    async def _operations(self, repo: RepoRef, at: str,
                          writes: Mapping[str, str | None]) -> list[dict[str, Any]]:
        """The contents API operations that bring each path to its wanted content."""
        operations: list[dict[str, Any]] = []
        for path, content in writes.items():
            existing = await self._blob_at(repo, path, at)
            if content is None:
                if existing is not None:
                    operations.append({"operation": "delete", "path": path,
                                       "sha": existing.sha})
                continue
            data = content.encode("utf-8")
            encoded = base64.b64encode(data).decode("ascii")
            if existing is None:
                operations.append({"operation": "create", "path": path, "content": encoded})
            elif existing.data != data:
                operations.append({"operation": "update", "path": path, "content": encoded,
                                   "sha": existing.sha})
        return operations

    async def _commit_on_scratch(self, repo: RepoRef, branch: str, scratch: str,
                                 operations: list[dict[str, Any]], message: str,
                                 author: Person, expected_head: str) -> Commit:
        body = {"branch": branch, "new_branch": scratch, "message": message,
                "files": operations,
                "author": {"name": author.name, "email": author.email},
                "committer": await self._committer()}
        try:
            response = await self.client.request("POST", f"{self._base(repo)}/contents",
                                                 json=body, expect=(201,))
        except ApiNotFound:
            raise ForgeNotFound(f"no branch {branch!r} in {repo.full_name}") from None
        except ApiError as exc:
            if exc.status in (409, 422):
                # A file changed under us (its blob sha, or it exists now): the branch moved.
                raise StaleHead(branch, expected_head, await self._head_or_none(repo, branch)
                                ) from exc
            raise
        commit = convert.file_commit(response.json()["commit"])
        if commit.parents != (expected_head,):
            # Gitea committed on a newer head than the one checked above.
            raise StaleHead(branch, expected_head, commit.parents[0] if commit.parents else None)
        return commit

    async def _move_branch(self, repo: RepoRef, branch: str, new: str, old: str) -> None:
        """Point ``branch`` at ``new`` only if it is still at ``old``."""
        try:
            await self.client.request(
                "PUT", f"{self._base(repo)}/branches/{wildcard(branch)}",
                json={"new_commit_id": new, "old_commit_id": old, "force": False},
                expect=(204,))
        except ApiNotFound:
            raise ForgeNotFound(f"no branch {branch!r} in {repo.full_name}") from None
        except ApiError as exc:
            if exc.status == 422:
                raise StaleHead(branch, old, await self._head_or_none(repo, branch)) from exc
            if exc.status == 403:
                raise ProtectedBranch(f"Gitea refused to move {branch!r}: {exc.message}"
                                      ) from exc
            raise
        except ResponseLost:
            now = await self._head_or_none(repo, branch)
            if now == new:
                return
            if now != old:
                raise StaleHead(branch, old, now) from None
            raise

    async def identity(self) -> Person:
        """The bot as Gitea knows it: its login, full name and address there."""
        if self._identity is None:
            try:
                data = await self.client.get_json("/user")
            except ForgeError:
                return self.bot
            self._identity = Person(login=data["login"], name=data.get("full_name") or
                                    data["login"], email=data.get("email") or self.bot.email)
        return self._identity

    async def _committer(self) -> dict[str, str]:
        me = await self.identity()
        return {"name": me.name, "email": me.email}

    async def _head_or_none(self, repo: RepoRef, branch: str) -> str | None:
        try:
            return (await self.get_branch(repo, branch)).head
        except ForgeNotFound:
            return None

    async def _delete_scratch(self, repo: RepoRef, scratch: str) -> None:
        try:
            await self._delete_branch(repo, scratch)
        except ForgeNotFound:
            pass
        except ForgeError as exc:
            log.warning("gitea: could not delete scratch branch %s in %s: %s", scratch,
                        repo.full_name, exc)

    async def list_commits(self, repo: RepoRef, ref: str, *, path: str | None = None,
                           limit: int = 50) -> list[Commit]:
        params: dict[str, Any] = {"sha": ref, "stat": "false", "verification": "false",
                                  "files": "false"}
        if path:
            params["path"] = path
        try:
            listed = await self.client.paginate(f"{self._base(repo)}/commits", params,
                                                limit=min(max(limit, 1), self.client.page_limit),
                                                max_items=limit)
        except ApiError as exc:
            if exc.status in (404, 409, 422):
                raise ForgeNotFound(f"no ref {ref!r} in {repo.full_name}") from exc
            raise
        return [convert.commit(c) for c in listed[:limit]]

    async def compare(self, repo: RepoRef, base: str, head: str) -> Comparison:
        """Commits (oldest first) and file changes from the merge base to ``head``."""
        base_sha = await self.resolve(repo, base)
        head_sha = await self.resolve(repo, head)
        raw = await self._compare_commits(repo, base_sha, head_sha, files=True)
        commits = [convert.commit(c) for c in raw]
        merge_base = await self._merge_base(repo, commits, head_sha)
        paths: dict[str, None] = {}
        for item in raw:
            for changed in item.get("files") or ():
                paths[changed["filename"]] = None
        files: list[ChangedFile] = []
        for path in paths:
            old = await self._blob_at(repo, path, merge_base)
            new = await self._blob_at(repo, path, head_sha)
            if (old is None and new is None) or (old and new and old.sha == new.sha):
                continue
            status: Literal["added", "modified", "deleted"] = (
                "added" if old is None else "deleted" if new is None else "modified")
            files.append(ChangedFile(
                path=path, status=status,
                old_content=old.data.decode("utf-8", errors="replace") if old else None,
                new_content=new.data.decode("utf-8", errors="replace") if new else None))
        return Comparison(base_sha=base_sha, head_sha=head_sha, merge_base=merge_base,
                          commits=tuple(commits), files=tuple(files))

    async def _compare_commits(self, repo: RepoRef, base: str, head: str, *,
                               files: bool) -> list[dict[str, Any]]:
        """The commits in ``head`` and not in ``base``, oldest first."""
        try:
            data = await self.client.get_json(
                f"{self._base(repo)}/compare/{base}...{head}",
                {"files": "true" if files else "false", "verification": "false"})
        except ApiNotFound:
            raise ForgeNotFound(f"cannot compare {base} with {head}") from None
        raw = list(data.get("commits") or ())
        return _oldest_first(raw)

    async def _merge_base(self, repo: RepoRef, commits: list[Commit], head: str) -> str:
        if not commits:
            return head  # head is already in base
        inside = {c.sha for c in commits}
        boundary = list(dict.fromkeys(p for c in commits for p in c.parents if p not in inside))
        if not boundary:
            raise ForgeError("the two refs have no common history")
        if len(boundary) == 1:
            return boundary[0]
        # Several ways in (a branch that merged its base): the base is the newest of them.
        for candidate in boundary:
            if await self._contains_all(repo, candidate, [o for o in boundary if o != candidate]):
                return candidate
        return boundary[0]

    async def _contains_all(self, repo: RepoRef, commit: str, others: list[str]) -> bool:
        """Whether every one of ``others`` is an ancestor of ``commit``."""
        for other in others:
            if await self._compare_commits(repo, commit, other, files=False):
                return False
        return True

    # ---- pull requests ------------------------------------------------------

    async def open_pull_request(self, repo: RepoRef, *, head: str, base: str, title: str,
                                body: str, author: Person) -> PullRequest:
        if head == base:
            raise ForgeError("a pull request needs two different branches")
        try:
            response = await self.client.request(
                "POST", f"{self._base(repo)}/pulls",
                json={"head": head, "base": base, "title": title,
                      "body": convert.with_author(body, author.login)}, expect=(201,))
        except ApiNotFound:
            raise ForgeNotFound(f"no branch {head!r} or {base!r} in {repo.full_name}") from None
        except ApiError as exc:
            if exc.status == 409:
                raise ForgeAlreadyExists(f"a pull request is already open for {head!r} into "
                                         f"{base!r}") from exc
            raise
        # Read it back: Gitea updates the new pull request once more right after creating it.
        return await self.get_pull_request(repo, int(response.json()["number"]))

    async def list_pull_requests(self, repo: RepoRef,
                                 state: Literal["open", "closed", "all"] = "open"
                                 ) -> list[PullRequest]:
        """Newest first; ``closed`` includes merged ones."""
        try:
            listed = await self.client.paginate(f"{self._base(repo)}/pulls",
                                                {"state": state, "sort": "newest"})
        except ApiNotFound:
            raise ForgeNotFound(f"no repository {repo.full_name}") from None
        return sorted((convert.pull(p, repo) for p in listed), key=lambda p: -p.number)

    async def _pull_json(self, repo: RepoRef, number: int) -> dict[str, Any]:
        try:
            data = await self.client.get_json(f"{self._base(repo)}/pulls/{number}")
        except ApiNotFound:
            raise ForgeNotFound(f"no pull request #{number} in {repo.full_name}") from None
        return dict(data)

    async def get_pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        return convert.pull(await self._pull_json(repo, number), repo)

    async def edit_pull_request(self, repo: RepoRef, number: int, *, title: str | None = None,
                                body: str | None = None) -> PullRequest:
        raw = await self._pull_json(repo, number)
        current = convert.pull(raw, repo)
        wanted = replace(current, title=current.title if title is None else title,
                         body=current.body if body is None else body)
        if wanted == current:
            return current
        _, noted = convert.split_author(raw.get("body") or "")
        changes: dict[str, Any] = {}
        if wanted.title != current.title:
            changes["title"] = wanted.title
        if wanted.body != current.body:
            changes["body"] = convert.with_author(wanted.body, noted) if noted else wanted.body
        return await self._patch_pull(repo, number, changes)

    async def close_pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        """Close an open pull request; a closed or merged one is returned unchanged."""
        async with self._pull_locks[(repo.full_name, number)]:  # never beside our own merge
            current = await self.get_pull_request(repo, number)
            if current.state != "open":
                return current
            return await self._patch_pull(repo, number, {"state": "closed"})

    async def _patch_pull(self, repo: RepoRef, number: int,
                          changes: dict[str, Any]) -> PullRequest:
        # Setting fields to given values is idempotent, so a lost answer may be retried.
        try:
            response = await self.client.request("PATCH", f"{self._base(repo)}/pulls/{number}",
                                                 json=changes, expect=(200, 201),
                                                 idempotent=True)
        except ApiNotFound:
            raise ForgeNotFound(f"no pull request #{number} in {repo.full_name}") from None
        return convert.pull(response.json(), repo)

    # ---- merging ------------------------------------------------------------

    async def merge_pull_request(self, repo: RepoRef, number: int, *, expected_head: str,
                                 message: str, merger: Person) -> MergeResult:
        """A merge commit (never a fast-forward) if the head is still ``expected_head``.

        Gitea writes merge commits as the bot: its merge API takes no author. ``merger``
        is named in ``message`` by the callers.
        """
        async with self._pull_locks[(repo.full_name, number)]:
            return await self._merge(repo, number, expected_head, message)

    async def _merge(self, repo: RepoRef, number: int, expected_head: str,
                     message: str) -> MergeResult:
        try:
            pull = await self.get_pull_request(repo, number)
        except ForgeNotFound:
            return MergeResult(MergeOutcome.GONE)
        early = self._settled(pull, expected_head, ours=False)
        if early is not None:
            return early
        title, _, rest = message.partition("\n")
        body = {"Do": "merge", "MergeTitleField": title.strip(),
                "MergeMessageField": rest.strip(), "head_commit_id": expected_head,
                "delete_branch_after_merge": False, "force_merge": False}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.merge_wait
        lost = False
        for _attempt in range(20):
            try:
                response = await self.client.request(
                    "POST", f"{self._base(repo)}/pulls/{number}/merge", json=body,
                    expect=tuple(range(200, 500)), read_timeout=120)
            except ResponseLost as exc:
                # The merge may have happened: look instead of guessing, and never report
                # our own merge as "already merged".
                if lost:
                    raise ForgeUnavailable(f"Gitea did not answer the merge of #{number} "
                                           "twice; it has not merged it") from exc
                lost = True
                found = await self._await_merge_settled(repo, number)
                if found.state == "merged":
                    return self._merged(found)
                if found.state == "closed":
                    return MergeResult(MergeOutcome.GONE, found)
                if found.head_sha != expected_head:
                    return MergeResult(MergeOutcome.HEAD_MOVED, found)
                continue
            verdict = merge_decision(response.status_code,
                                     error_message(response) if response.content else "")
            if verdict.decision is Decision.MERGED:
                return self._merged(await self.get_pull_request(repo, number))
            if verdict.decision is Decision.SCHEDULED:
                return MergeResult(MergeOutcome.SCHEDULED, await self.get_pull_request(repo,
                                                                                       number))
            if verdict.decision is Decision.BLOCKED:
                raise MergeBlocked(verdict.reason, error_message(response))
            if verdict.decision is Decision.UNAVAILABLE:
                raise ForgeUnavailable(f"Gitea failed to merge #{number}: "
                                       f"{error_message(response)}")
            current = await self.get_pull_request(repo, number)
            settled = self._settled(current, expected_head, ours=lost)
            if settled is not None:
                return settled
            if verdict.decision is Decision.GONE:
                return MergeResult(MergeOutcome.GONE, current)
            if verdict.decision is Decision.ALREADY_MERGED:
                return MergeResult(MergeOutcome.ALREADY_MERGED, current,
                                   current.merge_commit_sha)
            if verdict.decision is Decision.HEAD_MOVED:
                return MergeResult(MergeOutcome.HEAD_MOVED, current)
            if verdict.decision is Decision.CONFLICTED:
                return MergeResult(MergeOutcome.CONFLICTED, current)
            # RETRY: Gitea is still checking the pull request, or it conflicts.
            outcome = await self._wait_until_mergeable(repo, number, expected_head, deadline)
            if outcome is not None:
                return outcome
        return MergeResult(MergeOutcome.NOT_MERGEABLE_YET,
                           await self.get_pull_request(repo, number))

    def _settled(self, pull: PullRequest, expected_head: str, *,
                 ours: bool) -> MergeResult | None:
        """The outcome already decided by the pull request's state, if it is."""
        if pull.state == "merged":
            if ours:
                return self._merged(pull)
            return MergeResult(MergeOutcome.ALREADY_MERGED, pull, pull.merge_commit_sha)
        if pull.state == "closed":
            return MergeResult(MergeOutcome.GONE, pull)
        if pull.head_sha != expected_head:
            return MergeResult(MergeOutcome.HEAD_MOVED, pull)
        return None

    @staticmethod
    def _merged(pull: PullRequest) -> MergeResult:
        return MergeResult(MergeOutcome.MERGED, pull, pull.merge_commit_sha)

    async def _await_merge_settled(self, repo: RepoRef, number: int) -> PullRequest:
        """Read a pull request whose merge answer was lost until Gitea says it merged."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lost_merge_wait
        while True:
            try:
                found = await self.get_pull_request(repo, number)
            except ForgeUnavailable:
                if loop.time() >= deadline:
                    raise
            else:
                if found.state != "open" or loop.time() >= deadline:
                    return found
            await asyncio.sleep(self.poll)

    async def _wait_until_mergeable(self, repo: RepoRef, number: int, expected_head: str,
                                    deadline: float) -> MergeResult | None:
        """Wait while Gitea checks the pull request; None means "try the merge again".

        Gitea answers "try again later" both while it checks and when the pull request
        conflicts. A conflict is possible only if both sides changed a common file, so
        only then is the wait short before calling it a conflict.
        """
        loop = asyncio.get_running_loop()
        raw = await self._pull_json(repo, number)
        may_conflict = await self._both_sides_touch(repo, raw)
        if may_conflict:
            deadline = min(deadline, loop.time() + self.conflict_wait)
        delay = self.poll
        while True:
            current = convert.pull(raw, repo)
            settled = self._settled(current, expected_head, ours=False)
            if settled is not None:
                return settled
            if raw.get("mergeable"):
                return None
            if loop.time() >= deadline:
                if may_conflict:
                    return MergeResult(MergeOutcome.CONFLICTED, current)
                return MergeResult(MergeOutcome.NOT_MERGEABLE_YET, current)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)
            # Reading the pull request also asks Gitea to check it (StartPullRequestCheckOnView).
            raw = await self._pull_json(repo, number)

    async def _both_sides_touch(self, repo: RepoRef, raw: dict[str, Any]) -> bool:
        merge_base = raw.get("merge_base") or ""
        head = (raw.get("head") or {}).get("sha") or ""
        base = (raw.get("base") or {}).get("sha") or ""
        if not (merge_base and head and base):
            return True
        ours = await self._touched(repo, merge_base, base)
        theirs = await self._touched(repo, merge_base, head)
        return bool(ours & theirs)

    async def _touched(self, repo: RepoRef, base: str, head: str) -> set[str]:
        return {f["filename"] for c in await self._compare_commits(repo, base, head, files=True)
                for f in c.get("files") or ()}


def _oldest_first(commits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order compare results so every commit comes after its parents in the list."""
    index = {c["sha"]: c for c in commits}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []

    def visit(sha: str) -> None:
        stack: list[tuple[str, bool]] = [(sha, False)]
        while stack:
            current, expanded = stack.pop()
            if current in done:
                continue
            if expanded:
                done.add(current)
                ordered.append(index[current])
                continue
            stack.append((current, True))
            for parent in reversed([p["sha"] for p in index[current].get("parents") or ()]):
                if parent in index and parent not in done:
                    stack.append((parent, False))

    # Git lists newest first; walking from the oldest keeps independent commits in date order.
    for item in reversed(commits):
        visit(item["sha"])
    return ordered


def gitea_forge(url: str, token: str, bot: Person, **options: Any) -> GiteaForge:
    """A forge for ``url`` acting with ``token``; ``options`` go to ``GiteaForge``."""
    return GiteaForge(GiteaClient(url, token), bot, **options)

