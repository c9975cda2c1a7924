"""A small async wrapper around the ``git`` command and the plumbing the embedded forge uses.

Every call is one ``git`` process started with ``asyncio.create_subprocess_exec``: no
shell, so names and paths are passed verbatim, and the event loop never blocks. The
environment is scrubbed so that neither the user's git configuration nor a ``GIT_DIR``
inherited from, say, a hook can change what happens to the forge's repositories.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from server.forge.port import ForgeError, ForgeNotFound

# Inherited variables that would redirect git away from the repository we name.
_SCRUBBED = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
    "GIT_COMMON_DIR", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
)

_FIXED_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",  # stable messages, so "not found" can be recognised
}

# Fields of one commit in ``git log`` output: sha, parents, author name/email/time,
# committer time, then the raw message last because it is free text.
_LOG_FORMAT = "%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%ct%x1f%B"

_NOT_FOUND_HINTS = (
    "not a valid object name", "unknown revision", "bad revision", "does not exist",
    "not a git repository", "invalid object name", "not a tree object", "bad object",
    "no such ref", "path not in",
)


class GitError(ForgeError):
    """``git`` exited with a status the caller did not expect."""

    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        shown = " ".join(args)
        super().__init__(f"git {shown} failed ({returncode}): {stderr.strip()}")
        self.git_args = tuple(args)
        self.returncode = returncode
        self.stderr = stderr


class GitNotFound(GitError, ForgeNotFound):
    """A git failure that means the object, ref or repository does not exist."""


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Signature:
    """One side of a commit's identity: who and when."""

    name: str
    email: str
    when: datetime


@dataclass(frozen=True)
class LogEntry:
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime
    message: str


@dataclass(frozen=True)
class RefHead:
    name: str  # without ``refs/heads/``
    sha: str
    committed_at: datetime


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str  # blob, tree or commit
    sha: str
    name: str


@dataclass(frozen=True)
class MergeTree:
    tree: str
    clean: bool


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(_FIXED_ENV)
    if extra:
        env.update(extra)
    return env


async def run_git(args: Sequence[str], *, git_dir: Path | None = None, stdin: bytes | None = None,
                  env: Mapping[str, str] | None = None, cwd: Path | None = None,
                  ok: Sequence[int] = (0,)) -> GitResult:
    """Run ``git <args>``; raise ``GitError`` (``GitNotFound``) unless the status is in ``ok``."""
    argv = ["git"]
    if git_dir is not None:
        argv.append(f"--git-dir={git_dir}")
    argv.extend(args)
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env=git_env(env), cwd=cwd)
    except OSError as exc:
        raise ForgeError(f"cannot run git: {exc}") from exc
    try:
        out, err = await proc.communicate(stdin)
    except asyncio.CancelledError:
        # Do not leave a git process writing into the repository behind us.
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    code = proc.returncode if proc.returncode is not None else -1
    if code not in ok:
        message = err.decode("utf-8", errors="replace")
        lowered = message.lower()
        error = GitNotFound if any(h in lowered for h in _NOT_FOUND_HINTS) else GitError
        raise error(list(args), code, message)
    return GitResult(code, out, err)


def _unix(moment: datetime) -> str:
    # git's raw date format; the offset is irrelevant because we always write UTC.
    return f"@{int(moment.timestamp())} +0000"


def _from_unix(text: str) -> datetime:
    return datetime.fromtimestamp(int(text), UTC)


async def check_branch_name(name: str, *, cwd: Path | None = None) -> bool:
    """Whether git accepts ``name`` as a branch name."""
    if not name:
        return False
    result = await run_git(["check-ref-format", "--branch", name], cwd=cwd, ok=(0, 1, 128))
    # Inside a work tree ``--branch`` expands ``@{-1}`` to another name; that is not a yes.
    return result.returncode == 0 and result.text.rstrip("\n") == name


