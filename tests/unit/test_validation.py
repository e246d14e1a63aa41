"""Validation: OMP's verdicts (schema + models-config.ts rules), messages, positions, warnings."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogmgr.documents import parse_document
from catalogmgr.omp.rules import did_you_mean, env_name_in_spelling, js_truthy
from catalogmgr.problems import Position, Problem, Severity
from catalogmgr.validation import (
    FileReport,
    check_path,
    describe_location,
    detect_kind,
    overlay_is_valid,
    validate_data,
    validate_document,
)


def problems_of(text: str, **kwargs: Any) -> list[Problem]:
    return validate_document(parse_document(text, name="m.yml", fmt="yaml"), **kwargs)


def errors_of(text: str) -> set[tuple[str, int]]:
    """{(rule, line)} of the errors of a YAML text."""
    return {(p.rule, p.position.line if p.position else 0) for p in problems_of(text) if p.is_error}


def rules(data: Any) -> set[str]:
    return {finding.rule for finding in validate_data(data) if finding.severity is Severity.ERROR}


def warnings(data: Any) -> set[str]:
    return {finding.rule for finding in validate_data(data) if finding.severity is Severity.WARNING}


def provider(**config: Any) -> dict[str, Any]:
    return {"providers": {"p": config}}


MODEL = {"id": "m"}
FULL = {"baseUrl": "http://h", "apiKey": "KEY", "api": "openai-completions"}


# --------------------------------------------------------------------------------------------
# OMP's rules, with the verdicts observed from OMP 18.2.3 itself


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({**FULL, "models": [MODEL]}, set()),
        ({"apiKey": "K", "api": "openai-completions", "models": [MODEL]}, {"models-need-baseurl"}),
        ({"baseUrl": "http://h", "api": "openai-completions", "models": [MODEL]}, {"models-need-apikey"}),
        ({"baseUrl": "http://h", "auth": "none", "api": "openai-completions", "models": [MODEL]}, set()),
        ({"baseUrl": "http://h", "auth": "oauth", "api": "openai-completions", "models": [MODEL]}, set()),
        (
            {"baseUrl": "http://h", "auth": "apiKey", "api": "openai-completions", "models": [MODEL]},
            {"models-need-apikey"},
        ),
        ({"baseUrl": "http://h", "apiKey": "K", "models": [MODEL]}, {"model-needs-api"}),
        ({"baseUrl": "http://h", "apiKey": "K", "models": [{"id": "m", "api": "anthropic-messages"}]}, set()),
        ({**FULL, "models": [{"id": "m", "contextWindow": 0}]}, {"positive-window"}),
        ({**FULL, "models": [{"id": "m", "maxTokens": -5}]}, {"positive-window"}),
        ({**FULL, "models": [{"id": "m", "contextWindow": 0.5, "maxTokens": 1}]}, set()),
        ({"models": [MODEL]}, {"models-need-baseurl", "models-need-apikey", "model-needs-api"}),
    ],
)
def test_models_rules(config: dict[str, Any], expected: set[str]) -> None:
    assert rules(provider(**config)) == expected


@pytest.mark.parametrize(
    ("config", "accepted"),
    [
        # Each verdict below was checked against OMP 18.2.3 (ModelsConfigFile.tryLoad).
        ({"baseUrl": "http://h"}, True),
        ({"apiKey": "K"}, True),
        ({"headers": {}}, True),  # {} is truthy in JavaScript
        ({"compat": {}}, True),
        ({"remoteCompaction": {}}, True),
        ({"requestMetadata": {}}, True),
        ({"auth": "none"}, True),
        ({"disableStrictTools": True}, True),
        ({"guardrailIdentifier": "g"}, True),
        ({"modelOverrides": {"m": {"name": "n"}}}, True),
        ({"discovery": {"type": "proxy"}}, True),
        ({"api": "openai-completions"}, False),
        ({"authHeader": True}, False),
        ({"transport": "pi-native"}, False),
        ({"disableStrictTools": False}, False),
        ({"guardrailIdentifier": ""}, False),
        ({"modelOverrides": {}}, False),
        ({"models": []}, False),
        ({"auth": "oauth"}, False),
        ({}, False),
        ({"baseUrl": "http://h", "models": []}, True),
    ],
)
def test_provider_needs_settings(config: dict[str, Any], accepted: bool) -> None:
    found = rules(provider(**config))
    assert ("provider-needs-settings" not in found) is accepted
    assert found <= {"provider-needs-settings"}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"api": "openai-completions", "discovery": {"type": "ollama"}}, set()),
        ({"discovery": {"type": "ollama"}}, {"discovery-needs-api"}),
        ({"discovery": {"type": "llama.cpp"}, "auth": "none"}, {"discovery-needs-api"}),
        ({"discovery": {"type": "proxy"}}, set()),
        ({"api": "openai-completions", "discovery": {"type": "ollama", "timeoutMs": 0}}, {"schema"}),
        ({"api": "openai-completions", "discovery": {"type": "ollama", "timeoutMs": 0.5}}, set()),
        ({"api": "openai-completions", "discovery": {"type": "ollama", "injectV1": True}}, {"schema"}),
        (
            {"api": "openai-completions", "discovery": {"type": "openai-models-list", "injectV1": False}},
            set(),
        ),
        ({"api": "openai-completions", "discovery": {"type": "apple-foundation-models"}}, {"schema"}),
        ({"api": "openai-completions", "discovery": {}}, {"schema"}),
    ],
)
def test_discovery(config: dict[str, Any], expected: set[str]) -> None:
    assert rules(provider(**config)) == expected


@pytest.mark.parametrize(
    ("override", "valid"),
    [
        ({"thinking": {"mode": "effort", "efforts": ["low", "high"]}}, True),
        ({"thinking": {"mode": "effort", "levels": ["low"]}}, True),
        ({"thinking": {"mode": "budget", "minLevel": "low", "maxLevel": "max"}}, True),
        ({"thinking": {"mode": "effort", "efforts": []}}, True),  # OMP accepts (a warning here)
        ({"thinking": {"mode": "effort"}}, False),
        ({"thinking": {"mode": "effort", "minLevel": "low"}}, False),
        ({"thinking": {"efforts": ["low"]}}, False),
        ({"thinking": {"mode": "turbo", "efforts": ["low"]}}, False),
        ({"thinking": {"mode": "effort", "efforts": ["ultra"]}}, False),
        ({"cost": {"input": 1}}, True),  # override costs are partial
        ({"contextWindow": 0}, True),  # OMP checks windows only under `models` (a warning here)
        ({"input": ["text", "image"]}, True),
        ({"input": ["audio"]}, False),
        ({"input": "text"}, False),
        ({"name": ""}, False),
        ({"compactionModel": ""}, False),
        ({"contextPromotionTarget": ""}, False),
        ({"premiumMultiplier": -5}, True),
        ({"contextWindow": math.nan}, False),
        ({"contextWindow": math.inf}, False),
        ({"contextWindow": 10**400}, False),  # JavaScript reads it as Infinity
        ({"contextWindow": 10**30}, True),
        ({"reasoning": "yes"}, False),
        ({"headers": {"a": 1}}, False),
        ({"headers": {"a": None}}, False),
        ({"tokenizer": "glm5"}, True),
        ({"imageInputDecoder": "png"}, False),
        ({"remoteCompaction": {"model": ""}}, False),
        ({"compat": {"streamIdleTimeoutMs": -1}}, False),
        ({"compat": {"whenThinking": {"promptCacheMode": "bogus"}}}, True),  # not checked inside whenThinking
        ({"compat": {"promptCacheMode": "bogus"}}, False),
        ({"compat": {"extraBody": {"anything": [1, {"x": None}]}}}, True),
    ],
)
def test_override_fields(override: dict[str, Any], valid: bool) -> None:
    assert (not rules(provider(modelOverrides={"m": override}))) is valid


def test_model_definition_needs_all_four_prices() -> None:
    data = provider(**FULL, models=[{"id": "m", "cost": {"input": 1, "output": 2}}])
    (finding,) = [f for f in validate_data(data) if f.severity is Severity.ERROR]
    assert finding.pointer == "/providers/p/models/0/cost"
    assert "`cacheRead`, `cacheWrite`" in finding.message


def test_one_message_for_all_missing_keys_of_one_object() -> None:
    data = provider(**FULL, models=[{"name": "x"}])
    errors = [f for f in validate_data(data) if f.rule == "schema"]
    assert len(errors) == 1
    assert "`id`" in errors[0].message


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        ({}, True),
        ({"providers": {}}, True),
        ({"foo": 1}, True),
        ({"providers": None}, False),
        ({"providers": {"p": None}}, False),
        ({"providers": {"p": "x"}}, False),
        ({"providers": {"p": []}}, False),
        ("hello", False),
    ],
)
def test_root_shapes(data: Any, accepted: bool) -> None:
    assert (not rules(data)) is accepted


def test_unknown_keys_are_warnings_not_errors() -> None:
    data = provider(baseUrl="http://h", baseURL="http://h", sops={"mac": "x"})
    assert rules(data) == set()
    found = {f.pointer: f for f in validate_data(data) if f.rule == "unknown-key"}
    assert set(found) == {"/providers/p/baseURL", "/providers/p/sops"}
    assert found["/providers/p/baseURL"].hint == "did you mean `baseUrl`?"


@pytest.mark.parametrize(
    ("data", "pointer", "hint_part"),
    [
        (
            provider(baseUrl="h", models=[{"id": "m", "max_tokens": 1}]),
            "/providers/p/models/0/max_tokens",
            "maxTokens",
        ),
        (
            provider(baseUrl="h", models=[{"id": "m", "contextLength": 1}]),
            "/providers/p/models/0/contextLength",
            "contextWindow",
        ),
        (
            provider(baseUrl="h", compat={"supportsStrict": True}),
            "/providers/p/compat/supportsStrict",
            "supportsStrictMode",
        ),
        (
            provider(baseUrl="h", models=[{"id": "m", "cost": {"cache_read": 0}}]),
            "/providers/p/models/0/cost/cache_read",
            "cacheRead",
        ),
        (
            provider(modelOverrides={"m": {"baseUrl": "x"}}),
            "/providers/p/modelOverrides/m/baseUrl",
            "provider",
        ),
        (
            provider(modelOverrides={"m": {"maxContextWindow": 5}}),
            "/providers/p/modelOverrides/m/maxContextWindow",
            "bundled catalog",
        ),
        (
            provider(baseUrl="h", models=[{"id": "m", "apiKey": "K"}]),
            "/providers/p/models/0/apiKey",
            "provider setting",
        ),
        (provider(baseUrl="h", contextWindow=5), "/providers/p/contextWindow", "model field"),
        (
            provider(
                modelOverrides={"m": {"thinking": {"mode": "effort", "levels": ["low"], "effortBudgets": {}}}}
            ),
            "/providers/p/modelOverrides/m/thinking/effortBudgets",
            None,
        ),
        (provider(discovery={"type": "proxy", "timeout": 5}), "/providers/p/discovery/timeout", "timeoutMs"),
        ({"Providers": {}}, "/Providers", "providers"),
    ],
)
def test_unknown_keys_at_every_depth(data: dict[str, Any], pointer: str, hint_part: str | None) -> None:
    found = {f.pointer: f for f in validate_data(data) if f.rule == "unknown-key"}
    assert pointer in found
    if hint_part is not None:
        assert hint_part in (found[pointer].hint or "")


def test_no_unknown_key_warnings_inside_maps() -> None:
    data = provider(
        baseUrl="h",
        headers={"X-Anything": "v"},
        requestMetadata={"team": "a"},
        compat={
            "extraBody": {"whatever": {"deep": 1}},
            "disableStrictTools": True,
            "thinkingLoopGuard": "xai",
        },
        modelOverrides={"any/model:id": {"name": "n"}},
    )
    assert not [f for f in validate_data(data) if f.rule == "unknown-key"]


def test_schema_sops_and_anchor_holders_at_the_top_are_fine() -> None:
    data = {
        "$schema": "../schemas/omp-models-yml.schema.json",
        "sops": {"mac": "ENC[AES256_GCM,data:x]"},
        "x-defaults": {"apiKey": "K"},
        "providers": {},
    }
    assert validate_data(data) == []


def test_anchors_and_merge_keys() -> None:
    text = """\
