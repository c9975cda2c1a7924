"""Gitea's REST API over httpx: the bot's token, retries, pagination and error mapping.

Errors, drawn once::

    ForgeError
    ├── ApiError                 Gitea answered with a status the caller did not expect
    │   └── ApiNotFound          … 404 (also a ForgeNotFound)
    └── ForgeUnavailable
        ├── ApiUnavailable       timeouts, refused connections, 5xx, a refused bot token
        └── ResponseLost         a write was sent but its answer never came: it may have
                                 happened, so the caller must look before trying again

Only idempotent calls are retried (GET and HEAD, and writes a caller marks idempotent),
with exponential backoff, on timeouts, transport errors and 5xx.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from server.forge.port import ForgeError, ForgeNotFound, ForgeUnavailable

log = logging.getLogger(__name__)

PAGE_LIMIT = 50  # Gitea caps list pages at [api] MAX_RESPONSE_ITEMS, 50 by default
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiError(ForgeError):
    def __init__(self, method: str, path: str, status: int, message: str) -> None:
        super().__init__(f"Gitea answered {method} {path} with {status}: {message}")
        self.method = method
        self.path = path
        self.status = status
        self.message = message


class ApiNotFound(ApiError, ForgeNotFound):
    pass


class ApiUnavailable(ForgeUnavailable):
    pass


class ResponseLost(ForgeUnavailable):
    """A non-idempotent request may or may not have taken effect."""


def error_message(response: httpx.Response) -> str:
    """Gitea's ``message`` (or the whole short body) of an error response."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if isinstance(body, dict):
        parts = [str(body.get("message") or "")]
        errors = body.get("errors")
        if isinstance(errors, list):
            parts += [str(e) for e in errors if e]
        text = "; ".join(p for p in parts if p)
        return text or str(body)[:500]
    return str(body)[:500]


def next_page(response: httpx.Response, page: int, limit: int, got: int,
              seen: int) -> int | None:
    """The page to ask for after ``page`` (None at the end).

    ``got`` items came in this page and ``seen`` so far in all. The ``Link`` header's
    ``rel="next"`` wins; without one, ``X-Total-Count`` decides; without either, a short
    page is the last.
    """
    if got == 0:
        return None
    links = response.headers.get("link")
    if links:
        for part in links.split(","):
            if 'rel="next"' in part:
                target = part.split(";", 1)[0].strip().strip("<>")
                numbers = parse_qs(urlsplit(target).query).get("page")
                return int(numbers[0]) if numbers else page + 1
        return None
    total = response.headers.get("x-total-count")
    if total is not None and total.isdigit():
        return page + 1 if seen < int(total) else None
    return page + 1 if got >= limit else None


class GiteaClient:
    """One bot's session with one Gitea. ``base_url`` is Gitea's root (without /api/v1)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 15.0, retries: int = 3,
                 backoff: float = 0.25, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 page_limit: int = PAGE_LIMIT) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.page_limit = page_limit
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/api/v1", timeout=timeout, transport=transport,
            headers={"Authorization": f"token {token}", "Accept": "application/json",
                     "User-Agent": "rfc-app"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
                      json: Any = None, expect: Sequence[int] = (200, 201, 204),
                      idempotent: bool | None = None,
                      read_timeout: float | None = None) -> httpx.Response:
        """Send one call; return the response if its status is in ``expect``.

        ``expect`` may include error statuses the caller wants to see itself.
        """
        retryable = method.upper() in _SAFE_METHODS if idempotent is None else idempotent
        attempts = 1 + (self.retries if retryable else 0)
        extra: dict[str, Any] = {} if read_timeout is None else {"timeout": read_timeout}
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = await self._http.request(method, path, params=params, json=json,
                                                    **extra)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if not retryable and sent:
                    raise ResponseLost(f"no answer from Gitea to {method} {path}: "
                                       f"{type(exc).__name__}") from exc
                if last:
                    raise ApiUnavailable(f"Gitea did not answer {method} {path}: "
                                         f"{type(exc).__name__}: {exc}") from exc
                await self._pause(attempt, method, path, type(exc).__name__)
                continue
            status = response.status_code
            if status in expect:
                return response
            if status in _RETRY_STATUSES:
                if retryable and not last:
                    await self._pause(attempt, method, path, str(status))
                    continue
                if not retryable:
                    # A 5xx on a write says nothing about whether the write happened.
                    raise ResponseLost(f"Gitea failed {method} {path} with {status}: "
                                       f"{error_message(response)}")
                raise ApiUnavailable(f"Gitea failed {method} {path} with {status}: "
                                     f"{error_message(response)}")
            if status == 401:
                raise ApiUnavailable(f"Gitea refused the bot's token (401) on {method} {path}; "
                                     "check GITEA_BOT_TOKEN")
            message = error_message(response)
            if status == 404:
                raise ApiNotFound(method, path, status, message)
            raise ApiError(method, path, status, message)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _pause(self, attempt: int, method: str, path: str, why: str) -> None:
        delay = self.backoff * (2 ** attempt) * (1 + random.random() / 2)
        log.info("gitea: %s %s failed (%s); retrying in %.2f s", method, path, why, delay)
        await self._sleep(delay)

    async def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return (await self.request("GET", path, params=params)).json()

    async def paginate(self, path: str, params: Mapping[str, Any] | None = None, *,
                       limit: int | None = None, max_items: int | None = None) -> list[Any]:
        """Every item of a list endpoint, following its pages to the end (or ``max_items``)."""
        limit = limit or self.page_limit
        items: list[Any] = []
        page: int | None = 1
        while page is not None:
            response = await self.request("GET", path,
                                          params={**(params or {}), "page": page, "limit": limit})
            batch = response.json()
            if not isinstance(batch, list):
                raise ApiError("GET", path, response.status_code, "expected a list")
            items.extend(batch)
            if max_items is not None and len(items) >= max_items:
                return items[:max_items]
            following = next_page(response, page, limit, len(batch), len(items))
            if following is not None and following <= page:
                break  # a confused Link header must not loop forever
            page = following
        return items