class GitRepo:
    """Plumbing on one bare repository."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir

    async def run(self, args: Sequence[str], *, stdin: bytes | None = None,
                  env: Mapping[str, str] | None = None, ok: Sequence[int] = (0,)) -> GitResult:
        return await run_git(args, git_dir=self.git_dir, stdin=stdin, env=env, ok=ok)

    # ---- refs ---------------------------------------------------------------

    async def rev_parse(self, rev: str) -> str | None:
        """The object ``rev`` names, or None."""
        result = await self.run(["rev-parse", "--verify", "--quiet", "--end-of-options", rev],
                                ok=(0, 1, 128))
        return result.text.strip() if result.returncode == 0 else None

    async def branch_head(self, branch: str) -> str | None:
        return await self.rev_parse(f"refs/heads/{branch}^{{commit}}")

    async def resolve_commit(self, ref: str) -> str | None:
        """A branch name first (so a branch that looks like a sha wins), then any revision."""
        for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
            sha = await self.rev_parse(f"{candidate}^{{commit}}")
            if sha:
                return sha
        return None

    async def branches(self) -> list[RefHead]:
        result = await self.run([
            "for-each-ref", "--format=%(refname)%00%(objectname)%00%(committerdate:unix)",
            "refs/heads/"])
        heads: list[RefHead] = []
        for line in result.text.splitlines():
            refname, sha, when = line.split("\0")
            heads.append(RefHead(refname.removeprefix("refs/heads/"), sha, _from_unix(when)))
        return heads

    async def update_ref(self, branch: str, new: str, old: str) -> bool:
        """Move ``branch`` to ``new`` only if it is at ``old`` (the zero sha: absent)."""
        result = await self.run(["update-ref", f"refs/heads/{branch}", new, old], ok=(0, 1, 128))
        return result.returncode == 0

    async def delete_ref(self, branch: str, old: str) -> bool:
        result = await self.run(["update-ref", "-d", f"refs/heads/{branch}", old], ok=(0, 1, 128))
        return result.returncode == 0

    async def default_branch(self) -> str:
        result = await self.run(["symbolic-ref", "HEAD"])
        return result.text.strip().removeprefix("refs/heads/")

    # ---- objects ------------------------------------------------------------

    async def hash_blob(self, content: bytes) -> str:
        result = await self.run(["hash-object", "-w", "--no-filters", "--stdin"], stdin=content)
        return result.text.strip()

    async def blob(self, sha: str) -> bytes:
        return (await self.run(["cat-file", "blob", sha])).stdout

    async def object_type(self, rev: str) -> str | None:
        result = await self.run(["cat-file", "-t", rev], ok=(0, 1, 128))
        return result.text.strip() if result.returncode == 0 else None

    async def tree_of(self, commit: str) -> str:
        return (await self.run(["rev-parse", f"{commit}^{{tree}}"])).text.strip()

    async def ls_tree(self, tree_ish: str) -> list[TreeEntry]:
        result = await self.run(["ls-tree", "-z", tree_ish])
        entries: list[TreeEntry] = []
        for record in result.stdout.split(b"\0"):
            if not record:
                continue
            meta, _, name = record.decode("utf-8", errors="surrogateescape").partition("\t")
            mode, kind, sha = meta.split(" ")
            entries.append(TreeEntry(mode, kind, sha, name))
        return entries

    async def build_tree(self, base_commit: str | None, writes: Mapping[str, str | None]) -> str:
        """The tree of ``base_commit`` (None: empty) with ``writes`` applied.

        ``writes`` maps a path to a blob sha, or to None to delete it. A throwaway index
        file means the repository needs no work tree and two writers never share an index.
        """
        records = b"".join(
            f"{'100644' if sha else '0'} {sha or '0' * 40}\t{path}".encode() + b"\0"
            for path, sha in writes.items())
        with tempfile.TemporaryDirectory(prefix="forge-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if base_commit is not None:
                await self.run(["read-tree", base_commit], env=env)
            await self.run(["update-index", "-z", "--index-info"], stdin=records, env=env)
            return (await self.run(["write-tree"], env=env)).text.strip()

    async def commit_tree(self, tree: str, parents: Sequence[str], message: str, *,
                          author: Signature, committer: Signature) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        args += ["-F", "-"]
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": _unix(author.when),
            "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": _unix(committer.when),
        }
        result = await self.run(args, stdin=message.encode("utf-8"), env=env)
        return result.text.strip()

    # ---- history ------------------------------------------------------------

    async def log(self, revs: Sequence[str], *, path: str | None = None, limit: int | None = None,
                  reverse: bool = False) -> list[LogEntry]:
        args = ["--literal-pathspecs", "log", "-z", f"--format={_LOG_FORMAT}", "--date-order"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        if reverse:
            args.append("--reverse")
        args += [*revs, "--"]
        if path:
            args.append(path)
        result = await self.run(args)
        return [_parse_log_record(r) for r in result.text.split("\0") if r]

    async def merge_base(self, a: str, b: str) -> str | None:
        result = await self.run(["merge-base", a, b], ok=(0, 1))
        return result.text.strip() if result.returncode == 0 else None

    async def merge_tree(self, ours: str, theirs: str) -> MergeTree:
        """Merge two commits in memory; status 1 is git's way of saying "conflicts"."""
        result = await self.run(["merge-tree", "--write-tree", ours, theirs], ok=(0, 1))
        return MergeTree(result.text.splitlines()[0].strip(), result.returncode == 0)

    async def changed_paths(self, old: str, new: str) -> list[tuple[str, str]]:
        """``(status letter, path)`` for every file that differs between two commits."""
        result = await self.run(["diff-tree", "-r", "-z", "--no-renames", "--name-status",
                                 old, new])
        fields = [f for f in result.text.split("\0") if f]
        return list(zip(fields[0::2], fields[1::2], strict=True))


def _parse_log_record(record: str) -> LogEntry:
    sha, parents, name, email, authored, committed, message = record.split("\x1f", 6)
    return LogEntry(
        sha=sha.strip(), parents=tuple(parents.split()), author_name=name, author_email=email,
        authored_at=_from_unix(authored), committed_at=_from_unix(committed),
        message=message.rstrip("\n"))
