"""People as the domain sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from server.forge.port import Person

Role = Literal["owner", "admin", "contributor"]
ROLES: tuple[Role, ...] = ("owner", "admin", "contributor")
# Gitea's rule for usernames, so a login from either forge fits.
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}\Z")


@dataclass(frozen=True)
class User:
    id: int
    login: str
    display_name: str
    email: str
    role: Role
    suspended: bool = False
    session_epoch: int = 0
    last_seen_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "login": self.login, "display_name": self.display_name,
                "role": self.role}

    def as_author(self, mail_domain: str = "users.rfc-app.invalid") -> Person:
        """The commit author for this person; a placeholder address if they gave none."""
        return Person(login=self.login, name=self.display_name or self.login,
                      email=self.email or f"{self.login}@{mail_domain}")
