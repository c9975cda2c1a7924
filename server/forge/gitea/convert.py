"""Gitea's JSON (API answers and webhook payloads) as the forge port's values.

Pull requests are opened by the bot, so Gitea names the bot as their poster. The person
the bot acted for is kept in the description as an HTML comment on its last line,
invisible on Gitea's page, and read back here as ``author_login``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from server.forge.port import Branch, Commit, PullRequest, PullState, Repo, RepoRef

_AUTHOR_MARK = re.compile(r"\n*<!-- rfc-app author: ([A-Za-z0-9_.-]+) -->\s*\Z")


def with_author(body: str, login: str) -> str:
    """``body`` with the invisible note of who it was written for."""
    return f"{body.rstrip()}\n\n<!-- rfc-app author: {login} -->"


def split_author(raw: str) -> tuple[str, str | None]:
    """(the description as written, the login noted in it or None)."""
    found = _AUTHOR_MARK.search(raw)
    if found is None:
        return raw, None
    return raw[:found.start()], found.group(1)


def when(text: str | None) -> datetime | None:
    """Gitea's RFC 3339 times (any offset) as aware UTC datetimes; None for none."""
    if not text or text.startswith("0001-01-01"):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def must_when(text: str | None) -> datetime:
    moment = when(text)
    if moment is None:
        raise ValueError(f"expected a time, got {text!r}")
    return moment


def message(text: str | None) -> str:
    """A commit message as git stores it, without the final newline git adds."""
    return (text or "").rstrip("\n")


def repo(data: dict[str, Any], ref: RepoRef | None = None) -> Repo:
    if ref is None:
        ref = RepoRef(data["owner"]["login"], data["name"])
    return Repo(ref=ref, default_branch=data.get("default_branch") or "main",
                description=data.get("description") or "")


def branch(data: dict[str, Any], default_branch: str | None) -> Branch:
    commit = data["commit"]
    return Branch(name=data["name"], head=commit["id"],
                  last_commit_at=must_when(commit.get("timestamp")),
                  protected=bool(data.get("protected")) or data["name"] == default_branch)


def commit(data: dict[str, Any]) -> Commit:
    """A commit of ``GET /commits`` or ``/compare``."""
    inner = data.get("commit") or {}
    author = inner.get("author") or {}
    return Commit(sha=data["sha"], message=message(inner.get("message")),
                  author_name=author.get("name", ""), author_email=author.get("email", ""),
                  authored_at=must_when(author.get("date")),
                  parents=tuple(p["sha"] for p in data.get("parents") or ()))


def file_commit(data: dict[str, Any]) -> Commit:
    """The ``commit`` of a contents API answer."""
    author = data.get("author") or {}
    return Commit(sha=data["sha"], message=message(data.get("message")),
                  author_name=author.get("name", ""), author_email=author.get("email", ""),
                  authored_at=must_when(author.get("date")),
                  parents=tuple(p["sha"] for p in data.get("parents") or ()))


def payload_commit(data: dict[str, Any]) -> Commit:
    """A commit of a push webhook (no parents there)."""
    author = data.get("author") or {}
    return Commit(sha=data["id"], message=message(data.get("message")),
                  author_name=author.get("name", ""), author_email=author.get("email", ""),
                  authored_at=must_when(data.get("timestamp")))


def head_branch(data: dict[str, Any]) -> str:
    head = data.get("head") or {}
    name = head.get("label") or head.get("ref") or ""
    return str(name).removeprefix("refs/heads/")


def pull(data: dict[str, Any], ref: RepoRef | None = None) -> PullRequest:
    if ref is None:
        base_repo = (data.get("base") or {}).get("repo") or {}
        ref = RepoRef.parse(base_repo["full_name"])
    body, noted = split_author(data.get("body") or "")
    poster = (data.get("user") or {}).get("login", "")
    merged = bool(data.get("merged"))
    state: PullState = "merged" if merged else ("closed" if data.get("state") == "closed"
                                                else "open")
    return PullRequest(
        repo=ref, number=int(data["number"]), title=data.get("title") or "", body=body,
        head_branch=head_branch(data), base_branch=(data.get("base") or {}).get("ref", ""),
        head_sha=(data.get("head") or {}).get("sha", ""), state=state,
        author_login=noted or poster, created_at=must_when(data.get("created_at")),
        updated_at=must_when(data.get("updated_at")),
        merged_at=when(data.get("merged_at")) if merged else None,
        merge_commit_sha=data.get("merge_commit_sha") if merged else None,
        closed_at=when(data.get("closed_at")) if state != "open" else None)
