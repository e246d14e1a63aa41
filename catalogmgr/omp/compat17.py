"""OMP 17.x's ``buildModel``: every model's resolved ``compat``, built in code at load.

OMP 17.x (pi-catalog ``src/build.ts``) passes every model through ``buildModel`` -- each bundled
``models.json`` row when the catalog loads, and again each model a provider override, a custom
definition, a ``modelOverrides`` entry or a llama.cpp fix-up rebuilds -- and sets::

    compat       = buildCompat(spec)        # the resolved record, per api (below)
    compatConfig = spec.compat              # the sparse authored compat, as written
    thinking     = resolveModelThinking(spec, compat)

``buildCompat`` dispatches on the api to one builder, ported here from 17.2.15's and 17.3.5's code:

- ``openai-completions``: ``buildOpenAICompat`` (``compat/openai.ts``): host facts (provider id or
  base-URL marker, :data:`KNOWN_HOSTS`), model-family facts (:mod:`catalogmgr.omp.identity17`),
  one detected record, the spec's compat assigned over the keys the record declares
  (``applyCompatOverrides``), then the fix-ups: direct DeepSeek's ``extraBody.thinking``, the
  ``reasoningDisableMode`` / ``omitReasoningEffort`` defaults, Kimi K3 / MiMo effort maps, and the
  ``whenThinking`` variant (a whole second record for thinking-engaged requests);
- ``openai-responses``, ``azure-openai-responses``, ``openai-codex-responses``:
  ``buildOpenAIResponsesCompat`` (17.3: xAI's ``/v1/responses`` rules by host, not only for
  ``xai-oauth``);
- ``openrouter``: the chat record plus the Responses-only keys (``buildOpenRouterCompat``);
- ``anthropic-messages``: ``buildAnthropicCompat`` (``compat/anthropic.ts``: official endpoint,
  signing proxies, Kimi mandatory thinking);
- ``bedrock-converse-stream``: ``buildBedrockCompat`` (``compat/bedrock.ts``: prompt-cache
  checkpoints per documented model id, the stream idle floor for reasoning models);
- ``devin-agent``: ``{trustExplicitThinkingOnly: true}`` (the spec's compat is not read);
- any other api: no compat (``undefined``).

JavaScript's ``undefined`` members are :data:`~catalogmgr.omp.rule_engine.UNDEFINED` while a record
is built (a declared key takes an override even when its detected value is undefined) and dropped
from the result, as ``JSON.stringify`` drops them. ``KNOWN_HOSTS`` is generated data
(``catalogmgr/omp/data/compat17-<release>.json``, ``scripts/generate_compat17_tables.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from catalogmgr.omp import identity17 as ids
from catalogmgr.omp.rule_engine import (
    _ANTHROPIC_SIGNING_PROXY_URLS,
    UNDEFINED,
    ThinkingDecision,
    _azure_anthropic_route,
    _includes_ascii_case_insensitive,
    _js_lower,
    _js_truthy,
    _loopback_hostname,
    _official_anthropic_url,
    _official_openai_endpoint,
    defined,
)
from catalogmgr.omp.thinking17 import derive_thinking_17, strip_thinking_variant_token_17

Record = dict[str, Any]


@dataclass(frozen=True)
class Code17:
    """What one 17.x release's compat code does where 17.2.15 and 17.3.5 differ (read in both)."""

    release: str
    # 17.3: xAI `/v1/responses` rules by host (paid `xai` too, not only `xai-oauth`): effort
    # capability, image detail, `supportsReasoningSummary`, penalties, the canonical effort map.
    xai_responses_by_host: bool
    # 17.3: chat-completions `supportsPenaltyAndStopParams` (off for xAI reasoning models).
    chat_penalty_params: bool
    # 17.2: `enableGeminiThinkingLoopGuard` on Gemini-family ids (dropped in 17.3).
    gemini_loop_guard: bool
    # 17.3: rolling OpenAI aliases (parseOpenAIModel) and `grok-4.6` effort capability.
    openai_aliases: bool
    grok_46: bool


CODE_17: Mapping[str, Code17] = {
    "17.2.15": Code17(
        "17.2.15",
        xai_responses_by_host=False,
        chat_penalty_params=False,
        gemini_loop_guard=True,
        openai_aliases=False,
        grok_46=False,
    ),
    "17.3.5": Code17(
        "17.3.5",
        xai_responses_by_host=True,
        chat_penalty_params=True,
        gemini_loop_guard=False,
        openai_aliases=True,
        grok_46=True,
    ),
}


@cache
def known_hosts(release: str) -> Mapping[str, Mapping[str, Any]]:
    """``KNOWN_HOSTS`` of one 17.x release (generated from its ``src/hosts.ts``)."""
    resource = resources.files("catalogmgr").joinpath("omp", "data", f"compat17-{release}.json")
    hosts: Mapping[str, Mapping[str, Any]] = json.loads(resource.read_text(encoding="utf-8"))["hosts"]
    return hosts


# -- small JavaScript semantics ------------------------------------------------------------------------


def _member(container: Any, key: str) -> Any:
    """``container?.[key]`` for the values a spec can hold: UNDEFINED unless it is a map with ``key``."""
    if isinstance(container, Mapping):
        return container.get(key, UNDEFINED)
    return UNDEFINED


