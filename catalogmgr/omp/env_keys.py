"""OMP's API-key environment lookup table (``getEnvApiKey``), login providers and computed hooks.

Generated from an installed OMP by ``bun tests/tools/omp_env_keys.ts <node_modules>``; the source
release is :data:`SOURCE_VERSION`. :mod:`catalogmgr.keys` resolves keys with these tables.
"""

from __future__ import annotations

SOURCE_VERSION = "18.2.3"

# Provider -> the variables OMP's getEnvApiKey reads, in order (OMP 18.2.3: the catalog entries'
# `env` lists, overridden by the auth policies' `env vars`; search tools such as exa and tavily
# are included because OMP looks them up by provider name like any other). One name: the value
# is used as it is when non-empty; several names: the first whose *trimmed* value is non-empty
# ($pickenv).
# Regenerate with `bun tests/tools/omp_env_keys.ts <node_modules>`; tests/unit/test_keys_omp.py
# compares this table with the installed OMP.
BUNDLED_ENV_KEYS: dict[str, tuple[str, ...]] = {
    "abliteration": ("ABLITERATION_API_KEY", "ABLIT_KEY"),
    "aiand": ("AIAND_API_KEY",),
    "aimlapi": ("AIMLAPI_API_KEY",),
    "alibaba-coding-plan": ("ALIBABA_CODING_PLAN_API_KEY",),
    "alibaba-token-plan": ("ALIBABA_TOKEN_PLAN_API_KEY", "BAILIAN_TOKEN_PLAN_API_KEY"),
    "azure": ("AZURE_OPENAI_API_KEY",),
    "azure-openai-responses": ("AZURE_OPENAI_API_KEY",),
    "baseten": ("BASETEN_API_KEY",),
    "cerebras": ("CEREBRAS_API_KEY",),
    "charm-hyper": ("CHARM_HYPER_API_KEY", "HYPER_API_KEY"),
    "cline-pass": ("CLINE_API_KEY",),
    "cloudflare-ai-gateway": ("CLOUDFLARE_AI_GATEWAY_API_KEY",),
    "commandcode": ("COMMAND_CODE_API_KEY", "COMMANDCODE_API_KEY"),
    "coreweave": ("COREWEAVE_API_KEY", "WANDB_API_KEY"),
    "cursor": ("CURSOR_ACCESS_TOKEN",),
    "deepinfra": ("DEEPINFRA_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "devin": ("DEVIN_API_KEY",),
    "exa": ("EXA_API_KEY",),
    "firepass": ("FIREPASS_API_KEY",),
    "fireworks": ("FIREWORKS_API_KEY",),
    "github-copilot": ("COPILOT_GITHUB_TOKEN",),
    "gitlab-duo": ("GITLAB_TOKEN",),
    "gitlab-duo-agent": ("GITLAB_TOKEN",),
    "gmi-cloud": ("GMI_API_KEY",),
    "google": ("GEMINI_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "huggingface": ("HUGGINGFACE_HUB_TOKEN", "HF_TOKEN"),
    "kagi": ("KAGI_API_KEY",),
    "kilo": ("KILO_API_KEY",),
    "litellm": ("LITELLM_API_KEY",),
    "llama.cpp": ("LLAMA_CPP_API_KEY",),
    "lm-studio": ("LM_STUDIO_API_KEY",),
    "meta": ("MODEL_API_KEY", "META_API_KEY"),
    "minimax": ("MINIMAX_API_KEY",),
    "minimax-code": ("MINIMAX_CODE_API_KEY",),
    "minimax-code-cn": ("MINIMAX_CODE_CN_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "moonshot": ("MOONSHOT_API_KEY", "KIMI_API_KEY"),
    "nanogpt": ("NANO_GPT_API_KEY",),
    "novita": ("NOVITA_API_KEY",),
    "nvidia": ("NVIDIA_API_KEY",),
    "ollama": ("OLLAMA_API_KEY",),
    "ollama-cloud": ("OLLAMA_CLOUD_API_KEY",),
    "openai": ("OPENAI_API_KEY",),
    "openai-codex": ("OPENAI_CODEX_OAUTH_TOKEN",),
    "opencode-go": ("OPENCODE_API_KEY",),
    "opencode-zen": ("OPENCODE_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
    "parallel": ("PARALLEL_API_KEY",),
    "perplexity": ("PERPLEXITY_API_KEY",),
    "qianfan": ("QIANFAN_API_KEY",),
    "qwen-portal": ("QWEN_OAUTH_TOKEN", "QWEN_PORTAL_API_KEY"),
    "sakana": ("SAKANA_API_KEY", "FUGU_API_KEY"),
    "siliconflow": ("SILICONFLOW_API_KEY",),
    "siliconflow-cn": ("SILICONFLOW_CN_API_KEY",),
    "synthetic": ("SYNTHETIC_API_KEY",),
    "tavily": ("TAVILY_API_KEY",),
    "together": ("TOGETHER_API_KEY",),
    "umans": ("UMANS_AI_CODING_PLAN_API_KEY",),
    "venice": ("VENICE_API_KEY",),
    "vercel-ai-gateway": ("AI_GATEWAY_API_KEY",),
    "vllm": ("VLLM_API_KEY",),
    "wafer-serverless": ("WAFER_SERVERLESS_API_KEY",),
    "xai": ("XAI_API_KEY",),
    "xai-oauth": ("XAI_OAUTH_TOKEN", "XAI_API_KEY"),
    "xiaomi": ("XIAOMI_API_KEY",),
    "xiaomi-token-plan-ams": ("XIAOMI_TOKEN_PLAN_AMS_API_KEY",),
    "xiaomi-token-plan-cn": ("XIAOMI_TOKEN_PLAN_CN_API_KEY",),
    "xiaomi-token-plan-sgp": ("XIAOMI_TOKEN_PLAN_SGP_API_KEY",),
    "yolo-auto": ("YOLO_AUTO_API_KEY",),
    "zai": ("ZAI_API_KEY",),
    "zenmux": ("ZENMUX_API_KEY",),
    "zhipu-coding-plan": ("ZHIPU_API_KEY",),
}

# Providers whose env fallback is computed by a hook rather than read from fixed names
# (pi-ai/src/registry/hooks/env.ts). Reproduced below as far as the environment alone decides.
COMPUTED_ENV_KEYS: dict[str, str] = {
    "anthropic": "anthropic-foundry",
    "amazon-bedrock": "aws-bedrock",
    "bedrock-mantle": "aws-bedrock-mantle",
    "google-vertex": "google-vertex-adc",
}

# Providers `omp /login` can authenticate (an OAuth grant or a pasted API key kept in OMP's
# credential store, which catalogmgr does not read). OMP 18.2.3 auth policies with a `login` rule.
LOGIN_PROVIDERS: frozenset[str] = frozenset(
    {
        "abliteration", "aiand", "alibaba-coding-plan", "alibaba-token-plan", "anthropic", "baseten",
        "cerebras", "charm-hyper", "cline-pass", "cloudflare-ai-gateway", "commandcode", "coreweave",
        "cursor", "deepinfra", "deepseek", "devin", "exa", "firepass", "fireworks", "github-copilot",
        "gitlab-duo", "gitlab-duo-agent", "gmi-cloud", "google-antigravity", "google-gemini-cli",
        "huggingface", "kagi", "kilo", "kimi-code", "litellm", "llama.cpp", "lm-studio", "meta",
        "minimax-code", "minimax-code-cn", "moonshot", "muse-code", "nanogpt", "novita", "nvidia",
        "ollama", "ollama-cloud", "openai-codex", "openai-codex-device", "opencode-go", "opencode-zen",
        "openrouter", "parallel", "perplexity", "qianfan", "qwen-portal", "sakana", "siliconflow",
        "siliconflow-cn", "synthetic", "tavily", "together", "umans", "venice", "vercel-ai-gateway",
        "vllm", "wafer-serverless", "xai", "xai-oauth", "xiaomi", "xiaomi-token-plan-ams",
        "xiaomi-token-plan-cn", "xiaomi-token-plan-sgp", "yolo-auto", "zai", "zai-coding-plan", "zenmux",
        "zhipu-coding-plan",
    }
)  # fmt: skip
