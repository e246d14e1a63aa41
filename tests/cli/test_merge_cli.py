"""catalogmgr merge / list / show / changes through the command line."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalogmgr.cli import cli

BASE = {
    "minimax": {
        "MiniMax-M2": {
            "id": "MiniMax-M2",
            "name": "MiniMax-M2",
            "api": "anthropic-messages",
            "provider": "minimax",
            "baseUrl": "https://api.minimax.io/anthropic",
            "reasoning": True,
            "input": ["text"],
            "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0, "cacheWrite": 0},
            "contextWindow": 204800,
            "maxTokens": 131072,
            "compat": {"disableStrictTools": False},
        },
        "MiniMax-M3": {
            "id": "MiniMax-M3",
            "name": "MiniMax-M3",
            "api": "anthropic-messages",
            "provider": "minimax",
            "baseUrl": "https://api.minimax.io/anthropic",
            "reasoning": True,
            "input": ["text"],
            "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0.06, "cacheWrite": 0},
            "contextWindow": 1000000,
            "maxTokens": 128000,
        },
    },
    "openai": {
        "gpt-5.1": {
            "id": "gpt-5.1",
            "name": "GPT-5.1",
            "api": "openai-responses",
            "provider": "openai",
            "baseUrl": "https://api.openai.com/v1",
            "reasoning": True,
            "input": ["text", "image"],
            "cost": {"input": 1.25, "output": 10, "cacheRead": 0.125, "cacheWrite": 0},
            "contextWindow": 400000,
            "maxTokens": 128000,
        }
    },
}

SEED = """\
# MiniMax M3 Code Plan
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    authHeader: true
    disableStrictTools: true
    models:
      - id: MiniMax-M3
        name: MiniMax M3
        reasoning: true
        input: [text, image]
        contextWindow: 1000000
        maxTokens: 16384
        cost:
          input: 0
          output: 0
          cacheRead: 0
          cacheWrite: 0
