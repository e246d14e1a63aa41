"""The exact engine without a real OMP: the bridge protocol against a fake bun, engine choice, CLI.

The fake bun is a Python script installed where OMP's bun lives (``@oven/bun-linux-x64/bin/bun``)
in a fake ``node_modules``. It speaks the bridge's protocol (argv: ``--no-install SCRIPT
NODE_MODULES JOBS OUT``; one JSON line per result in OUT) and reports what it was given: each job's
``models.yml`` and ``config.yml`` and its own environment, so the tests can check what reaches OMP.
A ``FAKE_BUN_MODE`` file beside it switches it to misbehave (crash, hang, reach for the network...).
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from catalogmgr.cli import cli
from catalogmgr.engine import choose_engine, find_omp_runtime, omp_effective_catalog, overlay_text
from catalogmgr.errors import OmpEngineError, UsageError
from catalogmgr.merge import Layer
from catalogmgr.omp.bridge import BridgeBaseline, BridgeJob, parse_bridge_output, run_bridge
from catalogmgr.omp.profile import OmpVersion

FAKE_BUN = textwrap.dedent(
    """
    import json, os, pathlib, sys, time
    here = pathlib.Path(__file__).parent
    mode_file = here / "FAKE_BUN_MODE"
    mode = mode_file.read_text().strip() if mode_file.exists() else "ok"
    args = sys.argv[1:]
    assert args[0] == "--no-install", args
    script, node_modules, jobs_path, out_path = args[1:5]
    jobs = json.loads(pathlib.Path(jobs_path).read_text())
    if mode == "crash":
        sys.stderr.write("TypeError: registry exploded\\n")
        sys.exit(1)
    if mode == "hang":
        time.sleep(60)
    out = open(out_path, "w")
    def write(doc):
        out.write(json.dumps(doc) + "\\n")
    write({"kind": "meta", "omp": "18.2.3", "catalog": "18.2.3", "bun": "1.4.4",
           "script": os.path.basename(script)})
    def read(path):
        p = pathlib.Path(path)
        return p.read_text() if p.exists() else None
    def rows(directory):
        overlay = read(os.path.join(directory, "agent", "models.yml"))
        config = read(os.path.join(directory, "agent", "config.yml"))
        base = [{"provider": "acme", "id": "base-1", "name": "Base One", "contextWindow": 1000},
                {"provider": "acme", "id": "base-2", "name": "Base Two", "contextWindow": 2000}]
        if overlay is not None:
            base.append({"provider": "acme", "id": "from-overlay", "name": "Seen",
                         "overlay": overlay, "config": config,
                         "env": dict(os.environ), "cwd": os.getcwd()})
        elif config is not None:
            base[0] = dict(base[0], config=config)
        return base
    for baseline in jobs["baselines"]:
        write({"kind": "baseline", "key": baseline["key"], "network": [], "settings": {},
               "count": 2, "rows": rows(baseline["dir"]) if baseline["emit"] else None})
    for job in jobs["jobs"]:
        if mode == "lose-results":
            break
        network = ["https://example.invalid/models"] if mode == "network" else []
        error = "models.yml: providers.acme: bad" if mode == "reject" else None
        found = rows(job["dir"])
        order = None
        if job["baseline"] is not None:  # diff against the baseline, full order when asked
            base = rows(next(b["dir"] for b in jobs["baselines"] if b["key"] == job["baseline"]))
            if job.get("fullOrder"):
                order = [[row["provider"], row["id"]] for row in found]
            found = [row for row in found if row not in base]
        write({"kind": "result", "key": job["key"], "status": "error" if error else "ok",
               "error": error, "network": network, "settings": {"extendedContext": None},
               "rows": found, "removed": [], "order": order,
               "allFields": job.get("allFields")})
    if mode == "garbage":
        out.write("this is not json\\n")
    out.close()
    """
)


def make_fake_omp(root: Path, *, bun: bool = True, version: str = "18.2.3") -> Path:
    """A node_modules holding OMP's package layout (catalog, registry source) and a fake bun."""
    node_modules = root / "node_modules"
    agent = node_modules / "@oh-my-pi" / "pi-coding-agent"
    (agent / "src" / "config").mkdir(parents=True)
    (agent / "package.json").write_text(json.dumps({"version": version}))
    (agent / "src" / "config" / "model-registry.ts").write_text("// fake\n")
    catalog_package = node_modules / "@oh-my-pi" / "pi-catalog"
    (catalog_package / "src").mkdir(parents=True)
    (catalog_package / "package.json").write_text(json.dumps({"version": version}))
    (catalog_package / "src" / "models.json").write_text(
        json.dumps({"acme": {"base-1": {"id": "base-1", "name": "Base One", "provider": "acme"}}})
    )
    if bun:
        bin_dir = node_modules / "@oven" / "bun-linux-x64" / "bin"
        bin_dir.mkdir(parents=True)
        script = bin_dir / "bun"
        script.write_text(f"#!{sys.executable}\n{FAKE_BUN}")
        script.chmod(0o755)
    return node_modules


