"""A real Gitea for the whole test session, and the forge contract fixtures on it.

Every test that uses the ``gitea`` fixture is marked ``gitea`` (skip them locally with
``pytest -m "not gitea"``); the unit tests beside them run everywhere. Without a Go
toolchain the marked tests fail with a message saying so, so CI cannot silently skip
them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from server.forge.gitea.client import ApiNotFound, GiteaClient
from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.webhooks import HOOK_EVENTS
from server.forge.port import ForgeEvent, Repo, RepoRef
from tests.forge.conftest import BOT, Settle, Traits
from tests.gitea.harness import Account, GiteaServer, GiteaUnavailable, start_gitea
from tests.gitea.receiver import Receiver, serving

CONTRACT_ORGS = ("acme", "other")
CONTRACT_SECRET = "contract-webhook-secret"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Whatever needs the real Gitea is marked; this folder's unit tests are not.
    for item in items:
        if "gitea" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gitea)


@pytest.fixture(scope="session")
def gitea() -> Iterator[GiteaServer]:
    try:
        # Gitea's queues: "channel" (asynchronous, like production); "immediate" runs queued
        # work inside the request that queued it (see harness.py for why it is not the default).
        server = start_gitea(queue_type=os.environ.get("RFC_APP_GITEA_QUEUE", "channel"))
    except GiteaUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        for org in CONTRACT_ORGS:
            server.ensure_org(org)
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)


# ---- the forge contract suite on Gitea --------------------------------------

async def _delete_repos(client: GiteaClient) -> int:
    deleted = 0
    for org in CONTRACT_ORGS:
        for repo in await client.paginate(f"/orgs/{org}/repos"):
            try:
                await client.request("DELETE", f"/repos/{org}/{repo['name']}", expect=(204,))
                deleted += 1
            except ApiNotFound:
                pass
    return deleted


async def _point_hooks(client: GiteaClient, url: str) -> None:
    """One active organization hook per contract org, delivering to ``url``."""
    for org in CONTRACT_ORGS:
        hooks = await client.get_json(f"/orgs/{org}/hooks")
        if hooks:
            await client.request("PATCH", f"/orgs/{org}/hooks/{hooks[0]['id']}", json={
                "config": {"url": url, "content_type": "json"}, "events": list(HOOK_EVENTS),
                "active": True, "branch_filter": "*"})
        else:
            await client.request("POST", f"/orgs/{org}/hooks", json={
                "type": "gitea", "active": True, "branch_filter": "*",
                "events": list(HOOK_EVENTS),
                "config": {"url": url, "content_type": "json", "secret": CONTRACT_SECRET}})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hooks = Receiver(CONTRACT_SECRET)
    async with serving(hooks) as url:
        yield hooks, f"{url}/hooks"


@pytest.fixture
async def forge(gitea: GiteaServer,
                receiver: tuple[Receiver, str]) -> AsyncIterator[GiteaForge]:
    hooks, url = receiver
    client = GiteaClient(gitea.url, gitea.bot.token)
    await _delete_repos(client)  # left over by an interrupted run
    await _point_hooks(client, url)
    forge = GiteaForge(client, BOT, merge_wait=20)
    hooks.forge = forge
    try:
        yield forge
    finally:
        # Delete this test's repositories while the receiver still listens, and wait for
        # their last deliveries, so none reaches the next test.
        before = sum(1 for e in hooks.deliveries if e[:2] == ("repository", "deleted"))
        deleted = await _delete_repos(client)
        await hooks.wait_for(lambda seen: sum(
            1 for e in seen if e[:2] == ("repository", "deleted")) >= before + deleted)
        await forge.aclose()


@pytest.fixture
def events(forge: GiteaForge) -> list[ForgeEvent]:
    seen: list[ForgeEvent] = []

    async def collect(event: ForgeEvent) -> None:
        seen.append(event)

    forge.on_event(collect)
    return seen


@pytest.fixture
async def repo(forge: GiteaForge, receiver: tuple[Receiver, str]) -> Repo:
    made = await forge.ensure_repo(RepoRef("acme", "rfcs"), description="Our RFCs")
    # As with the embedded forge, the set-up's own events are delivered before the test.
    await receiver[0].wait_for(lambda seen: ("repository", "created", "acme/rfcs") in seen)
    await forge.drain()
    return made


@pytest.fixture
def clone_url(gitea: GiteaServer) -> Callable[[RepoRef], str]:
    return lambda ref: f"{gitea.url}/{ref.owner}/{ref.name}.git"


@pytest.fixture
def traits() -> Traits:
    return Traits(merge_commit_by_bot=True)


async def settle_webhooks(seen: list[Any], count: int, *, quiet: float = 0.6,
                          timeout: float = 30) -> None:
    """Wait for ``count`` items, then until none has arrived for ``quiet`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(seen) < count:
        if loop.time() > deadline:
            raise AssertionError(f"expected {count} events, got {len(seen)}: {seen}")
        await asyncio.sleep(0.05)
    last = len(seen)
    while True:
        await asyncio.sleep(quiet)
        if len(seen) == last or loop.time() > deadline:
            return
        last = len(seen)


@pytest.fixture
def settle() -> Settle:
    return settle_webhooks


# ---- the app on Gitea ----------------------------------------------------------

@pytest.fixture(scope="session")
def people(gitea: GiteaServer) -> dict[str, Account]:
    """Gitea accounts of people who use the app; ``olivia`` is made the owner."""
    return {login: gitea.create_user(login, full_name=name) for login, name in
            (("olivia", "Olivia Owner"), ("alice", "Alice Ærø"), ("bob", "Bob"))}
