"""Names as Gitea's routes want them: branch names checked like git, paths encoded once.

Branch names and file paths go into wildcard routes (``/branches/*``, ``/contents/*``),
where Gitea takes the rest of the path literally: slashes stay slashes and every other
character that is not unreserved (``#``, ``%``, ``?``, ``+``, spaces, non-ASCII) is
percent-encoded exactly once. Owner and repository names are single segments.
"""

from __future__ import annotations

from urllib.parse import quote

# Gitea's form binding refuses longer branch names (``MaxSize(100)``).
GITEA_MAX_BRANCH = 100

# Scratch branches the Gitea forge writes a commit on before it moves the real branch
# (see ``GiteaForge.commit_files``). Their events are dropped and they are never listed.
SCRATCH_PREFIX = "rfc-app-scratch/"


def segment(value: str) -> str:
    """One path segment: an owner or repository name, or a number."""
    return quote(value, safe="")


def wildcard(value: str) -> str:
    """A branch name or file path in a wildcard route: slashes literal, the rest encoded once."""
    return quote(value, safe="/")


def is_scratch(branch: str) -> bool:
    return branch.startswith(SCRATCH_PREFIX)


def branch_name_problem(name: str) -> str | None:
    """Why git (``check-ref-format --branch``) or Gitea refuses ``name``; None if neither does."""
    parts = name.split("/")
    checks: list[tuple[bool, str]] = [
        (not name, "it is empty"),
        (name.startswith("-"), "it starts with '-'"),
        (name in ("HEAD", "@"), f"{name!r} is reserved"),
        (name.startswith("/") or name.endswith("/"), "it starts or ends with '/'"),
        ("//" in name, "it contains '//'"),
        (".." in name, "it contains '..'"),
        (name.endswith("."), "it ends with '.'"),
        (any(p.startswith(".") for p in parts), "a component starts with '.'"),
        (any(p.endswith(".lock") for p in parts), "a component ends with '.lock'"),
        ("@{" in name, "it contains '@{'"),
        (any(c in name for c in " ~^:?*[\\"),
         "it contains a space or one of ~ ^ : ? * [ \\"),
        (any(ord(c) < 32 or ord(c) == 127 for c in name), "it contains a control character"),
        (len(name) > GITEA_MAX_BRANCH, f"it is longer than {GITEA_MAX_BRANCH} characters"),
        (is_scratch(name), f"names starting with {SCRATCH_PREFIX!r} are the app's own"),
    ]
    return next((why for broken, why in checks if broken), None)


def path_problem(path: str) -> str | None:
    """Why a file path cannot be written (absolute, empty parts, dot parts, .git)."""
    parts = path.split("/")
    if (not path or path.startswith("/") or any(p in ("", ".", "..", ".git") for p in parts)
            or "\0" in path or "\n" in path):
        return f"invalid file path {path!r}"
    return None