def set_mode(node_modules: Path, mode: str) -> None:
    (node_modules / "@oven" / "bun-linux-x64" / "bin" / "FAKE_BUN_MODE").write_text(mode)


@pytest.fixture
def fake_omp(tmp_path: Path) -> Path:
    return make_fake_omp(tmp_path / "omp")


def _bun(node_modules: Path) -> Path:
    return node_modules / "@oven" / "bun-linux-x64" / "bin" / "bun"


# -- the bridge protocol ----------------------------------------------------------------------------


def test_bridge_runs_every_job_in_one_process_with_its_files(fake_omp: Path) -> None:
    output = run_bridge(
        fake_omp,
        _bun(fake_omp),
        [
            BridgeJob("a", b"providers: {}\n", config="extendedContext: true", all_fields=True),
            BridgeJob("b", None),
        ],
        [BridgeBaseline("base", "")],
    )
    assert output.meta["script"] == "bridge.ts"
    assert set(output.results) == {"a", "b"}
    assert set(output.baselines) == {"base"}
    seen = output.results["a"]["rows"][-1]
    assert seen["overlay"] == "providers: {}\n"
    assert seen["config"] == "extendedContext: true\n"
    assert output.results["a"]["allFields"] is True
    # No overlay: no models.yml at all (OMP's "not found"), not an empty one.
    assert [row["id"] for row in output.results["b"]["rows"]] == ["base-1", "base-2"]


def test_bridge_environment_is_scrubbed_and_home_is_private(
    fake_omp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-must-not-reach-omp")
    monkeypatch.setenv("PI_CODING_AGENT_DIR", "/home/user/.omp/agent")
    output = run_bridge(fake_omp, _bun(fake_omp), [BridgeJob("a", b"x: 1\n")], path_variable="/usr/bin:/bin")
    env = output.results["a"]["rows"][-1]["env"]
    assert "OPENAI_API_KEY" not in env
    assert "sk-must-not-reach-omp" not in json.dumps(env)
    assert env["PATH"] == "/usr/bin:/bin"
    home = Path(env["HOME"])
    assert home.name == "home"
    assert home.parent.name.startswith("catalogmgr-omp-")
    assert env["PI_CODING_AGENT_DIR"].startswith(env["HOME"])
    assert not home.parent.exists(), "the private directory is removed after the run"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("crash", "exited with 1: TypeError: registry exploded"),
        ("network", "tried to reach the network"),
        ("lose-results", "returned 0 of 1 results"),
        ("garbage", "not JSON"),
    ],
)
def test_bridge_failures_are_one_engine_error(fake_omp: Path, mode: str, message: str) -> None:
    set_mode(fake_omp, mode)
    with pytest.raises(OmpEngineError, match=message):
        run_bridge(fake_omp, _bun(fake_omp), [BridgeJob("a", b"providers: {}\n")])


def test_bridge_timeout_is_an_engine_error(fake_omp: Path) -> None:
    set_mode(fake_omp, "hang")
    with pytest.raises(OmpEngineError, match=r"did not answer within 0\.5s"):
        run_bridge(fake_omp, _bun(fake_omp), [BridgeJob("a", None)], timeout=0.5)


def test_bridge_without_a_runnable_bun(tmp_path: Path, fake_omp: Path) -> None:
    with pytest.raises(OmpEngineError, match="cannot start OMP's bun"):
        run_bridge(fake_omp, tmp_path / "no-bun", [BridgeJob("a", None)])


def test_parse_requires_a_meta_line() -> None:
    with pytest.raises(OmpEngineError, match="reported nothing: boom"):
        parse_bridge_output(b"", ["a"], "boom\n")


