"""A throwaway Gitea on 127.0.0.1 for tests: built once by ``build_gitea.sh``, booted here.

``GiteaServer.start`` writes an app.ini (SQLite, webhooks allowed to loopback, no
mailer), migrates the database, creates an admin and the app's bot with the Gitea CLI,
starts ``gitea web`` and waits until it answers. Everything else (tokens,
organizations, OAuth applications, people) is made through Gitea's own API, as an
operator would.

Queues are ``channel`` (in memory, asynchronous, as in production), not ``immediate``:
with ``immediate`` every webhook is delivered inside the API call that caused it (writes
take about twice as long), and in ``RUN_MODE=prod`` Gitea's own code warns that it
behaves unlike a real queue (``modules/queue/workerqueue.go``): reading a pull request
that is marked "checking" takes the PR's global lock and then runs the check, which
wants the same lock, in the same goroutine. One webhook sender keeps deliveries in
order. ``RFC_APP_GITEA_QUEUE=immediate`` runs the suite the other way.

Run as a script to start one by hand and keep it running::

    .venv/bin/python -m tests.gitea.harness
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = HERE / "build_gitea.sh"

# What the app's bot may do (see deploy/RUNBOOK.md): repositories, pull requests and
# their comments, organization webhooks, its own account.
BOT_SCOPES = "write:repository,write:issue,write:organization,write:user"


class GiteaUnavailable(RuntimeError):
    """Gitea could not be built or started here; the message says why."""


def build_gitea() -> tuple[Path, Path]:
    """Build (or reuse) the binary; return (binary, folder with templates/options/public)."""
    if shutil.which("go") is None and not Path("/usr/local/go/bin/go").exists():
        raise GiteaUnavailable(
            "The Go toolchain is not installed, so the real-Gitea tests cannot build Gitea. "
            "Install Go 1.26 or newer (https://go.dev/dl/), or skip these tests locally "
            "with `pytest -m 'not gitea'`.")
    env = {**os.environ}
    env["PATH"] = f"{env.get('PATH', '')}:/usr/local/go/bin"
    started = time.monotonic()
    result = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True,
                            env=env, timeout=3600)
    if result.returncode != 0:
        raise GiteaUnavailable("Building Gitea failed:\n" + result.stderr[-4000:])
    binary = Path(result.stdout.strip().splitlines()[-1])
    took = time.monotonic() - started
    if took > 5:
        print(f"built Gitea in {took:.0f} s: {binary}", file=sys.stderr)
    return binary, binary.parent / "src"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _random_b64() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


@dataclass
class Account:
    login: str
    password: str
    email: str
    full_name: str = ""
    token: str = ""


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass
class GiteaServer:
    binary: Path
    static_root: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    admin: Account = field(default_factory=lambda: Account(
        "gitea-admin", secrets.token_urlsafe(12), "admin@gitea.test", "Gitea Admin"))
    bot: Account = field(default_factory=lambda: Account(
        "rfc-bot", secrets.token_urlsafe(12), "bot@rfc.test", "RFC Bot"))
    queue_type: str = "channel"
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.workdir / "app.ini"

    @property
    def log_file(self) -> Path:
        return self.workdir / "gitea.log"

    # ---- boot ---------------------------------------------------------------

    def write_config(self) -> None:
        root_line = ("I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true\n"
                     if hasattr(os, "getuid") and os.getuid() == 0 else "")
        data = self.workdir / "data"
        self.config.write_text(f"""{root_line}APP_NAME = Gitea for RFC app tests
RUN_MODE = prod
WORK_PATH = {self.workdir}

[database]
DB_TYPE = sqlite3
PATH = {data}/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = {self.workdir}/repos

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = {self.port}
ROOT_URL = {self.url}/
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
APP_DATA_PATH = {data}
STATIC_ROOT_PATH = {self.static_root}
LFS_START_SERVER = false

[security]
INSTALL_LOCK = true
SECRET_KEY = {secrets.token_hex(32)}
INTERNAL_TOKEN = {secrets.token_hex(48)}
PASSWORD_HASH_ALGO = pbkdf2_hi

[oauth2]
ENABLED = true
JWT_SECRET = {_random_b64()}

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
DEFAULT_KEEP_EMAIL_PRIVATE = false
ENABLE_NOTIFY_MAIL = false

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[queue]
TYPE = {self.queue_type}

; One sender, so webhooks arrive in the order Gitea queued them.
[queue.webhook_sender]
MAX_WORKERS = 1

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[mailer]
ENABLED = false

[cron.update_checker]
ENABLED = false

[session]
PROVIDER = memory

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = {self.workdir}/log

