"""Validate a loaded document: JSON Schema, OMP's rules, and warnings, as located problems.

The pipeline for an overlay (``models.yml``):

1. the document's own load findings (duplicate keys, BOM, ...);
2. the JSON Schema (:mod:`catalogmgr.omp.schemas`), which mirrors OMP 18.2.3's
   ``models-config-schema-bundle.ts`` field for field; every error becomes one clear message,
   anyOf branches and sibling ``required`` errors collapsed;
3. OMP's cross-field rules (:func:`catalogmgr.omp.rules.omp_rules`);
4. warnings OMP does not give: unknown keys at any depth with a "did you mean", a file whose
   providers are not under ``providers:``, ``$VAR``-style key references, unknown override ids
   (given a base catalog), surprising thinking settings;
5. literal secrets (:func:`catalogmgr.secrets.find_literal_secrets`), as errors.

An overlay is valid for OMP exactly when none of the problems from steps 2 and 3 is an error;
:func:`overlay_is_valid` checks that no problem at all is an error.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from catalogmgr.documents import Document, load_document
from catalogmgr.errors import InputError
from catalogmgr.omp.profile import DEFAULT_PROFILE, PROFILES, Profile
from catalogmgr.omp.rules import (
    Finding,
    catalog_rules,
    did_you_mean,
    duplicate_model_warnings,
    env_syntax_warnings,
    is_tool_root_key,
    model_label,
    omp_rules,
    override_warnings,
    provider_shaped_root_keys,
    root_shape_warnings,
    thinking_warnings,
    unknown_override_warnings,
)
from catalogmgr.omp.schemas import load_schema
from catalogmgr.problems import Problem, Severity, path_from_pointer, pointer_from_path, sort_problems

Kind = Literal["overlay", "catalog"]
KINDS: tuple[Kind, ...] = ("overlay", "catalog")

SCHEMA_RULE = "schema"


def detect_kind(document: Document) -> Kind:
    """``catalog`` for a models.json-shaped mapping (provider -> id -> model), else ``overlay``."""
    data = document.data
    if not isinstance(data, dict) or not data or "providers" in data:
        return "overlay"
    sampled = 0
    for models in data.values():
        if not isinstance(models, dict):
            return "overlay"
        for model in list(models.values())[:3]:
            if not (isinstance(model, dict) and "id" in model and ("api" in model or "provider" in model)):
                return "overlay"
            sampled += 1
    return "catalog" if sampled else "overlay"


@dataclass(frozen=True)
class FileReport:
    """The outcome for one input file: its kind (None when it could not be loaded) and problems."""

    file: str
    kind: Kind | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> int:
        return sum(1 for problem in self.problems if problem.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for problem in self.problems if problem.severity is Severity.WARNING)


def load_failure(name: str, error: InputError) -> FileReport:
    """A file that could not be read or parsed, as a report with one located error."""
    problem = Problem(
        file=error.file or name,
        position=error.position,
        pointer="",
        message=error.message,
        rule=error.rule,
        severity=Severity.ERROR,
    )
    return FileReport(name, None, (problem,))


def check_document(
    document: Document,
    kind: Kind | None = None,
    *,
    base: Mapping[str, Mapping[str, Any]] | None = None,
    base_name: str = "the base catalog",
    profile: Profile = DEFAULT_PROFILE,
    runs: str | None = None,
) -> FileReport:
    """:func:`validate_document` wrapped in a :class:`FileReport`.

    With ``runs`` (how to name the user's OMP: ``OMP 18.2.3``), a problem that other OMP
    releases do not have says which releases accept the file (:func:`with_version_notes`).
    """
    chosen = kind or detect_kind(document)
    problems = validate_document(document, chosen, base=base, base_name=base_name, profile=profile)
    if runs is not None and chosen == "overlay":
        problems = with_version_notes(document, problems, profile, runs, base=base, base_name=base_name)
    return FileReport(document.name, chosen, tuple(problems))


# Above this many mappings/lists/scalars a file gets no version notes (see with_version_notes).
VERSION_NOTE_NODE_LIMIT = 20_000


def _at_most_nodes(data: Any, limit: int) -> bool:
    """Whether ``data`` has at most ``limit`` nodes, counting shared (aliased) nodes each time.

    Stops as soon as the count passes ``limit``: an alias bomb costs ``limit`` steps, not its size.
    """
    stack = [data]
    seen = 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return False
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _version_sensitive(problem: Problem) -> bool:
    """Problems worth a version note: errors, and keys that another release may know."""
    return problem.is_error or problem.rule == "unknown-key"


def with_version_notes(
    document: Document,
    problems: Sequence[Problem],
    profile: Profile,
    runs: str,
    *,
    base: Mapping[str, Mapping[str, Any]] | None = None,
    base_name: str = "the base catalog",
) -> list[Problem]:
    """``problems`` (found under ``profile``) with a note on each one other profiles do not have.

    "``api`` must be one of ...; OMP 18.2.8 and later accept it (you run OMP 18.2.3)". The same
    problem is the same rule at the same place. Other profiles are consulted only when there is
    something to explain, so a clean file costs one validation.
    """
    if not any(_version_sensitive(problem) for problem in problems) or not _at_most_nodes(
        document.data, VERSION_NOTE_NODE_LIMIT
    ):
        # A note costs one validation per other profile: on a huge (or alias-bombed) file the
        # notes are skipped so validation stays as bounded as without them.
        return list(problems)
    # Any severity counts as "has it": OMP 13/14 load a file the provider rules reject, but the
    # rule still applies there (as a warning), so it is not a version difference worth a note.
    found_under = {
        other: {
            (problem.rule, problem.pointer)
            for problem in validate_document(
                document, "overlay", base=base, base_name=base_name, profile=other
            )
        }
        for other in PROFILES
        if other is not profile
    }
    noted = []
    for problem in problems:
        if _version_sensitive(problem):
            without = [
                other for other, found in found_under.items() if (problem.rule, problem.pointer) not in found
            ]
            if without:
                verb = "know this key" if problem.rule == "unknown-key" else "accept it"
                problem = dataclasses.replace(
                    problem, message=f"{problem.message}; {releases_phrase(without)} {verb} (you run {runs})"
                )
        noted.append(problem)
    return noted


def releases_phrase(profiles: Sequence[Profile]) -> str:
    """The releases ``profiles`` cover, in words: ``OMP 18.2.8 and later``, ``OMP 13.0.0 up to 17.0.0``.

    Consecutive profiles merge into one range; separate ranges are joined with "and".
    """
    chosen = set(profiles)
    ranges: list[str] = []
    index = 0
    while index < len(PROFILES):
        if PROFILES[index] not in chosen:
            index += 1
            continue
        start = index
        while index + 1 < len(PROFILES) and PROFILES[index + 1] in chosen:
            index += 1
        following = PROFILES[index + 1].first if index + 1 < len(PROFILES) else None
        first = PROFILES[start].first
        ranges.append(f"{first} and later" if following is None else f"{first} up to {following}")
        index += 1
    return "OMP " + " and ".join(ranges)


def check_across_profiles(
    path: str | Path,
    kind: Kind | None = None,
    *,
    name: str | None = None,
    base: Mapping[str, Mapping[str, Any]] | None = None,
    base_name: str = "the base catalog",
) -> list[tuple[Profile, FileReport]]:
    """The file's report under every profile, oldest first (``validate --omp-version all``)."""
    display = name if name is not None else str(path)
    try:
        document = load_document(path, name=display)
    except InputError as error:
        failure = load_failure(display, error)
        return [(profile, failure) for profile in PROFILES]
    return [
        (profile, check_document(document, kind, base=base, base_name=base_name, profile=profile))
        for profile in PROFILES
    ]


def check_path(
    path: str | Path,
    kind: Kind | None = None,
    *,
    name: str | None = None,
    base: Mapping[str, Mapping[str, Any]] | None = None,
    base_name: str = "the base catalog",
    profile: Profile = DEFAULT_PROFILE,
    runs: str | None = None,
) -> FileReport:
    """Load and validate one file; a file that cannot be read or parsed is reported, not raised.

    ``runs``: see :func:`check_document`.
    """
    display = name if name is not None else str(path)
    try:
        document = load_document(path, name=display)
    except InputError as error:
        return load_failure(display, error)
    return check_document(document, kind, base=base, base_name=base_name, profile=profile, runs=runs)


def validate_document(
    document: Document,
    kind: Kind | None = None,
    *,
    base: Mapping[str, Mapping[str, Any]] | None = None,
    base_name: str = "the base catalog",
    profile: Profile = DEFAULT_PROFILE,
) -> list[Problem]:
    """Every problem of ``document`` for the OMP of ``profile``, sorted by position.

    ``kind`` defaults to :func:`detect_kind`. ``base`` is a base catalog to check modelOverrides
    ids against; pass it only for a real catalog (not the embedded curated subset, which lacks
    most models and would produce false alarms).
    """
    chosen = kind or detect_kind(document)
    findings: list[Finding] = []
    if chosen == "overlay":
        findings += _overlay_findings(document.data, base, base_name, profile)
    else:
        findings += _catalog_findings(document.data)
    problems = list(document.problems)
    problems += [_locate(document, finding) for finding in _unique(findings)]
    if chosen == "overlay":
        problems += _literal_secrets(document)
    return sort_problems([_without_secrets(problem) for problem in problems])


def _without_secrets(problem: Problem) -> Problem:
    """The problem with any known-format key it quotes masked (a key pasted as a YAML key, say).

    Messages quote names, keys and values from the file; a secret among them must not be printed
    again, not even in a pointer.
    """
    from catalogmgr.secrets import redact_text

    message = redact_text(problem.message)
    pointer = redact_text(problem.pointer) if problem.pointer else problem.pointer
    hint = redact_text(problem.hint) if problem.hint else problem.hint
    if (message, pointer, hint) == (problem.message, problem.pointer, problem.hint):
        return problem
    return dataclasses.replace(problem, message=message, pointer=pointer, hint=hint)


def validate_data(data: Any, kind: Kind = "overlay", profile: Profile = DEFAULT_PROFILE) -> list[Finding]:
    """The findings for plain data (no positions): for callers that have no document."""
    if kind == "overlay":
        return list(_unique(_overlay_findings(data, None, "", profile)))
    return list(_unique(_catalog_findings(data)))


def overlay_is_valid(problems: Sequence[Problem]) -> bool:
    """True when no problem is an error (warnings do not make an overlay invalid)."""
    return not any(problem.is_error for problem in problems)


def _overlay_findings(
    data: Any, base: Mapping[str, Mapping[str, Any]] | None, base_name: str, profile: Profile
) -> list[Finding]:
    if data is None:
        return [
            Finding(
                "",
                'the file is empty: OMP rejects an empty models.yml ("root: must be an object") and '
                "then loads none of your providers",
                "empty-file",
                hint="write at least `providers: {}`, or delete the file",
                at_key=False,
            )
        ]
    findings = list(_schema_findings(data, "overlay", profile))
    findings += omp_rules(data, profile)
    if isinstance(data, dict):
        findings += root_shape_warnings(data)
        quiet_root = provider_shaped_root_keys(data) | {key for key in data if is_tool_root_key(key)}
        findings += _unknown_key_findings(data, skip_root=quiet_root, profile=profile)
        findings += env_syntax_warnings(data)
        findings += override_warnings(data)
        findings += thinking_warnings(data)
        findings += duplicate_model_warnings(data)
        if base is not None:
            findings += unknown_override_warnings(data, base, base_name)
    return findings


def _catalog_findings(data: Any) -> list[Finding]:
    if data is None:
        return [Finding("", "the file is empty, not a model catalog", "empty-file", at_key=False)]
    return [*_schema_findings(data, "catalog", DEFAULT_PROFILE), *catalog_rules(data)]


def _unique(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[str, str, str]] = set()
    for finding in findings:
        key = (finding.pointer, finding.rule, finding.message)
        if key not in seen:
            seen.add(key)
            yield finding


def _locate(document: Document, finding: Finding) -> Problem:
    position = (
        document.key_position(finding.pointer) if finding.at_key else document.position(finding.pointer)
    )
    return Problem(
        file=document.name,
        position=position,
        pointer=finding.pointer,
        message=finding.message,
        rule=finding.rule,
        severity=finding.severity,
        hint=finding.hint,
    )


def _literal_secrets(document: Document) -> list[Problem]:
    # The KEYS part of the project owns secret detection; validation stays usable without it.
    try:
        secrets = importlib.import_module("catalogmgr.secrets")
    except ImportError:  # pragma: no cover - only while the module does not exist
        return []
    found: list[Problem] = [
        *secrets.find_literal_secrets(document),
        *secrets.find_embedded_secrets(document),
    ]
    return found


# --------------------------------------------------------------------------------------------
# JSON Schema errors -> findings


def _is_finite_number(_checker: Any, instance: Any) -> bool:
    # OMP's schema library rejects NaN and ±Infinity as "number"; YAML can spell both (.nan, .inf).
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        try:
            return math.isfinite(float(instance))  # JavaScript turns a huge integer into Infinity
        except OverflowError:
            return False
    return isinstance(instance, float) and math.isfinite(instance)


@cache
def _validator(kind: Kind, profile: Profile) -> Any:
    # jsonschema is imported here, not at module level: `catalogmgr --help` should not pay for it.
    from jsonschema import Draft202012Validator, validators  # type: ignore[import-untyped]

    checker = Draft202012Validator.TYPE_CHECKER.redefine("number", _is_finite_number)
    validator_class = validators.extend(Draft202012Validator, type_checker=checker)
    return validator_class(load_schema(kind, profile))


@cache
def _def_names(kind: Kind, profile: Profile) -> dict[int, str]:
    """id(subschema) -> its ``$defs`` name, to recognise where an error comes from."""
    return {id(sub): name for name, sub in load_schema(kind, profile).get("$defs", {}).items()}


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}

