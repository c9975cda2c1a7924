"""Every setting of the app, declared once.

Each field carries its environment name, its help text and whether it is a
secret. ``load_settings`` reads them from the environment (and a ``.env`` file),
``deploy/env.example`` and the runbook list them, and a test fails when either
misses one.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values


class MissingSetting(RuntimeError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Required environment variable {name} is not set")
        self.name = name


class BadSetting(RuntimeError):
    pass


def _setting(default: Any, help: str, *, secret: bool = False, required_for: str = "") -> Any:
    return field(default=default,
                 metadata={"help": help, "secret": secret, "required_for": required_for})


@dataclass(frozen=True)
class Settings:
    FORGE: str = _setting("embedded", "Which git hosting holds the RFCs: `embedded` (git "
                          "repositories under DATA_DIR) or `gitea`.")
    DATA_DIR: Path = _setting(Path("data"), "Folder for the SQLite file, the embedded forge's "
                              "repositories and the generated secret key.")
    DATABASE_PATH: Path | None = _setting(None, "The SQLite file. Default: DATA_DIR/rfc-app.db.",
                                          required_for="gitea")
    SECRET_KEY: str = _setting("", "Signs session cookies, CSRF tokens and unsubscribe links. "
                               "Generated into DATA_DIR/secret_key in embedded mode when unset.",
                               secret=True, required_for="gitea")
    APP_URL: str = _setting("", "The public address of the app, e.g. https://rfc.example.org. "
                            "Default: http://HOST:PORT.", required_for="gitea")
    HOST: str = _setting("127.0.0.1", "Address `rfc-app serve` listens on.")
    PORT: int = _setting(8000, "Port `rfc-app serve` listens on.")
    OWNER_LOGIN: str = _setting("owner", "The login that becomes the owner at first sign-in "
                                "(embedded forge; with Gitea, OWNER_GITEA_LOGIN).")
    GITEA_ORG: str = _setting("rfcs", "Organization that holds the meta repository and every "
                              "graduated RFC repository (both forges).", required_for="gitea")
    META_REPO: str = _setting("meta", "Name of the meta repository inside GITEA_ORG.",
                              required_for="gitea")
    BOT_LOGIN: str = _setting("rfc-bot", "Account the app acts as on the forge (the committer "
                              "of every commit it writes; with Gitea, GITEA_BOT_USER).")
    GITEA_URL: str = _setting("", "Gitea's address, e.g. https://git.example.org.",
                              required_for="gitea")
    GITEA_BOT_USER: str = _setting("", "The Gitea account the app acts as (it owns GITEA_ORG).",
                                   required_for="gitea")
    GITEA_BOT_TOKEN: str = _setting("", "An access token of GITEA_BOT_USER with the scopes "
                                    "write:repository, write:issue, write:organization and "
                                    "write:user.", secret=True, required_for="gitea")
    GITEA_WEBHOOK_SECRET: str = _setting("", "Shared secret of Gitea's webhook to "
                                         "APP_URL/api/webhooks/gitea; deliveries whose "
                                         "signature does not match are refused.", secret=True,
                                         required_for="gitea")
    OAUTH_CLIENT_ID: str = _setting("", "Client ID of the OAuth2 application registered in "
                                    "Gitea for sign-in (redirect URI APP_URL/auth/callback).",
                                    required_for="gitea")
    OAUTH_CLIENT_SECRET: str = _setting("", "Client secret of that OAuth2 application.",
                                        secret=True, required_for="gitea")
    OWNER_GITEA_LOGIN: str = _setting("", "The Gitea login that becomes the owner at first "
                                      "sign-in.", required_for="gitea")
    DEMO_PASSWORD: str = _setting("", "Password given to the demo accounts by `rfc-app demo`; "
                                  "generated and printed when unset.", secret=True)
    LOG_LEVEL: str = _setting("INFO", "Python logging level.")
    RECONCILE_TICK_SECONDS: int = _setting(300, "Seconds between reconciler sweeps, which "
                                           "repair the cache from the forge (the safety net "
                                           "for lost forge events). 0 turns the periodic sweep "
                                           "off; start-up always sweeps once.")
    HYGIENE_TICK_SECONDS: int = _setting(3600, "Seconds between branch hygiene passes (close "
                                         "idle branches, delete stale ones). 0 turns them "
                                         "off; `rfc-app sweep hygiene` still runs one.")

    @property
    def database_path(self) -> Path:
        return self.DATABASE_PATH or self.DATA_DIR / "rfc-app.db"

    @property
    def git_root(self) -> Path:
        return self.DATA_DIR / "git"

    @property
    def owner_login(self) -> str:
        return self.OWNER_GITEA_LOGIN if self.FORGE == "gitea" else self.OWNER_LOGIN

    @property
    def bot_login(self) -> str:
        return self.GITEA_BOT_USER if self.FORGE == "gitea" else self.BOT_LOGIN

    @property
    def meta_repo(self) -> tuple[str, str]:
        return (self.GITEA_ORG, self.META_REPO)

    @property
    def public_url(self) -> str:
        return self.APP_URL.rstrip("/") or f"http://{self.HOST}:{self.PORT}"

    @property
    def cookies_secure(self) -> bool:
        return self.public_url.startswith("https://")

    def with_overrides(self, **values: Any) -> Settings:
        return replace(self, **values)


def declared() -> list[tuple[str, str, bool]]:
    """(name, help, secret) of every setting, for docs and their tests."""
    return [(f.name, f.metadata["help"], f.metadata["secret"]) for f in fields(Settings)]


def _convert(name: str, kind: Any, raw: str) -> Any:
    text = raw.strip()
    if kind is int or kind == "int":
        try:
            return int(text)
        except ValueError:
            raise BadSetting(f"Environment variable {name} must be a whole number, "
                             f"not {text!r}") from None
    if kind in (Path, "Path", Path | None, "Path | None"):
        return Path(text).expanduser() if text else None
    return text


def load_settings(environ: Mapping[str, str] | None = None,
                  env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read settings from a `.env` file, then the environment (which wins), then overrides."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    kwargs: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name in values and values[f.name] != "":
            converted = _convert(f.name, f.type, values[f.name])
            if converted is not None:
                kwargs[f.name] = converted
    kwargs.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**kwargs)
    if settings.FORGE not in ("embedded", "gitea"):
        raise BadSetting(f"FORGE must be `embedded` or `gitea`, not {settings.FORGE!r}")
    for f in fields(Settings):
        # Required means given: a default (META_REPO's "meta", say) does not count.
        if f.metadata["required_for"] == settings.FORGE and f.name not in kwargs:
            raise MissingSetting(f.name)
    return settings


def ensure_secret_key(settings: Settings) -> Settings:
    """Embedded mode works with no configuration: keep a generated key in DATA_DIR."""
    if settings.SECRET_KEY:
        return settings
    key_file = settings.DATA_DIR / "secret_key"
    if key_file.is_file():
        key = key_file.read_text().strip()
    else:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
    return replace(settings, SECRET_KEY=key)
