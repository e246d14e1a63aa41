"""OMP profiles: version parsing, profile choice with its reason, installed-OMP detection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalogmgr.errors import UsageError
from catalogmgr.omp import install as install_module
from catalogmgr.omp.install import InstalledOmp, find_installed_omp, install_for_catalog
from catalogmgr.omp.profile import (
    NEWEST_PROFILE,
    PROFILES,
    PROFILES_BY_ID,
    OmpVersion,
    profile_for_version,
    select_profile,
)
from catalogmgr.validation import validate_data

TINY_CATALOG = {"p": {"m": {"id": "m", "provider": "p", "api": "openai-completions"}}}


def fake_install(
    root: Path, version: str, *, layout: str = "pi-catalog", nested: bool = False, bun: bool = False
) -> Path:
    """A node_modules holding pi-coding-agent@version and its bundled catalog; returns the catalog."""
    agent = root / "@oh-my-pi" / "pi-coding-agent"
    agent.mkdir(parents=True, exist_ok=True)
    (agent / "package.json").write_text(json.dumps({"name": "@oh-my-pi/pi-coding-agent", "version": version}))
    packages = agent / "node_modules" if nested else root
    catalog_package = packages / "@oh-my-pi" / layout
    (catalog_package / "src").mkdir(parents=True, exist_ok=True)
    (catalog_package / "package.json").write_text(
        json.dumps({"name": f"@oh-my-pi/{layout}", "version": version})
    )
    catalog = catalog_package / "src" / "models.json"
    catalog.write_text(json.dumps(TINY_CATALOG))
    if bun:
        binary = root / "@oven" / "bun-linux-x64" / "bin" / "bun"
        binary.parent.mkdir(parents=True)
        binary.write_text("")
    return catalog


@pytest.fixture(autouse=True)
def _no_system_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own /usr/lib/node_modules and the caller's choice must not leak in."""
    monkeypatch.setattr(install_module, "SYSTEM_NPM_ROOTS", ())
    monkeypatch.delenv("CATALOGMGR_OMP_VERSION", raising=False)


def test_versions_parse_and_order() -> None:
    assert OmpVersion.parse("v18.2.3-beta.1") == OmpVersion(18, 2, 3)
    assert OmpVersion.parse("18.2") is None
    assert OmpVersion(17, 3, 5) < OmpVersion(18, 0, 0) < OmpVersion(18, 2, 10)


def test_profiles_are_ordered_oldest_first_and_cover_every_version() -> None:
    firsts = [profile.first for profile in PROFILES]
    assert firsts == sorted(firsts)
    assert len(set(firsts)) == len(firsts)
    assert profile_for_version(OmpVersion(1, 0, 0)) is PROFILES[0]
    assert profile_for_version(OmpVersion(99, 0, 0)) is NEWEST_PROFILE
    for profile in PROFILES:
        assert profile_for_version(profile.first) is profile
        assert profile.source >= profile.first


def test_choice_order_flag_then_environment_then_installed_then_newest(tmp_path: Path) -> None:
    installed = InstalledOmp(tmp_path, OmpVersion(18, 2, 3), tmp_path / "models.json", None)
    env = {"CATALOGMGR_OMP_VERSION": "18.2.5"}
    chosen = select_profile("18.2.4", env, installed)
    assert (str(chosen.version), chosen.reason) == ("18.2.4", "--omp-version 18.2.4")
    chosen = select_profile(None, env, installed)
    assert (str(chosen.version), chosen.reason) == ("18.2.5", "$CATALOGMGR_OMP_VERSION=18.2.5")
    chosen = select_profile(None, {}, installed)
    assert str(chosen.version) == "18.2.3"
    assert chosen.reason == f"installed OMP 18.2.3 at {tmp_path}"
    chosen = select_profile(None, {}, None)
    assert chosen.profile is NEWEST_PROFILE
    assert chosen.version is None
    assert "no installed OMP found" in chosen.reason
    assert chosen.describe().startswith(f"catalogmgr: OMP profile {NEWEST_PROFILE.id} (")


