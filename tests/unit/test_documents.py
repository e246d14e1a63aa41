"""The loader: positions, OMP-compatible YAML typing, located errors, atomic writes."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.documents import (
    MAX_NODES,
    atomic_write,
    load_document,
    load_json_fast,
    parse_document,
    resolve_plain_scalar,
)
from catalogmgr.errors import InputError, WriteError
from catalogmgr.problems import Position

OVERLAY = """\
# MiniMax M3
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    models:
      - id: MiniMax-M3
        contextWindow: 1000000
        cost: {input: 0, output: 1}
"""


def test_yaml_positions_of_values_and_keys() -> None:
    document = parse_document(OVERLAY, name="m.yml", fmt="yaml")
    assert document.data["providers"]["minimax"]["models"][0]["id"] == "MiniMax-M3"
    assert document.position("/providers/minimax/models/0/id") == Position(7, 13)
    assert document.key_position("/providers/minimax/models/0/id") == Position(7, 9)
    assert document.position("/providers/minimax/models/0/cost/output") == Position(9, 34)
    assert document.key_position("/providers/minimax/baseUrl") == Position(4, 5)


def test_missing_pointer_falls_back_to_nearest_ancestor() -> None:
    document = parse_document(OVERLAY, name="m.yml", fmt="yaml")
    assert document.position("/providers/minimax/models/0/name") == Position(7, 9)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"),  # YAML 1.2 core, like Bun: not a boolean
        ("True", True),
        ("1_000", "1_000"),
        ("0x1F", 31),
        ("0o17", 15),
        ("2026-01-01", "2026-01-01"),
        ("~", None),
        ("1e3", 1000.0),
        ("12", 12),
    ],
)
def test_plain_scalars_follow_the_yaml_1_2_core_schema(text: str, expected: object) -> None:
    assert resolve_plain_scalar(text) == expected


def test_special_floats_are_kept_for_the_validator() -> None:
    assert math.isnan(resolve_plain_scalar(".nan"))
    assert resolve_plain_scalar("-.inf") == -math.inf


def test_duplicate_keys_keep_the_last_and_warn_at_the_second() -> None:
    document = parse_document("a: 1\nb: 2\na: 3\n", name="d.yml", fmt="yaml")
    assert document.data == {"a": 3, "b": 2}
    [problem] = document.problems
    assert (problem.rule, problem.position) == ("duplicate-key", Position(3, 1))
    assert problem.severity.value == "warning"


def test_merge_keys_and_anchors_are_expanded_explicit_keys_win() -> None:
    document = parse_document("x: &d {b: 1, c: 1}\ny:\n  <<: *d\n  c: 2\n", name="m.yml", fmt="yaml")
    assert document.data["y"] == {"b": 1, "c": 2}


def test_tags_are_ignored_with_a_warning_and_never_constructed() -> None:
    document = parse_document("k: !!python/object:os.system echo\n", name="t.yml", fmt="yaml")
    assert document.data == {"k": "echo"}
    assert [p.rule for p in document.problems] == ["yaml-tag"]


def test_non_string_keys_become_javascript_strings() -> None:
    document = parse_document("1: a\ntrue: b\n", name="k.yml", fmt="yaml")
    assert document.data == {"1": "a", "true": "b"}
    assert {p.rule for p in document.problems} == {"non-string-key"}


def test_bom_is_a_warning_because_omp_trims_it() -> None:
    document = parse_document("\ufeffproviders: {}\n", name="b.yml", fmt="yaml")
    assert document.data == {"providers": {}}
    assert [p.rule for p in document.problems] == ["bom"]


def test_empty_document_is_none_not_an_exception() -> None:
    assert parse_document("  \n# only a comment\n", name="e.yml", fmt="yaml").data is None


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("a:\n\tb: 1\n", Position(2, 1), "tab character"),
        ("a: [1, 2\n", Position(2, 1), "YAML syntax error"),
        ("a: &x [*x]\n", Position(1, 4), "recursive alias"),
    ],
)
def test_yaml_errors_are_located(text: str, position: Position, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, name="bad.yml", fmt="yaml")
    assert caught.value.position == position
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"bad.yml:{position.line}:{position.column}: ")


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(InputError, match="alias bomb"):
        parse_document("\n".join(lines) + "\n", name="bomb.yml", fmt="yaml")
    assert MAX_NODES < 10**9


def test_deep_nesting_is_a_located_error_not_a_crash() -> None:
    with pytest.raises(InputError, match="nesting"):
        parse_document("a: " + "[" * 3000 + "]" * 3000, name="deep.yml", fmt="yaml")


def _nested(levels: int, kind: str, innermost: Any) -> Any:
    value = innermost
    for _ in range(levels):
        value = [value] if kind == "list" else {"k": value}
    return value


@pytest.mark.parametrize("levels", [0, 1, 98, 99, 100, 101, 102, 254, 255, 256, 400])
@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("innermost", [1, "  two  spaces  ", [], {}])
def test_the_quick_depth_check_agrees_with_the_walk(levels: int, kind: str, innermost: Any) -> None:
    pytest.importorskip("orjson")
    from catalogmgr.documents import _measure, _nested_too_deep

    nested = _nested(levels, kind, innermost)
    for data in (nested, {"a": [1, nested], "b": {}}, [{}, nested, []]):
        assert _nested_too_deep(data) is _measure(data)[0]


@pytest.mark.parametrize("quick", [True, False])
def test_a_json_file_nested_too_deep_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quick: bool
) -> None:
    if not quick:  # a file over the quick check's size gets the walk
        monkeypatch.setattr("catalogmgr.documents._QUICK_DEPTH_CHECK_BYTES", 0)
    path = tmp_path / "deep.json"
    path.write_text('{"a": ' + "[" * 150 + "]" * 150 + "}")
    with pytest.raises(InputError, match="nesting"):
        load_json_fast(path)
    path.write_text('{"a": ' + "[" * 90 + "]" * 90 + "}")
    assert load_json_fast(path)["a"] is not None


def test_jsonc_comments_trailing_commas_and_positions() -> None:
    text = '{\n  // note\n  "providers": {\n    "a": {"baseUrl": "http://x//y", "k": 1,},\n  },\n}\n'
    document = parse_document(text, name="m.jsonc", fmt="jsonc")
    assert document.data == {"providers": {"a": {"baseUrl": "http://x//y", "k": 1}}}
    assert document.position("/providers/a/k") == Position(4, 42)
    assert document.key_position("/providers/a/baseUrl") == Position(4, 11)


def test_json_duplicates_are_located() -> None:
    document = parse_document('{"a": 1,\n "a": 2}', name="d.json", fmt="json")
    assert document.data == {"a": 2}
    assert [(p.rule, p.position) for p in document.problems] == [("duplicate-key", Position(2, 2))]


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1', '{"a": Infinity}'])
def test_bad_json_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_document(text, name="x.json", fmt="json")


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "models.yml"
    path.write_bytes(b"providers:\n  a: \xff\n")
    with pytest.raises(InputError) as caught:
        load_document(path)
    assert caught.value.position == Position(2, 6)
    assert "UTF-8" in str(caught.value)


def test_nul_byte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "models.yml"
    path.write_bytes(b"a: 1\x00\n")
    with pytest.raises(InputError, match="NUL"):
        load_document(path)


def test_directory_and_fifo_are_refused_without_blocking(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        load_document(tmp_path)
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="regular file"):
        load_document(fifo)


def test_missing_file_and_symlink_loop(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_document(tmp_path / "absent.yml")
    loop = tmp_path / "loop.yml"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="cannot read"):
        load_document(loop)


def test_load_json_fast_equals_the_positional_loader(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text('{"p": {"m": {"id": "m", "cost": {"input": 0.39999999999999997}}}}')
    assert load_json_fast(path) == load_document(path).data
    assert load_json_fast(path)["p"]["m"]["cost"]["input"] == 0.39999999999999997


def test_atomic_write_keeps_permissions_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "models.yml"
    target.write_text("old\n")
    target.chmod(0o600)
    atomic_write(target, "new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["models.yml"]


def test_atomic_write_failure_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "models.yml"
    target.write_text("precious\n")

    def broken_replace(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(WriteError, match="No space left"):
        atomic_write(target, "new\n")
    assert target.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["models.yml"]


def test_atomic_write_into_a_missing_directory_is_a_write_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError):
        atomic_write(tmp_path / "nope" / "x.json", "{}")


def test_atomic_write_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text("a\n")
    link = tmp_path / "link.yml"
    link.symlink_to(real)
    atomic_write(link, "b\n")
    assert link.is_symlink()
    assert real.read_text() == "b\n"


def test_atomic_write_to_a_device_writes_through_and_never_replaces_it() -> None:
    atomic_write("/dev/null", "discarded\n")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
