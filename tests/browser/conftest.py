"""Real Chromium (Debian's package) driven by Playwright against the app on loopback."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from server.app import RfcApp
from tests.support import PASSWORD, running_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SCRIPT = ROOT / "client" / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CLIENT = ROOT / "static" / "app" / "index.html"

# As long as a page's own timeout: on a busy machine the first load of a lazily loaded
# screen (the admin pages, the editor) can take longer than the 5 s default.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; run ./scripts/test.sh, which installs it")
    if not BUILT_CLIENT.exists():
        pytest.fail("the browser client is not built; run `npm --prefix client run build`")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        await launched.close()


@pytest.fixture
async def base_url(app: RfcApp) -> AsyncIterator[str]:
    async with running_server(app) as url:
        yield url


@pytest.fixture
def new_page(browser: Browser, base_url: str):  # type: ignore[no-untyped-def]
    contexts: list[BrowserContext] = []

    async def make(*, width: int = 1280, height: int = 900, dark: bool = False) -> Page:
        context = await browser.new_context(base_url=base_url,
                                            viewport={"width": width, "height": height},
                                            color_scheme="dark" if dark else "light",
                                            timezone_id="Europe/Berlin")
        contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make


async def sign_in(page: Page, login: str, password: str = PASSWORD) -> None:
    await page.goto("/signin")
    await page.get_by_label("Username").fill(login)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
    await page.get_by_role("heading", name="Catalog", level=1).wait_for()


async def assert_accessible(page: Page, what: str) -> None:
    """Run axe-core on the page; fail on serious or critical violations."""
    # Evaluated through the devtools protocol, so the app's strict CSP stays in force.
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} — "
           + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                       for n in v["nodes"][:3])
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"accessibility violations on {what}:\n" + "\n".join(bad)
