"""The application factory: one ASGI app holding the web app and the socket server."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import socketio
from quart import Quart, Response
from quart_schema import QuartSchema

from realtime.broadcast import Broadcaster
from realtime.presence import Presence
from realtime.server import create_socket_server
from server.clock import Clock, SystemClock
from server.db.leases import Leases
from server.domain.limits import SlidingWindow
from server.domain.live import LiveEvent
from server.services import Services, open_services
from server.settings import Settings
from server.ticks.jobs import default_jobs
from server.ticks.scheduler import Job, TickConfig, TickLoop
from server.web import (
    admin,
    api,
    auth,
    branches_admin,
    chat,
    editing,
    health,
    oauth,
    spa,
    webhooks,
)
from server.web.errors import install_error_handlers
from server.web.params import check_json_body, install_converters
from server.web.session import check_csrf, user_for_session

log = logging.getLogger("server")

SESSION_LIFETIME = timedelta(days=30)
CHAT_BURST, CHAT_WINDOW = 20, timedelta(seconds=10)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


class RfcApp(Quart):
    """The Quart app with the app's parts on it (no module-level state anywhere)."""

    settings: Settings
    clock: Clock
    sio: socketio.AsyncServer
    broadcaster: Broadcaster
    chat_limiter: SlidingWindow
    services: Services
    ticks: TickLoop
    _asgi: socketio.ASGIApp

    @property
    def asgi(self) -> socketio.ASGIApp:
        """What the HTTP server runs: Socket.IO in front, everything else to Quart."""
        return self._asgi

    async def publish(self, event: LiveEvent) -> None:
        await self.broadcaster.publish(event)


def create_app(settings: Settings, *, clock: Clock | None = None,
               jobs: Callable[[Services], Sequence[Job]] = default_jobs,
               ticks: TickConfig | None = None) -> RfcApp:
    """The app. ``jobs`` and ``ticks`` shape the tick loop (tests pass their own)."""
    app = RfcApp(__name__, static_folder=None)
    app.settings = settings
    app.clock = clock or SystemClock()
    app.config.update(
        SECRET_KEY=settings.SECRET_KEY,
        SESSION_COOKIE_NAME="rfc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookies_secure,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    QuartSchema(app, openapi_path="/api/openapi.json", redoc_ui_path=None,
                scalar_ui_path=None, swagger_ui_path=None,
                info={"title": "RFC app API", "version": "1"})
    install_converters(app)
    install_error_handlers(app)
    if settings.FORGE == "gitea":
        # Sign-in through Gitea's OAuth, and Gitea's webhooks; before the SPA's catch-all.
        app.register_blueprint(oauth.blueprint)
        app.register_blueprint(webhooks.blueprint)
    for blueprint in (health.blueprint, auth.blueprint, api.blueprint, editing.blueprint,
                      admin.blueprint, branches_admin.blueprint, chat.blueprint,
                      spa.blueprint):
        app.register_blueprint(blueprint)

    @app.before_request
    async def _guard() -> None:
        check_csrf()
        await check_json_body()

    @app.after_request
    async def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "application/json":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.chat_limiter = SlidingWindow(app.clock, limit=CHAT_BURST, window=CHAT_WINDOW,
                                     what="messages")
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None, "SECRET_KEY is set above"

    def load_session(cookie: str) -> Any:
        return serializer.loads(cookie, max_age=int(SESSION_LIFETIME.total_seconds()))

    async def load_user(data: dict[str, Any]) -> Any:
        return await user_for_session(app.services.domain, data)

    app.sio = create_socket_server(cookie_name=app.config["SESSION_COOKIE_NAME"],
                                   load_session=load_session, load_user=load_user,
                                   domain=lambda: app.services.domain,
                                   clock_limiter=app.chat_limiter, presence=Presence(),
                                   allowed_origins=[settings.APP_URL.rstrip("/")]
                                   if settings.APP_URL else None)
    app.broadcaster = Broadcaster(app.sio)
    app._asgi = socketio.ASGIApp(app.sio, other_asgi_app=app)

    @app.before_serving
    async def _start() -> None:
        app.broadcaster.start()
        app.services = await open_services(settings, clock=app.clock, publish=app.publish)
        app.ticks = TickLoop(jobs(app.services), leases=Leases(app.services.db),
                             clock=app.clock, config=ticks)
        try:
            # As leader, the reconciler's first sweep fills the cache before "started".
            await app.ticks.start()
        except BaseException:
            await app.services.close()
            raise
        log.info("RFC app started — meta repo %s", app.services.domain.meta_repo.full_name)

    @app.after_serving
    async def _stop() -> None:
        await app.ticks.stop()
        await app.broadcaster.stop()
        await app.services.close()
        log.info("RFC app stopped")

    return app
