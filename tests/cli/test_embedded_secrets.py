"""Secrets outside apiKey and headers (issue 13, break 14).

A key in a baseUrl's userinfo or query string, or in ``compat.extraBody``, is as public as the
file: ``validate`` reports it (rule ``literal-secret``), ``show``/``changes``/``list`` mask it,
and no message echoes any part of a secret put in the wrong field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogmgr.cli import cli
from catalogmgr.secrets import redact_data, redact_text, secrets_in_text
from catalogmgr.validation import describe_value

URL_PASSWORD = "hunter2hunter2x"
QUERY_KEY = "sk-ant-api03-AbCdEf0123456789XyZ0123456789abcdEF"
BODY_KEY = "7f3kQ9zX2LmP4vR8tY1wB6nC0dE5hJ"
NESTED_KEY = "sk-or-v1-0123456789abcdefABCDEF0123456789abcdef"
WRONG_FIELD_KEY = "sk-ant-api03-QwErTy0123456789AsDfGh0123456789zxcvBN"
SECRETS = (URL_PASSWORD, QUERY_KEY, BODY_KEY, NESTED_KEY, WRONG_FIELD_KEY)

OVERLAY = f"""\
providers:
  gw:
    baseUrl: https://admin:{URL_PASSWORD}@gw.example/v1?api_key={QUERY_KEY}&region=eu
    api: openai-completions
    apiKey: GW_KEY
    compat:
      extraBody:
        api_key: {BODY_KEY}
        metadata: {{note: "see {NESTED_KEY}"}}
    models:
      - id: m
        name: {WRONG_FIELD_KEY}
"""


def _pieces(secret: str, width: int = 8) -> set[str]:
    return {secret[start : start + width] for start in range(len(secret) - width + 1)}


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        leaked = [piece for piece in _pieces(secret) if piece in text]
        assert not leaked, f"part of a secret in {where}: {leaked[0]!r}"


@pytest.fixture
def overlay(tmp_path: Path, tmp_home: Path) -> Path:
    path = tmp_path / "models.yml"
    path.write_text(OVERLAY, encoding="utf-8")
    return path


def test_validate_finds_secrets_in_base_url_and_extra_body(overlay: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(overlay)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "(literal-secret)" in line]
    assert any("password in the URL" in line for line in lines)
    assert any("query parameter api_key in the URL" in line for line in lines)
    assert any("compat.extraBody.api_key" in line for line in lines)
    assert any("compat.extraBody.metadata.note" in line for line in lines)
    assert any(line.startswith(f"{overlay}:3:") for line in lines)  # located at the baseUrl
    _assert_no_secret(result.stdout + result.stderr, "validate")


@pytest.mark.parametrize(
    "args",
    [
        ("show", "gw/m"),
        ("show", "gw/m", "--explain"),
        ("show", "gw/m", "--format", "json"),
        ("changes",),
        ("changes", "--format", "json"),
        ("list", "--format", "json"),
        ("list",),
        ("keys",),
        ("keys", "--format", "json"),
    ],
    ids=" ".join,
)
def test_display_commands_mask_them(overlay: Path, args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*args, "--overlay", str(overlay)])
    assert result.exit_code in {0, 1}, result.output
    _assert_no_secret(result.stdout + result.stderr, " ".join(args))


def test_a_secret_in_the_wrong_field_is_not_echoed() -> None:
    message = describe_value(WRONG_FIELD_KEY)
    assert "sk-ant-…" in message
    _assert_no_secret(message, "describe_value")
    assert describe_value("openai-completion") == "the string 'openai-completion'"  # ordinary text stays


def test_redaction_keeps_ordinary_values() -> None:
    assert redact_text("https://api.example.com/v1?region=eu") == "https://api.example.com/v1?region=eu"
    assert redact_text("Qwen3-Coder-480B-A35B-Instruct") == "Qwen3-Coder-480B-A35B-Instruct"
    assert redact_data({"baseUrl": "https://x.example/v1", "name": "GPT-5"}) == {
        "baseUrl": "https://x.example/v1",
        "name": "GPT-5",
    }
    assert secrets_in_text("https://user@host.example/v1") == []  # a user name alone is no secret
    assert secrets_in_text("https://u:MY_PASSWORD_VAR@host/v1") == []  # an env name is no secret


def test_redaction_masks_every_kind() -> None:
    url = f"https://admin:{URL_PASSWORD}@gw.example/v1?api_key={QUERY_KEY}"
    shown = redact_text(url)
    _assert_no_secret(shown, "the URL")
    assert shown.startswith("https://admin:")
    assert shown.endswith("?api_key=sk-ant-…cdEF")
    body = redact_data({"extraBody": {"api_key": BODY_KEY, "note": f"x {NESTED_KEY}"}})
    _assert_no_secret(str(body), "extraBody")


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_key_pasted_as_a_yaml_key_is_reported_and_never_echoed(
    tmp_path: Path, tmp_home: Path, fmt: str
) -> None:
    """`sk-ant-...: x` (the `apiKey:` forgotten) is a secret in a key: every message masks it."""
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        f"providers:\n  a:\n    baseUrl: https://a.example/v1\n    {WRONG_FIELD_KEY}: 1\n"
        f"  {QUERY_KEY}:\n    apiKey: X_KEY\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(overlay), "--format", fmt])
    assert result.exit_code == 1
    assert result.stdout.count("literal-secret") >= 2
    _assert_no_secret(result.stdout + result.stderr, f"validate --format {fmt}")
