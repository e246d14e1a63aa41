"""API-key resolution as OMP does it, reports, masking, and the environment OMP sees."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogmgr.documents import parse_document
from catalogmgr.keys import (
    BUNDLED_ENV_KEYS,
    COMMAND_TIMEOUT_SECONDS,
    CommandResult,
    KeyStatus,
    bundled_env_lookup,
    is_loopback_url,
    layer_environment,
    mask_command,
    parse_dotenv,
    problems_exit_code,
    report_keys,
    resolve_overlay_keys,
    resolve_value,
    run_shell_command,
    unusable_summary,
)
from catalogmgr.problems import Position

SECRET = "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"
COMMAND_SECRET = "sk-ant-api03-Q9w8E7r6T5y4U3i2O1p0AaSsDdFfGgHhJjKkLlZzXxCcVvBbNnMm-abcd"


class FakeRunner:
    """A runner that records what it was asked to run and answers from a table."""

    def __init__(self, answers: Mapping[str, CommandResult] | None = None) -> None:
        self.answers = dict(answers or {})
        self.calls: list[tuple[str, float]] = []

    def __call__(self, command: str, *, env: Mapping[str, str], timeout: float) -> CommandResult:
        self.calls.append((command, timeout))
        return self.answers.get(command, CommandResult(failure="exited with status 127"))


# --------------------------------------------------------------------------------------------
# resolve_value: every path


def test_env_variable_set() -> None:
    result = resolve_value("MINIMAX_API_KEY", {"MINIMAX_API_KEY": SECRET})
    assert result.status is KeyStatus.ENV
    assert result.value == SECRET
    assert result.env_name == "MINIMAX_API_KEY"
    assert result.usable is True
    assert SECRET not in repr(result)


def test_env_variable_unset_falls_back_to_the_literal_name() -> None:
    result = resolve_value("MINIMAX_API_KEY", {})
    assert result.status is KeyStatus.ENV_UNSET
    assert result.value == "MINIMAX_API_KEY"  # what OMP would send
    assert result.usable is False
    assert result.detail == (
        "MINIMAX_API_KEY is not set: OMP would send the string 'MINIMAX_API_KEY' literally"
    )


def test_env_variable_empty_is_unset() -> None:
    result = resolve_value("MINIMAX_API_KEY", {"MINIMAX_API_KEY": ""})
    assert result.status is KeyStatus.ENV_UNSET
    assert "set but empty" in result.detail


def test_env_lookup_is_exact_and_case_sensitive() -> None:
    env = {"MINIMAX_API_KEY": SECRET, "lowercase_name": "from-env"}
    assert resolve_value("minimax_api_key", env).status is KeyStatus.LITERAL
    # Any string is looked up, not only all-caps ones: OMP uses $envExact(value).
    lowered = resolve_value("lowercase_name", env)
    assert lowered.status is KeyStatus.ENV
    assert lowered.value == "from-env"
    # Whitespace is not trimmed before the lookup.
    assert resolve_value(" MINIMAX_API_KEY", env).status is KeyStatus.LITERAL


def test_literal_values() -> None:
    for value in ("ollama", "lm-studio", "sk-no-key-required", SECRET):
        result = resolve_value(value, {})
        assert result.status is KeyStatus.LITERAL
        assert result.value == value
        assert result.usable is True


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("env:OMP_BIFROST_API_KEY", "OMP_BIFROST_API_KEY"),
        ("$OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("${OPENAI_API_KEY}", "OPENAI_API_KEY"),
        ("{env:DEEPSEEK_API_KEY}", "DEEPSEEK_API_KEY"),
        ("%OPENAI_API_KEY%", "OPENAI_API_KEY"),
        ("Bearer OPENAI_API_KEY", "OPENAI_API_KEY"),
        ("Bearer ${OPENAI_API_KEY}", "OPENAI_API_KEY"),
    ],
)
def test_unsupported_syntax(value: str, name: str) -> None:
    result = resolve_value(value, {name: SECRET})
    assert result.status is KeyStatus.UNSUPPORTED
    assert result.usable is False
    assert result.env_name == name
    assert value.strip() in result.detail
    assert SECRET not in result.detail
    assert name in result.detail


def test_unsupported_syntax_says_whether_the_variable_is_set() -> None:
    assert "(X_KEY is set)" in resolve_value("env:X_KEY", {"X_KEY": "v"}).detail
    assert "not set either" in resolve_value("env:X_KEY", {}).detail


def test_a_variable_named_like_the_value_still_wins() -> None:
    # OMP looks the exact string up first; only then is "$X" sent literally.
    assert resolve_value("$X", {"$X": "odd"}).status is KeyStatus.ENV


def test_command_is_not_run_without_permission() -> None:
    runner = FakeRunner({"pass show x": CommandResult(output=COMMAND_SECRET)})
    result = resolve_value("!pass show x", {}, runner=runner)
    assert result.status is KeyStatus.COMMAND_NOT_RUN
    assert result.usable is None
    assert result.value is None
    assert runner.calls == []


def test_command_runs_when_allowed() -> None:
    runner = FakeRunner({"pass show x": CommandResult(output=COMMAND_SECRET)})
    result = resolve_value("!  pass show x  ", {}, allow_commands=True, runner=runner)
    assert result.status is KeyStatus.COMMAND_OK
    assert result.value == COMMAND_SECRET
    assert runner.calls == [("pass show x", COMMAND_TIMEOUT_SECONDS)]  # trimmed, 10 s like OMP
    assert COMMAND_SECRET not in repr(result)


def test_failing_command_is_unresolved() -> None:
    result = resolve_value("!false", {}, allow_commands=True, runner=FakeRunner())
    assert result.status is KeyStatus.COMMAND_FAILED
    assert result.value is None
    assert result.usable is False
    assert "exited with status 127" in result.detail


def test_command_results_are_cached_within_a_run() -> None:
    runner = FakeRunner({"pass show x": CommandResult(output="v")})
    cache: dict[str, CommandResult] = {}
    for _ in range(3):
        resolve_value("!pass show x", {}, allow_commands=True, runner=runner, cache=cache)
    assert len(runner.calls) == 1


def test_a_value_starting_with_bang_is_never_an_env_lookup() -> None:
    result = resolve_value("!X", {"!X": "v", "X": "v"})
    assert result.status is KeyStatus.COMMAND_NOT_RUN


# --------------------------------------------------------------------------------------------
# the real shell runner


def test_shell_runner_trims_stdout_and_passes_the_environment() -> None:
    result = run_shell_command(
        'printf "  %s\\n\\n" "$PLANTED"', env={"PLANTED": "value-1", "PATH": os.defpath}
    )
    assert result.output == "value-1"
    assert result.failure is None


def test_shell_runner_failures_never_carry_output() -> None:
    failed = run_shell_command(f"echo {COMMAND_SECRET}; echo {COMMAND_SECRET} >&2; exit 3", env={})
    assert failed.output is None
    assert failed.failure == "exited with status 3"
    empty = run_shell_command("true", env={})
    assert empty.failure == "printed nothing"
    assert run_shell_command("printf '   \\n'", env={}).failure == "printed nothing"


def test_shell_runner_times_out_and_kills_the_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = f"sleep 30 & echo $! > {pid_file}; wait"
    result = run_shell_command(script, env={"PATH": os.defpath}, timeout=0.5)
    assert result.output is None
    assert result.failure == "timed out after 0.5 s"
    child = int(pid_file.read_text().strip())
    # The background grandchild was in the same process group: it must be gone (give the kernel
    # a moment to reap it; this bounds the wait, it does not measure time).
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the command's child survived the timeout")


def test_command_creating_a_file_runs_only_with_permission(tmp_path: Path) -> None:
    marker = tmp_path / "created"
    value = f"!touch {marker} && echo made"
    env = {"PATH": os.defpath}
    assert resolve_value(value, env).status is KeyStatus.COMMAND_NOT_RUN
    assert not marker.exists()
    result = resolve_value(value, env, allow_commands=True)
    assert result.status is KeyStatus.COMMAND_OK
    assert marker.exists()


# --------------------------------------------------------------------------------------------
# OMP's own lookup for bundled providers


def test_bundled_single_variable_is_used_as_is() -> None:
    found = bundled_env_lookup("openrouter", {"OPENROUTER_API_KEY": SECRET})
    assert found is not None
    assert found.status is KeyStatus.ENV
    assert found.env_name == "OPENROUTER_API_KEY"
    assert found.value == SECRET


def test_bundled_multi_variables_pick_the_first_non_blank_trimmed() -> None:
    found = bundled_env_lookup("moonshot", {"MOONSHOT_API_KEY": "   ", "KIMI_API_KEY": "  k-1  "})
    assert found is not None
    assert found.env_name == "KIMI_API_KEY"
    assert found.value == "k-1"


def test_bundled_lookup_without_variables() -> None:
    login = bundled_env_lookup("openrouter", {})
    assert login is not None
    assert login.status is KeyStatus.LOGIN
    assert login.usable is None
    missing = bundled_env_lookup("openai", {})  # no /login for the OpenAI API
    assert missing is not None
    assert missing.status is KeyStatus.MISSING
    assert missing.usable is False
    # minimax-cn has no variable and no login in OMP 18.2.3: only an overlay apiKey works.
    assert bundled_env_lookup("minimax-cn", {}) is None
    assert bundled_env_lookup("my-own-gateway", {}) is None


def test_anthropic_foundry_mode() -> None:
    env = {"ANTHROPIC_FOUNDRY_API_KEY": "f", "ANTHROPIC_API_KEY": "a"}
    plain = bundled_env_lookup("anthropic", env)
    assert plain is not None
    assert plain.env_name == "ANTHROPIC_API_KEY"
    foundry = bundled_env_lookup("anthropic", {**env, "CLAUDE_CODE_USE_FOUNDRY": "yes"})
    assert foundry is not None
    assert foundry.env_name == "ANTHROPIC_FOUNDRY_API_KEY"
    oauth_first = bundled_env_lookup("anthropic", {**env, "ANTHROPIC_OAUTH_TOKEN": "o"})
    assert oauth_first is not None
    assert oauth_first.env_name == "ANTHROPIC_OAUTH_TOKEN"


def test_computed_credential_chains() -> None:
    bedrock = bundled_env_lookup("amazon-bedrock", {})
    assert bedrock is not None
    assert bedrock.status is KeyStatus.COMPUTED
    keys = bundled_env_lookup("amazon-bedrock", {"AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "S"})
    assert keys is not None
    assert keys.status is KeyStatus.ENV
    vertex = bundled_env_lookup("google-vertex", {"GOOGLE_CLOUD_API_KEY": "g"})
    assert vertex is not None
    assert vertex.status is KeyStatus.ENV


def test_table_spells_every_variable_as_an_env_name() -> None:
    for provider, names in BUNDLED_ENV_KEYS.items():
        assert names, provider
        assert all(name.isupper() or "_" in name for name in names), provider


# --------------------------------------------------------------------------------------------
# report_keys over layers


@dataclass(frozen=True)
class Layer:
    name: str
    data: Mapping[str, Any]
    document: Any = None


def _layer(text: str, name: str = "models.yml") -> Layer:
    document = parse_document(text, name=name, fmt="yaml")
    return Layer(name, document.data, document)


SEED = """\
providers:
  minimax:
    baseUrl: https://api.minimaxi.com/anthropic
    apiKey: MINIMAX_API_KEY
    api: anthropic-messages
    authHeader: true
  bifrost:
    baseUrl: http://localhost:8080/v1
    api: openai-completions
    apiKey: env:OMP_BIFROST_API_KEY
    models:
      - id: house
        headers:
          X-Upstream-Key: "!pass show upstream"
  openrouter:
    modelOverrides:
      anthropic/claude-sonnet-4:
        headers:
          X-Title: catalogmgr
  minimax-cn:
    baseUrl: https://api.minimaxi.com/anthropic
  local:
    baseUrl: http://127.0.0.1:1234/v1
    api: openai-completions
    auth: none
    models:
      - id: qwen
  gateway:
    baseUrl: https://gw.example/v1
    api: openai-completions
    headers:
      X-Api-Key: GATEWAY_KEY
