"""Every command on every hostile input: a located one-line error or a correct result, never a
traceback or a hang, within the limits of :mod:`hostile_support` (120 s wall clock, 2 GiB of
address space per process).

The corpus is ``tests/examples/hostile/`` (small files, committed) plus inputs made at test time in
a temporary directory (50 MB files, a directory, a FIFO, symlink loops, a device, an unreadable
file). Each input is run in three roles:

* as an overlay (``--overlay FILE``; ``validate FILE``) through 12 command lines: ``validate`` in
  each format, ``merge`` with each ``--emit`` x ``--format``, ``list``, ``show``, ``changes``,
  ``keys`` and ``diff-upstream --upstream-file`` (a small saved listing);
* as a base catalog (``--base FILE``) through the same commands;
* as a saved upstream listing (``diff-upstream --upstream-file FILE``) for each source and format.

:data:`OVERLAY_CASES`, :data:`BASE_CASES` and :data:`UPSTREAM_CASES` say what each input must
produce. Every command of a case runs in a fresh process; a case's commands run in parallel.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hostile_support import HOSTILE_DIR, Run, check_hygiene, run_catalogmgr, strict_json

from catalogmgr.documents import parse_document

LISTING = HOSTILE_DIR / "upstream-openrouter-small.json"
GOOD_OVERLAY = HOSTILE_DIR / "merge-keys.yml"
WORKERS = max(2, min(4, (os.cpu_count() or 2) + 1))
MiB = 1024 * 1024

# Errors that are about a command-line argument rather than an input file (no location to give).
UNLOCATED_OK = re.compile(r"^no (model|provider) ")


# ------------------------------------------------------------------------------------------------
# Expectations


@dataclass(frozen=True)
class Expect:
    """What an input must produce.

    ``outcome``:
      * ``refused``: the file cannot be used (unreadable, unparsable, over a limit): ``validate``
        reports it as one error of that file (exit 1); every other command exits 3 with one
        ``catalogmgr: error: FILE[:LINE:COL]: ...`` line.
      * ``invalid``: it loads, but validation finds errors: ``validate`` exits 1 and the commands
        that need a valid overlay exit 1 listing the located errors.
      * ``valid``: everything works; machine-readable outputs parse (strict JSON: no NaN).
    ``message`` must appear in the error; ``located`` says whether it carries ``:LINE:COL``.
    """

    outcome: str
    message: str = ""
    located: bool = True
    check: Callable[[dict[str, Run]], None] | None = None
    show: str = "minimax/MiniMax-M2"
    # command ids known to fail today: id -> reason (a strict xfail, so a fix is noticed)
    known_bugs: dict[str, str] = field(default_factory=dict)


def _catalog(runs: dict[str, Run]) -> dict[str, Any]:
    return strict_json(runs["merge-catalog-json"].stdout)


def _composed(runs: dict[str, Run]) -> dict[str, Any]:
    return strict_json(runs["merge-overlay-json"].stdout)


def check_merge_keys(runs: dict[str, Run]) -> None:
    catalog = _catalog(runs)
    a, b = catalog["gateway-a"]["merged-a"], catalog["gateway-b"]["merged-b"]
    assert a["baseUrl"] == "https://a.example/v1"  # the explicit key beats the merged default
    assert b["baseUrl"] == "https://default.example/v1"
    assert a["api"] == b["api"] == "openai-completions"
    assert (a["contextWindow"], b["contextWindow"]) == (65536, 32768)
    assert "x-defaults" not in _composed(runs)["providers"]


def check_shared_anchor(runs: dict[str, Run]) -> None:
    catalog = _catalog(runs)
    a, b = catalog["gateway-a"]["shared-model"], catalog["gateway-b"]["shared-model"]
    assert a["provider"] == "gateway-a"
    assert b["provider"] == "gateway-b"
    assert a["baseUrl"] == "https://a.example/v1"
    assert b["baseUrl"] == "https://b.example/v1"
    assert a["contextWindow"] == b["contextWindow"] == 131072
    composed = _composed(runs)["providers"]
    assert composed["gateway-a"]["models"] == composed["gateway-b"]["models"]


def check_minimax_cn(runs: dict[str, Run]) -> None:
    catalog = _catalog(runs)
    assert {model["baseUrl"] for model in catalog["minimax"].values()} == {
        "https://api.minimaxi.com/anthropic"
    }


def check_json_overlay(runs: dict[str, Run]) -> None:
    check_minimax_cn(runs)
    model = _catalog(runs)["local"]["json-model"]
    assert (model["contextWindow"], model["maxTokens"]) == (8192, 1024)


def check_bom(runs: dict[str, Run]) -> None:
    check_minimax_cn(runs)
    assert "byte-order mark" in runs["validate-text"].stdout


def check_duplicates(runs: dict[str, Run]) -> None:
    # The second `minimax:` replaces the first whole, as in OMP: only its apiKey is left.
    assert _composed(runs) == {"providers": {"minimax": {"apiKey": "MINIMAX_CN_API_KEY"}}}
    urls = {model["baseUrl"] for model in _catalog(runs)["minimax"].values()}
    assert not urls & {"https://first.example/anthropic", "https://api.minimaxi.com/anthropic"}
    assert runs["validate-text"].stdout.count("duplicate key") == 2


def check_unicode_ids(runs: dict[str, Run]) -> None:
    catalog = _catalog(runs)
    assert list(catalog["gate/way~1"]) == [
        "vendor/model:free",
        "tilde~0~1/slash",
        "__proto__",
        "constructor",
        " ",
    ]
    assert catalog["gate/way~1"]["tilde~0~1/slash"]["name"] == "\u202eevil\u202c \u200d\U0001f600"
    assert list(catalog["__proto__"]) == ["hasOwnProperty"]
    shown = strict_json(runs["show"].stdout)
    assert shown["provider"] == "__proto__"
    assert shown["id"] == "hasOwnProperty"
    yaml_catalog = parse_document(runs["merge-catalog-yaml"].stdout, name="out.yml", fmt="yaml").data
    assert yaml_catalog["gate/way~1"] == catalog["gate/way~1"]


def check_non_string_keys(runs: dict[str, Run]) -> None:
    catalog = _catalog(runs)
    assert list(catalog["1"]) == ["two"]
    assert list(catalog["true"]) == ["yes-model"]
    assert list(catalog["null"]) == ["null-model"]
    assert runs["validate-text"].stdout.count("(non-string-key)") == 4


def check_complex_key(runs: dict[str, Run]) -> None:
    assert "'minimax,minimax-cn'" in runs["validate-text"].stdout
    assert runs["validate-text"].stdout.count("(non-string-key)") == 1


def check_commands_not_run(runs: dict[str, Run]) -> None:
    keys = strict_json(runs["keys"].stdout)["keys"]
    commands = [key for key in keys if (key["written"] or "").startswith("!")]
    assert len(commands) == 5
    assert {key["status"] for key in commands} == {"command-not-run"}


def check_hidden_numbers(runs: dict[str, Run]) -> None:
    # Free-form fields may hold numbers JSON cannot: the catalog is written as OMP (JavaScript)
    # would hold it, in JSON and YAML alike: NaN, the infinities and 10**400 (Infinity) become null.
    written = (HOSTILE_DIR / "numbers-hidden.yml").read_text(encoding="utf-8")
    seed = int(re.search(r"seed: (\d+)", written).group(1))  # type: ignore[union-attr]
    assert seed > 10**300
    for command, fmt in (("merge-catalog-yaml", "yaml"), ("merge-catalog-json", "json")):
        catalog = parse_document(runs[command].stdout, name="c", fmt=fmt).data  # type: ignore[arg-type]
        # MiniMax-M2 speaks anthropic-messages, whose resolved compat has no extraBody: OMP keeps it
        # as authored only (compatConfig), and so does catalogmgr's rule engine port.
        body = catalog["minimax"]["MiniMax-M2"]["compatConfig"]["extraBody"]
        assert body["seed"] is None
        assert body["tiny"] == 0.0
        assert body["temperature"] is None
        assert body["top_p"] is None


OVERLAY_CASES: dict[str, Expect] = {
    # Aliases and anchors
    "alias-billion-laughs.yml": Expect("refused", "through aliases, over the 1,000,000 limit"),
    "alias-merge-key-bomb.yml": Expect("refused", "through aliases, over the 1,000,000 limit"),
    "alias-recursive.yml": Expect("refused", "recursive alias"),
    "alias-recursive-merge-key.yml": Expect("refused", "recursive alias"),
    "alias-deep-chain.yml": Expect("refused", "nesting deeper than 100 levels"),
    "anchors-across-providers.yml": Expect("valid", check=check_shared_anchor, show="gateway-b/shared-model"),
    "merge-keys.yml": Expect("valid", check=check_merge_keys, show="gateway-a/merged-a"),
    # Nesting
    "deep-block.yml": Expect("refused", "nesting deeper than 100 levels"),
    "deep-flow.yml": Expect("refused", "nesting deeper than 100 levels"),
    "deep-overlay.json": Expect("refused", "nesting deeper than 100 levels"),
    "deep-catalog.json": Expect("refused", "nesting deeper than 100 levels"),
    # Numbers
    "numbers-huge.yml": Expect("invalid", "must be a finite number"),
    "numbers-hidden.yml": Expect(
        "valid",
        check=check_hidden_numbers,
    ),
    # Bun reads 5,000 decimal digits as Infinity (a double), so the schema refuses it, as OMP does.
    "numbers-5000-digits.yml": Expect("invalid", "must be a finite number"),
    "numbers-5000-digits.json": Expect("refused", "a number with 5,000 digits"),
    "numbers-catalog-huge.json": Expect("refused", "the number 1e400 is out of range"),
    "numbers-catalog-nan.json": Expect("refused", "NaN is not valid JSON"),
    "overlay-nan.json": Expect("refused", "NaN is not valid JSON"),
    # Encodings and bytes
    "encoding-latin1.yml": Expect("refused", "not valid UTF-8 (byte 0xe9)"),
    "encoding-overlong.yml": Expect("refused", "not valid UTF-8 (byte 0xc0)"),
    "encoding-utf16.yml": Expect("refused", "not valid UTF-8 (byte 0xff)"),
    "encoding-nul.yml": Expect("refused", "contains a NUL byte"),
    "encoding-control-chars.yml": Expect("refused", "control character U+001B"),
    "encoding-bom.yml": Expect("valid", check=check_bom),
    "encoding-crlf.yml": Expect("valid", check=check_minimax_cn),
    "strings-lone-surrogate.json": Expect("refused", "half of a UTF-16 surrogate pair"),
    "strings-lone-surrogate.yml": Expect("refused", "half of a UTF-16 surrogate pair"),
    # Keys
    "keys-not-strings.yml": Expect("valid", check=check_non_string_keys, show="1/two"),
    # Bun turns a list key into the string JavaScript makes of it ("minimax,minimax-cn").
    "keys-complex.yml": Expect("valid", check=check_complex_key),
    "duplicate-keys.yml": Expect("valid", check=check_duplicates),
    "ids-unicode.yml": Expect("valid", check=check_unicode_ids, show="__proto__/hasOwnProperty"),
    # Tags: never constructed, never executed (markers are checked for every case)
    "tags-python.yml": Expect("invalid", "must be a string"),
    "tags-custom.yml": Expect("invalid", "must be a mapping, not a list"),
    "tags-directive.yml": Expect("invalid", "must be a string, not a list"),
    # Bun reads `!!int lots` as the string "lots": the schema refuses a string contextWindow.
    "tags-bad-explicit.yml": Expect("invalid", "must be a number, not the string 'lots'"),
    "commands-everywhere.yml": Expect("valid", check=check_commands_not_run),
    # Document shapes
    "multi-document.yml": Expect("invalid", "must be a mapping, not a list"),
    "empty.yml": Expect("invalid", "the file is empty"),
    "whitespace-only.yml": Expect("invalid", "the file is empty"),
    "comments-only.yml": Expect("invalid", "the file is empty"),
    "root-list.yml": Expect("invalid", "must be a mapping, not a list"),
    "root-scalar.yml": Expect("invalid", "must be a mapping, not the string"),
    "tabs.yml": Expect("refused", "tab character used for indentation"),
    "syntax-unclosed.yml": Expect("refused", "YAML syntax error"),
    "overlay.json": Expect("valid", check=check_json_overlay, show="local/json-model"),
    "overlay.jsonc": Expect("valid", check=check_minimax_cn),
}


# Inputs made at test time: name -> (maker(directory) -> path, expectation)
def make_big_yaml(directory: Path) -> Path:
    path = directory / "big-50mb.yml"
    block = "".join(
        f"  p{index}:\n    baseUrl: https://p{index}.example/v1\n    api: openai-completions\n"
        f"    apiKey: P{index}_KEY\n    models:\n      - id: m{index}\n"
        for index in range(1000)
    )
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("providers:\n")
        while handle.tell() < 50 * MiB:
            handle.write(block.replace("  p", f"  q{handle.tell()}p"))
    return path


def make_big_json_overlay(directory: Path) -> Path:
    path = directory / "big-50mb.json"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"providers": {')
        index = 0
        while handle.tell() < 50 * MiB:
            handle.write(
                f'"p{index}": {{"baseUrl": "https://p{index}.example/v1", "api": "openai-completions",'
                f' "apiKey": "P{index}_KEY", "models": [{{"id": "m{index}", "name": "Model {index}"}}]}},\n'
            )
            index += 1
        handle.write('"last": {"baseUrl": "https://last.example/v1"}}}\n')
    return path


def make_big_string_overlay(directory: Path) -> Path:
    """A valid 50 MB overlay: one model whose name is 50 million characters."""
    path = directory / "big-string-50mb.json"
    name = "x" * (50 * MiB)
    path.write_text(
        json.dumps(
            {
                "providers": {
                    "local": {
                        "baseUrl": "http://127.0.0.1:8080/v1",
                        "api": "openai-completions",
                        "apiKey": "LOCAL_API_KEY",
                        "models": [{"id": "long-name", "name": name}],
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    return path


def check_big_string(runs: dict[str, Run]) -> None:
    # Every output carries the 50 MB name; spot-check the catalog (stdout is read back capped).
    assert runs["merge-catalog-json"].returncode == 0
    assert (
        '"id": "long-name"' in runs["merge-catalog-json"].stdout
        or '"long-name"' in runs["merge-catalog-json"].stdout
    )


def make_over_limit(directory: Path) -> Path:
    path = directory / "over-limit.json"
    with open(path, "wb") as handle:  # sparse: no 65 MB written
        handle.truncate(65 * MiB)
    return path


def make_directory(directory: Path) -> Path:
    path = directory / "models.yml"
    path.mkdir()
    return path


def make_fifo(directory: Path) -> Path:
    path = directory / "fifo.yml"
    os.mkfifo(path)  # nobody ever writes to it: opening it for reading would block forever
    return path


def make_symlink_loop(directory: Path) -> Path:
    first, second = directory / "loop-a.yml", directory / "loop-b.yml"
    first.symlink_to(second)
    second.symlink_to(first)
    return first


def make_dangling_symlink(directory: Path) -> Path:
    path = directory / "dangling.yml"
    path.symlink_to(directory / "does-not-exist.yml")
    return path


def make_device(directory: Path) -> Path:
    path = directory / "zero.yml"
    path.symlink_to("/dev/zero")  # endless bytes: must be refused without reading
    return path


def make_proc_mem(directory: Path) -> Path:
    """A regular file even root cannot read: /proc/self/mem reads fail with EIO at offset 0."""
    path = directory / "proc-mem.yml"
    path.symlink_to("/proc/self/mem")
    return path


def make_unreadable(directory: Path) -> Path:
    path = directory / "unreadable.yml"
    path.write_text("providers: {}\n", encoding="utf-8")
    path.chmod(0)
    return path


def make_non_utf8_name(directory: Path) -> Path:
    name = os.fsdecode(b"caf\xe9-models.yml")  # undecodable bytes survive as surrogate escapes
    path = directory / name
    path.write_bytes((HOSTILE_DIR / "overlay.json").read_bytes())
    return path


# Paths that are not regular files: refused without being opened (a FIFO would block forever).
NOT_FILES: dict[str, tuple[Callable[[Path], Path], Expect]] = {
    "directory": (make_directory, Expect("refused", "is a directory", located=False)),
    "fifo": (make_fifo, Expect("refused", "is not a regular file", located=False)),
    "symlink-loop": (make_symlink_loop, Expect("refused", "symbolic links", located=False)),
}

DYNAMIC_OVERLAYS: dict[str, tuple[Callable[[Path], Path], Expect]] = {
    "big-50mb.yml": (
        make_big_yaml,
        Expect("refused", "over the 8,388,608-byte limit for YAML", located=False),
    ),
    "big-50mb.json": (make_big_json_overlay, Expect("refused", "values, over the 1,000,000 limit")),
    "big-string-50mb.json": (
        make_big_string_overlay,
        Expect("valid", check=check_big_string, show="local/long-name"),
    ),
    "over-limit.json": (make_over_limit, Expect("refused", "over the 67,108,864-byte limit", located=False)),
    **NOT_FILES,
    "dangling-symlink": (make_dangling_symlink, Expect("refused", "no such file", located=False)),
    "device": (make_device, Expect("refused", "is not a regular file", located=False)),
    "proc-mem": (make_proc_mem, Expect("refused", "cannot read", located=False)),
    "unreadable": (make_unreadable, Expect("refused", "permission denied", located=False)),
    "non-utf8-name": (
        make_non_utf8_name,
        Expect(
            "valid",
            check=check_json_overlay,
            show="local/json-model",
        ),
    ),
}


# ------------------------------------------------------------------------------------------------
# Command lines


def overlay_commands(path: str, expect: Expect) -> dict[str, list[str]]:
    return {
        "validate-text": ["validate", "--format", "text", path],
        "validate-json": ["validate", "--format", "json", path],
        "validate-github": ["validate", "--format", "github", path],
        "merge-catalog-json": ["merge", "--overlay", path, "--emit", "catalog", "--format", "json"],
        "merge-catalog-yaml": ["merge", "--overlay", path, "--emit", "catalog", "--format", "yaml"],
        "merge-overlay-yaml": ["merge", "--overlay", path, "--emit", "overlay", "--format", "yaml"],
        "merge-overlay-json": ["merge", "--overlay", path, "--emit", "overlay", "--format", "json"],
        "list": ["list", "--overlay", path],
        "show": ["show", expect.show, "--overlay", path, "--explain", "--format", "json"],
        "changes": ["changes", "--overlay", path],
        "keys": ["keys", "--overlay", path, "--format", "json"],
        "diff-upstream": [
            "diff-upstream",
            "--overlay",
            path,
            "--upstream-file",
            str(LISTING),
            "--format",
            "json",
        ],
    }


VALIDATE_IDS = ("validate-text", "validate-json", "validate-github")
# What each command may exit with when everything is fine: keys says 1 for unset variables,
# diff-upstream 1 for drift.
VALID_CODES = {"keys": {0, 1}, "diff-upstream": {0, 1}}


@dataclass
class CaseRuns:
    path: Path
    runs: dict[str, Run]
    directory: Path


_RESULTS: dict[tuple[str, str], CaseRuns] = {}


def run_case(role: str, name: str, path: Path, commands: dict[str, list[str]], directory: Path) -> CaseRuns:
    """Run a case's command lines in parallel (each in its own process), once per session."""
    key = (role, name)
    if key not in _RESULTS:
        home = directory / "home"
        home.mkdir(parents=True, exist_ok=True)
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            futures = {
                command_id: pool.submit(run_catalogmgr, args, cwd=directory / "cwd", home=home)
                for command_id, args in commands.items()
            }
            runs = {command_id: future.result() for command_id, future in futures.items()}
        _RESULTS[key] = CaseRuns(path, runs, directory)
    return _RESULTS[key]


