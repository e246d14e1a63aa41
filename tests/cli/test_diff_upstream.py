"""catalogmgr diff-upstream through the command line: files, a local server, the overlay it writes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from pytest_httpserver import HTTPServer

from catalogmgr.cli import diff_upstream as command

FIXTURES = Path(__file__).resolve().parent.parent / "upstream" / "fixtures"
CATALOG = str(FIXTURES / "catalog-small.json")
LISTING = str(FIXTURES / "openrouter-small.json")
MODELSDEV = str(FIXTURES / "modelsdev-small.json")

RunCli = Callable[..., Result]


@pytest.fixture(autouse=True)
def _isolated(tmp_home: Path) -> None:
    """No test reads the developer's ~/.omp or cache."""


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    delays: list[float] = []
    monkeypatch.setattr(command, "SLEEP", delays.append)
    return delays


def diff(run_cli: RunCli, *args: str, base: str = CATALOG) -> Result:
    return run_cli("diff-upstream", "--base", base, "--no-default-overlay", *args)


def test_text_report_and_exit_1_on_drift(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "drift: 2 new, 1 changed, 1 scheduled removal, 1 gone"
    assert result.stderr.startswith(f"catalogmgr: base: {CATALOG}; overlays: none\n")


def test_json_output_is_clean_json(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"]["new"] == 2
    assert data["upstream"] == LISTING
    profile = data["inputs"].pop("ompProfile")
    assert data["inputs"] == {"base": CATALOG, "base_is_embedded": False, "overlays": []}
    assert set(profile) == {"id", "version", "source", "reason"}


def test_no_drift_exits_0(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, "--match", "claude-x")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "no drift: 0 new, 0 changed, 0 gone"


def test_filters(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, "--only", "new,gone", "--format", "json")
    assert [(d["kind"], d["id"]) for d in json.loads(result.stdout)["drift"]] == [
        ("new", "minimax/minimax-m3:free"),
        ("new", "moonshotai/kimi-k3"),
        ("gone", "old/retired-model"),
    ]
    only_prices = diff(
        run_cli, "--upstream-file", LISTING, "--only", "changed", "--fields", "cost", "--format", "json"
    )
    changes = json.loads(only_prices.stdout)["drift"][0]["changes"]
    assert [c["field"] for c in changes] == ["cost.cacheRead"]
    tolerant = diff(
        run_cli, "--upstream-file", LISTING, "--only", "changed", "--fields", "cost", "--tolerance", "25%"
    )
    assert tolerant.exit_code == 0


def test_all_models_includes_models_without_tools(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, "--only", "new", "--all-models", "--format", "json")
    assert "google/image-maker" in [d["id"] for d in json.loads(result.stdout)["drift"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "renamed"], "--only: unknown kind 'renamed'; one of new, changed, removal, gone"),
        (["--match", "("], "--match: invalid regular expression"),
        (["--fields", "price"], "--fields: unknown field 'price'"),
        (["--tolerance", "lots"], "--tolerance: expected a number such as 0.01 or 1%"),
        (["--tolerance", "2"], "--tolerance: '2' is out of range: expected at least 0 and below 1"),
        (["--provider", "anthropic"], "--provider anthropic: openrouter does not describe it by default;"),
        (["--map", "nonsense"], "--map expects UPSTREAM=LOCAL"),
        (["--offline"], "--upstream-file reads a saved listing: it cannot be combined"),
        (["--write-overlay", "out.json"], "--write-overlay writes YAML: give a .yml file"),
    ],
)
def test_usage_errors_are_one_line_exit_2(run_cli: RunCli, args: list[str], message: str) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"catalogmgr: error: {message}")
    assert result.stderr.count("\n") == 1


def test_map_lets_a_source_describe_another_provider(run_cli: RunCli) -> None:
    result = diff(run_cli, "--upstream-file", LISTING, "--map", "openrouter=mirror", "--provider", "mirror")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "catalogmgr: error: --provider mirror: no such provider in the effective catalog"
    )


