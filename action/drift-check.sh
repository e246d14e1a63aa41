#!/usr/bin/env bash
# The drift check's one shell step (action.yml runs it; docs/drift-check.md documents it).
#
# Compares the effective catalog (the bundled one + the committed models.yml) with an upstream
# listing; when there is drift, writes the fix into models.yml with --write-overlay, commits it on
# $DRIFT_BRANCH, force-pushes it, and opens (or updates) a pull request whose body is the markdown
# report. Reads only DRIFT_* variables, GH_TOKEN (for gh) and the GITHUB_* files of a runner;
# writes `drift` and `pull-request` to $GITHUB_OUTPUT and the report to $GITHUB_STEP_SUMMARY.
#
# Exit codes: 0 no drift, or drift handled (a pull request opened/updated, or nothing writable);
# anything else: catalogmgr could not run (its exit code: 2 usage, 3 network/input/write).
set -euo pipefail

models_file=${DRIFT_MODELS_FILE:-models.yml}
source_name=${DRIFT_SOURCE:-openrouter}
only=${DRIFT_ONLY:-new,changed}
branch=${DRIFT_BRANCH:-catalogmgr/drift}
title=${DRIFT_PR_TITLE:-"models.yml: upstream drift (catalogmgr)"}
catalogmgr=${CATALOGMGR:-catalogmgr}
output_file=${GITHUB_OUTPUT:-/dev/null}
summary_file=${GITHUB_STEP_SUMMARY:-/dev/null}
# GitHub refuses a pull request body over 65,536 characters; leave room for the header and notes.
body_limit=60000

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=(diff-upstream --source "$source_name" --no-default-overlay --format markdown)
if [ -f "$models_file" ]; then
    args+=(--overlay "$models_file")
fi
[ -n "${DRIFT_BASE:-}" ] && args+=(--base "$DRIFT_BASE")
[ -n "${DRIFT_IGNORE_FILE:-}" ] && args+=(--ignore-file "$DRIFT_IGNORE_FILE")
[ -n "${DRIFT_PROVIDERS:-}" ] && args+=(--provider "$DRIFT_PROVIDERS")
[ -n "$only" ] && args+=(--only "$only")
[ -n "${DRIFT_UPSTREAM_URL:-}" ] && args+=(--upstream-url "$DRIFT_UPSTREAM_URL")
if [ -n "${DRIFT_EXTRA_ARGS:-}" ]; then
    read -r -a extra <<<"$DRIFT_EXTRA_ARGS"
    args+=("${extra[@]}")
fi
args+=(--write-overlay "$models_file")

status=0
"$catalogmgr" "${args[@]}" >"$work/report.md" 2>"$work/notes.txt" || status=$?
cat "$work/notes.txt" >&2

case "$status" in
    0)
        echo "catalogmgr drift check: no drift"
        echo "drift=false" >>"$output_file"
        echo "pull-request=" >>"$output_file"
        cat "$work/report.md" >>"$summary_file"
        exit 0
        ;;
    1) ;;
    *)
        echo "catalogmgr drift check: diff-upstream could not run (exit $status)" >&2
        exit "$status"
        ;;
esac

echo "drift=true" >>"$output_file"
cat "$work/report.md" >>"$summary_file"

if git diff --quiet -- "$models_file" && [ -z "$(git ls-files --others --exclude-standard -- "$models_file")" ]; then
    # Drift that no overlay fixes (scheduled removals, values you chose to keep): the report is in
    # the job summary; a pull request would have nothing to change.
    echo "catalogmgr drift check: drift found, but $models_file needs no change"
    echo "pull-request=" >>"$output_file"
    exit 0
fi

# The pull request body: the report (cut to GitHub's limit), then what catalogmgr said on stderr
# (added keys, values kept), fenced so that nothing in it is read as markdown.
{
    echo "catalogmgr found upstream drift and updated \`$models_file\` with \`diff-upstream --write-overlay\`."
    echo "Review the change; values you wrote yourself were kept (listed below, if any)."
    echo
    head -c "$body_limit" "$work/report.md"
    if [ "$(wc -c <"$work/report.md")" -gt "$body_limit" ]; then
        echo
        echo "_(report cut at $body_limit characters: the job summary has all of it)_"
    fi
    if [ -s "$work/notes.txt" ]; then
        echo
        echo "<details><summary>catalogmgr's notes</summary>"
        echo
        echo "~~~~text"
        sed 's/~~~~/~ ~ ~ ~/g' "$work/notes.txt"
        echo "~~~~"
        echo
        echo "</details>"
    fi
} >"$work/body.md"

base_branch=${GITHUB_BASE_REF:-}
if [ -z "$base_branch" ]; then
    base_branch=$(git rev-parse --abbrev-ref HEAD)
fi
git switch --quiet -C "$branch"
git add -- "$models_file"
git -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
    commit --quiet -m "$title" -m "Written by catalogmgr diff-upstream --write-overlay ($source_name)."
git push --quiet --force origin "HEAD:refs/heads/$branch"

existing=$(gh pr list --head "$branch" --base "$base_branch" --state open --json number --jq '.[0].number // empty')
if [ -n "$existing" ]; then
    gh pr edit "$existing" --title "$title" --body-file "$work/body.md" >/dev/null
    echo "catalogmgr drift check: updated pull request #$existing"
    echo "pull-request=$existing" >>"$output_file"
else
    url=$(gh pr create --base "$base_branch" --head "$branch" --title "$title" --body-file "$work/body.md")
    echo "catalogmgr drift check: opened $url"
    echo "pull-request=$url" >>"$output_file"
fi
