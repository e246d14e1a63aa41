"""Layer models.yml overlays over a base catalog exactly as OMP does, with provenance.

The semantics are OMP 18.2.3's; where another release differs, a merge switch of the
:class:`~catalogmgr.omp.profile.Profile` passed in says so: ``baseurl_scope`` (a provider
``baseUrl`` re-points all its bundled models before 18.2.1) and ``model_kind_filter`` (from
18.2.8, rows whose ``kind`` is not ``chat`` are not listed).

Two steps, both pure:

1. :func:`compose_overlays` folds several overlays into one (OMP itself reads a single
   ``models.yml``; several files are catalogmgr's extension, defined so that composing is an
   ordinary last-write-wins deep merge);
2. :func:`merge_catalog` applies the composed overlay once, with OMP's semantics, in OMP's order
   (``ModelRegistry`` in ``pi-coding-agent/src/config/model-registry.ts``):

   a. **provider overrides** on the base models (``#loadBuiltInModels`` /
      ``#applyProviderTransportOverride``): a provider entry that sets any of ``baseUrl``,
      ``headers``, ``apiKey``, ``authHeader``, ``compat``, ``disableStrictTools``,
      ``guardrailIdentifier``, ``requestMetadata``, ``remoteCompaction`` or ``transport`` changes
      every base model of that provider: ``baseUrl`` (within the *baseUrl scope*: the effective apis
      of the entry's custom models that do not set their own ``baseUrl``, or the provider ``api``
      when it defines no models; all models when that set is empty; every model under
      ``transport: pi-native``), ``headers`` merged key by key, ``compat`` deep-merged with
      ``disableStrictTools: true`` folded in, ``transport`` set, ``remoteCompaction`` merged (the
      model's own keys win);
   b. **custom models** in file order (``#parseModels`` + ``#mergeCustomModels``): a definition
      whose ``(provider, id)`` exists patches it in place (``id/provider/api/baseUrl`` from the
      definition, every field it sets replaces, ``cost`` per sub-field, ``headers`` and ``compat``
      replaced by provider+model values); a new one is appended with the fields it leaves out
      taken from a reference model (:mod:`catalogmgr.omp.reference`) or OMP's defaults;
   c. **modelOverrides** (``#applyModelOverrides``): each field replaces, ``cost`` per sub-field,
      ``headers`` merge, ``compat`` deep-merges; an id that names no model is a warning;
   d. Bedrock guardrail/request-metadata fields of an overridden provider on all its models
      (``#applyProviderBedrockOverrides``).

Model dicts keep the ``models.json`` shape: unknown keys survive, insertion order is kept, new keys
are appended. Alongside OMP's resolved ``compat``, a model whose compat an overlay changes gets
``compatConfig`` (the authored compat, as OMP's own ``Model`` objects carry it); see
"Divergences" in the README for what OMP's compat rule engine adds on top.

With OMP's runtime settings (``settings=``), every model OMP passes through ``buildModel`` (a
provider override's models, custom models, same-id definitions, modelOverrides, llama.cpp
fix-ups) gets the ``thinking``, ``reasoning`` and resolved ``compat`` of OMP's compat rule engine
(:mod:`catalogmgr.omp.rule_engine`), at the same points: after custom models (before the
``X`` / ``X-thinking`` collapse, which reads the members' thinking), after modelOverrides, and
after each llama.cpp fix-up. A ``thinking`` a definition or an override writes is kept as written.
Which ``buildModel`` runs is the profile's (:mod:`catalogmgr.omp.builders`): under the 17.x
profiles it is 17.x's code-built compat (:mod:`catalogmgr.omp.compat17`), which OMP 17.x also
runs on every bundled row when it loads the catalog, so there the base is built first
(:func:`built_bundled_catalog`: the untouched models are then those built rows, shared).

**Sharing.** ``merge_catalog`` never mutates its inputs and never deep-copies the base: the result
catalog is new down to the provider maps, and every model the overlay touches is a fresh dict, but
untouched model dicts are the base's own objects (``result.catalog[p][i] is base[p][i]``). Treat
both as read-only, or ``copy.deepcopy`` before mutating. (This keeps merging the 11 MB bundled
catalog within a small factor of loading it; it is also how :func:`catalog_changes` finds the
touched models.)
"""

from __future__ import annotations

import gc
import math
import re
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from catalogmgr.documents import Document
from catalogmgr.omp.builders import MODEL_BUILDERS, BuilderKind
from catalogmgr.omp.policies import (
    PolicyChange,
    PolicyTables,
    clamp_context_override,
    configured_extended_window,
    discovery_drops_provider_compat,
    hardcoded_policy_changes,
    llama_cpp_changes,
    load_discovery_refresh,
    load_policy_tables,
    policy_set,
    thinking_twins,
)
from catalogmgr.omp.profile import DEFAULT_PROFILE, Profile
from catalogmgr.omp.reference import (
    REFERENCE_FIELDS_14,
    ReferenceIndex,
    build_reference_index,
    inherit_reference_thinking,
    resolve_reference,
    resolve_reference_14,
)
from catalogmgr.omp.settings import RuntimeSettings
from catalogmgr.omp.thinking13 import ID_THINKING, IdThinking, enrich_model_thinking
from catalogmgr.problems import Position, Problem, Severity, pointer_from_path

if TYPE_CHECKING:  # a builder's module loads when a model is first built (see _Merger.rule_engine)
    from catalogmgr.omp.builders import ModelBuilder

Catalog = dict[str, dict[str, dict[str, Any]]]
_ABSENT = object()
# The fields 17.x's twin collapse merges from both members (variant-collapse.ts).
_COLLAPSED_LIMITS = ("input", "contextWindow", "maxTokens")
Path = tuple[str | int, ...]

# Field paths whose sub-keys get their own provenance entry ("cost.input", "compat.x", ...).
SUBKEYED_FIELDS = frozenset({"cost", "compat", "compatConfig", "headers"})
_SUBKEYED_ORDER = ("cost", "compat", "compatConfig", "headers")

# OMP's defaults for a new custom model with no reference (custom-models.ts, finalizeCustomModel).
DEFAULT_CONTEXT_WINDOW = 128_000
DEFAULT_MAX_TOKENS = 16_384
DEFAULT_INPUT = ("text",)
COST_KEYS = ("input", "output", "cacheRead", "cacheWrite")

# Fields a models: definition or a modelOverrides entry may patch (model-patch.ts, ModelPatch),
# in the order applyModelPatch assigns them. Any other key of a definition is ignored by OMP.
_PLAIN_PATCH_FIELDS = (
    "name",
    "reasoning",
    "thinking",
    "input",
    "tokenizer",
    "imageInputDecoder",
    "supportsTools",
    "contextWindow",
    "maxTokens",
    "omitMaxOutputTokens",
    "preferWebsockets",
    "contextPromotionTarget",
    "compactionModel",
)
_OVERRIDE_TRIGGERS_TRUTHY = (
    "baseUrl",
    "headers",
    "apiKey",
    "compat",
    "disableStrictTools",
    "guardrailIdentifier",
    "requestMetadata",
    "remoteCompaction",
    "transport",
)
_BEDROCK_FIELDS = ("guardrailIdentifier", "guardrailVersion", "guardrailTrace", "requestMetadata")
_EFFORT_ORDER = ("minimal", "low", "medium", "high", "xhigh", "max")


# ------------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Origin:
    """Who set one field of one model.

    ``layer`` is the base catalog's name for inherited/bundled values, else the overlay's display
    name; ``position`` is where in that overlay the value was written (``None`` for the base or
    when the overlay has no document); ``how`` is one of ``"bundled"``, ``"provider override"``,
    ``"custom model"``, ``"reference <provider>/<id>"``, ``"default"``, ``"modelOverrides"``.
    """

    layer: str
    position: Position | None
    how: str

    def located(self) -> str:
        """``layer:line:col`` (or just ``layer``)."""
        if self.position is None:
            return self.layer
        return f"{self.layer}:{self.position.line}:{self.position.column}"


@dataclass(frozen=True)
class Layer:
    """One overlay: its display name, its plain data, and (for positions) its parsed document."""

    name: str
    data: Mapping[str, Any]
    document: Document | None = None


@dataclass(frozen=True)
class MergeResult:
    """The effective catalog, who set each field, and the warnings found while merging.

    ``provenance[(provider, id)]`` maps every field path of that model (top-level keys, and
    ``cost.*``, ``compat.*``, ``compatConfig.*``, ``headers.*`` sub-keys) to its :class:`Origin`;
    it covers every model of the catalog (with ``merge_catalog(..., provenance=False)``, only the
    models an overlay or a policy touched). ``profile`` is the OMP release whose semantics made it.
    """

    catalog: Catalog
    provenance: dict[tuple[str, str], dict[str, Origin]]
    problems: list[Problem] = field(default_factory=list)
    profile: Profile = DEFAULT_PROFILE
    # The OMP settings the runtime policies ran under; None: the catalog as the files write it.
    settings: RuntimeSettings | None = None
    # The providers the catalog was limited to (merge_catalog's ``providers``); None: all of them.
    providers: frozenset[str] | None = None


# ------------------------------------------------------------------------------------------------
# Small OMP helpers


