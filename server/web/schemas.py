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
