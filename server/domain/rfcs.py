"""What an RFC is: its metadata, its file on the forge and the rules for both."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from server.domain.people import LOGIN_PATTERN
from server.errors import InvalidInput

STATES = ("super-draft", "active", "accepted", "rejected", "withdrawn", "superseded")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]\Z")
TITLE_MIN, TITLE_MAX = 3, 120
PITCH_MAX = 500
RFC_DIR = "rfcs"
FRONT_MATTER_KEYS = ("title", "slug", "pitch", "authors", "state", "rfc_number", "repo")


def rfc_path(slug: str) -> str:
    return f"{RFC_DIR}/{slug}.md"


def slug_from_path(path: str) -> str | None:
    if not path.startswith(RFC_DIR + "/") or not path.endswith(".md"):
        return None
    slug = path[len(RFC_DIR) + 1:-3]
    return slug if SLUG_PATTERN.match(slug) else None


@dataclass(frozen=True)
class RfcMeta:
    title: str
    slug: str
    pitch: str
    authors: tuple[str, ...] = ()
    state: str = "super-draft"
    rfc_number: int | None = None
    repo: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


# ---- validation at the edge -------------------------------------------------

def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(
            "The slug must be 3 to 64 characters of lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit (for example `better-search`).",
            details={"field": "slug"})
    return slug


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not TITLE_MIN <= len(cleaned) <= TITLE_MAX:
        raise InvalidInput(f"The title must be {TITLE_MIN} to {TITLE_MAX} characters long.",
                           details={"field": "title"})
    return cleaned


def check_pitch(pitch: str) -> str:
    cleaned = pitch.strip()
    if len(cleaned) > PITCH_MAX:
        raise InvalidInput(f"The pitch must be at most {PITCH_MAX} characters long "
                           f"(it is {len(cleaned)}).", details={"field": "pitch"})
    if "\n" in cleaned or "\r" in cleaned:
        cleaned = " ".join(cleaned.split())
    return cleaned


def check_state(state: str) -> str:
    if state not in STATES:
        raise InvalidInput(f"Unknown state {state!r}; it must be one of: {', '.join(STATES)}.",
                           details={"field": "state"})
    return state


# ---- the file format --------------------------------------------------------
# Front matter is YAML-compatible: one `key: value` per line, strings and lists
# written as JSON so any character survives a round trip.

class MalformedRfcFile(ValueError):
    pass


def render_rfc_file(meta: RfcMeta, body: str) -> str:
    values: dict[str, Any] = {
        "title": meta.title,
        "slug": meta.slug,
        "pitch": meta.pitch,
        "authors": list(meta.authors),
        "state": meta.state,
    }
    if meta.rfc_number is not None:
        values["rfc_number"] = meta.rfc_number
    if meta.repo:
        values["repo"] = meta.repo
    values.update(meta.extra)
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    lines += ["---", ""]
    return "\n".join(lines) + body.rstrip("\n") + "\n"


def parse_rfc_file(text: str) -> tuple[RfcMeta, str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise MalformedRfcFile("the file does not start with a front-matter block (---)")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise MalformedRfcFile("the front-matter block is not closed with ---") from None
    values: dict[str, Any] = {}
    for line in lines[1:end]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, raw = line.partition(":")
        if not sep:
            raise MalformedRfcFile(f"front-matter line without a colon: {line!r}")
        values[key.strip()] = _parse_value(raw.strip())
    body = "\n".join(lines[end + 1:]).lstrip("\n")
    for required in ("title", "slug"):
        if not values.get(required):
            raise MalformedRfcFile(f"front matter lacks `{required}`")
    authors = values.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(",") if a.strip()]
    number = values.get("rfc_number")
    meta = RfcMeta(
        title=str(values["title"]), slug=str(values["slug"]), pitch=str(values.get("pitch", "")),
        authors=tuple(str(a) for a in authors), state=str(values.get("state", "super-draft")),
        rfc_number=int(number) if isinstance(number, int | str) and str(number).isdigit()
        else None,
        repo=str(values["repo"]) if values.get("repo") else None,
        extra={k: str(v) for k, v in values.items() if k not in FRONT_MATTER_KEYS},
    )
    return meta, body


def _parse_value(raw: str) -> Any:
    if raw[:1] in ('"', "[", "{") or raw in ("true", "false", "null") or raw.isdigit():
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            pass
    if raw[:1] == "'" and raw[-1:] == "'" and len(raw) >= 2:
        return raw[1:-1].replace("''", "'")
    return raw


def starter_body(title: str, pitch: str) -> str:
    """The text a new proposal starts with: the pitch and the usual sections."""
    return (f"# {title}\n\n{pitch or 'One paragraph saying what this RFC proposes.'}\n\n"
            "## Motivation\n\nWhy are we doing this? What problem does it solve?\n\n"
            "## Proposal\n\nThe design, in enough detail to build it.\n\n"
            "## Drawbacks and alternatives\n\nWhat else was considered, and why not.\n\n"
            "## Unresolved questions\n\nWhat should be settled before this is accepted?\n")


def _split(text: str) -> tuple[str, str]:
    """(front-matter block including both --- lines and the newline after, body)."""
    normalized = text.replace("\r\n", "\n")
    lines = normalized.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if not lines or lines[0].strip() != "---" or end is None:
        raise MalformedRfcFile("the file does not start with a closed front-matter block")
    return "\n".join(lines[:end + 1]) + "\n", "\n".join(lines[end + 1:])


def replace_body(text: str, body: str) -> str:
    """The same file with a new body; the front matter is kept byte for byte."""
    front, _ = _split(text)
    return front + "\n" + body.rstrip("\n") + "\n"


def replace_front_matter(text: str, meta: RfcMeta) -> str:
    """The same file with new front matter; the body is kept byte for byte."""
    _, body = _split(text)
    rendered = render_rfc_file(meta, "")
    front, _ = _split(rendered)
    return front + body


AUTHORS_MAX = 20


def check_authors(authors: list[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(a.strip().lstrip("@") for a in authors if a.strip()))
    if not 1 <= len(cleaned) <= AUTHORS_MAX:
        raise InvalidInput(f"An RFC has 1 to {AUTHORS_MAX} authors.", details={"field": "authors"})
    bad = [a for a in cleaned if not LOGIN_PATTERN.match(a)]
    if bad:
        raise InvalidInput(f"Not a login: {', '.join(bad)}.", details={"field": "authors"})
    return cleaned