x-local: &local
  auth: none
  api: openai-completions
providers:
  ollama:
    <<: *local
    baseUrl: http://127.0.0.1:11434/v1
    models: [{id: a}]
"""
    assert problems_of(text) == []


def test_dropped_thinking_keys_say_so() -> None:
    data = provider(
        modelOverrides={"m": {"thinking": {"mode": "effort", "efforts": ["low"], "prefixBinding": True}}}
    )
    (finding,) = [f for f in validate_data(data) if f.rule == "unknown-key"]
    assert "drops" in finding.message


# --------------------------------------------------------------------------------------------
# Warnings beyond OMP


def test_root_without_providers_and_provider_shaped_keys() -> None:
    data = {"minimax": {"baseUrl": "h", "apiKey": "K"}, "apiKey": "K", "notes": "x"}
    found = [(f.rule, f.pointer) for f in validate_data(data)]
    assert ("no-providers", "") in found
    assert ("provider-at-root", "/minimax") in found
    assert ("provider-at-root", "/apiKey") in found
    assert ("unknown-key", "/notes") in found
    # The provider-shaped keys get one explanation, not an extra unknown-key warning.
    assert ("unknown-key", "/minimax") not in found
    assert rules(data) == set()


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("${OPENAI_API_KEY}", "OPENAI_API_KEY"),
        ("$OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("env:OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("{env:OPENAI_API_KEY}", "OPENAI_API_KEY"),
        ("${env:OPENAI_API_KEY}", "OPENAI_API_KEY"),
        ("$env:OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("os.environ/OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("%OPENAI_API_KEY%", "OPENAI_API_KEY"),
        ("${OPENAI_API_KEY:-fallback}", "OPENAI_API_KEY"),
        ("OPENAI_API_KEY", None),
        ("!pass show openai", None),
        ("sk-abc", None),
    ],
)
def test_env_spellings(value: str, name: str | None) -> None:
    assert env_name_in_spelling(value) == name


def test_env_syntax_warnings_on_keys_and_headers() -> None:
    data = provider(
        apiKey="env:OMP_BIFROST_API_KEY",
        headers={"Authorization": "Bearer ${TOKEN}", "X-Title": "My $app"},
        models=[{"id": "m", "headers": {"X-Key": "{env:KEY}"}}],
        modelOverrides={"o": {"headers": {"X-Other": "$OTHER"}}},
    )
    found = {f.pointer: f for f in validate_data(data) if f.rule == "env-syntax"}
    assert set(found) == {
        "/providers/p/apiKey",
        "/providers/p/headers/Authorization",
        "/providers/p/headers/X-Title",
        "/providers/p/models/0/headers/X-Key",
        "/providers/p/modelOverrides/o/headers/X-Other",
    }
    assert "`OMP_BIFROST_API_KEY`" in found["/providers/p/apiKey"].message
    assert "does not expand" in found["/providers/p/headers/Authorization"].message
    assert all(f.severity is Severity.WARNING for f in found.values())


def test_shell_commands_may_use_variables() -> None:
    data = provider(apiKey="!op read op://vault/$ITEM/credential")
    assert "env-syntax" not in warnings(data)


def test_thinking_warnings() -> None:
    assert "thinking-empty" in warnings(
        provider(modelOverrides={"m": {"thinking": {"mode": "effort", "efforts": []}}})
    )
    reversed_range = {"mode": "effort", "minLevel": "high", "maxLevel": "low"}
    assert "thinking-range-reversed" in warnings(provider(modelOverrides={"m": {"thinking": reversed_range}}))
    both = {"mode": "effort", "efforts": ["low"], "levels": ["high"]}
    assert "thinking-levels-ignored" in warnings(provider(modelOverrides={"m": {"thinking": both}}))


def test_override_window_warning_and_duplicate_models() -> None:
    assert "override-window" in warnings(provider(modelOverrides={"m": {"maxTokens": 0}}))
    data = provider(**FULL, models=[{"id": "m"}, {"id": "m"}])
    (finding,) = [f for f in validate_data(data) if f.rule == "duplicate-model"]
    assert finding.pointer == "/providers/p/models/1/id"


def test_unknown_override_ids_against_a_base_catalog() -> None:
    base = {"minimax": {"MiniMax-M2.7": {}, "MiniMax-M3": {}}}
    text = """\
