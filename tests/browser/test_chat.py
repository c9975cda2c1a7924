"""Branch chat and discussion threads in real browsers: two people chat on a branch while
the owner sits on the RFC page (presence, unread counts, all live), edits and deletions
reach the other side, read cursors and the unread divider, a closed branch's read-only
chat, a dropped connection that loses nothing, older history, and threads."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.async_api import Locator, Page, expect

from server.domain import chat as chat_domain
from server.domain.limits import SlidingWindow
from tests.browser.conftest import assert_accessible, sign_in
from tests.support import add_account, close_branch, seed_rfc

SLUG = "better-search"
TITLE = "Better search"
BRANCH = "alice/chat"
FULL_BRANCH = f"rfc/{SLUG}/{BRANCH}"
ROOM = f"branch:rfcs/meta:{FULL_BRANCH}"
WIDE = 1440


async def seed(app, *logins: str) -> None:  # type: ignore[no-untyped-def]
    for login in logins:
        await add_account(app, login)
    await seed_rfc(app, SLUG, title=TITLE, body=f"# {TITLE}\n\nOld text.\n")


async def start_branch(page: Page, name: str = BRANCH) -> None:
    await page.goto(f"/rfcs/{SLUG}")
    await page.get_by_role("button", name="Start editing").click()
    await page.get_by_label("Branch name").fill(name)
    await page.get_by_role("button", name="Create branch").click()
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


async def open_as(new_page, login: str, path: str, **size) -> Page:  # type: ignore[no-untyped-def]
    page: Page = await new_page(**({"width": WIDE} | size))
    await sign_in(page, login)
    await page.goto(path)
    return page


def messages(page: Page, name: str = "Chat messages") -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def message(page: Page, text: str, name: str = "Chat messages") -> Locator:
    return messages(page, name).get_by_role("listitem").filter(has_text=text)


def composer(page: Page) -> Locator:
    return page.get_by_label("Message", exact=True)


async def send(page: Page, text: str) -> None:
    await composer(page).fill(text)
    await composer(page).press("Enter")
    await expect(composer(page)).to_have_value("")


async def bodies(page: Page, name: str = "Chat messages") -> list[str]:
    return [t.strip() for t in await messages(page, name).locator(".msg__body").all_inner_texts()]


async def test_two_people_chat_on_a_branch_while_the_owner_watches_the_rfc_page(app, new_page):
    await seed(app, "alice", "bob", "owner")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    branch_url = alice.url

    # The owner sits on the RFC page and never reloads.
    owner = await open_as(new_page, "owner", f"/rfcs/{SLUG}")
    branches = owner.get_by_role("region", name=re.compile(r"^Branches"))
    await expect(branches.get_by_role("link", name=BRANCH)).to_be_visible()
    bob = await open_as(new_page, "bob", branch_url)
    await expect(messages(bob)).to_contain_text("No messages yet")

    # People on a branch count as being on the RFC.
    here = owner.get_by_role("region", name=re.compile(r"^Here now"))
    people = here.get_by_role("list", name="People on this RFC now")
    for login in ("alice", "bob", "owner"):
        await expect(people.get_by_role("listitem").filter(has_text=login)).to_be_visible()
    on_branch = alice.get_by_role("list", name="On this branch now")
    await expect(on_branch.get_by_role("listitem").filter(has_text="bob")).to_be_visible()

    await send(alice, "Hello **bob**, ready?")
    await expect(message(bob, "Hello bob, ready?")).to_be_visible()
    await expect(message(bob, "Hello bob, ready?").locator("strong")).to_have_text("bob")
    await expect(bob.get_by_role("log", name="New messages from others")).to_contain_text("alice: Hello bob, ready?")
    await expect(branches.get_by_text("1 unread", exact=True)).to_be_visible()

    # Typing shows, then goes away by itself.
    await composer(bob).fill("Yes")
    await expect(alice.get_by_text("bob is typing…")).to_be_visible()
    await expect(alice.get_by_text("bob is typing…")).to_have_count(0, timeout=8000)

    await send(bob, "Yes")
    await send(bob, "Second point")
    await send(bob, "Third point")
    await expect(message(alice, "Third point")).to_be_visible()
    assert await bodies(alice) == ["Hello bob, ready?", "Yes", "Second point", "Third point"]
    assert await bodies(bob) == await bodies(alice)
    await expect(branches.get_by_text("4 unread", exact=True)).to_be_visible()
    await assert_accessible(alice, "the branch page with chat")

    # Edit and delete one's own messages; the other side follows live.
    await message(alice, "Hello bob").get_by_role("button", name="Edit message").click()
    await alice.get_by_label("Edited message").fill("Hello bob, ready now?")
    await alice.get_by_role("button", name="Save edit").click()
    await expect(message(bob, "Hello bob, ready now?")).to_contain_text("(edited)")
    await expect(message(bob, "Hello bob, ready now?").get_by_role("button", name="Edit message")).to_have_count(0)
    await message(bob, "Second point").get_by_role("button", name="Delete message").click()
    await bob.get_by_role("button", name="Confirm delete").click()
    await expect(message(alice, "This message was deleted")).to_be_visible()
    await expect(message(alice, "Second point")).to_have_count(0)
    assert len(await messages(alice).get_by_role("listitem").all()) == 4


async def test_a_dropped_connection_loses_nothing_and_keeps_the_unsent_text(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    bob = await open_as(new_page, "bob", alice.url)
    await send(alice, "before the cut")
    await expect(message(bob, "before the cut")).to_be_visible()

    await bob.context.set_offline(True)
    await expect(bob.get_by_role("status").filter(has_text="Reconnecting…")).to_be_visible()
    # Typed while offline: sending says why it did not go, and the text stays.
    await composer(bob).fill("written offline")
    await composer(bob).press("Enter")
    await expect(bob.get_by_role("alert").filter(has_text="You are offline")).to_be_visible()
    await expect(composer(bob)).to_have_value("written offline")
    for n in range(3):
        await send(alice, f"while away {n}")

    await bob.context.set_offline(False)
    await expect(message(bob, "while away 2")).to_be_visible()
    await send(alice, "after the return")
    await expect(message(bob, "after the return")).to_be_visible()
    expected = ["before the cut", "while away 0", "while away 1", "while away 2", "after the return"]
    assert await bodies(bob) == expected, "missed messages arrive once, in order"
    await expect(composer(bob)).to_have_value("written offline")
    await composer(bob).press("Enter")
    await expect(message(alice, "written offline")).to_be_visible()
    assert await bodies(alice) == [*expected, "written offline"]

    # Unsent text also survives a reload.
    await composer(alice).fill("a thought for later")
    await alice.wait_for_timeout(400)  # the draft is kept a moment after typing
    await alice.reload()
    await expect(composer(alice)).to_have_value("a thought for later")


async def test_read_cursors_drive_the_unread_divider_and_counts_in_other_tabs(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    branch_url = alice.url
    await send(alice, "first news")
    await send(alice, "second news")

    bob = await open_as(new_page, "bob", f"/rfcs/{SLUG}")
    bob_branches = bob.get_by_role("region", name=re.compile(r"^Branches"))
    await expect(bob_branches.get_by_text("2 unread", exact=True)).to_be_visible()
    # Bob reads in a second tab; the first one's count follows.
    reading = await bob.context.new_page()
    await reading.goto(branch_url)
    await expect(message(reading, "second news")).to_be_visible()
    await expect(messages(reading).get_by_role("listitem").filter(has_text="Unread messages start here")).to_be_visible()
    await expect(bob_branches.get_by_text("unread")).to_have_count(0)

    await reading.close()
    await send(alice, "third news")
    await expect(bob_branches.get_by_text("1 unread", exact=True)).to_be_visible()
    await bob_branches.get_by_role("link", name=BRANCH).click()
    await expect(message(bob, "third news")).to_be_visible()
    items = [" ".join(t.lower().split()) for t in await messages(bob).get_by_role("listitem").all_inner_texts()]
    divider = next(i for i, text in enumerate(items) if "unread messages start here" in text)
    assert "third news" in items[divider + 1], items
    assert sum("unread" in text for text in items) == 1, items


async def set_branch_state(app, state: str) -> None:  # type: ignore[no-untyped-def]
    """Close the branch the way the hygiene sweep does (a recorded mark, then a re-sync)."""
    assert state == "closed"
    await close_branch(app, FULL_BRANCH)


async def test_a_closed_branch_keeps_a_read_only_chat(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    await send(alice, "said while open")
    bob = await open_as(new_page, "bob", alice.url, width=360, height=740, dark=True)
    await bob.get_by_role("tab", name="Chat").click()
    await expect(message(bob, "said while open")).to_be_visible()

    await set_branch_state(app, "closed")
    # Alice still has the page open: the server refuses, her text stays, the notice appears.
    await composer(alice).fill("said after closing")
    await composer(alice).press("Enter")
    await expect(alice.get_by_role("alert").filter(has_text="its chat is read-only")).to_contain_text("Not sent")
    await expect(composer(alice)).to_have_value("said after closing")
    await expect(composer(alice)).to_be_disabled()
    await expect(message(alice, "said while open").get_by_role("button", name="Edit message")).to_have_count(0)

    await bob.reload()
    await bob.get_by_role("tab", name="Chat").click()
    await expect(bob.get_by_text("This branch was closed after 30 days without activity; its chat is read-only.")).to_be_visible()
    await expect(message(bob, "said while open")).to_be_visible()
    await expect(composer(bob)).to_be_disabled()
    await expect(bob.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    await assert_accessible(bob, "a closed branch's read-only chat on a phone, dark")


async def post_history(app, count: int) -> None:  # type: ignore[no-untyped-def]
    d = app.services.domain
    async with d.store.read() as uow:
        alice = await uow.users.by_login("alice")
    roomy = SlidingWindow(app.clock, limit=10_000, window=timedelta(seconds=1), what="messages")
    for n in range(count):
        await chat_domain.send_message(d, roomy, alice, ROOM, f"history item {n:02d}")


async def test_older_history_loads_in_place_and_a_reader_scrolled_up_gets_a_marker(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    await post_history(app, 60)
    bob = await open_as(new_page, "bob", alice.url)
    await expect(message(bob, "history item 59")).to_be_attached()
    await expect(message(bob, "history item 09")).to_have_count(0)
    # Bob never read this chat: he starts at the first unread message, the oldest loaded.
    await expect(message(bob, "history item 10")).to_be_in_viewport()
    await bob.get_by_role("button", name="Load older messages").click()
    await expect(message(bob, "history item 00")).to_be_attached()
    await expect(bob.get_by_text("This is the beginning of the conversation.")).to_be_attached()
    await expect(message(bob, "history item 10")).to_be_in_viewport()
    assert len(await bodies(bob)) == 60

    # Alice is at the bottom: her chat follows. Bob is scrolled up: he gets a marker instead.
    await alice.reload()
    await expect(message(alice, "history item 59")).to_be_in_viewport()
    await send(alice, "fresh news")
    await expect(message(alice, "fresh news")).to_be_in_viewport()
    jump = bob.get_by_role("button", name=re.compile(r"^New messages"))
    await expect(jump).to_have_text(re.compile(r"New messages \(1\)"))
    await expect(message(bob, "fresh news")).not_to_be_in_viewport()
    await jump.click()
    await expect(message(bob, "fresh news")).to_be_in_viewport()
    await expect(jump).to_have_count(0)
    await send(bob, "caught up")
    await expect(message(alice, "caught up")).to_be_in_viewport()


async def test_discussion_threads_are_started_listed_and_chatted_in_live(app, new_page):
    await seed(app, "alice", "bob", "owner")
    owner = await open_as(new_page, "owner", f"/rfcs/{SLUG}")
    catalog = await owner.context.new_page()
    await catalog.goto("/catalog")
    await expect(catalog.get_by_role("link", name=TITLE)).to_be_visible()
    discussion = owner.get_by_role("region", name=re.compile(r"^Discussion"))
    await expect(discussion.get_by_text("No discussions yet.")).to_be_visible()

    alice = await open_as(new_page, "alice", f"/rfcs/{SLUG}")
    await alice.get_by_role("button", name="Start a discussion").click()
    await alice.get_by_label("Thread title").fill("Should search be fuzzy?")
    await alice.get_by_label("First message").fill("Let us decide whether search is *fuzzy*.")
    await assert_accessible(alice, "the start-a-discussion form")
    await alice.get_by_role("button", name="Start discussion", exact=True).click()
    await expect(alice).to_have_url(re.compile(rf"/rfcs/{SLUG}/threads/\d+$"))
    await expect(alice.get_by_role("heading", name="Should search be fuzzy?", level=1)).to_be_visible()
    thread_messages = "Discussion messages"
    await expect(message(alice, "Let us decide whether search is fuzzy.", thread_messages)).to_be_visible()

    thread = discussion.get_by_role("listitem").filter(has_text="Should search be fuzzy?")
    await expect(thread).to_contain_text("1 message")
    await expect(thread).to_contain_text("1 unread")

    bob = await open_as(new_page, "bob", f"/rfcs/{SLUG}")
    await bob.get_by_role("link", name="Should search be fuzzy?").click()
    await expect(bob.get_by_role("heading", name="Should search be fuzzy?", level=1)).to_be_visible()
    await send(bob, "Yes, fuzzy by default.")
    await expect(message(alice, "Yes, fuzzy by default.", thread_messages)).to_be_visible()
    await expect(thread).to_contain_text("2 messages")
    await expect(thread).to_contain_text("2 unread")
    await expect(catalog.get_by_text("2 unread in chat")).to_be_visible()
    in_thread = alice.get_by_role("list", name="In this discussion now")
    await expect(in_thread.get_by_role("listitem").filter(has_text="bob")).to_be_visible()
    await assert_accessible(alice, "the thread page")

    phone = await open_as(new_page, "owner", bob.url, width=360, height=740, dark=True)
    await expect(message(phone, "Yes, fuzzy by default.", thread_messages)).to_be_visible()
    await assert_accessible(phone, "the thread page on a phone, dark")
    await expect(catalog.get_by_text("unread in chat")).to_have_count(0)


async def test_sending_again_after_a_lost_answer_shows_the_message_once(app, new_page):
    await seed(app, "alice", "bob")
    alice = await new_page(width=WIDE)
    await sign_in(alice, "alice")
    await start_branch(alice)
    branch_url = alice.url

    # Alice's connection loses the server's answer to her first send: the message is
    # stored and broadcast, but her browser never hears that it was.
    sends: list[str] = []
    dropped: list[str] = []

    def lose_first_send_answer(ws) -> None:  # type: ignore[no-untyped-def]
        server = ws.connect_to_server()

        def upstream(frame) -> None:  # type: ignore[no-untyped-def]
            found = re.match(r'^42(\d+)\["chat\.send"', frame) if isinstance(frame, str) else None
            if found:
                sends.append(found.group(1))
            server.send(frame)

        def downstream(frame) -> None:  # type: ignore[no-untyped-def]
            if (isinstance(frame, str) and sends and not dropped
                    and frame.startswith(f"43{sends[0]}[")):
                dropped.append(frame)
                return
            ws.send(frame)

        ws.on_message(upstream)
        server.on_message(downstream)

    await alice.route_web_socket(re.compile(r"/socket\.io/"), lose_first_send_answer)
    await alice.reload()
    bob = await open_as(new_page, "bob", branch_url)
    await send(bob, "ready when you are")
    await expect(message(alice, "ready when you are")).to_be_visible()

    await composer(alice).fill("said only once")
    await composer(alice).press("Enter")
    await expect(message(bob, "said only once")).to_be_visible()
    await expect(alice.get_by_role("alert").filter(has_text="did not answer in time")
                 ).to_be_visible(timeout=15_000)
    assert dropped, "the first answer was lost on the way"
    await expect(composer(alice)).to_have_value("said only once")

    # She sends again: the server recognises the message and stores nothing new.
    await composer(alice).press("Enter")
    await expect(composer(alice)).to_have_value("")
    await expect(alice.get_by_role("alert").filter(has_text="did not answer")).to_have_count(0)
    assert await bodies(bob) == ["ready when you are", "said only once"]
    assert await bodies(alice) == ["ready when you are", "said only once"]
    await bob.reload()
    await expect(message(bob, "said only once")).to_be_visible()
    assert await bodies(bob) == ["ready when you are", "said only once"]
