"""Tests of the differential harness itself: the comparison, the driver, and the probe against OMP.

The first half needs nothing but Python (fabricated rows): it shows the comparison reports each
kind of disagreement, so the conformance tests can fail. The second half runs the real OMP and
checks the probe against facts observed by hand (reference doc, section 4), that jobs of one
batch do not leak into each other, that the environment reaches OMP stripped and that no
``!command`` ever runs.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from catalog_diff import MISSING, OverlayTouches, compare, same
from omp import OmpInstall, OmpProbe, OmpResult, OmpUnavailable, locate_omp, settings_key, settings_text

# ------------------------------------------------------------------------------------------------
# The comparison, on fabricated rows


def _row(provider: str, model_id: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "provider": provider,
        "id": model_id,
        "name": model_id,
        "api": "openai-completions",
    }
    row.update(baseUrl="https://a.example/v1", contextWindow=1000, maxTokens=100)
    row.update(fields)
    return row


BASE = {"p": {"m": _row("p", "m", compat={"supportsStore": True})}}
BASELINE = {("p", "m"): _row("p", "m", compat={"supportsStore": True})}
OVERLAY = {"providers": {"p": {"baseUrl": "https://b.example/v1", "compat": {"supportsStore": False}}}}


def _result(*rows: dict[str, Any], removed: frozenset[tuple[str, str]] = frozenset()) -> OmpResult:
    return OmpResult("ok", None, {(row["provider"], row["id"]): row for row in rows}, removed, None)


def _ours(**fields: Any) -> dict[str, dict[str, dict[str, Any]]]:
    return {"p": {"m": _row("p", "m", **fields)}}


OMP_AFTER = _row("p", "m", baseUrl="https://b.example/v1", compat={"supportsStore": False})


def test_compare_agrees_when_ours_makes_omps_change() -> None:
    ours = _ours(baseUrl="https://b.example/v1", compat={"supportsStore": False})
    assert compare("o", OVERLAY, BASE, ours, BASELINE, _result(OMP_AFTER)) == []


def test_compare_reports_a_change_ours_misses() -> None:
    ours = _ours(compat={"supportsStore": False})
    [difference] = compare("o", OVERLAY, BASE, ours, BASELINE, _result(OMP_AFTER))
    assert (difference.field, difference.ours, difference.omp) == (
        "baseUrl",
        "https://a.example/v1",
        "https://b.example/v1",
    )
    assert str(difference).startswith(
        'o: p/m: baseUrl: ours="https://a.example/v1" omp="https://b.example/v1"'
    )


def test_compare_reports_a_change_only_ours_makes() -> None:
    ours = _ours(baseUrl="https://b.example/v1", compat={"supportsStore": False}, maxTokens=5)
    [difference] = compare("o", OVERLAY, BASE, ours, BASELINE, _result(OMP_AFTER))
    assert difference.field == "maxTokens"
    assert "OMP did not" in difference.note


def test_compare_accepts_ours_equal_to_omps_value_when_omp_did_not_move() -> None:
    """OMP's own policy may already give the bundled model the value the overlay sets."""
    base = {"p": {"m": _row("p", "m", contextWindow=400)}}
    baseline = {("p", "m"): _row("p", "m", contextWindow=300)}  # OMP's policy capped it
    overlay = {"providers": {"p": {"modelOverrides": {"m": {"contextWindow": 300}}}}}
    ours = {"p": {"m": _row("p", "m", contextWindow=300)}}
    assert compare("o", overlay, base, ours, baseline, _result()) == []


def test_compare_reports_compat_keys_the_overlay_sets() -> None:
    ours = _ours(baseUrl="https://b.example/v1", compat={"supportsStore": True})
    [difference] = compare("o", OVERLAY, BASE, ours, BASELINE, _result(OMP_AFTER))
    assert (difference.field, difference.ours, difference.omp) == ("compat.supportsStore", True, False)
    assert difference.compat_keys == frozenset({"supportsStore"})


