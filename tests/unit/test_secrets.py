"""Literal-secret detection (rule ``literal-secret``) and masking."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogmgr.documents import load_document, parse_document
from catalogmgr.problems import Position, Severity
from catalogmgr.secrets import (
    RULE,
    classify_secret,
    find_literal_secrets,
    iter_config_values,
    mask_secret,
    suggested_env_name,
)

# Realistic shapes of real vendor keys (random bodies, fixed seed: no real key is in this file).
_RNG = random.Random(20260515)
_ALNUM = string.ascii_letters + string.digits


def _rand(alphabet: str, length: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(length))


POSITIVES: dict[str, str] = {
    "anthropic": "sk-ant-api03-" + _rand(_ALNUM + "-_", 93) + "AA",
    "openrouter": "sk-or-v1-" + _rand("0123456789abcdef", 64),
    "openai-project": "sk-proj-" + _rand(_ALNUM + "-_", 120),
    "openai-legacy": "sk-" + _rand(_ALNUM, 48),
    "deepseek": "sk-" + _rand("0123456789abcdef", 32),
    "minimax-coding-plan": "sk-cp-" + _rand(_ALNUM + "-_", 80),
    "google": "AIza" + _rand(_ALNUM + "-_", 35),
    "xai": "xai-" + _rand(_ALNUM, 80),
    "groq": "gsk_" + _rand(_ALNUM, 52),
    "github": "ghp_" + _rand(_ALNUM, 36),
    "github-fine-grained": "github_pat_" + _rand(_ALNUM + "_", 82),
    "huggingface": "hf_" + _rand(string.ascii_letters, 34),
    "perplexity": "pplx-" + _rand(_ALNUM, 48),
    "nvidia": "nvapi-" + _rand(_ALNUM + "-_", 64),
    "aws-key-id": "AKIA" + _rand(string.ascii_uppercase + string.digits, 16),
    "jwt": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    "zhipu": _rand("0123456789abcdef", 32) + "." + _rand(_ALNUM, 16),
    "moonshot-bare-hex": _rand("0123456789abcdef", 40),
    "uuid": "3f0c2a9e-7b1d-4c55-9e61-0d8f2b7a4c13",
    "base64url-no-prefix": _rand(_ALNUM + "-_", 64),
    "base64-no-prefix": _rand(_ALNUM + "+/", 56) + "==",
    "bearer": "Bearer " + _rand(_ALNUM, 40),
    "bearer-known": "Bearer sk-or-v1-" + _rand("0123456789abcdef", 64),
    "basic": "Basic dXNlcjpjb3JyZWN0IGhvcnNlIGJhdHRlcnkgc3RhcGxl",
}

NEGATIVES: list[str] = [
    # environment variable names (OMP looks them up; all-caps identifiers are names)
    "MINIMAX_API_KEY",
    "OPENROUTER_API_KEY",
    "DISPLAY",
    "SECRET",
    "X",
    "_PRIVATE_TOKEN",
    # commands
    "!pass show minimax/api-key",
    "!security find-generic-password -s opencode-go-api-key -w",
    "!op read op://Private/OpenAI/credential",
    # local dummy keys and placeholders
    "ollama",
    "none",
    "None",
    "dummy",
    "lm-studio",
    "sk-no-key-required",
    "sk-1234",
    "not-needed",
    "local",
    "llama.cpp",
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk-XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "sk-your-api-key-here",
    "sk-YOUR_OPENAI_KEY_GOES_HERE_1",
    "sk-this-is-a-local-development-key",
    "<your-api-key>",
    "AKIAIOSFODNN7EXAMPLE",  # AWS's documented example id
    "my-local-key",
    "sk-111111111111111111111111111111",
    # unsupported env spellings: broken (keys reports them) but not secrets
    "$OPENAI_API_KEY",
    "${OPENAI_API_KEY}",
    "${OPENAI_API_KEY:-default}",
    "env:OMP_BIFROST_API_KEY",
    "{env:DEEPSEEK_API_KEY}",
    "%OPENAI_API_KEY%",
    "Bearer OPENAI_API_KEY",
    "Bearer ${OPENAI_API_KEY}",
    "Bearer $TOKEN",
    # sops-encrypted value: committing ciphertext is the point of sops
    "ENC[AES256_GCM,data:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==,iv:AbCdEf0123456789AbCdEf==,tag:q1w2e3r4t5==,type:str]",
    # ordinary values seen in apiKey/headers
    "",
    "   ",
    "anthropic-messages",
    "application/json",
    "2023-06-01",
    "interleaved-thinking-2025-05-14",
    "fine-grained-tool-streaming-2025-05-14,interleaved-thinking-2025-05-14",
    "claude-sonnet-4-20250514",
    "Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8",
    "OpenAIChatCompletionsCompatible",
    "https://openrouter.ai/api/v1",
    "catalogmgr",
    "KimiCLI/1.0",
    "copilot/1.0.82",
    "1234567890",
]


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_known_shapes_are_secrets(name: str) -> None:
    assert classify_secret(POSITIVES[name]) is not None, name


@pytest.mark.parametrize("value", NEGATIVES)
def test_non_secrets_are_not_flagged(value: str) -> None:
    assert classify_secret(value) is None


def test_known_prefix_names_the_vendor() -> None:
    evidence = classify_secret(POSITIVES["openrouter"])
    assert evidence is not None
    assert evidence.label == "OpenRouter API key"
    assert evidence.prefix == "sk-or-"
    anthropic = classify_secret(POSITIVES["anthropic"])
    assert anthropic is not None
    assert anthropic.prefix == "sk-ant-"


def test_high_entropy_only_counts_for_credentials() -> None:
    token = POSITIVES["base64url-no-prefix"]
    assert classify_secret(token, credential=True) is not None
    # An X-Title or anthropic-beta header carries identifiers: only known formats count there.
    assert classify_secret(token, credential=False) is None
    assert classify_secret(POSITIVES["groq"], credential=False) is not None


@pytest.mark.parametrize("length", [24, 32, 48, 64])
def test_random_alphanumeric_keys_are_caught(length: int) -> None:
    rng = random.Random(length)
    keys = ["".join(rng.choice(_ALNUM) for _ in range(length)) for _ in range(2000)]
    missed = [key for key in keys if classify_secret(key) is None]
    # 24 random characters can, rarely, look like a word; from 32 on nothing may slip through.
    assert len(missed) <= (5 if length < 32 else 0), missed[:3]


def test_hex_keys_are_caught() -> None:
    rng = random.Random(7)
    for _ in range(500):
        key = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        assert classify_secret(key) is not None, key


# --------------------------------------------------------------------------------------------
# masking


@pytest.mark.parametrize(
    ("value", "prefix", "expected"),
    [
        ("sk-or-v1-" + "a" * 55 + "9f2c", None, "sk-or-…9f2c"),
        ("sk-ant-api03-" + "b" * 80 + "wxyz", None, "sk-ant-…wxyz"),
        ("0123456789abcdef", None, "…cdef"),  # 16 chars: the last 4 are exactly a quarter
        ("short", None, "<5 chars>"),
        ("fifteen-chars-x", None, "<15 chars>"),
        ("", None, "<0 chars>"),
        # prefix + 4 would exceed a quarter: drop the prefix, keep the last four
        ("sk-ant-" + "c" * 13, None, "…cccc"),
        ("Bearer sk-or-v1-" + "d" * 60 + "beef", None, "Bearer sk-or-…beef"),
        ("custom-prefix-" + "e" * 30, "custom-", "custom-…eeee"),
    ],
)
def test_mask_secret(value: str, prefix: str | None, expected: str) -> None:
    assert mask_secret(value, prefix=prefix) == expected


@given(st.text(min_size=0, max_size=300))
def test_mask_never_shows_more_than_a_quarter(value: str) -> None:
    masked = mask_secret(value)
    shown = masked.replace("…", "") if "…" in masked else ""
    assert len(shown) <= len(value) // 4
    if len(value) >= 8:
        assert value not in masked


@given(st.from_regex(r"[A-Z_][A-Z0-9_]{0,60}", fullmatch=True))
def test_env_names_are_never_secrets(name: str) -> None:
    if name.startswith(("AKIA", "ASIA")) and len(name) == 20:
        return  # the AWS key-id shape is the one all-caps credential
    assert classify_secret(name) is None


@given(st.text(min_size=0, max_size=200))
def test_commands_are_never_secrets(rest: str) -> None:
    assert classify_secret("!" + rest) is None


# --------------------------------------------------------------------------------------------
# find_literal_secrets on documents


def _doc(text: str, name: str = "models.yml"):  # type: ignore[no-untyped-def]
    return parse_document(text, name=name, fmt="yaml")


def test_finds_api_key_and_locates_it() -> None:
    key = POSITIVES["openrouter"]
    document = _doc(f"providers:\n  openrouter:\n    apiKey: {key}\n")
    problems = find_literal_secrets(document)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.rule == RULE
    assert problem.severity is Severity.ERROR
    assert problem.pointer == "/providers/openrouter/apiKey"
    assert problem.position == Position(3, 13)
    assert problem.file == "models.yml"
    assert "apiKey: OPENROUTER_API_KEY" in problem.message
    assert "!pass show" in problem.message
    assert "sk-or-…" + key[-4:] in problem.message
    assert key not in problem.message
    assert key not in (problem.hint or "")
    assert problem.to_line().startswith("models.yml:3:13: [error]")


def test_finds_headers_at_every_level() -> None:
    provider_key = POSITIVES["groq"]
    model_key = POSITIVES["xai"]
    override_bearer = POSITIVES["bearer-known"]
    text = (
        "providers:\n"
        "  my-gateway:\n"
        "    baseUrl: https://gw.example/v1\n"
        "    apiKey: GATEWAY_API_KEY\n"
        "    api: openai-completions\n"
        "    headers:\n"
        f"      X-Api-Key: {provider_key}\n"
        "      X-Title: catalogmgr\n"
        "    models:\n"
        "      - id: m1\n"
        "        headers:\n"
        f"          X-Upstream-Key: {model_key}\n"
        "    modelOverrides:\n"
        "      m1:\n"
        "        headers:\n"
        f"          Authorization: {override_bearer}\n"
    )
    problems = find_literal_secrets(_doc(text))
    assert [p.pointer for p in problems] == [
        "/providers/my-gateway/headers/X-Api-Key",
        "/providers/my-gateway/models/0/headers/X-Upstream-Key",
        "/providers/my-gateway/modelOverrides/m1/headers/Authorization",
    ]
    assert [p.position for p in problems] == [Position(7, 18), Position(12, 27), Position(16, 26)]
    assert "model #1 of provider my-gateway" in problems[1].message
    assert "authHeader: true" in problems[2].message  # the Bearer fix
    for problem in problems:
        for secret in (provider_key, model_key, override_bearer, override_bearer.split()[1]):
            assert secret not in problem.message
            assert secret not in (problem.hint or "")


def test_clean_overlay_has_no_findings() -> None:
    text = (
        "providers:\n"
        "  minimax:\n"
        "    baseUrl: https://api.minimaxi.com/anthropic\n"
        "    apiKey: MINIMAX_API_KEY\n"
        "    headers:\n"
        "      anthropic-beta: interleaved-thinking-2025-05-14\n"
        "      Authorization: '!pass show minimax/bearer'\n"
        "  ollama:\n"
        "    apiKey: ollama\n"
        "  lmstudio:\n"
        "    apiKey: lm-studio\n"
        "  sops-user:\n"
        "    apiKey: ENC[AES256_GCM,data:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==,iv:abc=,tag:def=,type:str]\n"
    )
    assert find_literal_secrets(_doc(text)) == []


def test_malformed_data_is_tolerated() -> None:
    for text in ("[]\n", "providers: 3\n", "providers:\n  x: 5\n", "providers:\n  x:\n    apiKey: 12345\n"):
        assert find_literal_secrets(_doc(text)) == []
    weird = "providers:\n  x:\n    headers: [a, b]\n    models: {a: 1}\n    modelOverrides: [1]\n"
    assert find_literal_secrets(_doc(weird)) == []


def test_json_overlay() -> None:
    key = POSITIVES["anthropic"]
    text = json.dumps({"providers": {"anthropic": {"apiKey": key}}}, indent=2)
    document = parse_document(text, name="models.json", fmt="json")
    problems = find_literal_secrets(document)
    assert len(problems) == 1
    assert problems[0].position == Position(4, 17)
    assert key not in problems[0].message


def test_works_on_any_object_with_name_data_position() -> None:
    class Fake:
        def __init__(self) -> None:
            self.name = "fake.yml"
            self.data = {"providers": {"p": {"apiKey": POSITIVES["github"]}}}

        def position(self, pointer: str) -> Position | None:
            return Position(9, 9) if pointer == "/providers/p/apiKey" else None

    [problem] = find_literal_secrets(Fake())
    assert problem.position == Position(9, 9)


def test_iter_config_values_reports_scope() -> None:
    data = {
        "providers": {
            "p": {
                "apiKey": "K",
                "headers": {"H": "v", "N": 3},
                "models": [{"id": "a", "headers": {"M": "w"}}],
                "modelOverrides": {"a/b": {"headers": {"O": "x"}}},
            }
        }
    }
    found = [(item.pointer, item.scope, item.field) for item in iter_config_values(data)]
    assert found == [
        ("/providers/p/apiKey", "provider", "apiKey"),
        ("/providers/p/headers/H", "provider", "headers.H"),
        ("/providers/p/models/0/headers/M", "model #1", "headers.M"),
        ("/providers/p/modelOverrides/a~1b/headers/O", "modelOverrides a/b", "headers.O"),
    ]


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("minimax", "MINIMAX_API_KEY"), ("minimax-cn", "MINIMAX_CN_API_KEY"), ("302.ai", "_302_AI_API_KEY")],
)
def test_suggested_env_name(provider: str, expected: str) -> None:
    assert suggested_env_name(provider) == expected


# --------------------------------------------------------------------------------------------
# real data: no false alarms


def test_real_users_models_yml_have_no_findings(shared: Callable[..., Path]) -> None:
    folder = shared("data", "user-models-yml")
    files = sorted(Path(folder).glob("*.yml"))
    assert files
    for path in files:
        assert find_literal_secrets(load_document(path)) == [], path.name


def test_real_identifiers_are_not_secrets(shared: Callable[..., Path]) -> None:
    """Model ids, names, base URLs and header values of the real catalogs, judged as credentials."""
    catalog = json.loads(shared("data", "omp", "pi-catalog-18.2.3.models.json").read_text())
    values: set[str] = set()
    for models in catalog.values():
        for model_id, model in models.items():
            values.update((model_id, model.get("name", ""), model.get("baseUrl", "")))
            values.update(v for v in (model.get("headers") or {}).values() if isinstance(v, str))
    listing = json.loads(shared("data", "openrouter", "models-2026-08-18-all.json").read_text())
    for entry in listing["data"]:
        values.update((entry["id"], entry.get("canonical_slug") or "", entry.get("name") or ""))
    flagged = sorted(value for value in values if classify_secret(value) is not None)
    assert flagged == []
