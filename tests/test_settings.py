"""Settings: declared once, documented everywhere, clear when missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import MissingSetting, declared, ensure_secret_key, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("document", ["deploy/env.example", "deploy/RUNBOOK.md", "README.md"])
def test_every_setting_is_documented(document):
    text = (ROOT / document).read_text()
    missing = [name for name, _, _ in declared() if name not in text]
    assert missing == []


# Everything Gitea mode needs, but SECRET_KEY.
GITEA_BUT_THE_KEY = {
    "FORGE": "gitea", "APP_URL": "https://rfc.example.org", "DATABASE_PATH": "/tmp/rfc.db",
    "GITEA_URL": "https://git.example.org", "GITEA_BOT_USER": "rfc-bot",
    "GITEA_BOT_TOKEN": "t", "GITEA_ORG": "rfcs", "META_REPO": "meta",
    "OAUTH_CLIENT_ID": "c", "OAUTH_CLIENT_SECRET": "s", "OWNER_GITEA_LOGIN": "owner",
    "GITEA_WEBHOOK_SECRET": "w"}


def test_gitea_mode_requires_a_secret_key():
    with pytest.raises(MissingSetting) as missing:
        load_settings(GITEA_BUT_THE_KEY, env_file=None)
    assert str(missing.value) == "Required environment variable SECRET_KEY is not set"


def test_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9001\nOWNER_LOGIN=from-file\n")
    settings = load_settings({"PORT": "9002"}, env_file=env_file)
    assert settings.PORT == 9002
    assert settings.OWNER_LOGIN == "from-file"


def test_a_malformed_number_is_named():
    with pytest.raises(RuntimeError, match="PORT must be a whole number"):
        load_settings({"PORT": "eighty"}, env_file=None)


def test_embedded_mode_generates_and_keeps_a_secret_key(tmp_path):
    settings = load_settings({}, env_file=None, DATA_DIR=tmp_path)
    first = ensure_secret_key(settings).SECRET_KEY
    second = ensure_secret_key(settings).SECRET_KEY
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_command_line_names_a_missing_setting(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate", "--data-dir", str(tmp_path)],
        env={**GITEA_BUT_THE_KEY, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
        cwd=tmp_path)
    assert result.returncode == 2
    assert "Required environment variable SECRET_KEY is not set" in result.stderr
