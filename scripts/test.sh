#!/usr/bin/env bash
# Install what the tests need (Chromium from Debian's packages included) and run
# every check: Python lint and types, the client's type check and build, and the
# whole test suite, browser tests and tests against a real Gitea included.
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

# A real Gitea for the tests marked `gitea`, built once from the Go module proxy into
# ~/.cache/rfc-app and reused after. RFC_APP_SKIP_GITEA_BUILD=1 skips this step (for
# `-m "not gitea"` runs); without it a missing Go toolchain stops here, not in pytest.
if [ "${RFC_APP_SKIP_GITEA_BUILD:-}" != "1" ]; then
    export PATH="$PATH:/usr/local/go/bin"
    if ! command -v go >/dev/null; then
        echo "test.sh: the Go toolchain (1.26+) is needed to build Gitea for the gitea tests;" \
             "install it, or set RFC_APP_SKIP_GITEA_BUILD=1 and pass -m 'not gitea'" >&2
        exit 1
    fi
    echo "Gitea for the tests: $(bash tests/gitea/build_gitea.sh)"
fi

.venv/bin/ruff check server realtime tests bench
.venv/bin/mypy server realtime
.venv/bin/pytest "$@"