def _spread(value: Any) -> Record:
    """``{...value}``: a map's members, a string's or a list's characters/items by index."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str | list):
        return {str(index): item for index, item in enumerate(value)}
    return {}


def _apply_overrides(compat: Record, overrides: Any) -> None:
    """``applyCompatOverrides``: each defined member of ``overrides`` whose key the record declares."""
    if not isinstance(overrides, Mapping):
        return  # `for in` over a string or a list yields indices no record declares
    for key, value in overrides.items():
        if value is not UNDEFINED and key in compat:
            compat[key] = value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# -- hosts.ts ------------------------------------------------------------------------------------------


class _Hosts:
    """``hostMatchesUrl`` / ``modelMatchesHost`` over one release's ``KNOWN_HOSTS``."""

    def __init__(self, release: str, provider: str, base_url: Any) -> None:
        self._hosts = known_hosts(release)
        self.provider = provider
        self.base_url = base_url

    def url(self, host: str) -> bool:
        """``hostMatchesUrl``: a marker anywhere in the base URL, ASCII-case-insensitively."""
        base_url = self.base_url
        if not isinstance(base_url, str) or not base_url:
            return False
        return any(
            _includes_ascii_case_insensitive(base_url, marker) for marker in self._hosts[host]["urlMarkers"]
        )

    def model(self, host: str) -> bool:
        """``modelMatchesHost``: the provider id, a provider-id prefix, or the URL."""
        spec = self._hosts[host]
        if self.provider in spec.get("providers", ()):
            return True
        if any(self.provider.startswith(prefix) for prefix in spec.get("providerPrefixes", ())):
            return True
        return self.url(host)


# -- compat/openai.ts ----------------------------------------------------------------------------------

_GLM_CODING_PLAN_MODEL = re.compile(r"(^|/)glm-5(?:[.-]|\Z)", re.A | re.I)
_KIMI_K27_CODE_MODEL = re.compile(
    r"(?:^|/)kimi[-._]?k2(?:[._-]?|p)7[-._]?code(?:[-._]?highspeed)?\Z", re.A | re.I
)
_KIMI_K27_CODE_NAME = re.compile(r"k2\.?7 code", re.A | re.I)
_KIMI_K2_HEALING = re.compile(r"kimi[-/_.]?k2", re.A | re.I)
_MINIMAX = re.compile(r"minimax", re.A | re.I)
_GLM_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS = 600_000
_DEEPSEEK_REASONING_STREAM_IDLE_TIMEOUT_MS = 300_000
_KIMI_REASONING_STREAM_IDLE_TIMEOUT_MS = 300_000
_XIAOMI_MIMO_STREAM_IDLE_TIMEOUT_MS = 300_000
_ALIBABA_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS = 600_000
_LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS = 300_000
_DSML_HEALING_PROVIDERS = frozenset(
    {"ollama", "ollama-cloud", "nvidia", "deepseek", "fireworks", "nanogpt", "opencode-go", "openrouter"}
)
_LOCAL_OPENAI_COMPAT_PROVIDERS = frozenset({"llama.cpp", "lm-studio", "vllm", "ollama"})
_STRING_ONLY_NAMED_TOOL_CHOICE_PROVIDERS = frozenset({"llama.cpp", "lm-studio"})
_PROXY_OPENAI_COMPAT_PROVIDERS = frozenset({"litellm"})
_STRICT_MODE_PROVIDERS = frozenset(
    {"openai", "openrouter", "cerebras", "together", "github-copilot", "zenmux"}
)
_STRICT_MODE_HOSTS = ("openai", "azureOpenAI", "cerebras", "together", "openrouter", "deepseekFamily")
# OPENCODE_WHEN_THINKING: OpenCode's gateways require reasoning_content replay when thinking is on.
_OPENCODE_WHEN_THINKING: Mapping[str, Any] = {
    "requiresReasoningContentForToolCalls": True,
    "allowsSyntheticReasoningContentForToolCalls": False,
    "reasoningContentField": "reasoning_content",
}
_KIMI_K3_REASONING_EFFORT_MAP = {"minimal": "low", "medium": "high", "xhigh": "max", "max": "max"}
_MIMO_REASONING_EFFORT_MAP = {"minimal": "low", "xhigh": "high"}
_XAI_RESPONSES_MINIMAL_EFFORT_MAP = {"minimal": "low"}
_XAI_RESPONSES_CLAMPED_EFFORT_MAP = {"minimal": "low", "xhigh": "high", "max": "high"}
# pickResponsesOnly: what the `openrouter` api takes from the Responses record (17.3: + summary).
_RESPONSES_ONLY_KEYS = (
    "supportsLongPromptCacheRetention",
    "strictResponsesPairing",
    "supportsImageDetailOriginal",
    "supportsObfuscationOptOut",
    "supportsReasoningSummary",
    "isVercelGatewayHost",
)


def _reasoning_disable_mode(thinking_format: Any) -> str:
    """``resolveReasoningDisableMode`` (17.x: no ``chat-template`` format yet)."""
    modes = {
        "openrouter": "openrouter-enabled-false",
        "zai": "zai-thinking-disabled",
        "kimi": "zai-thinking-disabled",
        "qwen": "qwen-enable-thinking-false",
        "qwen-chat-template": "qwen-template-false",
    }
    return (
        modes.get(thinking_format, "lowest-effort") if isinstance(thinking_format, str) else "lowest-effort"
    )


def _stream_markup_healing(provider: str, model_id: str, base_url: Any) -> Any:
    """``detectStreamMarkupHealingPattern``: Kimi / DSML grammars, none for official OpenAI."""
    if provider in ("kimi-code", "moonshot") or _KIMI_K2_HEALING.search(model_id):
        return "kimi"
    if ids.is_deepseek_model_id_or_name(model_id) and provider in _DSML_HEALING_PROVIDERS:
        return "dsml"
    if _official_openai_endpoint(provider, base_url):
        return UNDEFINED
    return "thinking"