"""


def test_report_for_the_seed_overlay() -> None:
    env = {"OPENAI_API_KEY": SECRET, "GATEWAY_KEY": "gw-" + "x1y2" * 8}
    reports = report_keys([_layer(SEED)], env, bundled_providers=["minimax", "openai", "minimax-cn"])
    rows = [(r.provider, r.field, r.status, r.usable, r.configured) for r in reports]
    assert rows == [
        ("minimax", "apiKey", KeyStatus.ENV_UNSET, False, True),
        ("bifrost", "apiKey", KeyStatus.UNSUPPORTED, False, True),
        ("bifrost", "headers.X-Upstream-Key", KeyStatus.COMMAND_NOT_RUN, None, True),
        ("openrouter", "apiKey", KeyStatus.LOGIN, None, True),
        ("openrouter", "headers.X-Title", KeyStatus.LITERAL, True, True),
        ("minimax-cn", "apiKey", KeyStatus.MISSING, False, True),
        ("local", "apiKey", KeyStatus.NOT_NEEDED, True, True),
        ("gateway", "apiKey", KeyStatus.NOT_NEEDED, True, True),
        ("gateway", "headers.X-Api-Key", KeyStatus.ENV, True, True),
        ("openai", "apiKey", KeyStatus.ENV, True, False),
    ]
    minimax = reports[0]
    assert minimax.message == (
        "MINIMAX_API_KEY is not set: OMP would send the string 'MINIMAX_API_KEY' literally"
    )
    assert minimax.location() == "models.yml:4:13"
    assert minimax.written == "MINIMAX_API_KEY"
    assert reports[5].location() == "models.yml:20:3"  # the provider entry
    assert "apiKey: MINIMAX_CN_API_KEY" in reports[5].message
    assert reports[2].scope == "model #1"
    assert reports[4].scope == "modelOverrides anthropic/claude-sonnet-4"
    assert reports[-1].masked == "sk-or-…8899"
    assert problems_exit_code(reports) == 1
    assert [line.split(": provider")[0] for line in unusable_summary(reports)] == [
        "models.yml:4:13",
        "models.yml:10:13",
        "models.yml:20:3",
    ]


def test_fixed_overlay_exits_zero() -> None:
    text = "providers:\n  minimax:\n    apiKey: MINIMAX_API_KEY\n"
    reports = report_keys([_layer(text)], {"MINIMAX_API_KEY": SECRET})
    assert [r.status for r in reports] == [KeyStatus.ENV]
    assert problems_exit_code(reports) == 0
    assert unusable_summary(reports) == []


def test_unconfigured_bundled_providers_never_fail_the_run() -> None:
    reports = report_keys([], {}, bundled_providers=["openai", "minimax-cn", "openrouter"])
    assert [r.status for r in reports] == [KeyStatus.MISSING, KeyStatus.MISSING, KeyStatus.LOGIN]
    assert problems_exit_code(reports) == 0


def test_later_layers_win_per_value() -> None:
    first = _layer(
        "providers:\n  p:\n    apiKey: FIRST_KEY\n    headers:\n      A: A_VAR\n      B: B_VAR\n", "one.yml"
    )
    second = _layer("providers:\n  p:\n    apiKey: SECOND_KEY\n    headers:\n      B: '!cmd'\n", "two.yml")
    reports = report_keys([first, second], {"SECOND_KEY": "s" * 20, "A_VAR": "a" * 20})
    assert [(r.field, r.status, r.layer) for r in reports] == [
        ("apiKey", KeyStatus.ENV, "two.yml"),
        ("headers.A", KeyStatus.ENV, "one.yml"),
        ("headers.B", KeyStatus.COMMAND_NOT_RUN, "two.yml"),
    ]
    assert reports[0].env_name == "SECOND_KEY"


def test_auth_none_makes_a_broken_key_harmless() -> None:
    reports = report_keys([_layer("providers:\n  p:\n    auth: none\n    apiKey: NOPE_KEY\n")], {})
    assert reports[0].status is KeyStatus.ENV_UNSET
    assert reports[0].usable is None
    assert "does not need this key" in reports[0].message
    assert problems_exit_code(reports) == 0


def test_unset_name_for_a_local_server_is_not_a_failure() -> None:
    # A real dotfile: `apiKey: DISPLAY` for a llama.cpp server, which accepts any key.
    local = "providers:\n  llamacpp:\n    baseUrl: http://127.0.0.1:10600/v1\n    apiKey: DISPLAY\n"
    [report] = report_keys([_layer(local)], {})
    assert report.status is KeyStatus.ENV_UNSET
    assert report.usable is None
    assert "local server" in report.message
    remote = local.replace("127.0.0.1:10600", "api.example.com")
    assert problems_exit_code(report_keys([_layer(remote)], {})) == 1


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://localhost:1234/v1", True),
        ("http://[::1]:11434", True),
        ("http://0.0.0.0:8000", True),
        ("https://api.minimaxi.com/anthropic", False),
        ("http://192.168.1.10:8080", False),
        ("not a url", False),
        (None, False),
    ],
)
def test_is_loopback_url(url: Any, loopback: bool) -> None:
    assert is_loopback_url(url) is loopback


def test_literal_all_caps_value_in_an_ordinary_header_is_not_a_failure() -> None:
    text = "providers:\n  p:\n    apiKey: ollama\n    headers:\n      X-Env: PRODUCTION\n"
    reports = report_keys([_layer(text)], {})
    assert reports[1].status is KeyStatus.ENV_UNSET
    assert reports[1].usable is None
    assert problems_exit_code(reports) == 0
    credential = report_keys([_layer(text.replace("X-Env", "X-Api-Key"))], {})
    assert problems_exit_code(credential) == 1


def test_commands_run_once_per_report_and_failures_are_problems() -> None:
    text = (
        "providers:\n"
        "  a:\n    apiKey: '!get key'\n"
        "  b:\n    apiKey: '!get key'\n"
        "  c:\n    apiKey: '!broken'\n"
    )
    runner = FakeRunner({"get key": CommandResult(output=COMMAND_SECRET)})
    reports = report_keys([_layer(text)], {}, allow_commands=True, runner=runner)
    assert [r.status for r in reports] == [
        KeyStatus.COMMAND_OK,
        KeyStatus.COMMAND_OK,
        KeyStatus.COMMAND_FAILED,
    ]
    assert [call[0] for call in runner.calls] == ["get key", "broken"]
    assert reports[0].masked == "sk-ant-…abcd"
    assert problems_exit_code(reports) == 1


def test_env_sources_are_named() -> None:
    reports = report_keys(
        [_layer("providers:\n  p:\n    apiKey: P_KEY\n")],
        {"P_KEY": "v" * 30},
        env_sources={"P_KEY": "~/.omp/agent/.env"},
    )
    assert reports[0].env_source == "~/.omp/agent/.env"
    assert reports[0].message.endswith("(from ~/.omp/agent/.env)")


def test_reports_never_contain_resolved_or_literal_secrets() -> None:
    text = (
        "providers:\n"
        "  a:\n    apiKey: A_KEY\n"
        "  b:\n    apiKey: '!get key'\n"
        f"  c:\n    apiKey: {SECRET}\n"
        "    headers:\n"
        f"      Authorization: Bearer {SECRET}\n"
    )
    runner = FakeRunner({"get key": CommandResult(output=COMMAND_SECRET)})
    reports = report_keys(
        [_layer(text)],
        {"A_KEY": COMMAND_SECRET + "-env"},
        allow_commands=True,
        runner=runner,
        bundled_providers=["openrouter"],
    )
    blob = json.dumps([r.to_dict() for r in reports]) + repr(reports) + str(reports)
    for secret in (SECRET, COMMAND_SECRET, COMMAND_SECRET + "-env"):
        assert secret not in blob
    assert "looks like a real secret" in reports[2].message


def test_report_json_shape() -> None:
    [report] = report_keys([_layer("providers:\n  p:\n    apiKey: P_KEY\n")], {})
    assert report.to_dict() == {
        "provider": "p",
        "field": "apiKey",
        "scope": "provider",
        "status": "env-unset",
        "usable": False,
        "configured": True,
        "written": "P_KEY",
        "masked": None,
        "envName": "P_KEY",
        "envSource": None,
        "file": "models.yml",
        "line": 3,
        "column": 13,
        "pointer": "/providers/p/apiKey",
        "message": "P_KEY is not set: OMP would send the string 'P_KEY' literally",
    }
    assert report.position == Position(3, 13)


def test_mask_command_hides_inline_secrets() -> None:
    masked = mask_command(f"!curl -H 'Authorization: Bearer {SECRET}' https://x")
    assert SECRET not in masked
    assert masked.startswith("!curl -H 'Authorization: Bearer sk-or-…")
    assert mask_command("!pass show minimax/api-key") == "!pass show minimax/api-key"


# --------------------------------------------------------------------------------------------
# resolve_overlay_keys (merge --resolve-keys)


def test_resolve_overlay_keys_replaces_only_resolved_values() -> None:
    overlay = {
        "providers": {
            "a": {"apiKey": "A_KEY", "headers": {"X": "!get key", "Y": "literal"}},
            "b": {"apiKey": "UNSET_KEY", "models": [{"id": "m", "headers": {"Z": "A_KEY"}}]},
            "c": {"apiKey": "!broken", "modelOverrides": {"m": {"headers": {"W": "env:A_KEY"}}}},
        }
    }
    before = copy.deepcopy(overlay)
    runner = FakeRunner({"get key": CommandResult(output=COMMAND_SECRET)})
    resolved, reports = resolve_overlay_keys(overlay, {"A_KEY": SECRET}, allow_commands=True, runner=runner)
    assert overlay == before
    assert resolved["providers"]["a"] == {"apiKey": SECRET, "headers": {"X": COMMAND_SECRET, "Y": "literal"}}
    assert resolved["providers"]["b"]["apiKey"] == "UNSET_KEY"
    assert resolved["providers"]["b"]["models"][0]["headers"]["Z"] == SECRET
    assert resolved["providers"]["c"]["apiKey"] == "!broken"
    assert resolved["providers"]["c"]["modelOverrides"]["m"]["headers"]["W"] == "env:A_KEY"
    assert [r.status for r in reports] == [
        KeyStatus.ENV,
        KeyStatus.COMMAND_OK,
        KeyStatus.LITERAL,
        KeyStatus.ENV_UNSET,
        KeyStatus.ENV,
        KeyStatus.COMMAND_FAILED,
        KeyStatus.UNSUPPORTED,
    ]
    blob = json.dumps([r.to_dict() for r in reports])
    assert SECRET not in blob
    assert COMMAND_SECRET not in blob


def test_resolve_overlay_keys_without_commands_leaves_them() -> None:
    runner = FakeRunner({"get key": CommandResult(output="v")})
    resolved, reports = resolve_overlay_keys(
        {"providers": {"a": {"apiKey": "!get key"}}}, {}, allow_commands=False, runner=runner
    )
    assert resolved == {"providers": {"a": {"apiKey": "!get key"}}}
    assert runner.calls == []
    assert reports[0].status is KeyStatus.COMMAND_NOT_RUN


_values = st.one_of(
    st.sampled_from(["A_KEY", "B_KEY", "!get key", "env:A_KEY", "ollama", "UNSET"]), st.text(max_size=12)
)
_headers = st.dictionaries(st.sampled_from(["X", "Y", "Authorization"]), _values, max_size=3)
_providers = st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.fixed_dictionaries(
        {},
        optional={
            "apiKey": _values,
            "headers": _headers,
            "models": st.lists(
                st.fixed_dictionaries({"id": st.text(max_size=3)}, optional={"headers": _headers})
            ),
            "modelOverrides": st.dictionaries(
                st.text(max_size=3), st.fixed_dictionaries({}, optional={"headers": _headers})
            ),
        },
    ),
    max_size=3,
)


@given(_providers)
def test_resolve_overlay_keys_never_mutates_and_keeps_shape(providers: dict[str, Any]) -> None:
    overlay = {"providers": providers}
    before = copy.deepcopy(overlay)
    runner = FakeRunner({"get key": CommandResult(output="cmd-value")})
    resolved, _ = resolve_overlay_keys(overlay, {"A_KEY": "a-value"}, allow_commands=True, runner=runner)
    assert overlay == before

    def shape(data: Any) -> Any:
        if isinstance(data, dict):
            return {key: shape(value) for key, value in data.items()}
        if isinstance(data, list):
            return [shape(value) for value in data]
        return type(data).__name__

    assert shape(resolved) == shape(overlay)


# --------------------------------------------------------------------------------------------
# dotenv files


def test_parse_dotenv() -> None:
    text = (
        "# comment\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "SPACED = padded  \n"
        "INLINE=abc # trailing comment\n"
        "SINGLE='a # not a comment'\n"
        'DOUBLE="line1\\nline2"\n'
        'MULTI="first\n'
        'second"\n'
        "EMPTY=\n"
        "1BAD=x\n"
        "not a pair\n"
        "OMP_PROFILE=work\n"
    )
    assert parse_dotenv(text) == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "padded",
        "INLINE": "abc",
        "SINGLE": "a # not a comment",
        "DOUBLE": "line1\nline2",
        "MULTI": "first\nsecond",
        "EMPTY": "",
        "OMP_PROFILE": "work",
        "PI_PROFILE": "work",
    }


def test_layer_environment_fills_only_unset_or_empty_and_first_file_wins() -> None:
    environment = layer_environment(
        {"A": "process", "B": ""},
        [("project/.env", {"A": "p", "B": "p", "C": "p"}), ("~/.env", {"C": "home", "D": "home"})],
    )
    assert environment.variables == {"A": "process", "B": "p", "C": "p", "D": "home"}
    assert environment.sources == {"B": "project/.env", "C": "project/.env", "D": "~/.env"}
    assert "process" not in repr(environment)
