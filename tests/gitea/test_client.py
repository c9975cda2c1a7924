"""Unit tests of the Gitea client: names encoded once, pages followed to the end, retries
only where a retry cannot repeat a write.

Gitea itself is replaced here by ``httpx.MockTransport`` (a fake at the network edge);
the same behaviour is exercised against a real Gitea in ``test_forge_contract.py`` and
``test_gitea_forge.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from server.forge.gitea.client import (
    ApiNotFound,
    ApiUnavailable,
    GiteaClient,
    ResponseLost,
    next_page,
)
from server.forge.gitea.names import branch_name_problem, segment, wildcard
from server.forge.port import ForgeNotFound, ForgeUnavailable


async def no_sleep(_seconds: float) -> None:
    return None


def client_for(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> GiteaClient:
    return GiteaClient("http://gitea.test/", "t0ken", transport=httpx.MockTransport(handler),
                       sleep=no_sleep, **options)


# ---- encoding ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "encoded"), [
    ("rfc/é-draft+v1.2", "rfc/%C3%A9-draft%2Bv1.2"),
    ("issue#42/100%", "issue%2342/100%25"),
    ("what?/a b", "what%3F/a%20b"),
    ("日本語/ブランチ", "%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%96%E3%83%A9%E3%83%B3%E3%83%81"),
    ("deep/ly/nested", "deep/ly/nested"),
    ("already%2Fencoded", "already%252Fencoded"),
])
def test_wildcard_routes_keep_slashes_and_encode_the_rest_once(name: str, encoded: str) -> None:
    assert wildcard(name) == encoded


def test_a_segment_encodes_slashes_too() -> None:
    assert segment("a/b c") == "a%2Fb%20c"


async def test_the_path_sent_is_encoded_exactly_once() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200, json={})

    client = client_for(handler)
    name = "rfc/100% #1 +é?"
    await client.get_json(f"/repos/acme/rfcs/branches/{wildcard(name)}", {"ref": "a+b c#d"})
    assert seen == [b"/api/v1/repos/acme/rfcs/branches/rfc/100%25%20%231%20%2B%C3%A9%3F"
                    b"?ref=a%2Bb+c%23d"]
    await client.aclose()


def test_branch_names_are_checked_like_git_before_gitea_sees_them() -> None:
    assert branch_name_problem("rfc/é-draft+v1.2") is None
    assert branch_name_problem("issue#42") is None
    assert branch_name_problem("a..b") == "it contains '..'"
    assert branch_name_problem("x" * 101) == "it is longer than 100 characters"
    assert "app's own" in (branch_name_problem("rfc-app-scratch/x") or "")


# ---- pagination -------------------------------------------------------------

def test_next_page_prefers_the_link_header() -> None:
    link = ('<http://g/api/v1/x?limit=2&page=3>; rel="next", '
            '<http://g/api/v1/x?limit=2&page=9>; rel="last"')
    response = httpx.Response(200, headers={"Link": link, "X-Total-Count": "2"})
    assert next_page(response, 2, 2, 2, 4) == 3
    last = httpx.Response(200, headers={"Link": '<http://g/x?page=1>; rel="first"'})
    assert next_page(last, 9, 2, 2, 18) is None


def test_next_page_without_a_link_uses_the_total_then_a_short_page() -> None:
    assert next_page(httpx.Response(200, headers={"X-Total-Count": "5"}), 1, 2, 2, 2) == 2
    assert next_page(httpx.Response(200, headers={"X-Total-Count": "4"}), 2, 2, 2, 4) is None
    assert next_page(httpx.Response(200), 1, 50, 50, 50) == 2
    assert next_page(httpx.Response(200), 2, 50, 7, 57) is None
    assert next_page(httpx.Response(200), 3, 50, 0, 100) is None


def paged(total: int, *, capped_at: int = 50, link: bool = True
          ) -> Callable[[httpx.Request], httpx.Response]:
    """A list endpoint of ``total`` items that silently caps pages like Gitea does."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = min(int(request.url.params["limit"]), capped_at)
        items = [{"n": n} for n in range((page - 1) * limit, min(page * limit, total))]
        headers = {"X-Total-Count": str(total)}
        if link and page * limit < total:
            following = f"http://gitea.test/api/v1/x?page={page + 1}&limit={limit}"
            headers["Link"] = f'<{following}>; rel="next"'
        return httpx.Response(200, json=items, headers=headers)

    return handler


@pytest.mark.parametrize("link", [True, False])
async def test_paginate_follows_every_page_even_when_gitea_caps_the_size(link: bool) -> None:
    client = client_for(paged(123, capped_at=30, link=link))
    items = await client.paginate("/x")
    assert [i["n"] for i in items] == list(range(123))
    await client.aclose()


async def test_paginate_stops_at_max_items() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return paged(500)(request)

    client = client_for(handler)
    assert len(await client.paginate("/x", limit=50, max_items=60)) == 60
    assert len(requests) == 2
    await client.aclose()


# ---- retries and errors -----------------------------------------------------

async def test_reads_are_retried_on_5xx_and_timeouts() -> None:
    answers: list[Any] = [httpx.Response(502), httpx.ReadTimeout("slow"),
                          httpx.Response(200, json={"ok": 1})]
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = client_for(handler)
    assert await client.get_json("/user") == {"ok": 1}
    assert calls == ["GET", "GET", "GET"]
    await client.aclose()


async def test_reads_give_up_after_the_retries_as_unavailable() -> None:
    client = client_for(lambda request: httpx.Response(503), retries=2)
    with pytest.raises(ApiUnavailable):
        await client.get_json("/user")
    await client.aclose()


@pytest.mark.parametrize("failure", [httpx.Response(500), httpx.ReadTimeout("lost")])
async def test_writes_are_never_retried_and_a_lost_answer_says_so(failure: Any) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if isinstance(failure, Exception):
            raise failure
        return failure

    client = client_for(handler)
    with pytest.raises(ResponseLost) as caught:
        await client.request("POST", "/repos/a/b/pulls/1/merge", json={})
    assert isinstance(caught.value, ForgeUnavailable)
    assert calls == ["POST"]
    await client.aclose()


async def test_a_write_that_never_connected_is_unavailable_not_lost() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = client_for(handler)
    with pytest.raises(ApiUnavailable):
        await client.request("POST", "/x", json={})
    await client.aclose()


async def test_writes_marked_idempotent_are_retried() -> None:
    answers = [httpx.Response(503), httpx.Response(201, json={"number": 1})]
    client = client_for(lambda request: answers.pop(0))
    response = await client.request("PATCH", "/x", json={}, idempotent=True)
    assert response.status_code == 201
    await client.aclose()


async def test_errors_carry_gitea_s_message_and_404_is_not_found() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "not found", "errors": ["branch x"]})

    client = client_for(handler)
    with pytest.raises(ApiNotFound) as caught:
        await client.get_json("/repos/a/b/branches/x")
    assert isinstance(caught.value, ForgeNotFound)
    assert caught.value.message == "not found; branch x"
    await client.aclose()


async def test_a_refused_token_makes_the_forge_unavailable() -> None:
    client = client_for(lambda request: httpx.Response(401, json={"message": "bad token"}))
    with pytest.raises(ApiUnavailable, match="GITEA_BOT_TOKEN"):
        await client.get_json("/user")
    await client.aclose()


async def test_the_token_goes_in_the_header() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, content=json.dumps([]).encode())

    client = client_for(handler)
    await client.get_json("/user")
    assert seen == ["token t0ken"]
    await client.aclose()
