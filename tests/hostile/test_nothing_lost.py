"""Nothing is lost: every write is atomic, keeps the target's permissions, and leaves the original
intact when the writer is killed, fails, or produces something that does not validate.

Write paths: ``atomic_write`` itself (used by all of them), ``merge -o``, ``diff-upstream
--write-overlay`` and the upstream cache (its network faults are in ``test_network_faults.py``).
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hostile_support import HOSTILE_DIR, REPO_ROOT, check_hygiene, run_catalogmgr

from catalogmgr import documents
from catalogmgr.cli import cli
from catalogmgr.documents import atomic_write
from catalogmgr.errors import WriteError

LISTING = HOSTILE_DIR / "upstream-openrouter-small.json"
OLD = b"# the user's file, which must survive\nproviders: {}\n"


def temporaries(directory: Path) -> list[Path]:
    return sorted(path for path in directory.iterdir() if path.name.endswith(".tmp"))


def snapshot(path: Path) -> tuple[bytes, int, int]:
    """Content, permission bits and inode: an untouched file keeps all three."""
    info = os.lstat(path)
    return path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_ino


def linked_dotfile(tmp_path: Path, name: str, content: bytes) -> tuple[Path, Path]:
    """``tmp_path/name`` as a symlink to ``tmp_path/dotfiles/name`` (mode 0600), as dotfile
    managers (stow, chezmoi, home-manager) put models.yml in place: (link, real file)."""
    real = tmp_path / "dotfiles" / name
    real.parent.mkdir()
    real.write_bytes(content)
    real.chmod(0o600)
    link = tmp_path / name
    link.symlink_to(real)
    return link, real


# ------------------------------------------------------------------------------------------------
# atomic_write: the mechanism


def test_temp_file_in_the_same_directory_fsynced_then_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "models.json"
    target.write_bytes(OLD)
    calls: list[tuple[str, Any]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def spy_fsync(fd: int) -> None:
        calls.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        real_fsync(fd)

    def spy_replace(source: Any, destination: Any) -> None:
        calls.append(("replace", (Path(source), Path(destination))))
        assert Path(source).read_bytes() == b"new"  # complete before it takes the name
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "replace", spy_replace)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    kinds = [call[0] for call in calls]
    # The data is on disk before the rename, and the rename before the function returns.
    assert kinds == ["fsync", "replace", "fsync"]
    assert calls[0][1] is False
    assert calls[2][1] is True
    source, destination = calls[1][1]
    assert source.parent == destination.parent == tmp_path
    assert source.name.startswith(".models.json.")
    assert source.name.endswith(".tmp")
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o755])
def test_keeps_the_targets_permissions(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "models.yml"
    target.write_bytes(OLD)
    target.chmod(mode)
    atomic_write(target, "providers: {}\n")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_text() == "providers: {}\n"


def test_a_new_file_gets_the_umask_and_an_explicit_mode_wins(tmp_path: Path) -> None:
    old_umask = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.yml", "x: 1\n")
        atomic_write(tmp_path / "secret.json", "{}", mode=0o600)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "new.yml").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "secret.json").stat().st_mode) == 0o600


def test_a_symlinked_target_stays_a_symlink(tmp_path: Path) -> None:
    """Dotfile managers link models.yml into place: keep the link."""
    link, real = linked_dotfile(tmp_path, "models.yml", OLD)
    atomic_write(link, "providers: {}\n")
    assert link.is_symlink()
    assert real.read_text() == "providers: {}\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert temporaries(real.parent) == []
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize(
    ("step", "fault", "raised"),
    [
        ("fsync", OSError(28, "No space left on device"), WriteError),  # the disk fills up
        ("replace", OSError(30, "Read-only file system"), WriteError),
        ("replace", KeyboardInterrupt(), KeyboardInterrupt),  # Ctrl-C between write and rename
    ],
)
def test_a_failed_or_interrupted_write_leaves_the_original_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, fault: BaseException, raised: type
) -> None:
    target = tmp_path / "models.json"
    target.write_bytes(OLD)
    before = snapshot(target)

    def fail(*_: Any) -> None:
        raise fault

    monkeypatch.setattr(os, step, fail)
    with pytest.raises(raised):
        atomic_write(target, b"new" * 1000)
    assert snapshot(target) == before
    assert temporaries(tmp_path) == []


def test_a_file_size_limit_mid_write_is_a_write_error(tmp_path: Path) -> None:
    """A real short write: the kernel refuses to grow the file past RLIMIT_FSIZE (EFBIG)."""
    target = tmp_path / "models.json"
    target.write_bytes(OLD)
    script = textwrap.dedent(
        """
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        from catalogmgr.documents import atomic_write
        from catalogmgr.errors import WriteError
        try:
            atomic_write(sys.argv[1], b"x" * (8 << 20))
        except WriteError as error:
            print(error)
            sys.exit(3)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert done.returncode == 3, done.stderr
    assert "File too large" in done.stdout
    assert target.read_bytes() == OLD
    assert temporaries(tmp_path) == []