@pytest.mark.parametrize(
    ("version", "rules"),
    [
        ("18.0.0", "18.1.16"),
        ("18.1.16", "18.1.16"),
        ("18.1.17", "18.1.17"),
        ("18.1.19", "18.1.17"),
        ("18.1.20", "18.1.20"),
        ("18.1.21", "18.1.20"),
        ("18.2.0", "18.2.0"),
        ("18.2.3", "18.2.3"),
    ],
)
def test_a_release_runs_its_own_compat_rules_inside_a_shared_profile(version: str, rules: str) -> None:
    chosen = select_profile(version, {}, None)
    assert chosen.profile.rules == rules
    # Same epoch (id, verdicts, switches); only the rule engine differs.
    epoch = profile_for_version(chosen.version or OmpVersion(0, 0, 0))
    assert chosen.profile.id == epoch.id
    assert chosen.profile.last == epoch.last
    assert ("compat rules of OMP" in chosen.describe()) == (rules != epoch.rules)
    if rules == epoch.rules:
        assert chosen.profile is epoch


@pytest.mark.parametrize("bad", ["18", "latest", "18.2.x", "", " 1.2.3.4"])
def test_a_malformed_version_is_a_usage_error_naming_its_origin(bad: str) -> None:
    if bad:
        with pytest.raises(UsageError, match="--omp-version"):
            select_profile(bad, {}, None)
    with pytest.raises(UsageError, match=r"\$CATALOGMGR_OMP_VERSION"):
        select_profile(None, {"CATALOGMGR_OMP_VERSION": bad or "x"}, None)


@pytest.mark.parametrize(
    ("layout", "nested"), [("pi-catalog", False), ("pi-catalog", True), ("pi-ai", False), ("pi-ai", True)]
)
def test_an_installed_omp_says_its_version_from_the_package_json_beside_its_catalog(
    tmp_path: Path, layout: str, nested: bool
) -> None:
    root = tmp_path / "prefix" / "lib" / "node_modules"
    catalog = fake_install(root, "17.3.5", layout=layout, nested=nested, bun=True)
    found = find_installed_omp({"NPM_CONFIG_PREFIX": str(tmp_path / "prefix")}, tmp_path / "home")
    assert found == InstalledOmp(root, OmpVersion(17, 3, 5), catalog, root / "@oven/bun-linux-x64/bin/bun")


def test_bun_global_install_is_found_first(tmp_path: Path) -> None:
    home = tmp_path / "home"
    fake_install(tmp_path / "prefix" / "lib" / "node_modules", "17.3.5")
    bun_root = home / ".bun" / "install" / "global" / "node_modules"
    catalog = fake_install(bun_root, "18.2.0")
    found = find_installed_omp({"NPM_CONFIG_PREFIX": str(tmp_path / "prefix")}, home)
    assert found is not None
    assert (found.root, found.version, found.catalog, found.bun) == (
        bun_root,
        OmpVersion(18, 2, 0),
        catalog,
        None,
    )


def test_a_catalog_outside_an_installation_has_none(tmp_path: Path) -> None:
    loose = tmp_path / "models.json"
    loose.write_text("{}")
    assert install_for_catalog(loose) is None
    assert find_installed_omp({}, tmp_path) is None


def test_a_broken_package_json_leaves_the_version_unknown(tmp_path: Path) -> None:
    catalog = fake_install(tmp_path, "18.2.3")
    (tmp_path / "@oh-my-pi" / "pi-coding-agent" / "package.json").write_text("{not json")
    (tmp_path / "@oh-my-pi" / "pi-catalog" / "package.json").write_text('{"version": 18}')
    found = install_for_catalog(catalog)
    assert found is not None
    assert found.version is None
    chosen = select_profile(None, {}, found)
    assert chosen.profile is NEWEST_PROFILE
    assert "does not say its version" in chosen.reason


# --------------------------------------------------------------------------------------------
# The command line


