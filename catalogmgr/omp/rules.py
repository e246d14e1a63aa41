"""OMP's cross-field rules for models.yml, and the warnings that go beyond OMP.

Everything here works on plain data (what :mod:`catalogmgr.documents` loads) and yields
:class:`Finding` values: a JSON pointer, a message, a stable rule id and a severity. Turning a
pointer into ``file:line:col`` is :mod:`catalogmgr.validation`'s job, so these functions can be
tested on dicts.

Errors mirror ``validateProviderConfiguration`` in OMP's ``src/config/models-config.ts`` exactly
(18.2.3's, with other releases' differences behind the profile's rule switches), including
JavaScript truthiness (``headers: {}`` counts as "set", ``disableStrictTools: false`` does not),
so that catalogmgr rejects a file exactly when OMP does. OMP stops at the first
failure; these rules report every one. The rules tolerate malformed data (a provider that is not a
mapping, ``models`` that is not a list): the schema reports those, and a rule that cannot tell
what OMP would do stays silent rather than guess.

Rule ids (stable; users grep for them):

=========================  =======  =====================================================
rule                       level    meaning
=========================  =======  =====================================================
models-need-baseurl        error    a provider with custom ``models`` has no ``baseUrl``
models-need-apikey         error    ... has no ``apiKey`` and ``auth`` is not none/oauth
model-needs-api            error    a custom model has no ``api``, nor does its provider
positive-window            error    a custom model's contextWindow/maxTokens is <= 0
provider-needs-settings    error    a provider without models sets nothing OMP uses
discovery-needs-api        error    ``discovery`` without a provider ``api`` (not proxy)
max-context-window         error    ``maxContextWindow`` not an integer >= contextWindow (18.3+)
no-providers               warning  the file has no ``providers:`` key: OMP reads nothing
provider-at-root           warning  provider settings written at the top level
env-syntax                 warning  ``$VAR``/``${VAR}``/``env:VAR``/... (sent literally)
override-window            warning  a modelOverrides contextWindow/maxTokens is <= 0
thinking-empty             warning  ``thinking.efforts``/``levels`` is an empty list
thinking-range-reversed    warning  ``minLevel`` is above ``maxLevel``
thinking-levels-ignored    warning  legacy levels given next to ``efforts`` (ignored)
duplicate-model            warning  the same model id twice in one provider's ``models``
unknown-override           warning  modelOverrides for an id the base catalog lacks
catalog-key-mismatch       error    a catalog entry's key differs from its provider/id
=========================  =======  =====================================================
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from catalogmgr.omp.profile import DEFAULT_PROFILE, SETTING_KEYS_18, Profile
from catalogmgr.problems import Severity, pointer_from_path

Path = tuple[str | int, ...]

# Keys whose presence makes a provider without models meaningful to the newest OMP (models-config.ts);
# each profile has its own list (`Profile.provider_setting_keys`).
PROVIDER_SETTING_KEYS = SETTING_KEYS_18

# Keys that only make sense on a provider: seeing them at the top level means a lost indentation.
PROVIDER_SHAPED_KEYS = frozenset(
    {
        "baseUrl",
        "apiKey",
        "api",
        "headers",
        "authHeader",
        "auth",
        "models",
        "modelOverrides",
        "disableStrictTools",
        "compat",
        "discovery",
        "remoteCompaction",
        "transport",
    }
)

EFFORT_ORDER = ("minimal", "low", "medium", "high", "xhigh", "max")

# `$VAR`, `${VAR}`, `${env:VAR}`, `$env:VAR` (PowerShell), `{env:VAR}` (opencode), `env:VAR`,
# `os.environ/VAR` (LiteLLM), `%VAR%` (cmd.exe): how other tools name a variable. OMP has none of
# them; it looks up an environment variable named exactly like the whole value.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_ENV_SPELLING = re.compile(
    rf"\$\{{(?:env:)?(?P<a>{_NAME})(?::?[-=?+][^}}]*)?\}}|\$(?:env:)?(?P<b>{_NAME})|\{{env:(?P<c>{_NAME})\}}"
    rf"|env:(?P<d>{_NAME})|os\.environ/(?P<e>{_NAME})|%(?P<f>{_NAME})%"
)
_EMBEDDED_ENV = re.compile(rf"\$\{{{_NAME}\}}|\$(?:env:)?{_NAME}|\{{env:{_NAME}\}}")


@dataclass(frozen=True)
class Finding:
    """A problem before it has a file position: where (pointer), what, which rule, how bad.

    ``at_key`` places it at the key naming the pointer (``baseUrl:``) rather than at the value.
    """

    pointer: str
    message: str
    rule: str
    severity: Severity = Severity.ERROR
    hint: str | None = None
    at_key: bool = True


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness, which OMP's rules use: ``{}`` and ``[]`` are true; ``0``, ``""``, NaN false."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    return True


def is_number(value: Any) -> TypeGuard[int | float]:
    """A JSON number (``True`` is not one, although Python says so)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...] | frozenset[str]) -> str | None:
    """The candidate ``word`` was probably meant to be: same letters ignoring case and ``_-``, else close."""

    def squash(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", text.lower())

    squashed_word = squash(word)
    pool = sorted(candidates)
    for candidate in pool:
        if squash(candidate) == squashed_word:
            return candidate
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    if close:
        return close[0]
    by_squash = {squash(candidate): candidate for candidate in pool}
    close = difflib.get_close_matches(squashed_word, list(by_squash), n=1, cutoff=0.75)
    return by_squash[close[0]] if close else None


def _ptr(*path: str | int) -> str:
    return pointer_from_path(path)


def model_label(model: Any, index: int) -> str:
    """``model `MiniMax-M3``` when the id is a usable string, else ``model #2``."""
    model_id = model.get("id") if isinstance(model, Mapping) else None
    if isinstance(model_id, str) and model_id:
        return f"model `{model_id}`"
    return f"model #{index + 1}"


def _providers(data: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    providers = data.get("providers") if isinstance(data, Mapping) else None
    if isinstance(providers, Mapping):
        for name, config in providers.items():
            if isinstance(config, dict):
                yield str(name), config


def _models(config: Mapping[str, Any]) -> list[Any] | None:
    """The provider's ``models`` as OMP sees them (``[]`` when absent), None when not a list."""
    models = config.get("models", [])
    if models is None:
        return None
    return models if isinstance(models, list) else None


# --------------------------------------------------------------------------------------------
# OMP's rules (errors)


def omp_rules(data: Any, profile: Profile = DEFAULT_PROFILE) -> Iterator[Finding]:
    """The checks of OMP's ``validateProviderConfiguration`` ("models-config" mode), all of them.

    ``profile`` switches on the checks of older releases (see the rule switches of
    :class:`~catalogmgr.omp.profile.Profile`). Where the release never runs them
    (``provider_rules_enforced`` off: 13.x, 14.x) they are warnings: OMP loads the file, but the
    provider does not work as written, and the next OMP rejects it.
    """
    for finding in _enforced_rules(data, profile):
        if profile.provider_rules_enforced or finding.severity is not Severity.ERROR:
            yield finding
            continue
        yield Finding(
            finding.pointer,
            finding.message.replace(": OMP rejects the file", "").replace(" OMP rejects the file", "")
            + f"; {profile.covers()} does not check this and loads the file, OMP 17 and later reject it",
            finding.rule,
            Severity.WARNING,
            finding.hint,
            finding.at_key,
        )


def _enforced_rules(data: Any, profile: Profile) -> Iterator[Finding]:
    for name, config in _providers(data):
        base = ("providers", name)
        models = _models(config)
        if models is not None and not models:
            yield from _provider_needs_settings(name, config, profile)
        elif models:
            yield from _models_need_endpoint(name, config, profile)
        discovery = config.get("discovery")
        if (
            isinstance(discovery, Mapping)
            and not js_truthy(config.get("api"))
            and discovery.get("type") != "proxy"
        ):
            yield Finding(
                _ptr(*base, "discovery"),
                f'provider `{name}` enables discovery but sets no provider-level "api": OMP rejects the '
                f"file (discovered models need an api)",
                "discovery-needs-api",
                hint="add `api:` to the provider, e.g. `api: openai-completions` for an OpenAI-compatible "
                "server (only `type: proxy` discovery works without it)",
            )
        for index, model in enumerate(models or []):
            if isinstance(model, Mapping):
                yield from _model_rules(name, config, model, index)
        if profile.max_context_window:
            yield from _max_context_window_rules(name, config)


def _provider_needs_settings(name: str, config: Mapping[str, Any], profile: Profile) -> Iterator[Finding]:
    overrides = config.get("modelOverrides")
    has_overrides = isinstance(overrides, Mapping) and len(overrides) > 0
    if not isinstance(overrides, Mapping) and js_truthy(overrides):
        has_overrides = True  # not a mapping: the schema reports it; do not pile on

    def counts(key: str) -> bool:
        # baseUrl and apiKey count when present at all: an empty or mistyped one is a schema
        # error already, and "sets nothing" would be the wrong thing to tell its author.
        if key in ("baseUrl", "apiKey"):
            return key in config
        if key == "auth: none":
            return bool(config.get("auth", "apiKey") == "none")
        if key == "modelOverrides":
            return has_overrides
        return js_truthy(config.get(key))

    settings = any(counts(key) for key in profile.provider_setting_keys)
    if settings:
        return
    # Keys the author may think count: those that never do, and those only later releases count.
    not_counted = [key for key in PROVIDER_SETTING_KEYS if key not in profile.provider_setting_keys]
    present = [
        key
        for key in ("api", "authHeader", "transport", "guardrailVersion", "guardrailTrace", *not_counted)
        if key in config
    ]
    why = (
        f" (`{'`, `'.join(present)}` alone does not count)"
        if present
        else " (an empty `modelOverrides`, `models: []` or `disableStrictTools: false` does not count)"
        if any(key in config for key in ("modelOverrides", "models", "disableStrictTools"))
        else ""
    )
    yield Finding(
        _ptr("providers", name),
        f"provider `{name}` sets nothing OMP can use{why}: OMP rejects the file",
        "provider-needs-settings",
        hint="give it `models:`, or at least one of "
        + ", ".join(f"`{key}`" for key in profile.provider_setting_keys)
        + "; or delete the entry",
    )


def _models_need_endpoint(name: str, config: Mapping[str, Any], profile: Profile) -> Iterator[Finding]:
    # Present but empty or mistyped: the schema reports that; OMP would stop there too.
    if "baseUrl" not in config:
        yield Finding(
            _ptr("providers", name),
            f'provider `{name}` defines models but has no "baseUrl": OMP rejects the file '
            f"(custom models never take the bundled provider's URL)",
            "models-need-baseurl",
            hint=f"add `baseUrl:` to provider `{name}` (the endpoint the models are served from)",
        )
    auth = config.get("auth", "apiKey")
    keyless = ("none",) if profile.oauth_models_need_api_key else ("none", "oauth")
    if "apiKey" not in config and auth not in keyless:
        unless = '`auth` is "none"' if len(keyless) == 1 else '`auth` is "none" or "oauth"'
        yield Finding(
            _ptr("providers", name),
            f'provider `{name}` defines models but has no "apiKey": OMP rejects the file unless {unless}',
            "models-need-apikey",
            hint="add `apiKey: SOME_ENV_VAR` (the name of an environment variable holding the key), "
            "or `auth: none` for a local server that needs no key",
        )


def _model_rules(
    name: str, config: Mapping[str, Any], model: Mapping[str, Any], index: int
) -> Iterator[Finding]:
    base = ("providers", name, "models", index)
    label = model_label(model, index)
    if not js_truthy(config.get("api")) and not js_truthy(model.get("api")):
        yield Finding(
            _ptr(*base),
            f'{label} of provider `{name}` has no "api", and neither has the provider: OMP rejects the file',
            "model-needs-api",
            hint=f"set `api:` on provider `{name}` (for all its models) or on this model, "
            "e.g. `api: openai-completions` or `api: anthropic-messages`",
        )
    for field in ("contextWindow", "maxTokens"):
        value = model.get(field)
        if is_number(value) and value <= 0:
            yield Finding(
                _ptr(*base, field),
                f"`{field}` of {label} (provider `{name}`) is {value}: OMP rejects the file; it must be "
                f"greater than 0",
                "positive-window",
                hint=f"give the real {'context window' if field == 'contextWindow' else 'output limit'} in "
                "tokens, or leave the field out to inherit it",
            )


def _max_context_window_rules(name: str, config: Mapping[str, Any]) -> Iterator[Finding]:
    """OMP 18.3's ``validateMaxContextWindow``: a safe positive integer, no smaller than contextWindow.

    It narrows both model definitions and modelOverrides. A non-number is the schema's to report.
    """
    holders: list[tuple[Path, str, Mapping[str, Any]]] = []
    models = config.get("models")
    if isinstance(models, list):
        holders += [
            (("providers", name, "models", index), model_label(model, index), model)
            for index, model in enumerate(models)
            if isinstance(model, Mapping)
        ]
    overrides = config.get("modelOverrides")
    if isinstance(overrides, Mapping):
        holders += [
            (("providers", name, "modelOverrides", model_id), f"modelOverrides `{model_id}`", override)
            for model_id, override in overrides.items()
            if isinstance(override, Mapping)
        ]
    for path, label, holder in holders:
        maximum = holder.get("maxContextWindow")
        if not is_number(maximum):
            continue
        window = holder.get("contextWindow")
        if not _is_safe_integer(maximum) or maximum <= 0:
            why = "a positive integer"
        elif is_number(window) and maximum < window:
            why = f"no smaller than contextWindow ({window})"
        else:
            continue
        yield Finding(
            _ptr(*path, "maxContextWindow"),
            f"`maxContextWindow` of {label} (provider `{name}`) is {maximum}: OMP rejects the file; it "
            f"must be {why}",
            "max-context-window",
            hint="give the largest window the model accepts in tokens (at least its contextWindow), "
            "or leave the field out",
        )


def _is_safe_integer(value: int | float) -> bool:
    """JavaScript's ``Number.isSafeInteger``."""
    if isinstance(value, float) and not value.is_integer():
        return False
    return abs(value) <= 2**53 - 1


# --------------------------------------------------------------------------------------------
# Warnings: what OMP accepts silently but is almost certainly a mistake


def is_tool_root_key(key: str) -> bool:
    """Top-level keys put in dotfiles on purpose: sops metadata, `x-*` holders of YAML anchors."""
    return key in ("$schema", "sops") or key.startswith("x-")


def root_shape_warnings(data: Any) -> Iterator[Finding]:
    """No ``providers:``; provider settings or providers written at the top level (lost indentation)."""
    if not isinstance(data, Mapping):
        return
    if "providers" not in data:
        yield Finding(
            "",
            "the file has no `providers:` key, so OMP reads nothing from it",
            "no-providers",
            Severity.WARNING,
            hint="OMP only reads `providers:`; put each provider under it (indented by two spaces)",
            at_key=False,
        )
    for key, value in data.items():
        if key == "providers" or is_tool_root_key(key):
            continue
        if key in PROVIDER_SHAPED_KEYS:
            yield Finding(
                _ptr(key),
                f"`{key}` is a provider setting written at the top level, where OMP ignores it",
                "provider-at-root",
                Severity.WARNING,
                hint="indent it under `providers:` and a provider id, e.g. `providers:` / `  minimax:` / "
                f"`    {key}: ...`",
            )
        elif isinstance(value, Mapping) and PROVIDER_SHAPED_KEYS.intersection(value):
            yield Finding(
                _ptr(key),
                f"`{key}` looks like a provider written at the top level, where OMP ignores it",
                "provider-at-root",
                Severity.WARNING,
                hint=f"move it under `providers:` (`providers:` / `  {key}:` / `    ...`)",
            )


def provider_shaped_root_keys(data: Any) -> set[str]:
    """Top-level keys :func:`root_shape_warnings` already explains (no unknown-key warning for them)."""
    if not isinstance(data, Mapping):
        return set()
    return {
        key
        for key, value in data.items()
        if key != "providers"
        and not is_tool_root_key(key)
        and (
            key in PROVIDER_SHAPED_KEYS
            or (isinstance(value, Mapping) and PROVIDER_SHAPED_KEYS.intersection(value))
        )
    }


def env_name_in_spelling(value: str) -> str | None:
    """``${FOO}``, ``$FOO``, ``env:FOO``, ``{env:FOO}``, ``os.environ/FOO``, ``%FOO%`` -> ``FOO``."""
    match = _ENV_SPELLING.fullmatch(value.strip())
    if match is None:
        return None
    return next(group for group in match.groups() if group)


def _resolved_values(data: Any) -> Iterator[tuple[Path, str, str]]:
    """(path, what, value) of every string OMP resolves like an apiKey: apiKey and header values."""
    for name, config in _providers(data):
        base: Path = ("providers", name)
        api_key = config.get("apiKey")
        if isinstance(api_key, str):
            yield (*base, "apiKey"), f"`apiKey` of provider `{name}`", api_key
        owners: list[tuple[Path, Any, str]] = [(base, config, f"provider `{name}`")]
        models = config.get("models")
        if isinstance(models, list):
            owners += [
                ((*base, "models", index), model, f"{model_label(model, index)} (provider `{name}`)")
                for index, model in enumerate(models)
            ]
        overrides = config.get("modelOverrides")
        if isinstance(overrides, Mapping):
            owners += [
                (
                    (*base, "modelOverrides", model_id),
                    override,
                    f"modelOverrides `{model_id}` (provider `{name}`)",
                )
                for model_id, override in overrides.items()
            ]
        for path, owner, label in owners:
            headers = owner.get("headers") if isinstance(owner, Mapping) else None
            if isinstance(headers, Mapping):
                for header, value in headers.items():
                    if isinstance(value, str):
                        yield (*path, "headers", header), f"header `{header}` of {label}", value


def env_syntax_warnings(data: Any) -> Iterator[Finding]:
    """apiKey/header values spelled like another tool's variable reference (OMP sends them literally)."""
    for path, what, value in _resolved_values(data):
        if value.startswith("!"):
            continue  # a shell command: `$VAR` in it is the shell's business, and correct
        name = env_name_in_spelling(value)
        if name is not None:
            yield Finding(
                pointer_from_path(path),
                f"{what} is `{value.strip()}`: OMP has no such variable syntax and would send this text "
                f"literally; write just the variable's name: `{name}`",
                "env-syntax",
                Severity.WARNING,
                hint=f"OMP uses the environment variable named exactly like the value: `{path[-1]}: {name}`",
                at_key=False,
            )
        elif _EMBEDDED_ENV.search(value):
            yield Finding(
                pointer_from_path(path),
                f"{what} contains `{_EMBEDDED_ENV.search(value).group(0)}`: OMP does not expand variables "  # type: ignore[union-attr]
                "inside a value and would send the text literally",
                "env-syntax",
                Severity.WARNING,
                hint="put the whole value in an environment variable and write its name; for "
                "`Authorization: Bearer <key>` use `apiKey: VAR` with `authHeader: true`; or use a "
                '`"!command"` such as `"!printf \'Bearer %s\' \\"$TOKEN\\""`',
                at_key=False,
            )


def override_warnings(data: Any) -> Iterator[Finding]:
    """modelOverrides values OMP accepts but cannot mean what the author wants."""
    for name, config in _providers(data):
        overrides = config.get("modelOverrides")
        if not isinstance(overrides, Mapping):
            continue
        for model_id, override in overrides.items():
            if not isinstance(override, Mapping):
                continue
            for field in ("contextWindow", "maxTokens"):
                value = override.get(field)
                if is_number(value) and value <= 0:
                    yield Finding(
                        _ptr("providers", name, "modelOverrides", model_id, field),
                        f"`{field}` of modelOverrides `{model_id}` (provider `{name}`) is {value}; "
                        "OMP accepts it here (unlike under `models`) but a model cannot work with it",
                        "override-window",
                        Severity.WARNING,
                        hint="give a positive number of tokens, or remove the field",
                    )


def _thinking_objects(data: Any) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    for name, config in _providers(data):
        models = config.get("models")
        if isinstance(models, list):
            for index, model in enumerate(models):
                if isinstance(model, Mapping) and isinstance(model.get("thinking"), Mapping):
                    yield ("providers", name, "models", index, "thinking"), model["thinking"]
        overrides = config.get("modelOverrides")
        if isinstance(overrides, Mapping):
            for model_id, override in overrides.items():
                if isinstance(override, Mapping) and isinstance(override.get("thinking"), Mapping):
                    yield ("providers", name, "modelOverrides", model_id, "thinking"), override["thinking"]


def thinking_warnings(data: Any) -> Iterator[Finding]:
    """Thinking configurations OMP accepts but resolves to something surprising."""
    for path, thinking in _thinking_objects(data):
        pointer = pointer_from_path(path)
        efforts = thinking.get("efforts")
        legacy = [key for key in ("levels", "minLevel", "maxLevel") if key in thinking]
        if "efforts" in thinking and legacy:
            yield Finding(
                pointer_from_path((*path, legacy[0])),
                f"`thinking` sets `efforts` and the legacy `{'`, `'.join(legacy)}`; OMP uses `efforts` "
                "and ignores the legacy keys",
                "thinking-levels-ignored",
                Severity.WARNING,
                hint="remove the legacy keys",
            )
        chosen = "efforts" if "efforts" in thinking else "levels" if "levels" in thinking else None
        if chosen is not None and thinking.get(chosen) == []:
            yield Finding(
                pointer_from_path((*path, chosen)),
                f"`thinking.{chosen}` is empty: the model gets no selectable thinking effort",
                "thinking-empty",
                Severity.WARNING,
                hint="list the supported efforts, e.g. `[low, medium, high]`, or remove `thinking`",
            )
        low, high = thinking.get("minLevel"), thinking.get("maxLevel")
        if (
            efforts is None
            and "levels" not in thinking
            and low in EFFORT_ORDER
            and high in EFFORT_ORDER
            and EFFORT_ORDER.index(low) > EFFORT_ORDER.index(high)
        ):
            yield Finding(
                pointer,
                f"`thinking.minLevel` ({low}) is above `maxLevel` ({high}); OMP then offers only `{low}`",
                "thinking-range-reversed",
                Severity.WARNING,
                hint="swap them, or write the efforts out: `efforts: [...]`",
            )


def duplicate_model_warnings(data: Any) -> Iterator[Finding]:
    """The same id twice in one provider's ``models``."""
    for name, config in _providers(data):
        models = config.get("models")
        if not isinstance(models, list):
            continue
        first: dict[str, int] = {}
        for index, model in enumerate(models):
            model_id = model.get("id") if isinstance(model, Mapping) else None
            if not isinstance(model_id, str) or not model_id:
                continue
            if model_id in first:
                yield Finding(
                    _ptr("providers", name, "models", index, "id"),
                    f"model `{model_id}` is defined twice in provider `{name}` (first as model "
                    f"#{first[model_id] + 1}); OMP keys models by id, so the definitions collide",
                    "duplicate-model",
                    Severity.WARNING,
                    hint="keep one definition",
                )
            else:
                first[model_id] = index


def unknown_override_warnings(
    data: Any, base: Mapping[str, Mapping[str, Any]], base_name: str
) -> Iterator[Finding]:
    """modelOverrides naming a model the base catalog (and the file's own models) lacks: OMP ignores them."""
    for name, config in _providers(data):
        overrides = config.get("modelOverrides")
        if not isinstance(overrides, Mapping) or not overrides:
            continue
        if config.get("discovery") is not None:
            continue  # models arrive at run time: any id may exist
        known = set(base.get(name, {}) or {})
        models = config.get("models")
        if isinstance(models, list):
            known.update(m["id"] for m in models if isinstance(m, Mapping) and isinstance(m.get("id"), str))
        if not known:
            yield Finding(
                _ptr("providers", name, "modelOverrides"),
                f"provider `{name}` has no models in {base_name} nor in this file, so its modelOverrides "
                "match nothing; OMP ignores them silently",
                "unknown-override",
                Severity.WARNING,
                hint=_provider_hint(name, base),
            )
            continue
        for model_id in overrides:
            if model_id in known:
                continue
            guess = _closest_id(str(model_id), known)
            yield Finding(
                _ptr("providers", name, "modelOverrides", model_id),
                f"modelOverrides `{model_id}`: provider `{name}` has no such model in {base_name}; "
                "OMP ignores this override silently",
                "unknown-override",
                Severity.WARNING,
                hint=f"did you mean `{guess}`?" if guess else "check the id with `catalogmgr list`",
            )


def _closest_id(model_id: str, known: set[str]) -> str | None:
    lowered = {candidate.lower(): candidate for candidate in known}
    if model_id.lower() in lowered:
        return lowered[model_id.lower()]
    close = difflib.get_close_matches(model_id, sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def _provider_hint(name: str, base: Mapping[str, Any]) -> str:
    guess = did_you_mean(name, frozenset(base))
    return f"did you mean provider `{guess}`?" if guess else "check the provider id with `catalogmgr list`"


# --------------------------------------------------------------------------------------------
# Catalogs


def catalog_rules(data: Any) -> Iterator[Finding]:
    """A bundled catalog's keys must equal each model's ``provider`` and ``id``."""
    if not isinstance(data, Mapping):
        return
    for provider, models in data.items():
        if not isinstance(models, Mapping):
            continue
        for model_id, model in models.items():
            if not isinstance(model, Mapping):
                continue
            for field, expected in (("provider", provider), ("id", model_id)):
                actual = model.get(field)
                if isinstance(actual, str) and actual != expected:
                    yield Finding(
                        _ptr(provider, model_id, field),
                        f"model `{provider}/{model_id}` has {field} `{actual}`, "
                        f"but its key says `{expected}`",
                        "catalog-key-mismatch",
                        hint="OMP looks models up by their keys; make the key and the field agree",
                        at_key=False,
                    )