def test_compare_reads_authored_compat_when_the_rule_engine_does_not_know_the_key() -> None:
    overlay = {"providers": {"p": {"disableStrictTools": True}}}
    omp_after = _row("p", "m", compat={"supportsStore": True}, compatConfig={"disableStrictTools": True})
    missed = compare("o", overlay, BASE, _ours(compat={"supportsStore": True}), BASELINE, _result(omp_after))
    assert [(d.field, d.ours, d.omp) for d in missed] == [("compat.disableStrictTools", MISSING, True)]
    # Both sides are read from the authored view where OMP's resolved compat lacks the key: ours
    # keeps it in compatConfig, as OMP does.
    made = _ours(compat={"supportsStore": True}, compatConfig={"disableStrictTools": True})
    assert compare("o", overlay, BASE, made, BASELINE, _result(omp_after)) == []
    wrong = _ours(compat={"supportsStore": True}, compatConfig={"disableStrictTools": False})
    [difference] = compare("o", overlay, BASE, wrong, BASELINE, _result(omp_after))
    assert (difference.field, difference.ours, difference.omp) == ("compat.disableStrictTools", False, True)


def test_compare_reports_missing_and_extra_models() -> None:
    new = _row("p", "new")
    missing = compare("o", {}, BASE, _ours(), BASELINE, _result(new))
    assert [(d.model_id, d.field, d.ours) for d in missing] == [("new", "*", MISSING)]
    extra = {"p": {"m": _row("p", "m"), "extra": _row("p", "extra")}}
    assert [d.model_id for d in compare("o", {}, BASE, extra, BASELINE, _result())] == ["extra"]
    gone = compare("o", {}, BASE, _ours(), BASELINE, _result(removed=frozenset({("p", "m")})))
    assert [(d.model_id, d.omp) for d in gone] == [("m", MISSING)]


def test_compare_new_models_field_by_field() -> None:
    overlay = {"providers": {"q": {"models": [{"id": "n", "name": "N"}]}}}
    omp_new = _row("q", "n", name="N", reasoning=False)
    ours = {**_ours(), "q": {"n": _row("q", "n", name="N", reasoning=True)}}
    [difference] = compare("o", overlay, BASE, ours, BASELINE, _result(omp_new))
    assert (difference.field, difference.note, difference.authored) == ("reasoning", "new model", False)


def test_compare_skips_headers_omp_left_unresolved() -> None:
    overlay = {"providers": {"p": {"headers": {"X-A": "!cmd"}}}}
    omp_after = _row("p", "m", compat={"supportsStore": True}, headers="<unresolved: !command values>")
    assert (
        compare("o", overlay, BASE, _ours(compat={"supportsStore": True}), BASELINE, _result(omp_after)) == []
    )
    omp_resolved = _row("p", "m", compat={"supportsStore": True}, headers={"X-A": "v"})
    [difference] = compare(
        "o", overlay, BASE, _ours(compat={"supportsStore": True}), BASELINE, _result(omp_resolved)
    )
    assert difference.field == "headers.X-A"


def test_same_is_json_equality() -> None:
    assert same(1, 1.0)
    assert not same(True, 1)
    assert not same(0, False)
    assert same({"a": [1, 2.5]}, {"a": [1.0, 2.5]})
    assert not same({"a": 1}, {"a": 1, "b": None})
    assert same(MISSING, None)
    assert not same("1", 1)


def test_overlay_touches_collects_every_source() -> None:
    touches = OverlayTouches.of(
        {
            "providers": {
                "p": {
                    "disableStrictTools": True,
                    "compat": {"a": 1},
                    "headers": {"H1": "x"},
                    "models": [{"id": "m", "compat": {"b": 1}, "headers": {"H2": "y"}, "name": "M"}],
                    "modelOverrides": {"o": {"compat": {"c": 1}, "contextWindow": 5}},
                }
            }
        }
    )
    assert touches.compat_keys(("p", "m")) == {"a", "b", "disableStrictTools"}
    assert touches.compat_keys(("p", "o")) == {"a", "c", "disableStrictTools"}
    assert touches.header_names(("p", "m")) == {"H1", "H2"}
    assert touches.model_fields[("p", "m")] == {"id", "compat", "headers", "name"}
    assert touches.model_fields[("p", "o")] == {"compat", "contextWindow"}


