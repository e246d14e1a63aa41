"""The --ignore-file: format, located validation errors, and how rules apply."""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from catalogmgr.drift.diff import Drift, DriftReport, FieldDrift
from catalogmgr.drift.ignore import IgnoreFileError, IgnoreRule, apply_ignores, load_ignore_file
from catalogmgr.errors import EXIT_CANNOT_RUN, InputError

TODAY = date(2026, 8, 18)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ignore.yml"
    path.write_text(textwrap.dedent(text))
    return path


def report(*drift: Drift) -> DriftReport:
    return DriftReport("openrouter", "x", None, False, (), tuple(drift))


CHANGED = Drift(
    "changed",
    "openrouter",
    "minimax/minimax-m3",
    "openrouter",
    "minimax/minimax-m3",
    (
        FieldDrift("contextWindow", 1000000, 1048576, Decimal("0.04858")),
        FieldDrift("cost.input", Decimal("0.25"), Decimal("0.3"), Decimal("0.2")),
    ),
)
GONE = Drift("gone", "openrouter", "old/model", "openrouter", "old/model")


def test_a_valid_file_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        # accepted differences
        version: 1
        ignore:
          - provider: openrouter
            model: minimax/minimax-m3*
            kind: changed
            field: contextWindow
            upstream: 1048576
            source: openrouter
            until: 2026-12-31
            reason: MiniMax's own endpoint serves 1,000,000
          - kind: gone
            reason: OMP keeps models after they disappear upstream
        """,
    )
    rules = load_ignore_file(path)
    assert rules[0] == IgnoreRule(
        reason="MiniMax's own endpoint serves 1,000,000",
        location=f"{path}:4",
        provider="openrouter",
        model="minimax/minimax-m3*",
        kind="changed",
        fields=("contextWindow",),
        upstream=1048576,
        has_upstream=True,
        source="openrouter",
        until=date(2026, 12, 31),
    )
    assert rules[1].kind == "gone"
    assert rules[1].fields is None


def test_empty_file_accepts_nothing(tmp_path: Path) -> None:
    assert load_ignore_file(write(tmp_path, "# nothing yet\n")) == []


def test_every_mistake_is_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        version: 2
        ignores: []
        ignore:
          - model: a/b
          - reason: accepts everything
          - model: c/d
            kind: renamed
            reason: x
          - model: e/f
            kind: gone
            field: name
            reason: x
          - model: g/h
            field: cost
            upstream: 3
            reason: x
          - model: i/j
            until: tomorrow
            reasn: typo
            reason: x
          - just a string
        """,
    )
    with pytest.raises(IgnoreFileError) as caught:
        load_ignore_file(path)
    lines = [problem.to_line() for problem in caught.value.problems]
    name = str(path)
    assert lines == [
        f"{name}:2:1: [error] unknown key 'ignores'; an ignore file has `version` and `ignore` (ignore-file)",
        f"{name}:1:10: [error] unsupported version 2; this catalogmgr reads version 1 (ignore-file)",
        f"{name}:4:5: [error] a rule needs a `reason`: why this difference is accepted (ignore-file)",
        f"{name}:5:5: [error] a rule needs at least one of `provider`, `model`, `kind`, `field`, `source`"
        " (it would accept every difference) (ignore-file)",
        f"{name}:7:11: [error] unknown kind 'renamed'; one of new, changed, removal, gone (ignore-file)",
        f"{name}:11:12: [error] `field` applies only to kind `changed`, not 'gone' (ignore-file)",
        f"{name}:15:15: [error] `upstream` pins one field's value: give a single `field` too (ignore-file)",
        f"{name}:19:5: [error] unknown key 'reasn' in an ignore rule; did you mean `reason`? (ignore-file)",
        f"{name}:18:12: [error] `until` must be a date written YYYY-MM-DD (ignore-file)",
        f"{name}:21:5: [error] each rule is a mapping with at least `reason` and one of `provider`, `model`,"
        " `kind`, `field`, `source` (ignore-file)",
    ]
    assert str(caught.value) == f"{name}: invalid ignore file (10 error(s))"
    assert caught.value.exit_code == EXIT_CANNOT_RUN


def test_unparsable_file_is_one_located_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"ignore\.yml:\d+:\d+: YAML syntax error"):
        load_ignore_file(write(tmp_path, "ignore:\n  - [unclosed\n"))


def rule(**fields: object) -> IgnoreRule:
    base: dict[str, object] = {"reason": "because", "location": "ignore.yml:3"}
    base.update(fields)
    return IgnoreRule(**base)  # type: ignore[arg-type]


def test_a_field_rule_accepts_only_that_field() -> None:
    result = apply_ignores(report(CHANGED), [rule(model="minimax/*", fields=("contextWindow",))], today=TODAY)
    assert [f.field for f in result.drift[0].fields] == ["cost.input"]
    assert [f.field for f in result.ignored[0].drift.fields] == ["contextWindow"]
    assert result.ignored[0].reason == "because"
    assert result.ignored[0].rule == "ignore.yml:3"


def test_rules_for_every_field_accept_the_whole_record() -> None:
    rules = [rule(fields=("contextWindow",)), rule(fields=("cost.input",), location="ignore.yml:9")]
    result = apply_ignores(report(CHANGED), rules, today=TODAY)
    assert result.drift == ()
    assert [i.rule for i in result.ignored] == ["ignore.yml:3", "ignore.yml:9"]


def test_a_pinned_upstream_value_stops_matching_when_upstream_changes_again() -> None:
    pinned = rule(fields=("contextWindow",), upstream=1048576, has_upstream=True)
    assert apply_ignores(report(CHANGED), [pinned], today=TODAY).ignored != ()
    moved = rule(fields=("contextWindow",), upstream=2000000, has_upstream=True)
    result = apply_ignores(report(CHANGED), [moved], today=TODAY)
    assert result.ignored == ()
    assert "matched nothing" in result.notes[-1]


def test_pinned_prices_compare_as_decimals() -> None:
    pinned = rule(fields=("cost.input",), upstream=0.3, has_upstream=True)
    assert [
        f.field for f in apply_ignores(report(CHANGED), [pinned], today=TODAY).ignored[0].drift.fields
    ] == ["cost.input"]


def test_kind_provider_source_and_glob_select() -> None:
    drift = report(CHANGED, GONE)
    assert [d.kind for d in apply_ignores(drift, [rule(kind="gone")], today=TODAY).drift] == ["changed"]
    assert apply_ignores(drift, [rule(provider="minimax")], today=TODAY).ignored == ()
    assert apply_ignores(drift, [rule(source="models.dev")], today=TODAY).ignored == ()
    assert len(apply_ignores(drift, [rule(model="*/model")], today=TODAY).ignored) == 1


def test_an_expired_rule_no_longer_applies_and_says_so() -> None:
    result = apply_ignores(report(GONE), [rule(kind="gone", until=date(2026, 8, 1))], today=TODAY)
    assert result.drift == (GONE,)
    assert result.notes == ("ignore rule at ignore.yml:3 expired on 2026-08-01: no longer applied",)
    still = apply_ignores(report(GONE), [rule(kind="gone", until=TODAY)], today=TODAY)
    assert still.drift == ()


def test_unused_rules_are_noted_only_when_they_could_have_matched() -> None:
    rules = [rule(model="x/y"), rule(model="x/y", source="models.dev"), rule(model="x/y", provider="minimax")]
    result = apply_ignores(report(GONE), rules, today=TODAY, compared_providers=["openrouter"])
    assert result.notes == (
        "ignore rule at ignore.yml:3 matched nothing (is the drift gone? remove the rule)",
    )
