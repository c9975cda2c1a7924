"""The `rfc-app` command as an operator uses it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support import free_port

RFC_APP = [sys.executable, "-m", "server.cli"]


def run_demo(data_dir: Path, port: int, password: str = "demo-password-1",
             check: Callable[[str], None] | None = None) -> tuple[list[str], int]:
    """Start `rfc-app demo`, wait until it serves, ``check`` it, stop it; what it printed."""
    env = {**os.environ, "DEMO_PASSWORD": password, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen([*RFC_APP, "demo", "--port", str(port), "--data-dir",
                                str(data_dir)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip())
            if "Stop with Ctrl+C" in line:
                break
        for _ in range(300):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                catalog = httpx.get(f"http://127.0.0.1:{port}/api/catalog", timeout=5).json()
                assert health.json()["ok"] is True
                if check is not None:
                    check(f"http://127.0.0.1:{port}")
                return lines, len(catalog["rfcs"]) * 100 + len(catalog["pending"])
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("demo never answered:\n" + "\n".join(lines))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_demo_seeds_once_and_reuses_its_data(tmp_path):
    data_dir = tmp_path / "demo"
    port = free_port()
    first, counts = run_demo(data_dir, port)
    text = "\n".join(first)
    assert f"Open http://127.0.0.1:{port}/" in text
    assert "owner, alice, bob" in text and "demo-password-1" in text
    assert "created:" in text
    assert counts == 3 * 100 + 1, "three super-drafts and one pending idea"
    second, counts_again = run_demo(data_dir, port)
    assert "(reused)" in "\n".join(second)
    assert counts_again == counts

    def signs_in_with_the_new_password(base: str) -> None:
        with httpx.Client(base_url=base, timeout=10) as browser:
            token = browser.get("/api/me").json()["csrf_token"]
            answer = browser.post("/auth/login", headers={"X-CSRF-Token": token},
                                  json={"username": "alice", "password": "demo-password-2"})
            assert answer.status_code == 200, answer.text

    third, _ = run_demo(data_dir, port, "demo-password-2", signs_in_with_the_new_password)
    assert "new password for owner" in "\n".join(third), "the printed password is the one"
    assert "demo-password-2" in "\n".join(third)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(data_dir / "git" / "rfcs" / "meta.git"),
                    str(clone)], check=True)
    assert sorted(p.name for p in (clone / "rfcs").iterdir()) == [
        "conduct-enforcement.md", "deprecation-policy.md", "structured-release-notes.md"]


def test_users_add_reads_the_password_from_stdin(tmp_path):
    result = subprocess.run([*RFC_APP, "users", "add", "carol", "--email", "c@example.org",
                             "--data-dir", str(tmp_path)], input="a long password\n",
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "added carol (contributor)"
    again = subprocess.run([*RFC_APP, "users", "add", "carol", "--data-dir", str(tmp_path)],
                           input="a long password\n", capture_output=True, text=True,
                           cwd=tmp_path)
    assert again.returncode == 1
    assert "exists already" in again.stderr


def test_users_add_generates_a_password_when_given_none(tmp_path):
    result = subprocess.run([*RFC_APP, "users", "add", "owner", "--data-dir", str(tmp_path)],
                            input="\n", capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "added owner (owner)" in result.stdout
    assert len(result.stdout.split("password: ")[1].strip()) >= 12


def test_migrate_reports_what_it_applied(tmp_path):
    first = subprocess.run([*RFC_APP, "migrate", "--data-dir", str(tmp_path)],
                           capture_output=True, text=True, cwd=tmp_path)
    second = subprocess.run([*RFC_APP, "migrate", "--data-dir", str(tmp_path)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert "0001_initial.sql" in first.stdout
    assert "up to date" in second.stdout