providers:
  minimax:
    modelOverrides:
      MiniMax-M2.7: {contextWindow: 1}
      minimax-m3: {contextWindow: 1}
      MiniMax-M9: {contextWindow: 1}
  mystery:
    modelOverrides:
      x: {name: y}
  local:
    api: openai-completions
    discovery: {type: ollama}
    modelOverrides:
      anything: {name: y}
"""
    found = [p for p in problems_of(text, base=base, base_name="models.json") if p.rule == "unknown-override"]
    assert [(p.pointer, p.position) for p in found] == [
        ("/providers/minimax/modelOverrides/minimax-m3", Position(5, 7)),
        ("/providers/minimax/modelOverrides/MiniMax-M9", Position(6, 7)),
        ("/providers/mystery/modelOverrides", Position(8, 5)),
    ]
    assert found[0].hint == "did you mean `MiniMax-M3`?"
    assert "models.json" in found[0].message
    # Without a base catalog (or with the embedded default) there is nothing to check against.
    assert not [p for p in problems_of(text) if p.rule == "unknown-override"]


def test_override_of_a_custom_model_is_known() -> None:
    data = """\
providers:
  mine:
    baseUrl: http://h
    apiKey: K
    api: openai-completions
    models: [{id: a}]
    modelOverrides: {a: {name: b}}