# ------------------------------------------------------------------------------------------------
# The driver, without OMP


def _fake_node_modules(root: Path, version: str = "18.2.3") -> Path:
    node_modules = root / "node_modules"
    for name, package_version in (
        ("@oh-my-pi/pi-coding-agent", version),
        ("@oh-my-pi/pi-catalog", version),
        ("@oven/bun-linux-x64", "1.4.4"),
    ):
        (node_modules / name).mkdir(parents=True)
        (node_modules / name / "package.json").write_text(json.dumps({"version": package_version}))
    bun = node_modules / "@oven" / "bun-linux-x64" / "bin" / "bun"
    bun.parent.mkdir()
    bun.write_text("#!/bin/sh\nexit 1\n")
    bun.chmod(0o755)
    catalog = node_modules / "@oh-my-pi" / "pi-catalog" / "src" / "models.json"
    catalog.parent.mkdir()
    catalog.write_text(json.dumps({"p": {"m": _row("p", "m")}}))
    return node_modules


def test_locate_omp_finds_an_install(tmp_path: Path) -> None:
    node_modules = _fake_node_modules(tmp_path)
    install = locate_omp({"CATALOGMGR_OMP_DIR": str(node_modules)})
    assert (install.version, install.catalog_version, install.bun_version) == ("18.2.3", "18.2.3", "1.4.4")
    assert install.catalog_path.is_file()


def test_locate_omp_says_why_it_cannot(tmp_path: Path) -> None:
    with pytest.raises(OmpUnavailable, match=r"not installed in \$CATALOGMGR_OMP_DIR=.*install-omp\.sh"):
        locate_omp({"CATALOGMGR_OMP_DIR": str(tmp_path / "nothing")})
    wrong = _fake_node_modules(tmp_path, version="18.3.0")
    with pytest.raises(OmpUnavailable, match=r"holds OMP 18\.3\.0; the differential tests need 18\.2\.3"):
        locate_omp({"CATALOGMGR_OMP_DIR": str(wrong)})


def test_cached_results_need_no_bun(tmp_path: Path) -> None:
    """A warm cache answers without starting bun (the fake bun here would fail)."""
    install = locate_omp({"CATALOGMGR_OMP_DIR": str(_fake_node_modules(tmp_path))})
    probe = OmpProbe(install, cache_dir=tmp_path / "cache")
    added = _row("q", "n")
    cached = OmpResult("ok", None, {("q", "n"): added}, frozenset({("p", "m")}), None)
    text = "providers: {}\n"
    probe.cache_dir.mkdir(parents=True)
    (probe.cache_dir / f"overlay-{OmpProbe.overlay_hash(text)}.json").write_text(json.dumps(cached.to_json()))
    baseline_file = probe.cache_dir / f"baseline-{settings_key(None)}.json.gz"
    baseline_file.write_bytes(gzip.compress(json.dumps([_row("p", "m")]).encode()))
    assert probe.result(text) == cached
    assert probe.effective_catalog(cached) == [added]
    assert probe.bun_runs == 0


def test_settings_are_part_of_every_cache_key() -> None:
    """A result under other settings is another result: the cache never mixes them."""
    text = "providers: {}\n"
    assert settings_text(None) == settings_text({}) == ""
    assert settings_text({"b": 1, "a": {"y": 2, "x": 1}}) == '{"a":{"x":1,"y":2},"b":1}'
    assert OmpProbe.overlay_hash(text) == OmpProbe.overlay_hash(text, {})
    assert OmpProbe.overlay_hash(text) != OmpProbe.overlay_hash(text, {"extendedContext": True})
    assert OmpProbe.overlay_hash(text, {"extendedContext": False}) != OmpProbe.overlay_hash(
        text, {"extendedContext": True}
    )
    assert settings_key({"extendedContext": True}) != settings_key(None)


# ------------------------------------------------------------------------------------------------
# The probe, against the real OMP

SEED = (Path(__file__).parent / "overlays" / "01-seed-minimax-m3.yml").read_bytes()


