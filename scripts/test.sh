#!/usr/bin/env bash
# Install what the tests need (Chromium from Debian's packages included) and run
# every check: Python lint and types, the client's type check and build, and the
# whole test suite, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
export CHROMIUM_PATH="$CHROMIUM"

(cd client && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check \
    && npm run --silent build)

.venv/bin/ruff check server realtime tests bench
.venv/bin/mypy server realtime
.venv/bin/pytest "$@"