def prepare_overlay(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Expect, Path]:
    directory = tmp_path_factory.mktemp(f"overlay-{name}".replace("/", "_"))
    if name in OVERLAY_CASES:
        # A copy, so the run directory holds what it reads: markers are looked for beside it.
        path = directory / name
        shutil.copyfile(HOSTILE_DIR / name, path)
        return path, OVERLAY_CASES[name], directory
    maker, expect = DYNAMIC_OVERLAYS[name]
    if name == "unreadable" and os.geteuid() == 0:
        pytest.skip("running as root, which reads a chmod 000 file anyway (proc-mem covers EIO)")
    return maker(directory), expect, directory


# ------------------------------------------------------------------------------------------------
# Judging one run


def assert_refused(run: Run, command_id: str, path: str, expect: Expect) -> None:
    if command_id.startswith("validate"):
        assert run.returncode == 1, run.describe()
        output = run.stdout
        if command_id == "validate-json":
            problems = strict_json(output)["problems"]
            errors = [problem for problem in problems if problem["severity"] == "error"]
            assert len(errors) == 1, run.describe()
            assert errors[0]["file"] == path, run.describe()
            assert expect.message in errors[0]["message"], run.describe()
            assert (errors[0]["line"] is not None) == expect.located, run.describe()
            return
        assert expect.message in output, run.describe()
        if command_id == "validate-github":
            line = next(line for line in output.splitlines() if line.startswith("::error"))
            assert f"file={path}," in line or line.startswith(f"::error file={path}"), run.describe()
            assert ("line=" in line) == expect.located, run.describe()
        return
    assert run.returncode == 3, run.describe()
    errors = [line for line in run.stderr_lines if line.startswith("catalogmgr: error: ")]
    assert len(errors) == 1, run.describe()
    message = errors[0][len("catalogmgr: error: ") :]
    location = r":\d+:\d+" if expect.located else ""
    assert re.match(re.escape(path) + location + ": ", message), f"not located as expected\n{run.describe()}"
    assert expect.message in message, run.describe()


