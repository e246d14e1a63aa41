"""How OMP would resolve each provider's API key, reported without disclosing a single secret.

The rule, exactly as OMP 18.2.3 applies it to ``apiKey`` and to every header value
(``pi-coding-agent/src/config/resolve-config-value.ts``, ``resolveConfigValue``):

1. a value starting with ``!`` is a shell command: ``/bin/sh -c`` runs the rest (trimmed) with a
   10 s timeout; its trimmed stdout is the value; a non-zero exit, a timeout or empty output
   means *no value*;
2. otherwise, if an environment variable with exactly that name is set and non-empty, its value;
3. otherwise the string itself, literally.

There is no ``$VAR``, ``${VAR}``, ``env:VAR`` or ``{env:VAR}`` syntax: OMP sends such strings as
they are, and this module says so (status ``unsupported-syntax``). An all-caps identifier whose
variable is unset is almost always a forgotten ``export``: OMP would send the *name* as the key
(status ``env-unset``).

When a provider's overlay sets no ``apiKey``, OMP falls back on its own lookup for bundled
providers (``pi-ai/src/stream.ts``, ``getEnvApiKey``): credentials saved by ``omp /login``, then
a well-known variable per provider (:data:`catalogmgr.omp.env_keys.BUNDLED_ENV_KEYS`, generated from OMP by
``tests/tools/omp_env_keys.ts``), then credentials stored by the auth broker. The ``/login`` store
is a credentials database: catalogmgr never reads it, so such providers are reported as
``login`` (usable or not, unknown) when no variable is set.

Commands run only when the caller allows it (``allow_commands``) and only through an injected
runner, so tests and untrusted files never execute anything. The environment is a mapping passed
in; this module never reads ``os.environ``. Resolved values are kept only where the caller asked
for them (:func:`resolve_overlay_keys`); every report carries a masked form at most.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re
import shlex
import signal
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from catalogmgr.omp.env_keys import BUNDLED_ENV_KEYS, COMPUTED_ENV_KEYS, LOGIN_PROVIDERS
from catalogmgr.problems import Position, pointer_from_path
from catalogmgr.secrets import (
    ConfigValue,
    classify_secret,
    is_credential_header,
    is_dummy_key,
    is_env_name,
    is_env_reference_syntax,
    iter_config_values,
    mask_secret,
    suggested_env_name,
)

COMMAND_TIMEOUT_SECONDS = 10.0  # OMP's runShellCommand(command, 10_000)


class KeyStatus(StrEnum):
    """How one apiKey or header value resolves."""

    ENV = "env"  # a set, non-empty environment variable
    ENV_UNSET = "env-unset"  # an env-variable name whose variable is unset or empty: sent literally
    COMMAND_NOT_RUN = "command-not-run"  # a !command, not run (commands were not allowed)
    COMMAND_OK = "command-ok"  # a !command that printed a value
    COMMAND_FAILED = "command-failed"  # a !command that failed, timed out or printed nothing
    LITERAL = "literal"  # sent as written
    UNSUPPORTED = "unsupported-syntax"  # $VAR, ${VAR}, env:VAR, {env:VAR}: sent literally
    MISSING = "missing"  # no key at all
    LOGIN = "login"  # no key in the environment; an `omp /login` credential may exist
    COMPUTED = "computed"  # AWS / Google ADC credential chains: found by OMP at request time
    NOT_NEEDED = "not-needed"  # auth: none / oauth, or the credential travels in a header


_USABLE: dict[KeyStatus, bool | None] = {
    KeyStatus.ENV: True,
    KeyStatus.COMMAND_OK: True,
    KeyStatus.LITERAL: True,
    KeyStatus.NOT_NEEDED: True,
    KeyStatus.ENV_UNSET: False,
    KeyStatus.UNSUPPORTED: False,
    KeyStatus.COMMAND_FAILED: False,
    KeyStatus.MISSING: False,
    KeyStatus.COMMAND_NOT_RUN: None,
    KeyStatus.LOGIN: None,
    KeyStatus.COMPUTED: None,
}


# --------------------------------------------------------------------------------------------
# Running commands


@dataclass(frozen=True)
class CommandResult:
    """What a ``!command`` produced. ``output`` is the secret; ``failure`` never contains output."""

    output: str | None = field(default=None, repr=False)
    failure: str | None = None


class CommandRunner(Protocol):
    """Runs one ``!command`` (without the ``!``) and returns its trimmed stdout or why it failed."""

    def __call__(self, command: str, *, env: Mapping[str, str], timeout: float) -> CommandResult: ...


def run_shell_command(
    command: str, *, env: Mapping[str, str], timeout: float = COMMAND_TIMEOUT_SECONDS, cwd: str | None = None
) -> CommandResult:
    """Run ``command`` as OMP does on POSIX: ``/bin/sh -c``, stdin closed, its own process group.

    On timeout the whole process group is killed (OMP's detached tree kill), so a command that
    forks cannot outlive the run. stderr is discarded: it could echo the secret. Failure reasons
    name the exit status or the timeout, never the output.
    """
    shell = ["/bin/sh", "-c", command] if os.path.exists("/bin/sh") else None
    try:
        process = subprocess.Popen(
            shell if shell is not None else command,
            shell=shell is None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as error:
        return CommandResult(failure=f"could not start the shell ({error.strerror or type(error).__name__})")
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            process.communicate(timeout=1)
        except subprocess.TimeoutExpired:
            # A descendant that left the process group still holds the pipe: stop reading it.
            if process.stdout is not None:
                process.stdout.close()
            process.wait()
        return CommandResult(failure=f"timed out after {timeout:g} s")
    if process.returncode != 0:
        return CommandResult(failure=f"exited with status {process.returncode}")
    text = stdout.decode("utf-8", errors="replace").strip()
    if not text:
        return CommandResult(failure="printed nothing")
    return CommandResult(output=text)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        process.kill()


# --------------------------------------------------------------------------------------------
# Resolving one value


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one configured value. ``value`` is the secret: never print it."""

    status: KeyStatus
    value: str | None = field(default=None, repr=False)
    env_name: str | None = None
    detail: str = ""  # why, in words, without the value

    @property
    def usable(self) -> bool | None:
        return _USABLE[self.status]


_SCHEME_REFERENCE = re.compile(r"(?i)(bearer|basic|token)\s+(\S+)")
_REFERENCED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _referenced_name(text: str) -> str | None:
    """The variable a ``$VAR``/``${VAR}``/``env:VAR``/``{env:VAR}``/``%VAR%`` spelling means."""
    stripped = text.strip()
    for prefix in ("${", "{env:", "env:", "$", "%"):
        if stripped.startswith(prefix):
            match = _REFERENCED_NAME.match(stripped, len(prefix))
            return match.group(0) if match else None
    return None


def resolve_value(
    value: str,
    env: Mapping[str, str],
    *,
    allow_commands: bool = False,
    runner: CommandRunner = run_shell_command,
    cache: dict[str, CommandResult] | None = None,
) -> Resolution:
    """Resolve one apiKey/header value as OMP would, running a ``!command`` only when allowed.

    ``cache`` maps a command to its result so one run never executes the same command twice
    (OMP caches successful command output for the process lifetime as well).
    """
    if value.startswith("!"):
        command = value[1:].strip()
        if not allow_commands:
            return Resolution(
                KeyStatus.COMMAND_NOT_RUN, detail="command not run (pass --allow-commands to run it)"
            )
        result = cache.get(command) if cache is not None else None
        if result is None:
            result = runner(command, env=env, timeout=COMMAND_TIMEOUT_SECONDS)
            if cache is not None:
                cache[command] = result
        if result.output:
            return Resolution(KeyStatus.COMMAND_OK, result.output, detail="command printed a value")
        return Resolution(KeyStatus.COMMAND_FAILED, detail=f"command failed: {result.failure or 'no output'}")
    env_value = env.get(value)
    if env_value:
        return Resolution(KeyStatus.ENV, env_value, env_name=value, detail=f"{value} is set")
    if is_env_reference_syntax(value):
        name = _referenced_name(value)
        hint = f"; write `{name}` (the bare variable name) instead" if name else ""
        state = ""
        if name:
            state = f" ({name} is set)" if env.get(name) else f" ({name} is not set either)"
        return Resolution(
            KeyStatus.UNSUPPORTED,
            value,
            env_name=name,
            detail=(
                f"OMP has no {_syntax_name(value)} syntax: it would send '{value.strip()}' literally"
                f"{hint}{state}"
            ),
        )
    scheme = _SCHEME_REFERENCE.fullmatch(value.strip())
    if scheme is not None and (is_env_name(scheme.group(2)) or is_env_reference_syntax(scheme.group(2))):
        word = scheme.group(1)
        name = scheme.group(2) if is_env_name(scheme.group(2)) else _referenced_name(scheme.group(2))
        return Resolution(
            KeyStatus.UNSUPPORTED,
            value,
            env_name=name,
            detail=(
                f"OMP does not substitute variables inside a value: it would send '{value.strip()}' "
                f"literally; for 'Authorization: {word} <key>' set `apiKey: {name}` and `authHeader: true`"
            ),
        )
    if is_env_name(value):
        empty = value in env
        return Resolution(
            KeyStatus.ENV_UNSET,
            value,
            env_name=value,
            detail=(
                f"{value} is {'set but empty' if empty else 'not set'}: "
                f"OMP would send the string '{value}' literally"
            ),
        )
    return Resolution(KeyStatus.LITERAL, value, detail="literal value: OMP sends it as written")


def _syntax_name(value: str) -> str:
    stripped = value.strip()
    if stripped.startswith("${"):
        return "'${VAR}'"
    if stripped.startswith("{env:"):
        return "'{env:VAR}'"
    if stripped.startswith("env:"):
        return "'env:VAR'"
    if stripped.startswith("%"):
        return "'%VAR%'"
    return "'$VAR'"


def bundled_env_lookup(provider: str, env: Mapping[str, str]) -> Resolution | None:
    """OMP's own key lookup for a provider whose overlay sets no apiKey (``getEnvApiKey``).

    ``None`` when OMP has no lookup for the provider at all (custom providers, and bundled ones
    such as ``minimax-cn`` that only an overlay ``apiKey`` can authenticate).
    """
    login = provider in LOGIN_PROVIDERS
    names = BUNDLED_ENV_KEYS.get(provider)
    hook = COMPUTED_ENV_KEYS.get(provider)
    if hook is not None:
        return _computed_lookup(hook, env, login)
    if names is None:
        if login:
            return Resolution(KeyStatus.LOGIN, detail="OMP authenticates this provider with `omp /login`")
        return None
    found = _pick_env(names, env)
    if found is not None:
        return found
    listed = " / ".join(names)
    if login:
        return Resolution(
            KeyStatus.LOGIN,
            detail=f"{listed} not set; OMP can still use a credential saved by `omp /login` (not inspected)",
        )
    return Resolution(KeyStatus.MISSING, detail=f"{listed} not set and no apiKey configured")


def _pick_env(names: Sequence[str], env: Mapping[str, str]) -> Resolution | None:
    if len(names) == 1:
        value = env.get(names[0])
        return Resolution(KeyStatus.ENV, value, names[0], f"{names[0]} is set") if value else None
    for name in names:  # $pickenv trims, and skips blank values
        value = (env.get(name) or "").strip()
        if value:
            return Resolution(KeyStatus.ENV, value, name, f"{name} is set")
    return None


def _truthy_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _computed_lookup(hook: str, env: Mapping[str, str], login: bool) -> Resolution:
    if hook == "anthropic-foundry":
        names: tuple[str, ...] = ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY")
        if _truthy_flag(env.get("CLAUDE_CODE_USE_FOUNDRY")):
            names = ("ANTHROPIC_FOUNDRY_API_KEY", *names)
        found = _pick_env(names, env)
        if found is not None:
            return found
        return Resolution(
            KeyStatus.LOGIN,
            detail=f"{' / '.join(names)} not set; OMP can still use a credential saved by "
            "`omp /login` (not inspected)",
        )
    if hook in {"aws-bedrock", "aws-bedrock-mantle"}:
        if env.get("AWS_BEARER_TOKEN_BEDROCK"):
            return Resolution(KeyStatus.ENV, env["AWS_BEARER_TOKEN_BEDROCK"], "AWS_BEARER_TOKEN_BEDROCK")
        if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
            return Resolution(
                KeyStatus.ENV, env["AWS_SECRET_ACCESS_KEY"], "AWS_ACCESS_KEY_ID", "AWS access keys are set"
            )
        return Resolution(
            KeyStatus.COMPUTED,
            detail="AWS credentials (profile, SSO, instance role, web identity) are found by OMP at "
            "request time; not checked",
        )
    # google-vertex-adc
    if env.get("GOOGLE_CLOUD_API_KEY"):
        return Resolution(KeyStatus.ENV, env["GOOGLE_CLOUD_API_KEY"], "GOOGLE_CLOUD_API_KEY", "set")
    return Resolution(
        KeyStatus.COMPUTED,
        detail="GOOGLE_CLOUD_API_KEY not set; OMP uses Application Default Credentials with "
        "GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION when present; not checked",
    )


# --------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class KeyReport:
    """One provider's key (or one header value): how it resolves, with nothing secret in it.

    ``written`` is what the overlay says in a safe form (a variable name, a command with any
    secret-looking token masked, an unsupported spelling, or a masked literal); ``masked`` is the
    masked resolved value. ``usable`` is ``None`` when it cannot be known without running a
    command or reading OMP's credential store.
    """

    provider: str
    field: str  # "apiKey" or "headers.<Name>"
    scope: str  # "provider", "model #1", "modelOverrides <id>", or "bundled lookup"
    status: KeyStatus
    usable: bool | None
    configured: bool  # set in an overlay (False: OMP's own lookup for a bundled provider)
    message: str
    written: str | None = None
    masked: str | None = None
    env_name: str | None = None
    env_source: str | None = None  # where the variable came from when not the process environment
    layer: str | None = None
    pointer: str | None = None
    position: Position | None = None

    @property
    def is_problem(self) -> bool:
        """A key the user configured that cannot work (what ``keys`` exits 1 for)."""
        return self.configured and self.usable is False

    def location(self) -> str | None:
        """``file:line:col`` of the configured value, when known."""
        if self.layer is None:
            return None
        if self.position is None:
            return self.layer
        return f"{self.layer}:{self.position.line}:{self.position.column}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the ``--format json`` record)."""
        return {
            "provider": self.provider,
            "field": self.field,
            "scope": self.scope,
            "status": self.status.value,
            "usable": self.usable,
            "configured": self.configured,
            "written": self.written,
            "masked": self.masked,
            "envName": self.env_name,
            "envSource": self.env_source,
            "file": self.layer,
            "line": self.position.line if self.position else None,
            "column": self.position.column if self.position else None,
            "pointer": self.pointer,
            "message": self.message,
        }


def safe_written_form(value: str, resolution: Resolution) -> str:
    """What the overlay says, safe to print: never a literal secret, never a command's output."""
    if resolution.status is KeyStatus.ENV or (
        resolution.status in {KeyStatus.ENV_UNSET, KeyStatus.UNSUPPORTED} and classify_secret(value) is None
    ):
        return value
    if value.startswith("!"):
        return mask_command(value)
    if is_dummy_key(value):
        return value
    return mask_secret(value)


def mask_command(value: str) -> str:
    """A ``!command`` with every token that looks like a credential masked (``!curl -H 'x: sk-…'``)."""
    try:
        tokens = shlex.split(value)
    except ValueError:
        tokens = value.split()
    masked = value
    for token in tokens:
        for part in re.split(r"[=:,\s]+", token):
            if len(part) >= 8 and classify_secret(part) is not None:
                masked = masked.replace(part, mask_secret(part))
    return masked


def _masked_value(resolution: Resolution) -> str | None:
    if resolution.value is None or resolution.status not in {
        KeyStatus.ENV,
        KeyStatus.COMMAND_OK,
        KeyStatus.LITERAL,
    }:
        return None
    if resolution.status is KeyStatus.LITERAL and is_dummy_key(resolution.value):
        return resolution.value
    return mask_secret(resolution.value)


class LayerLike(Protocol):
    """An overlay layer: :class:`catalogmgr.merge.Layer` fits (name, data, optional document)."""

    @property
    def name(self) -> str: ...

    @property
    def data(self) -> Mapping[str, Any]: ...

    @property
    def document(self) -> Any: ...


@dataclass(frozen=True)
class _Located:
    item: ConfigValue
    layer: str | None
    position: Position | None


@dataclass
class _ProviderConfig:
    """What the composed overlays say about one provider's authentication."""

    layer: str
    position: Position | None
    auth: Any = None
    base_url: Any = None
    has_api_key: bool = False
    values: dict[tuple[Any, ...], _Located] = field(default_factory=dict)


def _configured_providers(layers: Sequence[LayerLike]) -> dict[str, _ProviderConfig]:
    """Per configured provider, its settings and apiKey/header values after composing the layers.

    Later layers win per value, as composition does (providers by name, models by id, header
    maps merged key by key); the provider's location is its entry in the last layer naming it.
    """
    configs: dict[str, _ProviderConfig] = {}
    for layer in layers:
        data = layer.data
        providers = data.get("providers") if isinstance(data, Mapping) else None
        if not isinstance(providers, Mapping):
            continue
        document = layer.document
        for name, config in providers.items():
            provider = str(name)
            position = _key_position(document, pointer_from_path(("providers", provider)))
            entry = configs.get(provider)
            if entry is None:
                entry = configs[provider] = _ProviderConfig(layer.name, position)
            else:
                entry.layer, entry.position = layer.name, position
            if isinstance(config, Mapping):
                if "auth" in config:
                    entry.auth = config["auth"]
                if "baseUrl" in config:
                    entry.base_url = config["baseUrl"]
                if isinstance(config.get("apiKey"), str):
                    entry.has_api_key = True
        for item in iter_config_values(data):
            position = document.position(item.pointer) if document is not None else None
            configs[item.provider].values[_composition_key(item, data)] = _Located(item, layer.name, position)
    return configs


def is_loopback_url(url: Any) -> bool:
    """Whether ``url`` points at this machine (a local llama.cpp / LM Studio / Ollama server)."""
    if not isinstance(url, str):
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host is None:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _key_position(document: Any, pointer: str) -> Position | None:
    """Where the provider's name is written (its entry), falling back on the value's position."""
    if document is None:
        return None
    locate = getattr(document, "key_position", None) or document.position
    position: Position | None = locate(pointer)
    return position


def _composition_key(item: ConfigValue, data: Mapping[str, Any]) -> tuple[Any, ...]:
    path = item.path[2:]
    if path and path[0] == "models":
        model = data["providers"][item.provider]["models"][path[1]]
        model_id = model.get("id") if isinstance(model, Mapping) else None
        return ("models", model_id if isinstance(model_id, str) else path[1], *path[2:])
    return tuple(path)


def report_keys(
    layers: Sequence[LayerLike],
    env: Mapping[str, str],
    *,
    bundled_providers: Iterable[str] = (),
    allow_commands: bool = False,
    runner: CommandRunner = run_shell_command,
    env_sources: Mapping[str, str] | None = None,
) -> list[KeyReport]:
    """How every key would resolve: configured providers first (file order), then bundled ones.

    ``layers`` are the overlays in the order they apply; ``bundled_providers`` the providers of
    the base catalog (reported with OMP's own lookup when no overlay configures them);
    ``env_sources`` names the file a variable came from (``~/.omp/agent/.env``) when it is not
    from the process environment.
    """
    sources = env_sources or {}
    cache: dict[str, CommandResult] = {}
    reports: list[KeyReport] = []
    configs = _configured_providers(layers)
    for provider, config in configs.items():
        if not config.has_api_key:
            reports.append(_missing_api_key(provider, config, env, sources))
        for located in config.values.values():
            item = located.item
            resolution = resolve_value(
                item.value, env, allow_commands=allow_commands, runner=runner, cache=cache
            )
            usable = resolution.usable
            note = ""
            if item.header is None and config.auth in {"none", "oauth"}:
                usable, note = None, f" (auth: {config.auth}: OMP does not need this key)"
            elif (
                item.header is None
                and resolution.status is KeyStatus.ENV_UNSET
                and is_loopback_url(config.base_url)
            ):
                # `apiKey: DISPLAY` for a llama.cpp server on 127.0.0.1: any string does there.
                usable, note = None, " (fine if the local server at this baseUrl ignores keys)"
            elif (
                item.header is not None
                and resolution.status is KeyStatus.ENV_UNSET
                and not is_credential_header(item.header)
            ):
                # "X-Env: PRODUCTION" is most likely meant literally: say so, do not fail on it.
                usable, note = None, " (fine if the literal value is intended)"
            reports.append(_report(item, located, resolution, sources, usable=usable, note=note))
    for provider in dict.fromkeys(bundled_providers):
        if provider in configs:
            continue
        lookup = bundled_env_lookup(provider, env) or Resolution(
            KeyStatus.MISSING,
            detail="OMP knows no environment variable for this provider: set apiKey in models.yml",
        )
        reports.append(_lookup_report(provider, lookup, sources, configured=False))
    return reports


def _message(resolution: Resolution) -> str:
    return resolution.detail or resolution.status.value


def _env_source(resolution: Resolution, sources: Mapping[str, str]) -> str | None:
    if resolution.status is KeyStatus.ENV and resolution.env_name:
        return sources.get(resolution.env_name)
    return None


def _report(
    item: ConfigValue,
    located: _Located,
    resolution: Resolution,
    sources: Mapping[str, str],
    *,
    usable: bool | None,
    note: str = "",
) -> KeyReport:
    message = _message(resolution) + note
    if resolution.status is KeyStatus.LITERAL and classify_secret(item.value) is not None:
        message += "; it looks like a real secret committed in the file: use an environment variable"
    env_source = _env_source(resolution, sources)
    if env_source:
        message += f" (from {env_source})"
    return KeyReport(
        provider=item.provider,
        field=item.field,
        scope=item.scope,
        status=resolution.status,
        usable=usable,
        configured=True,
        message=message,
        written=safe_written_form(item.value, resolution),
        masked=_masked_value(resolution),
        env_name=resolution.env_name,
        env_source=env_source,
        layer=located.layer,
        pointer=item.pointer,
        position=located.position,
    )


def _missing_api_key(
    provider: str, config: _ProviderConfig, env: Mapping[str, str], sources: Mapping[str, str]
) -> KeyReport:
    """The apiKey row of a configured provider whose overlays set no apiKey."""
    if config.auth in {"none", "oauth"}:
        resolution = Resolution(KeyStatus.NOT_NEEDED, detail=f"auth: {config.auth}: OMP sends no key")
        return _lookup_report(provider, resolution, sources, configured=True, config=config)
    credential_headers = [
        located.item.header
        for located in config.values.values()
        if located.item.header is not None
        and located.item.scope == "provider"
        and is_credential_header(located.item.header)
    ]
    if credential_headers:
        resolution = Resolution(
            KeyStatus.NOT_NEEDED,
            detail=f"no apiKey: the credential travels in header {credential_headers[0]}",
        )
        return _lookup_report(provider, resolution, sources, configured=True, config=config)
    lookup = bundled_env_lookup(provider, env) or Resolution(
        KeyStatus.MISSING,
        detail="OMP knows no environment variable for this provider: "
        f"add `apiKey: {suggested_env_name(provider)}` (or a !command)",
    )
    return _lookup_report(provider, lookup, sources, configured=True, config=config)


def _lookup_report(
    provider: str,
    resolution: Resolution,
    sources: Mapping[str, str],
    *,
    configured: bool,
    config: _ProviderConfig | None = None,
) -> KeyReport:
    """A row for OMP's own lookup (no apiKey in any overlay), or for a key that is not needed."""
    env_source = _env_source(resolution, sources)
    message = _message(resolution)
    if configured and resolution.status is not KeyStatus.NOT_NEEDED:
        message = f"no apiKey in the overlay; OMP's own lookup: {message}"
    if env_source:
        message += f" (from {env_source})"
    return KeyReport(
        provider=provider,
        field="apiKey",
        scope="provider" if resolution.status is KeyStatus.NOT_NEEDED else "bundled lookup",
        status=resolution.status,
        usable=resolution.usable,
        configured=configured,
        message=message,
        masked=_masked_value(resolution),
        env_name=resolution.env_name,
        env_source=env_source,
        layer=config.layer if config else None,
        pointer=pointer_from_path(("providers", provider)) if config else None,
        position=config.position if config else None,
    )


def problems_exit_code(reports: Sequence[KeyReport]) -> int:
    """1 when a key the user configured cannot work (see :attr:`KeyReport.is_problem`), else 0."""
    return 1 if any(report.is_problem for report in reports) else 0


# --------------------------------------------------------------------------------------------
# Resolving a whole overlay (merge --resolve-keys)


def resolve_overlay_keys(
    overlay: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    allow_commands: bool,
    runner: CommandRunner = run_shell_command,
) -> tuple[dict[str, Any], list[KeyReport]]:
    """A deep copy of ``overlay`` with every resolvable apiKey/header value replaced by its value.

    Values that do not resolve (commands not allowed or failing, unset variables, unsupported
    spellings, literals) stay as written. The input is never mutated. The reports say what
    happened to each value, masked.
    """
    resolved: dict[str, Any] = copy.deepcopy(dict(overlay))
    reports: list[KeyReport] = []
    cache: dict[str, CommandResult] = {}
    for item in list(iter_config_values(resolved)):
        resolution = resolve_value(item.value, env, allow_commands=allow_commands, runner=runner, cache=cache)
        if resolution.status in {KeyStatus.ENV, KeyStatus.COMMAND_OK} and resolution.value is not None:
            _set_path(resolved, item.path, resolution.value)
        reports.append(_report(item, _Located(item, None, None), resolution, {}, usable=resolution.usable))
    return resolved, reports


def _set_path(data: Any, path: tuple[str | int, ...], value: str) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


# --------------------------------------------------------------------------------------------
# The environment OMP sees: the process environment plus its dotenv files


def parse_dotenv(text: str) -> dict[str, str]:
    """Parse a ``.env`` file the way Node's ``util.parseEnv`` (which OMP uses) reads common files.

    ``KEY=value`` lines, optional ``export``, ``#`` comments, single/double/backtick quotes
    (double quotes expand ``\\n``; quoted values may span lines), inline ``#`` comments after
    unquoted values. Keys that are not shell identifiers are dropped, as OMP drops them.
    """
    result: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        if "=" not in line:
            continue
        key, _, rest = line.partition("=")
        key = key.strip()
        rest = rest.strip()
        if rest[:1] in {'"', "'", "`"}:
            quote = rest[0]
            body = rest[1:]
            while quote not in body and index < len(lines):
                body += "\n" + lines[index]
                index += 1
            # An unterminated quote keeps the raw text, as Node does.
            value = body[: body.index(quote)] if quote in body else rest
            if quote == '"':
                value = value.replace("\\n", "\n")
        else:
            value = rest.split(" #", 1)[0].split("\t#", 1)[0].strip()
            if value.startswith("#"):
                value = ""
        if _REFERENCED_NAME.fullmatch(key) and "\x00" not in value:
            result[key] = value
    for key in list(result):  # OMP mirrors OMP_* to PI_* in every file it loads
        if key.startswith("OMP_"):
            result["PI_" + key[4:]] = result[key]
    return result


@dataclass(frozen=True)
class Environment:
    """The variables OMP would see, and which file each one not from the process came from."""

    variables: dict[str, str] = field(repr=False)
    sources: dict[str, str]


def layer_environment(
    process_env: Mapping[str, str], dotenv_files: Sequence[tuple[str, Mapping[str, str]]]
) -> Environment:
    """Add dotenv files to the process environment as OMP does: a file fills only variables that
    are unset or empty, and earlier files win (OMP's order: the project's ``.env``, the agent
    directory's, ``~/.omp/.env``, ``~/.env``).
    """
    variables = dict(process_env)
    sources: dict[str, str] = {}
    for label, values in dotenv_files:
        for key, value in values.items():
            if not variables.get(key):
                variables[key] = value
                sources[key] = label
    return Environment(variables, sources)


def unusable_summary(reports: Sequence[KeyReport]) -> list[str]:
    """Located one-line messages for the problem reports (``file:line:col: provider P: ...``)."""
    lines: list[str] = []
    for report in reports:
        if not report.is_problem:
            continue
        where = report.location() or "(no file)"
        what = report.field if report.field == "apiKey" else f"header {report.field.removeprefix('headers.')}"
        lines.append(f"{where}: provider {report.provider}: {what} is unusable: {report.message} (keys)")
    return lines
