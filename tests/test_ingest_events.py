"""Ingestion of normalized forge events: each kind, twice, late, and the all-zero push.

Events come from the real embedded forge; ``EventMail`` holds them back so a test
can deliver them when and as often as it likes, the way webhooks arrive.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.clock import FixedClock
from server.domain.live import BranchUpdated, LiveEvent, PullUpdated
from server.domain.naming import edit_branch
from server.domain.rfcs import rfc_path
from server.forge.port import (
    ZERO_SHA,
    BranchCreated,
    BranchDeleted,
    FileChange,
    ForgeEvent,
    PullRequestEvent,
    Pushed,
)
from server.services import Services, open_services
from tests.forge_world import PEOPLE, EventMail, rfc_text
from tests.support import make_settings

T0 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
SLUG = "faster-builds"
BRANCH = edit_branch(SLUG, "cache-deps")


class Harness:
    def __init__(self, services: Services, mail: EventMail, clock: FixedClock,
                 published: list[LiveEvent]) -> None:
        self.services, self.mail, self.clock, self.published = services, mail, clock, published
        self.d = services.domain
        self.forge, self.repo = self.d.forge, self.d.meta_repo

    async def deliver(self, *events: ForgeEvent) -> None:
        for event in events:
            await self.services.ingest.handle(event)

    def held(self, kind: type[ForgeEvent]) -> list[Any]:
        return [e for e in self.mail.held if isinstance(e, kind)]

    async def branch_row(self, name: str = BRANCH) -> Any:
        async with self.d.store.read() as uow:
            return await uow.branches.get(self.repo.full_name, name)

    async def pull_row(self, number: int) -> Any:
        async with self.d.store.read() as uow:
            return await uow.cache.get_pull(self.repo.full_name, number)

    async def commit(self, branch: str, path: str, text: str) -> None:
        self.clock.advance(timedelta(minutes=5))
        head = (await self.forge.get_branch(self.repo, branch)).head
        await self.forge.commit_files(self.repo, branch, [FileChange(path, text)],
                                      message=f"Write {path}", author=PEOPLE[0],
                                      expected_head=head)


@pytest.fixture
async def h(tmp_path) -> AsyncIterator[Harness]:
    published: list[LiveEvent] = []

    async def publish(event: LiveEvent) -> None:
        published.append(event)

    clock = FixedClock(T0)
    mail = EventMail()
    services = await open_services(make_settings(tmp_path / "data"), clock=clock,
                                   publish=publish, route_events=mail)
    harness = Harness(services, mail, clock, published)
    await harness.commit("main", rfc_path(SLUG), rfc_text(SLUG, "Faster builds"))
    mail.hold = 1.0  # from here on, the test delivers the events itself
    try:
        yield harness
    finally:
        await services.close()


async def test_branch_created_pushed_and_deleted(h):
    await h.forge.create_branch(h.repo, BRANCH, "main")
    [created] = h.held(BranchCreated)
    await h.deliver(created)
    row = await h.branch_row()
    assert (row.state, row.kind, row.rfc_slug) == ("open", "edit", SLUG)
    [event] = [e for e in h.published if isinstance(e, BranchUpdated)]
    assert event.rooms == (f"rfc:{SLUG}", f"branch:rfcs/meta:{BRANCH}")

    await h.commit(BRANCH, "notes/a.md", "A\n")
    [pushed] = h.held(Pushed)
    await h.deliver(pushed)
    moved = await h.branch_row()
    assert moved.head == pushed.after and moved.last_commit_author == "Alice"
    assert moved.last_commit_at == "2027-03-01T10:10:00Z"

    await h.forge.delete_branch(h.repo, BRANCH)
    [deleted] = h.held(BranchDeleted)
    await h.deliver(deleted)
    gone = await h.branch_row()
    assert gone.state == "deleted" and gone.head == moved.head, "the row stays, for history"


async def test_a_deletion_that_arrives_only_as_a_push_to_the_all_zero_commit(h):
    await h.forge.create_branch(h.repo, BRANCH, "main")
    await h.deliver(*h.held(BranchCreated))
    head = (await h.branch_row()).head
    await h.forge.delete_branch(h.repo, BRANCH)  # its BranchDeleted event is lost
    await h.deliver(Pushed("push-zero-1", h.repo, branch=BRANCH, before=head, after=ZERO_SHA))
    assert (await h.branch_row()).state == "deleted"


async def test_every_pull_request_action_updates_the_cache(h):
    await h.forge.create_branch(h.repo, BRANCH, "main")
    await h.commit(BRANCH, rfc_path(SLUG), rfc_text(SLUG, "Faster builds", body="Better.\n"))
    pull = await h.forge.open_pull_request(h.repo, head=BRANCH, base="main", title="Cache",
                                           body="", author=PEOPLE[0])
    await h.forge.edit_pull_request(h.repo, pull.number, title="Cache dependencies")
    await h.commit(BRANCH, "notes/b.md", "B\n")
    merged = await h.forge.merge_pull_request(h.repo, pull.number,
                                              expected_head=(await h.forge.get_branch(
                                                  h.repo, BRANCH)).head,
                                              message="Merge", merger=PEOPLE[1])
    actions = [e.action for e in h.held(PullRequestEvent)]
    assert actions == ["opened", "edited", "synchronized", "merged"]
    await h.deliver(*h.mail.held)
    row = await h.pull_row(pull.number)
    assert (row.state, row.title, row.kind, row.rfc_slug) == (
        "merged", "Cache dependencies", "body", SLUG)
    assert row.head_sha == merged.pull.head_sha and row.merged_at == "2027-03-01T10:15:00Z"
    assert any(isinstance(e, PullUpdated) and e.pull.state == "merged" for e in h.published)

    await h.forge.create_branch(h.repo, edit_branch(SLUG, "second"), "main")
    await h.commit(edit_branch(SLUG, "second"), "notes/c.md", "C\n")
    second = await h.forge.open_pull_request(h.repo, head=edit_branch(SLUG, "second"),
                                             base="main", title="Second", body="",
                                             author=PEOPLE[0])
    await h.forge.close_pull_request(h.repo, second.number)
    await h.deliver(*h.held(PullRequestEvent)[-2:])
    assert (await h.pull_row(second.number)).state == "closed"


async def test_the_same_event_twice_changes_nothing_the_second_time(h):
    await h.forge.create_branch(h.repo, BRANCH, "main")
    await h.commit(BRANCH, "notes/a.md", "A\n")
    await h.deliver(*h.mail.held)
    watcher = sqlite3.connect(h.services.settings.database_path)
    try:
        h.published.clear()
        # Redelivered under a new delivery id (the id-based dedup cannot help): each
        # event only records its delivery, and the cache stays as it is.
        rows_before = await h.branch_row()
        for event in list(h.mail.held):
            await h.deliver(replace(event, delivery_id=f"again-{event.delivery_id}"))
        assert await h.branch_row() == rows_before
        assert h.published == []
        # The very same delivery again is ignored before anything else.
        version = watcher.execute("PRAGMA data_version").fetchone()
        await h.deliver(*h.mail.held)
        assert watcher.execute("PRAGMA data_version").fetchone() == version
    finally:
        watcher.close()


async def test_an_old_event_arriving_late_does_not_roll_the_cache_back(h):
    await h.forge.create_branch(h.repo, BRANCH, "main")
    await h.commit(BRANCH, "notes/a.md", "A\n")
    pull = await h.forge.open_pull_request(h.repo, head=BRANCH, base="main", title="Old",
                                           body="", author=PEOPLE[0])
    await h.forge.edit_pull_request(h.repo, pull.number, title="New")
    await h.forge.close_pull_request(h.repo, pull.number)
    opened, edited, closed = h.held(PullRequestEvent)
    await h.commit(BRANCH, "notes/b.md", "B\n")
    first_push, second_push = h.held(Pushed)
    # Newest first, then the older ones.
    await h.deliver(second_push, closed, edited, first_push, opened)
    row = await h.pull_row(pull.number)
    assert (row.state, row.title) == ("closed", "New")
    assert (await h.branch_row()).head == second_push.after
    created = h.held(BranchCreated)
    await h.deliver(*created)  # the creation, last of all
    assert (await h.branch_row()).head == second_push.after