def _copy_value(value: Any) -> Any:
    """A deep copy of plain data with JavaScript's number model applied: ``1.0`` becomes ``1``.

    OMP's catalog is JSON written by JavaScript, which has one number type; an integral float read
    from YAML (``contextWindow: 1.0e6``) must come out as ``1000000``, as OMP would write it.
    """
    # A merge copies hundreds of thousands of values: the exact-type tests let a plain leaf through
    # without a call, and the isinstance tests below keep subclasses copied as before.
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _COPY_AS_IS else _copy_value(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _COPY_AS_IS else _copy_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_value(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


# The types `_copy_value` returns unchanged (immutable, and not floats, which it may make ints).
_COPY_AS_IS = frozenset({str, int, bool, type(None)})


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a mapping, else an empty one (overlay data is only checked by validation)."""
    return value if isinstance(value, Mapping) else {}


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: ``{}`` and ``[]`` are true; ``None``, ``False``, ``0``, ``""``, NaN false."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    return True


def merge_compat(base: Any, override: Any) -> Any:
    """OMP's ``mergeCompat``: nested maps merge recursively, every other value replaces.

    A falsy side yields the other (``mergeCompat(undefined, x) == x``). Never mutates; returns
    fresh containers for what it merges (values that are passed through are deep-copied).
    """
    if not js_truthy(base):
        return _copy_value(override) if js_truthy(override) else None
    if not js_truthy(override):
        return _copy_value(base)
    merged = _copy_value(dict(base))
    for key, value in override.items():
        current = base.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_compat(current, value)
        else:
            merged[key] = _copy_value(value)
    return merged


def _merge_remote_compaction(base: Any, override: Any) -> Any:
    """``mergeRemoteCompactionConfig``: shallow merge, the override's keys win."""
    if not js_truthy(base):
        return _copy_value(override)
    if not js_truthy(override):
        return _copy_value(base)
    return {**_copy_value(base), **_copy_value(override)}


def normalize_thinking(value: Any) -> Any:
    """OMP's ``ModelThinkingSchema`` pipe: legacy ``levels``/``minLevel``+``maxLevel`` -> ``efforts``.

    Returns ``{mode, efforts, defaultLevel?, effortMap?, supportsDisplay?, requiresEffort?}``;
    other keys are dropped, as OMP drops them. Values that are not a usable thinking map (an
    invalid overlay) are returned unchanged.
    """
    if not isinstance(value, Mapping):
        return value
    efforts = value.get("efforts")
    if efforts is None:
        efforts = value.get("levels")
    if efforts is None:
        low, high = value.get("minLevel"), value.get("maxLevel")
        if low not in _EFFORT_ORDER or high not in _EFFORT_ORDER:
            return _copy_value(dict(value))
        start, stop = _EFFORT_ORDER.index(low), _EFFORT_ORDER.index(high)
        efforts = list(_EFFORT_ORDER[start : max(start, stop) + 1])
    result: dict[str, Any] = {"mode": value.get("mode"), "efforts": _copy_value(efforts)}
    for key in ("defaultLevel", "effortMap", "supportsDisplay", "requiresEffort"):
        if key in value:
            result[key] = _copy_value(value[key])
    return result


# cleanModelName (pi-catalog/src/utils.ts): a gateway author prefix ("OpenAI: ") and noise tags.
_AUTHOR_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9 .+&'-]{0,23}: ")
_NOISE_TAGS = re.compile(r"\s*\((?:latest|Antigravity|\$+|>?\d+% off|retires [^)]*)\)")
_SPACE_RUNS = re.compile(r" {2,}")


def clean_model_name(name: Any) -> Any:
    """OMP's display-name normalisation, applied whenever OMP rebuilds a model from a config name."""
    if not isinstance(name, str):
        return name
    cleaned = _SPACE_RUNS.sub(" ", _NOISE_TAGS.sub("", _AUTHOR_PREFIX.sub("", name, count=1))).strip()
    return cleaned if cleaned else name


def build_bundled_model(model: Mapping[str, Any], builder: ModelBuilder) -> dict[str, Any]:
    """One ``models.json`` row as OMP 17.x's ``buildModel`` makes it when the catalog loads: the
    row with its display name cleaned, its resolved ``compat`` and, as ``compatConfig``, the
    compat the row stores (both left out when undefined, as OMP's JSON leaves them)."""
    decision = builder.decide(model)
    built = dict(model)
    built["name"] = clean_model_name(model.get("name"))
    if decision.thinking is None:
        built.pop("thinking", None)
    else:
        built["thinking"] = decision.thinking
    authored = model.get("compat")
    built.pop("compat", None)  # `compat` follows the spread, as OMP's object literal orders it
    if decision.compat is not None:
        built["compat"] = decision.compat
    if authored is not None:
        built["compatConfig"] = authored
    else:
        built.pop("compatConfig", None)
    return built


# The last few bundled catalogs built (each with the catalog it was built from, which keeps that
# catalog's id from being reused): a process merges many overlays over one base, and the runtime
# base of `changes`/`list` must share the built rows with the merge it is compared with.
_BUILT_BASES: list[tuple[Catalog, str, Catalog]] = []
_BUILT_BASES_KEPT = 4


def built_bundled_catalog(base: Catalog, builder: ModelBuilder) -> Catalog:
    """``base`` with every model through :func:`build_bundled_model` (OMP 17.x's catalog load),
    computed once per (catalog object, release) and shared: treat the result as read-only."""
    for source, version, built in _BUILT_BASES:
        if source is base and version == builder.version:
            return built
    built = {
        provider: {model_id: build_bundled_model(model, builder) for model_id, model in models.items()}
        for provider, models in base.items()
    }
    _BUILT_BASES.append((base, builder.version, built))
    del _BUILT_BASES[:-_BUILT_BASES_KEPT]
    return built


def _normalize_discovery_base_url(base_url: Any, discovery: Any) -> Any:
    """The provider ``baseUrl`` OMP records for litellm / bare openai-models-list discovery."""
    if not isinstance(discovery, Mapping):
        return base_url
    if discovery.get("type") == "litellm":
        return _openai_models_list_base_url(base_url if base_url is not None else "http://localhost:4000/v1")
    if discovery.get("type") == "openai-models-list" and discovery.get("injectV1") is False:
        raw = base_url if js_truthy(base_url) else "http://127.0.0.1:1234"
        parsed = _parse_url(raw)
        if parsed is None:
            return raw.rstrip("/")
        scheme, host, path = parsed
        return f"{scheme}://{host}{path.rstrip('/')}"
    return base_url


def _openai_models_list_base_url(base_url: Any) -> Any:
    raw = base_url if js_truthy(base_url) else "http://127.0.0.1:1234/v1"
    parsed = _parse_url(raw)
    if parsed is None:
        return raw
    scheme, host, path = parsed
    trimmed = path.rstrip("/")
    path = (trimmed or "/v1") if trimmed.endswith("/v1") else f"{trimmed}/v1"
    return f"{scheme}://{host}{path}"


def _parse_url(raw: Any) -> tuple[str, str, str] | None:
    """(scheme, host[:port], path) the way WHATWG ``URL`` reports them, or None when unparsable."""
    if not isinstance(raw, str):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    default_ports = {"http": 80, "https": 443}
    host = parts.hostname
    if port is not None and default_ports.get(parts.scheme.lower()) != port:
        host = f"{host}:{port}"
    return parts.scheme.lower(), host, parts.path or "/"


# ------------------------------------------------------------------------------------------------
# Composition


def _model_key_list(models: Sequence[Any]) -> list[tuple[str | None, int]]:
    """``(id, n)`` for each entry: the n-th definition of that id in the list (id None if missing)."""
    seen: dict[str | None, int] = {}
    keys: list[tuple[str | None, int]] = []
    for entry in models:
        model_id = entry.get("id") if isinstance(entry, Mapping) else None
        key_id = model_id if isinstance(model_id, str) else None
        occurrence = seen.get(key_id, 0)
        seen[key_id] = occurrence + 1
        keys.append((key_id, occurrence))
    return keys


def _deep_merge(earlier: Any, later: Any, path: Path) -> Any:
    """Merge ``later`` over ``earlier`` (both plain data) without touching either."""
    if isinstance(earlier, Mapping) and isinstance(later, Mapping):
        merged = dict(earlier.items())
        for key, value in later.items():
            if key in merged:
                merged[key] = _deep_merge(merged[key], value, (*path, key))
            else:
                merged[key] = _copy_value(value)
        return merged
    if (
        len(path) == 3
        and path[0] == "providers"
        and path[2] == "models"
        and isinstance(earlier, list)
        and isinstance(later, list)
    ):
        return _merge_model_lists(earlier, later, path)
    return _copy_value(later)


def _merge_model_lists(earlier: list[Any], later: list[Any], path: Path) -> list[Any]:
    merged = list(earlier)
    position = {key: index for index, key in enumerate(_model_key_list(earlier))}
    for key, entry in zip(_model_key_list(later), later, strict=True):
        index = position.get(key)
        if index is None:
            merged.append(_copy_value(entry))
        else:
            merged[index] = _deep_merge(merged[index], entry, (*path, index))
    return merged


def compose_overlays(layers: Sequence[Layer]) -> dict[str, Any]:
    """Fold overlays into one, last write wins.

    Definition (``compose(a, b)``, then left fold; ``compose([]) == {}``, ``compose([a]) == a``):

    * maps merge key by key, recursively: ``providers`` by provider name, ``modelOverrides`` by
      model id, ``headers``/``compat``/``cost``/... by key;
    * a provider's ``models`` list merges by model id: the n-th definition of an id in ``b``
      merges (as a map) into the n-th definition of that id in ``a``; definitions ``a`` does not
      have are appended in ``b``'s order;
    * everything else (scalars, other lists such as ``input``, ``null``, a map meeting a non-map)
      is replaced by ``b``'s value.

    Laws (proved by ``tests/property/test_merge_laws.py``), for any plain-data overlays:

    * identity: ``compose([e, a]) == compose([a, e]) == compose([a])`` for ``e`` in ``{}``,
      ``{"providers": {}}``-over-an-overlay-with-providers;
    * idempotence: ``compose([a, a]) == compose([a])``;
    * last write wins per leaf: every leaf of ``b`` (a value that is not a map, a models list
      being a list of maps keyed as above) appears unchanged in ``compose([a, b])``;
    * associativity: ``compose([compose([a, b]), c]) == compose([a, compose([b, c])])
      == compose([a, b, c])`` (key order included).

    The inputs are never mutated and the result shares no containers with them.
    """
    composed: Any = {}
    for index, layer in enumerate(layers):
        data = layer.data
        composed = _copy_value(dict(data)) if index == 0 else _deep_merge(composed, data, ())
    return dict(composed)


class _OriginResolver:
    """Maps a path in the composed overlay to the layer (and position) that wrote it."""

    def __init__(self, layers: Sequence[Layer], composed: Mapping[str, Any]) -> None:
        self._layers = layers
        self._composed_keys: dict[str, list[tuple[str | None, int]]] = {}
        self._layer_indexes: list[dict[str, dict[tuple[str | None, int], int]]] = []
        providers = composed.get("providers")
        if isinstance(providers, Mapping):
            for name, config in providers.items():
                models = config.get("models") if isinstance(config, Mapping) else None
                if isinstance(models, list):
                    self._composed_keys[name] = _model_key_list(models)
        for layer in layers:
            indexes: dict[str, dict[tuple[str | None, int], int]] = {}
            layer_providers = layer.data.get("providers") if isinstance(layer.data, Mapping) else None
            if isinstance(layer_providers, Mapping):
                for name, config in layer_providers.items():
                    models = config.get("models") if isinstance(config, Mapping) else None
                    if isinstance(models, list):
                        indexes[name] = {key: i for i, key in enumerate(_model_key_list(models))}
            self._layer_indexes.append(indexes)

    def locate(self, path: Path) -> tuple[Layer, Path] | None:
        """The last layer holding a value at ``path`` (composed coordinates), with its own path."""
        for index in range(len(self._layers) - 1, -1, -1):
            layer_path = self._translate(index, path)
            if layer_path is not None and _has_path(self._layers[index].data, layer_path):
                return self._layers[index], layer_path
        return None

    def _translate(self, layer_index: int, path: Path) -> Path | None:
        if len(path) >= 4 and path[0] == "providers" and path[2] == "models" and isinstance(path[3], int):
            provider = str(path[1])
            keys = self._composed_keys.get(provider)
            if keys is None or path[3] >= len(keys):
                return None
            local = self._layer_indexes[layer_index].get(provider, {}).get(keys[path[3]])
            if local is None:
                return None
            return (*path[:3], local, *path[4:])
        return path

    def origin(self, path: Path, how: str) -> Origin:
        located = self.locate(path)
        if located is None:  # pragma: no cover - every applied value comes from some layer
            return Origin(layer="overlay", position=None, how=how)
        layer, layer_path = located
        position = None
        if layer.document is not None:
            position = layer.document.key_position(pointer_from_path(layer_path))
        return Origin(layer=layer.name, position=position, how=how)


def _has_path(data: Any, path: Path) -> bool:
    node = data
    for part in path:
        if isinstance(node, Mapping):
            if not isinstance(part, str) or part not in node:
                return False
            node = node[part]
        elif isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                return False
            node = node[part]
        else:
            return False
    return True


# ------------------------------------------------------------------------------------------------
# Provenance bookkeeping


def _field_paths(model: Mapping[str, Any]) -> Iterator[str]:
    for key, value in model.items():
        if key in SUBKEYED_FIELDS and isinstance(value, Mapping) and value:
            for sub in value:
                yield f"{key}.{sub}"
        else:
            yield key


def _keys_if_map(value: Any) -> tuple[str, ...] | None:
    return tuple(value) if isinstance(value, Mapping) else None


def _base_provenance(model: Mapping[str, Any], origin: Origin) -> dict[str, Origin]:
    return dict.fromkeys(_field_paths(model), origin)


class _ModelProvenance:
    """Provenance of one model under construction."""

    def __init__(self, entries: dict[str, Origin]) -> None:
        self.entries = entries

    def set_field(self, model: Mapping[str, Any], key: str, origin: Origin) -> None:
        """``key`` was set as a whole: it and all its sub-keys now come from ``origin``."""
        self.drop(key)
        value = model.get(key)
        if key in SUBKEYED_FIELDS and isinstance(value, Mapping) and value:
            for sub in value:
                self.entries[f"{key}.{sub}"] = origin
        elif key in model:
            self.entries[key] = origin

    def set_subkeys(self, key: str, subkeys: Iterator[str] | Sequence[str], origin: Origin) -> None:
        self.entries.pop(key, None)
        for sub in subkeys:
            self.entries[f"{key}.{sub}"] = origin

    def drop(self, key: str) -> None:
        self.entries.pop(key, None)
        prefix = f"{key}."
        for path in [path for path in self.entries if path.startswith(prefix)]:
            del self.entries[path]


# ------------------------------------------------------------------------------------------------
# The merge


@dataclass(frozen=True)
class _ProviderOverride:
    """What ``#loadCustomModels`` records for a provider entry (``ProviderOverride``)."""

    name: str
    base_url: Any
    base_url_apis: tuple[Any, ...] | None
    headers: Any
    compat: Any
    remote_compaction: Any
    transport: Any
    bedrock: dict[str, Any]


class _Merger:
    def __init__(
        self,
        base: Catalog,
        composed: Mapping[str, Any],
        resolver: _OriginResolver,
        base_name: str,
        reference_index: Callable[[], ReferenceIndex],
        profile: Profile,
        settings: RuntimeSettings | None,
        scope: frozenset[str] | None = None,
        base_provenance: bool = True,
    ) -> None:
        # The models as OMP holds them before any overlay: 17.x builds every bundled row at load
        # (its `buildModel`: resolved compat, authored compatConfig), later releases store them built.
        self.policies = policy_set(profile.runtime_policies)
        builder_name = self.policies.model_builder if settings is not None else None
        self._builder: BuilderKind | None = MODEL_BUILDERS[builder_name] if builder_name is not None else None
        self._stored_base = base
        self.base = (
            built_bundled_catalog(base, self._builder.load(profile))
            if self._builder is not None and self._builder.builds_bundled
            else base
        )
        # Whether untouched models get their (all "bundled") provenance; see merge_catalog.
        self.base_provenance = base_provenance
        # The providers the result is limited to (None: all); see merge_catalog's ``providers``.
        self.scope = scope
        self.profile = profile
        self.settings = settings
        self.tables: PolicyTables | None = (
            load_policy_tables(self.policies.tables) if settings is not None else None
        )
        # Models OMP passes through `buildModel` (rebuilt: their thinking is the rule engine's), in
        # the order of the composition, and those whose definition/override authors `thinking`.
        # Each with how OMP rebuilt it: "new" (finalizeCustomModel), "patch" (applyModelPatch: a
        # same-id definition or modelOverrides), "provider" (a provider override, a llama.cpp fix-up).
        self.rebuilt: dict[tuple[str, str], str] = {}
        self.authored_thinking: set[tuple[str, str]] = set()
        self.authored_cost: set[tuple[str, str]] = set()  # a new model's own prices
        self.authored_input: set[tuple[str, str]] = set()  # a patch's own input
        # The input and limits a custom definition writes (17.x's refresh re-patches them over a
        # collapsed twin, see collapse_thinking_twins).
        self.definition_limits: dict[tuple[str, str], frozenset[str]] = {}
        # Dated fallback prices take effect by the clock, as OMP's `Date.now()` reads it.
        self.now_ms = time.time() * 1000
        self.overridden: dict[tuple[str, str], None] = {}  # rebuilt again by modelOverrides
        self.resolver = resolver
        self.base_origin = Origin(layer=base_name, position=None, how="bundled")
        self.base_name = base_name
        self.reference_index = reference_index
        self.catalog: Catalog = {provider: dict(models) for provider, models in self.base.items()}
        self.touched: dict[tuple[str, str], _ModelProvenance] = {}
        # Each overridden model as it was before its modelOverrides entry (the Codex clamp's floor).
        self._override_baselines: dict[tuple[str, str], dict[str, Any]] = {}
        self.problems: list[Problem] = []
        providers = composed.get("providers")
        self.providers: dict[str, Mapping[str, Any]] = {
            name: config if isinstance(config, Mapping) else {}
            for name, config in (providers.items() if isinstance(providers, Mapping) else ())
        }

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def id_thinking(self) -> IdThinking | None:
        """OMP 13.x/14.x's id-derived thinking rules for this profile, or None."""
        variant = self.profile.id_thinking
        return ID_THINKING[variant] if variant is not None else None

    @property
    def rule_engine(self) -> ModelBuilder | None:
        """OMP's ``buildModel`` for this merge (:mod:`catalogmgr.omp.builders`: the 18.x compat rule
        engine or 17.x's compat code; loaded once per process, when a model is first built), or None."""
        return self._builder.load(self.profile) if self._builder is not None else None

    def _built_keys(self, model: Mapping[str, Any]) -> tuple[str, ...] | None:
        """The ``compat`` keys of a bundled row that OMP's load-time ``buildModel`` resolved (not
        the row's own authored value): None when the base is stored built."""
        if self.base is self._stored_base:
            return None
        authored = as_map(model.get("compatConfig"))
        return tuple(
            key
            for key, value in as_map(model.get("compat")).items()
            if not (key in authored and _same(authored[key], value))
        )

    def _base_entries(self, model: Mapping[str, Any]) -> dict[str, Origin]:
        """Provenance of a model as the base holds it: all "bundled", but for the compat keys a
        load-time ``buildModel`` resolved (17.x), which are that release's runtime's."""
        entries = _base_provenance(model, self.base_origin)
        built = self._built_keys(model)
        if built:
            assert self.rule_engine is not None
            version = self.rule_engine.version
            how = f"policy: OMP {version}'s buildModel resolves compat in code at load"
            origin = Origin(layer=f"OMP {version} runtime", position=None, how=how)
            for key in built:
                entries[f"compat.{key}"] = origin
        return entries

    def _scoped(self, catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
        """The providers of ``catalog`` the whole-catalog passes visit: all, or the scope's."""
        return [
            (provider, models)
            for provider, models in catalog.items()
            if self.scope is None or provider in self.scope
        ]

    def origin(self, path: Path, how: str) -> Origin:
        return self.resolver.origin(path, how)

    def _touch(self, provider: str, model_id: str, model: dict[str, Any]) -> _ModelProvenance:
        key = (provider, model_id)
        record = self.touched.get(key)
        if record is None:
            record = _ModelProvenance(self._base_entries(model))
            self.touched[key] = record
        return record

    def _editable(self, provider: str, model_id: str) -> dict[str, Any]:
        """The result's copy of a model, copied from the base on first write."""
        model = self.catalog[provider][model_id]
        if self.base.get(provider, {}).get(model_id) is model:
            model = _copy_value(model)
            self.catalog[provider][model_id] = model
        return model

    # -- a. provider overrides ---------------------------------------------------------------------

    def provider_override(self, name: str, config: Mapping[str, Any]) -> _ProviderOverride | None:
        if not (
            any(js_truthy(config.get(key)) for key in _OVERRIDE_TRIGGERS_TRUTHY)
            or config.get("authHeader") is not None
        ):
            return None
        apis: list[Any] = []
        models = config.get("models")
        model_list = models if isinstance(models, list) else []
        for definition in model_list:
            if not isinstance(definition, Mapping) or js_truthy(definition.get("baseUrl")):
                continue
            api = definition.get("api") if definition.get("api") is not None else config.get("api")
            if js_truthy(api) and api not in apis:
                apis.append(api)
        if js_truthy(config.get("api")) and not model_list and config.get("api") not in apis:
            apis.append(config.get("api"))
        if self.profile.baseurl_scope == "all":
            apis = []  # before 18.2.3 the provider URL re-points every model of the provider
        compat = merge_compat(config.get("compat"), self.strict_tools_compat(config))
        return _ProviderOverride(
            name=name,
            base_url=_normalize_discovery_base_url(config.get("baseUrl"), config.get("discovery")),
            base_url_apis=tuple(apis) if apis else None,
            headers=config.get("headers"),
            compat=compat,
            remote_compaction=config.get("remoteCompaction"),
            transport=config.get("transport"),
            bedrock={key: config[key] for key in _BEDROCK_FIELDS if config.get(key) is not None},
        )

    def strict_tools_compat(self, config: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The compat a provider's ``disableStrictTools: true`` folds in (none before OMP 14)."""
        if self.profile.disable_strict_tools and js_truthy(config.get("disableStrictTools")):
            return {"disableStrictTools": True}
        return None

    def written_thinking(self, value: Any) -> Any:
        """A definition's / override's ``thinking`` as OMP keeps it: normalized to ``efforts``
        (17+), or as written (13.x/14.x, whose ``{mode, minLevel, maxLevel}`` OMP stores as is)."""
        return normalize_thinking(value) if self.profile.id_thinking is None else _copy_value(value)

    def model_name(self, name: Any) -> Any:
        """A written display name as OMP keeps it: cleaned (17+, ``cleanModelName``) or as is."""
        return clean_model_name(name) if self.profile.clean_names else name

    def patch_fields(self) -> tuple[str, ...]:
        """The plain fields a definition or modelOverrides entry sets under this profile."""
        allowed = self.profile.model_fields
        if allowed is None:
            return _PLAIN_PATCH_FIELDS
        return tuple(key for key in _PLAIN_PATCH_FIELDS if key in allowed)

    def apply_provider_override(self, override: _ProviderOverride, config: Mapping[str, Any]) -> None:
        models = self.catalog.get(override.name)
        if not models:
            return
        provider_path: Path = ("providers", override.name)
        how = "provider override"
        headers = override.headers if isinstance(override.headers, Mapping) else None
        compat = override.compat if isinstance(override.compat, Mapping) and override.compat else None
        if compat is not None and self.discovery_drops_compat(override.name, config):
            compat = None
        remote = override.remote_compaction if js_truthy(override.remote_compaction) else None
        compat_origin = self._provider_compat_origins(override.name, config)
        for model_id in list(models):
            current = models[model_id]
            sets_url = _base_url_applies(current.get("api"), override)
            if not (sets_url or headers is not None or compat or override.transport is not None or remote):
                continue  # e.g. only apiKey/authHeader: request-time auth, nothing in the catalog row
            model = self._editable(override.name, model_id)
            record = self._touch(override.name, model_id, model)
            self.rebuilt[(override.name, model_id)] = "provider"
            if sets_url:
                model["baseUrl"] = override.base_url
                record.set_field(model, "baseUrl", self.origin((*provider_path, "baseUrl"), how))
            if headers is not None:
                model["headers"] = {**(model.get("headers") or {}), **_copy_value(dict(headers))}
                record.entries.pop("headers", None)
                for header in headers:
                    record.entries[f"headers.{header}"] = self.origin(
                        (*provider_path, "headers", header), how
                    )
            if override.transport is not None:
                model["transport"] = _copy_value(override.transport)
                record.set_field(model, "transport", self.origin((*provider_path, "transport"), how))
            if remote is not None:
                # mergeProviderRemoteCompactionConfig: the model's own keys win over the provider's.
                model["remoteCompaction"] = _merge_remote_compaction(remote, model.get("remoteCompaction"))
                record.set_field(
                    model, "remoteCompaction", self.origin((*provider_path, "remoteCompaction"), how)
                )
            if compat:
                self._merge_compat_into(model, record, compat, compat_origin)

    def discovery_drops_compat(self, provider: str, config: Mapping[str, Any]) -> bool:
        """OMP 13.x/14.x at run time: the provider's compat is lost when ``refresh()`` re-reads
        its bundled models (:func:`~catalogmgr.omp.policies.discovery_drops_provider_compat`)."""
        if self.settings is None or not self.policies.discovery_refresh:
            return False
        table = load_discovery_refresh(str(self.profile.source))
        return discovery_drops_provider_compat(provider, config, table)

    def _provider_compat_origins(self, name: str, config: Mapping[str, Any]) -> Callable[[str], Origin]:
        """Origin of each provider-level compat key (``disableStrictTools`` folds in from its flag)."""
        provider_path: Path = ("providers", name)
        compat = config.get("compat")
        own = compat if isinstance(compat, Mapping) else {}

        def origin_of(key: str) -> Origin:
            if key in own:
                return self.origin((*provider_path, "compat", key), "provider override")
            return self.origin((*provider_path, "disableStrictTools"), "provider override")

        return origin_of

    def _merge_compat_into(
        self,
        model: dict[str, Any],
        record: _ModelProvenance,
        compat: Mapping[str, Any],
        origin_of: Callable[[str], Origin],
    ) -> None:
        """Deep-merge authored compat into the model's resolved ``compat`` and its ``compatConfig``."""
        model["compat"] = merge_compat(model.get("compat"), compat)
        model["compatConfig"] = merge_compat(model.get("compatConfig"), compat)
        for key in compat:
            origin = origin_of(key)
            record.entries.pop("compat", None)
            record.entries.pop("compatConfig", None)
            record.entries[f"compat.{key}"] = origin
            record.entries[f"compatConfig.{key}"] = origin

    # -- runtime policies (catalogmgr.omp.policies) -------------------------------------------------

    def _policy_origin(self, change: PolicyChange) -> Origin:
        # The release whose ModelRegistry the profile follows (its tables may be another's).
        return Origin(layer=f"OMP {self.profile.source} runtime", position=None, how=change.how)

    def _apply_policy_changes(self, provider: str, model_id: str, changes: Sequence[PolicyChange]) -> None:
        if not changes:
            return
        model = self._editable(provider, model_id)
        record = self._touch(provider, model_id, model)
        for change in changes:
            model[change.field] = _copy_value(change.value)
            record.set_field(model, change.field, self._policy_origin(change))

    def apply_load_rebuilds(self) -> None:
        """The bundled rows the release re-materializes at load (:mod:`catalogmgr.omp.load_rebuilds`),
        before the overlays: each such row takes the compat keys OMP's load gives it."""
        from catalogmgr.omp.load_rebuilds import load_rebuilds

        assert self.settings is not None
        extended = self.settings.extended_context
        rebuilds = load_rebuilds(self.profile.rules, extended_context=extended)
        keyed = load_rebuilds(self.profile.rules, extended_context=extended, keyed=True)
        if not rebuilds and not keyed:
            return
        origin = self._policy_origin(
            PolicyChange(
                "compat",
                None,
                f"policy: OMP {self.profile.rules} re-materializes this bundled model at load "
                "(offline built-in discovery, buildModel)",
            )
        )
        for provider, models in self._scoped(self.catalog):
            # A provider the files give an apiKey runs its discovery at load, which rebuilds its rows.
            has_key = js_truthy(self.providers.get(provider, {}).get("apiKey"))
            for model_id, keys in (keyed if has_key else rebuilds).get(provider, {}).items():
                model = models.get(model_id)
                compat = model.get("compat") if model is not None else None
                if not isinstance(compat, Mapping):
                    continue
                changed = {key: value for key, value in keys.items() if compat.get(key, _ABSENT) != value}
                if not changed:
                    continue
                model = self._editable(provider, model_id)
                record = self._touch(provider, model_id, model)
                model["compat"] = {**model["compat"], **_copy_value(changed)}
                for key in changed:
                    record.entries[f"compat.{key}"] = origin

    def apply_hardcoded_policies(self) -> None:
        """``#applyHardcodedModelPolicies`` on the bundled models (after provider overrides)."""
        assert self.settings is not None
        assert self.tables is not None
        for provider, models in self._scoped(self.catalog):
            overrides = as_map(self.providers.get(provider, {}).get("modelOverrides"))
            for model_id in list(models):
                override = overrides.get(model_id)
                changes = hardcoded_policy_changes(
                    models[model_id],
                    self.settings,
                    self.tables,
                    override if isinstance(override, Mapping) else None,
                    self.policies,
                )
                self._apply_policy_changes(provider, model_id, changes)

    def collapse_thinking_twins(self) -> None:
        """``collapseBuiltVariants`` after custom models: ``X-thinking`` folds into ``X``. Under
        17.x (``compat_built_in_code``) its own pairing and pair thinking, and the collapsed model
        is built again (``collapseBuiltModelVariants``)."""
        assert self.tables is not None
        built_17 = self.rule_engine is not None and self.policies.compat_built_in_code
        strip: Callable[[str], str | None] | None = None
        if built_17:
            from catalogmgr.omp.thinking17 import strip_thinking_variant_token_17

            strip = strip_thinking_variant_token_17
        derive = self._pair_thinking_17 if built_17 else None
        for provider, models in self._scoped(self.catalog):
            for twin in thinking_twins(models, provider, self.tables, strip=strip, derive=derive):
                if twin.thinking_id not in models or twin.base_id not in models:
                    continue  # already folded into another pair
                member = models.pop(twin.thinking_id)
                self.touched.pop((provider, twin.thinking_id), None)
                how = (
                    f"policy: collapsed with its reasoning twin {twin.thinking_id!r} "
                    "(OMP routes thinking efforts to it)"
                )
                changes = [PolicyChange("reasoning", True, how)]
                if twin.thinking is not None:
                    changes.append(PolicyChange("thinking", twin.thinking, how))
                if built_17:
                    changes += self._collapsed_limits_17(provider, twin.base_id, member, how)
                self._apply_policy_changes(provider, twin.base_id, changes)
                if built_17:
                    self.apply_rule_engine([((provider, twin.base_id), "provider")])

    def _collapsed_limits_17(
        self, provider: str, base_id: str, member: Mapping[str, Any], how: str
    ) -> list[PolicyChange]:
        """17.x ``collapseEffortVariants``: the collapsed model takes the members' input kinds and
        the larger window and output limit; its refresh then re-patches the base's definition
        ("replace"), whose own input and limits stand."""
        base = self.catalog[provider][base_id]
        written = self.definition_limits.get((provider, base_id), frozenset())
        members = (base, member)
        inputs: list[list[Any]] = [
            value if isinstance(value, list) else [] for value in (entry.get("input") for entry in members)
        ]
        collapsed: dict[str, Any] = {
            "input": [kind for kind in ("text", "image") if any(kind in i for i in inputs)]
        }
        for key in ("contextWindow", "maxTokens"):
            # maxOrNull: the members' numbers (JSON gives no NaN; a bool is no number here).
            known = [
                value
                for value in (entry.get(key) for entry in members)
                if isinstance(value, int | float) and not isinstance(value, bool)
            ]
            if known:
                collapsed[key] = max(known)
        return [
            PolicyChange(key, value, how)
            for key, value in collapsed.items()
            if key not in written and value != base.get(key, _ABSENT)
        ]

    def _pair_thinking_17(self, member: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """17.x ``derivePairThinkingSurface`` when no member has thinking: ``resolveModelThinking``
        of the thinking member with reasoning forced on, over the compat built from the member as it
        is (``buildCompat(thinkingSpec)``: its resolved compat as the authored one)."""
        from catalogmgr.omp.compat17 import build_compat_17
        from catalogmgr.omp.thinking17 import derive_thinking_17

        assert self.rule_engine is not None
        release = self.rule_engine.version
        spec = {key: value for key, value in member.items() if key != "thinking"}
        return derive_thinking_17({**spec, "reasoning": True}, build_compat_17(member, release), release)

    def apply_llama_cpp_fixups(self) -> None:
        """``#applyLlamaCppModelFixups``: last, on providers with ``discovery: {type: llama.cpp}``."""
        for provider, config in self.providers.items():
            discovery = config.get("discovery")
            if not isinstance(discovery, Mapping) or discovery.get("type") != "llama.cpp":
                continue
            for model_id in list(self.catalog.get(provider, {})):
                changes = llama_cpp_changes(
                    self.catalog[provider][model_id], every_model_v1=self.policies.llama_cpp_v1_every_model
                )
                self._apply_policy_changes(provider, model_id, changes)
                if not changes or self.rule_engine is None:
                    continue
                # OMP rebuilds the fixed-up model: a Qwen one from its authored compat
                # (applyLlamaCppQwenThinking); any other from the built model itself for the /v1
                # URL, whose resolved compat so becomes the authored one (`{...model}` spread).
                model = self.catalog[provider][model_id]
                qwen = any(change.field == "compatConfig" for change in changes)
                if not qwen and self.rule_engine.resolves_compat and "compat" in model:
                    how = next(change.how for change in changes if change.field == "baseUrl")
                    self._apply_policy_changes(
                        provider, model_id, [PolicyChange("compatConfig", model["compat"], how)]
                    )
                self.apply_rule_engine([((provider, model_id), "provider")])

    def apply_rule_engine(self, keys: Sequence[tuple[tuple[str, str], str]]) -> None:
        """``buildModel`` on rebuilt models (each with how it was rebuilt: see ``self.rebuilt``):
        ``thinking``, ``reasoning``, the resolved ``compat`` and the rules' catalog corrections
        from OMP's compat rule engine (:mod:`catalogmgr.omp.rule_engine`). A ``thinking`` a
        definition or an override authors is kept as written unless the engine gives the model none,
        and a patch keeps its window, output limit and prices (``applyModelPatch``)."""
        from catalogmgr.omp.rule_engine import RuleEngineError

        assert self.rule_engine is not None
        assert self._builder is not None
        # Named by its package: the 18.2.9/18.3 profiles run a pi-catalog published without its
        # release (18.2.11), so "OMP <version>" would name a release that never ran these rules.
        how = f"policy: pi-catalog {self.rule_engine.version}'s {self._builder.label} (buildModel)"
        for (provider, model_id), kind in keys:
            model = self.catalog.get(provider, {}).get(model_id)
            if model is None:
                continue  # folded into its twin
            try:
                decision = self.rule_engine.decide({**model, "compat": model.get("compatConfig")})
            except RuleEngineError:
                continue  # OMP throws on a tie between rules: nothing better to show than the files
            thinking = decision.thinking
            if thinking is not None and (provider, model_id) in self.authored_thinking:
                thinking = model.get("thinking")
            changes = []
            if thinking is None and "thinking" in model:
                model = self._editable(provider, model_id)
                del model["thinking"]
                self._touch(provider, model_id, model).drop("thinking")
            elif thinking is not None and thinking != model.get("thinking"):
                changes.append(PolicyChange("thinking", thinking, how))
            if decision.reasoning != model.get("reasoning"):
                changes.append(PolicyChange("reasoning", decision.reasoning, how))
            self._apply_policy_changes(provider, model_id, changes)
            if self.rule_engine.resolves_compat:
                self._set_resolved_compat(provider, model_id, decision.compat, how)
                self._apply_catalog_corrections(provider, model_id, kind, decision.catalog)

    def apply_id_thinking(self, keys: Sequence[tuple[str, str]]) -> None:
        """OMP 13.x/14.x: ``enrichModelThinking`` on the models it built (new custom models,
        same-id definitions, modelOverrides; :mod:`catalogmgr.omp.thinking13`)."""
        variant = self.id_thinking
        assert variant is not None
        for provider, model_id in keys:
            model = self.catalog.get(provider, {}).get(model_id)
            if model is None:
                continue
            thinking = enrich_model_thinking(model, variant)
            if thinking is model.get("thinking"):
                continue
            if thinking is None:
                editable = self._editable(provider, model_id)
                editable.pop("thinking", None)
                self._touch(provider, model_id, editable).drop("thinking")
                continue
            how = "policy: thinking derived from the model id (OMP 13.x/14.x enrichModelThinking)"
            self._apply_policy_changes(provider, model_id, [PolicyChange("thinking", thinking, how)])

    def _apply_catalog_corrections(
        self, provider: str, model_id: str, kind: str, catalog: Mapping[str, Any]
    ) -> None:
        """``applyCatalogAssignments`` / ``applyCatalogCorrections`` of a rebuild, then what the
        rebuild path restores: a new model its own prices, a patch its window, limit and prices."""
        if not catalog:
            return
        from catalogmgr.omp.rule_engine import RuleEngine, RuleEngineError, apply_catalog_axes

        assert self.rule_engine is not None
        model = self.catalog[provider][model_id]
        built = _copy_value(dict(model))
        try:
            if isinstance(self.rule_engine, RuleEngine):
                # The release's own build.ts: the rule-owned flags it knows (CompatCode).
                self.rule_engine.apply_catalog_axes(built, catalog, self.now_ms)
            else:
                apply_catalog_axes(built, catalog, self.now_ms)
        except RuleEngineError:
            return  # a malformed time-based schedule: OMP throws; nothing better than the files
        kept: tuple[str, ...] = ()
        if kind == "new" and (provider, model_id) in self.authored_cost:
            kept = ("cost",)
        elif kind == "patch":
            kept = ("contextWindow", "maxTokens", "cost")
            if (provider, model_id) in self.authored_input:
                kept = (*kept, "input")
        how = f"policy: OMP {self.rule_engine.version}'s reviewed catalog correction for this model id"
        changes = [
            PolicyChange(key, built[key], how)
            for key in built
            if key not in kept and built[key] != model.get(key, _ABSENT)
        ]
        removed = [key for key in model if key not in built]
        if removed:
            editable = self._editable(provider, model_id)
            record = self._touch(provider, model_id, editable)
            for key in removed:
                del editable[key]
                record.drop(key)
        self._apply_policy_changes(provider, model_id, changes)

    def _set_resolved_compat(
        self, provider: str, model_id: str, compat: Mapping[str, Any] | None, how: str
    ) -> None:
        """The model's ``compat`` becomes OMP's resolved record; a key the overlays authored (in
        ``compatConfig``, with the same value) keeps its origin, the others are the engine's."""
        model = self.catalog[provider][model_id]
        if compat == model.get("compat") or (compat is None and "compat" not in model):
            return
        model = self._editable(provider, model_id)
        record = self._touch(provider, model_id, model)
        before = {path: origin for path, origin in record.entries.items() if path.startswith("compat.")}
        # record.drop("compat") without a second scan of the entries: `before` is what it drops.
        record.entries.pop("compat", None)
        for path in before:
            del record.entries[path]
        if compat is None:
            del model["compat"]
            return
        model["compat"] = _copy_value(dict(compat))
        authored = model.get("compatConfig")
        authored = authored if isinstance(authored, Mapping) else {}
        origin = self._policy_origin(PolicyChange("compat", compat, how))
        for key, value in compat.items():
            kept = before.get(f"compat.{key}")
            same_as_authored = key in authored and authored[key] == value
            record.entries[f"compat.{key}"] = kept if kept is not None and same_as_authored else origin

    # -- b. custom models ---------------------------------------------------------------------------

    def apply_custom_models(self) -> None:
        for name, config in self.providers.items():
            models = config.get("models")
            if not isinstance(models, list) or not models:
                continue
            for index, definition in enumerate(models):
                if not isinstance(definition, Mapping) or not isinstance(definition.get("id"), str):
                    continue
                path: Path = ("providers", name, "models", index)
                api_defined = definition.get("api") is not None
                api = definition.get("api") if api_defined else config.get("api")
                if not js_truthy(api):
                    self._warn(
                        path,
                        f"model {definition['id']!r} of provider {name!r} has no api (set it on the model "
                        "or the provider); OMP skips it",
                        "custom-model-without-api",
                    )
                    continue
                overlay = _CustomOverlay.build(self, name, config, definition, path, api, api_defined)
                self.definition_limits[(name, overlay.model_id)] = frozenset(
                    key for key in _COLLAPSED_LIMITS if overlay.values.get(key) is not None
                )
                existing = self.catalog.get(name, {}).get(definition["id"])
                if existing is None:
                    self._append_new_model(overlay)
                else:
                    self._patch_existing_model(overlay)

    def _patch_existing_model(self, overlay: _CustomOverlay) -> None:
        """``#mergeCustomModels`` for an existing (provider, id): ``applyModelPatch(..., "replace")``."""
        model = self._editable(overlay.provider, overlay.model_id)
        record = self._touch(overlay.provider, overlay.model_id, model)
        self.rebuilt[(overlay.provider, overlay.model_id)] = "patch"
        if overlay.values.get("input") is not None:
            self.authored_input.add((overlay.provider, overlay.model_id))
        if overlay.values.get("thinking") is not None:
            self.authored_thinking.add((overlay.provider, overlay.model_id))
        old_api = model.get("api")
        for key in ("id", "provider", "api", "baseUrl"):
            value = overlay.values.get(key)
            if value is None:
                model.pop(key, None)
                record.drop(key)
            else:
                model[key] = value
                record.set_field(model, key, overlay.origins[key])
        _apply_patch_fields(
            model,
            record,
            overlay.values,
            overlay.origins,
            overlay.sub_origin,
            keep_long_context=self.profile.patch_keeps_long_context,
        )
        # Replace policy: the definition owns headers and compat wholesale (provider values folded in).
        headers = overlay.values.get("headers")
        record.drop("headers")
        if headers is None:
            model.pop("headers", None)
        else:
            model["headers"] = _copy_value(headers)
            for sub in headers:
                record.entries[f"headers.{sub}"] = overlay.sub_origin("headers", sub)
        authored = overlay.values.get("compat")
        # 18.x resolves the definition's compat over the bundled model's (same api); 13.x/14.x
        # give the model the definition's (with its provider's) alone.
        keeps_bundled = self.profile.same_id_compat == "merge" and model.get("api") == old_api
        resolved = merge_compat(model.get("compat") if keeps_bundled else None, authored)
        record.drop("compat")
        record.drop("compatConfig")
        for key, value in (("compat", resolved), ("compatConfig", authored)):
            if value is None:
                model.pop(key, None)
            else:
                model[key] = _copy_value(value)
        if isinstance(resolved, Mapping):
            authored_keys = set(authored) if isinstance(authored, Mapping) else set()
            for sub in resolved:
                record.entries[f"compat.{sub}"] = (
                    overlay.sub_origin("compat", sub) if sub in authored_keys else self.base_origin
                )
        if isinstance(authored, Mapping):
            for sub in authored:
                record.entries[f"compatConfig.{sub}"] = overlay.sub_origin("compat", sub)
        _suppress_thinking_without_reasoning(model, record)

    def _append_new_model(self, overlay: _CustomOverlay) -> None:
        """``finalizeCustomModel`` with ``useDefaults``: reference inheritance, then OMP's defaults."""
        values = overlay.values
        origins = dict(overlay.origins)
        model_id = overlay.model_id
        if (
            self.profile.standalone_gpt54_window
            and model_id == "gpt-5.4"
            and overlay.provider != "github-copilot"
            and values.get("contextWindow") is None
        ):
            # applyStandaloneCustomModelPolicies: a standalone gpt-5.4 gets its 1M window.
            values = {**values, "contextWindow": 1_000_000}
            origins["contextWindow"] = overlay.default_origin
        reference = self._reference_of(model_id)
        reference_origin = (
            Origin(
                layer=self.base_name,
                position=None,
                how=f"reference {reference.get('provider')}/{reference.get('id')}",
            )
            if reference is not None
            else None
        )
        model: dict[str, Any] = {}
        record = _ModelProvenance({})

        def put(key: str, value: Any, origin: Origin) -> None:
            if value is None:
                return
            model[key] = _copy_value(value)
            record.set_field(model, key, origin)

        def pick(key: str, default: Any) -> tuple[Any, Origin]:
            """The definition's value, else the reference's, else ``default`` (``??`` chain)."""
            if values.get(key) is not None:
                return values[key], origins[key]
            if reference is not None and reference.get(key) is not None and reference_origin is not None:
                return reference[key], reference_origin
            return default, overlay.default_origin

        put("id", model_id, origins["id"])
        name = values.get("name")
        put(
            "name",
            self.model_name(name if name is not None else model_id),
            origins.get("name", overlay.default_origin),
        )
        put("api", values["api"], origins["api"])
        put("provider", overlay.provider, origins["provider"])
        put("baseUrl", values.get("baseUrl"), origins.get("baseUrl", overlay.default_origin))
        put("reasoning", *pick("reasoning", False))
        if self.profile.reference_lookup == "exact-id":
            own = values.get("thinking")
            thinking = own if own is not None else (reference or {}).get("thinking")
        else:
            thinking = inherit_reference_thinking(values.get("thinking"), reference, overlay.provider)
        if thinking is not None:
            origin = origins["thinking"] if values.get("thinking") is not None else reference_origin
            put("thinking", thinking, origin or overlay.default_origin)
        if values.get("thinking") is not None and self.policies.custom_models_repatched:
            # 17.x patches the new model again: a thinking it writes stands as written.
            self.authored_thinking.add((overlay.provider, model_id))
        put("input", *pick("input", list(DEFAULT_INPUT)))
        put(
            "imageInputDecoder",
            values.get("imageInputDecoder"),
            origins.get("imageInputDecoder", overlay.default_origin),
        )
        supports_tools, supports_origin = pick("supportsTools", None)
        put("supportsTools", supports_tools, supports_origin)
        cost_value, cost_origin = pick("cost", dict.fromkeys(COST_KEYS, 0))
        if values.get("cost") is not None and isinstance(cost_value, Mapping):
            # Explicit custom prices outrank catalog schedules (finalizeCustomModel deletes timeBased).
            cost_value = {key: value for key, value in cost_value.items() if key != "timeBased"}
        put("cost", cost_value, cost_origin)
        if values.get("cost") is not None and isinstance(cost_value, Mapping):
            for sub in cost_value:
                record.entries[f"cost.{sub}"] = overlay.sub_origin("cost", sub)
        put("contextWindow", *pick("contextWindow", DEFAULT_CONTEXT_WINDOW))
        put("maxTokens", *pick("maxTokens", DEFAULT_MAX_TOKENS))
        headers = values.get("headers")
        put("headers", headers, origins.get("headers", overlay.default_origin))
        if isinstance(headers, Mapping):
            for sub in headers:
                record.entries[f"headers.{sub}"] = overlay.sub_origin("headers", sub)
        put("omitMaxOutputTokens", *pick("omitMaxOutputTokens", None))
        put(
            "preferWebsockets",
            values.get("preferWebsockets"),
            origins.get("preferWebsockets", overlay.default_origin),
        )
        # 18.x copies the reference's authored compat, 14.x its resolved one; 17.x keeps none
        # (PolicySet.custom_models_repatched).
        compat_key = "compat" if self.profile.reference_lookup == "exact-id" else "compatConfig"
        reference_compat = (
            reference.get(compat_key)
            if reference is not None and not self.policies.custom_models_repatched
            else None
        )
        compat = merge_compat(reference_compat, values.get("compat"))
        if compat is not None:
            model["compat"] = compat
            model["compatConfig"] = _copy_value(compat)
            authored = values.get("compat")
            authored_keys = set(authored) if isinstance(authored, Mapping) else set()
            for sub in compat:
                origin = (
                    overlay.sub_origin("compat", sub)
                    if sub in authored_keys
                    else (reference_origin or overlay.default_origin)
                )
                record.entries[f"compat.{sub}"] = origin
                record.entries[f"compatConfig.{sub}"] = origin
        for key in (
            "tokenizer",
            "contextPromotionTarget",
            "compactionModel",
            "remoteCompaction",
            "premiumMultiplier",
        ):
            put(key, values.get(key), origins.get(key, overlay.default_origin))
        if overlay.is_oauth:
            put("isOAuth", True, overlay.auth_origin)
        _suppress_thinking_without_reasoning(model, record)
        self.catalog.setdefault(overlay.provider, {})[model_id] = model
        self.touched[(overlay.provider, model_id)] = record
        self.rebuilt[(overlay.provider, model_id)] = "new"
        if values.get("cost") is not None:
            self.authored_cost.add((overlay.provider, model_id))

    def _reference_of(self, model_id: str) -> Mapping[str, Any] | None:
        """The bundled model a new custom model takes its missing fields from (none before 14)."""
        if not self.profile.reference_models:
            return None
        if self.profile.reference_lookup == "normalized":
            return resolve_reference(model_id, self.reference_index())
        found = resolve_reference_14(model_id, self.reference_index())
        if found is None:
            return None
        kept = ("id", "provider", *REFERENCE_FIELDS_14)
        return {key: found[key] for key in kept if key in found}

    # -- c. modelOverrides ------------------------------------------------------------------------

    def apply_model_overrides(self) -> None:
        self._override_baselines.clear()
        self._apply_model_overrides()
        if self.settings is not None and self.profile.max_context_window:
            self.apply_configured_extended_windows()

    def apply_configured_extended_windows(self) -> None:
        """OMP 18.3+ (``#applyModelOverrides``): ``maxContextWindow`` from a ``modelOverrides``
        entry, else (when the entry sets no ``contextWindow``) from the model's definition."""
        assert self.settings is not None
        assert self.tables is not None
        for name, config in self.providers.items():
            overrides = as_map(config.get("modelOverrides"))
            definitions = config.get("models")
            defined = {
                definition["id"]: definition.get("maxContextWindow")
                for definition in (definitions if isinstance(definitions, list) else [])
                if isinstance(definition, Mapping)
                and isinstance(definition.get("id"), str)
                and definition.get("maxContextWindow") is not None
            }
            for model_id in dict.fromkeys([*overrides, *defined]):
                model = self.catalog.get(name, {}).get(model_id)
                if model is None:
                    continue
                override = as_map(overrides.get(model_id))
                maximum = override.get("maxContextWindow")
                if maximum is None and override.get("contextWindow") is None:
                    maximum = defined.get(model_id)
                baseline = self._override_baselines.get((name, model_id), model)
                change = configured_extended_window(model, baseline, maximum, self.settings, self.tables)
                if change is not None:
                    self._apply_policy_changes(name, model_id, [change])

    def _apply_model_overrides(self) -> None:
        for name, config in self.providers.items():
            overrides = config.get("modelOverrides")
            if not isinstance(overrides, Mapping):
                continue
            for model_id, override in overrides.items():
                path: Path = ("providers", name, "modelOverrides", model_id)
                if model_id not in self.catalog.get(name, {}):
                    self._warn(
                        path,
                        f"modelOverrides entry {model_id!r} matches no model of provider {name!r}; "
                        "OMP ignores it silently",
                        "unknown-override",
                        hint=self._did_you_mean(name, model_id),
                    )
                    continue
                if not isinstance(override, Mapping):
                    continue
                self._apply_model_override(name, model_id, override, path)

    def _apply_model_override(
        self, provider: str, model_id: str, override: Mapping[str, Any], path: Path
    ) -> None:
        """``applyModelPatch(model, override, "merge")``."""
        model = self._editable(provider, model_id)
        record = self._touch(provider, model_id, model)
        self.rebuilt[(provider, model_id)] = "patch"
        self.overridden[(provider, model_id)] = None
        if override.get("input") is not None:
            self.authored_input.add((provider, model_id))
        if override.get("thinking") is not None:
            self.authored_thinking.add((provider, model_id))
        how = "modelOverrides"
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        extra = ("remoteCompaction",) if self.profile.model_fields is None else ()
        for key in (*self.patch_fields(), "cost", *extra, "premiumMultiplier"):
            if key in override:
                values[key] = self.written_thinking(override[key]) if key == "thinking" else override[key]
                origins[key] = self.origin((*path, key), how)
        if "name" in values:
            values["name"] = self.model_name(values["name"])

        def sub_origin(key: str, sub: str) -> Origin:
            return self.origin((*path, key, sub), how)

        before = dict(model) if self.tables is not None and self.policies.context_policies else None
        if before is not None:
            self._override_baselines[(provider, model_id)] = before
        if values.get("contextWindow") is None:
            before = None
        _apply_patch_fields(
            model,
            record,
            values,
            origins,
            sub_origin,
            keep_long_context=self.profile.patch_keeps_long_context,
        )
        if before is not None and self.tables is not None:
            requested = model.get("contextWindow")
            clamped = clamp_context_override(before, model, self.tables)
            if clamped != requested:
                self._apply_policy_changes(
                    provider,
                    model_id,
                    [
                        PolicyChange(
                            "contextWindow",
                            clamped,
                            f"policy: the override {requested:,} clamped to the Codex maximum {clamped:,}",
                        )
                    ],
                )
        headers = override.get("headers")
        if js_truthy(headers) and isinstance(headers, Mapping):
            model["headers"] = {**(model.get("headers") or {}), **_copy_value(dict(headers))}
            for sub in headers:
                record.entries.pop("headers", None)
                record.entries[f"headers.{sub}"] = sub_origin("headers", sub)
        compat = override.get("compat")
        if js_truthy(compat) and isinstance(compat, Mapping):
            self._merge_compat_into(model, record, compat, lambda key: sub_origin("compat", key))
        _suppress_thinking_without_reasoning(model, record)

    # -- d. Bedrock fields ----------------------------------------------------------------------------

    def apply_bedrock_fields(self, overrides: Sequence[_ProviderOverride]) -> None:
        for override in overrides:
            if not override.bedrock:
                continue
            for model_id in list(self.catalog.get(override.name, {})):
                model = self._editable(override.name, model_id)
                record = self._touch(override.name, model_id, model)
                for key, value in override.bedrock.items():
                    model[key] = _copy_value(value)
                    record.set_field(
                        model, key, self.origin(("providers", override.name, key), "provider override")
                    )

    # -- problems ---------------------------------------------------------------------------------

    def _warn(self, path: Path, message: str, rule: str, hint: str | None = None) -> None:
        located = self.resolver.locate(path)
        file, position, pointer = "overlay", None, pointer_from_path(path)
        if located is not None:
            layer, layer_path = located
            file, pointer = layer.name, pointer_from_path(layer_path)
            if layer.document is not None:
                position = layer.document.key_position(pointer)
        self.problems.append(
            Problem(
                file=file,
                position=position,
                pointer=pointer,
                message=message,
                rule=rule,
                severity=Severity.WARNING,
                hint=hint,
            )
        )

    def _did_you_mean(self, provider: str, model_id: str) -> str | None:
        import difflib

        known = list(self.catalog.get(provider, {}))
        lowered = {candidate.lower(): candidate for candidate in known}
        if model_id.lower() in lowered:
            return f"did you mean {lowered[model_id.lower()]!r}? (ids are case-sensitive)"
        close = difflib.get_close_matches(model_id, known, n=1, cutoff=0.75)
        if close:
            return f"did you mean {close[0]!r}?"
        if provider not in self.catalog:
            return f"provider {provider!r} has no models in this catalog"
        return None

    def drop_compat_config(self) -> None:
        """Before OMP 17 a ``Model`` has no ``compatConfig`` (only the compat it runs with): the
        authored copy the steps above keep beside ``compat`` is not part of those releases' rows."""
        for (provider, model_id), record in self.touched.items():
            model = self.catalog.get(provider, {}).get(model_id)
            if model is not None and "compatConfig" in model:
                del self._editable(provider, model_id)["compatConfig"]
            record.drop("compatConfig")

    def hide_non_chat_models(self) -> None:
        """OMP 18.2.8+: ``getAll()`` lists chat models only (``modelKind(model) === "chat"``, where
        ``modelKind`` is ``model.kind ?? "chat"``); embedding, image, tts, ... rows are for roles."""
        for provider, models in list(self.catalog.items()):
            # The provider dicts are this merge's own copies; the models stay untouched.
            for model_id in [key for key, model in models.items() if model.get("kind", "chat") != "chat"]:
                self._warn_hidden_definition(provider, model_id, str(models[model_id].get("kind")))
                del models[model_id]
            if not models:
                del self.catalog[provider]

    def _warn_hidden_definition(self, provider: str, model_id: str, kind: str) -> None:
        """A model the overlay defines that OMP will not list: say so where it is written (e.g. a
        provider named ``local`` meets OMP's own tiny-model rules, which make ``qwen*`` "tiny")."""
        definitions = self.providers.get(provider, {}).get("models")
        if not isinstance(definitions, list):
            return
        for index, definition in enumerate(definitions):
            if isinstance(definition, Mapping) and definition.get("id") == model_id:
                self._warn(
                    ("providers", provider, "models", index),
                    f"OMP gives {provider}/{model_id} the kind {kind!r} (the {self.profile.id} profile's "
                    "compat rules), and getAll() lists chat models only: OMP will not offer it as a "
                    "chat model",
                    "model-hidden-by-kind",
                    hint=f"a provider named like one of OMP's own ({provider!r}) takes its rules; "
                    "rename it if that is not meant",
                )
                return

    # -- the whole -------------------------------------------------------------------------------------

    def run(self) -> MergeResult:
        if self.settings is not None and self.policies.rule_engine:
            self.apply_load_rebuilds()
        overrides = []
        for name, config in self.providers.items():
            override = self.provider_override(name, config)
            if override is not None:
                overrides.append(override)
                self.apply_provider_override(override, config)
        if self.settings is not None:
            self.apply_hardcoded_policies()
        self.apply_custom_models()
        if self.rebuilt and self.rule_engine is not None:
            # Built before the twin collapse, which reads the members' thinking.
            self.apply_rule_engine(list(self.rebuilt.items()))
        if self.settings is not None and self.id_thinking is not None:
            self.apply_id_thinking([key for key, how in self.rebuilt.items() if how != "provider"])
        if self.settings is not None and self.policies.twin_collapse:
            self.collapse_thinking_twins()
        self.apply_model_overrides()
        self.apply_bedrock_fields(overrides)
        if self.overridden and self.rule_engine is not None:
            self.apply_rule_engine([(key, "patch") for key in self.overridden])
        if self.settings is not None and self.id_thinking is not None:
            self.apply_id_thinking(list(self.overridden))
        if self.settings is not None and self.policies.llama_cpp:
            self.apply_llama_cpp_fixups()
        if not self.profile.compat_config:
            self.drop_compat_config()
        if self.scope is not None:
            # Every overlay step ran (its warnings are the whole catalog's); the passes over every
            # model skipped the other providers, which therefore leave the result here.
            self.catalog = dict(self._scoped(self.catalog))
        # Last, as getAll() filters the finished catalog.
        if self.profile.model_kind_filter:
            self.hide_non_chat_models()
        provenance: dict[tuple[str, str], dict[str, Origin]] = {}
        # Untouched models of the same shape share one (read-only) provenance map: all of its
        # entries are the base origin, and sharing keeps provenance cheap on 5,000-model catalogs.
        by_shape: dict[tuple[Any, ...], dict[str, Origin]] = {}
        for provider, models in self.catalog.items():
            for model_id, model in models.items():
                record = self.touched.get((provider, model_id))
                if record is not None:
                    provenance[(provider, model_id)] = record.entries
                    continue
                if not self.base_provenance:
                    continue
                shape = (
                    tuple(model),
                    *(_keys_if_map(model.get(key)) for key in _SUBKEYED_ORDER),
                    self._built_keys(model),
                )
                entries = by_shape.get(shape)
                if entries is None:
                    entries = by_shape[shape] = self._base_entries(model)
                provenance[(provider, model_id)] = entries
        return MergeResult(
            catalog=self.catalog,
            provenance=provenance,
            problems=self.problems,
            profile=self.profile,
            settings=self.settings,
            providers=self.scope,
        )


def _base_url_applies(api: Any, override: _ProviderOverride) -> bool:
    """``resolveProviderBaseUrl``: the provider URL applies within its api scope, always if pi-native."""
    if override.base_url is None:
        return False
    if override.transport == "pi-native":
        return True
    return override.base_url_apis is None or api in override.base_url_apis


def _apply_patch_fields(
    model: dict[str, Any],
    record: _ModelProvenance,
    values: Mapping[str, Any],
    origins: Mapping[str, Origin],
    sub_origin: Callable[[str, str], Origin] | None = None,
    *,
    keep_long_context: bool = True,
) -> None:
    """The field-by-field part of ``applyModelPatch`` shared by both transport policies
    (``keep_long_context`` false: the patched cost drops ``longContext``, as before 17.3)."""
    for key in _PLAIN_PATCH_FIELDS:
        if key in values and values[key] is not None:
            model[key] = _copy_value(values[key])
            record.set_field(model, key, origins[key])
    if values.get("remoteCompaction") is not None:
        model["remoteCompaction"] = _merge_remote_compaction(
            model.get("remoteCompaction"), values["remoteCompaction"]
        )
        record.set_field(model, "remoteCompaction", origins["remoteCompaction"])
    if values.get("premiumMultiplier") is not None:
        model["premiumMultiplier"] = values["premiumMultiplier"]
        record.set_field(model, "premiumMultiplier", origins["premiumMultiplier"])
    patch_cost = values.get("cost")
    if isinstance(patch_cost, Mapping):
        base_cost = as_map(model.get("cost"))
        cost: dict[str, Any] = {}
        for key in COST_KEYS:
            value = patch_cost.get(key) if patch_cost.get(key) is not None else base_cost.get(key)
            if value is not None:
                cost[key] = _copy_value(value)
        long_context = patch_cost.get("longContext") or base_cost.get("longContext")
        if keep_long_context and js_truthy(long_context):
            cost["longContext"] = _copy_value(long_context)
        old_entries = {path: origin for path, origin in record.entries.items() if path.startswith("cost.")}
        model["cost"] = cost
        record.drop("cost")
        for sub in cost:
            if sub in patch_cost and patch_cost[sub] is not None:
                record.entries[f"cost.{sub}"] = (
                    sub_origin("cost", sub) if sub_origin is not None else origins["cost"]
                )
            else:
                record.entries[f"cost.{sub}"] = old_entries.get(f"cost.{sub}", origins["cost"])


def _suppress_thinking_without_reasoning(model: dict[str, Any], record: _ModelProvenance) -> None:
    """OMP's model builder never gives a non-reasoning model thinking levels."""
    if model.get("reasoning") is False and "thinking" in model:
        del model["thinking"]
        record.drop("thinking")


@dataclass
class _CustomOverlay:
    """``buildCustomModelOverlay``: one definition with its provider's values folded in."""

    provider: str
    model_id: str
    values: dict[str, Any]
    origins: dict[str, Origin]
    sub_origins: dict[tuple[str, str], Origin]
    default_origin: Origin
    auth_origin: Origin
    is_oauth: bool

    def sub_origin(self, key: str, sub: str) -> Origin:
        return self.sub_origins.get((key, sub), self.origins.get(key, self.default_origin))

    @classmethod
    def build(
        cls,
        merger: _Merger,
        provider: str,
        config: Mapping[str, Any],
        definition: Mapping[str, Any],
        path: Path,
        api: Any,
        api_on_model: bool,
    ) -> _CustomOverlay:
        how = "custom model"
        provider_path: Path = ("providers", provider)

        def at(*parts: str | int) -> Origin:
            return merger.origin((*path, *parts), how)

        def at_provider(*parts: str | int) -> Origin:
            return merger.origin((*provider_path, *parts), how)

        values: dict[str, Any] = {"id": definition["id"], "provider": provider, "api": api}
        origins: dict[str, Origin] = {
            "id": at("id"),
            "provider": at(),
            "api": at("api") if api_on_model else at_provider("api"),
        }
        sub_origins: dict[tuple[str, str], Origin] = {}
        if definition.get("baseUrl") is not None:
            values["baseUrl"], origins["baseUrl"] = definition["baseUrl"], at("baseUrl")
        else:
            values["baseUrl"], origins["baseUrl"] = config.get("baseUrl"), at_provider("baseUrl")
        for key in (*merger.patch_fields(), "cost", "premiumMultiplier"):
            if definition.get(key) is not None:
                value = definition[key]
                if key == "thinking":
                    value = merger.written_thinking(value)
                elif key == "name":
                    value = merger.model_name(value)
                values[key], origins[key] = _copy_value(value), at(key)
        cost = definition.get("cost")
        if isinstance(cost, Mapping):
            for sub in cost:
                sub_origins[("cost", sub)] = at("cost", sub)
        # Headers: provider then model (createConfigHeaderResolver, later sources win).
        provider_headers = config.get("headers")
        model_headers = definition.get("headers")
        if isinstance(provider_headers, Mapping) or isinstance(model_headers, Mapping):
            headers: dict[str, Any] = {}
            for source, located in ((provider_headers, at_provider), (model_headers, at)):
                for sub, value in as_map(source).items():
                    headers[sub] = value
                    sub_origins[("headers", sub)] = located("headers", sub)
            values["headers"] = _copy_value(headers)
            origins["headers"] = (
                at("headers") if isinstance(model_headers, Mapping) else at_provider("headers")
            )
        # Compat: provider compat (with disableStrictTools folded in) deep-merged with the model's.
        provider_compat = merge_compat(config.get("compat"), merger.strict_tools_compat(config))
        compat = merge_compat(provider_compat, definition.get("compat"))
        if compat is not None:
            values["compat"] = compat
            origins["compat"] = (
                at("compat") if definition.get("compat") is not None else at_provider("compat")
            )
            model_compat = as_map(definition.get("compat"))
            own_provider_compat = as_map(config.get("compat"))
            for sub in compat:
                if sub in model_compat:
                    sub_origins[("compat", sub)] = at("compat", sub)
                elif sub in own_provider_compat:
                    sub_origins[("compat", sub)] = at_provider("compat", sub)
                else:
                    sub_origins[("compat", sub)] = at_provider("disableStrictTools")
        remote = _merge_remote_compaction(config.get("remoteCompaction"), definition.get("remoteCompaction"))
        if remote is not None and merger.profile.model_fields is None:
            values["remoteCompaction"] = remote
            origins["remoteCompaction"] = (
                at("remoteCompaction")
                if definition.get("remoteCompaction") is not None
                else at_provider("remoteCompaction")
            )
        auth = config.get("auth")
        is_oauth = auth == "oauth" or (auth is None and api == "anthropic-messages")
        return cls(
            provider=provider,
            model_id=definition["id"],
            values=values,
            origins=origins,
            sub_origins=sub_origins,
            default_origin=Origin(
                layer=origins["id"].layer, position=origins["provider"].position, how="default"
            ),
            auth_origin=at_provider("auth") if auth is not None else origins["api"],
            is_oauth=is_oauth,
        )


# ------------------------------------------------------------------------------------------------
# Public entry points


def merge_catalog(
    base: Catalog,
    layers: Sequence[Layer],
    *,
    base_name: str = "base",
    profile: Profile = DEFAULT_PROFILE,
    settings: RuntimeSettings | None = None,
    providers: Collection[str] | None = None,
    provenance: bool = True,
) -> MergeResult:
    """Compose ``layers`` (:func:`compose_overlays`) and apply the result to ``base`` as OMP does.

    ``profile`` is the OMP release whose merge semantics apply (its merge switches and its runtime
    policy set). ``settings`` are the user's OMP settings: given, the result is the catalog OMP
    runs, with OMP's runtime policies (:mod:`catalogmgr.omp.policies`) applied at the points of
    the composition where OMP applies them; ``None`` gives the catalog as the files write it.

    Laws (``tests/property/test_merge_laws.py``):

    * identity: ``merge_catalog(b, []).catalog == merge_catalog(b, [Layer("e", {})]).catalog == b``;
    * listing an overlay twice equals listing it once, and any grouping of the same layers gives
      the same catalog (both follow from the composition laws, since only the composed overlay is
      applied);
    * re-applying is idempotent, ``merge(merge(b, [a]).catalog, [a]) == merge(b, [a])`` (as data:
      a second pass writes a new model's ``cost`` keys in OMP's patch order), for overlays without
      ``transport`` over bases without ``compatConfig``, where no definition sets ``thinking``
      without ``reasoning: true``: OMP gives custom models no ``transport``, lets a same-id
      definition *replace* authored compat, and drops thinking from a model that is not (yet)
      reasoning, so a second pass adds the one, drops a reference's authored compat, and keeps a
      thinking the first pass dropped;
    * inputs are never mutated (see "Sharing" in the module docstring).

    ``providers`` limits the result to those providers (``show``/``list`` of one provider): every
    overlay step still runs, so the warnings are the whole catalog's, but the passes over every
    model (runtime policies, twin collapse, provenance) visit only these providers, whose models
    are exactly what the whole merge gives them (``tests/property/test_merge_laws.py``).

    ``provenance=False`` leaves out the provenance of the models nothing touched (all of theirs is
    "bundled"; a third of the merge's time on OMP's catalog): for callers that read origins only
    of what the overlays changed (``catalog_changes``, STATUS) or none at all (``merge``'s output).
    """
    composed = compose_overlays(layers)
    resolver = _OriginResolver(layers, composed)
    cached: list[ReferenceIndex] = []

    def reference_index() -> ReferenceIndex:
        # Built on demand: only new custom models need it, and OMP indexes the pre-overlay models.
        if not cached:
            cached.append(build_reference_index(merger.base, profile.reference_isolated_providers))
        return cached[0]

    scope = frozenset(providers) if providers is not None else None
    merger = _Merger(
        base, composed, resolver, base_name, reference_index, profile, settings, scope, provenance
    )
    with _collector_paused():
        return merger.run()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the duration (and back as it was after).

    A merge allocates acyclic plain data next to the base catalog's millions of objects, which each
    full collection would walk again: 10-15% of a merge that rebuilds thousands of models."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class FieldChange:
    """One field of one model that the overlays changed (``before``/``after`` None when absent)."""

    provider: str
    model_id: str
    field: str
    kind: str  # "added-model", "added", "removed", "changed"
    before: Any
    after: Any
    origin: Origin | None


_MISSING = object()


def catalog_changes(base: Catalog, result: MergeResult) -> list[FieldChange]:
    """What the overlays changed relative to ``base``, field by field, in catalog order.

    A new model is one ``added-model`` entry. For a changed model, ``cost``/``compat``/
    ``compatConfig``/``headers`` are compared per sub-key, every other field as a whole.
    """
    changes: list[FieldChange] = []
    for provider, models in result.catalog.items():
        base_models = base.get(provider, {})
        for model_id, model in models.items():
            before_model = base_models.get(model_id)
            if before_model is model:
                continue  # untouched: the very same object (see "Sharing")
            origins = result.provenance.get((provider, model_id), {})
            if before_model is None:
                changes.append(
                    FieldChange(provider, model_id, "", "added-model", None, model, origins.get("id"))
                )
                continue
            changes.extend(
                _without_mirrored_compat(_model_changes(provider, model_id, before_model, model, origins))
            )
    return changes


def _without_mirrored_compat(changes: Iterator[FieldChange]) -> list[FieldChange]:
    """Drop a ``compatConfig.X`` change that repeats the ``compat.X`` change next to it.

    OMP's models carry the authored compat twice (resolved ``compat`` and authored
    ``compatConfig``); one overlay line changes both (the resolved value from what the rule engine
    derived, the authored one from absent), and listing it twice reads as two changes. A
    ``compatConfig`` change whose value did not land in ``compat`` (a key the api's compat record
    does not have: OMP keeps it only as authored) is kept.
    """
    found = list(changes)
    resolved = {
        (change.field.partition(".")[2], repr(change.after))
        for change in found
        if change.field.startswith("compat.")
    }
    return [
        change
        for change in found
        if not (
            change.field.startswith("compatConfig.")
            and (change.field.partition(".")[2], repr(change.after)) in resolved
        )
    ]


def _model_changes(
    provider: str,
    model_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    origins: Mapping[str, Origin],
) -> Iterator[FieldChange]:
    for key in dict.fromkeys([*after, *before]):
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if (
            key in SUBKEYED_FIELDS
            and isinstance(old if old is not _MISSING else {}, Mapping)
            and isinstance(new if new is not _MISSING else {}, Mapping)
        ):
            old_map: Mapping[str, Any] = old if isinstance(old, Mapping) else {}
            new_map: Mapping[str, Any] = new if isinstance(new, Mapping) else {}
            for sub in dict.fromkeys([*new_map, *old_map]):
                yield from _one_change(
                    provider,
                    model_id,
                    f"{key}.{sub}",
                    old_map.get(sub, _MISSING),
                    new_map.get(sub, _MISSING),
                    origins,
                )
        else:
            yield from _one_change(provider, model_id, key, old, new, origins)


def _one_change(
    provider: str, model_id: str, path: str, old: Any, new: Any, origins: Mapping[str, Origin]
) -> Iterator[FieldChange]:
    if old is not _MISSING and new is not _MISSING and _same(old, new):
        return
    kind = "added" if old is _MISSING else "removed" if new is _MISSING else "changed"
    yield FieldChange(
        provider,
        model_id,
        path,
        kind,
        None if old is _MISSING else old,
        None if new is _MISSING else new,
        origins.get(path),
    )


def _same(left: Any, right: Any) -> bool:
    """Equality that tells ``1`` from ``True`` (JSON does) but not ``1`` from ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
