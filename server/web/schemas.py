"""Request bodies the API accepts; unknown fields are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class LoginIn(Strict):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class ProposalIn(Strict):
    title: str = Field(max_length=1000)
    slug: str = Field(max_length=200)
    pitch: str = Field(default="", max_length=5000)


class MergeIn(Strict):
    head_sha: str | None = Field(default=None, max_length=64)


class CloseIn(Strict):
    reason: str = Field(max_length=5000)


class RenderIn(Strict):
    markdown: str = Field(max_length=200_000)


class StartBranchIn(Strict):
    name: str = Field(max_length=1000)


class SaveBodyIn(Strict):
    markdown: str = Field(max_length=200_000)
    base_sha: str = Field(min_length=4, max_length=64)
    message: str = Field(default="", max_length=5000)


class OpenPullIn(Strict):
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=20_000)


class MetadataChangeIn(Strict):
    title: str | None = Field(default=None, max_length=1000)
    pitch: str | None = Field(default=None, max_length=5000)
    state: str | None = Field(default=None, max_length=100)
    authors: list[str] | None = Field(default=None, max_length=100)
    slug: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=20_000)


class RoleIn(Strict):
    role: str = Field(max_length=50)
    reason: str = Field(default="", max_length=5000)


class ReasonIn(Strict):
    reason: str = Field(default="", max_length=5000)


class EmailSuppressionIn(Strict):
    suppressed: bool
    reason: str = Field(default="", max_length=5000)


class MaintainerIn(Strict):
    slug: str = Field(max_length=200)
    grant: bool = True
    reason: str = Field(default="", max_length=5000)


class ThreadIn(Strict):
    title: str = Field(max_length=1000)
    body: str = Field(max_length=20_000)