[actions]
ENABLED = false
""")

    def _cli(self, *args: str) -> str:
        result = subprocess.run([str(self.binary), *args, "--config", str(self.config),
                                 "--work-path", str(self.workdir)],
                                capture_output=True, text=True, timeout=300,
                                cwd=self.workdir)
        if result.returncode != 0:
            raise GiteaUnavailable(f"gitea {' '.join(args[:3])} failed:\n"
                                   f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return result.stdout

    def _create_user_cli(self, account: Account, *extra: str) -> None:
        self._cli("admin", "user", "create", "--username", account.login, "--email",
                  account.email, "--password", account.password, "--fullname",
                  account.full_name or account.login, "--must-change-password=false", *extra)

    def start(self) -> GiteaServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.write_config()
        self._cli("migrate")
        self._create_user_cli(self.admin, "--admin")
        self._create_user_cli(self.bot)
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [str(self.binary), "web", "--config", str(self.config), "--work-path",
             str(self.workdir)], stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir,
            start_new_session=True)
        self._wait_until_up()
        self.admin.token = self.create_token(self.admin, "tests", "all")
        self.bot.token = self.create_token(self.bot, "rfc-app", BOT_SCOPES)
        return self

    def _wait_until_up(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise GiteaUnavailable("gitea web exited at start:\n" + self.tail_log())
            try:
                if httpx.get(f"{self.url}/api/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise GiteaUnavailable("gitea web did not answer in time:\n" + self.tail_log())

    def tail_log(self, chars: int = 4000) -> str:
        parts = []
        for path in [self.log_file, *sorted((self.workdir / "log").glob("*.log"))]:
            if path.is_file():
                parts.append(f"--- {path.name}\n" + path.read_text(errors="replace")[-chars:])
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    # ---- the API, as an operator uses it ------------------------------------

    def api(self, method: str, path: str, *, token: str | None = None,
            auth: tuple[str, str] | None = None, expect: tuple[int, ...] = (200, 201, 204),
            **kwargs: Any) -> Any:
        headers = {"Authorization": f"token {token or self.admin.token}"} if auth is None else {}
        response = httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, auth=auth,
                                 timeout=60, **kwargs)
        if response.status_code not in expect:
            raise AssertionError(f"{method} {path} → {response.status_code}: {response.text}")
        return response.json() if response.content else None

    def create_token(self, account: Account, name: str, scopes: str) -> str:
        body = self.api("POST", f"/users/{account.login}/tokens",
                        auth=(account.login, account.password),
                        json={"name": name, "scopes": scopes.split(",")})
        return str(body["sha1"])

    def create_user(self, login: str, *, full_name: str = "", email: str = "") -> Account:
        account = Account(login, secrets.token_urlsafe(12), email or f"{login}@people.test",
                          full_name or login.title())
        self.api("POST", "/admin/users", json={
            "username": account.login, "email": account.email, "password": account.password,
            "full_name": account.full_name, "must_change_password": False,
            "send_notify": False})
        return account

    def ensure_org(self, name: str) -> None:
        """An organization the bot owns (it creates it), as the runbook sets up."""
        if httpx.get(f"{self.url}/api/v1/orgs/{name}", timeout=30).status_code == 200:
            return
        self.api("POST", "/orgs", token=self.bot.token,
                 json={"username": name, "visibility": "public"})

    def delete_org_repos(self, org: str) -> None:
        for repo in self.api("GET", f"/orgs/{org}/repos?limit=50", expect=(200, 404)) or []:
            self.api("DELETE", f"/repos/{org}/{repo['name']}")

    def create_oauth_app(self, name: str, redirect_uri: str) -> OAuthApp:
        body = self.api("POST", "/user/applications/oauth2", json={
            "name": name, "redirect_uris": [redirect_uri], "confidential_client": True,
            "skip_secondary_authorization": False})
        return OAuthApp(body["client_id"], body["client_secret"], redirect_uri)


def start_gitea(workdir: Path | None = None, **options: Any) -> GiteaServer:
    binary, static_root = build_gitea()
    folder = workdir or Path(tempfile.mkdtemp(prefix="rfc-app-gitea-"))
    server = GiteaServer(binary=binary, static_root=static_root, workdir=folder, **options)
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise


if __name__ == "__main__":
    gitea = start_gitea()
    print(f"Gitea at {gitea.url} (work folder {gitea.workdir})")
    print(f"  admin {gitea.admin.login} / {gitea.admin.password}  token {gitea.admin.token}")
    print(f"  bot   {gitea.bot.login} / {gitea.bot.password}  token {gitea.bot.token}")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        gitea.stop()
