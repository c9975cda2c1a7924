#!/usr/bin/env bash
# Build a real Gitea from the Go module proxy once, into a cache outside the
# repository, and print the binary's path. Later runs reuse the binary.
#
#   GITEA_VERSION   release to build (default below)
#   RFC_APP_CACHE   cache folder (default: ~/.cache/rfc-app)
set -euo pipefail

VERSION="${GITEA_VERSION:-1.26.0}"
CACHE="${RFC_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rfc-app}"
TARGET="$CACHE/gitea-v$VERSION"
BINARY="$TARGET/gitea"

if [ -x "$BINARY" ] && [ -d "$TARGET/src/templates" ]; then
    echo "$BINARY"
    exit 0
fi

mkdir -p "$TARGET"
# One build at a time (pytest and scripts/test.sh may both ask); the others wait and reuse it.
if command -v flock >/dev/null; then
    exec 9>"$TARGET.lock"
    flock 9
    if [ -x "$BINARY" ] && [ -d "$TARGET/src/templates" ]; then
        echo "$BINARY"
        exit 0
    fi
fi
export GOFLAGS="-mod=mod"
# `go install` refuses modules whose go.mod has replace directives, so build the
# downloaded module source as a main module of its own.
SOURCE=$(go mod download -json "code.gitea.io/gitea@v$VERSION" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
rm -rf "$TARGET/src.tmp"
cp -r "$SOURCE" "$TARGET/src.tmp"
chmod -R u+w "$TARGET/src.tmp"
(
    cd "$TARGET/src.tmp"
    # No bindata: templates and options are read from this folder at run time.
    CGO_ENABLED=1 nice -n 10 go build -trimpath -tags 'sqlite sqlite_unlock_notify' \
        -ldflags "-X main.Version=$VERSION -X 'main.Tags=sqlite sqlite_unlock_notify'" \
        -o "$TARGET/gitea.tmp" .
) >&2
rm -rf "$TARGET/src"
mv "$TARGET/src.tmp" "$TARGET/src"
mv "$TARGET/gitea.tmp" "$BINARY"
echo "$BINARY"
