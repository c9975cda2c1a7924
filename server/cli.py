"""The `rfc-app` command: serve, demo, migrate, users add, seed-meta, sweep."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

from server.app import create_app
from server.clock import SystemClock, parse_iso
from server.db.engine import Database
from server.db.leases import Leases
from server.db.migrate import migrate
from server.demo import demo_password, demo_users, seed_demo
from server.domain.accounts import add_user, generate_password
from server.domain.hygiene import sweep_hygiene
from server.errors import AppError
from server.forge.gitea.forge import gitea_forge
from server.forge.port import ForgeError, Person
from server.seed_meta import seed_meta
from server.services import Services, open_services
from server.settings import BadSetting, MissingSetting, Settings, ensure_secret_key, load_settings
from server.ticks.scheduler import default_holder, run_lock

log = logging.getLogger("server")

SWEEP_WAIT_SECONDS = 600  # how long `sweep` waits for another process's run of the job
RUN_LOCK_SECONDS = 60  # the sweep's hold on its job, renewed while it runs


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    overrides: dict[str, Any] = {"DATA_DIR": getattr(args, "data_dir", None),
                                 "HOST": getattr(args, "host", None),
                                 "PORT": getattr(args, "port", None), **extra}
    settings = load_settings(**overrides)
    return ensure_secret_key(settings) if settings.FORGE == "embedded" else settings


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _serve(settings: Settings) -> None:
    app = create_app(settings)
    uvicorn.run(app.asgi, host=settings.HOST, port=settings.PORT, log_level="info",
                proxy_headers=True, ws_per_message_deflate=False, timeout_graceful_shutdown=5)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging(settings.LOG_LEVEL)
    _serve(settings)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo is for one person on this machine: never listen beyond loopback.
    settings = _settings(args, HOST="127.0.0.1")
    _configure_logging(settings.LOG_LEVEL)
    password = demo_password(settings.DATA_DIR, settings.DEMO_PASSWORD)

    async def seed() -> list[str]:
        services = await open_services(settings)
        try:
            return await seed_demo(services, password)
        finally:
            await services.close()

    created = asyncio.run(seed())
    print(f"\nDemo data in {settings.DATA_DIR.resolve()}"
          + (f" (created: {', '.join(created)})" if created else " (reused)"))
    print(f"\n  Open {settings.public_url}/ in your browser.")
    print("  Accounts: " + ", ".join(login for login, _ in demo_users(settings.OWNER_LOGIN))
          + f" — password: {password}")
    print(f"  The owner account is `{settings.OWNER_LOGIN}`. Stop with Ctrl+C.\n", flush=True)
    _serve(settings)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging(settings.LOG_LEVEL)

    async def run() -> list[str]:
        db = Database.open_sqlite(settings.database_path)
        try:
            return await migrate(db)
        finally:
            await db.close()

    applied = asyncio.run(run())
    print(f"applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else
                                                    "; the database is up to date"))
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _configure_logging("WARNING")
    generated = False
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.login} (empty to generate one): ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        password, generated = generate_password(), True

    async def run() -> str:
        services = await open_services(settings)
        try:
            user = await add_user(services.domain, login=args.login, email=args.email or "",
                                  password=password, display_name=args.name)
            return user.role
        finally:
            await services.close()

    role = asyncio.run(run())
    print(f"added {args.login} ({role})")
    if generated:
        print(f"password: {password}")
    return 0


def _moment(text: str) -> datetime:
    """An ISO 8601 time with its zone (``2027-01-31T12:00:00Z``), for ``--as-of``."""
    try:
        moment = parse_iso(text) if text.endswith("Z") else datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"give a time zone, e.g. {text}Z for UTC") from None
    return moment


def cmd_sweep(args: argparse.Namespace) -> int:
    """One reconciler or hygiene pass by hand, beside a running server or without one."""
    settings = _settings(args)
    _configure_logging(settings.LOG_LEVEL)

    dry_run = bool(getattr(args, "dry_run", False))

    async def sweep(services: Services) -> list[str]:
        if args.job == "reconcile":
            return [f"reconciler: {(await services.reconciler.sweep()).summary()}"]
        report = await sweep_hygiene(services.domain, services.ingest,
                                     as_of=args.as_of, dry_run=dry_run)
        acts = report.plan.acts if report.dry_run else report.done
        lines = [f"hygiene: {a.describe(done=not report.dry_run, would=report.dry_run)}"
                 for a in acts]
        return [*lines, f"hygiene: {report.summary()}"]

    async def run() -> list[str] | None:
        services = await open_services(settings)
        try:
            if dry_run:  # reads only: nothing to keep apart from a running sweep
                return await sweep(services)
            # Never beside the server's own run of the same job: wait for it to finish.
            leases, holder = Leases(services.db), f"cli:{default_holder()}"
            deadline = time.monotonic() + SWEEP_WAIT_SECONDS
            told = False
            while True:
                async with run_lock(leases, args.job, holder, SystemClock().now,
                                    RUN_LOCK_SECONDS) as mine:
                    if mine:
                        return await sweep(services)
                if time.monotonic() > deadline:
                    print(f"rfc-app: gave up after {SWEEP_WAIT_SECONDS} s: another process "
                          f"is still running the {args.job} sweep", file=sys.stderr)
                    return None
                if not told:
                    print(f"rfc-app: another process is running the {args.job} sweep; "
                          "waiting for it to finish", file=sys.stderr)
                    told = True
                await asyncio.sleep(0.5)
        finally:
            await services.close()

    lines = asyncio.run(run())
    if lines is None:
        return 1
    for line in lines:
        print(line)
    return 0


def cmd_seed_meta(args: argparse.Namespace) -> int:
    """Create or correct the meta repository on Gitea, its files and its webhook."""
    settings = _settings(args)
    _configure_logging("WARNING")
    if settings.FORGE != "gitea":
        print("rfc-app: seed-meta prepares a Gitea; set FORGE=gitea and the Gitea settings",
              file=sys.stderr)
        return 2
    bot = settings.bot_login

    async def run() -> list[str]:
        forge = gitea_forge(settings.GITEA_URL, settings.GITEA_BOT_TOKEN,
                            Person(bot, bot, f"{bot}@users.rfc-app.invalid"))
        try:
            return await seed_meta(settings, forge)
        finally:
            await forge.aclose()

    try:
        lines = asyncio.run(run())
    except ForgeError as exc:
        print(f"rfc-app: seed-meta stopped: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rfc-app", description="Write RFCs together.")
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, *, listen: bool) -> None:
        p.add_argument("--data-dir", type=Path, help="data folder (DATA_DIR)")
        if listen:
            p.add_argument("--port", type=int, help="port to listen on (PORT)")

    serve = commands.add_parser("serve", help="run the app")
    common(serve, listen=True)
    serve.add_argument("--host", help="address to listen on (HOST)")
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="seed demo data and run on 127.0.0.1")
    common(demo, listen=True)
    demo.set_defaults(run=cmd_demo)

    mig = commands.add_parser("migrate", help="apply database migrations")
    common(mig, listen=False)
    mig.set_defaults(run=cmd_migrate)

    users = commands.add_parser("users", help="manage accounts of the embedded forge")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    add = users_commands.add_parser("add", help="add an account (password read from stdin)")
    add.add_argument("login")
    add.add_argument("--email", default="")
    add.add_argument("--name", help="display name (default: the login)")
    common(add, listen=False)
    add.set_defaults(run=cmd_users_add)

    seed = commands.add_parser("seed-meta", help="create or correct the meta repository on "
                               "Gitea, its files and its webhook (safe to repeat)")
    common(seed, listen=False)
    seed.set_defaults(run=cmd_seed_meta)

    sweep = commands.add_parser("sweep", help="run one pass of a periodic job by hand")
    jobs = sweep.add_subparsers(dest="job", required=True)
    reconcile = jobs.add_parser("reconcile", help="repair the cache from the forge")
    common(reconcile, listen=False)
    reconcile.set_defaults(run=cmd_sweep)
    hygiene = jobs.add_parser("hygiene", help="close idle branches, delete stale ones")
    hygiene.add_argument("--dry-run", action="store_true",
                         help="print what would be done; change nothing")
    hygiene.add_argument("--as-of", type=_moment, metavar="ISO-TIME",
                         help="decide as if it were this moment (with a zone, e.g. ...Z)")
    common(hygiene, listen=False)
    hygiene.set_defaults(run=cmd_sweep, as_of=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (MissingSetting, BadSetting) as exc:
        print(f"rfc-app: {exc}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(f"rfc-app: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
