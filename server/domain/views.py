"""What the API and the live events show of RFCs and proposals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RfcView:
    slug: str
    title: str
    pitch: str
    state: str
    authors: tuple[str, ...]
    rfc_number: int | None
    repo: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "title": self.title, "pitch": self.pitch,
                "state": self.state, "authors": list(self.authors),
                "rfc_number": self.rfc_number, "repo": self.repo,
                "updated_at": self.updated_at}


@dataclass(frozen=True)
class ProposalView:
    number: int
    slug: str
    title: str
    pitch: str
    author: str
    state: str
    head_sha: str
    opened_at: str
    updated_at: str
    close_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "slug": self.slug, "title": self.title,
                "pitch": self.pitch, "author": self.author, "state": self.state,
                "head_sha": self.head_sha, "opened_at": self.opened_at,
                "updated_at": self.updated_at, "close_reason": self.close_reason}


@dataclass(frozen=True)
class PullRef:
    number: int
    state: str
    kind: str


@dataclass(frozen=True)
class BranchView:
    repo: str
    name: str
    short: str
    kind: str
    rfc_slug: str
    state: str
    head: str
    last_commit_at: str
    last_commit_author: str
    pinned: bool
    pull: PullRef | None = None

    @property
    def merged(self) -> bool:
        return self.pull is not None and self.pull.state == "merged"

    def to_json(self) -> dict[str, Any]:
        return {"repo": self.repo, "name": self.name, "short": self.short, "kind": self.kind,
                "rfc_slug": self.rfc_slug, "state": self.state, "head": self.head,
                "last_commit_at": self.last_commit_at,
                "last_commit_author": self.last_commit_author, "pinned": self.pinned,
                "merged": self.merged,
                "pull": None if self.pull is None else {
                    "number": self.pull.number, "state": self.pull.state,
                    "kind": self.pull.kind}}


@dataclass(frozen=True)
class PullView:
    repo: str
    number: int
    kind: str
    rfc_slug: str
    title: str
    body: str
    head_branch: str
    base_branch: str
    head_sha: str
    state: str
    author: str
    created_at: str
    updated_at: str
    merged_at: str | None
    closed_at: str | None
    close_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {"repo": self.repo, "number": self.number, "kind": self.kind,
                "rfc_slug": self.rfc_slug, "title": self.title, "body": self.body,
                "head_branch": self.head_branch, "base_branch": self.base_branch,
                "head_sha": self.head_sha, "state": self.state, "author": self.author,
                "created_at": self.created_at, "updated_at": self.updated_at,
                "merged_at": self.merged_at, "closed_at": self.closed_at,
                "close_reason": self.close_reason}


@dataclass(frozen=True)
class AuditEntryView:
    id: int
    at: str
    actor: str | None
    on_behalf_of: str | None
    kind: str
    target: str
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "actor": self.actor,
                "on_behalf_of": self.on_behalf_of, "kind": self.kind, "target": self.target,
                "details": self.details}


@dataclass(frozen=True)
class PermissionEventView:
    id: int
    at: str
    actor: str | None
    subject: str
    scope: str
    from_role: str | None
    to_role: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "actor": self.actor, "subject": self.subject,
                "scope": self.scope, "from": self.from_role, "to": self.to_role,
                "reason": self.reason}


@dataclass(frozen=True)
class EmailSuppression:
    reason: str  # "bounce", "complaint" or "admin"
    details: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "details": self.details, "at": self.at}


@dataclass(frozen=True)
class AdminUserView:
    id: int
    login: str
    display_name: str
    email: str
    role: str
    suspended: bool
    suspended_reason: str | None
    created_at: str
    last_seen_at: str | None
    maintainer_of: tuple[str, ...]
    email_suppression: EmailSuppression | None = None  # no email goes to this address

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "login": self.login, "display_name": self.display_name,
                "email": self.email, "role": self.role, "suspended": self.suspended,
                "suspended_reason": self.suspended_reason, "created_at": self.created_at,
                "last_seen_at": self.last_seen_at, "maintainer_of": list(self.maintainer_of),
                "email_suppression": self.email_suppression.to_json()
                if self.email_suppression else None}


@dataclass(frozen=True)
class MessageView:
    id: int
    room: str
    rfc_slug: str
    author: str
    author_name: str
    body: str | None
    html: str
    created_at: str
    edited_at: str | None
    deleted: bool
    mentions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "room": self.room, "rfc_slug": self.rfc_slug,
                "author": self.author, "author_name": self.author_name, "body": self.body,
                "html": self.html, "created_at": self.created_at, "edited_at": self.edited_at,
                "deleted": self.deleted, "mentions": list(self.mentions)}


@dataclass(frozen=True)
class ThreadView:
    id: int
    rfc_slug: str
    title: str
    author: str
    created_at: str
    last_message_at: str
    messages: int

    @property
    def room(self) -> str:
        return f"thread:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "rfc_slug": self.rfc_slug, "title": self.title,
                "author": self.author, "created_at": self.created_at,
                "last_message_at": self.last_message_at, "messages": self.messages,
                "room": self.room}
