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
#
# Then, for the version profiles (tests/compat/test_versions_vs_omp.py, scripts/omp_profiles.py),
# in parallel and each idempotent: the releases in $OMP_RELEASES as DIR/<version>/node_modules, and
# the releases in $OMP_SOURCE_RELEASES (whose catalog is not on npm) as their published
# pi-coding-agent tarball (DIR/src/*.tgz) unpacked into DIR/src/<version>/node_modules beside the
# packages its config modules import. A release that cannot be installed is a warning: its
# differential test skips. Afterwards: export CATALOGMGR_OMP_ROOT="$DIR" (.ci/run does this).
#
# And the pi-catalog packages in $OMP_CATALOG_RELEASES (published, but no pi-coding-agent of that
# version is) as DIR/pc/<version>/node_modules: pi-catalog, its omptype, the stand-in pi-utils and
# bun, so pi-catalog's own buildModel runs for the rule-engine differential of the profiles whose
# rules come from it (tests/compat/test_rule_engine_vs_omp.py).
set -uo pipefail

OMP_PACKAGE=@oh-my-pi/pi-coding-agent
OMP_VERSION=18.2.3
BUN_VERSION=1.4.4
DIR=${1:-.ci/omp}
OMP_RELEASES=${OMP_RELEASES:-13.19.0 14.9.9 17.2.15 17.3.5 18.1.16 18.1.20 18.2.0}
OMP_SOURCE_RELEASES=${OMP_SOURCE_RELEASES:-18.2.9 18.3.4}
OMP_CATALOG_RELEASES=${OMP_CATALOG_RELEASES:-18.2.11}
# What a source release's config modules import, at the newest releases whose linux native addon
# is published (pi-utils 18.2.9 needs a pi-natives build that is not).
SOURCE_DEPENDENCIES='"@oh-my-pi/omptype": "18.2.11", "@oh-my-pi/pi-utils": "18.2.3"'

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

NPM_OPTIONS=(--no-audit --no-fund --ignore-scripts --loglevel=warn
    --fetch-retries=2 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000)

# One more release as DIR/<version>/node_modules; prints one line; never fails the script.
install_release() {
    local version=$1 target="$DIR/$1"
    local manifest="$target/node_modules/$OMP_PACKAGE/package.json"
    if [ -f "$manifest" ] && grep -q "\"version\": *\"$version\"" "$manifest" &&
        [ -x "$target/node_modules/$BUN_PACKAGE/bin/bun" ]; then
        echo "OMP $version already installed in $target/node_modules"
        return 0
    fi
    mkdir -p "$target"
    printf '{"name": "catalogmgr-ci-omp-%s", "private": true}\n' "$version" >"$target/package.json"
    if npm install --prefix "$target" "${NPM_OPTIONS[@]}" "$OMP_PACKAGE@$version" \
        "$BUN_PACKAGE@$BUN_VERSION" >"$target/install.log" 2>&1; then
        echo "OMP $version installed in $target/node_modules"
    else
        echo "WARNING: OMP $version was not installed (see $target/install.log); its differential test skips" >&2
    fi
}

# A release whose catalog is not on npm: its tarball's sources plus what they import.
install_source_release() {
    local version=$1 target="$DIR/src/$1"
    local tarball="$DIR/src/oh-my-pi-pi-coding-agent-$version.tgz"
    local agent="$target/node_modules/$OMP_PACKAGE"
    if [ -f "$agent/package.json" ] && grep -q "\"version\": *\"$version\"" "$agent/package.json" &&
        [ -x "$target/node_modules/$BUN_PACKAGE/bin/bun" ]; then
        echo "OMP $version sources already unpacked in $target/node_modules"
        return 0
    fi
    mkdir -p "$target"
    if [ ! -f "$tarball" ] && ! (cd "$DIR/src" && npm pack "${NPM_OPTIONS[@]}" "$OMP_PACKAGE@$version" \
        >"$target/pack.log" 2>&1); then
        echo "WARNING: the OMP $version tarball was not fetched (see $target/pack.log); its differential test skips" >&2
        return 0
    fi
    printf '{"name": "catalogmgr-ci-omp-src-%s", "private": true, "dependencies": {%s, "%s": "%s"}}\n' \
        "$version" "$SOURCE_DEPENDENCIES" "$BUN_PACKAGE" "$BUN_VERSION" >"$target/package.json"
    # npm prunes what package.json does not list: install first, unpack the agent after.
    if npm install --prefix "$target" "${NPM_OPTIONS[@]}" >"$target/install.log" 2>&1; then
        mkdir -p "$agent"
        tar -xzf "$tarball" -C "$agent" --strip-components=1
        echo "OMP $version sources unpacked in $target/node_modules"
    else
        echo "WARNING: the packages OMP $version's sources import were not installed (see $target/install.log)" >&2
    fi
}

# A published pi-catalog without its release: the catalog package alone, runnable under bun.
install_catalog_release() {
    local version=$1 target="$DIR/pc/$1"
    local manifest="$target/node_modules/@oh-my-pi/pi-catalog/package.json"
    if [ -f "$manifest" ] && grep -q "\"version\": *\"$version\"" "$manifest" &&
        [ -x "$target/node_modules/$BUN_PACKAGE/bin/bun" ]; then
        echo "pi-catalog $version already installed in $target/node_modules"
        return 0
    fi
    mkdir -p "$target"
    # pi-catalog asks for the pi-utils of its own version, which is not published: the override
    # puts the stand-in of SOURCE_DEPENDENCIES in its place.
    printf '{"name": "catalogmgr-ci-pi-catalog-%s", "private": true, "dependencies": {"@oh-my-pi/pi-catalog": "%s", %s, "%s": "%s"}, "overrides": {"@oh-my-pi/pi-utils": "18.2.3"}}\n' \
        "$version" "$version" "$SOURCE_DEPENDENCIES" "$BUN_PACKAGE" "$BUN_VERSION" >"$target/package.json"
    if npm install --prefix "$target" "${NPM_OPTIONS[@]}" >"$target/install.log" 2>&1; then
        echo "pi-catalog $version installed in $target/node_modules"
    else
        echo "WARNING: pi-catalog $version was not installed (see $target/install.log); its differential test skips" >&2
    fi
}

install_other_releases() {
    mkdir -p "$DIR/src"
    DIR=$(cd "$DIR" && pwd) # npm pack runs from DIR/src
    local pids=()
    for version in $OMP_RELEASES; do
        install_release "$version" &
        pids+=($!)
    done
    for version in $OMP_SOURCE_RELEASES; do
        install_source_release "$version" &
        pids+=($!)
    done
    for version in $OMP_CATALOG_RELEASES; do
        install_catalog_release "$version" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
}

if is_installed; then
    echo "OMP $OMP_VERSION and bun $BUN_VERSION already installed in $DIR/node_modules"
    install_other_releases
    exit 0
fi

command -v npm >/dev/null 2>&1 || warn "npm is not installed (install Node.js with npm to run them)"

mkdir -p "$DIR" || warn "cannot create $DIR"
# The other releases install meanwhile (npm waits on the network far more than on the CPU); every
# way out of this script waits for them.
install_other_releases &
OTHERS=$!
trap 'wait "$OTHERS"' EXIT
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
