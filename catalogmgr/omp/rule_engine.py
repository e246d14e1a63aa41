"""OMP's compat rule engine: a rebuilt model's ``thinking``, ``reasoning`` and resolved ``compat``.

When OMP builds a model that is not a bundled row as-is (a custom model from ``models.yml``, a
bundled model a provider override or a same-id definition rebuilds), pi-catalog's ``buildModel``
(``src/build.ts``) asks ``resolveModelPolicy`` (``src/compat/resolve.ts``) for its policy and sets
``reasoning: spec.reasoning || policy.thinking !== undefined``, ``thinking: policy.thinking`` and
``compat: policy.compat``. This module ports that resolver from OMP 18.2.3's code:

1. identity (``compat/taxonomy.ts`` ``classifyModel``): reviewed overrides, the effort/thinking
   suffix collapse, then class / family / revision ranks over the logical id;
2. the cascade (``compat/cascade.ts`` ``resolveCascade``): per axis, the matching rule with the
   greatest (model-selector exactness, constrained dimensions, priority) wins; an exact
   ``thinking-efforts`` rule turns reasoning on for the thinking axes;
3. the resolved compat: the detected per-api baseline (host x identity detection, ``hosts.ts``,
   ``anthropic.ts``), the cascade's wire axes for the api's compat records, the spec's own
   ``compat`` (``applyCompatOverrides``), the fix-ups (``reasoningDisableMode``,
   ``omitReasoningEffort``, the ``whenThinking`` variant, xAI's canonical effort map);
4. ``resolveThinkingPolicy`` / ``fillExplicitThinking``: explicit thinking is kept and only its
   missing fields filled; otherwise the rule's mode/efforts or the identity/api defaults.

5. the cascade's ``catalog`` axes on the built model (``applyCatalogAssignments`` /
   ``applyCatalogCorrections``: reviewed prices, limits, input modalities, time-based prices and
   selection metadata): :func:`apply_catalog_axes`.

The code follows 18.2.3's; each other release whose code was read (18.1.16-18.2.0, and pi-catalog
18.2.11 for the 18.2.9 and 18.3 profiles) names where its code differs as switches
(:data:`COMPAT_CODE`); with an unread release's rules only ``thinking`` and ``reasoning`` are
claimed (and no catalog correction is applied). The
data (taxonomy, the cascade's rules, ``KNOWN_HOSTS``, which compat records each axis and api use)
is generated from the installed OMP by ``scripts/generate_rule_engine_tables.py`` into
``catalogmgr/omp/data/rule-engine-<version>.json.gz``; the logic is code, read in OMP's source.

Strings are compared as OMP compares them (JavaScript ``trim``/``toLowerCase``, substring host
markers matched ASCII-case-insensitively). Where OMP throws (two rules or two identity classes tie
on equal rank: a rule-authoring defect OMP surfaces at build time), :class:`RuleEngineError` is
raised and the caller keeps what it had.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

from catalogmgr.omp.jsstring import js_lower, js_trim
from catalogmgr.omp.policies import strip_pair_token
from catalogmgr.omp.whatwg_url import hostname as whatwg_hostname

EFFORTS: tuple[str, ...] = ("minimal", "low", "medium", "high", "xhigh", "max")
_DEFAULT_EFFORTS: tuple[str, ...] = ("minimal", "low", "medium", "high")
_DEFAULT_EFFORTS_WITH_XHIGH: tuple[str, ...] = (*_DEFAULT_EFFORTS, "xhigh")
_THINKING_MODES = frozenset(
    {"effort", "budget", "google-level", "anthropic-adaptive", "anthropic-budget-effort"}
)
_RESPONSES_APIS = frozenset({"openai-responses", "openai-codex-responses", "azure-openai-responses"})
_COMPLETIONS_APIS = frozenset({"openai-completions", "openrouter"})
_GOOGLE_APIS = frozenset({"google-generative-ai", "google-gemini-cli", "google-vertex"})
# resolve.ts: provider ids of local OpenAI-compatible servers, and of proxies that are not local.
_LOCAL_OPENAI_COMPAT_PROVIDERS = frozenset({"llama.cpp", "lm-studio", "vllm", "ollama"})
_PROXY_OPENAI_COMPAT_PROVIDERS = frozenset({"litellm"})
_FIREWORKS_THINKING_EFFORT_MAP: Mapping[str, str] = {"minimal": "none"}
# JavaScript's String.prototype.trim: WhiteSpace and LineTerminator code points.
_MATCHER_RANK = {"exact": 4, "bounded": 3, "namespace": 2, "prefix": 1, "glob": 0}
_GLM_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS = 600_000
_LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS = 300_000
_BEDROCK_REASONING_STREAM_IDLE_TIMEOUT_MS = 600_000
# DSML_HEALING_PROVIDERS: deepseek-classed models there (and behind transparent gateways) emit DSML.
_DSML_HEALING_PROVIDERS = frozenset(
    {
        "ollama",
        "ollama-cloud",
        "nvidia",
        "deepseek",
        "fireworks",
        "nanogpt",
        "opencode-go",
        "openrouter",
    }
)
# 18.2.3 adds the transparent gateways, which forward the upstream model's chat template.
_DSML_HEALING_GATEWAYS = frozenset({"litellm", "nous"})
# pickResponsesOnly: what the `openrouter` api takes from the Responses record.
_RESPONSES_ONLY_KEYS = (
    "supportsLongPromptCacheRetention",
    "strictResponsesPairing",
    "supportsImageDetailOriginal",
    "supportsObfuscationOptOut",
    "supportsAllTurnsReasoningContext",
    "supportsConfigurationUpdate",
    "officialEndpoint",
    "harmonyLeakMitigation",
    "cacheControlFormat",
    "requiresReasoningOffJuiceInstruction",
    "supportsReasoningSummary",
    "isVercelGatewayHost",
)
_GOOGLE_FLAGS = (
    "supportsFunctionPartId",
    "requiresSkipThoughtSignature",
    "requiresSkipThoughtSignatureOnFirstFunctionCall",
    "dropUnsignedThinking",
    "ccaLegacyParametersSchema",
    "multimodalFunctionResponse",
    "flashStreamLeakWorkaround",
    "claudeThinkingBetaHeader",
    "antigravityClaudeToolMode",
    "stripImageInput",
)
_OFFICIAL_ANTHROPIC_URL = "https://api.anthropic.com"
_AZURE_ANTHROPIC_URL = re.compile(
    r"(?:^|//|\.)[a-z0-9-]+\.(?:inference|services)\.ai\.azure\.com", re.I | re.A
)
_ANTHROPIC_SIGNING_PROXY_URLS = (
    re.compile(r"gateway\.ai\.cloudflare\.com/.+/anthropic(?:/|$)", re.I | re.A),
    re.compile(r"aiplatform\.googleapis\.com/.+/publishers/anthropic/", re.I | re.A),
    re.compile(r"(?:^|//|\.)bedrock-runtime\.[a-z0-9-]+\.amazonaws\.com", re.I | re.A),
)


class _Undefined:
    """JavaScript's ``undefined`` as a compat value: the key exists (``key in compat``) but
    ``JSON.stringify`` leaves it out."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False

    def __deepcopy__(self, memo: dict[int, Any]) -> _Undefined:
        return self


UNDEFINED: Any = _Undefined()


# The leaf types `defined` returns as they are without a call per leaf (most of a compat record).
_DEFINED_LEAVES = frozenset({str, int, bool, float, type(None)})


def defined(value: Any) -> Any:
    """``value`` as JSON would carry it: ``undefined`` members dropped, all the way down."""
    if isinstance(value, Mapping):
        return {
            key: item if type(item) in _DEFINED_LEAVES else defined(item)
            for key, item in value.items()
            if item is not UNDEFINED
        }
    if isinstance(value, list):
        return [
            None if item is UNDEFINED else item if type(item) in _DEFINED_LEAVES else defined(item)
            for item in value
        ]
    return value