def _bridge_lines(*docs: dict[str, Any]) -> bytes:
    meta = {"kind": "meta", "omp": "18.2.3", "catalog": "18.2.3", "bun": "1.4.4"}
    return b"".join(json.dumps(doc).encode() + b"\n" for doc in (meta, *docs))


def test_parse_puts_shared_values_back_in_place() -> None:
    compat = {"supportsStore": False, "maxTokensField": "max_tokens"}
    rows = [
        {"provider": "a", "id": "m1", "compat": None, "thinking": None, "maxTokens": 1},
        {"provider": "a", "id": "m2", "compat": None, "maxTokens": 2},
        {"provider": "a", "id": "m3", "compat": "as written", "maxTokens": 3},
    ]
    shared = {
        "values": [compat, {"mode": "effort"}],
        "fields": {"compat": [0, 0, None], "thinking": [1, None, None]},
    }
    result = {"kind": "result", "key": "a", "shared": shared, "rows": rows, "removed": [], "order": None}
    output = parse_bridge_output(_bridge_lines(result), ["a"])
    restored = output.results["a"]["rows"]
    assert restored == [
        {"provider": "a", "id": "m1", "compat": compat, "thinking": {"mode": "effort"}, "maxTokens": 1},
        {"provider": "a", "id": "m2", "compat": compat, "maxTokens": 2},
        {"provider": "a", "id": "m3", "compat": "as written", "maxTokens": 3},
    ]
    assert list(restored[0]) == ["provider", "id", "compat", "thinking", "maxTokens"]  # OMP's key order
    assert "shared" not in output.results["a"]


@pytest.mark.parametrize(
    "shared",
    [
        {"values": [], "fields": {"compat": [0]}},  # an index beyond the table
        {"values": [{}], "fields": {"compat": [0, 0]}},  # more indices than rows
        {"values": [{}]},  # no fields
        ["not", "a", "table"],
    ],
)
def test_parse_refuses_broken_shared_values(shared: Any) -> None:
    result = {"kind": "result", "key": "a", "shared": shared, "rows": [{"id": "m", "compat": None}]}
    with pytest.raises(OmpEngineError, match="broken shared values"):
        parse_bridge_output(_bridge_lines(result), ["a"])


# -- the effective catalog ---------------------------------------------------------------------------


def test_effective_catalog_groups_rows_and_shares_untouched_baseline_rows(fake_omp: Path) -> None:
    runtime, _ = find_omp_runtime(str(fake_omp), {}, fake_omp)
    assert runtime is not None
    answer = omp_effective_catalog(runtime, [], with_baseline=True)
    assert answer.baseline is not None
    assert list(answer.catalog["acme"]) == ["base-1", "base-2"]
    # Untouched rows are the very objects of the baseline: catalog_changes sees no change.
    assert answer.catalog["acme"]["base-1"] is answer.baseline["acme"]["base-1"]
    assert answer.omp_version == "18.2.3"


def test_effective_catalog_reports_omps_rejection(fake_omp: Path) -> None:
    set_mode(fake_omp, "reject")
    runtime, _ = find_omp_runtime(str(fake_omp), {}, fake_omp)
    assert runtime is not None
    answer = omp_effective_catalog(runtime, [Layer("x.yml", {"providers": {}})])
    assert answer.error == "models.yml: providers.acme: bad"


def test_overlay_text_one_file_verbatim_several_composed() -> None:
    assert overlay_text([]) is None
    composed = overlay_text(
        [
            Layer("a.yml", {"providers": {"acme": {"baseUrl": "https://a"}}}),
            Layer("b.yml", {"providers": {"acme": {"apiKey": "ACME_KEY"}}}),
        ]
    )
    assert composed is not None
    assert json.loads(composed) == {"providers": {"acme": {"baseUrl": "https://a", "apiKey": "ACME_KEY"}}}


# -- choosing the engine -----------------------------------------------------------------------------


def test_python_when_asked(fake_omp: Path) -> None:
    choice = choose_engine("python", str(fake_omp), {}, fake_omp)
    assert choice.name == "python"
    assert choice.runtime is None


def test_auto_uses_omp_when_found_else_python(fake_omp: Path, tmp_path: Path) -> None:
    found = choose_engine(None, None, {"CATALOGMGR_OMP_DIR": str(fake_omp)}, tmp_path)
    assert found.name == "omp"
    assert found.runtime is not None
    assert found.runtime.version == OmpVersion(18, 2, 3)
    assert "$CATALOGMGR_OMP_DIR" in found.reason
    missing = choose_engine(None, None, {}, tmp_path / "empty-home")
    assert missing.name == "python"
    assert "no OMP installation" in missing.reason


