#!/usr/bin/env bash
# Install everything, build the browser client, seed demo data and start the app
# on 127.0.0.1. Extra arguments go to `rfc-app demo` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

(cd client && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)

exec .venv/bin/rfc-app demo --data-dir "${DATA_DIR:-data/demo}" "$@"