def test_every_command_names_its_profile_and_why(run_cli: Any, tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers: {}\n")
    catalog = fake_install(tmp_path / "node_modules", "18.2.3")
    for args in (
        ["validate", str(overlay)],
        ["schema"],
        ["merge", "--base", str(catalog), "--overlay", str(overlay)],
        ["list", "--base", str(catalog), "--overlay", str(overlay)],
        ["changes", "--base", str(catalog), "--overlay", str(overlay)],
        ["keys", "--base", str(catalog), "--overlay", str(overlay)],
    ):
        result = run_cli(*args, "--omp-version", "18.2.4")
        assert result.exit_code in (0, 1), (args, result.stderr)
        assert "catalogmgr: OMP profile 18.2.3 (" in result.stderr, args
        assert ": --omp-version 18.2.4" in result.stderr, args
    merged = run_cli("merge", "--base", str(catalog), "--overlay", str(overlay))
    assert f"installed OMP 18.2.3 at {tmp_path / 'node_modules'}" in merged.stderr


def test_a_bad_omp_version_exits_2(run_cli: Any, tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers: {}\n")
    result = run_cli("validate", "--omp-version", "eighteen", str(overlay))
    assert result.exit_code == 2
    assert "--omp-version: 'eighteen' is not an OMP version" in result.stderr
    result = run_cli("merge", "--omp-version", "all", "--overlay", str(overlay))
    assert result.exit_code == 2
    assert "`all` works only with `catalogmgr validate`" in result.stderr


# --------------------------------------------------------------------------------------------
# What each profile accepts (the real releases' verdicts are proven in tests/compat)


def _rules(data: dict[str, Any], profile_id: str) -> set[tuple[str, str]]:
    """(rule, severity) of every finding of ``data`` under the profile ``profile_id``."""
    return {
        (finding.rule, finding.severity.value)
        for finding in validate_data(data, profile=PROFILES_BY_ID[profile_id])
    }


def _provider(**fields: Any) -> dict[str, Any]:
    return {"providers": {"acme": {"baseUrl": "https://acme.test/v1", "apiKey": "ACME_KEY", **fields}}}


@pytest.mark.parametrize("api", ["typesafe", "openrouter-decisions"])
def test_the_judge_apis_need_omp_18_2_8(api: str) -> None:
    data = _provider(api=api, models=[{"id": "judge"}])
    assert ("schema", "error") in _rules(data, "18.2.3")
    assert _rules(data, "18.2.9") == set()
    assert _rules(data, "18.3") == set()


def test_apple_foundation_models_discovery_needs_omp_18_3() -> None:
    data = _provider(api="openai-completions", discovery={"type": "apple-foundation-models"})
    assert ("schema", "error") in _rules(data, "18.2.9")
    assert _rules(data, "18.3") == set()


def test_supports_steering_is_known_from_omp_18_3() -> None:
    data = _provider(compat={"supportsSteering": True})
    assert _rules(data, "18.2.9") == {("unknown-key", "warning")}
    assert _rules(data, "18.3") == set()


@pytest.mark.parametrize(
    ("fields", "accepted"),
    [
        ({"contextWindow": 200_000, "maxContextWindow": 1_000_000}, True),
        ({"contextWindow": 200_000, "maxContextWindow": 200_000}, True),
        ({"maxContextWindow": 1_000_000}, True),
        ({"contextWindow": 200_000, "maxContextWindow": 100_000}, False),
        ({"maxContextWindow": 0}, False),
        ({"maxContextWindow": -5}, False),
        ({"maxContextWindow": 1.5}, False),
        ({"maxContextWindow": 2**53}, False),
    ],
)
def test_max_context_window_is_an_integer_no_smaller_than_the_window(
    fields: dict[str, Any], accepted: bool
) -> None:
    as_model = _provider(api="openai-completions", models=[{"id": "m", **fields}])
    as_override = {"providers": {"acme": {"modelOverrides": {"m": fields}}}}
    for data in (as_model, as_override):
        found = _rules(data, "18.3")
        assert (("max-context-window", "error") not in found) is accepted, (data, found)
        # Before 18.3 the key is unknown: OMP ignores it (a warning, never an error).
        assert ("max-context-window", "error") not in _rules(data, "18.2.9")
        assert ("unknown-key", "warning") in _rules(data, "18.2.9")


def test_the_newest_profile_is_used_without_an_installed_omp(
    run_cli: Any, tmp_path: Path, tmp_home: Path
) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  judge:\n    baseUrl: https://judge.test\n    apiKey: JUDGE_KEY\n"
        "    api: typesafe\n    models:\n      - id: jev-latest\n"
    )
    result = run_cli("validate", str(overlay))
    assert result.exit_code == 0, result.output
    assert f"catalogmgr: OMP profile {NEWEST_PROFILE.id} (" in result.stderr
    pinned = run_cli("validate", "--omp-version", "18.2.3", str(overlay))
    assert pinned.exit_code == 1
    assert "typesafe" in pinned.output


# --------------------------------------------------------------------------------------------
# Every release's installation picks its own profile


@pytest.mark.parametrize(
    ("version", "layout", "profile_id"),
    [
        ("13.19.0", "pi-ai", "13.19"),
        ("14.9.9", "pi-ai", "14.9"),
        ("16.1.7", "pi-ai", "14.9"),
        ("17.0.4", "pi-catalog", "17.2"),
        ("17.2.15", "pi-catalog", "17.2"),
        ("17.3.5", "pi-catalog", "17.3"),
        ("18.1.18", "pi-catalog", "18.0"),
        ("18.2.0", "pi-catalog", "18.0"),
        ("18.2.3", "pi-catalog", "18.2.3"),
        ("18.2.9", "pi-catalog", "18.2.9"),
        ("18.3.4", "pi-catalog", "18.3"),
    ],
)
def test_an_installed_omp_of_each_release_selects_its_profile(
    tmp_path: Path, version: str, layout: str, profile_id: str
) -> None:
    root = tmp_path / "prefix" / "lib" / "node_modules"
    fake_install(root, version, layout=layout)
    found = find_installed_omp({"NPM_CONFIG_PREFIX": str(tmp_path / "prefix")}, tmp_path / "home")
    assert found is not None
    chosen = select_profile(None, {}, found)
    assert chosen.profile.id == profile_id
    assert str(chosen.version) == version
    assert chosen.profile.catalog_layout == layout
    assert chosen.reason == f"installed OMP {version} at {root}"


def test_the_command_line_names_the_profile_of_the_installed_release(
    run_cli: Any, tmp_path: Path, tmp_home: Path
) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  anthropic:\n    modelOverrides:\n      m:\n        maxContextWindow: 0\n"
    )
    for version, profile_id, expected_exit in (("17.3.5", "17.3", 0), ("18.3.4", "18.3", 1)):
        catalog = fake_install(tmp_path / version / "node_modules", version)
        result = run_cli("validate", "--base", str(catalog), str(overlay))
        assert result.exit_code == expected_exit, result.output
        assert f"catalogmgr: OMP profile {profile_id} (" in result.stderr
        assert f"installed OMP {version} at {tmp_path / version / 'node_modules'}" in result.stderr