@pytest.mark.omp
def test_probe_sees_the_seed_overlay_as_observed(omp_probe: OmpProbe) -> None:
    """Reference doc, section 4: all 8 bundled minimax models move to the CN URL with
    compat.disableStrictTools, and MiniMax-M3 has the overlay's values."""
    result = omp_probe.result(SEED)
    assert result.accepted, result.error
    catalog = {(row["provider"], row["id"]): row for row in omp_probe.effective_catalog(result)}
    bundled = [key for key in omp_probe.baseline() if key[0] == "minimax"]
    assert len(bundled) == 8
    for key in bundled:
        assert catalog[key]["baseUrl"] == "https://api.minimaxi.com/anthropic"
        assert catalog[key]["compatConfig"]["disableStrictTools"] is True
    m3 = catalog[("minimax", "MiniMax-M3")]
    assert (m3["name"], m3["contextWindow"], m3["maxTokens"], m3["input"]) == (
        "MiniMax M3",
        1_000_000,
        16_384,
        ["text", "image"],
    )
    assert m3["cost"] == {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}


@pytest.mark.omp
def test_probe_sees_reference_inheritance_and_defaults(omp_probe: OmpProbe) -> None:
    overlay = (
        "providers:\n  lab:\n    baseUrl: https://lab.example/v1\n    apiKey: LAB_KEY\n"
        "    api: openai-responses\n    models:\n      - id: gpt-5.1\n      - id: house-model-7b\n"
    )
    result = omp_probe.result(overlay)
    gpt, house = result.changed[("lab", "gpt-5.1")], result.changed[("lab", "house-model-7b")]
    assert (gpt["contextWindow"], gpt["maxTokens"], gpt["input"]) == (400_000, 128_000, ["text", "image"])
    assert gpt["cost"] == omp_probe.baseline()[("openai", "gpt-5.1")]["cost"]
    assert (house["name"], house["reasoning"], house["input"]) == ("house-model-7b", False, ["text"])
    assert (house["contextWindow"], house["maxTokens"]) == (128_000, 16_384)
    assert house["cost"] == {"input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0}


@pytest.mark.omp
def test_probe_reports_omps_rejection(omp_probe: OmpProbe) -> None:
    result = omp_probe.result("providers:\n  foo:\n    models:\n      - id: x\n")
    assert not result.accepted
    assert result.error is not None
    assert 'Provider foo: "baseUrl" is required when defining custom models.' in result.error
    assert result.changed == {}  # OMP runs with none of the user's providers


@pytest.fixture(scope="module")
def fresh_batches(
    omp_install: OmpInstall, omp_probe: OmpProbe, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The same overlays through the session's probe (cached after the first run) and through a
    cold probe in the opposite order, with two more that only the cold probe runs."""
    marker = tmp_path_factory.mktemp("command") / "ran"
    shared = {
        "seed": SEED,
        "minimax-overrides": (
            b"providers:\n  minimax:\n    modelOverrides:\n      MiniMax-M2.7: {contextWindow: 5000}\n"
        ),
        "cn-endpoints": (Path(__file__).parent / "overlays" / "38-cn-endpoints.yml").read_bytes(),
    }
    cold_only = {
        "env": b"providers:\n  minimax:\n    headers: {X-Probe-Env: CATALOGMGR_TEST_PROBE_ENV}\n",
        "command": (
            f"providers:\n  minimax:\n    apiKey: '!touch {marker}'\n    authHeader: true\n"
            f"    headers: {{X-Cmd: '!touch {marker}'}}\n"
        ).encode(),
    }
    session = omp_probe.results(shared)
    cold = OmpProbe(omp_install, cache_dir=tmp_path_factory.mktemp("cache"))
    os.environ["CATALOGMGR_TEST_PROBE_ENV"] = "leaked-from-the-test-environment"
    try:
        fresh = cold.results(dict(reversed({**shared, **cold_only}.items())))
    finally:
        del os.environ["CATALOGMGR_TEST_PROBE_ENV"]
    return {"session": session, "fresh": fresh, "cold": cold, "marker": marker}


@pytest.mark.omp
def test_jobs_of_a_batch_do_not_leak_into_each_other(fresh_batches: dict[str, Any]) -> None:
    """getAgentDir() is resolved once per process; every job has its own models path, cache and
    AuthStorage: overlays give the same results whatever batch, and place in it, they run in."""
    session, fresh = fresh_batches["session"], fresh_batches["fresh"]
    assert {name: fresh[name] for name in session} == session
    assert fresh_batches["cold"].bun_runs == 1


@pytest.mark.omp
def test_omp_gets_no_environment_of_ours(fresh_batches: dict[str, Any]) -> None:
    """A header naming an environment variable of the test process stays literal in OMP."""
    result = fresh_batches["fresh"]["env"]
    headers = result.changed[("minimax", "MiniMax-M2.7")]["headers"]
    assert headers["X-Probe-Env"] == "CATALOGMGR_TEST_PROBE_ENV"


@pytest.mark.omp
def test_no_command_ever_runs(fresh_batches: dict[str, Any]) -> None:
    result = fresh_batches["fresh"]["command"]
    assert result.accepted, result.error
    assert result.changed[("minimax", "MiniMax-M2.7")]["headers"] == "<unresolved: !command values>"
    assert not fresh_batches["marker"].exists()


@pytest.mark.omp
def test_a_warm_cache_starts_no_bun(omp_install: OmpInstall, fresh_batches: dict[str, Any]) -> None:
    cold = fresh_batches["cold"]
    again = OmpProbe(omp_install, cache_dir=cold.cache_root)
    assert again.results({"seed": SEED})["seed"] == fresh_batches["fresh"]["seed"]
    assert again.baseline() == cold.baseline()
    assert again.bun_runs == 0


@pytest.mark.omp
def test_settings_reach_omp(omp_probe: OmpProbe) -> None:
    """extendedContext off (OMP's default) caps gpt-5.6 at its long-context threshold; on, it keeps
    the bundled window. Both runs in the same probe, each against the baseline of its settings."""
    overlay = "providers:\n  openai:\n    modelOverrides:\n      gpt-5.6: {name: GPT 5.6 renamed}\n"
    default, off, on = (
        omp_probe.result(overlay, settings)
        for settings in (None, {"extendedContext": False}, {"extendedContext": True})
    )
    assert (off.settings_seen or {}).get("extendedContext") is False
    assert (on.settings_seen or {}).get("extendedContext") is True
    windows = []
    for result in (default, off, on):
        assert result.accepted, result.error
        row = result.changed[("openai", "gpt-5.6")]
        assert row["name"] == "GPT 5.6 renamed"
        windows.append(row["contextWindow"])
    assert windows == [272_000, 272_000, 1_050_000]
    assert omp_probe.baseline({"extendedContext": True})[("openai", "gpt-5.6")]["contextWindow"] == 1_050_000
    assert omp_probe.baseline()[("openai", "gpt-5.6")]["contextWindow"] == 272_000
    full = {(row["provider"], row["id"]): row for row in omp_probe.effective_catalog(on)}
    assert full[("openai", "gpt-5.6")]["contextWindow"] == 1_050_000


@pytest.mark.omp
def test_settings_of_one_run_do_not_leak_into_the_next(omp_install: OmpInstall, tmp_path: Path) -> None:
    """Runs under different settings share one bun process; each sees only its own settings."""
    probe = OmpProbe(omp_install, cache_dir=tmp_path)
    overlay = "providers:\n  openai:\n    modelOverrides:\n      gpt-5.6: {name: X}\n"
    runs = {
        "on": (overlay, {"extendedContext": True}),
        "none": (overlay, None),
        "on-again": (overlay + "# another file\n", {"extendedContext": True}),
        "off": (overlay + "# a third file\n", {"extendedContext": False}),
    }
    results = probe.results_under(runs)
    assert probe.bun_runs == 1
    windows = {
        name: result.changed[("openai", "gpt-5.6")]["contextWindow"] for name, result in results.items()
    }
    assert windows == {"on": 1_050_000, "none": 272_000, "on-again": 1_050_000, "off": 272_000}
    seen = {name: (result.settings_seen or {}).get("extendedContext") for name, result in results.items()}
    assert seen == {"on": True, "none": False, "on-again": True, "off": False}
