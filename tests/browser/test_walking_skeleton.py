"""A contributor proposes, the owner merges in another browser, and the first browser
sees the super-draft arrive without reloading."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.support import PASSWORD, add_account, seed_rfc


async def test_propose_then_merge_is_seen_live_by_the_proposer(app, new_page):
    await add_account(app, "alice")
    await add_account(app, "owner")
    await seed_rfc(app, "existing-rfc", title="An existing RFC")

    alice = await new_page()
    await alice.goto("/")
    await expect(alice.get_by_role("heading", name="RFC app", level=1)).to_be_visible()
    await assert_accessible(alice, "the landing page")
    await alice.goto("/signin")
    await assert_accessible(alice, "the sign-in page")
    await sign_in(alice, "alice")
    await expect(alice.get_by_role("link", name="An existing RFC")).to_be_visible()
    await assert_accessible(alice, "the catalog")

    await alice.get_by_role("button", name="+ Propose New RFC").click()
    dialog = alice.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("Better search")
    await expect(dialog.get_by_label("Slug")).to_have_value("better-search")
    await dialog.get_by_label("Pitch").fill("Find RFCs by what they mean.")
    await assert_accessible(alice, "the propose form")
    await dialog.get_by_role("button", name="Propose", exact=True).click()
    await expect(dialog).to_be_hidden()
    await expect(alice.get_by_text("Pending ideas (1)")).to_be_visible()

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.get_by_text("Pending ideas (1)").click()
    await owner.get_by_role("link", name="Better search").click()
    await expect(owner.get_by_role("heading", name="Better search", level=1)).to_be_visible()
    await assert_accessible(owner, "the proposal page")
    await owner.get_by_role("button", name="Merge proposal").click()
    await expect(owner.get_by_role("link", name="Open the RFC")).to_be_visible()

    # Alice never reloads: the merge arrives over the live connection.
    rfcs = alice.get_by_role("main")
    await expect(rfcs.get_by_role("link", name="Better search")).to_be_visible()
    await expect(alice.get_by_text("Pending ideas (0)")).to_be_visible()


async def test_a_slug_clash_is_explained_and_keeps_what_was_typed(app, new_page):
    await add_account(app, "alice")
    await seed_rfc(app, "taken-slug", title="Taken")
    page = await new_page(width=360, height=740)
    await sign_in(page, "alice")
    await page.get_by_role("button", name="+ Propose New RFC").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("Another idea")
    await dialog.get_by_label("Slug").fill("taken-slug")
    await dialog.get_by_role("button", name="Propose", exact=True).click()
    await expect(dialog.get_by_role("alert")).to_contain_text("taken-slug")
    await expect(dialog.get_by_label("Title")).to_have_value("Another idea")
    await assert_accessible(page, "the propose form with an error, on a phone")


async def test_a_contributor_sees_no_decision_buttons(app, new_page):
    await add_account(app, "alice")
    await add_account(app, "bob")
    bob = await new_page(dark=True)
    await sign_in(bob, "bob")
    await bob.get_by_role("button", name="+ Propose New RFC").click()
    dialog = bob.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("Bob's idea")
    await dialog.get_by_role("button", name="Propose", exact=True).click()
    await expect(dialog).to_be_hidden()
    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.get_by_text("Pending ideas (1)").click()
    await alice.get_by_role("link", name="Bob's idea").click()
    await expect(alice.get_by_role("heading", name="Bob's idea", level=1)).to_be_visible()
    await expect(alice.get_by_role("button", name="Merge proposal")).to_have_count(0)
    await assert_accessible(bob, "the catalog in dark mode")


async def test_signing_in_never_sends_you_to_another_site(app, new_page):
    """`next` must name a page here as the browser reads it: it drops tabs and newlines,
    so "/<tab>/evil.example" would otherwise be "//evil.example"."""
    await add_account(app, "alice")
    elsewhere: list[str] = []
    for trick in ("%2F%09%2Fevil.example%2Fx", "%2F%0A%2Fevil.example%2Fx",
                  "%2F%2Fevil.example", "%2F%5Cevil.example", "https%3A%2F%2Fevil.example"):
        page = await new_page()  # a fresh browser each time, as a person following a link
        await page.route("http://evil.example/**",
                         lambda route: (elsewhere.append(route.request.url), route.abort()))
        await page.goto(f"/signin?next={trick}")
        await page.get_by_label("Username").fill("alice")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("main").get_by_role("button", name="Sign in", exact=True).click()
        await page.get_by_role("heading", name="Catalog", level=1).wait_for()
        assert page.url.endswith("/catalog"), (trick, page.url)
    assert elsewhere == []
