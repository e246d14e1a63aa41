"""Every installed OMP release's own verdict on the validation corpus, and the recorded verdicts.

The releases live under ``$CATALOGMGR_OMP_ROOT`` (``.ci/install-omp.sh`` fills ``.ci/omp``): an npm
install as ``<root>/<version>/node_modules``, or a published pi-coding-agent tarball unpacked with
the few packages its config modules import as ``<root>/src/<version>/node_modules`` (18.2.9 and
18.3.4, whose catalogs are not on npm). :func:`release_verdicts` runs ``omp_verdicts.ts`` once per
release for all files (one bun process per release).

``verdicts/omp-versions.json`` records each release's verdict per file, so the everyday suite
checks catalogmgr against every release without bun (``tests/unit/test_omp_version_verdicts.py``)
and the differential test (``test_versions_vs_omp.py``) checks the record against the releases
themselves. Regenerate it after adding a file or a release::

    CATALOGMGR_OMP_ROOT=.ci/omp python tests/compat/omp_versions.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
if str(COMPAT_DIR) not in sys.path:
    sys.path.insert(0, str(COMPAT_DIR))

from corpus import (  # noqa: E402
    VERDICTS_DIR,
    corpus_files,
    example_files,
    label,
    shared_user_files,
    verdict_files,
)

PROBE = COMPAT_DIR / "omp_verdicts.ts"
RECORD = VERDICTS_DIR / "omp-versions.json"
ROOT_VARIABLE = "CATALOGMGR_OMP_ROOT"
BUN_RELATIVE = Path("@oven") / "bun-linux-x64" / "bin" / "bun"
_AGENT_MANIFEST = "node_modules/@oh-my-pi/pi-coding-agent/package.json"


def version_key(text: str) -> tuple[int, ...]:
    """``"18.2.10"`` -> ``(18, 2, 10)``, to order releases."""
    return tuple(int(part) for part in text.split("."))


@dataclass(frozen=True)
class Release:
    """One OMP release found on disk."""

    version: str
    node_modules: Path
    source_only: bool  # unpacked from the tarball (no bundled catalog), not an npm install


def omp_root(env: Mapping[str, str] | None = None) -> Path | None:
    """``$CATALOGMGR_OMP_ROOT`` when it names a directory."""
    value = (env if env is not None else os.environ).get(ROOT_VARIABLE, "").strip()
    return Path(value) if value and Path(value).is_dir() else None


def installed_releases(root: Path) -> list[Release]:
    """Every release under ``root``, oldest first (an npm install wins over a tarball)."""
    found: dict[str, Release] = {}
    # ``<root>/node_modules`` is the 18.2.3 the other differential tests use ($CATALOGMGR_OMP_DIR).
    manifests = [(path, True) for path in sorted((root / "src").glob(f"*/{_AGENT_MANIFEST}"))]
    manifests += [(path, False) for path in sorted(root.glob(f"*/{_AGENT_MANIFEST}"))]
    manifests += [(path, False) for path in [root / _AGENT_MANIFEST] if path.is_file()]
    for manifest, source_only in manifests:
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        node_modules = manifest.parents[2]
        if isinstance(version, str) and (node_modules.parent.name == version or node_modules.parent == root):
            found[version] = Release(version, node_modules, source_only)
    return [found[version] for version in sorted(found, key=version_key)]


def catalog_release(root: Path, version: str) -> Release | None:
    """A published pi-catalog whose release is not on npm, installed alone as
    ``<root>/pc/<version>/node_modules`` (``.ci/install-omp.sh``): its ``buildModel`` runs, its
    registry does not (``source_only``: no release to merge with)."""
    node_modules = root / "pc" / version / "node_modules"
    manifest = node_modules / "@oh-my-pi" / "pi-catalog" / "package.json"
    try:
        found = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None
    return Release(version, node_modules, True) if found == version else None


def find_bun(release: Release, root: Path) -> str | None:
    """The release's own bun, else any bun under ``root``."""
    own = release.node_modules / BUN_RELATIVE
    if own.is_file():
        return str(own)
    for candidate in sorted(root.glob(f"**/node_modules/{BUN_RELATIVE.as_posix()}")):
        return str(candidate)
    return None


def corpus() -> list[Path]:
    """The files compared: the same as ``test_validate_vs_omp.py`` (real users' files included)."""
    return example_files() + corpus_files() + verdict_files() + shared_user_files()


