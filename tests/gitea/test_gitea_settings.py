"""Gitea mode's settings: every required one named when missing, defaults not enough."""

from __future__ import annotations

import pytest

from server.settings import MissingSetting, load_settings

REQUIRED = {
    "GITEA_URL": "https://git.example.org", "GITEA_BOT_USER": "rfc-bot",
    "GITEA_BOT_TOKEN": "token", "GITEA_ORG": "rfcs", "META_REPO": "meta",
    "OAUTH_CLIENT_ID": "id", "OAUTH_CLIENT_SECRET": "secret",
    "APP_URL": "https://rfc.example.org", "SECRET_KEY": "key", "OWNER_GITEA_LOGIN": "olivia",
    "GITEA_WEBHOOK_SECRET": "hook", "DATABASE_PATH": "/var/lib/rfc-app/rfc-app.db"}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_missing_setting_is_named(name: str) -> None:
    given = {"FORGE": "gitea", **{k: v for k, v in REQUIRED.items() if k != name}}
    with pytest.raises(MissingSetting) as missing:
        load_settings(given, env_file=None)
    assert str(missing.value) == f"Required environment variable {name} is not set"


def test_an_empty_value_is_missing_too() -> None:
    with pytest.raises(MissingSetting, match="GITEA_BOT_TOKEN"):
        load_settings({"FORGE": "gitea", **REQUIRED, "GITEA_BOT_TOKEN": ""}, env_file=None)


def test_gitea_mode_takes_owner_and_bot_from_the_gitea_names() -> None:
    settings = load_settings({"FORGE": "gitea", **REQUIRED, "OWNER_LOGIN": "ignored",
                              "BOT_LOGIN": "ignored"}, env_file=None)
    assert (settings.owner_login, settings.bot_login) == ("olivia", "rfc-bot")
    assert settings.meta_repo == ("rfcs", "meta")
    embedded = load_settings({"OWNER_LOGIN": "boss"}, env_file=None)
    assert (embedded.owner_login, embedded.bot_login) == ("boss", "rfc-bot")


def test_embedded_mode_needs_none_of_them() -> None:
    assert load_settings({}, env_file=None).FORGE == "embedded"
