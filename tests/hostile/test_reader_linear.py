"""Issue 13, break 2: duplicate keys must not make the reader quadratic (a 617 KB models.yml with
20,000 duplicate header keys took 60-70 s). Work is counted, not timed: the number of Python lines
catalogmgr executes to read the file (``sys.settrace``), which a quadratic rescan multiplies and
no machine load changes. The seconds are in ``bench/run.py --only reader``."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from catalogmgr.documents import parse_document

PACKAGE = "/catalogmgr/"


def _headers(keys: int, *, duplicated: bool) -> str:
    lines = ["providers:", "  p:", "    baseUrl: http://127.0.0.1:1/v1", "    headers:"]
    lines += [f"      {'X-Same' if duplicated else f'X-Key-{index}'}: v{index}" for index in range(keys)]
    return "\n".join(lines) + "\n"


def _lines_executed(text: str, fmt: str = "yaml") -> int:
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def start(frame: FrameType, event: str, arg: Any) -> Any:
        return local if PACKAGE in frame.f_code.co_filename else None

    sys.settrace(start)
    try:
        parse_document(text, name="models.yml", fmt=fmt)
    finally:
        sys.settrace(None)
    return count


def test_duplicate_keys_cost_what_unique_keys_cost() -> None:
    unique = _lines_executed(_headers(20_000, duplicated=False))
    duplicated = _lines_executed(_headers(20_000, duplicated=True))
    assert duplicated <= 3 * unique, (duplicated, unique)


def test_reading_grows_linearly_with_duplicate_keys() -> None:
    small = _lines_executed(_headers(10_000, duplicated=True))
    large = _lines_executed(_headers(40_000, duplicated=True))
    assert large <= 4 * small * 1.2, (large, small)  # quadratic would be 16x


def test_json_duplicate_keys_are_linear_too() -> None:
    def document(keys: int) -> str:
        return "{" + ",".join(f'"k": {index}' for index in range(keys)) + "}"

    small = _lines_executed(document(10_000), "json")
    large = _lines_executed(document(40_000), "json")
    assert large <= 4 * small * 1.2, (large, small)


def test_renamed_anchors_and_substituted_scalars_are_linear() -> None:
    """Anchor names libyaml cannot read get placeholder names, and '?x' flow scalars a first
    letter (issue 10): both stay linear in the number of names and places, including when every
    other one sits inside a quoted scalar and the text is read a second time without it."""

    def document(count: int) -> str:
        lines = [f"k{index}: &a:{index} {{n: ?v{index}, q: '&b:{index} ?w'}}" for index in range(count)]
        lines += [f"r{index}: *a:{index}" for index in range(count)]
        return "\n".join(lines) + "\n"

    assert parse_document(document(3), name="models.yml", fmt="yaml").data["r2"] == {
        "n": "?v2",
        "q": "&b:2 ?w",
    }
    small = _lines_executed(document(2_000))
    large = _lines_executed(document(8_000))
    assert large <= 4 * small * 1.2, (large, small)
