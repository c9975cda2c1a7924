"""The forge contract suite (``tests/forge/contract.py``) on a real Gitea.

Fixtures come from ``tests/gitea/conftest.py``: a Gitea started for the session, and per
test a ``GiteaForge`` whose events arrive as webhooks Gitea really delivers.
"""

from __future__ import annotations

from tests.forge.contract import *  # noqa: F403  (the contract suite, collected here)