def _copy_record(value: Any) -> Any:
    """A copy of a compat record under construction: fresh maps and lists, the same leaves
    (``UNDEFINED`` included), so the copy can be filled in without touching the original."""
    if isinstance(value, dict):
        return {
            key: item if type(item) in _DEFINED_LEAVES else _copy_record(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [item if type(item) in _DEFINED_LEAVES else _copy_record(item) for item in value]
    return value


def _get(container: Any, key: str) -> Any:
    """``container?.[key]``: UNDEFINED when the container is absent or lacks the key."""
    if container is None or container is UNDEFINED:
        return UNDEFINED
    if isinstance(container, Mapping):
        return container.get(key, UNDEFINED)
    if isinstance(container, list | str):
        return UNDEFINED
    raise RuleEngineError(f"cannot read {key!r} of {container!r}")


def _apply_overrides(compat: dict[str, Any], overrides: Mapping[str, Any] | None) -> None:
    """``applyCompatOverrides``: defined values of the keys the record declares."""
    if not overrides:
        return
    for key, value in overrides.items():
        if key in compat:
            compat[key] = copy.deepcopy(value)


def _overlay_effort_map_axis(compat: dict[str, Any], axes: Axes, authored: Mapping[str, Any] | None) -> None:
    """``overlayEffortMapAxis``: the spec's effort remaps overlay the rule's key by key."""
    axis_map = _effort_record(axes.wire.get("reasoningEffortMap"))
    authored_map = _get(authored, "reasoningEffortMap")
    if axis_map is not None and _js_truthy(authored_map) and isinstance(authored_map, Mapping):
        compat["reasoningEffortMap"] = {**axis_map, **authored_map}


def _compat_reasoning(spec: Mapping[str, Any], axes: Axes, code: CompatCode) -> bool:
    """``compatReasoning``: the spec reasons, or (18.2.3) an exact-efforts rule with upgrade-neutral."""
    if _js_truthy(spec.get("reasoning")):
        return True
    return (
        code.compat_reasoning_upgrade
        and axes.reasoning
        and _read_rule_thinking(axes.thinking).get("upgradeNeutral") is True
    )


def _default_omit_reasoning_effort(
    compat: dict[str, Any], authored: Mapping[str, Any] | None, axes: Axes
) -> None:
    """``fixupOpenAICompat``'s default, also in the OpenRouter record: a model that takes no
    reasoning effort omits it, unless the author or a wire axis says otherwise."""
    if (
        _get(authored, "omitReasoningEffort") is UNDEFINED
        and "omitReasoningEffort" not in axes.wire
        and not _js_truthy(compat.get("supportsReasoningEffort"))
    ):
        compat["omitReasoningEffort"] = True


def _reasoning_disable_mode(thinking_format: Any) -> str:
    return (
        {
            "openrouter": "openrouter-enabled-false",
            "zai": "zai-thinking-disabled",
            "kimi": "zai-thinking-disabled",
            "qwen": "qwen-enable-thinking-false",
            "qwen-chat-template": "qwen-template-false",
            "chat-template": "chat-template-thinking-false",
        }.get(thinking_format, "lowest-effort")
        if isinstance(thinking_format, str)
        else "lowest-effort"
    )


def _whatwg_hostname(url: str) -> str | None:
    """``new URL(url).hostname`` (None: OMP's parse throws; catalogmgr.omp.whatwg_url)."""
    return whatwg_hostname(url)


def _official_openai_endpoint(provider: str, base_url: Any) -> bool:
    """``isOfficialOpenAIEndpoint``: provider ``openai`` on ``api.openai.com`` (or no URL)."""
    if provider != "openai":
        return False
    if not base_url:
        return True
    return isinstance(base_url, str) and _whatwg_hostname(base_url) == "api.openai.com"


def _official_anthropic_url(base_url: Any) -> bool:
    """``isOfficialAnthropicApiUrl``: no URL, or the exact origin with a path boundary."""
    if not base_url:
        return True
    lower = _js_lower(str(base_url))
    return lower == _OFFICIAL_ANTHROPIC_URL or lower.startswith(f"{_OFFICIAL_ANTHROPIC_URL}/")


def _azure_anthropic_route(base_url: Any) -> bool:
    return isinstance(base_url, str) and _AZURE_ANTHROPIC_URL.search(base_url) is not None


def _stream_markup_healing(
    provider: str, facts: _Facts, base_url: Any, dsml_providers: frozenset[str]
) -> Any:
    """``detectStreamMarkupHealing``: Kimi/DeepSeek grammars, none for official OpenAI."""
    family = facts.identity.family
    if provider in ("kimi-code", "moonshot") or (
        facts.is_("kimi") and family is not None and family.startswith("k2")
    ):
        return "kimi"
    if facts.is_("deepseek") and provider in dsml_providers:
        return "dsml"
    if _official_openai_endpoint(provider, base_url):
        return UNDEFINED
    return "thinking"


@dataclass(frozen=True)
class _Detection:
    """``OpenAIDetection``: the host facts of one chat-completions spec."""

    is_cline_pass: bool
    is_zai: bool
    is_zhipu: bool
    is_moonshot_native: bool
    is_opencode_host: bool
    is_opencode_provider: bool
    is_direct_deepseek_api: bool
    is_deepseek_reasoning: bool
    is_direct_deepseek_reasoning: bool
    is_venice: bool
    requires_enabled_thinking: bool
    is_xiaomi_mimo: bool
    is_local_backend: bool
    is_local_serving: bool
    is_openrouter: bool


Revision = tuple[int, int, int]


class RuleEngineError(Exception):
    """OMP's rule engine would throw for this model (an equal-rank tie between rules or classes)."""


# -- JavaScript string helpers ----------------------------------------------------------------------


def _js_trim(value: str) -> str:
    return js_trim(value)


def _js_lower(value: str) -> str:
    # toLowerCase() under bun's Unicode version, not Python's (catalogmgr.omp.jsstring).
    return js_lower(value)


def _code(value: str, index: int) -> int:
    """``charCodeAt``: NaN (here -1) past the end."""
    return ord(value[index]) if 0 <= index < len(value) else -1


def glob_match(pattern: str, value: str) -> bool:
    """``globMatch`` (cascade.ts): anchored ``*`` wildcards, both sides already lowercased."""
    segments = pattern.split("*")
    if len(segments) == 1:
        return value == pattern
    head = segments[0]
    if not value.startswith(head):
        return False
    remainder = value[len(head) :]
    for segment in segments[1:-1]:
        if not segment:
            continue
        found = remainder.find(segment)
        if found == -1:
            return False
        remainder = remainder[found + len(segment) :]
    last = segments[-1]
    return last == "" or remainder.endswith(last)


# -- revisions (compat/revision.ts) -----------------------------------------------------------------


def _component(value: str) -> int | None:
    if not value:
        return None
    out = 0
    for char in value:
        if not "0" <= char <= "9":
            return None
        out = out * 10 + (ord(char) - 48)
        if out > 255:
            return None
    return out


def parse_revision(value: str) -> Revision | None:
    """``parseRevision``: one to three components separated by ``.`` or ``-``."""
    out = [0, 0, 0]
    count = 0
    for part in re.split(r"[.-]", value):
        if count == 3:
            return None
        component = _component(part)
        if component is None:
            return None
        out[count] = component
        count += 1
    return (out[0], out[1], out[2]) if count > 0 else None


def parse_revision_prefix(value: str) -> Revision | None:
    """``parseRevisionPrefix``: a leading revision; a component running into a letter is a size."""
    out = [0, 0, 0]
    count = 0
    index = 0
    while count < 3:
        start = index
        while index < len(value) and "0" <= value[index] <= "9":
            index += 1
        trailing = _code(value, index) if index < len(value) else 0
        is_size_token = 97 <= trailing <= 122 or 65 <= trailing <= 90
        component = None if is_size_token else _component(value[start:index])
        if component is None:
            return (out[0], out[1], out[2]) if count > 0 else None
        out[count] = component
        count += 1
        if index >= len(value):
            break
        separator = value[index]
        following = _code(value, index + 1)
        if separator not in ".-" or not 48 <= following <= 57:
            break
        index += 1
    return (out[0], out[1], out[2])


def _format_revision(revision: Revision) -> str:
    return f"{revision[0]}.{revision[1]}.{revision[2]}"


def _compare(left: Revision, right: Revision) -> int:
    return (left[0] - right[0]) or (left[1] - right[1]) or (left[2] - right[2])


def _satisfies(revision: Revision, terms: Sequence[tuple[str, Revision]]) -> bool:
    for op, bound in terms:
        order = _compare(revision, bound)
        if (
            (op == ">=" and order < 0)
            or (op == ">" and order <= 0)
            or (op == "<=" and order > 0)
            or (op == "<" and order >= 0)
            or (op == "=" and order != 0)
        ):
            return False
    return True


# -- identity (compat/taxonomy.ts) ------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """``ModelIdentity``: the structured identity the rules key on."""

    cls: str
    family: str | None = None
    revision: str | None = None
    effort: str | None = None
    thinking_variant: bool = False
    logical_id: str | None = None


def _bare(model_id: str) -> str:
    slash = model_id.rfind("/")
    return model_id if slash == -1 else model_id[slash + 1 :]


def _bounded_match(value: str, token: str) -> bool:
    if value == token:
        return True
    if not value.startswith(token):
        return False
    following = _code(value, len(token))
    return following in (45, 95, 46, 58) or 48 <= following <= 57  # - _ . : 0-9


class _ModelParts:
    """A lowercased model id split as the namespace matchers read it, each split made once."""

    __slots__ = ("_lower", "_path", "_segments")

    def __init__(self, lower: str) -> None:
        self._lower = lower
        self._path: list[str] | None = None
        self._segments: list[str] | None = None

    def path(self) -> list[str]:
        """The id split at ``/``."""
        if self._path is None:
            self._path = self._lower.split("/")
        return self._path

    def segments(self) -> list[str]:
        """The id split at ``/``, ``.`` and ``:`` (a bounded namespace matcher)."""
        if self._segments is None:
            self._segments = re.split(r"[/.:]", self._lower)
        return self._segments


def _matcher_matches(
    matcher: Mapping[str, Any], lower: str, bare: str, parts: _ModelParts | None = None
) -> bool:
    kind, token = matcher["kind"], matcher["token"]
    if kind == "exact":
        return bool(bare == token)
    if kind == "bounded":
        return _bounded_match(bare, token)
    if kind == "namespace":
        bounded = bool(matcher.get("bounded"))
        parts = parts or _ModelParts(lower)
        if bounded:
            return any(part and _bounded_match(part, token) for part in parts.segments())
        return token in parts.path() and bool(token)
    if kind == "prefix":
        return bare.startswith(token)
    return glob_match(token, bare)


def _non_wildcard(glob: str) -> int:
    return sum(1 for char in glob if char != "*")


def _rank_families(cls: Mapping[str, Any], subject: str) -> tuple[str | None, tuple[str, str] | None]:
    winner: tuple[tuple[int, int], str] | None = None
    tied: tuple[str, str] | None = None
    for family in cls["families"]:
        if not glob_match(family["glob"], subject):
            continue
        rank = (family["priority"], _non_wildcard(family["glob"]))
        if winner is not None and winner[0] == rank and winner[1] != family["id"]:
            tied = (winner[1], family["id"])
        elif winner is None or winner[0] < rank:
            winner = (rank, family["id"])
            tied = None
    return (winner[1] if winner else None), tied


def _strip_class_namespace(cls: Mapping[str, Any], bare: str) -> str | None:
    match = re.search(r"[.:]", bare)
    separator = match.start() if match else -1
    if separator <= 0 or separator == len(bare) - 1:
        return None
    namespace = bare[:separator]
    if not any(matcher["token"] == namespace for matcher in cls["matchers"]):
        return None
    return bare[separator + 1 :]


def _classify_family(cls: Mapping[str, Any], bare: str, model: str) -> str | None:
    winner, tied = _rank_families(cls, bare)
    if tied is None:
        return winner
    scoped = _strip_class_namespace(cls, bare)
    if scoped is not None:
        rescored, rescored_tie = _rank_families(cls, scoped)
        if rescored is not None and rescored_tie is None:
            return rescored
    raise RuleEngineError(f"ambiguous family for `{model}`: `{tied[0]}` and `{tied[1]}` tie")


def _extract_revision(cls: Mapping[str, Any], bare: str) -> str | None:
    if bare in cls["skipBare"]:
        return None
    for rule in cls["revisionPrefixes"]:
        tail: str | None = None
        prefix = rule["prefix"]
        if rule.get("anywhere"):
            start = bare.find(prefix)
            if start != -1:
                tail = bare[start + len(prefix) :]
        elif bare.startswith(prefix):
            tail = bare[len(prefix) :]
        if tail is None:
            continue
        digit = re.search(r"[0-9]", tail)
        if digit is None:
            return None
        revision = parse_revision_prefix(tail[digit.start() :])
        return _format_revision(revision) if revision else None
    return None


# -- the cascade (compat/cascade.ts) ----------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    compiled: Mapping[str, Any]
    revision: tuple[tuple[str, Revision], ...] | None
    priority: int
    dimensions: int
    has_exact_efforts: bool


@dataclass(frozen=True)
class Target:
    """``ResolveTarget``: what the cascade's selectors match."""

    provider: str
    api: str
    cls: str
    model: str
    reasoning: bool
    family: str | None = None
    revision: str | None = None


@dataclass
class Axes:
    """``ResolvedAxes``: the winning wire, thinking and catalog assignments."""

    wire: dict[str, Any] = field(default_factory=dict)
    thinking: dict[str, Any] = field(default_factory=dict)
    catalog: dict[str, Any] = field(default_factory=dict)
    reasoning: bool = False


# -- host detection (hosts.ts) ----------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _folded(value: str) -> str:
    """The URL with 0x20 ORed into every UTF-16 code unit, as OMP compares it with a marker."""
    units = value.encode("utf-16-le", "surrogatepass")
    return "".join(chr((units[i] | (units[i + 1] << 8)) | 0x20) for i in range(0, len(units), 2))


def _includes_ascii_case_insensitive(value: str, lower_needle: str) -> bool:
    # Every marker character has the 0x20 bit set (lowercase ASCII, digits, `.`, `-`, `/`), so
    # OMP's unit-by-unit `(code | 0x20) === marker` test is a substring test on the folded URL.
    return lower_needle in _folded(value)


def _loopback_hostname(base_url: Any) -> bool:
    """``hasLocalLoopbackBaseUrl``: a loopback or private-network host (WHATWG URL hostname)."""
    if not isinstance(base_url, str) or not base_url:
        return False
    parsed = whatwg_hostname(base_url)
    if parsed is None:
        return False
    hostname = _js_lower(parsed)
    if hostname in ("localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"):
        return True
    return (
        hostname.startswith("10.")
        or hostname.startswith("192.168.")
        or re.match(r"^172\.(1[6-9]|2[0-9]|3[01])\.", hostname) is not None
        or hostname.endswith(".local")
    )


# -- the engine -------------------------------------------------------------------------------------


class _Facts:
    """``IdentityFacts``: identity checks with revision comparison."""

    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self.revision = parse_revision(identity.revision) if identity.revision is not None else None

    def is_(self, cls: str) -> bool:
        return self.identity.cls == cls

    def family(self, *families: str) -> bool:
        return self.identity.family is not None and self.identity.family in families

    def rev_gte(self, minimum: str) -> bool:
        bound = parse_revision(minimum)
        return self.revision is not None and bound is not None and _compare(self.revision, bound) >= 0

    def rev_major(self) -> int | None:
        return self.revision[0] if self.revision is not None else None

    def anthropic_adaptive_gen_at_least(self, opus_minimum: str) -> bool:
        if not self.is_("anthropic"):
            return False
        if self.family("opus"):
            return self.rev_gte(opus_minimum)
        if self.family("sonnet", "fable", "mythos"):
            return self.rev_gte("5")
        return False


@dataclass(frozen=True)
class ThinkingDecision:
    """What ``buildModel`` sets: ``thinking`` (None: no thinking), ``reasoning`` and the resolved
    ``compat`` (None: OMP's is undefined, an api with no compat record)."""

    thinking: dict[str, Any] | None
    reasoning: Any
    compat: dict[str, Any] | None = None
    # The cascade's catalog-data assignments (`policy.catalog`: apply_catalog_axes reads them).
    catalog: dict[str, Any] = field(default_factory=dict)


_CURSOR_FLAG = "requiresCursorToolSchemaProjection"
_IMAGE_HOISTING_FLAG = "requiresToolResultImageHoisting"
_ASSISTANT_PREFILL_FLAG = "supportsAssistantPrefill"


@dataclass(frozen=True)
class CompatCode:
    """What one release's ``buildModel`` code does differently from 18.2.3's, as named switches.

    The rule tables (``rule-engine-<version>.json.gz``) carry a release's data; these switches carry
    the few code differences read in the releases' ``build.ts`` and ``compat/resolve.ts`` (diffed
    release against release), so one port serves every release with the rule engine.
    """

    # The release the code was read in (also the tables' name).
    version: str
    # 18.1.17 (resolveThinkingPolicy, buildModel): a spec reporting no reasoning gets thinking
    # where an exact `thinking-efforts` rule says `thinking-upgrade-neutral` and the spec has no
    # explicit efforts; the built model's `reasoning` is `spec.reasoning || thinking !== undefined`.
    # Before: no reasoning, no thinking, and `reasoning` is the spec's own value.
    thinking_upgrade: bool = True
    # 18.1.20 (resolve.ts anthropic baseline): `supportsServerCompaction` / `firstPartyProvider`.
    anthropic_first_party_keys: bool = True
    # build.ts applyCatalogAssignments: the rule-owned flags it sets or deletes (cursor's tool
    # schema projection from 18.1.16, tool-result image hoisting from 18.1.20, assistant prefill
    # from 18.2.0); a flag it does not know stays as the spec wrote it.
    catalog_flags: tuple[str, ...] = (_CURSOR_FLAG, _IMAGE_HOISTING_FLAG, _ASSISTANT_PREFILL_FLAG)
    # 18.2.3 (compatReasoning): the compat baselines read the reasoning the cascade's exact
    # `thinking-upgrade-neutral` rule grants; before, `Boolean(spec.reasoning)` alone.
    compat_reasoning_upgrade: bool = True
    # 18.2.3: the chat-completions and Responses baselines carry `disableReasoningWithTools: false`.
    disable_reasoning_with_tools: bool = True
    # 18.2.3 DSML_HEALING_PROVIDERS: + the transparent gateways `litellm` and `nous`.
    dsml_gateways: bool = True
    # pi-catalog 18.2.11 (cascade.ts resolveCascade): for a spec reporting no reasoning, the
    # thinking axes also open where an identity-scoped rule wins `upgradeNeutral` with `true` and
    # some matching rule assigns efforts (RuleEngine._upgrades_reasoning); before, only an exact
    # `thinking-efforts` rule opens them.
    neutral_upgrade_gate: bool = False
    # 18.2.11 (resolve.ts): `spec.providerType ?? spec.provider` is the backend whose rules (the
    # cascade target) and local/proxy server facts apply; before, the provider id.
    provider_type: bool = False
    # 18.2.11: the chat-completions and Responses baselines set `clampOutputToModelMax` on a local
    # backend; before, always false.
    clamp_local_output: bool = False
    # 18.2.11: `qwenTemplateReasoningEffort`'s baseline is false (a reviewed backend x model
    # contract in the rules grants it); before, the code derived it for local Qwen 3.8+ servers.
    template_effort_from_rules: bool = False


# Each release whose code was read, by the name of its stored tables (newest last). A release with
# the same code and tables as an older one is not listed: `Profile.rules_by_release` maps it.
COMPAT_CODE: Mapping[str, CompatCode] = {
    code.version: code
    for code in (
        CompatCode(
            "18.1.16",
            thinking_upgrade=False,
            anthropic_first_party_keys=False,
            catalog_flags=(_CURSOR_FLAG,),
            compat_reasoning_upgrade=False,
            disable_reasoning_with_tools=False,
            dsml_gateways=False,
        ),
        CompatCode(
            "18.1.17",
            anthropic_first_party_keys=False,
            catalog_flags=(_CURSOR_FLAG,),
            compat_reasoning_upgrade=False,
            disable_reasoning_with_tools=False,
            dsml_gateways=False,
        ),
        CompatCode(
            "18.1.20",
            catalog_flags=(_CURSOR_FLAG, _IMAGE_HOISTING_FLAG),
            compat_reasoning_upgrade=False,
            disable_reasoning_with_tools=False,
            dsml_gateways=False,
        ),
        CompatCode(
            "18.2.0", compat_reasoning_upgrade=False, disable_reasoning_with_tools=False, dsml_gateways=False
        ),
        CompatCode("18.2.3"),
        # pi-catalog 18.2.11 (published without its release): the 18.2.9 and 18.3 profiles' rules.
        CompatCode(
            "18.2.11",
            neutral_upgrade_gate=True,
            provider_type=True,
            clamp_local_output=True,
            template_effort_from_rules=True,
        ),
    )
}


_MemoKey = TypeVar("_MemoKey", bound=Hashable)
_MemoValue = TypeVar("_MemoValue")


class _Memo(Generic[_MemoKey, _MemoValue]):
    """A bounded memo of a pure function: the engine lives for the process (``load_rule_engine``),
    so it is emptied when full rather than growing with every model id a long process sees."""

    LIMIT = 65_536

    def __init__(self) -> None:
        self._values: dict[_MemoKey, _MemoValue] = {}
        self.get = self._values.get

    def put(self, key: _MemoKey, value: _MemoValue) -> None:
        if len(self._values) >= self.LIMIT:
            self._values.clear()
        self._values[key] = value


class _ModelTokens:
    """A model id as the cascade's model selectors read it, split once per target."""

    __slots__ = ("_tokens", "lower")

    def __init__(self, model: str) -> None:
        self.lower = _js_lower(model)
        self._tokens: list[str] | None = None

    @property
    def tokens(self) -> list[str]:
        if self._tokens is None:
            self._tokens = re.split(r"[^a-z0-9]+", self.lower)
        return self._tokens


class RuleEngine:
    """OMP's ``resolveModelPolicy`` for ``thinking``, over one release's generated tables."""

    def __init__(self, tables: Mapping[str, Any]) -> None:
        self.version: str = tables["ompVersion"]
        # This release's code switches (an unread release: only `thinking`/`reasoning` claimed).
        self.code: CompatCode = COMPAT_CODE.get(self.version, COMPAT_CODE["18.2.3"])
        # Whether the resolved compat and catalog corrections are this release's.
        self.resolves_compat = self.version in COMPAT_CODE
        self._dsml_providers = _DSML_HEALING_PROVIDERS | (
            _DSML_HEALING_GATEWAYS if self.code.dsml_gateways else frozenset()
        )
        self._classes: list[Mapping[str, Any]] = list(tables["taxonomy"]["classes"])
        self._collapse: Mapping[str, Any] = tables["taxonomy"]["collapse"]
        self._hosts: Mapping[str, Mapping[str, Any]] = tables["hosts"]
        self._axis_records: Mapping[str, Sequence[str]] = tables["axisRecords"]
        self._api_records: Mapping[str, Sequence[str]] = tables["apiRecords"]
        self._rules = [self._index(rule) for rule in tables["cascade"]]
        # buildRuleIndex: a target can only match the rules with no class/provider selector and
        # those of its class, of its provider, or of both; each bucket keeps the rules' order.
        self._buckets: dict[tuple[str | None, str | None], list[int]] = {}
        for order, rule in enumerate(self._rules):
            cls = rule.compiled.get("class")
            providers = rule.compiled.get("providers")
            for provider in dict.fromkeys(providers) if providers is not None else [None]:
                self._buckets.setdefault((cls, provider), []).append(order)
        # The reviewed identity overrides by lowercased model id, in the classes' order (the
        # first provider-specific match wins, else the first provider-agnostic one), and (18.2.11)
        # those that name the model by a glob: (override, glob, lowercased provider, specificity).
        self._overrides: dict[str, list[Mapping[str, Any]]] = {}
        self._pattern_overrides: list[tuple[Mapping[str, Any], str, str | None, int]] = []
        for cls in self._classes:
            for override in cls["overrides"]:
                if override.get("model") is not None:
                    self._overrides.setdefault(_js_lower(override["model"]), []).append(override)
                elif override.get("glob") is not None:
                    provider = override.get("provider")
                    self._pattern_overrides.append(
                        (
                            override,
                            override["glob"],
                            _js_lower(provider) if provider is not None else None,
                            _non_wildcard(override["glob"]),
                        )
                    )
        # Memos of pure functions of the tables, filled as models are decided: a big overlay
        # repeats the same ids under many providers and the same few (provider, baseUrl) pairs.
        self._class_ranks: _Memo[str, tuple[str, str | None, str | None]] = _Memo()
        self._url_hosts: _Memo[tuple[str, str], bool] = _Memo()
        self._model_hosts: _Memo[tuple[str, str | None, str], bool] = _Memo()
        self._candidates: _Memo[tuple[str, str, str], list[_Rule]] = _Memo()
        self._completions_baselines: _Memo[
            tuple[str, str, str | None, Identity, bool], tuple[_Detection, dict[str, Any]]
        ] = _Memo()
        # Every class matcher in the classes' order, with its rank: ranking a model is one pass.
        self._matchers = [
            (cls, matcher, (_MATCHER_RANK[matcher["kind"]], len(matcher["token"])))
            for cls in self._classes
            for matcher in cls["matchers"]
        ]

    @staticmethod
    def _index(compiled: Mapping[str, Any]) -> _Rule:
        revision = None
        if compiled.get("revision") is not None:
            terms = []
            for term in compiled["revision"]:
                parsed = parse_revision(term["revision"])
                if parsed is None:
                    raise ValueError(f"invalid compiled revision term in {compiled.get('source')}")
                terms.append((term["op"], parsed))
            revision = tuple(terms)
        dimensions = sum(
            1 for key in ("class", "providers", "apis", "family", "revision", "models") if key in compiled
        )
        thinking = compiled.get("thinking")
        return _Rule(
            compiled=compiled,
            revision=revision,
            priority=compiled.get("priority", 0),
            dimensions=dimensions,
            has_exact_efforts=isinstance(thinking, Mapping) and "efforts" in thinking,
        )

    # -- hosts ------------------------------------------------------------------------------------

    def host_matches_url(self, base_url: Any, host: str) -> bool:
        """``hostMatchesUrl``: a marker of the host class occurs in the URL (any case)."""
        if not isinstance(base_url, str) or not base_url:
            return False
        key = (base_url, host)
        matched = self._url_hosts.get(key)
        if matched is None:
            matched = any(
                _includes_ascii_case_insensitive(base_url, marker)
                for marker in self._hosts[host]["urlMarkers"]
            )
            self._url_hosts.put(key, matched)
        return matched

    def model_matches_host(self, provider: str, base_url: Any, host: str) -> bool:
        """``modelMatchesHost``: the provider id names the host, or its URL does."""
        if base_url is not None and not isinstance(base_url, str):
            return self._model_matches_host(provider, base_url, host)
        key = (provider, base_url, host)
        matched = self._model_hosts.get(key)
        if matched is None:
            matched = self._model_matches_host(provider, base_url, host)
            self._model_hosts.put(key, matched)
        return matched

    def _model_matches_host(self, provider: str, base_url: Any, host: str) -> bool:
        spec = self._hosts[host]
        if provider in spec.get("providers", ()):
            return True
        if any(provider.startswith(prefix) for prefix in spec.get("providerPrefixes", ())):
            return True
        return self.host_matches_url(base_url, host)

    # -- identity ---------------------------------------------------------------------------------

    def _classify_ranks(self, model: str) -> tuple[str, str | None, str | None]:
        ranks = self._class_ranks.get(model)
        if ranks is None:
            ranks = self._compute_class_ranks(model)  # a tie raises, and is not memoized
            self._class_ranks.put(model, ranks)
        return ranks

    def _compute_class_ranks(self, model: str) -> tuple[str, str | None, str | None]:
        lower = _js_lower(_js_trim(model))
        bare = _bare(lower)
        winner: tuple[tuple[int, int], Mapping[str, Any]] | None = None
        tied: tuple[str, str] | None = None
        parts = _ModelParts(lower)
        for cls, matcher, rank in self._matchers:
            if not _matcher_matches(matcher, lower, bare, parts):
                continue
            if winner is not None and winner[0] == rank and winner[1]["id"] != cls["id"]:
                tied = (winner[1]["id"], cls["id"])
            elif winner is None or winner[0] < rank:
                winner = (rank, cls)
                tied = None
        if tied is not None:
            raise RuleEngineError(f"ambiguous class for `{lower}`: `{tied[0]}` and `{tied[1]}` tie")
        if winner is None:
            return "unknown", None, None
        cls = winner[1]
        return cls["id"], _classify_family(cls, bare, lower), _extract_revision(cls, bare)

    def _ranks_in_class(self, class_id: str, model: str) -> tuple[str | None, str | None]:
        cls = next((candidate for candidate in self._classes if candidate["id"] == class_id), None)
        if cls is None:
            return None, None
        lower = _js_lower(_js_trim(model))
        bare = _bare(lower)
        return _classify_family(cls, bare, lower), _extract_revision(cls, bare)

    def _identity_override(self, provider: str, bare_model: str) -> Mapping[str, Any] | None:
        """``findIdentityOverride``: an exact override (this provider's, else a provider-agnostic
        one), else the most specific glob override (this provider's, else an agnostic one)."""
        lower_model = _js_lower(bare_model)
        lower_provider = _js_lower(provider)
        overrides = self._overrides.get(lower_model)
        if overrides is not None:
            agnostic = None
            for override in overrides:
                # No observation time: an expiring override stays active (resolveIdentity).
                if override.get("provider") is not None:
                    if _js_lower(override["provider"]) == lower_provider:
                        return dict(override)
                elif agnostic is None:
                    agnostic = override
            if agnostic is not None:
                return agnostic
        if not self._pattern_overrides:
            return None
        return self._pattern_override(lower_provider, lower_model) or self._pattern_override(
            None, lower_model
        )

    def _pattern_override(self, lower_provider: str | None, lower_model: str) -> Mapping[str, Any] | None:
        """``rankPatternOverrides``: the matching glob override of that provider (None: of none)
        with the most non-wildcard characters; two at that count tie, which OMP throws on."""
        winner: tuple[int, Mapping[str, Any]] | None = None
        tied: tuple[Mapping[str, Any], Mapping[str, Any]] | None = None
        for override, glob, provider, specificity in self._pattern_overrides:
            if provider != lower_provider or not glob_match(glob, lower_model):
                continue
            if winner is not None and winner[0] == specificity:
                tied = (winner[1], override)
            elif winner is None or winner[0] < specificity:
                winner, tied = (specificity, override), None
        if tied is not None:
            raise RuleEngineError(
                f"ambiguous override for `{lower_model}`: `{tied[0]['id']}` and `{tied[1]['id']}` tie"
            )
        return winner[1] if winner is not None else None

    def _collapse_variant(self, provider: str, model: str) -> tuple[str, str | None, bool]:
        """``collapseVariantId``: (logical id, effort, thinking variant)."""
        lower = _js_lower(model)
        lower_provider = _js_lower(provider)
        for family in self._collapse["effortFamilies"]:
            if family["provider"] == lower_provider and lower in family["aliases"]:
                return family["logical"], None, False
        bare = _bare(lower)
        winner = None
        for rule in self._collapse["suffixes"]:
            if not lower.endswith(rule["suffix"]):
                continue
            if rule.get("exceptBarePrefix") is not None and bare.startswith(rule["exceptBarePrefix"]):
                continue
            if winner is None or len(rule["suffix"]) > len(winner["suffix"]):
                winner = rule
        if winner is not None:
            return (
                model[: len(model) - len(winner["suffix"])],
                winner.get("effort"),
                winner.get("thinking") is True,
            )
        for lane in self._collapse["lanes"]:
            if lower_provider not in lane["providers"] or not lower.endswith(lane["suffix"]):
                continue
            trimmed = lower[: len(lower) - len(lane["suffix"])]
            trimmed_bare = _bare(trimmed)
            if lane.get("barePrefix") is not None and not trimmed_bare.startswith(lane["barePrefix"]):
                continue
            effort_rule = None
            for rule in self._collapse["suffixes"]:
                if rule.get("effort") is None or not trimmed.endswith(rule["suffix"]):
                    continue
                if rule.get("exceptBarePrefix") is not None and trimmed_bare.startswith(
                    rule["exceptBarePrefix"]
                ):
                    continue
                if effort_rule is None or len(rule["suffix"]) > len(effort_rule["suffix"]):
                    effort_rule = rule
            if effort_rule is None:
                continue
            base = model[: len(trimmed) - len(effort_rule["suffix"])]
            if not base or base.endswith("/"):
                continue
            return f"{base}{model[len(trimmed) :]}", effort_rule["effort"], False
        return model, None, False

    def strip_thinking_variant_suffix(self, model: str) -> str | None:
        """``stripThinkingVariantSuffix``: the id without its first bounded pair token."""
        return strip_pair_token(model, self._collapse["pairTokens"])

    def classify(self, provider: str, model_id: str) -> Identity:
        """``classifyModel`` (strict): reviewed override, suffix collapse, then ranks."""
        trimmed = _js_trim(model_id)
        bare = _bare(trimmed)
        override = self._identity_override(provider, bare)
        if override is not None:
            logical = override["logical"] if override.get("logical") is not None else trimmed
            cls = override["class"] if override.get("class") is not None else self._classify_ranks(logical)[0]
            family, revision = self._ranks_in_class(cls, logical)
            return Identity(
                cls=cls,
                family=override.get("family") if override.get("family") is not None else family,
                revision=override.get("revision") if override.get("revision") is not None else revision,
                effort=override.get("effort"),
                thinking_variant=bool(override.get("thinkingVariant")),
                logical_id=logical if logical != trimmed else None,
            )
        if len(trimmed) == len(model_id):
            logical, effort, thinking_variant = self._collapse_variant(provider, trimmed)
        else:
            logical, effort, thinking_variant = trimmed, None, False
        cls, family, revision = self._classify_ranks(logical)
        return Identity(
            cls=cls,
            family=family,
            revision=revision,
            effort=effort,
            thinking_variant=thinking_variant,
            logical_id=logical if logical != trimmed else None,
        )

    # -- cascade ----------------------------------------------------------------------------------

    def _rank(
        self, rule: _Rule, target: Target, revision: Revision | None, tokens: _ModelTokens
    ) -> tuple[int, int, int] | None:
        # The class, provider and api selectors are checked once per (class, provider, api) by
        # _candidate_rules; the rest depend on the model.
        compiled = rule.compiled
        if "family" in compiled and compiled["family"] != target.family:
            return None
        if rule.revision is not None and (revision is None or not _satisfies(revision, rule.revision)):
            return None
        exactness = 0
        if "models" in compiled:
            best = -1
            for selector in compiled["models"]:
                kind, value = selector["kind"], selector["value"]
                matched = (
                    value == target.model
                    if kind == "exact"
                    else glob_match(value, tokens.lower)
                    if kind == "glob"
                    else value in tokens.tokens
                )
                if matched:
                    best = max(best, 2 if kind == "exact" else 1)
            if best < 0:
                return None
            exactness = best
        return (exactness, rule.dimensions, rule.priority)

    def _candidate_rules(self, cls: str, provider: str, api: str) -> list[_Rule]:
        """``buildRuleIndex``'s lookup: the rules with no class/provider selector and those of the
        class, of the provider, or of both, in the table's order; here also only those whose
        class, provider and api selectors all admit the target (the first checks of ``_rank``)."""
        key = (cls, provider, api)
        rules = self._candidates.get(key)
        if rules is None:
            orders = {
                order
                for bucket in ((None, None), (cls, None), (None, provider), (cls, provider))
                for order in self._buckets.get(bucket, ())
            }
            rules = [
                rule
                for rule in (self._rules[order] for order in sorted(orders))
                if ("class" not in rule.compiled or rule.compiled["class"] == cls)
                and ("providers" not in rule.compiled or provider in rule.compiled["providers"])
                and ("apis" not in rule.compiled or api in rule.compiled["apis"])
            ]
            self._candidates.put(key, rules)
        return rules

    def cascade(self, target: Target) -> Axes:
        """``resolveCascade``: per axis the greatest-ranked matching rule's value."""
        revision = parse_revision(target.revision) if target.revision is not None else None
        tokens = _ModelTokens(target.model)
        ranked = [
            (rule, rank)
            for rule in self._candidate_rules(target.cls, target.provider, target.api)
            if (rank := self._rank(rule, target, revision, tokens)) is not None
        ]
        reasoning = target.reasoning or (
            self._upgrades_reasoning(ranked, target)
            if self.code.neutral_upgrade_gate
            else any(rule.has_exact_efforts and rank[0] == 2 for rule, rank in ranked)
        )
        wire: dict[str, tuple[tuple[int, int, int], _Rule]] = {}
        thinking: dict[str, tuple[tuple[int, int, int], _Rule]] = {}
        catalog: dict[str, tuple[tuple[int, int, int], _Rule]] = {}
        for rule, rank in ranked:
            _contest(wire, rule.compiled.get("wire"), rank, rule, target)
            _contest(catalog, rule.compiled.get("catalog"), rank, rule, target)
            if reasoning:
                _contest(thinking, rule.compiled.get("thinking"), rank, rule, target)
        return Axes(
            wire={axis: copy.deepcopy(held[1].compiled["wire"][axis]) for axis, held in wire.items()},
            thinking={axis: held[1].compiled["thinking"][axis] for axis, held in thinking.items()},
            catalog={
                axis: copy.deepcopy(held[1].compiled["catalog"][axis]) for axis, held in catalog.items()
            },
            reasoning=reasoning,
        )

    @staticmethod
    def _upgrades_reasoning(ranked: Sequence[tuple[_Rule, tuple[int, int, int]]], target: Target) -> bool:
        """18.2.11's thinking-axis gate for a target that reports no reasoning: an exact
        ``thinking-efforts`` rule, or an identity-scoped rule (a class other than ``unknown``, a
        family, a revision or models) that wins the ``upgradeNeutral`` axis with ``true`` while
        some matching rule assigns efforts. Every matching ``upgradeNeutral`` contests the axis,
        so an equal-rank tie throws as on any other axis."""
        upgrade: dict[str, tuple[tuple[int, int, int], _Rule]] = {}
        has_efforts = exact = False
        for rule, rank in ranked:
            thinking = rule.compiled.get("thinking")
            if thinking is None:
                continue
            if "upgradeNeutral" in thinking:
                _contest(upgrade, {"upgradeNeutral": True}, rank, rule, target)
            has_efforts = has_efforts or "efforts" in thinking
            exact = exact or (rule.has_exact_efforts and rank[0] == 2)
        held = upgrade.get("upgradeNeutral")
        if exact or held is None or not has_efforts:
            return exact
        winner = held[1].compiled
        identity_scoped = (winner.get("class") is not None and winner["class"] != "unknown") or any(
            winner.get(selector) is not None for selector in ("family", "revision", "models")
        )
        return identity_scoped and winner["thinking"]["upgradeNeutral"] is True

    # -- compat (resolve.ts: detected baselines, wire axes, the spec's overrides, fix-ups) --------

    def _apply_wire_axes(self, compat: dict[str, Any], wire: Mapping[str, Any], api: str) -> None:
        """``applyWireAxes``: a wire axis lands when the api uses one of the axis's records."""
        records = self._api_records.get(api)
        if not records:
            return
        for key, value in wire.items():
            if any(record in records for record in self._axis_records.get(key, ())):
                compat[key] = copy.deepcopy(value)

    def resolve_compat(self, spec: Mapping[str, Any], facts: _Facts, axes: Axes) -> dict[str, Any] | None:
        """OMP's resolved ``compat`` for the spec (None: OMP's is undefined, an unknown api).

        Keys OMP leaves ``undefined`` hold :data:`UNDEFINED` (they count for ``key in compat``);
        :func:`defined` drops them, as ``JSON.stringify`` does.
        """
        api = spec.get("api")
        authored = spec.get("compat") if isinstance(spec.get("compat"), Mapping) else None
        if api == "openrouter":
            chat = self._completions_policy(spec, facts, axes, authored)
            responses = self._responses_policy(spec, facts, axes, "openrouter", authored)
            chat.update({key: responses[key] for key in _RESPONSES_ONLY_KEYS})
            return chat
        if api == "openai-completions":
            return self._completions_policy(spec, facts, axes, authored)
        if api in _RESPONSES_APIS:
            return self._responses_policy(spec, facts, axes, str(api), authored)
        compat: dict[str, Any]
        if api == "anthropic-messages":
            compat = self._anthropic_baseline(spec, facts, axes, authored)
        elif api == "bedrock-converse-stream":
            compat = {
                "promptCacheMode": "none",
                "supportsLongPromptCacheRetention": False,
                "promptCacheMinimumTokens": 0,
                "promptCacheMaximumCheckpoints": 0,
                "streamIdleTimeoutMs": _BEDROCK_REASONING_STREAM_IDLE_TIMEOUT_MS
                if _compat_reasoning(spec, axes, self.code)
                else UNDEFINED,
            }
        elif api == "devin-agent":
            compat = {
                "trustExplicitThinkingOnly": True,
                "modelRouter": False,
                "supportsParallelToolCalls": False,
            }
        elif api in _GOOGLE_APIS:
            compat = dict.fromkeys(_GOOGLE_FLAGS, False)
        else:
            return None
        self._apply_wire_axes(compat, axes.wire, str(api))
        _apply_overrides(compat, authored)
        return compat

    def _anthropic_baseline(
        self, spec: Mapping[str, Any], facts: _Facts, axes: Axes, authored: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        provider, base_url = str(spec.get("provider")), spec.get("baseUrl")
        official = _official_anthropic_url(base_url)
        is_copilot = self.model_matches_host(provider, base_url, "githubCopilot")
        is_zenmux = self.model_matches_host(provider, base_url, "zenmux")
        requires_thinking_enabled = self.model_matches_host(provider, base_url, "moonshotNative") and (
            facts.is_("kimi") and facts.family("k2.7-code", "k3")
        )
        is_azure = _azure_anthropic_route(base_url)
        signing = official or is_copilot or is_zenmux or self._anthropic_signing_proxy(base_url)
        baseline: dict[str, Any] = {
            "officialEndpoint": official,
            "signingEndpoint": signing,
            "supportsContextManagement": True,
            "supportsServerCompaction": False,
            "firstPartyProvider": False,
            "supportsOutputEffort": True,
            "disableStrictTools": is_azure,
            "disableAdaptiveThinking": False,
            "allowAnthropicHeaderOverrides": False,
            "supportsEagerToolInputStreaming": official,
            "supportsLongCacheRetention": official,
            "supportsMidConversationSystem": official
            and not facts.family("sonnet")
            and facts.anthropic_adaptive_gen_at_least("4.8"),
            "supportsTurnScopedSystem": False,
            "supportsMidConversationToolChanges": False,
            "supportsPerMessageEffort": False,
            "supportsThinkingBindingControls": False,
            "supportsForcedToolChoice": not requires_thinking_enabled and not facts.family("fable", "mythos"),
            "supportsSamplingParams": not facts.anthropic_adaptive_gen_at_least("4.7"),
            "requiresToolResultId": False,
            "requiresThinkingEnabled": requires_thinking_enabled,
            "replayUnsignedThinking": not signing
            and (
                _compat_reasoning(spec, axes, self.code)
                or self.model_matches_host(provider, base_url, "deepseekFamily")
            ),
            "escapeBuiltinToolNames": False,
            "injectClaudeCodeInstruction": True,
            "stripImageInput": False,
            "thinkingLoopGuard": UNDEFINED,
            "streamIdleTimeoutMs": _get(authored, "streamIdleTimeoutMs"),
        }
        return self._release_keys(baseline)

    def _release_keys(self, baseline: dict[str, Any]) -> dict[str, Any]:
        """A baseline without the keys this release's code does not set yet (absent, not undefined:
        ``applyCompatOverrides`` only lands an authored key the record has)."""
        if not self.code.disable_reasoning_with_tools:
            baseline.pop("disableReasoningWithTools", None)
        if not self.code.anthropic_first_party_keys:
            baseline.pop("supportsServerCompaction", None)
            baseline.pop("firstPartyProvider", None)
        return baseline

    def _anthropic_signing_proxy(self, base_url: Any) -> bool:
        """``isAnthropicSigningProxyUrl``: non-official hosts that enforce thinking signatures."""
        if self.host_matches_url(base_url, "githubCopilot") or self.host_matches_url(base_url, "zenmux"):
            return True
        if isinstance(base_url, str) and any(
            pattern.search(base_url) for pattern in _ANTHROPIC_SIGNING_PROXY_URLS
        ):
            return True
        return _azure_anthropic_route(base_url)

    def _completions_policy(
        self, spec: Mapping[str, Any], facts: _Facts, axes: Axes, authored: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """``resolveOpenAICompletionsPolicy``."""
        reasoning_capable = _compat_reasoning(spec, axes, self.code)
        detection, compat = self._completions_detection(spec, facts, reasoning_capable)
        self._apply_wire_axes(compat, axes.wire, "openai-completions")
        _apply_overrides(compat, authored)
        _overlay_effort_map_axis(compat, axes, authored)
        self._completions_fixups(spec, compat, detection, axes, authored)
        return compat

    def _completions_detection(
        self, spec: Mapping[str, Any], facts: _Facts, reasoning_capable: bool
    ) -> tuple[_Detection, dict[str, Any]]:
        """``detectOpenAI`` and the ``detectOpenAICompat`` baseline (a fresh record to fill in).

        Both read only the provider id, the base URL, the identity and whether the model reasons,
        which many models of one provider share: memoized on those."""
        provider, base_url = str(spec.get("provider")), spec.get("baseUrl")
        if base_url is not None and not isinstance(base_url, str):
            detection = self._detect_openai(spec, facts, reasoning_capable)
            return detection, self._completions_baseline(spec, facts, detection, reasoning_capable)
        key = (provider, self._backend_provider(spec), base_url, facts.identity, reasoning_capable)
        known = self._completions_baselines.get(key)
        if known is None:
            detection = self._detect_openai(spec, facts, reasoning_capable)
            known = (detection, self._completions_baseline(spec, facts, detection, reasoning_capable))
            self._completions_baselines.put(key, known)
        return known[0], _copy_record(known[1])

    def _detect_openai(self, spec: Mapping[str, Any], facts: _Facts, reasoning_capable: bool) -> _Detection:
        provider, base_url = str(spec.get("provider")), spec.get("baseUrl")

        def host(name: str) -> bool:
            return self.model_matches_host(provider, base_url, name)

        is_moonshot_native = host("moonshotNative")
        is_direct_deepseek = host("deepseekDirect")
        is_deepseek_reasoning = (host("deepseekFamily") or facts.is_("deepseek")) and reasoning_capable
        backend = self._backend_provider(spec)
        is_local_backend = backend not in _PROXY_OPENAI_COMPAT_PROVIDERS and (
            backend in _LOCAL_OPENAI_COMPAT_PROVIDERS or _loopback_hostname(base_url)
        )
        return _Detection(
            is_cline_pass=provider == "cline-pass",
            is_zai=host("zai"),
            is_zhipu=host("zhipu"),
            is_moonshot_native=is_moonshot_native,
            is_opencode_host=host("opencode"),
            is_opencode_provider=provider in ("opencode-go", "opencode-zen"),
            is_direct_deepseek_api=is_direct_deepseek,
            is_deepseek_reasoning=is_deepseek_reasoning,
            is_direct_deepseek_reasoning=is_direct_deepseek and is_deepseek_reasoning,
            is_venice=host("venice"),
            requires_enabled_thinking=is_moonshot_native and facts.is_("kimi") and facts.family("k2.7-code"),
            is_xiaomi_mimo=host("xiaomi") and facts.is_("mimo"),
            is_local_backend=is_local_backend,
            is_local_serving=is_local_backend or _loopback_hostname(base_url),
            is_openrouter=host("openrouter"),
        )

    def _completions_baseline(
        self, spec: Mapping[str, Any], facts: _Facts, d: _Detection, reasoning_capable: bool
    ) -> dict[str, Any]:
        """``detectOpenAICompat``: the chat-completions baseline (host x identity detection)."""
        provider, base_url = str(spec.get("provider")), spec.get("baseUrl")

        def host(name: str) -> bool:
            return self.model_matches_host(provider, base_url, name)

        def url(name: str) -> bool:
            return self.host_matches_url(base_url, name)

        is_cerebras, is_cerebras_host = host("cerebras"), url("cerebras")
        is_alibaba, is_xiaomi_host, is_grok = host("alibabaDashscope"), host("xiaomi"), host("xai")
        is_mistral, is_fireworks = host("mistral"), url("fireworks")
        is_openai_host, is_azure_host = host("openai"), host("azureOpenAI")
        is_moonshot_kimi = facts.is_("kimi") and d.is_moonshot_native
        is_anthropic_model = host("anthropic") or facts.is_("anthropic")
        is_qwen = facts.is_("qwen")
        is_deepseek_family = host("deepseekFamily") or facts.is_("deepseek")
        zai_or_zhipu = d.is_zai or d.is_zhipu
        supports_zai_effort = zai_or_zhipu and facts.is_("glm") and facts.rev_gte("5.2")
        is_non_standard = (
            is_cerebras
            or is_grok
            or is_mistral
            or url("googleAistudio")
            or url("chutes")
            or url("deepseekFamily")
            or is_fireworks
            or is_alibaba
            or zai_or_zhipu
            or host("kilo")
            or is_qwen
            or is_xiaomi_host
            or d.is_moonshot_native
            or d.is_opencode_host
        )
        use_max_tokens = (
            is_mistral
            or d.is_moonshot_native
            or zai_or_zhipu
            or url("chutes")
            or is_fireworks
            or d.is_direct_deepseek_api
        )
        breakpoints = (
            _official_openai_endpoint(provider, base_url) and facts.is_("openai") and facts.rev_gte("5.6")
        )
        multiple_system_messages = (
            not host("minimax")
            and not is_alibaba
            and not host("qwenPortal")
            and not is_qwen
            and (
                is_openai_host
                or is_azure_host
                or d.is_openrouter
                or is_cerebras
                or host("together")
                or is_fireworks
                or host("groq")
                or is_deepseek_family
                or is_mistral
                or is_grok
                or zai_or_zhipu
                or provider in ("github-copilot", "zenmux")
            )
        )
        stream_idle: Any = UNDEFINED
        if (
            facts.is_("glm")
            and facts.rev_gte("5")
            and not facts.family("vision")
            and (url("zai") or url("zhipu") or url("opencode"))
        ):
            stream_idle = _GLM_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS
        elif (
            (facts.is_("mimo") and url("xiaomi"))
            or (
                reasoning_capable
                and facts.is_("kimi")
                and (facts.family("k3") or facts.family("k2.7-code"))
                and url("moonshotNative")
            )
            or (reasoning_capable and facts.is_("deepseek") and url("deepseekDirect"))
        ):
            stream_idle = 300_000  # first-party Xiaomi, Kimi K3/K2.7-Code and DeepSeek watchdogs
        elif d.is_local_serving:
            stream_idle = _LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS
        thinking_format = self._completions_thinking_format(base_url, facts, is_qwen, is_fireworks)
        if d.is_cline_pass:
            disable_mode = "cline-enabled-false"
        elif d.is_venice:
            disable_mode = "venice-disable-thinking"
        else:
            disable_mode = _reasoning_disable_mode(thinking_format)
        qwen_dialect = thinking_format in ("qwen", "qwen-chat-template")
        baseline: dict[str, Any] = {
            "supportsStore": not is_non_standard,
            "supportsDeveloperRole": is_openai_host or is_azure_host,
            "supportsMultipleSystemMessages": multiple_system_messages,
            "supportsReasoningEffort": not is_grok
            and not d.is_xiaomi_mimo
            and (not zai_or_zhipu or supports_zai_effort),
            "supportsReasoningParams": provider != "github-copilot",
            "supportsSamplingParams": not (
                facts.is_("openai") and (facts.family("o-series") or facts.rev_gte("5"))
            ),
            "supportsPenaltyAndStopParams": not (is_grok and reasoning_capable),
            "reasoningEffortMap": {},
            "supportsUsageInStreaming": not is_cerebras_host,
            "alwaysSendMaxTokens": facts.is_("kimi"),
            "disableReasoningOnForcedToolChoice": not d.is_cline_pass
            and ((facts.is_("kimi") and not (is_moonshot_kimi and facts.family("k3"))) or is_anthropic_model),
            "disableReasoningOnToolChoice": not d.is_cline_pass
            and is_deepseek_family
            and reasoning_capable
            and not d.is_openrouter,
            "disableReasoningWithTools": False,
            "supportsToolChoice": d.is_cline_pass or not d.is_direct_deepseek_reasoning,
            "supportsForcedToolChoice": not d.requires_enabled_thinking
            and not (d.is_opencode_host and d.is_deepseek_reasoning)
            and not (d.is_cline_pass and is_qwen),
            "supportsNamedToolChoice": True,
            "maxTokensField": "max_tokens" if use_max_tokens else "max_completion_tokens",
            "requiresToolResultName": is_mistral,
            "requiresAssistantAfterToolResult": is_mistral,
            "requiresThinkingAsText": is_mistral,
            "requiresMistralToolIds": is_mistral,
            "thinkingFormat": thinking_format,
            "kimiApiFormat": UNDEFINED,
            "reasoningDisableMode": disable_mode,
            "omitReasoningEffort": False,
            "includeEncryptedReasoning": True,
            "filterReasoningHistory": d.is_openrouter and is_anthropic_model,
            "thinkingKeep": "all" if is_moonshot_kimi and facts.family("k2.6") else UNDEFINED,
            "reasoningContentField": "reasoning" if d.is_cline_pass else "reasoning_content",
            "requiresReasoningContentForToolCalls": (facts.is_("kimi") and not d.is_opencode_provider)
            or (is_deepseek_family and reasoning_capable)
            or d.is_xiaomi_mimo
            or (d.is_openrouter and reasoning_capable),
            "requiresReasoningContentForAllAssistantTurns": (
                (is_deepseek_family and reasoning_capable) or d.is_xiaomi_mimo
            )
            and not d.is_openrouter,
            "allowsSyntheticReasoningContentForToolCalls": (not is_deepseek_family or not reasoning_capable)
            and not d.is_xiaomi_mimo,
            "replayReasoningContent": d.is_local_backend,
            "qwenPreserveThinking": qwen_dialect and d.is_local_backend,
            # 18.2.11: a reviewed backend x model contract in the rules, false until one says so.
            "qwenTemplateReasoningEffort": not self.code.template_effort_from_rules
            and qwen_dialect
            and d.is_local_backend
            and provider != "ollama"
            and is_qwen
            and facts.rev_gte("3.8"),
            "requiresAssistantContentForToolCalls": facts.is_("kimi") or d.is_direct_deepseek_reasoning,
            "cacheControlFormat": "anthropic"
            if (d.is_cline_pass and (is_qwen or is_anthropic_model))
            or (d.is_openrouter and is_anthropic_model)
            else UNDEFINED,
            "supportsPromptCacheBreakpoints": breakpoints,
            "promptCacheBreakpointTtl": "30m" if breakpoints else UNDEFINED,
            "openRouterRouting": UNDEFINED,
            "vercelGatewayRouting": UNDEFINED,
            "isOpenRouterHost": d.is_openrouter,
            "wireModelIdMode": "openrouter" if url("openrouter") else "raw",
            "isVercelGatewayHost": host("vercelAIGateway"),
            "supportsStrictMode": any(
                url(name)
                for name in ("openai", "azureOpenAI", "cerebras", "together", "openrouter", "deepseekFamily")
            ),
            "extraBody": UNDEFINED,
            "toolStrictMode": "all_strict" if is_cerebras_host else "mixed",
            "toolSchemaFlavor": "moonshot-mfjs"
            if d.is_moonshot_native or facts.is_("kimi")
            else "grammar"
            if d.is_local_backend
            else UNDEFINED,
            "streamFirstEventTimeoutMs": 0 if d.is_local_serving else UNDEFINED,
            "streamIdleTimeoutMs": stream_idle,
            "stripDeepseekSpecialTokens": facts.is_("deepseek") and provider in ("nvidia", "deepseek"),
            "streamMarkupHealingPattern": _stream_markup_healing(
                provider, facts, base_url, self._dsml_providers
            ),
            "reasoningDeltasMayBeCumulative": False,
            "emptyLengthFinishIsContextError": False,
            "usesOpenAIToolCallIdLimit": False,
            "promptCacheSessionHeader": "x-grok-conv-id" if url("xai") else UNDEFINED,
            "dropThinkingWhenReasoningEffort": False,
            "nativeKimiK3Reasoning": False,
            "zaiReasoningEffortDialect": False,
            # 18.2.11: a local server rejects a max-tokens request above the model's own limit.
            "clampOutputToModelMax": self.code.clamp_local_output and d.is_local_backend,
            "stripImageInput": False,
            "thinkingLoopGuard": UNDEFINED,
            "rejectRootObjectUnion": False,
            "retryWithoutStrictOnGrammarError": False,
            "supportsPromptCacheKey": False,
        }
        return self._release_keys(baseline)

    def _completions_thinking_format(
        self, base_url: Any, facts: _Facts, is_qwen: bool, is_fireworks: bool
    ) -> str:
        def url(name: str) -> bool:
            return self.host_matches_url(base_url, name)

        if (
            (facts.is_("kimi") and not facts.family("k3") and url("moonshotNative"))
            or url("zai")
            or url("zhipu")
            or (facts.is_("mimo") and url("xiaomi"))
        ):
            return "zai"
        if url("openrouter"):
            return "openrouter"
        if is_qwen and url("nvidia"):
            return "qwen-chat-template"
        if is_qwen and (is_fireworks or url("venice")):
            return "openai"
        if url("alibabaDashscope") or is_qwen:
            return "qwen"
        return "openai"

    def _completions_fixups(
        self,
        spec: Mapping[str, Any],
        compat: dict[str, Any],
        d: _Detection,
        axes: Axes,
        authored: Mapping[str, Any] | None,
    ) -> None:
        """``fixupOpenAICompat``: spec-undefined fix-ups and the ``whenThinking`` variant."""
        extra_body = compat.get("extraBody")
        deepseek_thinking = extra_body.get("thinking") if isinstance(extra_body, Mapping) else None
        if (
            d.is_direct_deepseek_reasoning
            and isinstance(deepseek_thinking, Mapping)
            and deepseek_thinking.get("type") == "enabled"
        ):
            assert isinstance(extra_body, Mapping)
            rest = {key: value for key, value in extra_body.items() if key != "thinking"}
            compat["extraBody"] = rest if rest else UNDEFINED
        if _get(authored, "reasoningDisableMode") is UNDEFINED and "reasoningDisableMode" not in axes.wire:
            if d.is_cline_pass:
                compat["reasoningDisableMode"] = "cline-enabled-false"
            elif d.requires_enabled_thinking:
                compat["reasoningDisableMode"] = "omit"
            elif d.is_direct_deepseek_reasoning:
                compat["reasoningDisableMode"] = "zai-thinking-disabled"
            elif d.is_venice:
                compat["reasoningDisableMode"] = "venice-disable-thinking"
            else:
                compat["reasoningDisableMode"] = _reasoning_disable_mode(compat.get("thinkingFormat"))
        _default_omit_reasoning_effort(compat, authored, axes)
        axis_when_thinking = (
            axes.wire.get("whenThinking") if _compat_reasoning(spec, axes, self.code) else None
        )
        if not isinstance(axis_when_thinking, Mapping):
            axis_when_thinking = None
        policy: Any = _get(authored, "whenThinking")
        if policy is UNDEFINED or policy is None:
            policy = axis_when_thinking
        if policy is None and d.is_direct_deepseek_reasoning:
            current = compat.get("extraBody")
            policy = {
                "extraBody": {
                    **(dict(current) if isinstance(current, Mapping) else {}),
                    "thinking": {"type": "enabled"},
                }
            }
        if _js_truthy(policy):
            variant = {**copy.deepcopy(compat), "whenThinking": UNDEFINED}
            _apply_overrides(variant, policy if isinstance(policy, Mapping) else None)
            if _get(policy, "reasoningDisableMode") is UNDEFINED:
                variant["reasoningDisableMode"] = (
                    "venice-disable-thinking"
                    if d.is_venice
                    else _reasoning_disable_mode(variant.get("thinkingFormat"))
                )
            if _get(policy, "omitReasoningEffort") is UNDEFINED and not _js_truthy(
                variant.get("supportsReasoningEffort")
            ):
                variant["omitReasoningEffort"] = True
            compat["whenThinking"] = variant
        else:
            compat["whenThinking"] = UNDEFINED

    def _responses_policy(
        self,
        spec: Mapping[str, Any],
        facts: _Facts,
        axes: Axes,
        api: str,
        authored: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """``resolveOpenAIResponsesPolicy``."""
        base_url = spec.get("baseUrl") or ""
        provider = str(spec.get("provider"))

        def host(name: str) -> bool:
            return self.model_matches_host(provider, base_url, name)

        def url(name: str) -> bool:
            return self.host_matches_url(base_url, name)

        is_azure, is_openrouter, is_openai_url, is_xai = (
            host("azureOpenAI"),
            host("openrouter"),
            url("openai"),
            host("xai"),
        )
        breakpoints = (
            _official_openai_endpoint(provider, base_url) and facts.is_("openai") and facts.rev_gte("5.6")
        )
        thinking_format = "openrouter" if is_openrouter else "openai"
        reasoning_capable = _compat_reasoning(spec, axes, self.code)
        backend = self._backend_provider(spec)
        local_serving = (
            backend not in _PROXY_OPENAI_COMPAT_PROVIDERS and backend in _LOCAL_OPENAI_COMPAT_PROVIDERS
        ) or _loopback_hostname(base_url)
        is_anthropic_model, is_deepseek = facts.is_("anthropic"), facts.is_("deepseek")
        compat: dict[str, Any] = {
            "supportsDeveloperRole": is_azure or is_openai_url or url("githubCopilot"),
            "supportsStrictMode": is_azure
            or any(
                url(name)
                for name in ("openai", "azureOpenAI", "cerebras", "together", "openrouter", "deepseekFamily")
            ),
            "supportsReasoningEffort": not is_xai,
            "supportsLongPromptCacheRetention": is_openai_url,
            "supportsPromptCacheBreakpoints": breakpoints,
            "promptCacheBreakpointTtl": "30m" if breakpoints else UNDEFINED,
            "strictResponsesPairing": is_azure or provider == "github-copilot",
            "supportsImageDetailOriginal": not is_xai and not host("githubCopilot"),
            "supportsReasoningSummary": not is_xai,
            "supportsAllTurnsReasoningContext": False,
            "supportsConfigurationUpdate": False,
            "requiresReasoningOffJuiceInstruction": False,
            "stripImageInput": False,
            "thinkingLoopGuard": UNDEFINED,
            "reasoningEffortMap": {},
            "supportsReasoningParams": True,
            "supportsSamplingParams": not (
                facts.is_("openai") and (facts.family("o-series") or facts.rev_gte("5"))
            ),
            "supportsPenaltyAndStopParams": not is_xai,
            "thinkingFormat": thinking_format,
            "reasoningDisableMode": _reasoning_disable_mode(thinking_format),
            "omitReasoningEffort": False,
            "includeEncryptedReasoning": True,
            "filterReasoningHistory": is_openrouter and is_anthropic_model,
            "disableReasoningOnForcedToolChoice": facts.is_("kimi"),
            "disableReasoningOnToolChoice": is_deepseek and reasoning_capable and not is_openrouter,
            "disableReasoningWithTools": False,
            "supportsToolChoice": True,
            "supportsForcedToolChoice": provider not in ("opencode-go", "opencode-zen"),
            "supportsNamedToolChoice": True,
            "reasoningContentField": "reasoning_content",
            "requiresReasoningContentForToolCalls": (
                facts.is_("kimi")
                or (is_deepseek and reasoning_capable)
                or (is_openrouter and reasoning_capable)
            )
            and reasoning_capable,
            "requiresReasoningContentForAllAssistantTurns": is_deepseek
            and reasoning_capable
            and not is_openrouter,
            "allowsSyntheticReasoningContentForToolCalls": not is_deepseek or not reasoning_capable,
            "replayReasoningContent": False,
            "qwenPreserveThinking": False,
            "qwenTemplateReasoningEffort": False,
            "requiresThinkingAsText": False,
            "requiresMistralToolIds": False,
            "requiresToolResultName": False,
            "requiresAssistantAfterToolResult": False,
            "requiresAssistantContentForToolCalls": facts.is_("kimi"),
            "openRouterRouting": UNDEFINED,
            "vercelGatewayRouting": UNDEFINED,
            "isOpenRouterHost": is_openrouter,
            "isVercelGatewayHost": host("vercelAIGateway"),
            "wireModelIdMode": "openrouter" if is_openrouter else "raw",
            "toolSchemaFlavor": "moonshot-mfjs" if facts.is_("kimi") else UNDEFINED,
            "alwaysSendMaxTokens": facts.is_("kimi"),
            # 18.2.11: as the chat-completions baseline, but a proxy on loopback is not clamped.
            "clampOutputToModelMax": self.code.clamp_local_output
            and backend not in _PROXY_OPENAI_COMPAT_PROVIDERS
            and (backend in _LOCAL_OPENAI_COMPAT_PROVIDERS or _loopback_hostname(base_url)),
            "supportsObfuscationOptOut": is_openai_url or provider == "openai",
            "officialEndpoint": _official_openai_endpoint(provider, base_url),
            "harmonyLeakMitigation": False,
            "rejectRootObjectUnion": False,
            "retryWithoutStrictOnGrammarError": False,
            "cacheControlFormat": "anthropic" if is_openrouter and is_anthropic_model else UNDEFINED,
            "stripDeepseekSpecialTokens": is_deepseek and provider in ("nvidia", "deepseek"),
            "streamMarkupHealingPattern": _stream_markup_healing(
                provider, facts, base_url, self._dsml_providers
            ),
            "reasoningDeltasMayBeCumulative": False,
            "emptyLengthFinishIsContextError": False,
            "usesOpenAIToolCallIdLimit": False,
            "promptCacheSessionHeader": "x-grok-conv-id" if url("xai") else UNDEFINED,
            "streamFirstEventTimeoutMs": 0 if local_serving else _get(authored, "streamFirstEventTimeoutMs"),
            "streamIdleTimeoutMs": _LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS
            if local_serving
            else _get(authored, "streamIdleTimeoutMs"),
        }
        self._release_keys(compat)
        self._apply_wire_axes(compat, axes.wire, api)
        _apply_overrides(compat, authored)
        _overlay_effort_map_axis(compat, axes, authored)
        if is_xai and "reasoningEffortMap" in axes.wire:
            # The rules' canonical first-party xAI map wins; clamp keys it does not declare go.
            canonical = _effort_record(axes.wire["reasoningEffortMap"]) or {}
            current = compat.get("reasoningEffortMap")
            merged = {**(dict(current) if isinstance(current, Mapping) else {}), **canonical}
            for key in ("xhigh", "max"):
                if key not in canonical:
                    merged.pop(key, None)
            compat["reasoningEffortMap"] = merged
        if _get(authored, "reasoningDisableMode") is UNDEFINED and "reasoningDisableMode" not in axes.wire:
            compat["reasoningDisableMode"] = _reasoning_disable_mode(compat.get("thinkingFormat"))
        _default_omit_reasoning_effort(compat, authored, axes)
        if (
            provider == "xai-oauth"
            and axes.wire.get("supportsReasoningEffort") is True
            and _get(authored, "supportsReasoningEffort") is not False
        ):
            # Stale cached rows: the rules are the live wire contract.
            compat["supportsReasoningEffort"] = True
            compat["omitReasoningEffort"] = False
        return compat

    # -- thinking ---------------------------------------------------------------------------------

    def decide(self, spec: Mapping[str, Any]) -> ThinkingDecision:
        """``buildModel``'s ``thinking`` and ``reasoning`` for one model spec.

        ``spec`` is the model as OMP builds it: ``id``, ``provider``, ``api``, ``baseUrl``,
        ``reasoning``, ``thinking`` and ``compat`` (the authored compat, OMP's ``compatConfig``).
        """
        if not isinstance(spec.get("api"), str):
            # OMP's schema rejects such a file; what the merge shows of it gets no resolved compat.
            spec = {**spec, "api": ""}
        model_id = str(spec.get("id", ""))
        provider = str(spec.get("provider", ""))
        identity = self.classify(provider, model_id)
        facts = _Facts(identity)
        target = Target(
            provider=self._backend_provider(spec),
            api=str(spec.get("api")),
            cls=identity.cls,
            model=model_id,
            reasoning=_js_truthy(spec.get("reasoning")),
            family=identity.family,
            revision=identity.revision,
        )
        axes = self.cascade(target)
        rule = _read_rule_thinking(axes.thinking)
        compat = self.resolve_compat(spec, facts, axes)
        thinking = self._thinking(spec, facts, rule, compat)
        reasoning = spec.get("reasoning")
        if self.code.thinking_upgrade and not _js_truthy(reasoning):
            reasoning = thinking is not None
        return ThinkingDecision(
            thinking=defined(thinking),
            reasoning=reasoning,
            compat=defined(compat),
            catalog=axes.catalog,
        )

    def _backend_provider(self, spec: Mapping[str, Any]) -> str:
        """The provider whose rules and local-server facts apply: 18.2.11's ``spec.providerType ??
        spec.provider`` (a discovered model keeps its credential provider id and names the backend
        type it was discovered as), before that the provider id."""
        provider_type = spec.get("providerType")
        if self.code.provider_type and isinstance(provider_type, str):
            return provider_type
        return str(spec.get("provider", ""))

    def apply_catalog_axes(self, model: dict[str, Any], catalog: Mapping[str, Any], now_ms: float) -> None:
        """:func:`apply_catalog_axes` as this release's ``build.ts`` applies them."""
        apply_catalog_axes(model, catalog, now_ms, self.code.catalog_flags)

    def _thinking(
        self,
        spec: Mapping[str, Any],
        facts: _Facts,
        rule: Mapping[str, Any],
        compat: Mapping[str, Any] | None,
    ) -> dict[str, Any] | None:
        """``resolveThinkingPolicy``."""
        thinking = spec.get("thinking")
        explicit = (
            thinking
            if isinstance(thinking, Mapping)
            and isinstance(thinking.get("efforts"), list)
            and thinking["efforts"]
            else None
        )
        if not _js_truthy(spec.get("reasoning")) and (
            not self.code.thinking_upgrade or explicit is not None or rule.get("upgradeNeutral") is not True
        ):
            return None
        if (
            spec.get("provider") == "cline-pass"
            and compat is not None
            and compat.get("supportsReasoningEffort", 0) is False
        ):
            return None
        if (
            spec.get("api") in _RESPONSES_APIS
            and compat is not None
            and compat.get("supportsReasoningEffort", 0) is False
        ):
            return None
        if explicit is not None:
            return self._fill_explicit(spec, facts, compat, explicit, rule)
        if compat is not None and compat.get("trustExplicitThinkingOnly") is True:
            return None
        config: dict[str, Any] = {
            "mode": rule.get("mode") or _default_mode(spec, facts),
            "efforts": list(rule.get("efforts") or _fallback_efforts(spec, compat)),
        }
        if "defaultLevel" in rule:
            config["defaultLevel"] = rule["defaultLevel"]
        effort_map = self._merge_effort_map(spec, rule.get("effortMap"), compat, config["efforts"])
        if effort_map is not None:
            config["effortMap"] = effort_map
        if "effortBudgets" in rule:
            config["effortBudgets"] = dict(rule["effortBudgets"])
        supports_display = rule.get("supportsDisplay")
        if supports_display is None:
            supports_display = _default_supports_display(spec, facts)
        if supports_display:
            config["supportsDisplay"] = True
        if rule.get("prefixBinding"):
            config["prefixBinding"] = True
        if self._requires_effort(spec, facts, rule, compat):
            config["requiresEffort"] = True
        if rule.get("suppressWhenOff"):
            config["suppressWhenOff"] = True
        return config

    def _fill_explicit(
        self,
        spec: Mapping[str, Any],
        facts: _Facts,
        compat: Mapping[str, Any] | None,
        thinking: Mapping[str, Any],
        rule: Mapping[str, Any],
    ) -> dict[str, Any]:
        """``fillExplicitThinking``: the explicit thinking, its absent fields filled."""
        efforts = thinking["efforts"]
        effort_map = (
            self._merge_effort_map(spec, rule.get("effortMap"), compat, efforts)
            if "effortMap" not in thinking
            else None
        )
        display = rule.get("supportsDisplay")
        if display is None:
            display = _default_supports_display(spec, facts)
        needs_display = "supportsDisplay" not in thinking and bool(display)
        # `=== undefined` in OMP: a key written as null counts as set.
        needs_requires_effort = "requiresEffort" not in thinking and self._requires_effort(
            spec, facts, rule, compat
        )
        needs_default_level = "defaultLevel" not in thinking and "defaultLevel" in rule
        needs_prefix_binding = "prefixBinding" not in thinking and rule.get("prefixBinding") is True
        filled = dict(thinking)
        if effort_map is not None:
            filled["effortMap"] = effort_map
        if needs_display:
            filled["supportsDisplay"] = True
        if needs_default_level:
            filled["defaultLevel"] = rule["defaultLevel"]
        if needs_requires_effort:
            filled["requiresEffort"] = True
        if needs_prefix_binding:
            filled["prefixBinding"] = True
        return filled

    def _requires_effort(
        self,
        spec: Mapping[str, Any],
        facts: _Facts,
        rule: Mapping[str, Any],
        compat: Mapping[str, Any] | None,
    ) -> bool:
        """The rule's ``requiresEffort``, else the identity default (a thinking variant, a bounded
        pair token in the id: ``impliesMandatoryReasoning``) or a Qwen template taking the effort."""
        if "requiresEffort" in rule:
            return bool(rule["requiresEffort"])
        model_id = str(spec.get("id", ""))
        mandatory = (
            facts.identity.thinking_variant or self.strip_thinking_variant_suffix(model_id) is not None
        )
        return mandatory or _qwen_template(compat)

    def _merge_effort_map(
        self,
        spec: Mapping[str, Any],
        rule_map: Mapping[str, Any] | None,
        compat: Mapping[str, Any] | None,
        efforts: Iterable[Any],
    ) -> dict[str, Any] | None:
        detected = (
            _FIREWORKS_THINKING_EFFORT_MAP
            if spec.get("api") in _COMPLETIONS_APIS
            and self.model_matches_host(str(spec.get("provider")), spec.get("baseUrl") or "", "fireworks")
            else None
        )
        configured = None
        if compat is not None and "reasoningEffortMap" in compat:
            value = compat["reasoningEffortMap"]
            if _js_truthy(value) and isinstance(value, Mapping) and value:
                configured = value
        if detected is None and rule_map is None and configured is None:
            return None
        merged = {**(detected or {}), **(rule_map or {}), **(configured or {})}
        filtered: dict[str, Any] | None = None
        for effort in efforts:
            if not isinstance(effort, str) or effort not in merged:
                continue
            filtered = filtered if filtered is not None else {}
            filtered[effort] = merged[effort]
        return filtered


def _contest(
    winners: dict[str, tuple[tuple[int, int, int], _Rule]],
    axes: Mapping[str, Any] | None,
    rank: tuple[int, int, int],
    rule: _Rule,
    target: Target,
) -> None:
    if not axes:
        return
    for axis in axes:
        held = winners.get(axis)
        if held is not None:
            if held[0] == rank:
                raise RuleEngineError(
                    f"ambiguous overlap for `{target.provider}/{target.model}` on axis `{axis}`: rules "
                    f"`{held[1].compiled.get('source')}` and `{rule.compiled.get('source')}` tie"
                )
            if held[0] > rank:
                continue
        winners[axis] = (rank, rule)


def _js_truthy(value: Any) -> bool:
    if value is None or value is False or value is UNDEFINED:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and value == value  # NaN is falsy
    if isinstance(value, str):
        return value != ""
    return True


def _effort_list(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value:
        return None
    return list(value) if all(isinstance(entry, str) and entry in EFFORTS for entry in value) else None


def _effort_record(value: Any, kind: type = str) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    out = {
        key: mapped
        for key, mapped in value.items()
        if key in EFFORTS and isinstance(mapped, kind) and not isinstance(mapped, bool)
    }
    return out or None


def _read_rule_thinking(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``readRuleThinking``: the thinking axes, each kept only when well formed."""
    out: dict[str, Any] = {}
    if raw.get("mode") in _THINKING_MODES:
        out["mode"] = raw["mode"]
    efforts = _effort_list(raw.get("efforts"))
    if efforts is not None:
        out["efforts"] = efforts
    if raw.get("defaultLevel") in EFFORTS:
        out["defaultLevel"] = raw["defaultLevel"]
    effort_map = _effort_record(raw.get("effortMap"))
    if effort_map is not None:
        out["effortMap"] = effort_map
    budgets = _effort_record(raw.get("effortBudgets"), int | float)  # type: ignore[arg-type]
    if budgets is not None:
        out["effortBudgets"] = budgets
    for key in ("requiresEffort", "suppressWhenOff", "supportsDisplay", "prefixBinding", "upgradeNeutral"):
        if isinstance(raw.get(key), bool):
            out[key] = raw[key]
    return out


def _default_mode(spec: Mapping[str, Any], facts: _Facts) -> str:
    """``defaultThinkingMode``: the identity/api default control mode."""
    api = spec.get("api")
    if api in _GOOGLE_APIS:
        return "google-level" if facts.is_("gemini") and facts.rev_major() == 3 else "budget"
    if api == "anthropic-messages":
        if facts.is_("minimax") and facts.family("m2", "m3"):
            return "anthropic-adaptive"
        if facts.is_("glm") and facts.rev_gte("5.2") and spec.get("provider") in ("umans", "zai"):
            return "anthropic-budget-effort"
        if facts.is_("anthropic"):
            if facts.rev_gte("4.6") and not facts.family("haiku"):
                return "anthropic-adaptive"
            if facts.family("opus") and facts.rev_gte("4.5"):
                return "anthropic-budget-effort"
        return "budget"
    if api == "bedrock-converse-stream":
        if facts.is_("anthropic"):
            if facts.anthropic_adaptive_gen_at_least("4.6"):
                return "anthropic-adaptive"
            if facts.family("opus") and facts.rev_gte("4.5"):
                return "anthropic-budget-effort"
        if facts.is_("openai"):
            return "effort"
        return "budget"
    return "effort"


def _fallback_efforts(spec: Mapping[str, Any], compat: Mapping[str, Any] | None) -> tuple[str, ...]:
    """``fallbackEfforts``: the api/compat ladder for targets no rule covered."""
    api = spec.get("api")
    if api == "anthropic-messages":
        return _DEFAULT_EFFORTS_WITH_XHIGH
    if api == "bedrock-converse-stream":
        return _DEFAULT_EFFORTS
    if api in _COMPLETIONS_APIS and compat is not None and "thinkingFormat" in compat:
        if compat["thinkingFormat"] == "openai" and _js_truthy(compat.get("supportsReasoningEffort")):
            return _DEFAULT_EFFORTS_WITH_XHIGH
        return _DEFAULT_EFFORTS
    if api in _RESPONSES_APIS:
        return _DEFAULT_EFFORTS_WITH_XHIGH
    return _DEFAULT_EFFORTS


def _default_supports_display(spec: Mapping[str, Any], facts: _Facts) -> bool:
    return spec.get("api") in ("anthropic-messages", "bedrock-converse-stream") and (
        facts.anthropic_adaptive_gen_at_least("4.7")
    )


def _qwen_template(compat: Mapping[str, Any] | None) -> bool:
    return compat is not None and compat.get("qwenTemplateReasoningEffort") is True


@cache
def load_rule_engine(version: str) -> RuleEngine:
    """The rule engine over one OMP release's generated tables (``rule-engine-<version>.json.gz``)."""
    resource = resources.files("catalogmgr").joinpath("omp", "data", f"rule-engine-{version}.json.gz")
    tables = json.loads(gzip.decompress(resource.read_bytes()).decode("utf-8"))
    return RuleEngine(tables)


# -- catalog-data axes (build.ts applyCatalogAssignments / applyCatalogCorrections) ------------------

_CATALOG_FLAGS = (_CURSOR_FLAG, _IMAGE_HOISTING_FLAG, _ASSISTANT_PREFILL_FLAG)
_COST_KEYS = ("input", "output", "cacheRead", "cacheWrite")


def _number_field(source: Mapping[str, Any], key: str) -> float | int | None:
    value = source.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _js_number(value: float) -> float | int:
    """A product as JSON carries it: JavaScript has one number type (``3.0`` prints ``3``)."""
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def apply_catalog_axes(
    model: dict[str, Any],
    catalog: Mapping[str, Any],
    now_ms: float,
    flags: Sequence[str] = _CATALOG_FLAGS,
) -> None:
    """``applyCatalogAssignments`` then ``applyCatalogCorrections`` on a built model (in place):
    rule-owned selection metadata, then reviewed price, limit and modality corrections.
    ``flags``: the rule-owned flags the release's code sets or deletes (``CompatCode.catalog_flags``;
    :meth:`RuleEngine.apply_catalog_axes` passes its release's)."""
    _catalog_assignments(model, catalog, flags)
    _catalog_corrections(model, catalog, now_ms)


# types.ts MODEL_KINDS and build.ts's web-search backends (18.2.11's `kind` / `web-search` axes; no
# older release's rules assign them).
_MODEL_KINDS = ("chat", "tiny", "image", "tts", "stt", "search", "judge", "embedding", "rerank", "video")
_WEB_SEARCH_BACKENDS = ("gemini", "anthropic", "codex", "xai", "openrouter")


def _catalog_assignments(model: dict[str, Any], catalog: Mapping[str, Any], flags: Sequence[str]) -> None:
    if catalog.get("kind") in _MODEL_KINDS:
        model["kind"] = catalog["kind"]
    if catalog.get("webSearch") in _WEB_SEARCH_BACKENDS:
        model["webSearch"] = catalog["webSearch"]
    tier = catalog.get("serviceTierCost")
    if isinstance(tier, Mapping):
        flex, priority_tier = _number_field(tier, "flex"), _number_field(tier, "priority")
        model["serviceTierCost"] = {
            **({"flex": flex} if flex is not None else {}),
            **({"priority": priority_tier} if priority_tier is not None else {}),
        }
    priority = catalog.get("priority")
    if isinstance(priority, int | float) and not isinstance(priority, bool):
        model["priority"] = priority
    if catalog.get("applyPatchToolType") in ("freeform", "function"):
        model["applyPatchToolType"] = catalog["applyPatchToolType"]
    if catalog.get("editPromptVariant") in ("full", "compact"):
        model["editPromptVariant"] = catalog["editPromptVariant"]
    for flag in flags:
        if catalog.get(flag) is True:
            model[flag] = True
        else:
            model.pop(flag, None)
    target = catalog.get("contextPromotionTarget")
    if isinstance(target, str) and model.get("contextPromotionTarget") is None:
        model["contextPromotionTarget"] = target


def _has_token_price(cost: Mapping[str, Any]) -> bool:
    return any(cost.get(key) != 0 for key in _COST_KEYS)


def _catalog_corrections(model: dict[str, Any], catalog: Mapping[str, Any], now_ms: float) -> None:
    if isinstance(model.get("cost"), Mapping):
        model["cost"] = _cost_corrections(dict(model["cost"]), catalog, now_ms)
    limits = catalog.get("limitsPatch")
    if isinstance(limits, Mapping):
        for key in ("contextWindow", "maxTokens"):
            value = _number_field(limits, key)
            if value is not None:
                model[key] = value
    floor = catalog.get("contextWindowFloor")
    if isinstance(floor, int | float) and not isinstance(floor, bool):
        current = model.get("contextWindow")
        model["contextWindow"] = max(current if isinstance(current, int | float) else 0, floor)
    modalities = catalog.get("inputModalities")
    if isinstance(modalities, list) and all(entry in ("text", "image") for entry in modalities):
        model["input"] = list(modalities)


def _cost_corrections(cost: dict[str, Any], catalog: Mapping[str, Any], now_ms: float) -> dict[str, Any]:
    """The price corrections: long-context tier, ``cost-patch``, ``cost-fallback``, time-based."""
    long_context = catalog.get("longContext")
    if isinstance(long_context, Mapping):
        threshold = _number_field(long_context, "inputThreshold")
        multiplier = _number_field(long_context, "multiplier")
        rates = {key: _number_field(long_context, key) for key in _COST_KEYS}
        prices = [cost.get(key, 0) for key in _COST_KEYS]
        numeric = all(isinstance(price, int | float) and not isinstance(price, bool) for price in prices)
        if threshold is not None and multiplier is not None and numeric and _has_token_price(cost):
            # Multiplier form: tier rates derive from the row's live list price.
            tier: dict[str, Any] = {"inputThreshold": threshold}
            if long_context.get("inputThresholdInclusive") is True:
                tier["inputThresholdInclusive"] = True
            for key in _COST_KEYS:
                tier[key] = _js_number(cost.get(key, 0) * multiplier)
            cost = {**cost, "longContext": tier}
        elif threshold is not None and all(rate is not None for rate in rates.values()):
            cost = {**cost, "longContext": {"inputThreshold": threshold, **rates}}
    patch = catalog.get("costPatch")
    if isinstance(patch, Mapping):
        cost = {
            **cost,
            **{key: value for key in _COST_KEYS if (value := _number_field(patch, key)) is not None},
        }
    fallback = catalog.get("costFallback")
    if isinstance(fallback, Mapping) and not _has_token_price(cost):
        # Plan-included or promo-free rows: seed the reviewed list price.
        cost = {
            **cost,
            **{key: value for key in _COST_KEYS if (value := _number_field(fallback, key)) is not None},
        }
        _effective_fallback_rates(cost, fallback.get("effectiveRates"), now_ms)
    if "timeBased" in catalog:
        cost = {**cost, "timeBased": materialize_time_based_cost(catalog["timeBased"])}
    return cost


def _iso_ms(value: str) -> float | None:
    """``Date.parse`` of an ISO-8601 UTC timestamp, in milliseconds (None: not one)."""
    from datetime import datetime

    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp() * 1000


def _effective_fallback_rates(cost: dict[str, Any], effective: Any, now_ms: float) -> None:
    """``applyEffectiveFallbackRates``: the latest dated card already due overwrites the seed."""
    if not isinstance(effective, Mapping):
        return
    latest_from = float("-inf")
    latest: Mapping[str, Any] | None = None
    for entry in effective.values():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("effectiveFrom"), str):
            continue
        start = _iso_ms(entry["effectiveFrom"])
        if start is None or start > now_ms or start < latest_from:
            continue
        latest_from, latest = start, entry
    if latest is not None:
        for key in _COST_KEYS:
            value = _number_field(latest, key)
            if value is not None:
                cost[key] = value


_ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def _payload(value: Any, keys: Sequence[str], what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or any(key not in keys for key in value):
        raise RuleEngineError(f"Invalid time-based-cost {what}")
    return value


def _named(value: Any, what: str) -> list[Any]:
    if not isinstance(value, Mapping):
        raise RuleEngineError(f"Invalid time-based-cost {what}: expected named objects")
    return list(value.values())


def materialize_time_based_cost(value: Any) -> dict[str, Any]:
    """``materializeTimeBasedCost`` (pricing.ts): KDL's named children as the runtime schedule."""
    source = _payload(value, ("offPeakMultiplier", "peakWindows", "effectiveRates"), "schedule")
    windows = []
    for entry in _named(source.get("peakWindows"), "peak-windows"):
        window = _payload(entry, ("weekdays", "startMinute", "endMinute"), "peak-window")
        weekdays = window.get("weekdays")
        if not isinstance(weekdays, str) or not re.fullmatch(r"[0-6](,[0-6])*", weekdays):
            raise RuleEngineError(
                "Invalid time-based-cost weekdays: expected comma-separated UTC weekday numbers"
            )
        windows.append({**window, "weekdays": [int(day) for day in weekdays.split(",")]})
    schedule: dict[str, Any] = {"offPeakMultiplier": source.get("offPeakMultiplier"), "peakWindows": windows}
    if source.get("effectiveRates") is not None:
        rates = []
        for entry in _named(source["effectiveRates"], "effective-rates"):
            rate = _payload(
                entry,
                ("effectiveFrom", "input", "output", "cacheRead", "cacheWrite", "longContext"),
                "effective-rate",
            )
            date = rate.get("effectiveFrom")
            start = _iso_ms(date) if isinstance(date, str) and _ISO_UTC.match(date) else None
            if start is None:
                raise RuleEngineError("Invalid time-based-cost effective-from: expected an ISO UTC timestamp")
            if rate.get("longContext") is not None:
                _payload(
                    rate["longContext"],
                    (
                        "inputThreshold",
                        "inputThresholdInclusive",
                        "input",
                        "output",
                        "cacheRead",
                        "cacheWrite",
                    ),
                    "long-context",
                )
            rates.append({**rate, "effectiveFrom": _js_number(start)})
        schedule["effectiveRates"] = rates
    return schedule
