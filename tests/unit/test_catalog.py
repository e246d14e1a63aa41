"""Finding the base catalog and the default overlay (catalogmgr.catalog)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogmgr.catalog import default_overlay_paths, load_embedded_default, locate_base_catalog
from catalogmgr.errors import InputError
from catalogmgr.omp import install as install_module
from catalogmgr.omp.install import installed_catalog_candidates

TINY = {"p": {"m": {"id": "m", "provider": "p"}}}


def write_catalog(path: Path, content: object = TINY) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_system_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own /usr/lib/node_modules must not leak into these tests."""
    monkeypatch.setattr(install_module, "SYSTEM_NPM_ROOTS", ())


def test_explicit_base_wins_over_everything(tmp_path: Path) -> None:
    explicit = write_catalog(tmp_path / "mine.json")
    write_catalog(tmp_path / "env.json", {"q": {}})
    found = locate_base_catalog(str(explicit), {"CATALOGMGR_BASE": str(tmp_path / "env.json")}, tmp_path)
    assert (found.source, found.catalog, found.is_embedded) == (str(explicit), TINY, False)


def test_environment_base_comes_next(tmp_path: Path) -> None:
    env_file = write_catalog(tmp_path / "env.json")
    assert locate_base_catalog(None, {"CATALOGMGR_BASE": str(env_file)}, tmp_path).source == str(env_file)


def test_bun_global_install_then_npm_prefix_then_pi_ai_layout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bun = home / ".bun/install/global/node_modules/@oh-my-pi/pi-catalog/src/models.json"
    npm = (
        tmp_path
        / "prefix/lib/node_modules/@oh-my-pi/pi-coding-agent/node_modules"
        / "@oh-my-pi/pi-catalog/src/models.json"
    )
    env = {"NPM_CONFIG_PREFIX": str(tmp_path / "prefix")}
    write_catalog(npm)
    assert locate_base_catalog(None, env, home).source == str(npm)
    write_catalog(bun)
    assert locate_base_catalog(None, env, home).source == str(bun)
    bun.unlink()
    npm.unlink()
    old = write_catalog(home / ".bun/install/global/node_modules/@oh-my-pi/pi-ai/src/models.json")
    assert locate_base_catalog(None, env, home).source == str(old)


def test_bun_install_variable_moves_the_bun_root(tmp_path: Path) -> None:
    candidates = installed_catalog_candidates({"BUN_INSTALL": str(tmp_path / "b")}, tmp_path)
    assert candidates[0] == tmp_path / "b/install/global/node_modules/@oh-my-pi/pi-catalog/src/models.json"


def test_embedded_default_when_nothing_is_installed(tmp_path: Path) -> None:
    embedded = load_embedded_default()
    found = locate_base_catalog(None, {}, tmp_path)
    assert found.is_embedded
    assert found.source.startswith("embedded catalog of OMP 18.2.3 (catalogmgr ")
    assert found.catalog is embedded
    assert str(found.omp_version) == "18.2.3"


def test_a_file_that_is_not_a_catalog_is_refused_with_one_located_line(tmp_path: Path) -> None:
    bad = write_catalog(tmp_path / "overlay.json", {"providers": {"p": {"baseUrl": "x"}}})
    with pytest.raises(InputError) as raised:
        locate_base_catalog(str(bad), {}, tmp_path)
    assert str(raised.value) == (
        f"{bad}: not a models.json catalog: model providers/p has no id"
        " (a models.yml overlay? pass it with --overlay)"
    )
    with pytest.raises(InputError, match="no such file"):
        locate_base_catalog(str(tmp_path / "missing.json"), {}, tmp_path)


def test_default_overlay_is_the_one_file_omp_reads(tmp_path: Path) -> None:
    agent = tmp_path / ".omp" / "agent"
    assert default_overlay_paths({}, tmp_path) == []
    agent.mkdir(parents=True)
    (agent / "models.json").write_text("{}", encoding="utf-8")
    assert default_overlay_paths({}, tmp_path) == [agent / "models.json"]
    (agent / "models.yaml").write_text("providers: {}\n", encoding="utf-8")
    assert default_overlay_paths({}, tmp_path) == [agent / "models.yaml"]
    (agent / "models.yml").write_text("providers: {}\n", encoding="utf-8")
    assert default_overlay_paths({}, tmp_path) == [agent / "models.yml"]


def test_pi_coding_agent_dir_replaces_the_agent_dir(tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere"
    custom.mkdir()
    (custom / "models.yml").write_text("providers: {}\n", encoding="utf-8")
    assert default_overlay_paths({"PI_CODING_AGENT_DIR": str(custom)}, tmp_path / "home") == [
        custom / "models.yml"
    ]
    assert default_overlay_paths({"PI_CODING_AGENT_DIR": ""}, tmp_path / "home") == []
