"""Building the app's parts from settings, shared by the web app and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from server.clock import Clock, SystemClock
from server.db.engine import Database
from server.db.migrate import migrate
from server.db.store import SqlStore
from server.domain.context import Domain
from server.domain.ingest import Ingestor
from server.domain.live import LiveEvent
from server.domain.reconcile import Reconciler
from server.forge.embedded.forge import EmbeddedForge
from server.forge.gitea.forge import gitea_forge
from server.forge.port import EventHandler, Forge, Person, RepoRef
from server.settings import Settings

log = logging.getLogger(__name__)

Publish = Callable[[LiveEvent], Awaitable[None]]
# How forge events reach ingestion; tests put a lossy route here to play lost webhooks.
EventRoute = Callable[[EventHandler], EventHandler]


async def _drop(_event: LiveEvent) -> None:
    """Where live events go when nothing listens (the command line)."""


@dataclass
class Services:
    settings: Settings
    db: Database
    forge: Forge
    domain: Domain
    ingest: Ingestor
    reconciler: Reconciler

    async def close(self) -> None:
        # A forge with background work (Gitea's webhook events) finishes it first.
        close_forge = getattr(self.forge, "aclose", None)
        if close_forge is not None:
            await close_forge()
        await self.db.close()


def make_forge(settings: Settings, db: Database, clock: Clock) -> Forge:
    bot = Person(login=settings.bot_login, name=settings.bot_login,
                 email=f"{settings.bot_login}@users.rfc-app.invalid")
    if settings.FORGE == "embedded":
        return EmbeddedForge(settings.git_root, db, clock, bot)
    if settings.FORGE == "gitea":
        return gitea_forge(settings.GITEA_URL, settings.GITEA_BOT_TOKEN, bot)
    raise RuntimeError(f"FORGE={settings.FORGE} is not available in this build yet")


async def open_services(settings: Settings, *, clock: Clock | None = None,
                        publish: Publish = _drop,
                        route_events: EventRoute | None = None) -> Services:
    clock = clock or SystemClock()
    db = Database.open_sqlite(settings.database_path)
    try:
        await migrate(db)
        forge = make_forge(settings, db, clock)
        store = SqlStore(db, publish)
        domain = Domain(store=store, forge=forge, clock=clock,
                        meta_repo=RepoRef(*settings.meta_repo), owner_login=settings.owner_login)
        ingest = Ingestor(domain)
        forge.on_event(route_events(ingest.handle) if route_events else ingest.handle)
        await forge.ensure_repo(domain.meta_repo,
                                description="The catalog of RFCs and the proposals for new ones")
    except BaseException:
        await db.close()
        raise
    return Services(settings=settings, db=db, forge=forge, domain=domain, ingest=ingest,
                    reconciler=Reconciler(domain, ingest))


async def catch_up(services: Services) -> None:
    """Fill the cache from the forge: what a fresh database pointed at old repos needs.

    The app does this through its tick loop (the reconciler's first sweep); this is
    the same sweep for code that runs without one.
    """
    await services.reconciler.sweep()
