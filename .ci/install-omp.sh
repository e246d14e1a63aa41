#!/usr/bin/env bash
# Install the real OMP 18.2.3 (and the bun that runs its TypeScript) from npm, for the differential
# tests in tests/compat/. Usage: bash .ci/install-omp.sh [DIR]   (DIR defaults to .ci/omp, git-ignored)
#
# - Idempotent: does nothing when DIR/node_modules already holds exactly these versions.
# - Prints one summary line on success (stdout); npm's own chatter goes to DIR/install.log.
# - When npm is missing, the platform has no bun package, or the registry cannot be reached, it
#   prints a loud WARNING block on stderr and exits 0: the rest of CI still runs and the
#   differential tests skip with their reason. Any other npm failure exits 1 with the log's tail.
# Afterwards: export CATALOGMGR_OMP_DIR="$DIR/node_modules" (.ci/run does this).
set -uo pipefail

OMP_PACKAGE=@oh-my-pi/pi-coding-agent
OMP_VERSION=18.2.3
BUN_VERSION=1.4.4
DIR=${1:-.ci/omp}

warn() {
    {
        echo
        echo "######################################################################"
        echo "WARNING: OMP $OMP_VERSION was NOT installed: $1"
        echo "WARNING: the differential tests against the real OMP (tests/compat/) will SKIP."
        [ $# -gt 1 ] && echo "WARNING: $2"
        echo "######################################################################"
        echo
    } >&2
    exit 0
}

# bun ships one npm package per platform; OMP itself is plain TypeScript.
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) BUN_PACKAGE=@oven/bun-linux-x64 ;;
    Linux-aarch64 | Linux-arm64) BUN_PACKAGE=@oven/bun-linux-aarch64 ;;
    Darwin-arm64) BUN_PACKAGE=@oven/bun-darwin-aarch64 ;;
    Darwin-x86_64) BUN_PACKAGE=@oven/bun-darwin-x64 ;;
    *) warn "no bun package for this platform ($(uname -s) $(uname -m))" ;;
esac

# The "version" field of an installed package's package.json, or nothing.
installed_version() {
    local manifest="$DIR/node_modules/$1/package.json"
    [ -f "$manifest" ] || return 0
    sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

is_installed() {
    [ "$(installed_version "$OMP_PACKAGE")" = "$OMP_VERSION" ] &&
        [ "$(installed_version @oh-my-pi/pi-catalog)" = "$OMP_VERSION" ] &&
        [ "$(installed_version "$BUN_PACKAGE")" = "$BUN_VERSION" ] &&
        [ -x "$DIR/node_modules/$BUN_PACKAGE/bin/bun" ]
}

if is_installed; then
    echo "OMP $OMP_VERSION and bun $BUN_VERSION already installed in $DIR/node_modules"
    exit 0
fi

command -v npm >/dev/null 2>&1 || warn "npm is not installed (install Node.js with npm to run them)"

mkdir -p "$DIR" || warn "cannot create $DIR"
LOG="$DIR/install.log"
# A private package.json keeps npm from walking up into the repository (or a parent's) manifest.
[ -f "$DIR/package.json" ] || printf '{"name": "catalogmgr-ci-omp", "private": true}\n' >"$DIR/package.json"

# --ignore-scripts: nothing in this tree needs an install script, and none may download anything.
# Few retries with short waits: an unreachable registry should fail in seconds, not minutes.
if npm install --prefix "$DIR" --no-audit --no-fund --ignore-scripts --loglevel=warn \
    --fetch-retries=2 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000 \
    "$OMP_PACKAGE@$OMP_VERSION" "$BUN_PACKAGE@$BUN_VERSION" >"$LOG" 2>&1; then
    if is_installed; then
        echo "OMP $OMP_VERSION and bun $BUN_VERSION installed in $DIR/node_modules"
        exit 0
    fi
    echo "ERROR: npm succeeded but $DIR/node_modules does not hold OMP $OMP_VERSION and bun $BUN_VERSION" >&2
    tail -n 20 "$LOG" >&2
    exit 1
fi

# Network trouble is an environment problem, not a failure of the project: warn and go on.
if grep -Eq 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up|request to .* failed' "$LOG"; then
    warn "the npm registry is unreachable (see $LOG)" "$(grep -Em1 'ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|request to' "$LOG")"
fi
echo "ERROR: npm install of OMP $OMP_VERSION failed; the end of $LOG:" >&2
tail -n 20 "$LOG" >&2
exit 1