def _official_prompt_cache_breakpoints(provider: str, model_id: str, base_url: Any, code: Code17) -> bool:
    """``supportsOfficialOpenAIPromptCacheBreakpoints``: GPT-5.6+ on the official endpoint."""
    return _official_openai_endpoint(provider, base_url) and ids.is_openai_at_least(
        model_id, "5.6", aliases=code.openai_aliases
    )


def _strict_mode_support(hosts: _Hosts) -> bool:
    """``detectStrictModeSupport``."""
    return hosts.provider in _STRICT_MODE_PROVIDERS or any(hosts.url(host) for host in _STRICT_MODE_HOSTS)


def _merge_model_reasoning_effort_map(compat: Record, model_id: str, mimo_effort_model: bool) -> None:
    """``mergeModelReasoningEffortMap``: Kimi K3's / MiMo's ladder under the record's own map."""
    if ids.is_kimi_k3_model_id(model_id):
        detected = _KIMI_K3_REASONING_EFFORT_MAP
    elif mimo_effort_model:
        detected = _MIMO_REASONING_EFFORT_MAP
    else:
        return
    compat["reasoningEffortMap"] = {**detected, **_spread(compat.get("reasoningEffortMap"))}


def _xai_responses_effort_map(model_id: str) -> Record:
    """17.3's ``xaiResponsesReasoningEffortMap``: ``minimal -> low``, and unless the SKU takes
    ``xhigh``, ``xhigh``/``max -> high``."""
    if ids.is_grok_xhigh_effort_capable(model_id):
        return dict(_XAI_RESPONSES_MINIMAL_EFFORT_MAP)
    return dict(_XAI_RESPONSES_CLAMPED_EFFORT_MAP)


def _matches_kimi_k27_code(model_id: str, name: str) -> bool:
    if _KIMI_K27_CODE_MODEL.search(model_id):
        return True
    return model_id == "kimi-for-coding" and _KIMI_K27_CODE_NAME.search(name) is not None


