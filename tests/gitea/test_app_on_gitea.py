"""The app with ``FORGE=gitea`` on a real Gitea: seed-meta, sign-in through Gitea's OAuth
pages, and webhooks (delivered by Gitea, and forged by us to test the refusals)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.forge.gitea.webhooks import sign
from tests.gitea.apps import GiteaApp, GiteaVisitor, gitea_app, gitea_settings
from tests.gitea.harness import Account, GiteaServer, free_port


@pytest.fixture
async def on_gitea(gitea: GiteaServer, people: dict[str, Account],
                   tmp_path: Path) -> AsyncIterator[GiteaApp]:
    async with gitea_app(gitea, tmp_path / "data", owner="olivia") as running:
        yield running


@pytest.fixture
async def visitors(gitea: GiteaServer, people: dict[str, Account],
                   on_gitea: GiteaApp) -> AsyncIterator[dict[str, GiteaVisitor]]:
    made = {login: GiteaVisitor(gitea, account, on_gitea.url)
            for login, account in people.items()}
    for visitor in made.values():
        await visitor.log_in_to_gitea()
    yield made
    for visitor in made.values():
        await visitor.aclose()


async def eventually(check: Any, *, timeout: float = 20) -> Any:
    """Poll ``check`` (an async callable) until it returns something true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {result!r} after {timeout} s")
        await asyncio.sleep(0.1)


# ---- start-up and seed-meta -------------------------------------------------

async def test_start_up_names_the_meta_repository(gitea: GiteaServer, people: dict[str, Account],
                                                  tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="server"):
        async with gitea_app(gitea, tmp_path / "data", owner="olivia") as running:
            async with httpx.AsyncClient() as client:
                health = (await client.get(f"{running.url}/healthz", timeout=10)).json()
    assert health == {"ok": True, "database": "ok", "forge": "ok"}
    assert f"RFC app started — meta repo {running.org}/meta" in caplog.text


def run_cli(args: list[str], settings_env: dict[str, str],
            cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120,
                          env={**os.environ, **settings_env, "PYTHONPATH": str(Path.cwd())})


def env_of(settings: Any) -> dict[str, str]:
    names = ("FORGE", "APP_URL", "GITEA_URL", "GITEA_BOT_USER", "GITEA_BOT_TOKEN", "GITEA_ORG",
             "META_REPO", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "SECRET_KEY",
             "OWNER_GITEA_LOGIN", "GITEA_WEBHOOK_SECRET", "DATABASE_PATH")
    return {name: str(getattr(settings, name)) for name in names}


