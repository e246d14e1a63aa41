"""``catalogmgr validate`` and ``catalogmgr schema`` through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.omp.profile import NEWEST_PROFILE

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "tests" / "examples"

GOOD = """\
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
"""
WARNS = """\
providers:
  minimax:
    baseURL: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
"""
BAD = """\
providers:
  minimax:
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    models:
      - id: MiniMax-M3
        contextWindow: 0
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """good.yml / warns.yml / bad.yml in a temporary working directory (relative names)."""
    monkeypatch.chdir(tmp_path)
    for name, text in {"good.yml": GOOD, "warns.yml": WARNS, "bad.yml": BAD}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return {"good": "good.yml", "warns": "warns.yml", "bad": "bad.yml"}


def without_profile_line(stderr: str) -> str:
    """stderr without the leading lines that name the OMP profile (tests/unit/test_omp_profiles.py)
    and the base catalog override ids are checked against."""
    first, _, rest = stderr.partition("\n")
    assert first.startswith("catalogmgr: OMP profile "), stderr
    while rest.startswith("catalogmgr: modelOverrides ids checked against: "):
        rest = rest.partition("\n")[2]
    return rest


def test_clean_file_exits_0_with_nothing_on_stdout(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", files["good"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert without_profile_line(result.stderr) == "0 errors, 0 warnings in 1 file\n"


def test_errors_exit_1_one_located_line_each(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", files["bad"])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert lines == [
        'bad.yml:2:3: [error] provider `minimax` defines models but has no "baseUrl": OMP rejects the file '
        "(custom models never take the bundled provider's URL) (models-need-baseurl)",
        "bad.yml:7:9: [error] `contextWindow` of model `MiniMax-M3` (provider `minimax`) is 0: "
        "OMP rejects the file; it must be greater than 0 (positive-window)",
    ]
    assert "\n    at /providers/minimax; hint: add `baseUrl:` to provider `minimax`" in result.stdout
    assert "\n    at /providers/minimax/models/0/contextWindow; hint: give the real" in result.stdout
    assert without_profile_line(result.stderr) == "2 errors, 0 warnings in 1 file\n"


def test_warnings_pass_unless_strict(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", files["warns"])
    assert result.exit_code == 0
    assert "warns.yml:3:5: [warning] unknown key `baseURL`" in result.stdout
    assert "did you mean `baseUrl`?" in result.stdout
    assert run_cli("validate", "--strict", files["warns"]).exit_code == 1


def test_every_file_is_reported_even_unreadable_ones(
    run_cli: Any, files: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "broken.yml").write_text("providers:\n  x: [\n", encoding="utf-8")
    (tmp_path / "latin1.yml").write_bytes(b"providers: {}\n# caf\xe9\n")
    result = run_cli("validate", files["bad"], "missing.yml", "broken.yml", "latin1.yml", files["warns"])
    assert result.exit_code == 1
    out = result.stdout
    assert "bad.yml:2:3: [error]" in out
    assert "missing.yml: [error] no such file (read)" in out
    assert "broken.yml:3:1: [error] YAML syntax error" in out
    assert "latin1.yml:2:6: [error] not valid UTF-8" in out
    assert "warns.yml:3:5: [warning]" in out
    assert without_profile_line(result.stderr) == "5 errors, 1 warning in 5 files\n"


def test_quiet_shows_errors_only(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", "-q", files["bad"], files["warns"])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert "[warning]" not in result.stdout
    assert "hint:" not in result.stdout
    assert result.stdout.count("[error]") == 2
    strict = run_cli("validate", "-q", "--strict", files["warns"])
    assert strict.exit_code == 1
    assert "[warning] unknown key" in strict.stdout


def test_json_format_is_a_stable_shape(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", "--format", "json", files["bad"], files["warns"], "missing.yml")
    assert result.exit_code == 1
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert document["summary"] == {"files": 3, "errors": 3, "warnings": 1, "ok": False}
    assert document["files"] == [
        {"file": "bad.yml", "kind": "overlay", "errors": 2, "warnings": 0},
        {"file": "warns.yml", "kind": "overlay", "errors": 0, "warnings": 1},
        {"file": "missing.yml", "kind": None, "errors": 1, "warnings": 0},
    ]
    first = document["problems"][0]
    assert first == {
        "file": "bad.yml",
        "line": 2,
        "column": 3,
        "pointer": "/providers/minimax",
        "rule": "models-need-baseurl",
        "severity": "error",
        "message": first["message"],
        "hint": first["hint"],
    }
    assert document["problems"][-1]["line"] is None


def test_github_format_and_auto(run_cli: Any, files: dict[str, str]) -> None:
    result = run_cli("validate", "--format", "github", files["bad"])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "::error file=bad.yml,line=2,col=3,title=catalogmgr (models-need-baseurl)::provider"
    )
    assert "%0Ahint: " in first
    auto = run_cli("validate", files["bad"], env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout == result.stdout
    plain = run_cli("validate", files["bad"], env={"GITHUB_ACTIONS": ""})
    assert plain.stdout.startswith("bad.yml:2:3: [error]")


def test_github_escaping(run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a,b:c.yml").write_text("providers:\n  p:\n    api: '100%'\n", encoding="utf-8")
    result = run_cli("validate", "--format", "github", "a,b:c.yml")
    assert "file=a%2Cb%3Ac.yml," in result.stdout
    assert "'100%25'" in result.stdout


def test_stdin(run_cli: Any) -> None:
    result = run_cli("validate", "-", input="providers:\n  x:\n    baseUrl: ''\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:3:14: [error] `baseUrl` of provider `x` must not be empty")


def test_kind_catalog_and_auto_detection(
    run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    model = {
        "id": "a", "name": "A", "api": "openai-completions", "provider": "q", "baseUrl": "https://h",
        "reasoning": False, "input": ["text"], "contextWindow": 1, "maxTokens": 1,
        "cost": {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0},
    }  # fmt: skip
    (tmp_path / "models.json").write_text(json.dumps({"p": {"a": model}}, indent=2), encoding="utf-8")
    result = run_cli("validate", "models.json")
    assert result.exit_code == 1
    assert "models.json:7:19: [error] model `p/a` has provider `q`, but its key says `p`" in result.stdout
    as_overlay = run_cli("validate", "--kind", "overlay", "models.json")
    assert "no-providers" in as_overlay.stdout


def test_base_catalog_for_override_ids(
    run_cli: Any, tmp_path: Path, tmp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base = {"minimax": {"MiniMax-M3": {"id": "MiniMax-M3"}}}
    (tmp_path / "base.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "models.yml").write_text(
        "providers:\n  minimax:\n    modelOverrides:\n      MiniMax-M4: {contextWindow: 5}\n",
        encoding="utf-8",
    )
    result = run_cli("validate", "--base", "base.json", "models.yml")
    assert result.exit_code == 0
    assert (
        "models.yml:4:7: [warning] modelOverrides `MiniMax-M4`: "
        "provider `minimax` has no such model in base.json" in result.stdout
    )
    assert "did you mean `MiniMax-M3`?" in result.stdout
    assert "unknown-override" not in run_cli("validate", "--no-base", "models.yml").stdout
    # Without --base: the same base as merge, here the embedded catalog (HOME has no OMP).
    default = run_cli("validate", "models.yml")
    assert "provider `minimax` has no such model in embedded catalog of OMP 18.2.3" in default.stdout
    assert "did you mean `MiniMax-M3`?" in default.stdout
    both = run_cli("validate", "--base", "base.json", "--no-base", "models.yml")
    assert both.exit_code == 2
    assert "--base and --no-base contradict each other" in both.stderr
    missing = run_cli("validate", "--base", "nope.json", "models.yml")
    assert missing.exit_code == 3
    assert missing.stderr == "catalogmgr: error: nope.json: no such file\n"


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("validate", "--kind", "bogus", "x.yml"),
        ("validate", "--format", "xml", "x.yml"),
        ("validate", "--no-such-option", "x.yml"),
        ("schema", "bogus"),
    ],
)
def test_usage_errors_exit_2(run_cli: Any, args: tuple[str, ...]) -> None:
    from click.testing import CliRunner

    from catalogmgr.cli import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2


def test_help_documents_exit_codes_and_unreadable_files(run_cli: Any) -> None:
    result = run_cli("validate", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "0 no errors" in text
    assert "1 errors found (or warnings with --strict), including unreadable files" in text
    assert "2 usage error" in text
    assert "cannot be read or parsed is reported as an error of that file" in text


def test_schema_command(run_cli: Any) -> None:
    overlay = run_cli("schema", "--omp-version", "18.2.3")
    assert overlay.exit_code == 0
    assert overlay.stdout == (REPO_ROOT / "schemas" / "omp-models-yml.schema.json").read_text(
        encoding="utf-8"
    )
    catalog = run_cli("schema", "catalog")
    assert json.loads(catalog.stdout)["$id"].endswith("/schemas/omp-models-json.schema.json")
    path = run_cli("schema", "--path", "overlay", "--omp-version", "18.2.3")
    assert Path(path.stdout.strip()).name == "omp-models-yml.schema.json"
    assert Path(path.stdout.strip()).is_file()
    # Without an installed OMP: the newest profile's schema.
    newest = run_cli("schema", "--path", "overlay")
    assert Path(newest.stdout.strip()).name == NEWEST_PROFILE.schema_file
    assert Path(newest.stdout.strip()).is_file()


def test_examples_through_the_cli(run_cli: Any) -> None:
    # The examples state OMP 18.2.3's verdicts (two bad ones are valid from 18.2.8 and 18.3).
    good = sorted(str(p) for p in (EXAMPLES / "good").glob("*.yml"))
    assert run_cli("validate", "-q", "--omp-version", "18.2.3", *good).exit_code == 0
    bad = sorted(str(p) for p in (EXAMPLES / "bad").glob("*.yml"))
    result = run_cli("validate", "--format", "json", "--omp-version", "18.2.3", *bad)
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert all(entry["errors"] > 0 for entry in document["files"])


def test_validate_does_not_import_network_or_diff_libraries(tmp_path: Path) -> None:
    # The pre-commit hook pays for every import on every commit.
    target = tmp_path / "models.yml"
    target.write_text(GOOD, encoding="utf-8")
    code = (
        "import sys\n"
        "from catalogmgr.cli import cli\n"
        f"code = cli.main(args=['validate', {str(target)!r}], standalone_mode=False)\n"
        "heavy = sorted(m for m in ('httpx', 'deepdiff', 'httpcore', 'anyio') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "0 []"
