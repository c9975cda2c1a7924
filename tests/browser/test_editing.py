"""Editing a super-draft in the browser: a branch, the editor, saving, a pull request,
its merge seen live by a reader; conflicts, drafts that survive a reload, odd branch names."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in
from tests.support import add_account, seed_rfc

SLUG = "better-search"
TITLE = "Better search"


async def seed(app, *logins: str) -> None:
    for login in logins:
        await add_account(app, login)
    await seed_rfc(app, SLUG, title=TITLE,
                   body=f"# {TITLE}\n\n## Motivation\n\nOld text.\n\nSee [the motivation](#motivation).\n")


async def start_branch(page: Page, name: str) -> None:
    """From the RFC page, as a person would: Start editing, name the branch, create it."""
    await page.goto(f"/rfcs/{SLUG}")
    await page.get_by_role("button", name="Start editing").click()
    await page.get_by_label("Branch name").fill(name)
    await page.get_by_role("button", name="Create branch").click()
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


async def type_at_end(page: Page, text: str) -> None:
    editor = page.get_by_label("RFC text")
    await editor.click()
    await page.keyboard.press("Control+End")
    await page.keyboard.type(text)


async def save(page: Page, message: str) -> None:
    await page.get_by_label("Commit message").fill(message)
    await page.get_by_role("button", name="Save", exact=True).click()


async def test_edit_save_open_a_pull_request_and_a_reader_sees_the_merge_live(app, new_page):
    await seed(app, "alice", "owner")

    # A signed-out reader sits on the RFC page the whole time and never reloads.
    reader = await new_page()
    await reader.goto(f"/rfcs/{SLUG}")
    await expect(reader.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    await expect(reader.get_by_text("Old text.")).to_be_visible()
    await expect(reader.get_by_text("No branches yet.")).to_be_visible()
    await expect(reader.locator("dt", has_text="Created")).to_be_visible()
    await assert_accessible(reader, "the RFC page")

    alice = await new_page()
    await sign_in(alice, "alice")
    await start_branch(alice, "alice/clarify")
    await expect(alice).to_have_url(re.compile(r"/rfcs/better-search/branches/alice/clarify$"))
    branches = reader.get_by_role("region", name=re.compile(r"^Branches"))
    await expect(branches.get_by_role("link", name="alice/clarify")).to_be_visible()

    await type_at_end(alice, "\nA clearer paragraph from Alice.")
    await expect(alice.get_by_label("RFC text")).to_contain_text("A clearer paragraph from Alice.")
    await expect(alice.get_by_role("region", name="Preview of the text")).to_contain_text(
        "A clearer paragraph from Alice.")
    await expect(alice.get_by_text("Unsaved changes", exact=True)).to_be_visible()
    await assert_accessible(alice, "the branch page")

    await save(alice, "Clarify the motivation")
    await expect(alice.get_by_text("Saved", exact=True)).to_be_visible()
    diff = alice.get_by_role("region", name="Source changes, line by line")
    await expect(diff).to_contain_text("A clearer paragraph from Alice.")
    await alice.get_by_role("button", name="Rendered").click()
    await expect(alice.get_by_role("heading", name="After")).to_be_visible()
    await assert_accessible(alice, "the branch page after saving, rendered changes")

    await alice.get_by_label("Title").fill("Clarify the motivation")
    await alice.get_by_label("Description").fill("Says *why* more clearly.")
    await alice.get_by_role("button", name="Open pull request").click()
    await expect(alice.get_by_role("heading", name="Clarify the motivation", level=1)).to_be_visible()
    pull_url = alice.url
    assert re.search(r"/rfcs/better-search/pulls/\d+$", pull_url), pull_url
    pulls = reader.get_by_role("region", name=re.compile(r"^Open pull requests"))
    await expect(pulls.get_by_role("link", name=re.compile("Clarify the motivation"))).to_be_visible()
    # Alice may not decide on her own pull request.
    await expect(alice.get_by_role("button", name="Merge", exact=True)).to_have_count(0)

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto(pull_url)
    await expect(owner.get_by_role("heading", name="Clarify the motivation", level=1)).to_be_visible()
    await expect(owner.get_by_role("region", name="Source changes, line by line")).to_contain_text(
        "A clearer paragraph from Alice.")
    await expect(owner.get_by_text("Says why more clearly.")).to_be_visible()
    await assert_accessible(owner, "the pull request page")
    await owner.get_by_role("button", name="Merge", exact=True).click()
    await expect(owner.get_by_role("link", name="Back to the RFC")).to_be_visible()
    await expect(owner.get_by_role("button", name="Merge", exact=True)).to_have_count(0)

    # The reader never reloaded: the new text, the history and the pull request's end arrive live.
    await expect(reader.get_by_text("A clearer paragraph from Alice.")).to_be_visible()
    await expect(pulls.get_by_role("link", name=re.compile("Clarify the motivation"))).to_have_count(0)
    await expect(reader.get_by_role("region", name="History")).to_contain_text("Clarify the motivation")
    await expect(branches.get_by_text("Merged", exact=True)).to_be_visible()
    # Alice's PR page followed the merge too.
    await expect(alice.get_by_text("Merged", exact=True).first).to_be_visible()


async def test_the_second_save_gets_the_conflict_and_keeps_its_text(app, new_page):
    await seed(app, "alice", "owner")
    alice = await new_page()
    await sign_in(alice, "alice")
    await start_branch(alice, "alice/tidy")
    branch_url = alice.url

    owner = await new_page(width=1440)
    await sign_in(owner, "owner")
    await owner.goto(branch_url)
    await expect(owner.get_by_role("heading", name="alice/tidy", level=1)).to_be_visible()

    await type_at_end(alice, "\nAlice was here first.")
    await type_at_end(owner, "\nThe owner's own sentence.")
    await save(alice, "Alice's edit")
    await expect(alice.get_by_text("Saved", exact=True)).to_be_visible()

    # The owner has unsaved text: told quietly, not overwritten.
    await expect(owner.get_by_text("Someone saved a newer version.")).to_be_visible()
    await expect(owner.get_by_label("RFC text")).to_contain_text("The owner's own sentence.")

    await save(owner, "Owner's edit")
    alert = owner.get_by_role("alert").filter(has_text="Someone saved to this branch")
    await expect(alert).to_be_visible()
    await expect(owner.get_by_label("RFC text")).to_contain_text("The owner's own sentence.")
    compare = owner.get_by_role("region", name=re.compile("Their saved text"))
    await expect(compare).to_contain_text("Alice was here first.")
    await expect(compare).to_contain_text("The owner's own sentence.")
    await assert_accessible(owner, "the branch page with a save conflict")

    await owner.get_by_role("button", name="Keep mine and save again").click()
    await expect(owner.get_by_text("Saved", exact=True)).to_be_visible()
    await expect(alert).to_have_count(0)
    # Alice had nothing unsaved: her editor follows the newer save by itself.
    await expect(alice.get_by_label("RFC text")).to_contain_text("The owner's own sentence.")


async def test_use_their_version_replaces_the_editor_text(app, new_page):
    await seed(app, "alice", "owner")
    alice = await new_page()
    await sign_in(alice, "alice")
    await start_branch(alice, "alice/theirs")
    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto(alice.url)
    await type_at_end(owner, "\nOwner text.")
    await type_at_end(alice, "\nAlice text.")
    # Ctrl+S in the editor saves too.
    await owner.get_by_label("Commit message").fill("Owner first")
    await owner.get_by_label("RFC text").click()
    await owner.keyboard.press("Control+s")
    await expect(owner.get_by_text("Saved", exact=True)).to_be_visible()
    await save(alice, "Alice second")
    await expect(alice.get_by_role("alert").filter(has_text="Someone saved")).to_be_visible()
    await alice.get_by_role("button", name="Use their version").click()
    editor = alice.get_by_label("RFC text")
    await expect(editor).to_contain_text("Owner text.")
    await expect(editor).not_to_contain_text("Alice text.")
    await expect(alice.get_by_role("alert").filter(has_text="Someone saved")).to_have_count(0)


async def test_unsaved_text_survives_a_reload_until_discarded(app, new_page):
    await seed(app, "alice")
    alice = await new_page()
    await sign_in(alice, "alice")
    await start_branch(alice, "alice/draft")
    await type_at_end(alice, "\nNot saved yet, but kept.")
    await expect(alice.get_by_text("Unsaved changes", exact=True)).to_be_visible()

    dialogs: list[str] = []

    async def accept(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.type)
        await dialog.accept()

    alice.on("dialog", lambda d: asyncio.ensure_future(accept(d)))
    await alice.wait_for_timeout(400)  # the draft is written a moment after typing
    await alice.reload()
    await expect(alice.get_by_text("Restored your unsaved text")).to_be_visible()
    await expect(alice.get_by_label("RFC text")).to_contain_text("Not saved yet, but kept.")
    assert dialogs == ["beforeunload"], dialogs  # leaving with unsaved text asked first
    await assert_accessible(alice, "the branch page with a restored draft")

    await alice.get_by_role("button", name="Discard draft").click()
    await expect(alice.get_by_label("RFC text")).not_to_contain_text("Not saved yet")
    await expect(alice.get_by_text("Restored your unsaved text")).to_have_count(0)
    await alice.reload()
    await expect(alice.get_by_label("RFC text")).to_contain_text("Old text.")
    await expect(alice.get_by_text("Restored your unsaved text")).to_have_count(0)


async def test_branch_names_with_odd_characters_round_trip_through_urls(app, new_page):
    await seed(app, "alice")
    page = await new_page()
    await sign_in(page, "alice")
    for name in ("résumé/naïve-ß", "100%-done", "c++-syntax", "issue#42"):
        await start_branch(page, name)
        # The address is the page: reloading it shows the same branch.
        await page.reload()
        await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        await expect(page.get_by_label("RFC text")).to_contain_text("Old text.")
    await page.goto(f"/rfcs/{SLUG}")
    branches = page.get_by_role("region", name=re.compile(r"^Branches"))
    await branches.get_by_role("link", name="issue#42").click()
    await expect(page.get_by_role("heading", name="issue#42", level=1)).to_be_visible()


async def test_a_read_only_branch_explains_why_on_a_phone(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page()
    await sign_in(alice, "alice")
    await start_branch(alice, "alice/mine")

    bob = await new_page(width=360, height=740, dark=True)
    await sign_in(bob, "bob")
    await bob.goto(alice.url)
    await expect(bob.get_by_role("heading", name="alice/mine", level=1)).to_be_visible()
    await expect(bob.get_by_text(
        "Only the person who started this branch, maintainers and admins can save here.")).to_be_visible()
    await expect(bob.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    await expect(bob.get_by_label("RFC text")).to_have_attribute("aria-readonly", "true")
    # A phone gets tabs instead of columns.
    await expect(bob.get_by_role("tab", name="Edit")).to_have_attribute("aria-selected", "true")
    await bob.get_by_role("tab", name="Preview").click()
    await expect(bob.get_by_role("tabpanel")).to_contain_text("Old text.")
    await assert_accessible(bob, "a read-only branch page on a phone, dark")
    await bob.get_by_role("tab", name="Changes").click()
    await expect(bob.get_by_role("tabpanel")).to_contain_text("No saved changes yet")


async def test_a_metadata_change_opens_a_pull_request_that_can_be_closed(app, new_page):
    await seed(app, "alice", "owner")
    alice = await new_page()
    await sign_in(alice, "alice")
    await alice.goto(f"/rfcs/{SLUG}")
    await alice.get_by_role("button", name="Change metadata").click()
    await expect(alice.get_by_label("Title")).to_have_value(TITLE)
    await alice.get_by_label("State").select_option("active")
    await alice.get_by_label("Pitch").fill("Find RFCs by what they mean.")
    await alice.get_by_label("Description").fill("Ready for discussion.")
    await assert_accessible(alice, "the metadata form")
    await alice.get_by_role("button", name="Propose metadata change").click()
    await expect(alice.get_by_role("heading", level=1)).to_contain_text("Change pitch, state")
    await expect(alice.get_by_text("Metadata change")).to_be_visible()

    owner = await new_page()
    await sign_in(owner, "owner")
    await owner.goto(alice.url)
    await owner.get_by_role("button", name="Close", exact=True).click()
    await owner.get_by_label("Reason").fill("Not yet: the text needs work first.")
    await owner.get_by_role("button", name="Close pull request").click()
    await expect(owner.get_by_text("Not yet: the text needs work first.")).to_be_visible()
    # Alice's open page hears about it.
    await expect(alice.get_by_text("Not yet: the text needs work first.")).to_be_visible()


async def test_links_to_a_section_find_the_rendered_heading(app, new_page):
    await seed(app)
    page = await new_page(height=300)
    await page.goto(f"/rfcs/{SLUG}#motivation")
    heading = page.get_by_role("heading", name="Motivation")
    await expect(heading).to_be_in_viewport()
