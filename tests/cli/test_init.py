"""``catalogmgr init``: start models.yml from an example; never overwrite; merge keeps the user's values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from catalogmgr.documents import load_document
from catalogmgr.examples import overlays_dir, shipped_overlays
from catalogmgr.omp import install as install_module

MINE = """\
# my own notes: keep me
providers:
  minimax:
    apiKey: MY_MINIMAX_KEY   # the variable I use
  ollama:
    baseUrl: http://127.0.0.1:11434/v1
    api: openai-completions
    apiKey: ollama
    models:
      - id: qwen3
"""


@pytest.fixture(autouse=True)
def _no_system_omp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install_module, "SYSTEM_NPM_ROOTS", ())


def models_yml(home: Path) -> Path:
    return home / ".omp" / "agent" / "models.yml"


def test_list_names_every_example_with_who_it_is_for(run_cli: Any) -> None:
    result = run_cli("init", "--list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == sorted(path.stem for path in overlays_dir().glob("*.yml"))
    assert {"minimax-m3", "minimax-m3-cn"} <= set(names)
    assert "INTERNATIONAL" in next(
        line for line in result.stdout.splitlines() if line.startswith("minimax-m3 ")
    )


def test_writes_a_new_models_yml_that_validates(run_cli: Any, tmp_home: Path) -> None:
    result = run_cli("init", "--from", "minimax-m3")
    assert result.exit_code == 0, result.stderr
    target = models_yml(tmp_home)
    text = target.read_text(encoding="utf-8")
    shipped = (overlays_dir() / "minimax-m3.yml").read_text(encoding="utf-8")
    # The same file but for the editor-schema line, which must point somewhere that exists.
    assert text.split("\n", 1)[1] == shipped.split("\n", 1)[1]
    assert text.startswith("# yaml-language-server: $schema=")
    assert "../schemas" not in text.split("\n", 1)[0]
    validated = run_cli("validate")
    assert validated.exit_code == 0
    assert validated.stdout == ""


def test_never_overwrites(run_cli: Any, tmp_home: Path) -> None:
    target = models_yml(tmp_home)
    target.parent.mkdir(parents=True)
    target.write_text(MINE, encoding="utf-8")
    result = run_cli("init", "--from", "minimax-m3")
    assert result.exit_code == 3
    assert "already exists" in result.stderr
    assert "--merge" in result.stderr
    assert target.read_text(encoding="utf-8") == MINE


def test_merge_adds_what_is_missing_and_keeps_every_value_and_comment_of_mine(
    run_cli: Any, tmp_home: Path
) -> None:
    target = models_yml(tmp_home)
    target.parent.mkdir(parents=True)
    target.write_text(MINE, encoding="utf-8")
    result = run_cli("init", "--from", "minimax-m3", "--merge")
    assert result.exit_code == 0, result.stderr
    assert "added minimax: baseUrl" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert "# my own notes: keep me" in text
    assert "# the variable I use" in text
    data = load_document(target).data
    assert data["providers"]["minimax"]["apiKey"] == "MY_MINIMAX_KEY"  # mine wins
    assert data["providers"]["minimax"]["models"][0]["id"] == "MiniMax-M3"
    assert data["providers"]["ollama"]["models"] == [{"id": "qwen3"}]
    again = run_cli("init", "--from", "minimax-m3", "--merge")
    assert "added nothing new" in again.stderr
    assert target.read_text(encoding="utf-8") == text


def test_an_invalid_file_is_not_merged_into(run_cli: Any, tmp_home: Path) -> None:
    target = models_yml(tmp_home)
    target.parent.mkdir(parents=True)
    broken = "providers:\n  minimax:\n    models:\n      - id: x\n"  # models without baseUrl
    target.write_text(broken, encoding="utf-8")
    result = run_cli("init", "--from", "minimax-m3", "--merge")
    assert result.exit_code == 1
    assert "models-need-baseurl" in result.stderr
    assert target.read_text(encoding="utf-8") == broken


def test_output_option_and_unknown_names(run_cli: Any, tmp_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "m.yml"
    assert run_cli("init", "--from", "minimax-m3-cn.yml", "-o", str(out)).exit_code == 0
    assert "api.minimaxi.com" in out.read_text(encoding="utf-8")
    unknown = run_cli("init", "--from", "minimax-m4")
    assert unknown.exit_code == 2
    assert "did you mean 'minimax-m3'?" in unknown.stderr
    assert run_cli("init").exit_code == 2
    assert not models_yml(tmp_home).exists()


def test_every_example_says_who_it_is_for() -> None:
    overlays = shipped_overlays()
    assert overlays
    for overlay in overlays.values():
        assert overlay.summary, overlay.name
