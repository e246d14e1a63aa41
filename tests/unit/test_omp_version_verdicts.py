"""catalogmgr's verdict under each profile equals every recorded OMP release's own verdict.

``tests/compat/verdicts/omp-versions.json`` holds what each real release (13.19.0 ... 18.3.4) said
about every file of the validation corpus; ``tests/compat/test_versions_vs_omp.py`` re-runs the
releases (when installed) and checks the record. This test needs no OMP: it runs everywhere.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compat"))

from omp_versions import corpus, disagreements, label, load_record

from catalogmgr.omp.profile import PROFILES, OmpVersion, profile_for_version

RECORD = load_record()
FILES = {label(path): path for path in corpus()}


def test_every_profile_is_proven_on_its_source_release() -> None:
    assert {str(profile.source) for profile in PROFILES} <= set(RECORD)


def test_the_record_covers_the_corpus_on_every_release() -> None:
    # Files added later are compared with the real releases by tests/compat/test_versions_vs_omp.py
    # until the record is regenerated (tests/compat/omp_versions.py); the boundary files must be in it.
    boundary = {key for key in FILES if key.rsplit("/", 1)[-1].startswith("version-")}
    for version, verdicts in RECORD.items():
        assert boundary <= set(verdicts), f"regenerate the record: tests/compat/omp_versions.py ({version})"
        assert len(verdicts) >= 200


def test_version_sensitive_files_split_the_releases() -> None:
    # Each version-*.yml file sits on a boundary: some release accepts it and some rejects it. The
    # others show a field later releases added is ignored before (accepted everywhere), or a rule
    # 13.x/14.x never run (`Profile.provider_rules_enforced`).
    accepted_everywhere = {
        "version-max-context-window.yml", "version-supports-steering.yml", "version-image-input-decoder.yml",
        "version-transport-pi-native.yml", "version-discovery-timeout.yml", "version-thinking-min-max.yml",
        "version-equivalence-block.yml", "version-apikey-only.yml", "version-headers-only.yml",
        "version-disable-strict-tools-only.yml", "version-remote-compaction-only.yml",
    }  # fmt: skip
    seen = set()
    for key in FILES:
        name = key.rsplit("/", 1)[-1]
        if not name.startswith("version-"):
            continue
        statuses = {RECORD[version][key] for version in RECORD}
        seen.add(name)
        assert statuses == ({"ok"} if name in accepted_everywhere else {"ok", "error"}), (key, statuses)
    assert len(seen) >= 30


@pytest.mark.parametrize("version", sorted(RECORD, key=lambda v: tuple(map(int, v.split(".")))))
def test_catalogmgr_agrees_with_the_release(version: str) -> None:
    parsed = OmpVersion.parse(version)
    assert parsed is not None
    assert profile_for_version(parsed).first <= parsed
    assert disagreements(version, RECORD[version], FILES) == []
