"""The OMP settings that change the model catalog, read from the user's OMP configuration.

OMP keeps its settings in ``<agent dir>/config.yml`` (else ``config.yaml``), the agent dir being
``$PI_CODING_AGENT_DIR`` or ``~/.omp/agent`` (pi-utils ``MAIN_CONFIG_FILENAMES``,
``Settings#readExistingMainYaml``), with ``$PI_CONFIG_FILES`` (a ``os.pathsep``-separated list) naming
further config.yml-style files merged over it. Of all its settings one changes what
``ModelRegistry.getAll()`` returns: ``extendedContext`` (default off), read by
``#applyHardcodedModelPolicies``. ``disabledProviders`` only switches off network discovery of
local servers, which an offline catalog does not have.

Project-level settings (``.omp/config.yml`` and capability files found from the working directory)
are not read: OMP takes only ``modelRoles`` from the native project file, and model-changing keys
from capability files are rare enough that catalogmgr says which file it read instead.

Pure: the environment and home directory are passed in; nothing here reads ``os.environ``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalogmgr.errors import InputError

MAIN_CONFIG_FILENAMES = ("config.yml", "config.yaml")
CONFIG_FILES_VARIABLE = "PI_CONFIG_FILES"


@dataclass(frozen=True)
class RuntimeSettings:
    """The model-changing OMP settings of one run, and where each came from (for messages).

    ``extended_context_source`` is ``"default"``, a file path, or ``"--extended-context"`` /
    ``"--no-extended-context"`` when the command line chose.
    """

    extended_context: bool = False
    extended_context_source: str = "default"

    def describe(self) -> str:
        """``extendedContext off (default)`` / ``extendedContext on (/home/u/.omp/agent/config.yml)``."""
        state = "on" if self.extended_context else "off"
        return f"extendedContext {state} ({self.extended_context_source})"

    def with_extended_context(self, value: bool | None) -> RuntimeSettings:
        """The command line's ``--extended-context/--no-extended-context`` over what was read."""
        if value is None:
            return self
        flag = "--extended-context" if value else "--no-extended-context"
        return RuntimeSettings(extended_context=value, extended_context_source=flag)


DEFAULT_SETTINGS = RuntimeSettings()


def settings_files(env: Mapping[str, str], home: Path, cwd: Path) -> list[Path]:
    """The config files OMP would read, lowest precedence first (existing ones only)."""
    from catalogmgr.catalog import agent_dir

    directory = agent_dir(env, home)
    found: list[Path] = []
    for name in MAIN_CONFIG_FILENAMES:
        candidate = directory / name
        if candidate.is_file():
            found.append(candidate)
            break
    extra = env.get(CONFIG_FILES_VARIABLE, "")
    for entry in _split_paths(extra):
        path = Path(entry).expanduser()
        found.append(path if path.is_absolute() else cwd / path)
    return found


def _split_paths(value: str) -> Sequence[str]:
    import os

    return [part for part in value.split(os.pathsep) if part]


def read_runtime_settings(env: Mapping[str, str], home: Path, cwd: Path) -> RuntimeSettings:
    """Read ``extendedContext`` from the user's OMP config files (later files win).

    A file that cannot be read or parsed is an :class:`InputError` naming it (OMP itself refuses
    to start with an invalid config.yml); a non-boolean ``extendedContext`` too.
    """
    settings = DEFAULT_SETTINGS
    for path in settings_files(env, home, cwd):
        data = _load_yaml_mapping(path)
        if "extendedContext" not in data:
            continue
        value = data["extendedContext"]
        if not isinstance(value, bool):
            raise InputError(
                f"extendedContext must be true or false, got {value!r}",
                file=str(path),
                rule="omp-settings",
            )
        settings = RuntimeSettings(extended_context=value, extended_context_source=str(path))
    return settings


def _load_yaml_mapping(path: Path) -> Mapping[str, Any]:
    from catalogmgr.documents import load_document

    document = load_document(str(path), name=str(path))
    broken = next((problem for problem in document.problems if problem.is_error), None)
    if broken is not None:
        raise InputError(
            f"OMP settings file is not valid YAML: {broken.message}", file=str(path), rule="omp-settings"
        )
    data = document.data
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InputError("OMP settings must be a mapping of keys", file=str(path), rule="omp-settings")
    return data


def config_with_extended_context(config_text: str, value: bool | None) -> str:
    """OMP ``config.yml`` text with ``extendedContext`` forced to ``value`` (unchanged for None).

    For running OMP itself under the command line's ``--extended-context``: the user's other
    settings are kept; the result is JSON, which OMP's YAML reader reads as the same mapping.
    """
    if value is None:
        return config_text
    import json

    from catalogmgr.documents import parse_document

    data: Any = parse_document(config_text, name="config.yml", fmt="yaml").data if config_text.strip() else {}
    settings = dict(data) if isinstance(data, Mapping) else {}
    settings["extendedContext"] = value
    return json.dumps(settings, ensure_ascii=False)
