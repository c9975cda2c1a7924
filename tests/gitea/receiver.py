"""Where Gitea delivers its webhooks during the forge contract tests.

A small ASGI app on a loopback port that does what the app's endpoint does with the same
functions (check the signature over the exact bytes, normalize, hand the events to the
forge), without the rest of the app: the contract suite tests the forge alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import uvicorn

from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.webhooks import Signature, check_signature, delivery_id, event_name
from tests.gitea.harness import free_port


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.forge: GiteaForge | None = None
        # (event, action or ref, repository) of every verified delivery, in arrival order.
        self.deliveries: list[tuple[str, str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any],
                       send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = httpx.Headers([(k.decode("latin-1"), v.decode("latin-1"))
                                 for k, v in scope["headers"]])
        verdict = check_signature(body, headers, self.secret)
        if verdict is not Signature.VALID:
            await self._answer(send, 401 if verdict is Signature.MISSING else 403)
            return
        payload = json.loads(body)
        event = event_name(headers)
        self.deliveries.append((event, str(payload.get("action") or payload.get("ref") or ""),
                                str((payload.get("repository") or {}).get("full_name", ""))))
        if self.forge is not None:
            self.forge.receive_webhook(event, delivery_id(headers), payload)
        await self._answer(send, 200)

    @staticmethod
    async def _answer(send: Callable[..., Any], status: int) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok" if status == 200 else b"no"})

    async def wait_for(self, done: Callable[[list[tuple[str, str, str]]], bool], *,
                       timeout: float = 20) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done(self.deliveries):
            if loop.time() > deadline:
                raise AssertionError(f"webhooks did not arrive; got {self.deliveries[-10:]}")
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Serve an ASGI app on a free loopback port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
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
