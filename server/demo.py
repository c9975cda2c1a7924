"""Demo data: three super-drafts, one pending idea and three accounts."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from server.domain import proposals
from server.domain.accounts import add_user, generate_password, password_matches, set_password
from server.domain.rfcs import RfcMeta, render_rfc_file, rfc_path
from server.forge.port import FileChange, Person
from server.services import Services

CONTRIBUTORS = (("alice", "Alice Liddell"), ("bob", "Bob Marley"))


def demo_users(owner_login: str) -> tuple[tuple[str, str], ...]:
    """The demo's accounts: the configured owner first, then two contributors."""
    return ((owner_login, "Olive Owner"), *CONTRIBUTORS)

SAMPLE_RFCS = (
    (RfcMeta(title="Structured release notes", slug="structured-release-notes",
             pitch="Every change carries a machine-readable note, so release notes write "
                   "themselves.", authors=("alice",)),
     "# Structured release notes\n\nEvery merged change carries a short note in a fixed "
     "format, and the release tool assembles them.\n\n## Motivation\n\nRelease notes are "
     "written in a hurry on release day and miss half of what changed.\n\n## Proposal\n\n"
     "| field | meaning |\n|---|---|\n| kind | feature, fix, breaking |\n| summary | one "
     "line a user understands |\n\n```toml\n[note]\nkind = \"fix\"\nsummary = \"Search "
     "no longer ignores accents\"\n```\n\n## Unresolved questions\n\n- [ ] Who writes "
     "the note for a change by a first-time contributor?\n"),
    (RfcMeta(title="Deprecation policy", slug="deprecation-policy",
             pitch="A feature is removed only after two releases of warnings and a "
                   "documented path off it.", authors=("bob", "alice")),
     "# Deprecation policy\n\nNothing disappears without warning.\n\n## Proposal\n\n1. "
     "Mark the feature deprecated, with a warning naming the replacement.\n2. Keep it "
     "working for at least two releases.\n3. Remove it in a release whose notes say so."
     "\n\n## Drawbacks\n\nOld code lives longer than maintainers would like.\n"),
    (RfcMeta(title="Code of conduct enforcement", slug="conduct-enforcement",
             pitch="Who handles reports, how fast, and what people who report can expect.",
             authors=("owner",)),
     "# Code of conduct enforcement\n\nA code of conduct is only as good as its "
     "enforcement.\n\n## Proposal\n\nA team of three moderators answers every report "
     "within two working days and tells the reporter what was done.\n"),
)

PENDING_IDEA = ("Async-first meetings", "async-first-meetings",
                "Decisions happen in writing; meetings only resolve what writing could not.")


def demo_password(data_dir: Path, configured: str) -> str:
    """The configured password, or one generated once and kept for later runs."""
    if configured:
        return configured
    kept = data_dir / "demo-password"
    if kept.is_file():
        return kept.read_text().strip()
    password = generate_password()
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


async def seed_demo(services: Services, password: str) -> list[str]:
    """Create what is missing; return what was created (empty on a second run).

    The demo accounts always take ``password``, the one printed for the person
    trying the demo, even when an earlier run used another.
    """
    d = services.domain
    created: list[str] = []
    users = {}
    owner_login = services.settings.OWNER_LOGIN
    for login, name in demo_users(owner_login):
        async with d.store.read() as uow:
            user = await uow.users.by_login(login)
        if user is None:
            user = await add_user(d, login=login, email=f"{login}@example.invalid",
                                  password=password, display_name=name)
            created.append(f"account {login}")
        elif not await password_matches(d, login, password):
            await set_password(d, user, password)
            created.append(f"new password for {login}")
        users[login] = user
    repo = await d.forge.get_repo(d.meta_repo)
    existing = set(await d.forge.list_dir(d.meta_repo, "rfcs", repo.default_branch))
    for sample, body in SAMPLE_RFCS:
        if f"{sample.slug}.md" in existing:
            continue
        meta = replace(sample, authors=tuple(owner_login if a == "owner" else a
                                             for a in sample.authors))
        head = (await d.forge.get_branch(d.meta_repo, repo.default_branch)).head
        first_author = users[meta.authors[0]]
        await d.forge.commit_files(
            d.meta_repo, repo.default_branch,
            [FileChange(rfc_path(meta.slug), render_rfc_file(meta, body))],
            message=f"Add super-draft: {meta.title}",
            author=Person(first_author.login, first_author.display_name, first_author.email),
            expected_head=head)
        created.append(f"super-draft {meta.slug}")
    title, slug, pitch = PENDING_IDEA
    if f"{slug}.md" not in existing and not any(
            p.head_branch == f"proposal/{slug}"
            for p in await d.forge.list_pull_requests(d.meta_repo, "all")):
        await proposals.propose_rfc(d, services.ingest, users["bob"], title=title, slug=slug,
                                    pitch=pitch)
        created.append(f"proposal {slug}")
    return created
