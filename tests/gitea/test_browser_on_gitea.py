"""The smoke path on a real Gitea, in real Chromium: two people sign in through Gitea's
own login and consent pages, one proposes, the owner merges, the proposer edits on a
branch and opens a body-edit pull request, the owner merges it, and a reader who never
reloads sees every step arrive. Every change reaches the app as a webhook Gitea sends.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.gitea.apps import GiteaApp, gitea_app
from tests.gitea.harness import Account, GiteaServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BUILT_CLIENT = ROOT / "static" / "app" / "index.html"

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)  # Gitea's pages and the app's lazily loaded screens


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
async def running(gitea: GiteaServer, people: dict[str, Account],
                  tmp_path: Path) -> AsyncIterator[GiteaApp]:
    # No periodic reconciler: what arrives, arrives by webhook.
    async with gitea_app(gitea, tmp_path / "data", owner="olivia",
                         RECONCILE_TICK_SECONDS=0) as app:
        yield app


async def new_page(browser: Browser, base_url: str) -> Page:
    context = await browser.new_context(base_url=base_url,
                                        viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(20_000)
    return page


async def sign_in_with_gitea(page: Page, account: Account, *, by_link: bool = False) -> None:
    """As a person does: Sign in, Gitea's login form, Gitea's consent page, back.

    ``by_link`` starts from the catalog and clicks the top bar's "Sign in", the way most
    people arrive (an in-app navigation, not a page load of /signin)."""
    if by_link:
        await page.goto("/catalog")
        await page.get_by_role("link", name="Sign in").click()
    else:
        await page.goto("/signin")
    await page.locator("#user_name").fill(account.login)
    await page.locator("#password").fill(account.password)
    await page.locator("form[action*='login'] button").first.click()
    await page.locator("#authorize-app").click()
    await page.get_by_role("heading", name="Catalog", level=1).wait_for()


async def test_propose_merge_edit_and_merge_again_seen_live(
        browser: Browser, running: GiteaApp, people: dict[str, Account]) -> None:
    alice = await new_page(browser, running.url)
    await sign_in_with_gitea(alice, people["alice"], by_link=True)

    await alice.get_by_role("button", name="+ Propose New RFC").click()
    dialog = alice.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("Better search")
    await expect(dialog.get_by_label("Slug")).to_have_value("better-search")
    await dialog.get_by_label("Pitch").fill("Find RFCs by what they mean.")
    await dialog.get_by_role("button", name="Propose", exact=True).click()
    await expect(dialog).to_be_hidden()
    await expect(alice.get_by_text("Pending ideas (1)")).to_be_visible()

    owner = await new_page(browser, running.url)
    await sign_in_with_gitea(owner, people["olivia"])
    await owner.get_by_text("Pending ideas (1)").click()
    await owner.get_by_role("link", name="Better search").click()
    await expect(owner.get_by_role("heading", name="Better search", level=1)).to_be_visible()
    await owner.get_by_role("button", name="Merge proposal").click()
    await expect(owner.get_by_role("link", name="Open the RFC")).to_be_visible()

    # Alice never reloads: the merge arrives over the live connection.
    await expect(alice.get_by_role("main").get_by_role("link", name="Better search")
                 ).to_be_visible()
    await expect(alice.get_by_text("Pending ideas (0)")).to_be_visible()

    # A reader sits on the RFC page from now on and never reloads either.
    reader = await new_page(browser, running.url)
    await reader.goto("/rfcs/better-search")
    await expect(reader.get_by_role("heading", name="Better search", level=1)).to_be_visible()
    branches = reader.get_by_role("region", name=re.compile(r"^Branches"))

    await alice.goto("/rfcs/better-search")
    await alice.get_by_role("button", name="Start editing").click()
    await alice.get_by_label("Branch name").fill("alice/sharper")
    await alice.get_by_role("button", name="Create branch").click()
    await expect(alice.get_by_role("heading", name="alice/sharper", level=1)).to_be_visible()
    await expect(branches.get_by_role("link", name="alice/sharper")).to_be_visible()

    editor = alice.get_by_label("RFC text")
    await editor.click()
    await alice.keyboard.press("Control+End")
    await alice.keyboard.type("\nSearch by meaning, not by words.")
    await alice.get_by_label("Commit message").fill("Say what search means")
    await alice.get_by_role("button", name="Save", exact=True).click()
    await expect(alice.get_by_text("Saved", exact=True)).to_be_visible()

    await alice.get_by_label("Title").fill("Say what search means")
    await alice.get_by_label("Description").fill("One sentence more.")
    await alice.get_by_role("button", name="Open pull request").click()
    await expect(alice.get_by_role("heading", name="Say what search means", level=1)
                 ).to_be_visible()
    pull_url = alice.url
    pulls = reader.get_by_role("region", name=re.compile(r"^Open pull requests"))
    await expect(pulls.get_by_role("link", name=re.compile("Say what search means"))
                 ).to_be_visible()

    await owner.goto(pull_url)
    await expect(owner.get_by_role("region", name="Source changes, line by line")
                 ).to_contain_text("Search by meaning, not by words.")
    await owner.get_by_role("button", name="Merge", exact=True).click()
    await expect(owner.get_by_role("link", name="Back to the RFC")).to_be_visible()

    # Seen live by the reader and by Alice's pull request page.
    await expect(reader.get_by_text("Search by meaning, not by words.")).to_be_visible()
    await expect(pulls.get_by_role("link", name=re.compile("Say what search means"))
                 ).to_have_count(0)
    await expect(branches.get_by_text("Merged", exact=True)).to_be_visible()
    await expect(alice.get_by_text("Merged", exact=True).first).to_be_visible()
