"""Regression tests for the reader's breaks of issue 13 (2, 7, 9, 12, a signal mid-write) and the
reader's own promises of issue 10 (Bun's typing, no BEL in folded scalars, the parse command)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogmgr.cli import cli
from catalogmgr.documents import atomic_write, parse_document, read_stream
from catalogmgr.errors import InputError, WriteError

REPO_ROOT = Path(__file__).resolve().parents[2]


def _read(text: str) -> object:
    return parse_document(text, name="models.yml", fmt="yaml").data


# -- issue 10: Bun's reading


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: >\n  Mini\n  Max\n", {"a": "Mini Max\n"}),  # no U+0007 at the fold
        ("a: >-\n  Mini\n\n  Max\n", {"a": "Mini\nMax"}),
        ("a: !ctx 200000\n", {"a": "200000"}),
        ('a: !!int "64000"\n', {"a": "64000"}),
        ("a: ! 12\n", {"a": "12"}),
        ("a: +0x30000\n", {"a": 196608}),
        ("a: !!int 16000.0\n", {"a": 16000}),
        ("a: [yes, 1_000, 0777, 0X1F, -.nan]\n", {"a": ["yes", "1_000", 777, "0X1F", "-.nan"]}),
        ('b: &b {x: 1}\nm:\n  "<<": *b\n', {"b": {"x": 1}, "m": {"x": 1}}),
        ("b: &b {y: 1}\ns: &s {y: 2}\nm:\n  <<: [*b, *s]\n", {"b": {"y": 1}, "s": {"y": 2}, "m": {"y": 1}}),
        ("l: &l [1]\nm:\n  <<: *l\n  z: 1\n", {"l": [1], "m": {"z": 1}}),
        ("? [a, b]\n: c\n1.0: d\n~: e\n", {"a,b": "c", "1": "d", "null": "e"}),
        ("  a: 1\n", {"a": 1}),  # OMP trims the text
    ],
)
def test_yaml_reads_as_bun_does(text: str, expected: object) -> None:
    assert _read(text) == expected


def test_positions_survive_merges_aliases_and_duplicates() -> None:
    document = parse_document(
        "base: &b\n  x: 1\nm:\n  <<: *b\n  y: 2\n  y: 3\n", name="models.yml", fmt="yaml"
    )
    assert document.data == {"base": {"x": 1}, "m": {"x": 1, "y": 3}}
    assert document.position("/m/x") == document.position("/base/x")
    assert document.key_position("/m/y") == document.key_position("/m/y")
    assert (document.key_position("/m/y").line, document.position("/m/y").line) == (6, 6)
    assert [problem.rule for problem in document.problems] == ["duplicate-key"]


def test_parse_command_prints_what_omp_reads(tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("name: yes\nwindow: 1_000\nctx: !ctx 200000\nd: >\n  Mini\n  Max\n")
    result = CliRunner().invoke(cli, ["parse", str(overlay)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"name": "yes", "window": "1_000", "ctx": "200000", "d": "Mini Max\n"}


def test_parse_command_refuses_with_one_located_line(tmp_path: Path) -> None:
    broken = tmp_path / "models.yml"
    broken.write_text("a: [1, 2\n")
    result = CliRunner().invoke(cli, ["parse", str(broken)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert f"{broken}:2:1:" in result.output


# -- issue 13, break 7: a hex or octal integer beyond 4,300 digits


@pytest.mark.parametrize("number", ["0x" + "f" * 5000, "0o" + "7" * 5000, "-0x" + "1" * 4400])
def test_huge_hex_and_octal_read_as_bun_reads_them(number: str, tmp_path: Path) -> None:
    assert _read(f"a: {number}\n") == {"a": number}  # Bun: beyond 64 bits, a string
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  p:\n    baseUrl: http://127.0.0.1:1/v1\n    apiKey: K\n    api: openai-completions\n"
        f"    models:\n      - id: m\n        contextWindow: {number}\n"
    )
    result = CliRunner().invoke(cli, ["validate", str(overlay)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{overlay}:8:" in result.output


def test_huge_decimal_reads_as_infinity_like_javascript() -> None:
    assert _read("a: " + "9" * 5000 + "\n") == {"a": float("inf")}


# -- issue 13, break 9: writing at a symbolic link loop


def test_atomic_write_at_a_symlink_loop_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(WriteError, match="cannot write"):
        atomic_write(tmp_path / "a", "data")


def test_merge_output_at_a_symlink_loop_exits_3_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers: {}\n")
    result = CliRunner().invoke(
        cli, ["merge", "--no-default-overlay", "--overlay", str(overlay), "-o", str(tmp_path / "a")]
    )
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "cannot write" in result.output


# -- issue 13, break 12: standard input has the size limit files have


class _Endless:
    """A stream that never ends (``yes | catalogmgr validate -``)."""

    def __init__(self) -> None:
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        chunk = b"a: 1\n" * max(1, min(size, 1 << 16) // 5)
        self.served += len(chunk)
        return chunk


def test_an_endless_stdin_is_refused_at_the_limit() -> None:
    stream = _Endless()
    with pytest.raises(InputError, match="over the 1,000-byte limit"):
        read_stream(stream, name="<stdin>", max_bytes=1000)  # type: ignore[arg-type]
    assert stream.served <= 1001 + (1 << 16)


def test_validate_reads_stdin_through_the_limited_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import catalogmgr.documents as documents

    assert documents.read_stream.__kwdefaults__ is not None
    monkeypatch.setitem(documents.read_stream.__kwdefaults__, "max_bytes", 10)
    result = CliRunner().invoke(cli, ["validate", "-"], input="providers: {}\n" * 10)
    assert result.exit_code == 1
    assert "over the 10-byte limit" in result.output


# -- SIGTERM/SIGHUP mid-write leave no temporary file


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_terminating_signal_mid_write_leaves_no_temporary(tmp_path: Path, signal_name: str) -> None:
    target = tmp_path / "models.yml"
    target.write_text("old\n")
    script = textwrap.dedent(
        f"""
        import os, signal
        from catalogmgr import documents
        real_fsync = os.fsync
        def fsync_then_signal(fd):
            real_fsync(fd)
            os.kill(os.getpid(), signal.{signal_name})  # arrives while the temporary exists
        documents.os.fsync = fsync_then_signal
        documents.atomic_write({str(target)!r}, "new\\n")
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 128 + getattr(signal, signal_name), completed.stderr
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["models.yml"]