WRITER = textwrap.dedent(
    """
    import sys
    from catalogmgr.documents import atomic_write
    payload = bytes([int(sys.argv[3])]) * int(sys.argv[2])
    print("ready", flush=True)
    atomic_write(sys.argv[1], payload)
    print("done", flush=True)
    """
)


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.8])
def test_killing_the_writer_midway_leaves_old_or_new_never_partial(tmp_path: Path, delay: float) -> None:
    """SIGKILL a process writing 128 MiB at different moments: the target is always whole."""
    size = 128 * 1024 * 1024
    target = tmp_path / "models.json"
    target.write_bytes(OLD)
    target.chmod(0o640)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), str(size), str(ord("N"))],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == b"ready\n"
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    content = target.read_bytes()
    new = b"N" * size
    assert content in (OLD, new), f"partial target: {len(content)} bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # A killed writer cannot clean up, but what it leaves is a hidden temporary, never the target.
    for leftover in temporaries(tmp_path):
        assert leftover.name.startswith(".models.json.")
        assert leftover != target


# ------------------------------------------------------------------------------------------------
# merge -o


def _invoke(args: list[str], cwd: Path) -> Any:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, args, catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize(
    "overlay", ["tags-python.yml", "alias-billion-laughs.yml", "encoding-latin1.yml", "empty.yml"]
)
def test_merge_output_is_untouched_when_an_overlay_is_bad(tmp_path: Path, overlay: str) -> None:
    existing = tmp_path / "models.json"
    existing.write_bytes(OLD)
    existing.chmod(0o600)
    before = snapshot(existing)
    home = tmp_path / "home"
    run = run_catalogmgr(
        ["merge", "--overlay", str(HOSTILE_DIR / overlay), "-o", str(existing)], cwd=tmp_path, home=home
    )
    check_hygiene(run, [str(HOSTILE_DIR / overlay)])
    assert run.returncode in {1, 3}
    assert snapshot(existing) == before
    assert temporaries(tmp_path) == []
    # ... and a new output is not even created.
    fresh = tmp_path / "fresh.json"
    run = run_catalogmgr(
        ["merge", "--overlay", str(HOSTILE_DIR / overlay), "-o", str(fresh)], cwd=tmp_path, home=home
    )
    assert run.returncode in {1, 3}
    assert not fresh.exists()


def test_merge_output_keeps_permissions_and_symlinks(tmp_path: Path) -> None:
    link, real = linked_dotfile(tmp_path, "models.json", OLD)
    run = run_catalogmgr(
        ["merge", "--overlay", str(HOSTILE_DIR / "merge-keys.yml"), "-o", str(link)],
        cwd=tmp_path,
        home=tmp_path / "h",
    )
    check_hygiene(run, [])
    assert run.returncode == 0
    assert link.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert b'"merged-a"' in real.read_bytes()