def build_openai_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildOpenAICompat``: the chat-completions record (host detection wins over the id)."""
    provider = _text(spec.get("provider"))
    base_url = spec.get("baseUrl")
    model_id = _text(spec.get("id"))
    name = _text(spec.get("name"))
    authored = spec.get("compat")
    reasoning = _js_truthy(spec.get("reasoning"))
    hosts = _Hosts(code.release, provider, base_url)

    is_cerebras = hosts.model("cerebras")
    is_zai = hosts.model("zai")
    is_zhipu = hosts.model("zhipu")
    supports_zai_reasoning_effort = (is_zai or is_zhipu) and ids.is_glm52_reasoning_effort_model_id(model_id)
    is_kilo = hosts.model("kilo")
    is_kimi_model = ids.is_kimi_model_id(model_id)
    is_moonshot_native = hosts.model("moonshotNative")
    is_moonshot_kimi = is_kimi_model and is_moonshot_native
    is_kimi_k3 = ids.is_kimi_k3_model_id(model_id)
    is_moonshot_kimi_k3 = is_moonshot_kimi and is_kimi_k3
    requires_enabled_thinking = is_moonshot_kimi and _matches_kimi_k27_code(model_id, name)
    moonshot_kimi_preserved_thinking = is_moonshot_kimi and ids.is_kimi_k26_model_id(model_id)
    is_anthropic_model = (
        hosts.model("anthropic")
        or ids.is_claude_model_id(model_id)
        or ids.is_anthropic_namespaced_model_id(model_id)
    )
    is_alibaba = hosts.model("alibabaDashscope")
    is_nvidia_nim = hosts.model("nvidia")
    is_qwen = ids.is_qwen_model_id(model_id)
    lower_id = _js_lower(model_id)
    lower_name = _js_lower(name)
    is_xiaomi_host = hosts.model("xiaomi")
    mimo_named = ids.is_mimo_model_id_or_name(model_id) or ids.is_mimo_model_id_or_name(name)
    is_xiaomi_mimo = is_xiaomi_host and mimo_named
    mimo_effort_model = not is_xiaomi_host and mimo_named
    is_opencode_deepseek_alias = provider == "opencode-zen" and (
        lower_id == "big-pickle" or lower_name == "big pickle"
    )
    is_deepseek_family = (
        hosts.model("deepseekFamily")
        or ids.is_deepseek_model_id_or_name(model_id)
        or ids.is_deepseek_model_id_or_name(name)
        or is_opencode_deepseek_alias
    )
    is_direct_deepseek_api = hosts.model("deepseekDirect")
    is_deepseek_reasoning = is_deepseek_family and reasoning
    is_direct_deepseek_reasoning = is_direct_deepseek_api and is_deepseek_reasoning
    is_grok = hosts.model("xai")
    is_mistral = hosts.model("mistral")
    is_opencode_host = hosts.model("opencode")
    is_google_aistudio = hosts.url("googleAistudio")
    is_non_standard = (
        is_cerebras
        or is_grok
        or is_mistral
        or is_google_aistudio
        or hosts.url("chutes")
        or hosts.url("deepseekFamily")
        or hosts.url("fireworks")
        or is_alibaba
        or is_zai
        or is_zhipu
        or is_kilo
        or is_qwen
        or is_xiaomi_host
        or is_moonshot_native
        or is_opencode_host
    )
    is_opencode_provider = provider in ("opencode-go", "opencode-zen")
    is_local_backend = provider not in _PROXY_OPENAI_COMPAT_PROVIDERS and (
        provider in _LOCAL_OPENAI_COMPAT_PROVIDERS or _loopback_hostname(base_url)
    )
    # The stream-timeout floor also covers local proxies (litellm on loopback).
    is_local_serving = is_local_backend or _loopback_hostname(base_url)
    use_max_tokens = (
        is_mistral
        or is_moonshot_native
        or is_zai
        or is_zhipu
        or hosts.url("chutes")
        or hosts.url("fireworks")
        or is_direct_deepseek_api
    )
    cache_breakpoints = _official_prompt_cache_breakpoints(provider, model_id, base_url, code)
    is_openai_host = hosts.model("openai")
    is_azure_host = hosts.model("azureOpenAI")
    is_openrouter = hosts.model("openrouter")
    is_vercel_gateway = hosts.model("vercelAIGateway")
    is_fireworks = hosts.url("fireworks")
    multiple_system_messages = (
        not hosts.model("minimax")
        and not is_alibaba
        and not hosts.model("qwenPortal")
        and not is_qwen
        and (
            is_openai_host
            or is_azure_host
            or is_openrouter
            or is_cerebras
            or hosts.model("together")
            or is_fireworks
            or hosts.model("groq")
            or is_deepseek_family
            or is_mistral
            or is_grok
            or is_zai
            or is_zhipu
            or provider == "github-copilot"
            or provider == "zenmux"
        )
    )
    stream_idle_timeout: Any
    if _GLM_CODING_PLAN_MODEL.search(model_id) and (is_zai or is_zhipu or is_opencode_host):
        stream_idle_timeout = _GLM_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS
    elif provider == "alibaba-coding-plan":
        stream_idle_timeout = _ALIBABA_CODING_PLAN_STREAM_IDLE_TIMEOUT_MS
    elif is_xiaomi_mimo:
        stream_idle_timeout = _XIAOMI_MIMO_STREAM_IDLE_TIMEOUT_MS
    elif reasoning and (
        ids.is_kimi_k26_model_id(model_id)
        or is_moonshot_kimi_k3
        or (is_moonshot_kimi and _matches_kimi_k27_code(model_id, name))
    ):
        stream_idle_timeout = _KIMI_REASONING_STREAM_IDLE_TIMEOUT_MS
    elif reasoning and is_direct_deepseek_api:
        stream_idle_timeout = _DEEPSEEK_REASONING_STREAM_IDLE_TIMEOUT_MS
    elif is_local_serving:
        stream_idle_timeout = _LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS
    else:
        stream_idle_timeout = UNDEFINED
    # Fireworks "Fast" variants are served from the router namespace, like Fire Pass.
    fireworks_fast_router = provider == "fireworks" and model_id.endswith("-fast")
    if provider == "firepass" or fireworks_fast_router:
        wire_model_id_mode = "firepass"
    elif provider == "fireworks":
        wire_model_id_mode = "fireworks"
    else:
        wire_model_id_mode = "openrouter" if is_openrouter else "raw"
    if (is_moonshot_kimi and not is_moonshot_kimi_k3) or is_zai or is_zhipu or is_xiaomi_mimo:
        thinking_format = "zai"
    elif is_openrouter:
        thinking_format = "openrouter"
    elif is_qwen and is_nvidia_nim:
        thinking_format = "qwen-chat-template"
    elif is_qwen and is_fireworks:
        thinking_format = "openai"
    elif is_alibaba or is_qwen:
        thinking_format = "qwen"
    else:
        thinking_format = "openai"

    compat: Record = {
        "supportsStore": not is_non_standard,
        "supportsDeveloperRole": is_openai_host or is_azure_host,
        "supportsMultipleSystemMessages": multiple_system_messages,
        "supportsReasoningEffort": not is_grok
        and not is_xiaomi_mimo
        and (not (is_zai or is_zhipu) or supports_zai_reasoning_effort),
        "supportsReasoningParams": provider != "github-copilot",
        "supportsSamplingParams": not ids.is_openai_sampling_restricted_model_id(
            model_id, aliases=code.openai_aliases
        ),
    }
    if code.chat_penalty_params:
        compat["supportsPenaltyAndStopParams"] = not (is_grok and reasoning)
    compat["reasoningEffortMap"] = {}
    compat["supportsUsageInStreaming"] = not is_cerebras
    if code.gemini_loop_guard:
        compat["enableGeminiThinkingLoopGuard"] = ids.is_gemini_family_17_2(model_id)
    compat.update(
        {
            "alwaysSendMaxTokens": is_kimi_model,
            "disableReasoningOnForcedToolChoice": (is_kimi_model and not is_moonshot_kimi_k3)
            or is_anthropic_model,
            "disableReasoningOnToolChoice": is_deepseek_family and reasoning and not is_openrouter,
            "supportsToolChoice": not is_direct_deepseek_reasoning,
            "supportsForcedToolChoice": not requires_enabled_thinking
            and not (is_opencode_host and is_deepseek_reasoning),
            "supportsNamedToolChoice": provider not in _STRING_ONLY_NAMED_TOOL_CHOICE_PROVIDERS,
            "maxTokensField": "max_tokens" if use_max_tokens else "max_completion_tokens",
            "requiresToolResultName": is_mistral,
            "requiresAssistantAfterToolResult": is_mistral,
            "requiresThinkingAsText": is_mistral,
            "requiresMistralToolIds": is_mistral,
            "thinkingFormat": thinking_format,
            "kimiApiFormat": UNDEFINED,
            "reasoningDisableMode": _reasoning_disable_mode(thinking_format),
            "omitReasoningEffort": False,
            "includeEncryptedReasoning": True,
            "filterReasoningHistory": is_openrouter and is_anthropic_model,
            "thinkingKeep": "all" if moonshot_kimi_preserved_thinking else UNDEFINED,
            "reasoningContentField": "reasoning_content",
            "requiresReasoningContentForToolCalls": (is_kimi_model and not is_opencode_provider)
            or (is_deepseek_family and reasoning)
            or is_xiaomi_mimo
            or (is_openrouter and reasoning),
            "requiresReasoningContentForAllAssistantTurns": (
                (is_deepseek_family and reasoning) or is_xiaomi_mimo
            )
            and not is_openrouter,
            "allowsSyntheticReasoningContentForToolCalls": (not is_deepseek_family or not reasoning)
            and not is_xiaomi_mimo,
            "replayReasoningContent": is_local_backend,
            "qwenPreserveThinking": thinking_format in ("qwen", "qwen-chat-template") and is_local_backend,
            "requiresAssistantContentForToolCalls": is_kimi_model or is_direct_deepseek_reasoning,
            "cacheControlFormat": "anthropic"
            if is_openrouter and model_id.startswith("anthropic/")
            else UNDEFINED,
            "supportsPromptCacheBreakpoints": cache_breakpoints,
            "promptCacheBreakpointTtl": "30m" if cache_breakpoints else UNDEFINED,
            "openRouterRouting": UNDEFINED,
            "vercelGatewayRouting": UNDEFINED,
            "isOpenRouterHost": is_openrouter,
            "wireModelIdMode": wire_model_id_mode,
            "isVercelGatewayHost": is_vercel_gateway,
            "supportsStrictMode": _strict_mode_support(hosts),
            "extraBody": UNDEFINED,
            "toolStrictMode": "all_strict" if is_cerebras else "mixed",
            # Kimi ids get Moonshot's MFJS schema flavor on any host (proxies forward verbatim).
            "toolSchemaFlavor": "moonshot-mfjs"
            if is_moonshot_native or is_kimi_model
            else "grammar"
            if is_local_backend
            else UNDEFINED,
            "streamFirstEventTimeoutMs": 0 if is_local_serving else UNDEFINED,
            "streamIdleTimeoutMs": stream_idle_timeout,
            "stripDeepseekSpecialTokens": ids.is_deepseek_model_id_or_name(model_id)
            and provider in ("nvidia", "deepseek"),
            "streamMarkupHealingPattern": _stream_markup_healing(provider, model_id, base_url),
            "reasoningDeltasMayBeCumulative": _MINIMAX.search(provider) is not None
            or _MINIMAX.search(model_id) is not None,
            "emptyLengthFinishIsContextError": provider == "ollama",
            "usesOpenAIToolCallIdLimit": provider == "openai",
            "promptCacheSessionHeader": "x-grok-conv-id" if is_grok else UNDEFINED,
            "dropThinkingWhenReasoningEffort": provider == "fireworks",
        }
    )

    _apply_overrides(compat, authored)
    deepseek_thinking = _member(compat.get("extraBody"), "thinking")
    if (
        is_direct_deepseek_reasoning
        and isinstance(deepseek_thinking, Mapping)
        and "type" in deepseek_thinking
        and deepseek_thinking["type"] == "enabled"
    ):
        # Direct DeepSeek turns thinking on per request (whenThinking below), never in the base.
        extra_body = _spread(compat.get("extraBody"))
        extra_body.pop("thinking", None)
        compat["extraBody"] = extra_body if extra_body else UNDEFINED
    if _member(authored, "reasoningDisableMode") is UNDEFINED:
        if requires_enabled_thinking:
            compat["reasoningDisableMode"] = "omit"
        elif is_direct_deepseek_reasoning:
            compat["reasoningDisableMode"] = "zai-thinking-disabled"
        else:
            compat["reasoningDisableMode"] = _reasoning_disable_mode(compat.get("thinkingFormat"))
    if _member(authored, "omitReasoningEffort") is UNDEFINED and not _js_truthy(
        compat.get("supportsReasoningEffort")
    ):
        compat["omitReasoningEffort"] = True
    _merge_model_reasoning_effort_map(compat, model_id, mimo_effort_model)

    policy = _member(authored, "whenThinking")
    if policy is UNDEFINED or policy is None:
        if is_direct_deepseek_reasoning:
            policy = {"extraBody": {**_spread(compat.get("extraBody")), "thinking": {"type": "enabled"}}}
        elif is_opencode_provider and reasoning:
            policy = _OPENCODE_WHEN_THINKING
        else:
            policy = UNDEFINED
    if _js_truthy(policy):
        variant = dict(compat)
        _apply_overrides(variant, policy)
        if _member(policy, "reasoningDisableMode") is UNDEFINED:
            variant["reasoningDisableMode"] = _reasoning_disable_mode(variant.get("thinkingFormat"))
        if _member(policy, "omitReasoningEffort") is UNDEFINED and not _js_truthy(
            variant.get("supportsReasoningEffort")
        ):
            variant["omitReasoningEffort"] = True
        _merge_model_reasoning_effort_map(variant, model_id, mimo_effort_model)
        compat["whenThinking"] = variant
    return compat


def build_openai_responses_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildOpenAIResponsesCompat``: the Responses-API record (Azure by provider id or URL)."""
    provider = _text(spec.get("provider"))
    base_url = spec.get("baseUrl") if spec.get("baseUrl") is not None else ""
    model_id = _text(spec.get("id"))
    name = _text(spec.get("name"))
    authored = spec.get("compat")
    hosts = _Hosts(code.release, provider, base_url)
    is_azure = hosts.model("azureOpenAI")
    is_openrouter = hosts.model("openrouter")
    is_openai_url = hosts.url("openai")
    is_vercel_gateway = hosts.model("vercelAIGateway")
    cache_breakpoints = _official_prompt_cache_breakpoints(provider, model_id, base_url, code)
    thinking_format = "openrouter" if is_openrouter else "openai"
    is_kimi_model = ids.is_kimi_model_id(model_id) if model_id else False
    is_anthropic_model = (
        ids.is_claude_model_id(model_id) or ids.is_anthropic_namespaced_model_id(model_id)
        if model_id
        else False
    )
    is_deepseek_family = (
        ids.is_deepseek_model_id_or_name(model_id) or ids.is_deepseek_model_id_or_name(name)
        if model_id
        else False
    )
    reasoning = _js_truthy(spec.get("reasoning"))
    is_local_serving = (
        provider not in _PROXY_OPENAI_COMPAT_PROVIDERS and provider in _LOCAL_OPENAI_COMPAT_PROVIDERS
    ) or _loopback_hostname(base_url)
    # 17.3 applies the xAI rules on api.x.ai for paid `xai` and SuperGrok `xai-oauth` alike;
    # 17.2 applies (fewer of) them to the `xai-oauth` provider id only.
    is_xai = hosts.model("xai") if code.xai_responses_by_host else provider == "xai-oauth"
    is_github_copilot = hosts.model("githubCopilot")

    compat: Record = {
        "supportsDeveloperRole": is_azure or is_openai_url or hosts.url("githubCopilot"),
        "supportsStrictMode": is_azure or _strict_mode_support(hosts),
        "supportsReasoningEffort": not is_xai
        or ids.is_grok_reasoning_effort_capable(model_id, grok_46=code.grok_46),
        "supportsLongPromptCacheRetention": is_openai_url,
        "supportsPromptCacheBreakpoints": cache_breakpoints,
        "promptCacheBreakpointTtl": "30m" if cache_breakpoints else UNDEFINED,
        "strictResponsesPairing": is_azure or provider == "github-copilot",
        "supportsImageDetailOriginal": not is_xai and not is_github_copilot,
    }
    if code.xai_responses_by_host:
        compat["supportsReasoningSummary"] = not is_xai
        compat["reasoningEffortMap"] = _xai_responses_effort_map(model_id) if is_xai else {}
    else:
        compat["reasoningEffortMap"] = {}
    compat["supportsReasoningParams"] = True
    compat["supportsSamplingParams"] = not ids.is_openai_sampling_restricted_model_id(
        model_id, aliases=code.openai_aliases
    )
    if code.xai_responses_by_host:
        compat["supportsPenaltyAndStopParams"] = not is_xai
    compat.update(
        {
            "thinkingFormat": thinking_format,
            "reasoningDisableMode": _reasoning_disable_mode(thinking_format),
            "omitReasoningEffort": False,
            # 17.2 neither asked xai-oauth for encrypted reasoning nor replayed its history.
            "includeEncryptedReasoning": True if code.xai_responses_by_host else not is_xai,
            "filterReasoningHistory": (is_openrouter and is_anthropic_model)
            or (is_xai and not code.xai_responses_by_host),
            "disableReasoningOnForcedToolChoice": is_kimi_model,
            "disableReasoningOnToolChoice": is_deepseek_family and reasoning and not is_openrouter,
            "supportsToolChoice": True,
            "supportsForcedToolChoice": True,
            "supportsNamedToolChoice": provider not in _STRING_ONLY_NAMED_TOOL_CHOICE_PROVIDERS,
            "reasoningContentField": "reasoning_content",
            "requiresReasoningContentForToolCalls": (
                is_kimi_model or (is_deepseek_family and reasoning) or (is_openrouter and reasoning)
            )
            and reasoning,
            "requiresReasoningContentForAllAssistantTurns": is_deepseek_family
            and reasoning
            and not is_openrouter,
            "allowsSyntheticReasoningContentForToolCalls": not is_deepseek_family or not reasoning,
            "replayReasoningContent": False,
            "qwenPreserveThinking": False,
            "requiresThinkingAsText": False,
            "requiresMistralToolIds": False,
            "requiresToolResultName": False,
            "requiresAssistantAfterToolResult": False,
            "requiresAssistantContentForToolCalls": is_kimi_model,
            "openRouterRouting": UNDEFINED,
            "vercelGatewayRouting": UNDEFINED,
            "isOpenRouterHost": is_openrouter,
            "isVercelGatewayHost": is_vercel_gateway,
            "wireModelIdMode": "openrouter" if is_openrouter else "raw",
            "toolSchemaFlavor": "moonshot-mfjs" if is_kimi_model else UNDEFINED,
            "alwaysSendMaxTokens": ids.is_kimi_model_id(model_id) if model_id else False,
        }
    )
    if code.gemini_loop_guard:
        compat["enableGeminiThinkingLoopGuard"] = ids.is_gemini_family_17_2(model_id)
    compat.update(
        {
            "supportsObfuscationOptOut": is_openai_url or provider == "openai",
            "stripDeepseekSpecialTokens": bool(model_id)
            and ids.is_deepseek_model_id_or_name(model_id)
            and provider in ("nvidia", "deepseek"),
            "streamMarkupHealingPattern": _stream_markup_healing(provider, model_id, base_url)
            if model_id
            else UNDEFINED,
            "reasoningDeltasMayBeCumulative": _MINIMAX.search(provider) is not None
            or (bool(model_id) and _MINIMAX.search(model_id) is not None),
            "emptyLengthFinishIsContextError": provider == "ollama",
            "usesOpenAIToolCallIdLimit": provider == "openai",
            "promptCacheSessionHeader": "x-grok-conv-id" if is_xai else UNDEFINED,
            "streamFirstEventTimeoutMs": 0
            if is_local_serving
            else _member(authored, "streamFirstEventTimeoutMs"),
            "streamIdleTimeoutMs": _LOCAL_OPENAI_COMPAT_STREAM_IDLE_TIMEOUT_MS
            if is_local_serving
            else _member(authored, "streamIdleTimeoutMs"),
        }
    )
    _apply_overrides(compat, authored)
    if is_xai and code.xai_responses_by_host:
        # The canonical clamp wins over an authored map; a stale xhigh/max clamp is dropped
        # for the SKUs that take xhigh.
        canonical = _xai_responses_effort_map(model_id)
        merged = {**_spread(compat.get("reasoningEffortMap")), **canonical}
        for key in ("xhigh", "max"):
            if key not in canonical:
                merged.pop(key, None)
        compat["reasoningEffortMap"] = merged
    if _member(authored, "reasoningDisableMode") is UNDEFINED:
        compat["reasoningDisableMode"] = _reasoning_disable_mode(compat.get("thinkingFormat"))
    if _member(authored, "omitReasoningEffort") is UNDEFINED and not _js_truthy(
        compat.get("supportsReasoningEffort")
    ):
        compat["omitReasoningEffort"] = True
    return compat