def test_auto_prefers_python_for_a_given_base_or_another_version(fake_omp: Path, tmp_path: Path) -> None:
    env = {"CATALOGMGR_OMP_DIR": str(fake_omp)}
    assert choose_engine("auto", None, env, tmp_path, base="models.json").name == "python"
    other = choose_engine("auto", None, env, tmp_path, omp_version=OmpVersion(17, 3, 5))
    assert other.name == "python"
    assert "17.3.5" in other.reason


def test_environment_variable_sets_the_default(fake_omp: Path, tmp_path: Path) -> None:
    env = {"CATALOGMGR_ENGINE": "python", "CATALOGMGR_OMP_DIR": str(fake_omp)}
    assert choose_engine(None, None, env, tmp_path).name == "python"
    assert choose_engine("omp", None, env, tmp_path).name == "omp"  # the flag wins


def test_omp_engine_refusals(fake_omp: Path, tmp_path: Path) -> None:
    with pytest.raises(OmpEngineError, match="no OMP installation in --omp-dir"):
        choose_engine("omp", str(tmp_path / "nothing"), {}, tmp_path)
    with pytest.raises(UsageError, match="cannot use the base"):
        choose_engine("omp", str(fake_omp), {}, tmp_path, base="models.json")
    with pytest.raises(UsageError, match=r"not the requested OMP 17\.3\.5"):
        choose_engine("omp", str(fake_omp), {}, tmp_path, omp_version=OmpVersion(17, 3, 5))
    with pytest.raises(UsageError, match="unknown engine 'rust'"):
        choose_engine(None, None, {"CATALOGMGR_ENGINE": "rust"}, tmp_path)


def test_omp_without_bun_is_not_usable(tmp_path: Path) -> None:
    node_modules = make_fake_omp(tmp_path / "omp", bun=False)
    env = {"PATH": str(tmp_path / "empty-bin"), "BUN_INSTALL": str(tmp_path / "no-bun")}
    runtime, why = find_omp_runtime(str(node_modules), env, tmp_path)
    assert runtime is None
    assert "no bun found" in why
    assert choose_engine("auto", str(node_modules), env, tmp_path).name == "python"


def test_bun_on_path_serves_an_omp_installed_without_one(tmp_path: Path) -> None:
    node_modules = make_fake_omp(tmp_path / "omp", bun=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "bun").write_text("#!/bin/sh\n")
    (bin_dir / "bun").chmod(0o755)
    runtime, _ = find_omp_runtime(str(node_modules), {"PATH": str(bin_dir)}, tmp_path)
    assert runtime is not None
    assert runtime.bun == bin_dir / "bun"


# -- the CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    home_env = {"HOME": str(tmp_path / "home"), "PI_CODING_AGENT_DIR": str(tmp_path / "agent")}

    def invoke(*args: str, **env: str) -> Result:
        return CliRunner().invoke(cli, list(args), env={**home_env, **env}, catch_exceptions=False)

    return invoke


def test_list_with_the_omp_engine_renders_omps_rows(
    run: Callable[..., Result], fake_omp: Path, tmp_path: Path
) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  acme:\n    baseUrl: https://acme.example/v1\n")
    result = run("list", "--engine", "omp", "--omp-dir", str(fake_omp), "--overlay", str(overlay))
    assert result.exit_code == 0, result.output
    assert "catalogmgr: engine: omp (OMP 18.2.3 at" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:1] == ["acme/base-1"]
    assert "added" in lines[3]
    assert "acme/from-overlay" in lines[3]


