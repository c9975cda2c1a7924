"""Every HTTP route and socket event, for every kind of person, against the expected answer.

The routes come from the app's own routing table and the socket events from the
socket server's handlers, so a new route or event without a row here fails.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import socketio

from server.app import RfcApp, create_app
from tests.support import ApiClient, add_account, make_settings, running_server, seed_rfc

ROLES = ("anonymous", "contributor", "starter", "maintainer", "admin", "owner")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
WRITERS = frozenset({"starter", "maintainer", "admin", "owner"})
DECIDERS = frozenset({"maintainer", "admin", "owner"})
STAFF = frozenset({"admin", "owner"})
RFC = "matrix-rfc"
ACCOUNT_OF = {"contributor": "carl", "starter": "stella", "maintainer": "mona",
              "admin": "ada", "owner": "owner"}


class World:
    """One app, an account per role, and makers of fresh things to act on."""

    def __init__(self, app: RfcApp, clients: dict[str, ApiClient], make_client: Any) -> None:
        self.app = app
        self.clients = clients
        self.make_client = make_client
        self.counter = itertools.count(1)

    async def branch(self, *, with_change: bool = True) -> str:
        short = f"edit-{next(self.counter)}"
        _, made = await self.clients["starter"].post(f"/api/rfcs/{RFC}/branches",
                                                     {"name": short})
        if with_change:
            await self.clients["starter"].put(
                f"/api/rfcs/{RFC}/branches/{short}/body",
                {"markdown": f"Changed {short}\n", "base_sha": made["branch"]["head"]})
        return short

    async def pull(self) -> int:
        short = await self.branch()
        _, opened = await self.clients["starter"].post(f"/api/rfcs/{RFC}/branches/{short}/pulls",
                                                       {"title": f"Pull from {short}"})
        return int(opened["pull"]["number"])

    async def proposal(self) -> int:
        n = next(self.counter)
        _, made = await self.clients["contributor"].post(
            "/api/proposals", {"title": f"Idea number {n}", "slug": f"idea-{n}"})
        return int(made["proposal"]["number"])

    async def user(self, *, suspended: bool = False) -> int:
        user = await add_account(self.app, f"target{next(self.counter)}")
        if suspended:
            async with self.app.services.domain.store.write() as uow:
                await uow.users.set_suspended(user.id, at="2026-12-01T00:00:00Z", reason="x")
        return user.id


Maker = Callable[[World], Awaitable[tuple[str, Any]]]


def fixed(url: str, body: Any = None) -> Maker:
    async def make(_: World) -> tuple[str, Any]:
        return url, body
    return make


@dataclass(frozen=True)
class Case:
    allowed: frozenset[str]
    make: Maker
    fresh_session: bool = False  # the call changes the caller's own session
    answers: frozenset[int] = frozenset({200, 201})  # what an allowed caller gets


async def _branch_url(w: World) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/branches/{await w.branch(with_change=False)}", None


async def _save(w: World) -> tuple[str, Any]:
    short = await w.branch(with_change=False)
    _, detail = await w.clients["starter"].get(f"/api/rfcs/{RFC}/branches/{short}")
    return (f"/api/rfcs/{RFC}/branches/{short}/body",
            {"markdown": "Saved by someone\n", "base_sha": detail["branch"]["head"]})


async def _open_pull(w: World) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/branches/{await w.branch()}/pulls", {"title": "A pull request"}


async def _pull_url(w: World, suffix: str = "", body: Any = None) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/pulls/{await w.pull()}{suffix}", body


async def _proposal_url(w: World, suffix: str = "", body: Any = None) -> tuple[str, Any]:
    return f"/api/proposals/{await w.proposal()}{suffix}", body


async def _user_url(w: World, suffix: str, body: Any, *, suspended: bool = False
                    ) -> tuple[str, Any]:
    return f"/api/admin/users/{await w.user(suspended=suspended)}{suffix}", body


async def _login(w: World) -> tuple[str, Any]:
    return "/auth/login", {"username": "carl", "password": "correct horse battery"}


MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): Case(EVERYONE, fixed("/healthz")),
    ("GET", "/api/openapi.json"): Case(EVERYONE, fixed("/api/openapi.json")),
    ("GET", "/"): Case(EVERYONE, fixed("/")),
    ("GET", "/<path:path>"): Case(EVERYONE, fixed("/catalog")),
    ("GET", "/assets/<path:name>"): Case(EVERYONE, fixed("/assets/missing.js"),
                                         answers=frozenset({404})),
    ("POST", "/auth/login"): Case(EVERYONE, _login, fresh_session=True),
    ("POST", "/auth/logout"): Case(EVERYONE, fixed("/auth/logout"), fresh_session=True),
    ("GET", "/api/me"): Case(EVERYONE, fixed("/api/me")),
    ("GET", "/api/catalog"): Case(EVERYONE, fixed("/api/catalog")),
    ("GET", "/api/rfcs/<slug>"): Case(EVERYONE, fixed(f"/api/rfcs/{RFC}")),
    ("POST", "/api/render"): Case(EVERYONE, fixed("/api/render", {"markdown": "*hi*"})),
    ("POST", "/api/proposals"): Case(SIGNED_IN, lambda w: _new_proposal(w)),
    ("GET", "/api/proposals/<int:number>"): Case(EVERYONE, _proposal_url),
    ("POST", "/api/proposals/<int:number>/merge"): Case(
        STAFF, lambda w: _proposal_url(w, "/merge", {})),
    ("POST", "/api/proposals/<int:number>/close"): Case(
        STAFF, lambda w: _proposal_url(w, "/close", {"reason": "Not now"})),
    ("POST", "/api/rfcs/<slug>/branches"): Case(
        SIGNED_IN, lambda w: _new_branch(w)),
    ("GET", "/api/rfcs/<slug>/branches/<path:branch>"): Case(EVERYONE, _branch_url),
    ("PUT", "/api/rfcs/<slug>/branches/<path:branch>/body"): Case(WRITERS, _save),
    ("POST", "/api/rfcs/<slug>/branches/<path:branch>/pulls"): Case(WRITERS, _open_pull),
    ("POST", "/api/rfcs/<slug>/branches/<path:branch>/pin"): Case(
        STAFF, lambda w: _branch_action(w, "pin")),
    ("POST", "/api/rfcs/<slug>/branches/<path:branch>/unpin"): Case(
        STAFF, lambda w: _branch_action(w, "unpin")),
    ("POST", "/api/rfcs/<slug>/metadata"): Case(
        SIGNED_IN, lambda w: _metadata(w)),
    ("GET", "/api/rfcs/<slug>/pulls/<int:number>"): Case(EVERYONE, _pull_url),
    ("POST", "/api/rfcs/<slug>/pulls/<int:number>/merge"): Case(
        DECIDERS, lambda w: _pull_url(w, "/merge", {})),
    ("POST", "/api/rfcs/<slug>/pulls/<int:number>/close"): Case(
        DECIDERS, lambda w: _pull_url(w, "/close", {"reason": "Superseded"})),
    ("GET", "/api/chat"): Case(EVERYONE, lambda w: _chat_history(w)),
    ("GET", "/api/rfcs/<slug>/unread"): Case(EVERYONE, fixed(f"/api/rfcs/{RFC}/unread")),
    ("GET", "/api/unread"): Case(EVERYONE, fixed("/api/unread")),
    ("GET", "/api/rfcs/<slug>/threads"): Case(EVERYONE, fixed(f"/api/rfcs/{RFC}/threads")),
    ("POST", "/api/rfcs/<slug>/threads"): Case(
        SIGNED_IN, fixed(f"/api/rfcs/{RFC}/threads", {"title": "A thread", "body": "Hi"})),
    ("GET", "/api/threads/<int:thread_id>"): Case(EVERYONE, lambda w: _thread_url(w)),
    ("GET", "/api/admin/users"): Case(STAFF, fixed("/api/admin/users")),
    ("POST", "/api/admin/users/<int:user_id>/role"): Case(
        STAFF, lambda w: _user_url(w, "/role", {"role": "admin"})),
    ("POST", "/api/admin/users/<int:user_id>/suspend"): Case(
        STAFF, lambda w: _user_url(w, "/suspend", {"reason": "Testing"})),
    ("POST", "/api/admin/users/<int:user_id>/restore"): Case(
        STAFF, lambda w: _user_url(w, "/restore", {"reason": "Fine"}, suspended=True)),
    ("POST", "/api/admin/users/<int:user_id>/email"): Case(
        STAFF, lambda w: _user_url(w, "/email", {"suppressed": True, "reason": "Asked"})),
    ("POST", "/api/admin/users/<int:user_id>/maintainer"): Case(
        STAFF, lambda w: _user_url(w, "/maintainer", {"slug": RFC})),
    ("GET", "/api/admin/audit"): Case(STAFF, fixed("/api/admin/audit")),
    ("GET", "/api/admin/permission-events"): Case(STAFF, fixed("/api/admin/permission-events")),
    ("GET", "/api/admin/graduation-queue"): Case(STAFF, fixed("/api/admin/graduation-queue")),
}


async def _new_proposal(w: World) -> tuple[str, Any]:
    n = next(w.counter)
    return "/api/proposals", {"title": f"Proposal {n}", "slug": f"proposal-{n}"}


async def _new_branch(w: World) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/branches", {"name": f"made-{next(w.counter)}"}


async def _branch_action(w: World, action: str) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/branches/{await w.branch(with_change=False)}/{action}", {}


async def _chat_history(w: World) -> tuple[str, Any]:
    return f"/api/chat?room=branch:rfcs/meta:rfc/{RFC}/{await w.branch()}", None


async def _thread_url(w: World) -> tuple[str, Any]:
    _, made = await w.clients["starter"].post(f"/api/rfcs/{RFC}/threads",
                                              {"title": "Thread", "body": "First"})
    return f"/api/threads/{made['thread']['id']}", None


async def _metadata(w: World) -> tuple[str, Any]:
    return f"/api/rfcs/{RFC}/metadata", {"title": f"Matrix RFC {next(w.counter)}"}


SOCKET_ROOMS: dict[str, frozenset[str]] = {
    "catalog": EVERYONE,
    f"rfc:{RFC}": EVERYONE,
    f"branch:rfcs/meta:rfc/{RFC}/x": EVERYONE,
    "admin": STAFF,
    "user:{own}": SIGNED_IN,
    "user:{other}": frozenset(),
    "sessions:{own}": frozenset(),
    "made-up-room": frozenset(),
}


@pytest.fixture
async def world(app, make_client) -> World:
    await seed_rfc(app, RFC)
    clients: dict[str, ApiClient] = {"anonymous": make_client()}
    for role, login in ACCOUNT_OF.items():
        user = await add_account(app, login)
        async with app.services.domain.store.write() as uow:
            if role == "admin":
                await uow.users.set_role(user.id, "admin")
            if role == "maintainer":
                await uow.maintainers.grant(RFC, user.id, None, "2026-12-01T00:00:00Z")
        client = make_client()
        await client.sign_in(login)
        clients[role] = client
    return World(app, clients, make_client)


async def _call(client: ApiClient, method: str, url: str, body: Any, *,
                csrf: bool = True) -> tuple[int, Any]:
    if method == "GET":
        response = await client.client.get(url)
        return response.status_code, None
    if not client.csrf:
        await client.refresh_csrf()
    headers = {"X-CSRF-Token": client.csrf} if csrf else {}
    call = client.client.put if method == "PUT" else client.client.post
    response = await call(url, json=body if body is not None else {}, headers=headers)
    return response.status_code, await response.get_json()


async def _client_for(world: World, role: str, case: Case) -> ApiClient:
    if not case.fresh_session:
        return world.clients[role]
    fresh = world.make_client()
    if role != "anonymous":
        await fresh.sign_in(ACCOUNT_OF[role])
    return fresh


async def test_every_route_answers_every_role_as_expected(app, world):
    routes = {(m, r.rule) for r in app.url_map.iter_rules()
              for m in r.methods if m not in ("HEAD", "OPTIONS")}
    assert sorted(routes - MATRIX.keys()) == [], "routes missing from the matrix"
    assert sorted(MATRIX.keys() - routes) == [], "matrix rows for routes that do not exist"
    failures: list[str] = []
    for (method, rule), case in sorted(MATRIX.items()):
        for role in ROLES:
            url, body = await case.make(world)
            client = await _client_for(world, role, case)
            status, answer = await _call(client, method, url, body)
            if role in case.allowed:
                # Exactly the answer of a call that worked: a 404 or 409 from a
                # broken set-up would otherwise hide a route nobody could use.
                if status not in case.answers:
                    failures.append(f"{role} {method} {rule}: {status} {answer}")
            else:
                expected = 401 if role == "anonymous" else 403
                if status != expected:
                    failures.append(f"{role} {method} {rule}: expected {expected}, "
                                    f"got {status} {answer}")
        if method != "GET":
            allowed = sorted(case.allowed - {"anonymous"}) or ["anonymous"]
            url, body = await case.make(world)
            client = await _client_for(world, allowed[0], case)
            status, answer = await _call(client, method, url, body, csrf=False)
            if status != 403 or answer["error"]["code"] != "csrf_failed":
                failures.append(f"no CSRF token, {method} {rule}: {status} {answer}")
    assert failures == []


SOCKET_EVENTS: dict[str, frozenset[str]] = {
    "chat.send": SIGNED_IN,
    "chat.seen": SIGNED_IN,
    "chat.typing": SIGNED_IN,
    "chat.edit": frozenset({"starter"}),
    "chat.delete": frozenset({"starter", "admin", "owner"}),
    "presence.state": EVERYONE,
}


async def test_every_socket_event_and_room_answers_every_role_as_expected(app, world):
    assert set(app.sio.handlers["/"]) == {"connect", "disconnect", "subscribe", "unsubscribe",
                                          *SOCKET_EVENTS}, "socket events missing here"
    ids: dict[str, int] = {}
    async with app.services.domain.store.read() as uow:
        for role, login in ACCOUNT_OF.items():
            ids[role] = (await uow.users.by_login(login)).id
    room = f"branch:rfcs/meta:rfc/{RFC}/{await world.branch()}"
    # This test sends far more than a person may in ten seconds; rate limits have their own.
    app.chat_limiter.limit = 1_000
    failures: list[str] = []
    async with running_server(app) as base:
        sockets: dict[str, socketio.AsyncClient] = {}
        for role in ROLES:
            jar = world.clients[role].client.cookie_jar
            cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
            sio = socketio.AsyncClient(reconnection=False)
            await sio.connect(base, headers={"Cookie": cookie} if cookie else {},
                              transports=["websocket"])
            sockets[role] = sio
            own = ids.get(role, 0)
            for pattern, allowed in SOCKET_ROOMS.items():
                name = pattern.format(own=own, other=ids["owner"] if role != "owner"
                                      else ids["admin"])
                ack = await sio.call("subscribe", {"room": name})
                if ack["ok"] != (role in allowed):
                    failures.append(f"{role} subscribe {name}: {ack}")
            left = await sio.call("unsubscribe", {"room": "catalog"})
            if left != {"ok": True, "room": "catalog"}:
                failures.append(f"{role} unsubscribe: {left}")
            await sio.call("subscribe", {"room": room})
        for event, allowed in SOCKET_EVENTS.items():
            for role in ROLES:
                sent = await sockets["starter"].call("chat.send", {"room": room, "body": "x"})
                payload = {"chat.send": {"room": room, "body": f"from {role}"},
                           "chat.seen": {"room": room, "last_id": sent["message"]["id"]},
                           "chat.typing": {"room": room},
                           "chat.edit": {"id": sent["message"]["id"], "body": "edited"},
                           "chat.delete": {"id": sent["message"]["id"]},
                           "presence.state": {"idle": True}}[event]
                ack = await sockets[role].call(event, payload)
                if ack["ok"] != (role in allowed):
                    failures.append(f"{role} {event}: {ack}")
                elif not ack["ok"] and ack["error"]["code"] not in ("not_signed_in",
                                                                    "forbidden"):
                    failures.append(f"{role} {event} refused for the wrong reason: {ack}")
        for sio in sockets.values():
            await sio.disconnect()
    assert failures == []


# Routes only a Gitea-backed app has: each is public by design and guarded otherwise
# (signed webhooks; OAuth's single-use state). Their behaviour is tested against a real
# Gitea in tests/gitea; this keeps a new Gitea-only route from slipping past the matrix.
GITEA_ONLY: dict[tuple[str, str], str] = {
    ("GET", "/signin"): "starts the OAuth round trip",
    ("GET", "/auth/gitea"): "starts the OAuth round trip",
    ("GET", "/auth/callback"): "OAuth's return, checked by its single-use state",
    ("POST", "/api/webhooks/gitea"): "Gitea's deliveries, checked by their HMAC signature",
}


def test_gitea_mode_adds_only_the_routes_known_here(tmp_path):
    gitea = create_app(make_settings(
        tmp_path, FORGE="gitea", GITEA_URL="http://127.0.0.1:9", GITEA_BOT_USER="rfc-bot",
        GITEA_ORG="rfcs", META_REPO="meta",
        GITEA_BOT_TOKEN="t", OAUTH_CLIENT_ID="i", OAUTH_CLIENT_SECRET="s",
        APP_URL="http://127.0.0.1:8000", OWNER_GITEA_LOGIN="olivia",
        GITEA_WEBHOOK_SECRET="w", DATABASE_PATH=str(tmp_path / "db.sqlite")))
    routes = {(m, r.rule) for r in gitea.url_map.iter_rules()
              for m in r.methods if m not in ("HEAD", "OPTIONS")}
    assert sorted(routes - MATRIX.keys()) == sorted(GITEA_ONLY), "a Gitea-only route is new"
    webhook = gitea.view_functions[next(r.endpoint for r in gitea.url_map.iter_rules()
                                        if r.rule == "/api/webhooks/gitea")]
    assert getattr(webhook, "csrf_exempt", False), "Gitea cannot send our CSRF token"

