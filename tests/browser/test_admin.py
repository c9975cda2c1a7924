"""The admin home base in real browsers: the owner changes a role, another admin sees the
audit entry and the permission event arrive live, sessions follow role and suspension
changes without a reload, and people who are not staff are kept out."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from server.app import RfcApp
from server.domain.people import User
from tests.browser.conftest import assert_accessible, sign_in
from tests.support import add_account, seed_rfc, signed_in_client


async def add_admin(app: RfcApp, login: str) -> User:
    user = await add_account(app, login)
    async with app.services.domain.store.write() as uow:
        await uow.users.set_role(user.id, "admin")
    return user


async def mark_page(page: Page) -> None:
    """Set a flag that only survives as long as the page is never reloaded."""
    await page.evaluate("() => { window.__notReloaded = true; }")


async def assert_not_reloaded(page: Page) -> None:
    assert await page.evaluate("() => window.__notReloaded === true"), "the page was reloaded"


async def open_admin_from_menu(page: Page, login: str) -> None:
    await page.get_by_role("button", name=login, exact=True).click()
    await page.get_by_role("link", name="Admin", exact=True).click()
    await expect(page.get_by_role("heading", name="Admin", level=1)).to_be_visible()


def tab(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("tab", name=name, exact=True)


async def test_a_role_change_reaches_another_admin_live(app, new_page):
    await add_account(app, "owner")
    await add_admin(app, "alice")
    await add_account(app, "bob")
    await seed_rfc(app, "better-search", title="Better search")

    # Context 2: an admin sits on the audit log and never reloads.
    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.goto("/admin/audit")
    await expect(tab(alice, "Audit log")).to_have_attribute("aria-selected", "true")
    audit = alice.get_by_role("table", name="Audit log, newest first")
    await expect(audit.get_by_role("row", name=re.compile("add_user")).first).to_be_visible()
    await mark_page(alice)
    await assert_accessible(alice, "the audit log tab")

    # Bob, signed in on the catalog, is about to become an admin.
    bob = await new_page()
    await sign_in(bob, "bob")
    await mark_page(bob)

    # Context 1: the owner finds the admin pages through the user menu.
    owner = await new_page()
    await sign_in(owner, "owner")
    await open_admin_from_menu(owner, "owner")
    await expect(owner).to_have_url(re.compile(r"/admin/users$"))
    await expect(tab(owner, "Users")).to_have_attribute("aria-selected", "true")
    await expect(owner.get_by_role("row", name=re.compile(r"^bob "))).to_be_visible()
    await assert_accessible(owner, "the users tab")

    await owner.get_by_role("button", name="Manage bob").click()
    manage = owner.get_by_role("region", name="Manage bob")
    await manage.get_by_label("Role for bob").select_option("admin")
    await manage.get_by_label("Reason for bob (optional)").fill("Runs the process")
    await assert_accessible(owner, "the users tab with a user's controls open")
    await manage.get_by_role("button", name="Change role").click()
    await expect(owner.get_by_text("bob is now admin.")).to_be_visible()
    bob_row = owner.get_by_role("row", name=re.compile(r"^bob "))
    await expect(bob_row.get_by_role("cell", name="Admin", exact=True)).to_be_visible()

    # The other admin sees the entry arrive without reloading.
    change = audit.get_by_role("row", name=re.compile("change_role"))
    await expect(change).to_be_visible()
    await expect(change).to_contain_text("owner")
    await expect(change).to_contain_text("login: bob")
    await expect(change).to_contain_text("to: admin")
    await expect(change).to_contain_text("reason: Runs the process")
    await assert_not_reloaded(alice)

    # Bob's session follows: told why, and the top bar offers the admin pages.
    await expect(bob.get_by_text("Your role changed; reconnecting.")).to_be_visible()
    await bob.get_by_role("button", name="bob", exact=True).click()
    await expect(bob.get_by_role("link", name="Admin", exact=True)).to_be_visible()
    await assert_not_reloaded(bob)

    # Switching tabs (no reload): the permission event is there...
    await tab(alice, "Permission events").click()
    await expect(alice).to_have_url(re.compile(r"/admin/permissions$"))
    events = alice.get_by_role("table", name="Permission events, newest first")
    promoted = events.get_by_role("row", name=re.compile(r"bob.*contributor.*admin"))
    await expect(promoted).to_contain_text("Runs the process")
    await assert_accessible(alice, "the permission events tab")

    # ...and the next one arrives live while the tab is open.
    await manage.get_by_label("RFC slug for bob").fill("better-search")
    await manage.get_by_role("button", name="Make maintainer").click()
    await expect(owner.get_by_text("bob now maintains better-search.")).to_be_visible()
    granted = events.get_by_role("row", name=re.compile(r"bob.*better-search"))
    await expect(granted).to_contain_text("maintainer")
    await expect(events.get_by_role("row")).to_have_count(3)  # header + two events
    await expect(bob_row).to_contain_text("better-search")

    # Tabs work from the keyboard: arrows move between them, each with its own URL.
    await tab(alice, "Permission events").focus()
    await alice.keyboard.press("ArrowLeft")
    await expect(alice).to_have_url(re.compile(r"/admin/audit$"))
    await expect(tab(alice, "Audit log")).to_be_focused()
    await expect(audit.get_by_role("row", name=re.compile("grant_maintainer"))).to_be_visible()
    await alice.keyboard.press("ArrowLeft")
    await expect(alice).to_have_url(re.compile(r"/admin/graduation$"))
    await expect(alice.get_by_text("No graduation requests are waiting.")).to_be_visible()
    await assert_accessible(alice, "the graduation queue tab")
    await assert_not_reloaded(alice)


async def test_audit_filters_apply_to_pages_and_to_live_entries(app, new_page, make_client):
    await add_account(app, "owner")
    await add_account(app, "bob")
    await add_account(app, "carol")
    page = await new_page(dark=True)
    await sign_in(page, "owner")
    await page.goto("/admin/audit")
    await page.get_by_label("Kind").fill("change_role")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page).to_have_url(re.compile(r"/admin/audit\?kind=change_role$"))
    await expect(page.get_by_text("No audit entries match these filters.")).to_be_visible()
    await assert_accessible(page, "the filtered audit log in dark mode")

    owner_api = await signed_in_client(app, make_client, "owner")
    async with app.services.domain.store.read() as uow:
        bob = await uow.users.by_login("bob")
        carol = await uow.users.by_login("carol")
    status, _ = await owner_api.post(f"/api/admin/users/{carol.id}/suspend", {"reason": "spam"})
    assert status == 200
    status, _ = await owner_api.post(f"/api/admin/users/{bob.id}/role", {"role": "admin"})
    assert status == 200
    audit = page.get_by_role("table", name="Audit log, newest first")
    await expect(audit.get_by_role("row", name=re.compile("change_role"))).to_be_visible()
    await expect(audit.get_by_role("row", name=re.compile("suspend_user"))).to_have_count(0)

    await page.get_by_role("button", name="Clear filters").click()
    await expect(audit.get_by_role("row", name=re.compile("suspend_user"))).to_be_visible()
    # A "To" date before "From" is explained, not sent.
    await page.get_by_label("From", exact=True).fill("2030-01-02")
    await page.get_by_label("To", exact=True).fill("2030-01-01")
    await page.get_by_role("button", name="Apply filters").click()
    await expect(page.get_by_role("alert")).to_contain_text("“From” must be on or before “To”.")


async def test_server_errors_are_shown_on_a_phone(app, new_page):
    await add_account(app, "owner")
    await add_account(app, "bob")
    page = await new_page(width=360, height=740)
    await sign_in(page, "owner")
    await page.goto("/admin")
    await expect(page).to_have_url(re.compile(r"/admin/users$"))
    await page.get_by_label("Search users").fill("own")
    await expect(page).to_have_url(re.compile(r"/admin/users\?q=own$"))
    await expect(page.get_by_role("row", name=re.compile(r"^bob "))).to_have_count(0)
    await page.get_by_role("button", name="Manage owner").click()
    manage = page.get_by_role("region", name="Manage owner")
    await manage.get_by_label("Role for owner").select_option("contributor")
    await manage.get_by_role("button", name="Change role").click()
    await expect(manage.get_by_role("alert")).to_contain_text(
        "There must always be at least one owner")
    # The page itself never scrolls sideways; only the table does.
    assert await page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(page, "the users tab with an error, on a phone")


async def test_only_staff_get_in(app, new_page):
    await add_account(app, "bob")
    visitor = await new_page()
    await visitor.goto("/admin/audit")
    await expect(visitor.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    await expect(visitor.get_by_role("main").get_by_role("link", name="Sign in")).to_have_attribute(
        "href", "/signin?next=%2Fadmin%2Faudit")

    bob = await new_page()
    await sign_in(bob, "bob")
    await bob.get_by_role("button", name="bob", exact=True).click()
    await expect(bob.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(bob.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    await bob.goto("/admin/users")
    await expect(bob.get_by_role("heading", name="Admin", level=1)).to_be_visible()
    await expect(bob.get_by_text("Only the owner and admins can see this")).to_be_visible()
    await expect(bob.get_by_role("tablist")).to_have_count(0)
    await assert_accessible(bob, "the admin page for a contributor")


async def test_suspending_signs_the_person_out_without_a_reload(app, new_page):
    await add_account(app, "owner")
    await add_account(app, "carol")

    # Context 3: carol reads the catalog.
    carol = await new_page()
    await sign_in(carol, "carol")
    await mark_page(carol)

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto("/admin/users")
    await owner.get_by_role("button", name="Manage carol").click()
    manage = owner.get_by_role("region", name="Manage carol")
    await manage.get_by_role("button", name="Suspend").click()
    await manage.get_by_role("button", name="Confirm suspension").click()
    await expect(manage.get_by_role("alert")).to_contain_text("Give a reason")
    await manage.get_by_label("Reason for suspending carol").fill("Spam in every thread")
    await manage.get_by_role("button", name="Confirm suspension").click()
    await expect(owner.get_by_text("carol is suspended and signed out everywhere.")).to_be_visible()
    carol_row = owner.get_by_role("row", name=re.compile(r"^carol "))
    await expect(carol_row).to_contain_text("Suspended")
    await expect(carol_row).to_contain_text("Spam in every thread")
    await expect(manage.get_by_role("button", name="Restore")).to_be_focused()

    await expect(carol.get_by_text("Your account is suspended. Ask an admin to restore it.")
                 ).to_be_visible()
    await expect(carol.get_by_role("banner").get_by_role("link", name="Sign in")).to_be_visible()
    await expect(carol.get_by_role("button", name="carol", exact=True)).to_have_count(0)
    await assert_not_reloaded(carol)
    await assert_accessible(carol, "the catalog with the suspension notice")

    await manage.get_by_role("button", name="Restore").click()
    await expect(owner.get_by_text("carol is restored and can sign in again.")).to_be_visible()
    await expect(carol_row).to_contain_text("Active")


async def test_an_admin_who_loses_the_role_leaves_the_admin_pages(app, new_page, make_client):
    await add_account(app, "owner")
    dave = await add_admin(app, "dave")
    page = await new_page()
    await sign_in(page, "dave")
    await page.goto("/admin/permissions")
    await expect(tab(page, "Permission events")).to_have_attribute("aria-selected", "true")
    await mark_page(page)

    owner_api = await signed_in_client(app, make_client, "owner")
    status, _ = await owner_api.post(f"/api/admin/users/{dave.id}/role", {"role": "contributor"})
    assert status == 200
    await expect(page).to_have_url(re.compile(r"/catalog$"))
    await expect(page.get_by_role("heading", name="Catalog", level=1)).to_be_visible()
    await page.get_by_role("button", name="dave", exact=True).click()
    await expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    await assert_not_reloaded(page)


async def test_a_reader_scrolled_down_the_audit_log_keeps_their_place(app, new_page, make_client):
    await add_account(app, "owner")
    for i in range(20):
        await add_account(app, f"user{i:02d}")
    page = await new_page(height=500)
    await sign_in(page, "owner")
    await page.goto("/admin/audit")
    audit = page.get_by_role("table", name="Audit log, newest first")
    await expect(audit.get_by_role("row")).to_have_count(22)  # header + 21 accounts added
    await page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    reading = audit.get_by_role("row", name=re.compile(r"user:3\b"))
    await expect(reading).to_be_in_viewport()
    top_before = await reading.evaluate("row => row.getBoundingClientRect().top")

    owner_api = await signed_in_client(app, make_client, "owner")
    async with app.services.domain.store.read() as uow:
        target = await uow.users.by_login("user05")
    status, _ = await owner_api.post(f"/api/admin/users/{target.id}/role", {"role": "admin"})
    assert status == 200
    show = page.get_by_role("button", name="Show 1 new audit entry")
    await expect(show).to_be_visible()
    await expect(audit.get_by_role("row")).to_have_count(23)
    top_after = await reading.evaluate("row => row.getBoundingClientRect().top")
    assert abs(top_after - top_before) <= 2, "the row being read moved"

    await show.click()
    await expect(audit.get_by_role("row", name=re.compile("change_role"))).to_be_in_viewport()
    await expect(show).to_have_count(0)


async def test_staff_stop_email_to_a_person_and_another_admin_sees_it_live(app, new_page):
    await add_account(app, "owner")
    await add_admin(app, "alice")
    await add_account(app, "bob")

    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.goto("/admin/users")
    alice_bob = alice.get_by_role("row", name=re.compile(r"^bob "))
    await expect(alice_bob).to_contain_text("Email on")
    await mark_page(alice)

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto("/admin/users")
    await owner.get_by_role("button", name="Manage bob").click()
    manage = owner.get_by_role("region", name="Manage bob")
    await manage.get_by_role("button", name="Stop email").click()
    await expect(manage.get_by_role("alert")).to_contain_text("Give a reason for stopping email")
    await expect(manage.get_by_label("Reason for bob (optional)")).to_be_focused()
    await manage.get_by_label("Reason for bob (optional)").fill("Asked us to stop")
    await manage.get_by_role("button", name="Stop email").click()
    await expect(owner.get_by_text("No more email goes to bob.")).to_be_visible()
    owner_bob = owner.get_by_role("row", name=re.compile(r"^bob "))
    await expect(owner_bob.get_by_text("Email stopped: stopped by staff")).to_be_visible()
    # Checked once the changed row's brief highlight (a fade) is over.
    await expect(owner_bob).not_to_have_class(re.compile("is-fresh"), timeout=10_000)
    await assert_accessible(owner, "the users tab with email stopped")

    # The other admin's list follows without a reload, and the audit log has the reason.
    await expect(alice_bob.get_by_text("Email stopped: stopped by staff")).to_be_visible()
    await assert_not_reloaded(alice)
    await tab(alice, "Audit log").click()
    entry = alice.get_by_role("row", name=re.compile("suppress_email"))
    await expect(entry).to_contain_text("reason: Asked us to stop")

    await manage.get_by_role("button", name="Resume email").click()
    await expect(owner.get_by_text("Email to bob is on again.")).to_be_visible()
    await expect(owner.get_by_role("row", name=re.compile(r"^bob "))).to_contain_text("Email on")