# Spellings YAML 1.1 (PyYAML, many editors) reads as booleans but OMP's YAML 1.2 parser keeps as strings.
_YAML11_BOOLEANS = {"yes", "no", "on", "off", "y", "n"}

# api values a user may have seen elsewhere that OMP 18.2.3 does not accept in models.yml.
_API_NOTES = {
    "openrouter": "the bundled catalog uses `openrouter` internally, but models.yml accepts only the "
    "listed values; OpenRouter speaks `openai-completions`",
    "ollama-chat": "`ollama-chat` exists only inside the bundled catalog; for a local Ollama server use "
    "`openai-completions` with a baseUrl ending in /v1",
}


def describe_value(value: Any) -> str:
    """A short, safe description of a value for messages (strings are shortened)."""
    if value is None:
        return "null (nothing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return {True: ".inf", False: "-.inf"}[value > 0] if not math.isnan(value) else ".nan"
        shown = repr(value)
        return shown if len(shown) <= 40 else f"{shown[:20]}... ({len(shown)} digits)"
    if isinstance(value, str):
        # A key pasted into the wrong field must not be echoed (not even its first characters).
        from catalogmgr.secrets import redact_text

        safe = redact_text(value, credential=True)
        shown = safe if len(safe) <= 40 else safe[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - plain data has no other types


def describe_location(data: Any, path: Sequence[str | int]) -> str:
    """Words for where a value sits: ``provider `x```, ```cost.input` of model `m` (provider `x`)``."""
    parts = list(path)
    if not parts:
        return "the top level of the file"
    if parts[0] != "providers":
        return f"`{_dotted(parts)}`"
    if len(parts) == 1:
        return "`providers`"
    provider = parts[1]
    owner = f"provider `{provider}`"
    rest = parts[2:]
    node = _child(_child(data, "providers"), provider)
    if len(rest) >= 2 and rest[0] == "models" and isinstance(rest[1], int):
        model = _child(_child(node, "models"), rest[1])
        owner = f"{model_label(model, rest[1])} (provider `{provider}`)"
        rest = rest[2:]
    elif len(rest) >= 2 and rest[0] == "modelOverrides":
        owner = f"modelOverrides `{rest[1]}` (provider `{provider}`)"
        rest = rest[2:]
    if not rest:
        return owner
    return f"`{_dotted(rest)}` of {owner}"


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict) and isinstance(key, str):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def _dotted(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_findings(data: Any, kind: Kind, profile: Profile) -> Iterator[Finding]:
    validator = _validator(kind, profile)
    required: dict[str, list[str]] = {}
    required_order: list[str] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        pointer = pointer_from_path(path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else str(error.message)
            if pointer not in required:
                required[pointer] = []
                required_order.append(pointer)
            required[pointer].append(missing)
            continue
        yield _schema_finding(error, data, path, pointer, _def_names(kind, profile))
    for pointer in required_order:
        yield _required_finding(data, pointer, required[pointer])


def _schema_finding(
    error: Any, data: Any, path: tuple[str | int, ...], pointer: str, defs: Mapping[int, str]
) -> Finding:
    where = describe_location(data, path)
    value = error.instance
    keyword = error.validator
    at_key = isinstance(value, dict | list) or value is None
    hint: str | None = None
    if keyword == "type":
        expected = error.validator_value
        words = (
            _TYPE_WORDS.get(expected, str(expected))
            if isinstance(expected, str)
            else " or ".join(_TYPE_WORDS.get(item, item) for item in expected)
        )
        if expected == "number" and isinstance(value, float):
            words = "a finite number"
        message = f"{where} must be {words}, not {describe_value(value)}"
        hint = _type_hint(expected, value, path)
    elif keyword == "enum":
        allowed = [str(item) for item in error.validator_value]
        message = f"{where} must be one of {', '.join(allowed)}; not {describe_value(value)}"
        if isinstance(value, str):
            guess = did_you_mean(value, allowed)
            hint = _API_NOTES.get(value) or (f"did you mean `{guess}`?" if guess else None)
    elif keyword == "const" and path[-1:] == ("type",):
        # The discovery if/then: `injectV1` is only meaningful for openai-models-list.
        message = (
            f"`injectV1` works only with `type: openai-models-list`, but {where} is {describe_value(value)}: "
            "OMP rejects the file"
        )
        pointer = pointer_from_path((*path[:-1], "injectV1"))
        at_key = True
        hint = "remove `injectV1`, or use `type: openai-models-list`"
    elif keyword == "minLength":
        message = f"{where} must not be empty: OMP rejects an empty string here"
        hint = "give a value or remove the key"
    elif keyword == "exclusiveMinimum":
        message = f"{where} must be greater than {error.validator_value}, not {describe_value(value)}"
    elif keyword == "minimum":
        message = f"{where} must be {error.validator_value} or more, not {describe_value(value)}"
    elif keyword == "anyOf" and defs.get(id(error.schema)) == "thinking":
        message, hint = _thinking_message(where, value)
    elif keyword in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

        inner = best_match(error.context)
        message = f"{where}: {inner.message}"
    else:
        message = f"{where}: {error.message}"
    return Finding(pointer, message, SCHEMA_RULE, Severity.ERROR, hint, at_key)


def _type_hint(expected: Any, value: Any, path: tuple[str | int, ...]) -> str | None:
    if expected == "boolean" and isinstance(value, str) and value.lower() in _YAML11_BOOLEANS:
        return f"OMP's YAML 1.2 parser reads `{value}` as a string: write true or false"
    if expected == "number" and isinstance(value, str):
        try:
            float(value.replace("_", ""))
        except ValueError:
            return None
        return "remove the quotes (and any `_` digit separators): OMP wants a number here"
    if expected == "object" and len(path) == 2 and path[0] == "providers":
        key = str(path[1])
        if key in {"baseUrl", "apiKey", "api", "models", "headers", "auth", "authHeader", "compat"}:
            return (
                f"`{key}` is a provider setting: is the provider id line (e.g. `minimax:`) missing above it?"
            )
        if value is None:
            return "an empty provider: give it settings, or delete the line"
    if expected == "array" and isinstance(value, str) and path[-1:] == ("input",):
        return f"write a list: `input: [{value}]`"
    if expected == "array" and isinstance(value, dict) and path[-1:] == ("models",):
        return "`models` is a list of models, each starting with `- id: ...`"
    return None


def _thinking_message(where: str, value: Any) -> tuple[str, str]:
    has_min = isinstance(value, dict) and "minLevel" in value
    has_max = isinstance(value, dict) and "maxLevel" in value
    if has_min != has_max:
        present, absent = ("minLevel", "maxLevel") if has_min else ("maxLevel", "minLevel")
        detail = f"it has `{present}` but no `{absent}`"
    else:
        detail = "it has none"
    return (
        f"{where} needs `efforts` (or the legacy `levels`, or both `minLevel` and `maxLevel`); {detail}: "
        "OMP rejects the file",
        "e.g. `efforts: [low, medium, high]`",
    )


def _required_finding(data: Any, pointer: str, missing: list[str]) -> Finding:
    path = _typed_path(data, pointer)
    where = describe_location(data, path)
    names = ", ".join(f"`{name}`" for name in missing)
    if path[-1:] == ("cost",) and len(path) >= 4 and path[2] == "models":
        return Finding(
            pointer,
            f"{where} lacks {names}: OMP requires all four prices (input, output, cacheRead, cacheWrite) "
            "when a model under `models` gives a cost",
            SCHEMA_RULE,
            hint="add the missing prices (0 is fine), or drop `cost` to inherit it from the bundled model",
        )
    return Finding(pointer, f"{where} lacks required {names}", SCHEMA_RULE)


def _typed_path(data: Any, pointer: str) -> tuple[str | int, ...]:
    """Pointer segments with list indexes as ints (walking the data to know which are lists)."""
    typed: list[str | int] = []
    node = data
    for part in path_from_pointer(pointer):
        if isinstance(node, list) and part.isdigit():
            typed.append(int(part))
            node = node[int(part)] if int(part) < len(node) else None
        else:
            typed.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(typed)


# --------------------------------------------------------------------------------------------
# Unknown keys, found by walking the data alongside the schema

# Names other tools (OpenAI, LiteLLM, opencode, crush, llama.cpp) use for a field OMP spells
# differently, keyed by the lower-cased name without `_`/`-`; used only where the target is known.
_KEY_ALIASES = {
    "maxoutputtokens": "maxTokens",
    "maxcompletiontokens": "maxTokens",
    "maxoutput": "maxTokens",
    "outputtokens": "maxTokens",
    "contextlength": "contextWindow",
    "contextsize": "contextWindow",
    "context": "contextWindow",
    "maxcontext": "contextWindow",
    "maxinputtokens": "contextWindow",
    "numctx": "contextWindow",
    "modalities": "input",
    "inputmodalities": "input",
    "displayname": "name",
    "pricing": "cost",
    "price": "cost",
    "url": "baseUrl",
    "endpoint": "baseUrl",
    "apibase": "baseUrl",
    "apiurl": "baseUrl",
    "baseurl": "baseUrl",
    "key": "apiKey",
    "token": "apiKey",
    "apitoken": "apiKey",
    "prompt": "input",
    "completion": "output",
}

_OVERRIDE_NOTES = {
    "id": "modelOverrides are keyed by model id; an `id` inside is ignored",
    "api": "modelOverrides cannot change `api`: redefine the model under `models:` instead",
    "baseUrl": "modelOverrides cannot change `baseUrl`: set it on the provider (it re-points the bundled "
    "models) or redefine the model under `models:`",
}


# Extra words for keys a release may not know yet (the version note says which releases do).
_KEY_NOTES = {
    "maxContextWindow": "before OMP 18.3, `maxContextWindow` comes only from the bundled catalog, "
    "not from models.yml",
}


class _SchemaWalker:
    """Resolves ``$ref``/``allOf`` of one schema to answer: which keys are known at this node?"""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self._properties: dict[int, dict[str, Any] | None] = {}

    def resolve(self, node: Any) -> dict[str, Any]:
        while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/$defs/"):
            node = self.defs[node["$ref"][len("#/$defs/") :]]
        return node if isinstance(node, dict) else {}

    def properties(self, node: dict[str, Any]) -> dict[str, Any] | None:
        """Known properties of a record node (merging allOf); None for maps and free-form objects."""
        key = id(node)
        if key not in self._properties:
            merged: dict[str, Any] | None = None
            for part in [node, *(self.resolve(sub) for sub in node.get("allOf", []))]:
                found = part.get("properties") if part is node else self.properties(part)
                if found is not None:
                    merged = {**(merged or {}), **found}
            self._properties[key] = merged
        return self._properties[key]


@cache
def _walker(profile: Profile) -> _SchemaWalker:
    return _SchemaWalker(load_schema("overlay", profile))


def _known_keys(walker: _SchemaWalker, definition: str) -> frozenset[str]:
    return frozenset(walker.properties(walker.defs[definition]) or {})


def _unknown_key_findings(
    data: dict[str, Any], *, skip_root: set[str], profile: Profile
) -> Iterator[Finding]:
    walker = _walker(profile)
    stack: list[tuple[Any, Any, tuple[str | int, ...]]] = [(data, walker.schema, ())]
    while stack:
        value, schema_node, path = stack.pop()
        node = walker.resolve(schema_node)
        if isinstance(value, dict):
            known = walker.properties(node)
            if known is not None:
                for key, child in value.items():
                    if key in known:
                        stack.append((child, known[key], (*path, key)))
                    elif not (path == () and key in skip_root):
                        yield _unknown_key(data, path, key, node, known, walker)
            elif isinstance(node.get("additionalProperties"), dict):
                for key, child in value.items():
                    stack.append((child, node["additionalProperties"], (*path, key)))
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            stack.extend((child, node["items"], (*path, index)) for index, child in enumerate(value))


def _unknown_key(
    data: Any,
    path: tuple[str | int, ...],
    key: str,
    node: dict[str, Any],
    known: dict[str, Any],
    walker: _SchemaWalker,
) -> Finding:
    pointer = pointer_from_path((*path, key))
    where = "at the top level" if not path else f"in {describe_location(data, path)}"
    alias = _KEY_ALIASES.get(re.sub(r"[^a-z0-9]", "", key.lower()))
    guess = alias if alias in known else did_you_mean(key, frozenset(known))
    defs = walker.defs
    notes: list[str] = []
    if node is defs["modelOverride"] and key in _OVERRIDE_NOTES:
        notes.append(_OVERRIDE_NOTES[key])
    elif key in _KEY_NOTES:
        notes.append(_KEY_NOTES[key])
    elif guess is not None:
        notes.append(f"did you mean `{guess}`?")
    elif node in (defs["modelDefinition"], defs["modelOverride"]) and key in _known_keys(walker, "provider"):
        notes.append(f"`{key}` is a provider setting; OMP ignores it on a model")
    elif node is defs["provider"] and key in _known_keys(walker, "modelDefinition"):
        notes.append(f"`{key}` is a model field; set it on each model under `models:` or in `modelOverrides`")
    if not path:
        message = f"unknown top-level key `{key}`: OMP reads only `providers` and ignores it"
    elif node is defs["thinking"]:
        message = f"unknown key `{key}` {where}: OMP drops it"
    else:
        message = f"unknown key `{key}` {where}: OMP keeps it but does not use it"
    return Finding(pointer, message, "unknown-key", Severity.WARNING, "; ".join(notes) or None)
