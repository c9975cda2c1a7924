"""The JSON API the browser client uses. Handlers parse, call one domain operation, answer."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app
from quart_schema import validate_request

from server.clock import iso
from server.domain import catalog, proposals
from server.domain.permissions import may_decide_proposal
from server.services import Services
from server.web.rendering import render
from server.web.schemas import CloseIn, MergeIn, ProposalIn
from server.web.session import csrf_token, current_user, session_notice

blueprint = Blueprint("api", __name__, url_prefix="/api")


def services() -> Services:
    return current_app.services  # type: ignore[attr-defined,no-any-return]


@blueprint.get("/me")
async def me() -> dict[str, Any]:
    user = await current_user()
    body: dict[str, Any] = {"user": user.to_json() if user else None,
                            "csrf_token": csrf_token(),
                            "sign_in": "gitea" if services().settings.FORGE == "gitea"
                            else "password"}
    notice = await session_notice()
    if notice:
        body["notice"] = notice
    return body


@blueprint.get("/catalog")
async def get_catalog() -> dict[str, Any]:
    rfcs, pending = await catalog.get_catalog(services().domain)
    return {"rfcs": [r.to_json() for r in rfcs], "pending": [p.to_json() for p in pending]}


@blueprint.get("/rfcs/<slug>")
async def get_rfc(slug: str) -> dict[str, Any]:
    detail = await catalog.get_rfc(services().domain, slug, await current_user())
    return {
        "rfc": detail.rfc.to_json(), "body_html": await render(detail.body),
        "branches": [b.to_json() for b in detail.branches],
        "pulls": [p.to_json() for p in detail.pulls],
        "history": [{"sha": c.sha, "message": c.message.split("\n", 1)[0],
                     "author": c.author_name, "at": iso(c.authored_at)}
                    for c in detail.history],
        "maintainers": detail.maintainers,
        "created_at": detail.created_at,
        "can_start_branch": detail.can_start_branch,
        "can_merge": detail.can_merge,
        "can_pin": detail.can_pin,
    }


@blueprint.post("/proposals")
@validate_request(ProposalIn)
async def propose(data: ProposalIn) -> tuple[dict[str, Any], int]:
    s = services()
    proposal = await proposals.propose_rfc(s.domain, s.ingest, await current_user(),
                                           title=data.title, slug=data.slug, pitch=data.pitch)
    return {"proposal": proposal.to_json()}, 201


@blueprint.get("/proposals/<int:number>")
async def get_proposal(number: int) -> dict[str, Any]:
    d = services().domain
    proposal = await proposals.get_proposal(d, number)
    text = await proposals.proposal_text(d, proposal)
    return {"proposal": proposal.to_json(), "body_html": await render(text),
            "can_decide": may_decide_proposal(await current_user())}


@blueprint.post("/proposals/<int:number>/merge")
@validate_request(MergeIn)
async def merge(number: int, data: MergeIn) -> dict[str, Any]:
    s = services()
    proposal, rfc = await proposals.merge_proposal(s.domain, s.ingest, await current_user(),
                                                   number, expected_head=data.head_sha)
    return {"proposal": proposal.to_json(), "rfc": rfc.to_json()}


@blueprint.post("/proposals/<int:number>/close")
@validate_request(CloseIn)
async def close(number: int, data: CloseIn) -> dict[str, Any]:
    s = services()
    proposal = await proposals.close_proposal(s.domain, s.ingest, await current_user(),
                                              number, reason=data.reason)
    return {"proposal": proposal.to_json()}