def test_seed_meta_creates_once_then_changes_nothing(gitea: GiteaServer, tmp_path: Path) -> None:
    gitea.ensure_org("seeded")
    oauth = gitea.create_oauth_app("seed test", "http://127.0.0.1:9/auth/callback")
    settings = gitea_settings(gitea, tmp_path, port=9, org="seeded", oauth=oauth, owner="o")
    env = env_of(settings)

    first = run_cli(["seed-meta"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    url = "http://127.0.0.1:9/api/webhooks/gitea"
    assert first.stdout.splitlines()[:4] == [
        "repository seeded/meta: created", "README.md: updated", "templates/rfc.md: created",
        "CONTRIBUTING.md: created"]
    assert first.stdout.splitlines()[-1] == f"organization webhook to {url}: created"

    second = run_cli(["seed-meta"], env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        "repository seeded/meta: exists", "README.md: unchanged", "templates/rfc.md: unchanged",
        "CONTRIBUTING.md: unchanged", f"organization webhook to {url}: unchanged"]
    commits = gitea.api("GET", "/repos/seeded/meta/commits?limit=50")
    assert len(commits) == 2  # Gitea's initial commit and one seeding commit
    [hook] = gitea.api("GET", "/orgs/seeded/hooks")
    assert hook["active"] is True and hook["config"]["content_type"] == "json"
    assert set(hook["events"]) == {"create", "delete", "push", "repository", "pull_request",
                                   "pull_request_sync"}

    # Someone narrowed the events by hand: put back. A new secret: the hook is replaced.
    gitea.api("PATCH", f"/orgs/seeded/hooks/{hook['id']}", json={"events": ["push"]})
    third = run_cli(["seed-meta"], env, tmp_path)
    assert third.stdout.splitlines()[-1] == f"organization webhook to {url}: updated"
    rotated = run_cli(["seed-meta"], {**env, "GITEA_WEBHOOK_SECRET": "rotated"}, tmp_path)
    assert rotated.stdout.splitlines()[-1] == f"organization webhook to {url}: replaced"
    assert len(gitea.api("GET", "/orgs/seeded/hooks")) == 1
    readme = gitea.api("GET", "/repos/seeded/meta/contents/README.md")
    assert "How an RFC moves" in base64.b64decode(readme["content"]).decode()


def test_seed_meta_needs_gitea_mode(tmp_path: Path) -> None:
    result = run_cli(["seed-meta", "--data-dir", str(tmp_path)], {"FORGE": "embedded"}, tmp_path)
    assert result.returncode == 2
    assert "FORGE=gitea" in result.stderr


# ---- signing in with Gitea --------------------------------------------------

async def test_sign_in_starts_an_authorization_code_flow_with_pkce(on_gitea: GiteaApp) -> None:
    async with httpx.AsyncClient(base_url=on_gitea.url) as browser:
        answer = await browser.get("/signin", params={"next": "/rfcs/x"})
        assert answer.status_code == 302
        assert answer.headers["location"] == "/auth/gitea?next=%2Frfcs%2Fx"
        answer = await browser.get("/auth/gitea", params={"next": "/rfcs/x"})
    target = urlsplit(answer.headers["location"])
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert f"{target.scheme}://{target.netloc}{target.path}" == (
        f"{on_gitea.settings.GITEA_URL}/login/oauth/authorize")
    assert query["response_type"] == "code"
    assert query["client_id"] == on_gitea.oauth.client_id
    assert query["redirect_uri"] == f"{on_gitea.url}/auth/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and query["scope"] == "openid profile email"
    cookie = answer.headers["set-cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


async def test_first_sign_in_creates_the_owner_and_a_contributor(
        on_gitea: GiteaApp, visitors: dict[str, GiteaVisitor]) -> None:
    olivia, alice = visitors["olivia"], visitors["alice"]
    back = await olivia.sign_in("/rfcs/somewhere")
    assert (back.status_code, back.headers["location"]) == (302, "/rfcs/somewhere")
    me = (await olivia.on_app.get("/api/me")).json()
    assert (me["user"]["login"], me["user"]["role"]) == ("olivia", "owner")
    assert me["user"]["display_name"] == "Olivia Owner"
    assert me["sign_in"] == "gitea", "the client sends people to Gitea to sign in"

    await alice.sign_in()
    me = (await alice.on_app.get("/api/me")).json()
    assert (me["user"]["login"], me["user"]["role"]) == ("alice", "contributor")
    # Signing in again finds the same account.
    await alice.on_app.post("/auth/logout", headers={"X-CSRF-Token": me["csrf_token"]})
    await alice.sign_in()
    again = (await alice.on_app.get("/api/me")).json()
    assert again["user"]["id"] == me["user"]["id"]


async def test_two_tabs_can_sign_in_at_once(visitors: dict[str, GiteaVisitor]) -> None:
    bob = visitors["bob"]
    first_tab = await bob.start_sign_in("/first")
    second_tab = await bob.start_sign_in("/second")
    second_back = await bob.come_back(await bob.consent(second_tab))
    first_back = await bob.come_back(await bob.consent(first_tab))
    assert second_back.headers["location"] == "/second"
    assert first_back.headers["location"] == "/first"
    assert (await bob.on_app.get("/api/me")).json()["user"]["login"] == "bob"


async def test_a_replayed_or_unknown_state_asks_to_sign_in_again(
        visitors: dict[str, GiteaVisitor]) -> None:
    alice = visitors["alice"]
    callback = await alice.consent(await alice.start_sign_in())
    assert (await alice.come_back(callback)).status_code == 302
    replay = await alice.come_back(callback)
    assert replay.status_code == 400
    assert "expired or was already used" in replay.text
    assert 'href="/auth/gitea?next=%2Fcatalog"' in replay.text
    unknown = await alice.on_app.get("/auth/callback", params={"state": "forged", "code": "x"})
    assert unknown.status_code == 400 and "Sign in with Gitea" in unknown.text
    bare = await alice.on_app.get("/auth/callback")
    assert bare.status_code == 400


async def test_a_refused_consent_or_a_bad_code_is_explained(
        visitors: dict[str, GiteaVisitor]) -> None:
    bob = visitors["bob"]
    authorize = await bob.start_sign_in()
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    denied = await bob.on_app.get("/auth/callback", params={"state": state,
                                                            "error": "access_denied"})
    assert denied.status_code == 400 and "did not sign you in" in denied.text
    authorize = await bob.start_sign_in()
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    bad_code = await bob.on_app.get("/auth/callback", params={"state": state, "code": "nope"})
    assert bad_code.status_code == 502 and "did not confirm" in bad_code.text
    assert (await bob.on_app.get("/api/me")).json()["user"] is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil",
                                    "javascript:alert(1)", ""])
async def test_after_sign_in_only_paths_on_this_site(
        visitors: dict[str, GiteaVisitor], target: str) -> None:
    back = await visitors["alice"].sign_in(target)
    assert back.headers["location"] == "/catalog"


# ---- webhooks ---------------------------------------------------------------

def signed(settings: Any, payload: dict[str, Any], *, event: str = "push",
           delivery: str = "f00dfeed-0000-4000-8000-000000000001",
           secret: str | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", "X-Gitea-Event": event,
                  "X-Gitea-Delivery": delivery,
                  "X-Gitea-Signature": sign(body, settings.GITEA_WEBHOOK_SECRET
                                            if secret is None else secret)}


async def ingested(app: GiteaApp, delivery: str | None = None) -> int:
    """Deliveries taken in (with ``delivery``: that one, 0 or 1)."""
    async with app.app.services.db.read() as tx:
        return int(await tx.scalar(
            "SELECT count(*) FROM ingested_deliveries WHERE :id IS NULL OR delivery_id = :id",
            {"id": delivery}) or 0)


async def test_webhook_refusals_write_nothing(on_gitea: GiteaApp) -> None:
    payload = {"ref": "refs/heads/main", "before": "a" * 40, "after": "b" * 40,
               "repository": {"full_name": f"{on_gitea.org}/meta"}, "commits": []}
    body, headers = signed(on_gitea.settings, payload)
    async with httpx.AsyncClient(base_url=on_gitea.url) as client:
        missing = await client.post("/api/webhooks/gitea", content=body, headers={
            k: v for k, v in headers.items() if k != "X-Gitea-Signature"})
        wrong = await client.post("/api/webhooks/gitea", content=body,
                                  headers=signed(on_gitea.settings, payload, secret="nope")[1])
        tampered = await client.post("/api/webhooks/gitea", content=body + b" ",
                                     headers=headers)
        form = await client.post("/api/webhooks/gitea", content=body, headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "signature_missing")
    assert (wrong.status_code, tampered.status_code) == (403, 403)
    assert form.status_code == 415
    await asyncio.sleep(0.3)
    # Gitea's own deliveries may still arrive meanwhile; the refused one must not count.
    assert await ingested(on_gitea, headers["X-Gitea-Delivery"]) == 0


async def test_webhook_accepts_exact_bytes_once_and_ignores_unknown_types(
        on_gitea: GiteaApp) -> None:
    meta = f"{on_gitea.org}/meta"
    payload = {"ref": "rfcs/old-idea/edit/gone", "ref_type": "branch", "pusher_type": "user",
               "repository": {"full_name": meta}}
    body, headers = signed(on_gitea.settings, payload, event="delete",
                           delivery="f00dfeed-0000-4000-8000-00000000000a")
    forgejo = {**{k: v for k, v in headers.items() if not k.startswith("X-Gitea")},
               "X-Forgejo-Event": "delete", "X-Forgejo-Delivery": headers["X-Gitea-Delivery"],
               "X-Forgejo-Signature": headers["X-Gitea-Signature"]}
    unknown_body, unknown_headers = signed(on_gitea.settings, {"action": "published"},
                                           event="release",
                                           delivery="f00dfeed-0000-4000-8000-00000000000b")
    async with httpx.AsyncClient(base_url=on_gitea.url) as client:
        first = await client.post("/api/webhooks/gitea", content=body, headers=headers)
        again = await client.post("/api/webhooks/gitea", content=body, headers=forgejo)
        unknown = await client.post("/api/webhooks/gitea", content=unknown_body,
                                    headers=unknown_headers)
    assert (first.status_code, first.json()) == (200, {"ok": True, "events": 1})
    assert (again.status_code, again.json()) == (200, {"ok": True, "duplicate": True})
    assert (unknown.status_code, unknown.json()["ignored"]) == (202, "release")


async def test_gitea_delivers_to_the_app_and_the_catalog_follows(
        on_gitea: GiteaApp, visitors: dict[str, GiteaVisitor]) -> None:
    """No reconciler here: the proposal appears in the catalog through Gitea's webhooks."""
    alice = visitors["alice"]
    await alice.sign_in()
    csrf = (await alice.on_app.get("/api/me")).json()["csrf_token"]
    proposed = await alice.on_app.post("/api/proposals", headers={"X-CSRF-Token": csrf}, json={
        "title": "Webhooks work", "slug": "webhooks-work", "pitch": "Gitea tells the app."})
    assert proposed.status_code in (200, 201), proposed.text
    number = proposed.json()["proposal"]["number"]
    # Merge it on Gitea itself, behind the app's back: only the webhook can tell the app.
    gitea_api = httpx.AsyncClient(base_url=f"{on_gitea.settings.GITEA_URL}/api/v1",
                                  headers={"Authorization":
                                           f"token {on_gitea.settings.GITEA_BOT_TOKEN}"})
    meta = f"/repos/{on_gitea.org}/meta"
    for _ in range(50):
        merged = await gitea_api.post(f"{meta}/pulls/{number}/merge", json={"Do": "merge"})
        if merged.status_code == 200:
            break
        await asyncio.sleep(0.2)
    await gitea_api.aclose()

    async def in_catalog() -> bool:
        catalog = (await alice.on_app.get("/api/catalog")).json()
        return any(r["slug"] == "webhooks-work" for r in catalog["rfcs"])

    await eventually(in_catalog)


def test_a_missing_gitea_setting_stops_start_up(tmp_path: Path) -> None:
    settings_env = {"FORGE": "gitea", "APP_URL": "http://127.0.0.1:1", "SECRET_KEY": "k",
                    "DATABASE_PATH": str(tmp_path / "db"), "GITEA_URL": "http://127.0.0.1:1",
                    "GITEA_BOT_USER": "b", "GITEA_ORG": "o", "META_REPO": "m",
                    "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s",
                    "OWNER_GITEA_LOGIN": "o", "GITEA_WEBHOOK_SECRET": "w",
                    "PORT": str(free_port())}
    result = run_cli(["serve"], settings_env, tmp_path)
    assert result.returncode == 2
    assert "Required environment variable GITEA_BOT_TOKEN is not set" in result.stderr


async def test_password_sign_in_points_to_gitea(on_gitea: GiteaApp) -> None:
    async with httpx.AsyncClient(base_url=on_gitea.url) as browser:
        csrf = (await browser.get("/api/me")).json()["csrf_token"]
        answer = await browser.post("/auth/login", headers={"X-CSRF-Token": csrf},
                                    json={"username": "olivia", "password": "whatever1"})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "sign_in_with_gitea"