def test_merge_output_survives_a_failed_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI path through atomic_write: a write that fails midway is a one-line error, exit 3."""
    existing = tmp_path / "models.json"
    existing.write_bytes(OLD)
    before = snapshot(existing)

    def refuse(*_: Any) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(documents.os, "replace", refuse)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = _invoke(
        [
            "merge",
            "--no-default-overlay",
            "--overlay",
            str(HOSTILE_DIR / "merge-keys.yml"),
            "-o",
            "models.json",
        ],
        tmp_path,
    )
    assert result.exit_code == 3
    assert "catalogmgr: error: models.json: cannot write: Read-only file system" in result.stderr
    assert snapshot(existing) == before
    assert temporaries(tmp_path) == []


def test_merge_refuses_a_directory_as_output(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    run = run_catalogmgr(
        ["merge", "--overlay", str(HOSTILE_DIR / "merge-keys.yml"), "-o", "out"],
        cwd=tmp_path,
        home=tmp_path / "h",
    )
    check_hygiene(run, ["out", str(HOSTILE_DIR / "merge-keys.yml")])
    assert run.returncode == 3
    assert "out: is a directory" in run.stderr
    assert list((tmp_path / "out").iterdir()) == []


# ------------------------------------------------------------------------------------------------
# diff-upstream --write-overlay


def _diff_write(tmp_path: Path, target: str, *extra: str) -> Any:
    return run_catalogmgr(
        [
            "diff-upstream",
            "--no-default-overlay",
            "--upstream-file",
            str(LISTING),
            "--write-overlay",
            target,
            *extra,
        ],
        cwd=tmp_path,
        home=tmp_path / "home",
    )


@pytest.mark.parametrize(
    ("existing", "why"),
    [
        (b'providers:\n  minimax:\n    baseUrl: ""\n', "would not validate"),  # the result would be invalid
        (b"providers:\n  minimax: {baseUrl: [\n", "models.yml:3:1: YAML syntax error"),  # cannot be parsed
        (b"providers:\n  minimax:\n    baseUrl: https://x\xff\n", "not valid UTF-8"),
        (b"a: &a [1, *a]\n", "models.yml:1:4: an alias refers to a node that contains it"),
    ],
)
def test_write_overlay_leaves_an_existing_file_it_cannot_improve(
    tmp_path: Path, existing: bytes, why: str
) -> None:
    target = tmp_path / "models.yml"
    target.write_bytes(existing)
    target.chmod(0o600)
    before = snapshot(target)
    run = _diff_write(tmp_path, "models.yml")
    check_hygiene(run, ["models.yml", str(LISTING)])
    assert run.returncode == 3, run.describe()
    assert why in run.stderr, run.describe()
    assert snapshot(target) == before
    assert temporaries(tmp_path) == []


def test_write_overlay_keeps_permissions_symlinks_and_comments(tmp_path: Path) -> None:
    mine = b"# my overlay\nproviders:\n  minimax:\n    baseUrl: https://api.minimaxi.com/anthropic\n"
    _, real = linked_dotfile(tmp_path, "models.yml", mine)
    run = _diff_write(tmp_path, "models.yml")
    check_hygiene(run, ["models.yml", str(LISTING)])
    assert run.returncode == 1, run.describe()  # drift found, and fixed
    assert (tmp_path / "models.yml").is_symlink()
    text = real.read_text()
    assert text.startswith("# my overlay\n")
    assert "hostile/new-model" in text
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert temporaries(real.parent) == []
    assert temporaries(tmp_path) == []


def test_write_overlay_from_hostile_values_writes_a_valid_overlay(tmp_path: Path) -> None:
    """Prices beyond a double (1e400), NaN and nested junk count as not listed: the fix that is
    written validates (an earlier version wrote Infinity and had to refuse the whole file)."""
    from catalogmgr.documents import load_document
    from catalogmgr.validation import overlay_is_valid, validate_document

    listing = HOSTILE_DIR / "upstream-hostile-values.json"
    run = run_catalogmgr(
        [
            "diff-upstream",
            "--no-default-overlay",
            "--upstream-file",
            str(listing),
            "--write-overlay",
            "new.yml",
        ],
        cwd=tmp_path,
        home=tmp_path / "home",
    )
    check_hygiene(run, ["new.yml", str(listing)])
    assert run.returncode == 1, run.describe()  # drift found, and fixed in new.yml
    assert overlay_is_valid(validate_document(load_document(tmp_path / "new.yml")))
    assert temporaries(tmp_path) == []


def test_write_overlay_creates_nothing_when_refused(tmp_path: Path) -> None:
    """A target that cannot be written (its "directory" is a file, so it cannot be created): no
    file appears at all. (A directory that is merely missing is created: issue 14.)"""
    (tmp_path / "afile").write_text("not a directory\n")
    run = run_catalogmgr(
        [
            "diff-upstream",
            "--no-default-overlay",
            "--upstream-file",
            str(LISTING),
            "--write-overlay",
            "afile/new.yml",
        ],
        cwd=tmp_path,
        home=tmp_path / "home",
    )
    check_hygiene(run, ["afile/new.yml", str(LISTING)])
    assert run.returncode == 3, run.describe()
    assert (tmp_path / "afile").read_text() == "not a directory\n"
    assert temporaries(tmp_path) == []


def test_write_overlay_creates_missing_directories(tmp_path: Path) -> None:
    run = run_catalogmgr(
        [
            "diff-upstream",
            "--no-default-overlay",
            "--upstream-file",
            str(LISTING),
            "--write-overlay",
            "a/b/new.yml",
        ],
        cwd=tmp_path,
        home=tmp_path / "home",
    )
    assert run.returncode == 1, run.describe()
    assert (tmp_path / "a" / "b" / "new.yml").read_text().startswith("# OMP models.yml overlay")
    assert temporaries(tmp_path) == []


def test_cache_entries_are_written_atomically_body_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache writes through atomic_write, body then meta; a torn pair is never trusted."""
    from catalogmgr.upstream import cache as cache_module
    from catalogmgr.upstream.cache import ListingCache

    written: list[str] = []
    real = cache_module.atomic_write

    def spy(path: Any, data: Any, **kwargs: Any) -> None:
        written.append(Path(path).suffix)
        real(path, data, **kwargs)

    monkeypatch.setattr(cache_module, "atomic_write", spy)
    cache = ListingCache(tmp_path)
    body = b'{"data": []}'
    cache.store("https://example.invalid/models", body, etag='"v1"', model_count=0, now=datetime.now(UTC))
    assert written == [".body", ".json"]
    entry = cache.load("https://example.invalid/models")
    assert entry is not None
    assert entry.body == body
    # A body replaced without its meta (a crash between the two renames) is not trusted.
    body_path = next(cache.directory.glob("*.body"))
    body_path.write_bytes(b'{"data": [1]}')
    assert cache.load("https://example.invalid/models") is None