"""
    assert not [p for p in problems_of(data, base={}) if p.rule == "unknown-override"]


# --------------------------------------------------------------------------------------------
# Messages and positions


SEED_WITH_MISTAKES = """\
providers:
  minimax:
    baseURL: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-message
    models:
      - id: MiniMax-M3
        contextWindow: "1000000"
        input: [text, video]
        thinking: {mode: effort}
"""


def test_every_problem_is_reported_once_with_its_position() -> None:
    found = [(p.rule, p.severity.value, p.pointer, p.position) for p in problems_of(SEED_WITH_MISTAKES)]
    assert found == [
        ("models-need-baseurl", "error", "/providers/minimax", Position(2, 3)),
        ("unknown-key", "warning", "/providers/minimax/baseURL", Position(3, 5)),
        ("schema", "error", "/providers/minimax/api", Position(5, 10)),
        ("schema", "error", "/providers/minimax/models/0/contextWindow", Position(8, 24)),
        ("schema", "error", "/providers/minimax/models/0/input/1", Position(9, 23)),
        ("schema", "error", "/providers/minimax/models/0/thinking", Position(10, 9)),
    ]


def test_messages_are_specific() -> None:
    by_pointer = {p.pointer: p for p in problems_of(SEED_WITH_MISTAKES)}
    api = by_pointer["/providers/minimax/api"]
    assert "`api` of provider `minimax` must be one of" in api.message
    assert api.hint == "did you mean `anthropic-messages`?"
    window = by_pointer["/providers/minimax/models/0/contextWindow"]
    assert window.message == (
        "`contextWindow` of model `MiniMax-M3` (provider `minimax`) must be a number, "
        "not the string '1000000'"
    )
    assert "remove the quotes" in (window.hint or "")
    thinking = by_pointer["/providers/minimax/models/0/thinking"]
    assert "needs `efforts`" in thinking.message


def test_duplicate_key_and_load_findings_are_included() -> None:
    text = "providers:\n  groq:\n    apiKey: A\n    apiKey: B\n"
    (problem,) = problems_of(text)
    assert problem.rule == "duplicate-key"
    assert problem.position == Position(4, 5)


def test_empty_and_comment_only_files_are_errors() -> None:
    for text in ("", "   \n\n", "# nothing here\n"):
        (problem,) = problems_of(text)
        assert problem.rule == "empty-file"
        assert problem.is_error
        assert problem.position == Position(1, 1)


def test_non_mapping_roots_are_errors() -> None:
    # OMP 18.2.3 accepts a list root (its schema library treats arrays as objects) and then reads
    # no provider from it; catalogmgr reports it, as the file can only be a mistake.
    for text in ("- providers: {}\n", "just a string\n", "providers: {}\n---\nproviders: {}\n"):
        problems = problems_of(text)
        assert [p.rule for p in problems if p.is_error] == ["schema"]
        assert "top level of the file must be a mapping" in problems[0].message


def test_pointer_escaping_and_model_labels() -> None:
    text = "providers:\n  openrouter:\n    modelOverrides:\n      a/b~c: {contextWindow: x}\n"
    (problem,) = problems_of(text)
    assert problem.pointer == "/providers/openrouter/modelOverrides/a~1b~0c/contextWindow"
    assert problem.position == Position(4, 30)
    assert "modelOverrides `a/b~c` (provider `openrouter`)" in problem.message


def test_describe_location() -> None:
    data = {"providers": {"p": {"models": [{"id": "m", "cost": {"input": 1}}, {"name": "x"}]}}}
    assert describe_location(data, ()) == "the top level of the file"
    assert describe_location(data, ("providers", "p")) == "provider `p`"
    assert describe_location(data, ("providers", "p", "models", 0, "cost", "input")) == (
        "`cost.input` of model `m` (provider `p`)"
    )
    assert describe_location(data, ("providers", "p", "models", 1)) == "model #2 (provider `p`)"
    assert describe_location(data, ("providers", "p", "compat", "openRouterRouting", "only", 0)) == (
        "`compat.openRouterRouting.only[0]` of provider `p`"
    )


def test_json_overlays_are_located_too() -> None:
    text = '{\n  "providers": {\n    "x": {"baseUrl": ""}\n  }\n}\n'
    document = parse_document(text, name="models.json", fmt="json")
    (problem,) = validate_document(document)
    assert problem.rule == "schema"
    assert problem.position == Position(3, 22)


# --------------------------------------------------------------------------------------------
# Catalogs and kinds


def catalog_text(provider_key: str = "minimax", id_key: str = "MiniMax-M3", **extra: Any) -> str:
    import json

    model = {
        "id": "MiniMax-M3",
        "name": "MiniMax M3",
        "api": "anthropic-messages",
        "provider": "minimax",
        "baseUrl": "https://api.minimax.io/anthropic",
        "reasoning": True,
        "input": ["text"],
        "cost": {"input": 0.3, "output": 1.2, "cacheRead": 0.06, "cacheWrite": 0.375},
        "contextWindow": 204800,
        "maxTokens": None,
        "identity": {"class": "minimax"},
        **extra,
    }
    return json.dumps({provider_key: {id_key: model}}, indent="\t")


def test_catalog_detection_and_validation() -> None:
    document = parse_document(catalog_text(), name="models.json", fmt="json")
    assert detect_kind(document) == "catalog"
    assert validate_document(document) == []
    mismatched = parse_document(catalog_text(id_key="MiniMax-M4"), name="models.json", fmt="json")
    (problem,) = validate_document(mismatched)
    assert problem.rule == "catalog-key-mismatch"
    assert problem.pointer == "/minimax/MiniMax-M4/id"
    broken = parse_document(catalog_text(cost=None), name="models.json", fmt="json")
    assert [p.rule for p in validate_document(broken)] == ["schema"]


def test_kind_detection_defaults_to_overlay() -> None:
    for text in ("providers: {}\n", "{}\n", "minimax:\n  baseUrl: h\n", "", "- a\n"):
        assert detect_kind(parse_document(text, name="x.yml", fmt="yaml")) == "overlay"


def test_check_path_reports_unreadable_files(tmp_path: Any) -> None:
    report = check_path(tmp_path / "missing.yml", name="missing.yml")
    assert report == FileReport("missing.yml", None, report.problems)
    assert [p.rule for p in report.problems] == ["read"]
    bad = tmp_path / "models.yml"
    bad.write_text("providers:\n  x: [\n", encoding="utf-8")
    (problem,) = check_path(bad).problems
    assert problem.rule == "syntax"
    assert problem.position is not None


def test_literal_secrets_come_from_the_secrets_module(monkeypatch: pytest.MonkeyPatch) -> None:
    import catalogmgr.secrets

    sentinel = Problem("m.yml", Position(3, 13), "/providers/p/apiKey", "literal", "literal-secret")
    monkeypatch.setattr(catalogmgr.secrets, "find_literal_secrets", lambda document: [sentinel])
    problems = problems_of("providers:\n  p:\n    apiKey: whatever\n")
    assert problems == [sentinel]
    assert not overlay_is_valid(problems)


def test_catalogs_are_not_checked_for_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    import catalogmgr.secrets

    monkeypatch.setattr(catalogmgr.secrets, "find_literal_secrets", lambda document: pytest.fail("called"))
    assert validate_document(parse_document(catalog_text(), name="models.json", fmt="json")) == []


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.mark.parametrize(
    ("value", "truthy"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        (math.nan, False),
        ("", False),
        (True, True),
        (1, True),
        ("x", True),
        ({}, True),
        ([], True),
        (-1, True),
    ],
)
def test_js_truthy(value: Any, truthy: bool) -> None:
    assert js_truthy(value) is truthy


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("baseURL", "baseUrl"),
        ("base_url", "baseUrl"),
        ("apikey", "apiKey"),
        ("contextWindw", "contextWindow"),
        ("sops", None),
        ("modeloverrides", "modelOverrides"),
    ],
)
def test_did_you_mean(word: str, expected: str | None) -> None:
    known = ["baseUrl", "apiKey", "contextWindow", "modelOverrides", "models", "api"]
    assert did_you_mean(word, known) == expected


# Plain data of any shape: validation must never crash on it, whatever a file holds.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "api",
                    "models",
                    "modelOverrides",
                    "baseUrl",
                    "apiKey",
                    "thinking",
                    "cost",
                    "compat",
                    "discovery",
                    "headers",
                    "type",
                    "mode",
                    "efforts",
                    "minLevel",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=3))
def test_validation_never_crashes(providers: dict[str, Any]) -> None:
    for finding in validate_data({"providers": providers}):
        assert finding.rule
        assert finding.pointer == "" or finding.pointer.startswith("/")
