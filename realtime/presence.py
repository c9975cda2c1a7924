"""Who is on a page right now, per room, across tabs and reconnects.

Presence lives in this process's memory (it describes live sockets, which are
per process too). A person is present in a room while any of their sockets is
in it, and idle when every one of those sockets says it is idle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRESENCE_PREFIXES = ("rfc:", "branch:", "thread:")


def tracks(room: str) -> bool:
    return room.startswith(PRESENCE_PREFIXES)


@dataclass
class _Person:
    login: str
    display_name: str
    sockets: dict[str, bool] = field(default_factory=dict)  # sid -> idle


class Presence:
    def __init__(self) -> None:
        self._rooms: dict[str, dict[int, _Person]] = {}
        self._idle: dict[str, bool] = {}

    def join(self, room: str, sid: str, user_id: int, login: str, display_name: str) -> bool:
        people = self._rooms.setdefault(room, {})
        before = self.snapshot(room)
        person = people.setdefault(user_id, _Person(login, display_name))
        person.sockets[sid] = self._idle.get(sid, False)
        return self.snapshot(room) != before

    def leave(self, room: str, sid: str) -> bool:
        people = self._rooms.get(room)
        if not people:
            return False
        before = self.snapshot(room)
        for user_id, person in list(people.items()):
            person.sockets.pop(sid, None)
            if not person.sockets:
                del people[user_id]
        if not people:
            del self._rooms[room]
        return self.snapshot(room) != before

    def forget(self, sid: str) -> list[str]:
        """The socket is gone: leave every room; return the rooms that changed."""
        self._idle.pop(sid, None)
        return [room for room in list(self._rooms) if self.leave(room, sid)]

    def set_idle(self, sid: str, idle: bool) -> list[str]:
        self._idle[sid] = idle
        changed = []
        for room, people in self._rooms.items():
            before = self.snapshot(room)
            for person in people.values():
                if sid in person.sockets:
                    person.sockets[sid] = idle
            if self.snapshot(room) != before:
                changed.append(room)
        return changed

    def snapshot(self, room: str) -> list[dict[str, Any]]:
        people = self._rooms.get(room, {})
        return sorted(({"login": p.login, "display_name": p.display_name,
                        "idle": all(p.sockets.values())} for p in people.values()),
                      key=lambda entry: entry["login"].lower())