def build_openrouter_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildOpenRouterCompat``: the chat record with the Responses-only keys of the Responses one."""
    chat = build_openai_compat({**spec, "api": "openai-completions"}, code)
    responses = build_openai_responses_compat(spec, code)
    keys = (
        _RESPONSES_ONLY_KEYS
        if code.xai_responses_by_host
        else tuple(key for key in _RESPONSES_ONLY_KEYS if key != "supportsReasoningSummary")
    )
    return {**chat, **{key: responses.get(key, UNDEFINED) for key in keys}}


# -- compat/anthropic.ts ---------------------------------------------------------------------------------

_KIMI_MANDATORY_THINKING_IDS = ("kimi-for-coding", "kimi-for-coding-highspeed", "k3")


def _anthropic_signing_proxy_url(hosts: _Hosts) -> bool:
    """``isAnthropicSigningProxyUrl``: Copilot, ZenMux, Cloudflare's / Vertex's / Bedrock's /
    Azure's Anthropic routes."""
    base_url = hosts.base_url
    routes = isinstance(base_url, str) and (
        any(pattern.search(base_url) for pattern in _ANTHROPIC_SIGNING_PROXY_URLS)
        or _azure_anthropic_route(base_url)
    )
    return hosts.url("githubCopilot") or hosts.url("zenmux") or bool(routes)


