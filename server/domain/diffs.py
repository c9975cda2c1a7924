"""Source diffs with word-level highlights, computed once on the server.

A diff is a list of hunks; each line is context, added or removed, and split
into segments so the client can mark the words that changed inside a line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

LineKind = Literal["context", "add", "del"]
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    old_number: int | None
    new_number: int | None
    segments: tuple[Segment, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "old": self.old_number, "new": self.new_number,
                "segments": [{"text": s.text, "changed": s.changed} for s in self.segments]}


@dataclass(frozen=True)
class Hunk:
    old_start: int
    new_start: int
    lines: tuple[DiffLine, ...]

    def to_json(self) -> dict[str, Any]:
        return {"old_start": self.old_start, "new_start": self.new_start,
                "lines": [line.to_json() for line in self.lines]}


def _whole(text: str) -> tuple[Segment, ...]:
    return (Segment(text, False),)


def word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Split a removed and an added line into segments, marking the words that differ."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(Segment("".join(a[i1:i2]), False))
            right.append(Segment("".join(b[j1:j2]), False))
            continue
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), True))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), True))
    return tuple(_merge(left)), tuple(_merge(right))


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].changed == segment.changed:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.changed)
        elif segment.text:
            merged.append(segment)
    return merged


def diff_text(old: str, new: str, *, context: int = 3) -> list[Hunk]:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    hunks: list[Hunk] = []
    for group in matcher.get_grouped_opcodes(context):
        lines: list[DiffLine] = []
        for op, i1, i2, j1, j2 in group:
            if op == "equal":
                lines += [DiffLine("context", i1 + k + 1, j1 + k + 1, _whole(old_lines[i1 + k]))
                          for k in range(i2 - i1)]
                continue
            removed, added = old_lines[i1:i2], new_lines[j1:j2]
            paired = min(len(removed), len(added)) if op == "replace" else 0
            left_segments: list[tuple[Segment, ...]] = []
            right_segments: list[tuple[Segment, ...]] = []
            for k in range(paired):
                left, right = word_segments(removed[k], added[k])
                left_segments.append(left)
                right_segments.append(right)
            left_segments += [_whole(t) for t in removed[paired:]]
            right_segments += [_whole(t) for t in added[paired:]]
            lines += [DiffLine("del", i1 + k + 1, None, left_segments[k])
                      for k in range(len(removed))]
            lines += [DiffLine("add", None, j1 + k + 1, right_segments[k])
                      for k in range(len(added))]
        first = group[0]
        hunks.append(Hunk(old_start=first[1] + 1, new_start=first[3] + 1, lines=tuple(lines)))
    return hunks
