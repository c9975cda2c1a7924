"""Branch names that say, on the forge alone, what a branch is for.

A cache rebuilt from git must know which RFC every branch belongs to, so the
meta repository's branches follow fixed prefixes:

- ``proposal/<slug>``: a proposal for a new RFC;
- ``rfc/<slug>/<name>``: an edit branch of a super-draft's body;
- ``meta/<slug>/<id>``: a metadata change (front matter only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from server.domain.rfcs import SLUG_PATTERN

PROPOSAL_PREFIX = "proposal/"
EDIT_PREFIX = "rfc/"
METADATA_PREFIX = "meta/"
BRANCH_NAME_MAX = 100

BranchKind = Literal["proposal", "edit", "metadata"]


@dataclass(frozen=True)
class BranchRole:
    kind: BranchKind
    slug: str
    short: str  # the part a person named (edit branches) or the id (metadata)


def proposal_branch(slug: str) -> str:
    return PROPOSAL_PREFIX + slug


def edit_branch(slug: str, short: str) -> str:
    return f"{EDIT_PREFIX}{slug}/{short}"


def metadata_branch(slug: str, ident: str) -> str:
    return f"{METADATA_PREFIX}{slug}/{ident}"


def classify_branch(name: str) -> BranchRole | None:
    """What a meta-repository branch is for, or None for branches of no RFC."""
    if name.startswith(PROPOSAL_PREFIX):
        slug = name[len(PROPOSAL_PREFIX):]
        return BranchRole("proposal", slug, "") if SLUG_PATTERN.match(slug) else None
    for prefix, kind in ((EDIT_PREFIX, "edit"), (METADATA_PREFIX, "metadata")):
        if name.startswith(prefix):
            slug, sep, short = name[len(prefix):].partition("/")
            if sep and short and SLUG_PATTERN.match(slug):
                return BranchRole(kind, slug, short)  # type: ignore[arg-type]
    return None


PULL_KIND_OF_BRANCH = {"proposal": "proposal", "edit": "body", "metadata": "metadata"}
