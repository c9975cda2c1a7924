"""The webhook the app needs on Gitea, registered or corrected idempotently.

Gitea never shows a hook's secret again and cannot change it in place (``PATCH`` takes
only the URL and content type from ``config``). So the hook's name carries a short
fingerprint of the secret (an HMAC of a fixed label, which reveals nothing usable about
the secret): a hook whose fingerprint differs was made with another secret and is
replaced; one that matches is only patched when its events or flags drifted.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

from server.forge.gitea.client import ApiError, GiteaClient
from server.forge.gitea.names import segment
from server.forge.gitea.webhooks import HOOK_EVENTS, HOOK_EVENTS_LISTED

Action = Literal["created", "updated", "replaced", "unchanged"]
Level = Literal["organization", "repository"]


@dataclass(frozen=True)
class HookReport:
    level: Level
    action: Action
    hook_id: int
    removed_duplicates: int = 0


def hook_name(secret: str) -> str:
    fingerprint = hmac.new(secret.encode("utf-8"), b"rfc-app webhook secret fingerprint",
                           hashlib.sha256).hexdigest()[:12]
    return f"rfc-app {fingerprint}"


def _wanted(url: str, secret: str) -> dict[str, Any]:
    return {"type": "gitea", "active": True, "branch_filter": "*", "name": hook_name(secret),
            "events": list(HOOK_EVENTS),
            "config": {"url": url, "content_type": "json", "secret": secret}}


def _drifted(hook: dict[str, Any]) -> bool:
    config = hook.get("config") or {}
    return (set(hook.get("events") or ()) != HOOK_EVENTS_LISTED or not hook.get("active")
            or config.get("content_type") != "json"
            or (hook.get("branch_filter") or "*") != "*")


async def ensure_webhook(client: GiteaClient, *, org: str, repo: str, url: str,
                         secret: str) -> HookReport:
    """The organization's hook to ``url`` (the meta repository's if the org refuses)."""
    try:
        return await _ensure(client, f"/orgs/{segment(org)}/hooks", "organization", url,
                             secret)
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
    return await _ensure(client, f"/repos/{segment(org)}/{segment(repo)}/hooks", "repository",
                         url, secret)


async def _ensure(client: GiteaClient, base: str, level: Level, url: str,
                  secret: str) -> HookReport:
    hooks = await client.paginate(base)
    mine = [h for h in hooks if (h.get("config") or {}).get("url") == url]
    wanted = _wanted(url, secret)
    if not mine:
        created = (await client.request("POST", base, json=wanted, expect=(201,))).json()
        return HookReport(level, "created", int(created["id"]))
    hook, duplicates = mine[0], mine[1:]
    for extra in duplicates:
        await client.request("DELETE", f"{base}/{extra['id']}", expect=(204,))
    name = hook.get("name")
    if name is not None and name != wanted["name"]:
        # Made with another secret (or by hand): only a new hook can carry the secret.
        await client.request("DELETE", f"{base}/{hook['id']}", expect=(204,))
        created = (await client.request("POST", base, json=wanted, expect=(201,))).json()
        return HookReport(level, "replaced", int(created["id"]), len(duplicates))
    if _drifted(hook):
        await client.request("PATCH", f"{base}/{hook['id']}", expect=(200,), json={
            "config": {"url": url, "content_type": "json"}, "events": list(HOOK_EVENTS),
            "active": True, "branch_filter": "*"})
        return HookReport(level, "updated", int(hook["id"]), len(duplicates))
    return HookReport(level, "unchanged", int(hook["id"]), len(duplicates))