# --------------------------------------------------------------------------------------------
# Version notes and the compatibility matrix


def test_a_version_dependent_error_says_which_releases_accept_the_file(
    run_cli: Any, tmp_path: Path, tmp_home: Path
) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text(
        "providers:\n  judges:\n    baseUrl: https://openrouter.ai/api/v1\n    apiKey: OPENROUTER_API_KEY\n"
        "    api: openrouter-decisions\n    models:\n      - id: jev\n"
    )
    result = run_cli("validate", "--omp-version", "18.2.3", str(overlay))
    assert result.exit_code == 1
    assert "OMP 18.2.8 and later accept it (you run OMP 18.2.3) (schema)" in result.stdout
    newest = run_cli("validate", str(overlay))
    assert newest.exit_code == 0, newest.output


def test_a_key_a_later_release_knows_says_so(run_cli: Any, tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  openai:\n    compat:\n      supportsSteering: true\n")
    result = run_cli("validate", "--omp-version", "17.3.5", str(overlay))
    assert result.exit_code == 0
    assert "OMP 18.3.0 and later know this key (you run OMP 17.3.5) (unknown-key)" in result.stdout


def test_a_problem_every_release_has_gets_no_note(run_cli: Any, tmp_path: Path, tmp_home: Path) -> None:
    overlay = tmp_path / "models.yml"
    overlay.write_text("providers:\n  openai:\n    api: openai-responses\n    models: nope\n")
    result = run_cli("validate", "--omp-version", "18.2.3", str(overlay))
    assert result.exit_code == 1
    assert "you run" not in result.stdout


def test_omp_13_and_14_load_files_the_provider_rules_reject(tmp_path: Path) -> None:
    data = {"providers": {"vllm": {"api": "openai-completions", "models": [{"id": "m"}]}}}
    for profile_id in ("13.19", "14.9"):
        found = validate_data(data, profile=PROFILES_BY_ID[profile_id])
        assert {(f.rule, f.severity.value) for f in found} == {
            ("models-need-baseurl", "warning"),
            ("models-need-apikey", "warning"),
        }
        assert all("does not check this and loads the file" in f.message for f in found)
    assert {f.severity.value for f in validate_data(data, profile=PROFILES_BY_ID["17.2"])} == {"error"}


def test_the_compatibility_matrix(run_cli: Any, tmp_path: Path, tmp_home: Path) -> None:
    thinking = tmp_path / "thinking.yml"
    thinking.write_text(
        "providers:\n  local:\n    baseUrl: http://localhost:8080/v1\n    apiKey: K\n"
        "    api: openai-completions\n    models:\n      - id: q\n"
        "        thinking: {mode: effort, efforts: [low, high]}\n"
    )
    portable = tmp_path / "portable.yml"
    portable.write_text("providers:\n  openai:\n    baseUrl: https://api.openai.com/v1\n")
    result = run_cli("validate", "--omp-version", "all", str(thinking), str(portable))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["file", *(profile.id for profile in PROFILES)]
    assert lines[1].split()[1:] == ["REJECTS", "REJECTS"] + ["ok"] * (len(PROFILES) - 2)
    assert lines[2].split()[1:] == ["ok"] * len(PROFILES)
    assert f"{thinking}: accepted by OMP 17.0.0 and later" in result.stdout
    assert f"{portable}: accepted by OMP 13.0.0 and later" in result.stdout
    as_json = run_cli("validate", "--omp-version", "all", "--format", "json", str(thinking))
    document = json.loads(as_json.stdout)
    assert document["files"][0]["accepted_by"] == [profile.id for profile in PROFILES][2:]
    only_portable = run_cli("validate", "--omp-version", "all", str(portable))
    assert only_portable.exit_code == 0


def test_a_huge_file_gets_no_version_notes(tmp_path: Path) -> None:
    from catalogmgr.validation import VERSION_NOTE_NODE_LIMIT, check_path

    providers = "".join(
        f"  p{index}:\n    api: typesafe\n    baseUrl: https://x.test\n"
        for index in range(VERSION_NOTE_NODE_LIMIT // 3 + 1)  # 3 nodes each, plus the root
    )
    big = tmp_path / "big.yml"
    big.write_text("providers:\n" + providers)
    report = check_path(big, profile=PROFILES_BY_ID["18.2.3"], runs="OMP 18.2.3")
    assert report.errors
    assert not any("you run" in problem.message for problem in report.problems)
    small = tmp_path / "small.yml"
    small.write_text("providers:\n" + providers.split("  p1:")[0])
    noted = check_path(small, profile=PROFILES_BY_ID["18.2.3"], runs="OMP 18.2.3")
    assert any("OMP 18.2.8 and later accept it (you run OMP 18.2.3)" in p.message for p in noted.problems)


@pytest.mark.parametrize(
    ("profile_id", "kept"), [("13.19", False), ("17.2", False), ("17.3", True), ("18.2.3", True)]
)
def test_a_cost_override_keeps_long_context_from_17_3(profile_id: str, kept: bool) -> None:
    # 17.2.15's applyModelPatch rebuilds cost from its four prices; 17.3.5's keeps longContext
    # (measured: tests/tools/policy_corpus_diff.py --omp-version 17.2.15 52-policy).
    from catalogmgr.merge import Layer, merge_catalog
    from catalogmgr.omp.profile import PROFILES_BY_ID

    tier = {"inputThreshold": 128000, "input": 0.8, "output": 3.6}
    base = {"p": {"m": {"id": "m", "provider": "p", "api": "openai-completions", "cost": {"input": 1}}}}
    overlay = {"providers": {"p": {"modelOverrides": {"m": {"cost": {"output": 2, "longContext": tier}}}}}}
    merged = merge_catalog(base, [Layer("o.yml", overlay)], profile=PROFILES_BY_ID[profile_id]).catalog
    assert merged["p"]["m"]["cost"] == {"input": 1, "output": 2, **({"longContext": tier} if kept else {})}


@pytest.mark.parametrize(("profile_id", "inherits"), [("13.19", False), ("14.9", True), ("18.2.3", True)])
def test_a_custom_model_takes_a_reference_from_14(profile_id: str, inherits: bool) -> None:
    # 13.19's model registry has no resolveCustomModelReference: a custom gpt-5.1 gets OMP's
    # defaults (measured: tests/tools/policy_corpus_diff.py --omp-version 13.19.0 13-new-provider).
    from catalogmgr.merge import Layer, merge_catalog
    from catalogmgr.omp.profile import PROFILES_BY_ID

    bundled = {"id": "gpt-5.1", "provider": "openai", "api": "openai-responses", "contextWindow": 400000}
    base = {"openai": {"gpt-5.1": bundled}}
    overlay = {
        "providers": {
            "gw": {
                "baseUrl": "https://gw.example/v1",
                "apiKey": "GW_KEY",
                "api": "openai-completions",
                "models": [{"id": "gpt-5.1"}],
            }
        }
    }
    merged = merge_catalog(base, [Layer("o.yml", overlay)], profile=PROFILES_BY_ID[profile_id]).catalog
    assert merged["gw"]["gpt-5.1"]["contextWindow"] == (400000 if inherits else 128000)
