from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from server.app import RfcApp, create_app
from server.clock import Clock
from tests.support import ApiClient, make_settings


@pytest.fixture
def settings(tmp_path: Path):
    return make_settings(tmp_path / "data")


@pytest.fixture
def clock() -> Clock | None:
    """The app's clock; None is the system clock. Override it to hold or move time."""
    return None


@pytest.fixture
async def started(settings, clock) -> AsyncIterator[tuple[RfcApp, Any]]:
    """The app with its start-up run (database, forge, cache), and its test harness."""
    application = create_app(settings, clock=clock)
    async with application.test_app() as harness:
        yield application, harness


@pytest.fixture
def app(started) -> RfcApp:
    return started[0]


@pytest.fixture
def make_client(started):
    def make() -> ApiClient:
        return ApiClient(started[1].test_client())
    return make


@pytest.fixture
def client(make_client) -> ApiClient:
    return make_client()