def release_verdicts(
    release: Release, bun: str, files: Mapping[str, bytes]
) -> dict[str, dict[str, str | None]]:
    """``{label: {"status": "ok"|"error"|..., "error": str|None}}`` from one bun process."""
    with tempfile.TemporaryDirectory(prefix="omp-verdicts-") as scratch_name:
        scratch = Path(scratch_name)
        jobs = []
        for index, (key, data) in enumerate(files.items()):
            # Each file as the models.yml of a directory of its own: OMP reads the path it is given
            # (and would migrate a models.json beside it, which these directories never have).
            target = scratch / "files" / str(index) / "models.yml"
            target.parent.mkdir(parents=True)
            target.write_bytes(data)
            jobs.append({"key": key, "path": str(target)})
        listing = scratch / "files.json"
        listing.write_text(json.dumps({"files": jobs}), encoding="utf-8")
        out = scratch / "out.json"
        home = scratch / "home"
        home.mkdir()
        environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "NO_COLOR": "1"}
        completed = subprocess.run(
            [bun, "--no-install", str(PROBE), str(release.node_modules), str(listing), str(out)],
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if completed.returncode != 0 or not out.is_file():
            raise RuntimeError(
                f"the verdict probe failed for OMP {release.version} (exit {completed.returncode}):\n"
                f"{completed.stderr[-2000:]}"
            )
        document = json.loads(out.read_text(encoding="utf-8"))
    if document.get("omp") != release.version:
        raise RuntimeError(f"{release.node_modules} holds OMP {document.get('omp')}, not {release.version}")
    results: dict[str, dict[str, str | None]] = document["results"]
    return results


def load_record() -> dict[str, dict[str, str]]:
    """``{version: {label: "ok"|"error"}}`` as recorded in ``verdicts/omp-versions.json``."""
    document = json.loads(RECORD.read_text(encoding="utf-8"))
    verdicts: dict[str, dict[str, str]] = document["verdicts"]
    return verdicts


def main() -> int:
    root = omp_root()
    if root is None:
        print(f"set ${ROOT_VARIABLE} to the directory .ci/install-omp.sh filled", file=sys.stderr)
        return 2
    releases = installed_releases(root)
    files = {label(path): path.read_bytes() for path in corpus()}
    verdicts: dict[str, dict[str, str]] = {}
    counts: dict[str, dict[str, int]] = {}
    for release in releases:
        bun = find_bun(release, root)
        if bun is None:
            print(f"no bun for OMP {release.version}", file=sys.stderr)
            return 1
        results = release_verdicts(release, bun, files)
        verdicts[release.version] = {key: str(results[key]["status"]) for key in sorted(results)}
        statuses = list(verdicts[release.version].values())
        counts[release.version] = {"accepts": statuses.count("ok"), "rejects": statuses.count("error")}
        print(f"OMP {release.version}: {counts[release.version]}", file=sys.stderr)
    document = {
        "generator": "tests/compat/omp_versions.py",
        "probe": "tests/compat/omp_verdicts.ts (ModelsConfigFile.relocate(file).tryLoad())",
        "releases": {
            release.version: {"layout": "tarball sources" if release.source_only else "npm install"}
            for release in releases
        },
        "counts": counts,
        "verdicts": verdicts,
    }
    RECORD.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def disagreements(version: str, verdicts: Mapping[str, str], files: Mapping[str, Path]) -> list[str]:
    """Where ``catalogmgr validate --omp-version <version>`` disagrees with that release's verdicts.

    A file counts as rejected by catalogmgr when it reports an error (the literal-secret rule
    aside, which OMP does not have); the errors catalogmgr gives on purpose where OMP accepts
    (``KNOWN_VERDICT_DIVERGENCES`` of ``test_validate_vs_omp.py``) are excused, as there.
    """
    from test_validate_vs_omp import KNOWN_VERDICT_DIVERGENCES, NOT_OMP_RULES

    from catalogmgr.omp.profile import OmpVersion, profile_for_version
    from catalogmgr.validation import check_path

    parsed = OmpVersion.parse(version)
    assert parsed is not None, version
    profile = profile_for_version(parsed)
    found = []
    for key, status in sorted(verdicts.items()):
        if key not in files:
            continue  # a shared file absent on this machine
        report = check_path(files[key], "overlay", name=key, profile=profile)
        errors = [p for p in report.problems if p.is_error and p.rule not in NOT_OMP_RULES]
        if bool(errors) == (status != "ok"):
            continue
        if errors and all(any(known.covers(p) for known in KNOWN_VERDICT_DIVERGENCES) for p in errors):
            continue
        if errors:
            shown = "; ".join(f"{p.rule}: {p.message}" for p in errors[:3])
            found.append(f"{key}: OMP {version} accepts it, catalogmgr (profile {profile.id}) says {shown}")
        else:
            found.append(f"{key}: OMP {version} rejects it, catalogmgr (profile {profile.id}) finds no error")
    return found