def test_list_json_names_the_engine(run: Callable[..., Result], fake_omp: Path) -> None:
    result = run(
        "list",
        "--format",
        "json",
        "--no-default-overlay",
        CATALOGMGR_ENGINE="omp",
        CATALOGMGR_OMP_DIR=str(fake_omp),
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["engine"]["name"] == "omp"
    assert record["engine"]["omp"] == "18.2.3"
    assert [model["status"] for model in record["models"]] == ["base", "base"]


def test_user_settings_reach_omp(run: Callable[..., Result], fake_omp: Path, tmp_path: Path) -> None:
    (tmp_path / "agent").mkdir()
    (tmp_path / "agent" / "config.yml").write_text("extendedContext: true\n")
    result = run(
        "show",
        "acme/base-1",
        "--format",
        "json",
        "--no-default-overlay",
        "--engine",
        "omp",
        "--omp-dir",
        str(fake_omp),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["config"] == "extendedContext: true\n\n"


def test_omps_rejection_is_an_invalid_overlay(
    run: Callable[..., Result], fake_omp: Path, tmp_path: Path
) -> None:
    set_mode(fake_omp, "reject")
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  acme:\n    baseUrl: https://acme.example/v1\n")
    result = run("merge", "--engine", "omp", "--omp-dir", str(fake_omp), "--overlay", str(overlay))
    assert result.exit_code == 1
    assert "OMP 18.2.3 rejects the overlay" in result.stderr
    assert "(omp-rejected)" in result.stderr


def test_engine_failures_exit_3_with_one_line(
    run: Callable[..., Result], fake_omp: Path, tmp_path: Path
) -> None:
    set_mode(fake_omp, "crash")
    result = run("merge", "--engine", "omp", "--omp-dir", str(fake_omp), "--no-default-overlay")
    assert result.exit_code == 3
    assert "catalogmgr: error: OMP's bridge exited with 1: TypeError: registry exploded" in result.stderr
    assert "Traceback" not in result.output
    missing = run("merge", "--engine", "omp", "--omp-dir", str(tmp_path / "nothing"))
    assert missing.exit_code == 3
    assert "no OMP installation" in missing.stderr


def test_engine_options_that_contradict(run: Callable[..., Result], fake_omp: Path, tmp_path: Path) -> None:
    base = tmp_path / "models.json"
    base.write_text(json.dumps({"acme": {"m": {"id": "m", "name": "M"}}}))
    both = run("list", "--engine", "omp", "--omp-dir", str(fake_omp), "--base", str(base))
    assert both.exit_code == 2
    keys = run("merge", "--engine", "omp", "--omp-dir", str(fake_omp), "--resolve-keys")
    assert keys.exit_code == 2
    assert "--engine omp cannot serve --resolve-keys" in keys.stderr
    auto = run("list", "--engine", "auto", "--omp-dir", str(fake_omp), "--base", str(base))
    assert auto.exit_code == 0
    assert "engine: python: --engine auto: a base catalog was given" in auto.stderr


def test_validate_has_no_engine(run: Callable[..., Result]) -> None:
    result = run("validate", "--engine", "omp", "x.yml")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert "--engine" in result.stderr


def test_the_conftest_keeps_everyday_tests_on_python(run: Callable[..., Result]) -> None:
    assert os.environ["CATALOGMGR_ENGINE"] == "python"
    result = run("list", "--no-default-overlay")
    assert "catalogmgr: engine: python: $CATALOGMGR_ENGINE python" in result.stderr


def test_one_overlay_reaches_omp_byte_for_byte(
    run: Callable[..., Result], fake_omp: Path, tmp_path: Path
) -> None:
    overlay = tmp_path / "models.yml"
    text = "# my models\nproviders:\n  acme:\n    baseUrl: 'https://acme.example/v1'  # local\n"
    overlay.write_text(text)
    result = run(
        "show",
        "acme/from-overlay",
        "--format",
        "json",
        "--engine",
        "omp",
        "--omp-dir",
        str(fake_omp),
        "--overlay",
        str(overlay),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["overlay"] == text


def test_an_invalid_overlay_stops_before_omp_answers(
    run: Callable[..., Result], fake_omp: Path, tmp_path: Path
) -> None:
    set_mode(fake_omp, "hang")  # OMP would never answer: the validation error must come first
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  acme:\n    api: not-an-api\n")
    result = run("merge", "--engine", "omp", "--omp-dir", str(fake_omp), "--overlay", str(overlay))
    assert result.exit_code == 1
    assert "not-an-api" in result.stderr


def test_a_crashed_bridge_is_named_by_its_error_line_not_its_last_frame() -> None:
    from catalogmgr.omp.bridge import _last_line

    trace = (
        "[Uncaught Exception] ConfigurationError: Muse Code credential is invalid; sign in again\n"
        "    at parseMuseCodeCredential (/x/muse-code.ts:59:21)\n"
        "    at async snapshot (/x/bridge.ts:286:18)\n"
    )
    assert _last_line(trace) == "ConfigurationError: Muse Code credential is invalid; sign in again"
    assert _last_line("only a frame\n") == "only a frame"
    assert _last_line("") == "(no message)"