def build_anthropic_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildAnthropicCompat``: the anthropic-messages record."""
    base_url = spec.get("baseUrl")
    model_id = _text(spec.get("id"))
    hosts = _Hosts(code.release, _text(spec.get("provider")), base_url)
    official = _official_anthropic_url(base_url)
    requires_thinking_enabled = hosts.model("moonshotNative") and (
        _KIMI_K27_CODE_MODEL.search(model_id) is not None
        or model_id in _KIMI_MANDATORY_THINKING_IDS
        or ids.is_kimi_k3_model_id(model_id)
    )
    signing = (
        official
        or hosts.model("githubCopilot")
        or hosts.model("zenmux")
        or _anthropic_signing_proxy_url(hosts)
    )
    compat: Record = {
        "officialEndpoint": official,
        "signingEndpoint": signing,
        "disableStrictTools": _azure_anthropic_route(base_url),
        "disableAdaptiveThinking": False,
        "allowAnthropicHeaderOverrides": False,
        "supportsEagerToolInputStreaming": official,
        "supportsLongCacheRetention": official,
        "supportsMidConversationSystem": official and ids.supports_mid_conversation_system_messages(model_id),
        "supportsForcedToolChoice": not requires_thinking_enabled
        and not ids.is_anthropic_fable_or_mythos_model(model_id),
        "supportsSamplingParams": not ids.supports_adaptive_thinking_display(model_id),
        "requiresToolResultId": hosts.model("zai"),
        "requiresThinkingEnabled": requires_thinking_enabled,
        "replayUnsignedThinking": not signing
        and (_js_truthy(spec.get("reasoning")) or hosts.model("deepseekFamily")),
        "escapeBuiltinToolNames": hosts.model("umans"),
        "streamIdleTimeoutMs": _member(spec.get("compat"), "streamIdleTimeoutMs"),
    }
    _apply_overrides(compat, spec.get("compat"))
    return compat


# -- compat/bedrock.ts -----------------------------------------------------------------------------------


def _checkpoints(minimum: int, long_retention: bool) -> Record:
    return {
        "promptCacheMode": "explicit",
        "supportsLongPromptCacheRetention": long_retention,
        "promptCacheMinimumTokens": minimum,
        "promptCacheMaximumCheckpoints": 4,
    }


_NO_EXPLICIT_CHECKPOINTS: Record = {
    "promptCacheMode": "none",
    "supportsLongPromptCacheRetention": False,
    "promptCacheMinimumTokens": 0,
    "promptCacheMaximumCheckpoints": 0,
}
# The documented Nova model and inference-profile ids with explicit cache points (1,024 tokens, 5m).
_NOVA_CHECKPOINT_IDS = frozenset(
    {
        "amazon.nova-lite-v1:0",
        "us.amazon.nova-lite-v1:0",
        "amazon.nova-micro-v1:0",
        "us.amazon.nova-micro-v1:0",
        "amazon.nova-pro-v1:0",
        "us.amazon.nova-pro-v1:0",
        "amazon.nova-premier-v1:0",
        "us.amazon.nova-premier-v1:0",
        "amazon.nova-2-lite-v1:0",
        "us.amazon.nova-2-lite-v1:0",
        "eu.amazon.nova-2-lite-v1:0",
        "jp.amazon.nova-2-lite-v1:0",
        "global.amazon.nova-2-lite-v1:0",
    }
)
# detectedBedrockCompat's Claude checks, in its order: (id fragments, checkpoints).
_CLAUDE_CHECKPOINTS: tuple[tuple[tuple[str, ...], Record], ...] = (
    (
        (
            "anthropic.claude-opus-4-5",
            "anthropic.claude-sonnet-4-5",
            "anthropic.claude-haiku-4-5",
            "anthropic.claude-opus-4-7",
            "anthropic.claude-opus-4-8",
            "anthropic.claude-sonnet-5",
        ),
        _checkpoints(4096, True),
    ),
    (("anthropic.claude-opus-5",), _checkpoints(512, True)),
    (("anthropic.claude-opus-4-6",), _checkpoints(4096, False)),
    (("anthropic.claude-3-5-haiku",), _checkpoints(2048, False)),
    (("anthropic.claude-fable-5",), _checkpoints(1024, True)),
    (
        (
            "anthropic.claude-opus-4-1",
            "anthropic.claude-opus-4-20250514",
            "anthropic.claude-sonnet-4-20250514",
            "anthropic.claude-sonnet-4-6",
            "anthropic.claude-3-7-sonnet",
            "anthropic.claude-3-5-sonnet-20241022-v2",
        ),
        _checkpoints(1024, False),
    ),
)
_BEDROCK_REASONING_STREAM_IDLE_TIMEOUT_MS = 600_000
_BEDROCK_ADAPTIVE_THINKING_STREAM_IDLE_TIMEOUT_MS = 900_000


def _detected_bedrock_compat(model_id: str) -> Record:
    lower = _js_lower(model_id)
    if lower in _NOVA_CHECKPOINT_IDS:
        return _checkpoints(1024, False)
    for fragments, checkpoints in _CLAUDE_CHECKPOINTS:
        if any(fragment in lower for fragment in fragments):
            return dict(checkpoints)
    return dict(_NO_EXPLICIT_CHECKPOINTS)


def build_bedrock_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildBedrockCompat``: prompt-cache checkpoints per documented id, the idle-timeout floor."""
    model_id = _text(spec.get("id"))
    compat = _detected_bedrock_compat(model_id)
    if _js_truthy(spec.get("reasoning")):
        adaptive = ids.supports_adaptive_thinking_display(model_id)
        timeout = (
            _BEDROCK_ADAPTIVE_THINKING_STREAM_IDLE_TIMEOUT_MS
            if adaptive
            else _BEDROCK_REASONING_STREAM_IDLE_TIMEOUT_MS
        )
        compat["streamIdleTimeoutMs"] = timeout
    else:
        compat["streamIdleTimeoutMs"] = UNDEFINED
    _apply_overrides(compat, spec.get("compat"))
    return compat


