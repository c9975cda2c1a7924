"""The API of editing super-drafts: branches, saves, body-edit and metadata pull requests.

Every route that takes a branch takes it as a path (``<path:branch>``), so names
with slashes work; the branch in the URL is the part a person named, after the
RFC's ``rfc/<slug>/`` prefix.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, current_app
from quart_schema import validate_request

from server.clock import iso
from server.domain import branches, pulls
from server.domain.diffs import Hunk
from server.services import Services
from server.web.rendering import render
from server.web.schemas import (
    CloseIn,
    MergeIn,
    MetadataChangeIn,
    OpenPullIn,
    RenderIn,
    SaveBodyIn,
    StartBranchIn,
)
from server.web.session import current_user

blueprint = Blueprint("editing", __name__, url_prefix="/api")


def services() -> Services:
    return current_app.services  # type: ignore[attr-defined,no-any-return]


def _hunks(hunks: list[Hunk]) -> list[dict[str, Any]]:
    return [h.to_json() for h in hunks]


async def _changes(hunks: list[Hunk], before: str, after: str) -> dict[str, Any]:
    """A change shown both ways: the source diff, and the text rendered before and after."""
    return {"diff": _hunks(hunks),
            "rendered": {"before_html": await render(before), "after_html": await render(after)}}


@blueprint.post("/render")
@validate_request(RenderIn)
async def preview(data: RenderIn) -> dict[str, Any]:
    return {"html": await render(data.markdown)}


@blueprint.post("/rfcs/<slug>/branches")
@validate_request(StartBranchIn)
async def start_branch(slug: str, data: StartBranchIn) -> tuple[dict[str, Any], int]:
    s = services()
    view = await branches.start_editing(s.domain, s.ingest, await current_user(), slug,
                                        data.name)
    return {"branch": view.to_json()}, 201


@blueprint.get("/rfcs/<slug>/branches/<path:branch>")
async def get_branch(slug: str, branch: str) -> dict[str, Any]:
    detail = await branches.get_branch(services().domain, await current_user(), slug, branch)
    return {
        "branch": detail.branch.to_json(), "rfc": detail.rfc.to_json(),
        "markdown": detail.markdown, "base_branch": detail.base_branch,
        **await _changes(detail.hunks, detail.base_markdown, detail.markdown),
        "pull": detail.pull.to_json() if detail.pull else None,
        "can_write": detail.can_write,
        "can_pin": detail.can_pin,
    }


@blueprint.put("/rfcs/<slug>/branches/<path:branch>/body")
@validate_request(SaveBodyIn)
async def save_body(slug: str, branch: str, data: SaveBodyIn) -> dict[str, Any]:
    s = services()
    view = await branches.save_body(s.domain, s.ingest, await current_user(), slug, branch,
                                    markdown=data.markdown, base_sha=data.base_sha,
                                    message=data.message)
    return {"branch": view.to_json()}


@blueprint.post("/rfcs/<slug>/branches/<path:branch>/pulls")
@validate_request(OpenPullIn)
async def open_pull(slug: str, branch: str, data: OpenPullIn) -> tuple[dict[str, Any], int]:
    s = services()
    view = await pulls.open_body_pull(s.domain, s.ingest, await current_user(), slug, branch,
                                      title=data.title, description=data.description)
    return {"pull": view.to_json()}, 201


@blueprint.post("/rfcs/<slug>/metadata")
@validate_request(MetadataChangeIn)
async def change_metadata(slug: str, data: MetadataChangeIn) -> tuple[dict[str, Any], int]:
    s = services()
    view = await pulls.propose_metadata_change(
        s.domain, s.ingest, await current_user(), slug, title=data.title, pitch=data.pitch,
        state=data.state, authors=data.authors, new_slug=data.slug,
        description=data.description)
    return {"pull": view.to_json()}, 201


@blueprint.get("/rfcs/<slug>/pulls/<int:number>")
async def get_pull(slug: str, number: int) -> dict[str, Any]:
    detail = await pulls.get_pull_detail(services().domain, await current_user(), slug, number)
    return {
        "pull": detail.pull.to_json(),
        "description_html": await render(detail.pull.body),
        **await _changes(detail.hunks, detail.before_markdown, detail.after_markdown),
        "commits": [{"sha": c.sha, "message": c.message, "author": c.author_name,
                     "at": iso(c.authored_at)} for c in detail.commits],
        "can_decide": detail.can_decide,
    }


@blueprint.post("/rfcs/<slug>/pulls/<int:number>/merge")
@validate_request(MergeIn)
async def merge_pull(slug: str, number: int, data: MergeIn) -> dict[str, Any]:
    s = services()
    view = await pulls.merge_pull(s.domain, s.ingest, await current_user(), slug, number,
                                  expected_head=data.head_sha)
    return {"pull": view.to_json()}


@blueprint.post("/rfcs/<slug>/pulls/<int:number>/close")
@validate_request(CloseIn)
async def close_pull(slug: str, number: int, data: CloseIn) -> dict[str, Any]:
    s = services()
    view = await pulls.close_pull(s.domain, s.ingest, await current_user(), slug, number,
                                  reason=data.reason)
    return {"pull": view.to_json()}
