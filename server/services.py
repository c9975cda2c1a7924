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
from server.forge.embedded.forge import EmbeddedForge
from server.forge.port import Forge, Person, RepoRef
from server.settings import Settings

log = logging.getLogger(__name__)

Publish = Callable[[LiveEvent], Awaitable[None]]


async def _drop(_event: LiveEvent) -> None:
    """Where live events go when nothing listens (the command line)."""


@dataclass
class Services:
    settings: Settings
    db: Database
    forge: Forge
    domain: Domain
    ingest: Ingestor

    async def close(self) -> None:
        await self.db.close()


def make_forge(settings: Settings, db: Database, clock: Clock) -> Forge:
    bot = Person(login=settings.BOT_LOGIN, name=settings.BOT_LOGIN,
                 email=f"{settings.BOT_LOGIN}@users.rfc-app.invalid")
    if settings.FORGE == "embedded":
        return EmbeddedForge(settings.git_root, db, clock, bot)
    raise RuntimeError(f"FORGE={settings.FORGE} is not available in this build yet")


async def open_services(settings: Settings, *, clock: Clock | None = None,
                        publish: Publish = _drop) -> Services:
    clock = clock or SystemClock()
    db = Database.open_sqlite(settings.database_path)
    try:
        await migrate(db)
        forge = make_forge(settings, db, clock)
        store = SqlStore(db, publish)
        domain = Domain(store=store, forge=forge, clock=clock,
                        meta_repo=RepoRef(*settings.meta_repo), owner_login=settings.OWNER_LOGIN)
        ingest = Ingestor(domain)
        forge.on_event(ingest.handle)
        await forge.ensure_repo(domain.meta_repo,
                                description="The catalog of RFCs and the proposals for new ones")
    except BaseException:
        await db.close()
        raise
    return Services(settings=settings, db=db, forge=forge, domain=domain, ingest=ingest)


async def catch_up(services: Services) -> None:
    """Fill the cache from the forge: what a fresh database pointed at old repos needs."""
    d = services.domain
    await services.ingest.sync_rfcs(None)
    for pull in await d.forge.list_pull_requests(d.meta_repo, "all"):
        await services.ingest.sync_pull(pull)
