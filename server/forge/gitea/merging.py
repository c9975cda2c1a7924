"""What an answer of Gitea's merge endpoint means.

``POST /repos/{owner}/{repo}/pulls/{index}/merge`` answers (``routers/api/v1/repo/pull.go``
in 1.26): 200 with an empty body when merged; 201 when an auto-merge was scheduled; 404
when the pull request is closed or missing; 405 for a pull request already merged, one not
in a mergeable state ("Please try again later": still being checked, or conflicting), a
work-in-progress one, a merge style the repository forbids, a bot that may not merge,
unmet branch protection or a commit that cannot be signed; 409 for conflicts, a head that
moved ("head out of date"), a base that moved during the merge ("merge push out of date"),
a push the hooks rejected, or an auto-merge already scheduled; 423 for an archived
repository. ``merge_decision`` turns each into one decision; the forge acts on it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from server.errors import AppError
from server.forge.port import ForgeError


class Decision(enum.Enum):
    MERGED = "merged"
    SCHEDULED = "scheduled"
    GONE = "gone"
    ALREADY_MERGED = "already_merged"
    HEAD_MOVED = "head_moved"
    CONFLICTED = "conflicted"
    RETRY = "retry"            # not mergeable yet, or the base moved: look again, then retry
    BLOCKED = "blocked"        # Gitea will not merge until a person changes something
    UNAVAILABLE = "unavailable"


# Why Gitea refuses, as the person who clicked "Merge" should read it.
BLOCKED_MESSAGES = {
    "not_allowed": "The app's Gitea account may not merge into this branch. An admin must "
                   "give the bot write access to the repository.",
    "work_in_progress": "Gitea marks this pull request as work in progress. Remove the WIP "
                        "prefix from its title, then merge.",
    "merge_style": "This repository on Gitea does not allow merge commits. An admin must "
                   "allow the \u201cmerge\u201d style in the repository settings.",
    "protection": "Gitea's branch protection is not satisfied yet (required approvals or "
                  "status checks). Merge once it is.",
    "signing": "Gitea refuses to merge because it cannot sign the merge commit as the "
               "repository requires.",
    "rejected": "Gitea's hooks rejected the merge.",
    "archived": "The repository is archived on Gitea, so nothing can be merged into it.",
    "forbidden": "Gitea does not let the app merge this pull request.",
    "unknown": "Gitea refused to merge this pull request.",
}


@dataclass(frozen=True)
class MergeDecision:
    decision: Decision
    reason: str = ""  # for BLOCKED: a key of BLOCKED_MESSAGES


class MergeBlocked(AppError, ForgeError):
    """Gitea refuses to merge until someone changes a setting or the pull request.

    An ``AppError``, so the one HTTP error handler shows its message as it is.
    """

    status = 409

    def __init__(self, reason: str, detail: str = "") -> None:
        text = BLOCKED_MESSAGES.get(reason, BLOCKED_MESSAGES["unknown"])
        if detail and reason in ("rejected", "unknown"):
            text = f"{text} Gitea said: {detail}"
        super().__init__(text, code=f"merge_blocked_{reason}")
        self.reason = reason
        self.detail = detail


def merge_decision(status: int, message: str) -> MergeDecision:
    """The decision for one answer: its status and Gitea's message (empty if none)."""
    text = message.lower()
    if status == 200:
        return MergeDecision(Decision.MERGED)
    if status == 201:
        return MergeDecision(Decision.SCHEDULED)
    if status == 404:
        return MergeDecision(Decision.GONE)
    if status == 405:
        if "already merged" in text:
            return MergeDecision(Decision.ALREADY_MERGED)
        if "try again later" in text:
            return MergeDecision(Decision.RETRY)
        if "not allowed to merge" in text:
            return MergeDecision(Decision.BLOCKED, "not_allowed")
        if "work in progress" in text:
            return MergeDecision(Decision.BLOCKED, "work_in_progress")
        if "merge style" in text:
            return MergeDecision(Decision.BLOCKED, "merge_style")
        if "sign" in text:
            return MergeDecision(Decision.BLOCKED, "signing")
        # ErrNotReadyToMerge: approvals, status checks, protected files, outdated branch.
        return MergeDecision(Decision.BLOCKED, "protection")
    if status == 409:
        if "head out of date" in text:
            return MergeDecision(Decision.HEAD_MOVED)
        if "push out of date" in text:
            return MergeDecision(Decision.RETRY)
        if "already scheduled" in text:
            return MergeDecision(Decision.SCHEDULED)
        if "pushrejected" in text or "push rejected" in text:
            return MergeDecision(Decision.BLOCKED, "rejected")
        # ErrMergeConflicts / ErrRebaseConflicts / unrelated histories are sent as a bare
        # JSON object without a message.
        return MergeDecision(Decision.CONFLICTED)
    if status == 423:
        return MergeDecision(Decision.BLOCKED, "archived")
    if status == 403:
        return MergeDecision(Decision.BLOCKED, "forbidden")
    if status >= 500:
        return MergeDecision(Decision.UNAVAILABLE)
    return MergeDecision(Decision.BLOCKED, "unknown")