def assert_invalid(run: Run, command_id: str, path: str, expect: Expect) -> None:
    if command_id.startswith("validate"):
        assert run.returncode == 1, run.describe()
        assert expect.message in run.stdout, run.describe()
        if command_id == "validate-json":
            problems = strict_json(run.stdout)["problems"]
            assert any(p["severity"] == "error" and p["line"] for p in problems), run.describe()
        return
    assert run.returncode == 1, run.describe()
    assert f"catalogmgr: error: {path}: invalid overlay" in run.stderr, run.describe()
    assert any(
        line.startswith(f"{path}:") and "[error]" in line and expect.message in line
        for line in run.stderr_lines
    ), run.describe()
    assert not run.stdout.strip(), f"an invalid overlay must produce no output\n{run.describe()}"


def assert_valid(run: Run, command_id: str, path: str) -> None:
    codes = VALID_CODES.get(command_id, {0})
    assert run.returncode in codes, run.describe()
    if command_id == "validate-json":
        assert strict_json(run.stdout)["summary"]["errors"] == 0
    elif command_id in {"merge-catalog-json", "merge-overlay-json", "show", "keys", "diff-upstream"}:
        strict_json(run.stdout)
    elif command_id in {"merge-catalog-yaml", "merge-overlay-yaml"} and len(run.stdout) < 8 * MiB:
        parse_document(run.stdout, name="stdout.yml", fmt="yaml")  # (larger is over the YAML limit)