def test_models_dev_source(run_cli: RunCli) -> None:
    result = diff(run_cli, "--source", "models.dev", "--upstream-file", MODELSDEV, "--format", "json")
    data = json.loads(result.stdout)
    assert [(d["provider"], d["kind"], d["id"]) for d in data["drift"]] == [("minimax", "new", "MiniMax-M3")]
    remapped = diff(
        run_cli,
        "--source",
        "models.dev",
        "--upstream-file",
        MODELSDEV,
        "--map",
        "minimax=",
        "--format",
        "json",
    )
    assert json.loads(remapped.stdout)["drift"] == []


def test_missing_listing_file_exits_3(run_cli: RunCli, tmp_path: Path) -> None:
    result = diff(run_cli, "--upstream-file", str(tmp_path / "absent.json"))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == f"catalogmgr: error: {tmp_path / 'absent.json'}: no such file"


def test_ignore_file_accepts_drift_with_a_reason(run_cli: RunCli, tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.yml"
    ignore.write_text(
        textwrap.dedent(
            """\
            ignore:
              - kind: gone
                reason: OMP keeps retired models
              - kind: removal
                reason: we move off GLM 4.5 anyway
              - model: minimax/*
                reason: tracked in issue 12
              - model: moonshotai/kimi-k3
                kind: new
                reason: not on our allow-list
            """
        )
    )
    result = diff(run_cli, "--upstream-file", LISTING, "--ignore-file", str(ignore))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "no drift: 0 new, 0 changed, 0 gone (5 ignored)"
    assert f"openrouter/old/retired-model gone: OMP keeps retired models ({ignore}:2)" in result.stdout


def test_invalid_ignore_file_lists_every_located_error(run_cli: RunCli, tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.yml"
    ignore.write_text("ignore:\n  - kind: gone\n  - model: a\n    reason: ''\n")
    result = diff(run_cli, "--upstream-file", LISTING, "--ignore-file", str(ignore))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{ignore}:2:5: [error] a rule needs a `reason`: why this difference is accepted (ignore-file)",
        f"{ignore}:4:13: [error] `reason` must be a non-empty string (ignore-file)",
        f"catalogmgr: error: {ignore}: invalid ignore file (2 error(s))",
    ]


# ------------------------------------------------------------------------------------------------
# The network path, against a local server


def test_fetch_cache_and_offline(run_cli: RunCli, httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/api/v1/models").respond_with_data(
        Path(LISTING).read_bytes(), content_type="application/json", headers={"ETag": '"x"'}
    )
    url = httpserver.url_for("/api/v1/models")
    cache = str(tmp_path / "cache")
    first = diff(run_cli, "--upstream-url", url, "--cache-dir", cache, "--format", "json")
    assert first.exit_code == 1
    assert json.loads(first.stdout)["fromCache"] is False
    offline = diff(run_cli, "--upstream-url", url, "--cache-dir", cache, "--offline", "--format", "json")
    assert json.loads(offline.stdout)["fromCache"] is True
    assert len(httpserver.log) == 1


def test_default_cache_is_under_xdg_cache_home(
    run_cli: RunCli, httpserver: HTTPServer, tmp_home: Path
) -> None:
    httpserver.expect_request("/m").respond_with_data(
        Path(LISTING).read_bytes(), content_type="application/json"
    )
    diff(run_cli, "--upstream-url", httpserver.url_for("/m"))
    assert list((tmp_home / ".cache" / "catalogmgr" / "upstream").glob("*.body"))


def test_offline_without_cache_exits_3(run_cli: RunCli, tmp_path: Path) -> None:
    result = diff(run_cli, "--offline", "--cache-dir", str(tmp_path))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1].startswith(
        "catalogmgr: error: no cached listing for https://openrouter.ai/api/v1/models?output_modalities=all"
    )