"""


@pytest.fixture
def files(tmp_path: Path, tmp_home: Path) -> dict[str, Path]:
    base = tmp_path / "models.json"
    base.write_text(json.dumps(BASE, indent="\t"), encoding="utf-8")
    seed = tmp_path / "seed.yml"
    seed.write_text(SEED, encoding="utf-8")
    return {"base": base, "seed": seed, "home": tmp_home, "tmp": tmp_path}


def test_merge_prints_the_catalog_and_says_which_base(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli("merge", "--base", str(files["base"]), "--overlay", str(files["seed"]))
    assert result.exit_code == 0, result.stderr
    catalog = json.loads(result.stdout)
    assert result.stdout.startswith('{\n\t"minimax": {\n\t\t"MiniMax-M2": {')
    assert catalog["minimax"]["MiniMax-M2"]["baseUrl"] == "https://api.minimaxi.com/anthropic"
    assert catalog["minimax"]["MiniMax-M3"]["name"] == "MiniMax M3"
    assert f"base: {files['base']}; overlays: {files['seed']}" in result.stderr


def test_merge_writes_atomically_with_o_and_compact_or_yaml(run_cli: Any, files: dict[str, Path]) -> None:
    out = files["tmp"] / "out.json"
    result = run_cli(
        "merge", "--base", str(files["base"]), "--no-default-overlay", "--compact", "-o", str(out)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == json.dumps(BASE, separators=(",", ":"))
    yaml_result = run_cli("merge", "--base", str(files["base"]), "--no-default-overlay", "--format", "yaml")
    assert yaml_result.stdout.startswith("minimax:\n  MiniMax-M2:\n    id: MiniMax-M2\n")


def test_merge_emits_the_composed_overlay_with_comments(run_cli: Any, files: dict[str, Path]) -> None:
    extra = files["tmp"] / "extra.yml"
    extra.write_text(
        "providers:\n  minimax:\n    modelOverrides:\n      MiniMax-M2: {maxTokens: 8}\n", encoding="utf-8"
    )
    result = run_cli(
        "merge",
        "--base",
        str(files["base"]),
        "--overlay",
        str(files["seed"]),
        "--overlay",
        str(extra),
        "--emit",
        "overlay",
    )
    assert result.exit_code == 0, result.stderr
    assert "# MiniMax M3 Code Plan" in result.stdout
    assert "apiKey: MINIMAX_API_KEY" in result.stdout
    assert "    modelOverrides:\n      MiniMax-M2:\n        maxTokens: 8\n" in result.stdout


def test_an_invalid_overlay_stops_the_merge_with_located_errors(run_cli: Any, files: dict[str, Path]) -> None:
    bad = files["tmp"] / "bad.yml"
    bad.write_text(
        "providers:\n  mine:\n    api: openai-completions\n    models:\n      - id: x\n", encoding="utf-8"
    )
    result = run_cli("merge", "--base", str(files["base"]), "--overlay", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}:2:3: [error]" in result.stderr
    assert "(models-need-baseurl)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("invalid overlay (2 error(s))")


def test_an_unreadable_overlay_is_exit_3(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli("merge", "--base", str(files["base"]), "--overlay", str(files["tmp"] / "nope.yml"))
    assert result.exit_code == 3
    assert "no such file" in result.stderr


def test_compact_only_with_catalog_json(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli("merge", "--base", str(files["base"]), "--emit", "overlay", "--compact")
    assert result.exit_code == 2


def test_default_overlay_comes_from_home_unless_refused(run_cli: Any, files: dict[str, Path]) -> None:
    agent = files["home"] / ".omp" / "agent"
    agent.mkdir(parents=True)
    (agent / "models.yml").write_text(SEED, encoding="utf-8")
    used = run_cli("show", "minimax/MiniMax-M3", "--base", str(files["base"]))
    assert "MiniMax M3" in used.stdout
    assert str(agent / "models.yml") in used.stderr
    refused = run_cli("show", "minimax/MiniMax-M3", "--base", str(files["base"]), "--no-default-overlay")
    assert '"MiniMax-M3"' in refused.stdout
    assert "overlays: none" in refused.stderr


def test_list_table_json_and_filters(run_cli: Any, files: dict[str, Path]) -> None:
    table = run_cli(
        "list", "--base", str(files["base"]), "--overlay", str(files["seed"]), "--provider", "minimax"
    )
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["MODEL", "NAME", "API"]
    assert any(line.startswith("minimax/MiniMax-M3") and line.endswith("changed") for line in lines)
    assert not any("openai" in line for line in lines)
    as_json = json.loads(
        run_cli("list", "--base", str(files["base"]), "--find", "GPT", "--format", "json").stdout
    )
    assert as_json["base"] == str(files["base"])
    assert [(m["provider"], m["id"], m["status"]) for m in as_json["models"]] == [
        ("openai", "gpt-5.1", "base")
    ]
    missing = run_cli("list", "--base", str(files["base"]), "--provider", "minimaxx")
    assert missing.exit_code == 3
    assert "did you mean 'minimax'" in missing.stderr


def test_show_explain_names_file_line_and_column(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli(
        "show",
        "minimax/MiniMax-M2",
        "--base",
        str(files["base"]),
        "--overlay",
        str(files["seed"]),
        "--explain",
    )
    assert result.exit_code == 0, result.stderr
    baseurl = next(line for line in result.stdout.splitlines() if line.startswith("baseUrl"))
    assert baseurl.endswith(f"<- {files['seed']}:4:5 (provider override)")
    maxtokens = next(line for line in result.stdout.splitlines() if line.startswith("maxTokens"))
    assert maxtokens.endswith(f"<- {files['base']} (bundled)")
    as_json = json.loads(
        run_cli(
            "show",
            "minimax/MiniMax-M3",
            "--base",
            str(files["base"]),
            "--overlay",
            str(files["seed"]),
            "--format",
            "json",
        ).stdout
    )
    assert as_json["provenance"]["maxTokens"] == {
        "layer": str(files["seed"]),
        "line": 15,
        "column": 9,
        "how": "custom model",
    }
    assert as_json["model"]["maxTokens"] == 16384


def test_show_unknown_model_is_one_line_with_did_you_mean(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli("show", "minimax/minimax-m3", "--base", str(files["base"]))
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "catalogmgr: error: no model 'minimax-m3' in provider 'minimax'; "
        "did you mean 'MiniMax-M3'? (ids are case-sensitive)"
    )
    assert run_cli("show", "nonsense", "--base", str(files["base"])).exit_code == 2


def test_changes_lists_field_changes_and_exit_code(run_cli: Any, files: dict[str, Path]) -> None:
    result = run_cli("changes", "--base", str(files["base"]), "--overlay", str(files["seed"]), "--exit-code")
    assert result.exit_code == 1
    assert (
        f"  minimax/MiniMax-M3  maxTokens: 128000 -> 16384  ({files['seed']}:15:9)"
        in result.stdout.splitlines()
    )
    as_json = json.loads(
        run_cli(
            "changes", "--base", str(files["base"]), "--overlay", str(files["seed"]), "--format", "json"
        ).stdout
    )
    fields = {(c["id"], c["field"]) for c in as_json["changes"]}
    assert ("MiniMax-M2", "baseUrl") in fields
    assert ("MiniMax-M2", "compat.disableStrictTools") in fields
    none = run_cli("changes", "--base", str(files["base"]), "--no-default-overlay", "--exit-code")
    assert none.exit_code == 0
    assert none.stdout == ""
    merged_changes = run_cli(
        "merge", "--base", str(files["base"]), "--overlay", str(files["seed"]), "--changes"
    )
    assert merged_changes.stdout == result.stdout


def test_unknown_override_ids_are_warnings_not_failures(run_cli: Any, files: dict[str, Path]) -> None:
    overlay = files["tmp"] / "o.yml"
    overlay.write_text(
        "providers:\n  minimax:\n    modelOverrides:\n      MiniMax-M9: {maxTokens: 1}\n", encoding="utf-8"
    )
    result = run_cli("merge", "--base", str(files["base"]), "--overlay", str(overlay))
    assert result.exit_code == 0
    assert f"{overlay}:4:7: [warning]" in result.stderr
    assert "(unknown-override)" in result.stderr


def test_fresh_machine_merges_the_embedded_default_and_says_so(run_cli: Any, tmp_home: Path) -> None:
    from catalogmgr.catalog import load_embedded_default
    from catalogmgr.omp.install import installed_catalog_candidates

    embedded = load_embedded_default()

    if any(path.is_file() for path in installed_catalog_candidates({}, tmp_home)):
        pytest.skip("this machine has a system-wide OMP install")
    result = run_cli("merge", "--as-written")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == embedded
    assert "base: embedded catalog of OMP 18.2.3 (catalogmgr" in result.stderr
    assert "overlays: none" in result.stderr


def test_seed_overlay_over_the_real_catalog(run_cli: Any, shared: Any, files: dict[str, Path]) -> None:
    real = shared("data", "omp", "pi-catalog-18.2.3.models.json")
    result = run_cli("merge", "--base", str(real), "--overlay", str(files["seed"]))
    assert result.exit_code == 0, result.stderr
    minimax = json.loads(result.stdout)["minimax"]
    assert len(minimax) == 8
    assert {m["baseUrl"] for m in minimax.values()} == {"https://api.minimaxi.com/anthropic"}
    assert all(m["compat"]["disableStrictTools"] is True for m in minimax.values())
    m3 = minimax["MiniMax-M3"]
    assert (m3["name"], m3["contextWindow"], m3["maxTokens"], m3["input"]) == (
        "MiniMax M3",
        1000000,
        16384,
        ["text", "image"],
    )


# --- --resolve-keys (wired by the lead over catalogmgr.keys.resolve_overlay_keys) --------------


def _key_overlay(tmp_path: Path) -> Path:
    overlay = tmp_path / "keys.yml"
    overlay.write_text(
        "providers:\n"
        "  house:\n"
        "    baseUrl: http://127.0.0.1:8080/v1\n"
        "    api: openai-completions\n"
        "    apiKey: HOUSE_KEY\n"
        "    headers: {X-Token: '!echo from-a-command > " + str(tmp_path / "ran") + "'}\n"
        "    models:\n"
        "      - id: house-model\n"
    )
    return overlay


def test_resolve_keys_writes_values_to_a_private_file(tmp_path: Path, tmp_home: Path) -> None:
    overlay = _key_overlay(tmp_path)
    out = tmp_path / "resolved.yml"
    env = {"HOUSE_KEY": "hk-" + "q" * 30}
    result = CliRunner().invoke(
        cli,
        ["merge", "--overlay", str(overlay), "--emit", "overlay", "--resolve-keys", "-o", str(out)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    written = out.read_text()
    assert env["HOUSE_KEY"] in written
    assert "!echo" in written  # commands are not run without --allow-commands
    assert not (tmp_path / "ran").exists()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert env["HOUSE_KEY"] not in result.output
    assert "contains secrets" in result.output


def test_keys_stay_names_without_resolve_keys(tmp_path: Path, tmp_home: Path) -> None:
    overlay = _key_overlay(tmp_path)
    result = CliRunner().invoke(
        cli, ["merge", "--overlay", str(overlay), "--emit", "overlay"], env={"HOUSE_KEY": "hk-secret-value"}
    )
    assert result.exit_code == 0
    assert "apiKey: HOUSE_KEY" in result.output
    assert "hk-secret-value" not in result.output


def test_allow_commands_without_resolve_keys_is_a_usage_error(tmp_path: Path, tmp_home: Path) -> None:
    result = CliRunner().invoke(cli, ["merge", "--overlay", str(_key_overlay(tmp_path)), "--allow-commands"])
    assert result.exit_code == 2
