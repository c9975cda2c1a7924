"""Pinning a branch, seen live by a contributor who may not pin; an RFC removed from the
catalog while people look at the catalog and at the RFC's page."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.support import remove_rfc, seed_rfc, signed_in_client

SLUG = "tidy-catalog"
TITLE = "Tidy catalog"
BRANCH = "alice/keep"
MEANING = "Branch hygiene never closes or deletes a pinned branch."


async def seed(app, make_client) -> None:
    await seed_rfc(app, SLUG, title=TITLE, body=f"# {TITLE}\n\nThe text to keep reading.\n")
    alice = await signed_in_client(app, make_client, "alice")
    status, made = await alice.post(f"/api/rfcs/{SLUG}/branches", {"name": BRANCH})
    assert status == 201, made
    await signed_in_client(app, make_client, "owner")


def branches(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("region", name=re.compile(r"^Branches"))


async def mark_no_reload(page: Page) -> None:
    await page.evaluate("() => { window.__stayed = true; }")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("() => window.__stayed === true"), "the page was reloaded"


async def test_the_owner_pins_and_a_contributor_sees_it_live(app, new_page, make_client):
    await seed(app, make_client)

    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.goto(f"/rfcs/{SLUG}")
    await expect(branches(alice).get_by_role("link", name=BRANCH)).to_be_visible()
    await mark_no_reload(alice)
    # A contributor is offered neither Pin nor Unpin, and nothing is pinned yet.
    await expect(alice.get_by_role("button", name=re.compile(r"^(Un)?[Pp]in\b"))).to_have_count(0)
    await expect(branches(alice).get_by_text("Pinned", exact=True)).to_have_count(0)

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto(f"/rfcs/{SLUG}")
    pin = branches(owner).get_by_role("button", name=f"Pin {BRANCH}")
    await expect(pin).to_be_visible()
    await expect(branches(owner).get_by_text(MEANING)).to_be_visible()
    await assert_accessible(owner, "the RFC page with Pin buttons")
    await pin.click()
    await expect(branches(owner).get_by_role("button", name=f"Unpin {BRANCH}")).to_be_visible()
    await expect(branches(owner).get_by_text("Pinned", exact=True)).to_be_visible()

    # Alice never reloads: the pin arrives over the live connection, with what it means.
    badge = branches(alice).get_by_text("Pinned", exact=True)
    await expect(badge).to_be_visible()
    await expect(badge).to_have_attribute("title", re.compile("never closes or deletes"))
    await expect(branches(alice).get_by_text(MEANING)).to_be_visible()
    await expect(alice.get_by_role("button", name=re.compile(r"^(Un)?[Pp]in\b"))).to_have_count(0)
    await assert_accessible(alice, "the RFC page with a pinned branch")

    # Unpinning, from the branch page this time; Alice, now on the branch too, follows.
    await alice.get_by_role("link", name=BRANCH).click()
    await expect(alice.get_by_role("heading", name=BRANCH, level=1)).to_be_visible()
    await expect(alice.get_by_text("Pinned", exact=True)).to_be_visible()
    await expect(alice.get_by_role("button", name=re.compile(r"^(Un)?[Pp]in\b"))).to_have_count(0)
    await owner.get_by_role("link", name=BRANCH).click()
    unpin = owner.get_by_role("button", name="Unpin", exact=True)
    await expect(unpin).to_be_visible()
    await expect(owner.get_by_text(MEANING)).to_be_visible()
    await assert_accessible(owner, "the branch page with Unpin")
    await unpin.click()
    await expect(owner.get_by_role("button", name="Pin", exact=True)).to_be_visible()
    await expect(alice.get_by_text("Pinned", exact=True)).to_have_count(0)

    # And back on the RFC page, the list agrees.
    await alice.go_back()
    await expect(branches(alice).get_by_role("link", name=BRANCH)).to_be_visible()
    await expect(branches(alice).get_by_text("Pinned", exact=True)).to_have_count(0)


async def test_a_removed_rfc_leaves_the_catalog_and_its_page_says_so(app, new_page, make_client):
    await seed(app, make_client)
    await seed_rfc(app, "stays", title="An RFC that stays")

    watcher = await new_page()
    await watcher.goto("/catalog")
    catalog = watcher.get_by_role("main")
    await expect(catalog.get_by_role("link", name=TITLE)).to_be_visible()
    await mark_no_reload(watcher)

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto(f"/rfcs/{SLUG}")
    await expect(owner.get_by_role("button", name="Start editing")).to_be_visible()
    await expect(branches(owner).get_by_role("button", name=f"Pin {BRANCH}")).to_be_visible()
    await mark_no_reload(owner)

    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.goto(f"/rfcs/{SLUG}/branches/{BRANCH}")
    await expect(alice.get_by_role("button", name="Save", exact=True)).to_be_visible()

    await remove_rfc(app, SLUG)

    await expect(catalog.get_by_role("link", name=TITLE)).to_have_count(0)
    await expect(catalog.get_by_role("link", name="An RFC that stays")).to_be_visible()
    await assert_not_reloaded(watcher)

    notice = owner.get_by_role("alert").filter(has_text="This RFC was removed from the catalog.")
    await expect(notice).to_be_visible()
    await expect(notice.get_by_role("link", name="Back to the catalog")).to_be_visible()
    # The last text stays readable; what the server would now refuse is no longer offered.
    await expect(owner.get_by_text("The text to keep reading.")).to_be_visible()
    for name in ("Start editing", "Change metadata", "Start a discussion"):
        await expect(owner.get_by_role("button", name=name)).to_have_count(0)
    await expect(owner.get_by_role("button", name=re.compile(r"^(Un)?[Pp]in\b"))).to_have_count(0)
    await assert_not_reloaded(owner)
    await assert_accessible(owner, "the page of a removed RFC")

    # Someone editing one of its branches can no longer save there, and is told why.
    await expect(alice.get_by_text("This RFC was removed from the catalog")).to_be_visible()
    await expect(alice.get_by_role("button", name="Save", exact=True)).to_have_count(0)

    await notice.get_by_role("link", name="Back to the catalog").click()
    await expect(owner.get_by_role("heading", name="Catalog", level=1)).to_be_visible()
    await expect(owner.get_by_role("main").get_by_role("link", name=TITLE)).to_have_count(0)