def test_retries_are_announced_on_stderr(
    run_cli: RunCli, httpserver: HTTPServer, sleeps: list[float], tmp_path: Path
) -> None:
    httpserver.expect_oneshot_request("/m").respond_with_data(
        "busy", status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_oneshot_request("/m").respond_with_data("oops", status=500)
    httpserver.expect_request("/m").respond_with_data(
        Path(LISTING).read_bytes(), content_type="application/json"
    )
    url = httpserver.url_for("/m")
    result = diff(run_cli, "--upstream-url", url, "--cache-dir", str(tmp_path), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["new"] == 2
    assert sleeps == [3.0, 2.0]
    assert f"catalogmgr: {url}: HTTP 429 TOO MANY REQUESTS; retrying in 3 s" in result.stderr
    assert f"catalogmgr: {url}: HTTP 500 INTERNAL SERVER ERROR; retrying in 2 s" in result.stderr
    assert "\r" not in result.stderr  # not a terminal: no progress line


def test_http_error_is_one_line_exit_3(run_cli: RunCli, httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/m").respond_with_data("gone", status=404)
    url = httpserver.url_for("/m")
    result = diff(run_cli, "--upstream-url", url, "--cache-dir", str(tmp_path))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == f"catalogmgr: error: cannot fetch {url}: HTTP 404 NOT FOUND"


def test_shrink_guard_and_force(run_cli: RunCli, httpserver: HTTPServer, tmp_path: Path) -> None:
    full = json.loads(Path(LISTING).read_text())
    shrunk = {"data": full["data"][:2]}
    httpserver.expect_oneshot_request("/m").respond_with_json(full)
    httpserver.expect_request("/m").respond_with_json(shrunk)
    url = httpserver.url_for("/m")
    cache = ["--cache-dir", str(tmp_path)]
    assert diff(run_cli, "--upstream-url", url, *cache).exit_code == 1
    refused = diff(run_cli, "--upstream-url", url, *cache, "--max-age", "0")
    assert refused.exit_code == 3
    assert "now lists 2 models, fewer than half of the 9 cached" in refused.stderr
    assert "run with --force to accept it" in refused.stderr
    forced = diff(run_cli, "--upstream-url", url, *cache, "--max-age", "0", "--force", "--format", "json")
    assert forced.exit_code == 1
    data = json.loads(forced.stdout)
    assert "accepted (--force) a listing that shrank from 9 to 2 models" in data["notes"]
    assert data["summary"]["gone"] == 6


def test_non_json_response_exits_3(run_cli: RunCli, httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/m").respond_with_data("<html>maintenance</html>", content_type="text/html")
    result = diff(run_cli, "--upstream-url", httpserver.url_for("/m"), "--cache-dir", str(tmp_path))
    assert result.exit_code == 3
    assert "the response is not JSON (Content-Type text/html)" in result.stderr.splitlines()[-1]


# ------------------------------------------------------------------------------------------------
# --write-overlay


def test_write_overlay_round_trip(run_cli: RunCli, tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    result = diff(run_cli, "--upstream-file", LISTING, "--write-overlay", str(overlay))
    assert result.exit_code == 1  # the report is about the catalog before the fix
    assert f"catalogmgr: wrote {overlay}: 2 new model(s), 1 model(s) updated" in result.stderr
    assert "catalogmgr: openrouter: added apiKey OPENROUTER_API_KEY" in result.stderr
    assert "warning" not in result.stderr
    validated = run_cli("validate", str(overlay))
    assert validated.exit_code == 0, validated.stdout + validated.stderr
    again = diff(run_cli, "--upstream-file", LISTING, "--overlay", str(overlay), "--only", "new,changed")
    assert again.exit_code == 0, again.stdout
    merged = json.loads(run_cli("merge", "--base", CATALOG, "--overlay", str(overlay)).stdout)
    kimi = merged["openrouter"]["moonshotai/kimi-k3"]
    assert (kimi["contextWindow"], kimi["maxTokens"], kimi["cost"]["input"]) == (262144, 65536, 0.6)


def test_write_overlay_updates_the_file_in_place(run_cli: RunCli, tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    original = textwrap.dedent(
        """\
        # my models
        providers:
          openrouter:
            apiKey: OPENROUTER_API_KEY  # from ~/.zshenv
          # local server
          ollama:
            baseUrl: http://127.0.0.1:11434/v1
            api: openai-completions
            auth: none
            models:
              - id: qwen3-coder:30b
        """
    )
    overlay.write_text(original)
    overlay.chmod(0o600)
    result = diff(
        run_cli,
        "--upstream-file",
        LISTING,
        "--overlay",
        str(overlay),
        "--write-overlay",
        str(overlay),
        "--only",
        "new",
        "--match",
        "kimi",
    )
    assert result.exit_code == 1
    text = overlay.read_text()
    assert text.startswith(
        "# my models\nproviders:\n  openrouter:\n    baseUrl: https://openrouter.ai/api/v1\n"
    )
    assert "    apiKey: OPENROUTER_API_KEY  # from ~/.zshenv\n" in text
    assert "  # local server\n  ollama:\n" in text
    assert "      - id: moonshotai/kimi-k3  # new upstream (openrouter)\n" in text
    assert overlay.stat().st_mode & 0o777 == 0o600  # permissions kept by the atomic write
    assert (
        diff(
            run_cli, "--upstream-file", LISTING, "--overlay", str(overlay), "--only", "new", "--match", "kimi"
        ).exit_code
        == 0
    )


def test_write_overlay_with_nothing_to_fix_writes_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    result = diff(run_cli, "--upstream-file", LISTING, "--only", "gone", "--write-overlay", str(overlay))
    assert result.exit_code == 1
    assert not overlay.exists()
    assert f"catalogmgr: nothing to write to {overlay}: no new or changed model to fix" in result.stderr


def test_write_overlay_refuses_to_break_an_invalid_file(run_cli: RunCli, tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  openrouter:\n    api: not-an-api\n")
    before = overlay.read_text()
    result = diff(run_cli, "--upstream-file", LISTING, "--only", "new", "--write-overlay", str(overlay))
    assert result.exit_code == 3
    assert "not written: the updated overlay would not validate" in result.stderr.splitlines()[-1]
    assert overlay.read_text() == before


def test_help_describes_the_options(run_cli: RunCli) -> None:
    result = run_cli("diff-upstream", "--help")
    assert result.exit_code == 0
    for option in (
        "--source",
        "--upstream-url",
        "--upstream-file",
        "--map",
        "--provider",
        "--only",
        "--match",
        "--fields",
        "--ignore-file",
        "--format",
        "--write-overlay",
        "--offline",
        "--force",
    ):
        assert option in result.stdout


def test_validate_never_imports_the_upstream_code(tmp_path: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  x:\n    baseUrl: https://x\n")
    probe = textwrap.dedent(
        f"""\
        import sys
        from catalogmgr.cli import main
        try:
            main(["validate", {str(overlay)!r}])
        except SystemExit:
            pass
        loaded = [m for m in sys.modules if m.startswith(("catalogmgr.upstream", "catalogmgr.drift",
                  "catalogmgr.render.drift", "catalogmgr.cli.diff_upstream", "httpx"))
                  or m == "httpx"]
        print(loaded)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ------------------------------------------------------------------------------------------------
# The real data in ../shared


@pytest.mark.shared
def test_blog_scenario_end_to_end(run_cli: RunCli, shared: Any, tmp_path: Path) -> None:
    base = str(shared("data", "omp", "pi-ai-15.7.3.models.json"))
    upstream = str(shared("data", "openrouter", "models-2026-08-18-all.json"))
    report = diff(run_cli, "--upstream-file", upstream, "--format", "json", base=base)
    assert report.exit_code == 1
    new = {d["id"]: d for d in json.loads(report.stdout)["drift"] if d["kind"] == "new"}
    assert new["minimax/minimax-m3"]["upstreamModel"]["contextWindow"] == 1048576

    overlay = tmp_path / "models.yml"
    written = diff(
        run_cli,
        "--upstream-file",
        upstream,
        "--only",
        "new",
        "--match",
        "^minimax/minimax-m3$",
        "--write-overlay",
        str(overlay),
        base=base,
    )
    assert written.exit_code == 1
    assert run_cli("validate", str(overlay)).exit_code == 0
    # The OMP release that shipped this base: under a newer profile OMP's rule engine re-derives the
    # thinking of every model of a provider the overlay configures, in that release's newer shape.
    merged = json.loads(
        run_cli("merge", "--base", base, "--overlay", str(overlay), "--omp-version", "15.7.3").stdout
    )
    m3 = merged["openrouter"]["minimax/minimax-m3"]
    assert m3["contextWindow"] == 1048576
    assert m3["maxTokens"] == 512000
    assert m3["cost"] == {"input": 0.3, "output": 1.2, "cacheRead": 0.06, "cacheWrite": 0}
    assert m3["input"] == ["text", "image"]
    # Every other OpenRouter model of the bundled catalog is untouched by the overlay.
    original = json.loads(Path(base).read_text())["openrouter"]
    assert all(merged["openrouter"][model_id] == model for model_id, model in original.items())
    after = diff(
        run_cli,
        "--upstream-file",
        upstream,
        "--overlay",
        str(overlay),
        "--only",
        "new",
        "--match",
        "^minimax/minimax-m3$",
        base=base,
    )
    assert after.exit_code == 0


@pytest.mark.shared
def test_real_catalog_against_the_real_listing_served_locally(
    run_cli: RunCli, shared: Any, httpserver: HTTPServer, tmp_path: Path
) -> None:
    base = str(shared("data", "omp", "pi-catalog-18.2.3.models.json"))
    body = shared("data", "openrouter", "models-2026-08-18-all.json").read_bytes()
    httpserver.expect_request("/api/v1/models").respond_with_data(body, content_type="application/json")
    result = diff(
        run_cli,
        "--upstream-url",
        httpserver.url_for("/api/v1/models"),
        "--cache-dir",
        str(tmp_path),
        "--format",
        "json",
        base=base,
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["providers"][0]["upstreamModels"] == 549
    assert data["summary"]["new"] == 0  # OMP 18.2.3 already carries every tool-capable model of that day
    names = {d["id"] for d in data["drift"] if d["kind"] == "changed"}
    assert names  # real drift exists: prices and limits moved after the catalog was generated


@pytest.mark.shared
def test_real_models_dev_listing(run_cli: RunCli, shared: Any) -> None:
    base = str(shared("data", "omp", "pi-catalog-18.2.3.models.json"))
    upstream = str(shared("data", "modelsdev", "api-2026-03-01.json"))
    result = diff(
        run_cli,
        "--source",
        "models.dev",
        "--upstream-file",
        upstream,
        "--provider",
        "minimax",
        "--format",
        "json",
        base=base,
    )
    data = json.loads(result.stdout)
    assert [p["provider"] for p in data["providers"]] == ["minimax"]
    assert all(d["provider"] == "minimax" for d in data["drift"])


def test_reading_a_saved_listing_never_imports_httpx() -> None:
    probe = textwrap.dedent(
        f"""\
        import sys
        from catalogmgr.cli import main
        try:
            main(["diff-upstream", "--base", {CATALOG!r}, "--no-default-overlay",
                  "--upstream-file", {LISTING!r}])
        except SystemExit:
            pass
        print("httpx" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_the_cli_default_timeout_is_the_clients() -> None:
    from catalogmgr.upstream import http

    assert command.DEFAULT_TIMEOUT == http.DEFAULT_TIMEOUT


def test_terminal_progress_for_slow_fetches_only(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    ticks = iter([0.0, 0.1, 2.0])
    monkeypatch.setattr(command.time, "monotonic", lambda: next(ticks))
    progress = command._StderrProgress(terminal=True)
    progress.started("https://x/models")
    progress.received("https://x/models", 1024, 4096)  # 0.1 s in: too early to draw
    assert capsys.readouterr().err == ""
    progress.received("https://x/models", 2048, 4096)  # 2 s in: slow, draw it
    progress.finished("https://x/models")
    err = capsys.readouterr().err
    assert err.startswith("\rcatalogmgr: fetching https://x/models: 2 KiB of 4 KiB")
    assert err.endswith("\r\x1b[K")  # the line is cleared when done


def test_no_progress_line_when_stderr_is_not_a_terminal(capsys: Any) -> None:
    progress = command._StderrProgress(terminal=False)
    progress.started("u")
    progress.received("u", 10, None)
    progress.finished("u")
    assert capsys.readouterr().err == ""
