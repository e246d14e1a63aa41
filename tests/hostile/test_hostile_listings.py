"""A generator of hostile upstream listings, run through every diff-upstream format and --write-overlay.

The listing is the least trusted input catalogmgr reads: it comes from the network (or a cache
file). From the saved OpenRouter and models.dev fixtures, :func:`hostile_strings` puts terminal
escapes, bidi overrides, CR/LF and GitHub workflow commands into every string field, and
:func:`extreme_numbers` puts a different extreme number (``1e999999999999999999`` as a string,
400-digit integers, NaN, ±1e308, ...) into every numeric field, model by model. Each listing runs
through ``diff-upstream`` in every format and with ``--write-overlay``; the rules (issue 13,
breaks 4 and 6): exit 0/1/3 with a located line, never a traceback; no raw control character in
any output; no forged workflow-command line; a written overlay that validates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from catalogmgr.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
CATALOG = FIXTURES / "catalog-small.json"

HOSTILE = (
    "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07\x1b]0;owned\x07\x1b[2J\x9b31m\u202e\u2066\u2028\x00\x7f\r"
    "\n::error file=x::forged\n::add-mask::abc\n  ::set-output name=x::y%0A::warning::z"
)
# Numbers a JSON reader accepts, so the listing reaches normalisation, comparison and rendering.
EXTREMES: list[Any] = [
    "1e999999999999999999",
    "-1e999999999999999999",
    "1e-999999999999999999",
    "1e308",
    1e308,
    -1e308,
    5e-324,
    2**64,
    -1,
    0,
    "0x10",
    "9" * 5000,
    "-" + "9" * 400,
    True,
]
# Numbers the reader refuses (as Bun's JSON.parse would): the whole file is a located error, exit 3.
UNPARSABLE: list[Any] = [10**400, -(10**400), float("nan"), float("inf")]

_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_GITHUB_COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::")


def _map_strings(value: Any, change: Callable[[str], str], skip_keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: (item if key in skip_keys else _map_strings(item, change, skip_keys))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_map_strings(item, change, skip_keys) for item in value]
    if isinstance(value, str):
        return change(value)
    return value


def hostile_strings(listing: Any, *, keep_ids: bool) -> Any:
    """Every string value gets :data:`HOSTILE` appended (ids too unless ``keep_ids``)."""
    skip = frozenset({"id", "canonical_slug"}) if keep_ids else frozenset()
    return _map_strings(listing, lambda text: text + HOSTILE, skip)


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and re.fullmatch(r"-?[0-9.]+(e-?[0-9]+)?", value) is not None


def extreme_numbers(listing: Any, extremes: list[Any] = EXTREMES) -> Any:
    """Model number *i* gets ``extremes[i % n]`` in every numeric field (numeric strings too)."""

    def replace(value: Any, extreme: Any) -> Any:
        if isinstance(value, dict):
            return {key: replace(item, extreme) for key, item in value.items()}
        if isinstance(value, list):
            return [replace(item, extreme) for item in value]
        return extreme if _numeric(value) else value

    def models_of(container: Any) -> list[dict[str, Any]]:
        return [item for item in container if isinstance(item, dict)]

    if isinstance(listing, dict) and isinstance(listing.get("data"), list):  # OpenRouter
        models = models_of(listing["data"])
        copies = [dict(models[index % len(models)]) for index in range(len(extremes))]
        for index, model in enumerate(copies):
            model["id"] = f"{model['id']}-x{index}"
        return {"data": [replace(model, extremes[i]) for i, model in enumerate(copies)]}
    result: dict[str, Any] = {}  # models.dev: {provider: {models: {id: model}}}
    counter = 0
    for provider_id, provider in listing.items():
        models = provider.get("models", {}) if isinstance(provider, dict) else {}
        changed = {}
        for model_id, model in models.items():
            changed[model_id] = replace(model, extremes[counter % len(extremes)])
            counter += 1
        result[provider_id] = {**provider, "models": changed}
    return result


SOURCES = {
    "openrouter": FIXTURES / "openrouter-small.json",
    "models.dev": FIXTURES / "modelsdev-small.json",
}
VARIANTS: dict[str, Callable[[Any], Any]] = {
    "strings-everywhere": lambda listing: hostile_strings(listing, keep_ids=False),
    "strings-but-ids": lambda listing: hostile_strings(listing, keep_ids=True),
    "extreme-numbers": extreme_numbers,
    "unparsable-numbers": lambda listing: extreme_numbers(listing, UNPARSABLE),
}


def _assert_safe(text: str, where: str, *, github: bool = False) -> None:
    raw = _RAW_CONTROL.search(text)
    assert raw is None, (
        f"raw {raw.group(0)!r} in {where}: {text[max(0, raw.start() - 80) : raw.end() + 40]!r}"
    )
    for line in text.split("\n"):
        stripped = line.strip()
        assert not stripped.startswith("\\::"), f"a forged line (disarmed) in {where}: {line!r}"
        if stripped.startswith("::"):
            assert github, f"a workflow command line in {where}: {line!r}"
            assert _GITHUB_COMMAND.match(line), f"a forged workflow command in {where}: {line!r}"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=True)


def _check(result: Result, where: str, *, github: bool = False) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{where}: crashed") from result.exception
    assert result.exit_code in {0, 1, 3}, (where, result.exit_code, result.stderr[-2000:])
    if result.exit_code == 3:
        assert "catalogmgr: error: " in result.stderr, (where, result.stderr[-2000:])
    _assert_safe(result.stdout, f"{where} stdout", github=github)
    _assert_safe(result.stderr, f"{where} stderr")


@pytest.fixture(params=[(source, variant) for source in SOURCES for variant in VARIANTS], ids=str)
def hostile_listing(request: pytest.FixtureRequest, tmp_path: Path, tmp_home: Path) -> tuple[str, Path]:
    source, variant = request.param
    listing = VARIANTS[variant](json.loads(SOURCES[source].read_text(encoding="utf-8")))
    path = tmp_path / f"{source}-{variant}.json"
    path.write_text(json.dumps(listing, allow_nan=True), encoding="utf-8")
    return source, path


def test_every_format_survives_a_hostile_listing(hostile_listing: tuple[str, Path], tmp_path: Path) -> None:
    source, path = hostile_listing
    common = ("diff-upstream", "--base", str(CATALOG), "--no-default-overlay", "--source", source)
    common += ("--upstream-file", str(path))
    if source == "models.dev":
        common += ("--map", "minimax=minimax")
    if "unparsable" in path.name:
        result = _run(*common)
        _check(result, path.name)
        assert result.exit_code == 3
        assert f"catalogmgr: error: {path}:1:" in result.stderr  # located in the file
        return
    for fmt in ("text", "json", "markdown", "github"):
        for extra in ((), ("--all-models",)):
            result = _run(*common, "--format", fmt, *extra)
            _check(result, f"{path.name} --format {fmt} {extra}", github=fmt == "github")
            if fmt == "json" and result.exit_code in {0, 1}:
                json.loads(result.stdout)  # still one valid JSON document
    overlay = tmp_path / "written" / "models.yml"
    overlay.parent.mkdir()
    result = _run(*common, "--write-overlay", str(overlay))
    _check(result, f"{path.name} --write-overlay")
    if "strings-but-ids" in path.name:
        # Hostile names must not stop the fix: comments quoting them are escaped, values quoted.
        assert overlay.exists(), result.stderr[-2000:]
    if overlay.exists():
        written = overlay.read_text(encoding="utf-8")
        # C0/C1 controls would make the file unreadable (YAML forbids them) or run in a terminal
        # that shows it. (Bidi controls in a written name stay as written: see the issue note.)
        raw = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", written.replace("\n", ""))
        assert raw is None, f"raw control {raw.group(0)!r} in the written overlay"
        check = _run("validate", str(overlay), "--base", str(CATALOG))
        _check(check, f"validate {overlay.name}")


def test_the_generator_really_is_hostile() -> None:
    """The generated listings contain what the test claims (so the test can fail)."""
    openrouter = json.loads(SOURCES["openrouter"].read_text(encoding="utf-8"))
    first = hostile_strings(openrouter, keep_ids=False)["data"][0]
    assert "\x1b]52;" in first["id"]
    assert "\n::add-mask::" in first["name"]
    numbers = extreme_numbers(openrouter)
    prices = [model["pricing"]["prompt"] for model in numbers["data"] if "pricing" in model]
    assert "1e999999999999999999" in prices
    counts = [model["context_length"] for model in numbers["data"] if "context_length" in model]
    assert 1e308 in counts
    unparsable = extreme_numbers(openrouter, UNPARSABLE)
    assert any(model.get("context_length") == 10**400 for model in unparsable["data"])
