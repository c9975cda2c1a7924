"""The app's periodic jobs, by name. Notification jobs (digests, the email outbox) join here."""

from __future__ import annotations

from server.domain.hygiene import sweep_hygiene
from server.services import Services
from server.ticks.scheduler import Job


def default_jobs(services: Services) -> list[Job]:
    s = services.settings

    async def reconcile() -> object:
        return await services.reconciler.sweep()

    async def hygiene() -> object:
        return await sweep_hygiene(services.domain, services.ingest)

    return [Job("reconcile", s.RECONCILE_TICK_SECONDS, reconcile),
            Job("hygiene", s.HYGIENE_TICK_SECONDS, hygiene)]
