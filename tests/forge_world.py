"""A forge that people use behind the app's back, and a mail that loses its letters.

``World`` does what people outside the app do on the forge (commit, branch, open
and merge pull requests) through the real forge port. ``EventMail`` is how the
forge's events reach the app's ingestion: it can drop, hold back (and so
reorder) or repeat them, as webhooks do. ``cache_rows`` reads the cached_*
tables for comparison.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from server.clock import FixedClock
from server.db.engine import Database
from server.domain.naming import edit_branch, metadata_branch, proposal_branch
from server.domain.rfcs import RfcMeta, render_rfc_file, rfc_path
from server.forge.port import (
    EventHandler,
    FileChange,
    Forge,
    ForgeError,
    ForgeEvent,
    Person,
    RepoRef,
)

PEOPLE = (Person("alice", "Alice", "alice@example.invalid"),
          Person("bob", "Bob", "bob@example.invalid"))
CACHE_TABLES = ("cached_rfcs", "cached_pull_requests", "cached_branches")


class EventMail:
    """An ``EventRoute``: delivers each forge event, or drops, holds back or repeats it."""

    def __init__(self, rng: random.Random | None = None, *, drop: float = 0.0,
                 hold: float = 0.0, repeat: float = 0.0) -> None:
        self.rng = rng or random.Random(0)
        self.drop, self.hold, self.repeat = drop, hold, repeat
        self.handler: EventHandler | None = None
        self.held: list[ForgeEvent] = []
        self.seen: list[ForgeEvent] = []
        self.dropped = self.delivered = 0

    def __call__(self, handler: EventHandler) -> EventHandler:
        self.handler = handler
        return self.deliver

    async def deliver(self, event: ForgeEvent) -> None:
        assert self.handler is not None
        self.seen.append(event)
        luck = self.rng.random()
        if luck < self.drop:
            self.dropped += 1
            return
        if luck < self.drop + self.hold:
            self.held.append(event)
            return
        await self._hand_over(event)
        if self.rng.random() < self.repeat:
            await self._hand_over(event)
        if self.held and self.rng.random() < 0.5:
            await self._hand_over(self.held.pop(self.rng.randrange(len(self.held))))

    async def flush(self) -> None:
        """Deliver everything held back, in a random order."""
        self.rng.shuffle(self.held)
        while self.held:
            await self._hand_over(self.held.pop())

    async def _hand_over(self, event: ForgeEvent) -> None:
        assert self.handler is not None
        self.delivered += 1
        await self.handler(event)


async def cache_rows(db: Database, *, with_deleted: bool = False) -> dict[str, list[Any]]:
    """The cached_* tables. Deleted branches are left out unless asked for: a cache
    rebuilt from the forge cannot know branches the forge no longer has."""
    async with db.read() as tx:
        rows = {
            "cached_rfcs": await tx.all("SELECT * FROM cached_rfcs ORDER BY slug"),
            "cached_pull_requests": await tx.all(
                "SELECT * FROM cached_pull_requests ORDER BY repo, number"),
            "cached_branches": await tx.all(
                "SELECT * FROM cached_branches WHERE :all OR state != 'deleted'"
                " ORDER BY repo, name", {"all": with_deleted}),
        }
    return rows


async def empty_cache(db: Database) -> None:
    async with db.write() as tx:
        for table in CACHE_TABLES:
            await tx.execute(f"DELETE FROM {table}")


def rfc_text(slug: str, title: str, pitch: str = "", body: str = "Text.\n") -> str:
    meta = RfcMeta(title=title, slug=slug, pitch=pitch or f"Pitch of {slug}",
                   authors=("alice",))
    return render_rfc_file(meta, f"# {title}\n\n{body}")


class World:
    """Random forge operations, as people might do them with git and the forge's UI."""

    def __init__(self, forge: Forge, repo: RepoRef, clock: FixedClock,
                 rng: random.Random) -> None:
        self.forge = forge
        self.repo = repo
        self.clock = clock
        self.rng = rng
        self.counter = 0
        self.done: list[str] = []

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    async def _head(self, branch: str) -> str:
        return (await self.forge.get_branch(self.repo, branch)).head

    async def _default(self) -> str:
        return (await self.forge.get_repo(self.repo)).default_branch

    async def _slugs(self) -> list[str]:
        names = await self.forge.list_dir(self.repo, "rfcs", await self._default())
        return sorted(n.removesuffix(".md") for n in names if n.endswith(".md"))

    async def commit(self, branch: str, changes: list[FileChange], message: str) -> None:
        await self.forge.commit_files(self.repo, branch, changes, message=message,
                                      author=self.rng.choice(PEOPLE),
                                      expected_head=await self._head(branch))

    # ---- operations ---------------------------------------------------------

    async def add_rfc(self) -> None:
        slug = f"rfc-{self._next()}"
        await self.commit(await self._default(), [FileChange(rfc_path(slug),
                                                             rfc_text(slug, slug.upper()))],
                          f"Add {slug}")

    async def edit_rfc(self) -> None:
        slugs = await self._slugs()
        if slugs:
            slug = self.rng.choice(slugs)
            text = rfc_text(slug, f"{slug} v{self._next()}", pitch=f"Pitch {self.counter}")
            await self.commit(await self._default(), [FileChange(rfc_path(slug), text)],
                              f"Edit {slug}")

    async def remove_rfc(self) -> None:
        slugs = await self._slugs()
        if slugs:
            slug = self.rng.choice(slugs)
            await self.commit(await self._default(), [FileChange(rfc_path(slug), None)],
                              f"Remove {slug}")

    async def break_rfc(self) -> None:
        slugs = await self._slugs()
        if slugs:
            slug = self.rng.choice(slugs)
            await self.commit(await self._default(),
                              [FileChange(rfc_path(slug), f"no front matter {self._next()}\n")],
                              f"Break {slug}")

    async def start_branch(self) -> None:
        slugs = await self._slugs() or ["rfc-none"]
        slug, n = self.rng.choice(slugs), self._next()
        name = self.rng.choice([edit_branch(slug, f"edit-{n}"),
                                metadata_branch(slug, f"change-{n}"),
                                proposal_branch(f"idea-{n}"), f"topic-{n}"])
        await self.forge.create_branch(self.repo, name, await self._default())
        if name.startswith("proposal/"):
            idea = name.removeprefix("proposal/")
            await self.commit(name, [FileChange(rfc_path(idea), rfc_text(idea, f"Idea {n}"))],
                              f"Propose {idea}")

    async def _branches(self) -> list[str]:
        default = await self._default()
        return sorted(b.name for b in await self.forge.list_branches(self.repo)
                      if b.name != default)

    async def commit_on_branch(self) -> None:
        branches = await self._branches()
        if branches:
            branch = self.rng.choice(branches)
            n = self._next()
            await self.commit(branch, [FileChange(f"notes/{n}.md", f"Note {n}\n")],
                              f"Note {n}")

    async def delete_branch(self) -> None:
        branches = await self._branches()
        if branches:
            await self.forge.delete_branch(self.repo, self.rng.choice(branches))

    async def open_pull(self) -> None:
        branches = await self._branches()
        if branches:
            branch = self.rng.choice(branches)
            await self.forge.open_pull_request(self.repo, head=branch,
                                               base=await self._default(),
                                               title=f"Changes from {branch}", body="",
                                               author=self.rng.choice(PEOPLE))

    async def _open_pulls(self) -> list[int]:
        return [p.number for p in await self.forge.list_pull_requests(self.repo, "open")]

    async def edit_pull(self) -> None:
        pulls = await self._open_pulls()
        if pulls:
            await self.forge.edit_pull_request(self.repo, self.rng.choice(pulls),
                                               title=f"Retitled {self._next()}")

    async def close_pull(self) -> None:
        pulls = await self._open_pulls()
        if pulls:
            await self.forge.close_pull_request(self.repo, self.rng.choice(pulls))

    async def merge_pull(self) -> None:
        pulls = await self._open_pulls()
        if pulls:
            pull = await self.forge.get_pull_request(self.repo, self.rng.choice(pulls))
            await self.forge.merge_pull_request(self.repo, pull.number,
                                                expected_head=pull.head_sha,
                                                message=f"Merge #{pull.number}",
                                                merger=PEOPLE[0])

    async def step(self) -> None:
        """One random operation, a minute after the last one."""
        operations: list[tuple[int, Callable[[], Awaitable[None]]]] = [
            (3, self.add_rfc), (2, self.edit_rfc), (1, self.remove_rfc), (1, self.break_rfc),
            (4, self.start_branch), (4, self.commit_on_branch), (2, self.delete_branch),
            (3, self.open_pull), (1, self.edit_pull), (1, self.close_pull),
            (2, self.merge_pull)]
        weights = [w for w, _ in operations]
        operation = self.rng.choices([op for _, op in operations], weights)[0]
        self.clock.advance(timedelta(minutes=1))
        try:
            await operation()
        except ForgeError as exc:
            self.done.append(f"{operation.__name__}: refused ({exc})")
        else:
            self.done.append(operation.__name__)
