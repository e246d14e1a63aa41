"""Reading the OMP settings that change models (catalogmgr.omp.settings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogmgr.errors import InputError
from catalogmgr.omp.settings import DEFAULT_SETTINGS, read_runtime_settings


def agent(home: Path) -> Path:
    directory = home / ".omp" / "agent"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_no_config_is_omps_default(tmp_path: Path) -> None:
    settings = read_runtime_settings({}, tmp_path, tmp_path)
    assert settings == DEFAULT_SETTINGS
    assert settings.describe() == "extendedContext off (default)"


def test_config_yml_in_the_agent_dir(tmp_path: Path) -> None:
    config = agent(tmp_path) / "config.yml"
    config.write_text("theme: dark\nextendedContext: true\n", encoding="utf-8")
    settings = read_runtime_settings({}, tmp_path, tmp_path)
    assert settings.extended_context is True
    assert settings.extended_context_source == str(config)


def test_config_yaml_is_read_only_without_config_yml(tmp_path: Path) -> None:
    (agent(tmp_path) / "config.yaml").write_text("extendedContext: true\n", encoding="utf-8")
    assert read_runtime_settings({}, tmp_path, tmp_path).extended_context is True
    (agent(tmp_path) / "config.yml").write_text("theme: dark\n", encoding="utf-8")
    assert read_runtime_settings({}, tmp_path, tmp_path).extended_context is False


def test_pi_coding_agent_dir_is_honoured(tmp_path: Path) -> None:
    elsewhere = tmp_path / "custom-agent"
    elsewhere.mkdir()
    (elsewhere / "config.yml").write_text("extendedContext: true\n", encoding="utf-8")
    (agent(tmp_path) / "config.yml").write_text("extendedContext: false\n", encoding="utf-8")
    env = {"PI_CODING_AGENT_DIR": str(elsewhere)}
    assert read_runtime_settings(env, tmp_path, tmp_path).extended_context is True


def test_pi_config_files_are_merged_after_the_main_file(tmp_path: Path) -> None:
    (agent(tmp_path) / "config.yml").write_text("extendedContext: true\n", encoding="utf-8")
    (tmp_path / "extra.yml").write_text("extendedContext: false\n", encoding="utf-8")
    env = {"PI_CONFIG_FILES": os.pathsep.join(["", "extra.yml"])}
    settings = read_runtime_settings(env, tmp_path, tmp_path)
    assert settings.extended_context is False
    assert settings.extended_context_source == str(tmp_path / "extra.yml")


def test_a_missing_pi_config_file_is_an_error_as_in_omp(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.yml"):
        read_runtime_settings({"PI_CONFIG_FILES": "missing.yml"}, tmp_path, tmp_path)


def test_the_command_line_wins(tmp_path: Path) -> None:
    (agent(tmp_path) / "config.yml").write_text("extendedContext: true\n", encoding="utf-8")
    settings = read_runtime_settings({}, tmp_path, tmp_path).with_extended_context(False)
    assert settings.describe() == "extendedContext off (--no-extended-context)"
    assert settings.with_extended_context(None) == settings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extendedContext: yes please\n", "must be true or false"),
        ("- a\n- b\n", "must be a mapping"),
        ("extendedContext: [\n", "YAML syntax error"),
    ],
)
def test_bad_settings_are_one_located_error(tmp_path: Path, text: str, message: str) -> None:
    config = agent(tmp_path) / "config.yml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_runtime_settings({}, tmp_path, tmp_path)
    assert message in str(raised.value)
    assert str(config) in str(raised.value)
