"""The whole app with ``FORGE=gitea`` against the test session's Gitea, and a person
signing in through Gitea's real login and consent pages with an HTTP client.

Each app gets its own organization (so tests share one Gitea without seeing each
other), its own OAuth application (redirect URI on its own port) and its own webhook,
registered by ``seed_meta`` as an operator would with ``rfc-app seed-meta``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import uvicorn

from server.app import RfcApp, create_app
from server.forge.gitea.forge import gitea_forge
from server.forge.port import Person
from server.seed_meta import seed_meta
from server.settings import Settings, load_settings
from tests.gitea.harness import Account, GiteaServer, OAuthApp, free_port


@dataclass
class GiteaApp:
    app: RfcApp
    url: str
    settings: Settings
    oauth: OAuthApp
    seeded: list[str]

    @property
    def org(self) -> str:
        return self.settings.GITEA_ORG


def gitea_settings(gitea: GiteaServer, data_dir: Path, *, port: int, org: str,
                   oauth: OAuthApp, owner: str, **extra: Any) -> Settings:
    url = f"http://127.0.0.1:{port}"
    return load_settings(
        {}, env_file=None, FORGE="gitea", DATA_DIR=data_dir,
        DATABASE_PATH=data_dir / "rfc-app.db", SECRET_KEY=secrets.token_hex(32), APP_URL=url,
        HOST="127.0.0.1", PORT=port, GITEA_URL=gitea.url, GITEA_BOT_USER=gitea.bot.login,
        GITEA_BOT_TOKEN=gitea.bot.token, GITEA_ORG=org, META_REPO="meta",
        OAUTH_CLIENT_ID=oauth.client_id, OAUTH_CLIENT_SECRET=oauth.client_secret,
        OWNER_GITEA_LOGIN=owner, GITEA_WEBHOOK_SECRET=secrets.token_hex(20), **extra)


async def run_seed_meta(settings: Settings) -> list[str]:
    bot = Person(settings.bot_login, settings.bot_login, "unused@x")
    forge = gitea_forge(settings.GITEA_URL, settings.GITEA_BOT_TOKEN, bot)
    try:
        return await seed_meta(settings, forge)
    finally:
        await forge.aclose()


@contextlib.asynccontextmanager
async def serving_app(app: RfcApp, port: int) -> AsyncIterator[str]:
    """Serve the started app (Socket.IO included) on ``port`` of loopback."""
    server = uvicorn.Server(uvicorn.Config(app.asgi, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off",
                                           ws_per_message_deflate=False))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


@contextlib.asynccontextmanager
async def gitea_app(gitea: GiteaServer, data_dir: Path, *, owner: str,
                    **extra: Any) -> AsyncIterator[GiteaApp]:
    org = f"rfcs-{uuid.uuid4().hex[:8]}"
    gitea.ensure_org(org)
    port = free_port()
    oauth = gitea.create_oauth_app(f"RFC app {org}", f"http://127.0.0.1:{port}/auth/callback")
    settings = gitea_settings(gitea, data_dir, port=port, org=org, oauth=oauth, owner=owner,
                              **extra)
    seeded = await run_seed_meta(settings)
    app = create_app(settings)
    async with app.test_app(), serving_app(app, port) as url:
        yield GiteaApp(app=app, url=url, settings=settings, oauth=oauth, seeded=seeded)


# ---- a person in front of Gitea's pages, without a browser --------------------

class _Forms(HTMLParser):
    """The hidden and named inputs of every form on a page, by form action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = self.forms.setdefault(found.get("action", ""), {})
        elif tag == "input" and self._current is not None and found.get("name"):
            if found.get("type") != "checkbox":
                self._current[found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(page: str) -> dict[str, dict[str, str]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


class GiteaVisitor:
    """Someone with a Gitea account and a browser's cookie jars (one per site)."""

    def __init__(self, gitea: GiteaServer, account: Account, app_url: str) -> None:
        self.gitea = gitea
        self.account = account
        self.on_gitea = httpx.AsyncClient(base_url=gitea.url, timeout=30)
        self.on_app = httpx.AsyncClient(base_url=app_url, timeout=30)

    async def aclose(self) -> None:
        await self.on_gitea.aclose()
        await self.on_app.aclose()

    async def log_in_to_gitea(self) -> None:
        page = await self.on_gitea.get("/user/login")
        fields = forms_of(page.text).get("/user/login", {})
        fields.update({"user_name": self.account.login, "password": self.account.password})
        answer = await self.on_gitea.post("/user/login", data=fields)
        assert answer.status_code in (302, 303), answer.text[:500]

    async def start_sign_in(self, next_path: str = "/catalog") -> str:
        """Click "Sign in" on the app: returns where the app sends the browser (Gitea)."""
        answer = await self.on_app.get("/auth/gitea", params={"next": next_path})
        assert answer.status_code == 302, answer.text
        return str(answer.headers["location"])

    async def consent(self, authorize_url: str) -> str:
        """Open Gitea's authorize page and press "Authorize"; returns the callback URL."""
        page = await self.on_gitea.get(authorize_url)
        if page.status_code in (302, 303):
            return urljoin(authorize_url, page.headers["location"])
        assert page.status_code == 200, page.text[:500]
        fields = forms_of(page.text).get("/login/oauth/grant")
        assert fields is not None, f"no consent form on Gitea's page:\n{page.text[:2000]}"
        fields["granted"] = "true"
        answer = await self.on_gitea.post("/login/oauth/grant", data=fields)
        assert answer.status_code in (302, 303), answer.text[:500]
        return str(answer.headers["location"])

    async def come_back(self, callback_url: str) -> httpx.Response:
        return await self.on_app.get(callback_url)

    async def sign_in(self, next_path: str = "/catalog") -> httpx.Response:
        return await self.come_back(await self.consent(await self.start_sign_in(next_path)))
