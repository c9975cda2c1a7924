"""Helpers shared by the tests: an app on a temporary data folder, signed-in clients,
and the real server on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import uvicorn

from server.app import RfcApp
from server.domain.accounts import add_user
from server.domain.people import User
from server.settings import Settings, load_settings

PASSWORD = "correct horse battery"


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    return load_settings({}, env_file=None, DATA_DIR=data_dir, SECRET_KEY="test-secret-key",
                         OWNER_LOGIN="owner", **overrides)


async def add_account(app: RfcApp, login: str, *, email: str = "") -> User:
    return await add_user(app.services.domain, login=login,
                          email=email or f"{login}@example.invalid", password=PASSWORD)


class ApiClient:
    """A test client that behaves like the browser client: CSRF header on every write."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.csrf = ""

    async def refresh_csrf(self) -> dict[str, Any]:
        response = await self.client.get("/api/me")
        body = await response.get_json()
        self.csrf = body["csrf_token"]
        return dict(body)

    async def get(self, path: str) -> tuple[int, Any]:
        response = await self.client.get(path)
        return response.status_code, await response.get_json()

    async def post(self, path: str, json: Any = None, *, csrf: bool = True) -> tuple[int, Any]:
        if csrf and not self.csrf:
            await self.refresh_csrf()
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        response = await self.client.post(path, json={} if json is None else json,
                                          headers=headers)
        return response.status_code, await response.get_json()

    async def put(self, path: str, json: Any) -> tuple[int, Any]:
        if not self.csrf:
            await self.refresh_csrf()
        response = await self.client.put(path, json=json, headers={"X-CSRF-Token": self.csrf})
        return response.status_code, await response.get_json()

    async def sign_in(self, login: str, password: str = PASSWORD) -> dict[str, Any]:
        status, body = await self.post("/auth/login", {"username": login, "password": password})
        assert status == 200, body
        self.csrf = body["csrf_token"]
        return dict(body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def running_server(app: RfcApp) -> AsyncIterator[str]:
    """Serve the whole ASGI app (Socket.IO included) on a loopback port; yield its URL.

    The app must already be started (the ``app`` fixture runs its start-up), so the
    server does not run it a second time.
    """
    port = free_port()
    config = uvicorn.Config(app.asgi, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off", ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        else:
            raise RuntimeError("the test server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


async def seed_rfc(app: RfcApp, slug: str, *, title: str = "", body: str = "",
                   authors: tuple[str, ...] = ("alice",)) -> None:
    """Put a super-draft straight onto the meta repository's default branch."""
    from server.domain.rfcs import RfcMeta, render_rfc_file, rfc_path
    from server.forge.port import FileChange, Person

    d = app.services.domain
    repo = await d.forge.get_repo(d.meta_repo)
    head = (await d.forge.get_branch(d.meta_repo, repo.default_branch)).head
    meta = RfcMeta(title=title or slug.replace("-", " ").title(), slug=slug,
                   pitch=f"Pitch of {slug}", authors=authors)
    text = render_rfc_file(meta, body or f"# {meta.title}\n\nFirst paragraph.\n")
    await d.forge.commit_files(d.meta_repo, repo.default_branch,
                               [FileChange(rfc_path(slug), text)], message=f"Add {slug}",
                               author=Person("seed", "Seed", "seed@example.invalid"),
                               expected_head=head)


async def signed_in_client(app: RfcApp, make_client: Any, login: str) -> ApiClient:
    async with app.services.domain.store.read() as uow:
        exists = await uow.users.by_login(login)
    if exists is None:
        await add_account(app, login)
    client = make_client()
    await client.sign_in(login)
    return client


async def close_branch(app: RfcApp, name: str, *, at: str = "2026-12-01T00:00:00Z") -> None:
    """Close a meta-repository branch as the hygiene sweep does: record the mark, re-sync."""
    d = app.services.domain
    async with d.store.write() as uow:
        await uow.branches.set_closed_mark(d.meta_repo.full_name, name, at)
    await app.services.ingest.sync_branch(name)


async def delete_branch(app: RfcApp, name: str) -> None:
    """Delete a branch on the forge; its event brings the cache along."""
    d = app.services.domain
    await d.forge.delete_branch(d.meta_repo, name)
    await app.services.ingest.sync_branch(name)


async def remove_rfc(app: RfcApp, slug: str) -> None:
    """Delete an RFC's file on the meta repository's default branch, as someone with git
    access would; the forge's push event takes it out of the catalog."""
    from server.domain.rfcs import rfc_path
    from server.forge.port import FileChange, Person

    d = app.services.domain
    repo = await d.forge.get_repo(d.meta_repo)
    head = (await d.forge.get_branch(d.meta_repo, repo.default_branch)).head
    await d.forge.commit_files(d.meta_repo, repo.default_branch,
                               [FileChange(rfc_path(slug), None)], message=f"Remove {slug}",
                               author=Person("seed", "Seed", "seed@example.invalid"),
                               expected_head=head)
