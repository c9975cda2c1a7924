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
