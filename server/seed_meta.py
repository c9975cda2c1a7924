"""``rfc-app seed-meta``: make the meta repository on Gitea ready for the app.

Three upserts, each reported: the repository (created if missing), its hand-written
files (written only where missing or different, in one commit), and the webhook that
tells the app about changes. A second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from server.forge.gitea.forge import GiteaForge
from server.forge.gitea.hooks import ensure_webhook
from server.forge.port import FileChange, ForgeNotFound, RepoRef
from server.settings import Settings

META_DESCRIPTION = "The catalog of RFCs and the proposals for new ones"

README = """\
# The RFC catalog

This repository is where our RFCs start. An RFC ("request for comments") is a
written proposal for a change that matters to more than one person: it says what
should change, why, and what it costs, so that everybody affected can weigh in
before anything is decided.

Most people never need to touch this repository directly: the RFC app, which
signs in with your account on this Gitea, does everything below for you and shows
every change live.

## How an RFC moves

1. **Idea.** Someone proposes an RFC with a title, a short slug and a one-line
   pitch. The app opens a pull request here that adds `rfcs/<slug>.md`. Until
   the owner decides, it is listed as a pending idea.
2. **Super-draft.** When the owner merges the proposal, the file lands on the
   default branch and the RFC appears in the catalog. Anyone can now start an
   edit branch, change the text and open a pull request with the change; title,
   pitch, state and authors change through their own small pull requests.
3. **Graduation.** When the text is ready, someone asks for it to graduate. Once
   the owner approves, the RFC gets a repository of its own in this
   organization, with its history, and its entry here points there.
4. **Decision.** An RFC ends up accepted, rejected, withdrawn or superseded.
   That state is recorded in its file, so the catalog can show and filter it.

Branches that see no commit and no pull request for 30 days are closed (their
chat becomes read-only); 90 days later they are deleted. Pinned branches are
kept.

## What is in here

- `rfcs/` — one Markdown file per RFC, with its metadata at the top.
- `templates/rfc.md` — the outline a new RFC starts from.
- `CONTRIBUTING.md` — how to write and review RFCs well.

The app keeps this repository in shape; please change files under `rfcs/`
through the app or through pull requests, never by pushing to the default
branch.
"""

TEMPLATE = """\
---
title: A short, specific title
slug: a-short-specific-title
pitch: One sentence that tells a busy reader what changes and why.
authors: [your-login]
state: super-draft
---

# A short, specific title

## Summary

Two or three sentences: what you propose, for whom, and the outcome you expect.

## Motivation

What problem does this solve? Who has it today, how often, and what does it cost
them? Link to issues, threads or numbers where you can.

## Proposal

Describe the change precisely enough that someone else could carry it out.
Examples help more than adjectives.

## Alternatives

What else was considered, including doing nothing, and why this proposal is
better.

## Costs and risks

Work, migration, compatibility, maintenance. What could go wrong, and how would
we notice?

## Open questions

What is still undecided. Remove this section once it is empty.
"""

CONTRIBUTING = """\
# Contributing to RFCs

## Before you propose

- Search the catalog first: an existing RFC may already cover your idea, and
  improving it is usually better than starting another.
- One RFC, one decision. If you find yourself writing "and also", consider two.

## Writing

- Start from `templates/rfc.md`. Keep the metadata at the top intact; the app
  reads it.
- Write for someone who was not in the conversation that led to the idea.
- Prefer concrete examples, numbers and links over general statements.

## Editing someone else's RFC

- Work on an edit branch and open a pull request; explain in its description
  what you changed and why.
- Small, focused pull requests are reviewed faster than large ones.
- Discuss disagreements on the branch's chat or in the RFC's threads before
  rewriting someone's argument.

## Reviewing

- Review the text, not the person. Ask questions before asserting.
- Merging a pull request means the change is an improvement, not that the RFC
  is accepted.

## Conduct

Be kind, be specific, assume good intent. The owner and admins may close
proposals and pull requests that do not follow these notes, always with a
reason.
"""

SEED_FILES: dict[str, str] = {
    "README.md": README,
    "templates/rfc.md": TEMPLATE,
    "CONTRIBUTING.md": CONTRIBUTING,
}


def webhook_url(settings: Settings) -> str:
    return f"{settings.public_url}/api/webhooks/gitea"


async def seed_meta(settings: Settings, forge: GiteaForge) -> list[str]:
    """Bring the meta repository and its webhook in line; one line per step done."""
    ref = RepoRef(*settings.meta_repo)
    lines: list[str] = []
    try:
        repo = await forge.get_repo(ref)
        lines.append(f"repository {ref.full_name}: exists")
    except ForgeNotFound:
        repo = await forge.ensure_repo(ref, description=META_DESCRIPTION)
        lines.append(f"repository {ref.full_name}: created")

    head = (await forge.get_branch(ref, repo.default_branch)).head
    changes: list[FileChange] = []
    for path, text in SEED_FILES.items():
        try:
            current = await forge.read_file(ref, path, head)
        except ForgeNotFound:
            state = "created"
        else:
            state = "unchanged" if current.content == text else "updated"
        if state != "unchanged":
            changes.append(FileChange(path, text))
        lines.append(f"{path}: {state}")
    if changes:
        bot = await forge.identity()
        commit = await forge.commit_files(
            ref, repo.default_branch, changes, author=bot, expected_head=head,
            message="Seed the meta repository: " + ", ".join(c.path for c in changes))
        lines.append(f"files committed to {repo.default_branch} as {commit.sha[:12]}")

    url = webhook_url(settings)
    hook = await ensure_webhook(forge.client, org=ref.owner, repo=ref.name, url=url,
                                secret=settings.GITEA_WEBHOOK_SECRET)
    extra = (f", removed {hook.removed_duplicates} duplicate(s)"
             if hook.removed_duplicates else "")
    lines.append(f"{hook.level} webhook to {url}: {hook.action}{extra}")
    return lines
