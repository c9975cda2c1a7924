"""Gitea's webhook deliveries: checking their signature and turning them into port events.

Both functions here are pure, so the web endpoint, the contract tests' receiver and the
unit tests use the same code.

What Gitea 1.26 sends (pinned by ``tests/gitea``): a ``create`` (short ref) and then a
``push`` from the all-zero commit when a branch appears; a ``push`` per write (its
commits newest first, at most five); only a
``delete`` (short ref) when a branch goes; ``pull_request`` with actions ``opened``,
``edited``, ``closed`` (``pull_request.merged`` tells a merge), ``reopened``, and
``synchronized`` under the event type ``pull_request_sync``; ``repository`` created or
deleted for organization hooks.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from server.forge.gitea import convert
from server.forge.gitea.names import is_scratch
from server.forge.port import (
    ZERO_SHA,
    BranchCreated,
    BranchDeleted,
    ForgeEvent,
    PullRequestEvent,
    Pushed,
    RepoRef,
    RepositoryEvent,
)

# Forgejo sends its own names beside (or, in later versions, instead of) Gitea's.
SIGNATURE_HEADERS = ("X-Gitea-Signature", "X-Forgejo-Signature")
EVENT_HEADERS = ("X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event")
EVENT_TYPE_HEADERS = ("X-Gitea-Event-Type", "X-Forgejo-Event-Type")
DELIVERY_HEADERS = ("X-Gitea-Delivery", "X-Forgejo-Delivery", "X-Gogs-Delivery")

# What the app subscribes to (seed-meta registers exactly these). ``pull_request_only`` is
# the bare pull request event; ``pull_request_sync`` adds new pushes to a PR's branch.
HOOK_EVENTS = ("create", "delete", "push", "repository", "pull_request_only",
               "pull_request_sync")
# How Gitea lists those same events back on a hook.
HOOK_EVENTS_LISTED = frozenset({"create", "delete", "push", "repository", "pull_request",
                                "pull_request_sync"})

KNOWN_EVENTS = frozenset({"push", "create", "delete", "pull_request", "repository"})

_PULL_ACTIONS: dict[str, Literal["opened", "reopened", "edited", "synchronized"]] = {
    "opened": "opened", "reopened": "reopened", "edited": "edited",
    "synchronized": "synchronized"}
_DELIVERY_NAMESPACE = uuid.UUID("5b0f5f0e-8e8e-4d2a-9c59-7f1f3a3f6a10")


class Signature(enum.Enum):
    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"


def sign(body: bytes, secret: str) -> str:
    """Gitea's signature: lower-case hex HMAC-SHA256 of the exact body bytes."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The first of ``names`` present in ``headers`` (names compared without case)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value:
            return value.strip()
    return ""


def check_signature(body: bytes, headers: Mapping[str, str], secret: str) -> Signature:
    """Whether the delivery's signature matches ``body`` (compared in constant time)."""
    sent = _header(headers, SIGNATURE_HEADERS)
    if not sent:
        return Signature.MISSING
    if not secret:
        return Signature.INVALID
    expected = sign(body, secret)
    # Tolerate a GitHub-style "sha256=" prefix; never anything but the hex digest itself.
    sent = sent.removeprefix("sha256=").lower()
    if hmac.compare_digest(expected.encode("ascii"), sent.encode("ascii", "replace")):
        return Signature.VALID
    return Signature.INVALID


def event_name(headers: Mapping[str, str]) -> str:
    return _header(headers, EVENT_HEADERS)


def event_type(headers: Mapping[str, str]) -> str:
    return _header(headers, EVENT_TYPE_HEADERS)


def delivery_id(headers: Mapping[str, str]) -> str:
    return _header(headers, DELIVERY_HEADERS)


def event_ids(delivery: str, count: int) -> list[str]:
    """Stable ids for the events of one delivery: 32 hex characters each.

    Derived, not random, so a delivery Gitea sends again yields the same ids and the
    ingestion's own deduplication recognizes them.
    """
    return [uuid.uuid5(_DELIVERY_NAMESPACE, f"{delivery}#{i}").hex for i in range(count)]


def short_ref(ref: str) -> str | None:
    """The branch of a full (``refs/heads/x``) or short (``x``) ref; None for tags."""
    if ref.startswith("refs/heads/"):
        return ref[len("refs/heads/"):]
    if ref.startswith("refs/"):
        return None
    return ref


def _repo(payload: Mapping[str, Any]) -> RepoRef:
    data = payload.get("repository") or {}
    if data.get("full_name"):
        return RepoRef.parse(str(data["full_name"]))
    return RepoRef(str((data.get("owner") or {}).get("login", "")), str(data.get("name", "")))


def normalize(event: str, delivery: str, payload: Mapping[str, Any]) -> list[ForgeEvent] | None:
    """The port events of one delivery; None when the event type is not one we know.

    A known event that means nothing to the app (a tag, a label change) gives ``[]``.
    """
    if event not in KNOWN_EVENTS:
        return None
    repo = _repo(payload)
    events: list[ForgeEvent] = []
    if event == "push":
        branch = short_ref(str(payload.get("ref", "")))
        before, after = str(payload.get("before", "")), str(payload.get("after", ""))
        if branch is None or is_scratch(branch):
            pass
        elif after == ZERO_SHA:
            # Some senders report a deletion only as a push to the all-zero commit.
            events.append(BranchDeleted("", repo, branch=branch))
        elif before == ZERO_SHA:
            # A new branch: Gitea sends ``create`` for it as well, which says it.
            pass
        else:
            # Gitea lists them newest first (GitHub, and the port, oldest first), and
            # only the newest [ui] FEED_MAX_COMMIT_NUM (5) of a larger push.
            commits = tuple(convert.payload_commit(c)
                            for c in reversed(payload.get("commits") or ()))
            events.append(Pushed("", repo, branch=branch, before=before, after=after,
                                 commits=commits))
    elif event in ("create", "delete"):
        branch = short_ref(str(payload.get("ref", "")))
        if payload.get("ref_type") == "branch" and branch and not is_scratch(branch):
            if event == "create":
                events.append(BranchCreated("", repo, branch=branch,
                                            head=str(payload.get("sha", ""))))
            else:
                events.append(BranchDeleted("", repo, branch=branch))
    elif event == "pull_request":
        action = str(payload.get("action", ""))
        data = payload.get("pull_request")
        if data:
            pull = convert.pull(dict(data), repo)
            if action == "closed":
                events.append(PullRequestEvent(
                    "", repo, action="merged" if pull.state == "merged" else "closed",
                    pull=pull))
            elif action in _PULL_ACTIONS:
                events.append(PullRequestEvent("", repo, action=_PULL_ACTIONS[action],
                                               pull=pull))
    elif event == "repository":
        action = str(payload.get("action", ""))
        if action == "created":
            events.append(RepositoryEvent("", repo, action="created"))
        elif action == "deleted":
            events.append(RepositoryEvent("", repo, action="deleted"))
    ids = event_ids(delivery, len(events))
    return [replace(e, delivery_id=i) for e, i in zip(events, ids, strict=True)]