def judge(case: CaseRuns, command_id: str, expect: Expect) -> None:
    run = case.runs[command_id]
    path = str(case.path)
    allowed = {0, 1} if command_id.startswith("validate") else {0, 1, 3}
    check_hygiene(run, [path, str(LISTING)], allowed_codes=allowed, unlocated_ok=UNLOCATED_OK)
    if expect.outcome == "refused":
        assert_refused(run, command_id, path, expect)
    elif expect.outcome == "invalid":
        assert_invalid(run, command_id, path, expect)
    else:
        assert_valid(run, command_id, path)


def markers_in(directory: Path) -> list[str]:
    return sorted(str(found) for found in directory.rglob("pwned*"))


# ------------------------------------------------------------------------------------------------
# The tests

OVERLAY_NAMES = [*OVERLAY_CASES, *DYNAMIC_OVERLAYS]
COMMAND_IDS = list(overlay_commands("x", Expect("valid")))


def test_corpus_is_covered() -> None:
    """Every file of the corpus has an expectation (a new file cannot be forgotten)."""
    files = {path.name for path in HOSTILE_DIR.iterdir() if path.is_file()} - {"README.md"}
    listed = set(OVERLAY_CASES) | set(BASE_FILES) | set(UPSTREAM_FILES) | {LISTING.name}
    assert files - listed == set()
    assert listed - files == set()