def build_devin_compat(spec: Mapping[str, Any], code: Code17) -> Record:
    """``buildDevinCompat``: Cascade selects effort by model routing; only explicit thinking counts."""
    return {"trustExplicitThinkingOnly": True}


_BUILDERS: Mapping[str, Callable[[Mapping[str, Any], Code17], Record]] = {
    "openrouter": build_openrouter_compat,
    "openai-completions": build_openai_compat,
    "openai-responses": build_openai_responses_compat,
    "azure-openai-responses": build_openai_responses_compat,
    "openai-codex-responses": build_openai_responses_compat,
    "anthropic-messages": build_anthropic_compat,
    "bedrock-converse-stream": build_bedrock_compat,
    "devin-agent": build_devin_compat,
}


def build_compat_17(spec: Mapping[str, Any], release: str) -> dict[str, Any] | None:
    """``buildCompat`` of OMP ``release`` (a key of :data:`CODE_17`): the resolved compat as OMP's
    JSON carries it (undefined members dropped), or None for an api with no compat record."""
    api = spec.get("api")
    builder = _BUILDERS.get(api) if isinstance(api, str) else None
    if builder is None:
        return None
    compat = builder(spec, CODE_17[release])
    whole: dict[str, Any] = defined(compat)
    return whole


class Compat17Builder:
    """17.x's ``buildModel`` for the merge (:mod:`catalogmgr.merge`): the same interface as the 18.x
    compat rule engine (``decide``), and it builds the bundled models too (``builds_bundled``)."""

    resolves_compat = True
    builds_bundled = True

    def __init__(self, release: str) -> None:
        self.version = release

    def decide(self, spec: Mapping[str, Any]) -> ThinkingDecision:
        """What 17.x's ``buildModel`` gives ``spec`` (its ``compat`` the authored one): the spec's
        own ``reasoning`` (17.x never upgrades it), the resolved compat, and the thinking
        ``resolveModelThinking`` derives from both (:mod:`catalogmgr.omp.thinking17`)."""
        compat = build_compat_17(spec, self.version)
        return ThinkingDecision(
            thinking=derive_thinking_17(spec, compat, self.version),
            reasoning=spec.get("reasoning"),
            compat=compat,
        )

    def thinking_pair_base(self, provider: str, model: str) -> str | None:
        """17.x ``deriveThinkingPairFamilies``' base id: its own token rule, any provider."""
        del provider  # 17.x pairs by the id alone
        return strip_thinking_variant_token_17(model)


@cache
def load_compat17_builder(release: str) -> Compat17Builder:
    """The builder of one 17.x release (a key of :data:`CODE_17`)."""
    if release not in CODE_17:
        raise KeyError(f"no 17.x compat code read for OMP {release}")
    return Compat17Builder(release)