@pytest.mark.parametrize("name", OVERLAY_NAMES)
@pytest.mark.parametrize("command_id", COMMAND_IDS)
def test_overlay_input(
    name: str, command_id: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    case = _overlay_case(name, tmp_path_factory)
    expect = _expectation(name)
    if command_id in expect.known_bugs:
        request.applymarker(pytest.mark.xfail(reason=expect.known_bugs[command_id], strict=True))
    judge(case, command_id, expect)


@pytest.mark.parametrize("name", OVERLAY_NAMES)
def test_overlay_result_and_nothing_executed(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The result is the right one (for inputs that work), and no input ran anything."""
    case = _overlay_case(name, tmp_path_factory)
    assert markers_in(case.directory) == []
    expect = _expectation(name)
    if expect.check is not None:
        expect.check(case.runs)
    json_works = "merge-catalog-json" not in expect.known_bugs
    if expect.outcome == "valid" and json_works and name != "big-string-50mb.json":
        # The emitted catalog is the same data in JSON and in YAML.
        catalog = strict_json(case.runs["merge-catalog-json"].stdout)
        from_yaml = parse_document(case.runs["merge-catalog-yaml"].stdout, name="c.yml", fmt="yaml").data
        assert from_yaml == catalog


def _overlay_case(name: str, tmp_path_factory: pytest.TempPathFactory) -> CaseRuns:
    key = ("overlay", name)
    if key in _RESULTS:
        return _RESULTS[key]
    path, expect, directory = prepare_overlay(name, tmp_path_factory)
    return run_case("overlay", name, path, overlay_commands(str(path), expect), directory)


def _expectation(name: str) -> Expect:
    return OVERLAY_CASES[name] if name in OVERLAY_CASES else DYNAMIC_OVERLAYS[name][1]


# ------------------------------------------------------------------------------------------------
# Base catalogs (--base FILE)

BASE_FILES: dict[str, Expect] = {
    "deep-catalog.json": Expect("refused", "nesting deeper than 100 levels"),
    "numbers-catalog-huge.json": Expect("refused", "the number 1e400 is out of range"),
    "numbers-catalog-nan.json": Expect("refused", "NaN is not valid JSON"),
    "strings-lone-surrogate-catalog.json": Expect("refused", "half of a UTF-16 surrogate pair"),
}


def make_big_catalog(directory: Path) -> Path:
    """A 50 MB models.json: the embedded catalog's providers repeated under new names."""
    from catalogmgr.catalog import load_embedded_default

    default = load_embedded_default()
    path = directory / "big-catalog.json"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("{")
        copy = 0
        first = True
        while handle.tell() < 50 * MiB:
            for provider, models in default.items():
                renamed = f"{provider}-{copy}" if copy else provider
                rows = {model_id: {**model, "provider": renamed} for model_id, model in models.items()}
                handle.write(("" if first else ",") + json.dumps(renamed) + ":" + json.dumps(rows))
                first = False
            copy += 1
        handle.write("}")
    return path


def check_big_catalog(runs: dict[str, Run]) -> None:
    # validate reads files with positions, which stops at MAX_NODES values; --base does not.
    assert "values, over the 1,000,000 limit" in runs["validate-catalog"].stdout
    listing = strict_json(runs["list"].stdout)
    assert len(listing["models"]) > 20_000
    assert any(row["provider"] == "minimax-cn" for row in listing["models"])


DYNAMIC_BASES: dict[str, tuple[Callable[[Path], Path], Expect]] = {
    "big-catalog-50mb.json": (
        make_big_catalog,
        Expect("valid", check=check_big_catalog, show="minimax/MiniMax-M2"),
    ),
    "over-limit.json": (make_over_limit, Expect("refused", "contains a NUL byte", located=True)),
    **NOT_FILES,
    "empty": (
        lambda directory: _touch(directory / "empty.json"),
        Expect("refused", "not a models.json catalog", located=False),
    ),
    "overlay-as-base": (
        lambda directory: Path(shutil.copyfile(HOSTILE_DIR / "overlay.json", directory / "overlay.json")),
        Expect("refused", "a models.yml overlay? pass it with --overlay", located=False),
    ),
}


def _touch(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def base_commands(path: str, expect: Expect) -> dict[str, list[str]]:
    overlay = str(GOOD_OVERLAY)
    return {
        "validate-catalog": ["validate", "--kind", "catalog", "--format", "json", path],
        "validate-with-base": ["validate", "--base", path, overlay],
        "merge-catalog-json": ["merge", "--base", path, "--overlay", overlay],
        "merge-catalog-yaml": ["merge", "--base", path, "--overlay", overlay, "--format", "yaml"],
        "list": ["list", "--base", path, "--no-default-overlay", "--format", "json"],
        "show": ["show", expect.show, "--base", path, "--no-default-overlay", "--format", "json"],
        "changes": ["changes", "--base", path, "--overlay", overlay, "--format", "json"],
        "keys": ["keys", "--base", path, "--no-default-overlay", "--format", "json"],
        "diff-upstream": [
            "diff-upstream",
            "--base",
            path,
            "--no-default-overlay",
            "--upstream-file",
            str(LISTING),
            "--format",
            "json",
        ],
    }


BASE_NAMES = [*BASE_FILES, *DYNAMIC_BASES]
BASE_COMMAND_IDS = list(base_commands("x", Expect("valid")))


def _base_case(name: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[CaseRuns, Expect]:
    key = ("base", name)
    expect = BASE_FILES[name] if name in BASE_FILES else DYNAMIC_BASES[name][1]
    if key not in _RESULTS:
        directory = tmp_path_factory.mktemp(f"base-{name}")
        if name in BASE_FILES:
            path = Path(shutil.copyfile(HOSTILE_DIR / name, directory / name))
        else:
            path = DYNAMIC_BASES[name][0](directory)
        run_case("base", name, path, base_commands(str(path), expect), directory)
    return _RESULTS[key], expect


@pytest.mark.parametrize("name", BASE_NAMES)
@pytest.mark.parametrize("command_id", BASE_COMMAND_IDS)
def test_base_catalog_input(name: str, command_id: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    case, expect = _base_case(name, tmp_path_factory)
    run = case.runs[command_id]
    path = str(case.path)
    check_hygiene(run, [path, str(GOOD_OVERLAY), str(LISTING)], unlocated_ok=UNLOCATED_OK)
    if command_id == "validate-catalog":
        # validate reports an unusable file as one of its problems (exit 1), like any other file.
        if expect.outcome == "refused" or name == "big-catalog-50mb.json":
            assert run.returncode == 1, run.describe()
            errors = [p for p in strict_json(run.stdout)["problems"] if p["severity"] == "error"]
            assert errors, run.describe()
            assert errors[0]["file"] == path, run.describe()
        else:
            assert run.returncode == 0, run.describe()
        return
    if expect.outcome == "refused":
        assert run.returncode == 3, run.describe()
        message = next(line for line in run.stderr_lines if line.startswith("catalogmgr: error: "))
        located = re.escape(path) + (r"(:\d+:\d+)?" if expect.located else "") + ": "
        assert re.match(located, message[len("catalogmgr: error: ") :]), run.describe()
        assert expect.message in message, run.describe()
        return
    assert run.returncode in VALID_CODES.get(command_id, {0}), run.describe()
    if command_id in {"merge-catalog-json", "list", "show", "changes", "keys", "diff-upstream"}:
        strict_json(run.stdout)


@pytest.mark.parametrize(
    "name", [name for name in BASE_NAMES if (BASE_FILES.get(name) or DYNAMIC_BASES[name][1]).check]
)
def test_base_catalog_result(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    case, expect = _base_case(name, tmp_path_factory)
    assert expect.check is not None
    expect.check(case.runs)


# ------------------------------------------------------------------------------------------------
# Saved upstream listings (diff-upstream --upstream-file FILE)

UPSTREAM_FILES: dict[str, Expect] = {
    "upstream-hostile-values.json": Expect("valid"),
    "upstream-modelsdev-hostile.json": Expect("valid"),
    "upstream-nan-literal.json": Expect("refused", "not valid JSON"),
    "upstream-not-json.json": Expect("refused", "not valid JSON"),
    "upstream-number-overflow.json": Expect("refused", "number is infinity"),
    "upstream-lone-surrogate.json": Expect("refused", "no low surrogate"),
    "upstream-wrong-shape.json": Expect("refused", "unexpected response shape", located=False),
}


def upstream_commands(path: str) -> dict[str, list[str]]:
    commands: dict[str, list[str]] = {}
    for source in ("openrouter", "models.dev"):
        for output in ("text", "json", "markdown", "github"):
            commands[f"{source}-{output}"] = [
                "diff-upstream",
                "--no-default-overlay",
                "--source",
                source,
                "--upstream-file",
                path,
                "--format",
                output,
            ]
    commands["write-overlay"] = [
        "diff-upstream",
        "--no-default-overlay",
        "--upstream-file",
        path,
        "--write-overlay",
        "out.yml",
    ]
    return commands


UPSTREAM_COMMAND_IDS = list(upstream_commands("x"))


@pytest.mark.parametrize("name", list(UPSTREAM_FILES))
@pytest.mark.parametrize("command_id", UPSTREAM_COMMAND_IDS)
def test_upstream_listing_input(
    name: str, command_id: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    key = ("upstream", name)
    if key not in _RESULTS:
        directory = tmp_path_factory.mktemp(f"upstream-{name}")
        path = Path(shutil.copyfile(HOSTILE_DIR / name, directory / name))
        run_case("upstream", name, path, upstream_commands(str(path)), directory)
    case = _RESULTS[key]
    run = case.runs[command_id]
    path = str(case.path)
    expect = UPSTREAM_FILES[name]
    if command_id in expect.known_bugs:
        request.applymarker(pytest.mark.xfail(reason=expect.known_bugs[command_id], strict=True))
    check_hygiene(run, [path, "out.yml"], unlocated_ok=UNLOCATED_OK)
    if expect.outcome == "refused":
        assert run.returncode == 3, run.describe()
        message = next(line for line in run.stderr_lines if line.startswith("catalogmgr: error: "))
        assert expect.message in message, run.describe()
    elif command_id.endswith("-json") and run.returncode in {0, 1}:
        strict_json(run.stdout)
    written = case.directory / "cwd" / "out.yml"
    if written.exists():
        # Whatever diff-upstream writes is a valid overlay (it refuses to write anything else).
        from catalogmgr.validation import overlay_is_valid, validate_document

        document = parse_document(written.read_text(encoding="utf-8"), name="out.yml", fmt="yaml")
        assert overlay_is_valid(validate_document(document, "overlay"))
