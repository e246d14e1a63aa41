"""Count, field by field, where catalogmgr's whole effective catalog differs from an OMP release's.

Stricter than the differential test (which compares what an overlay *changes*): for every overlay
of the merge corpus (and ../shared's users' files when present), every model of the effective
catalog is compared with OMP's ``getAll()`` on the fields below, with ``extendedContext`` off and
on, twice: the catalog as the files write it (``--as-written``) and with OMP's runtime policies
(the default, which includes the port of OMP's compat rule engine: ``thinking``, the resolved
``compat`` and ``compatConfig`` are compared whole).

    CATALOGMGR_OMP_DIR=/path/to/node_modules python tests/tools/policy_corpus_diff.py [NAME-FILTER] [-v]

compares with OMP 18.2.3 (catalogmgr's default profile). ``--omp-version V`` compares with another
installed release instead, under catalogmgr's profile for V and over V's own bundled catalog
(one bun process per view and setting)::

    CATALOGMGR_OMP_ROOT=/work/omp python tests/tools/policy_corpus_diff.py --omp-version 17.3.5
    CATALOGMGR_OMP_ROOT=/work/omp python tests/tools/policy_corpus_diff.py --omp-version all

Prints one line per (release, view, setting): model rows that differ, overlays with a difference,
and the count per field; ``-v`` lists each difference; ``--policies-only`` skips the as-written view.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parents[1] / "compat"
sys.path.insert(0, str(COMPAT_DIR))

from catalog_diff import COMPARED_FIELDS, MISSING, same  # noqa: E402
from corpus import corpus_files, label, shared_user_files  # noqa: E402
from omp import OmpInstall, OmpProbe, _package_version, locate_omp  # noqa: E402
from omp_versions import find_bun, installed_releases, omp_root  # noqa: E402

from catalogmgr.documents import parse_document  # noqa: E402
from catalogmgr.merge import Layer, merge_catalog  # noqa: E402
from catalogmgr.omp.profile import (  # noqa: E402
    DEFAULT_PROFILE,
    OmpVersion,
    Profile,
    profile_for_version,
    release_profile,
)
from catalogmgr.omp.settings import RuntimeSettings  # noqa: E402

FIELDS = (*COMPARED_FIELDS, "omitMaxOutputTokens", "compat", "compatConfig")


def release_installs(wanted: str) -> list[OmpInstall]:
    """The installs under ``$CATALOGMGR_OMP_ROOT`` named by ``wanted`` (a version or ``all``)."""
    root = omp_root()
    if root is None:
        raise SystemExit("set $CATALOGMGR_OMP_ROOT to the directory holding <version>/node_modules")
    installs = []
    for release in installed_releases(root):
        if release.source_only or wanted not in ("all", release.version):
            continue
        bun = find_bun(release, root)
        parsed = OmpVersion.parse(release.version)
        assert parsed is not None, release.version
        catalog_file = profile_for_version(parsed).catalog_package_files[0]
        catalog_version = _package_version(
            release.node_modules, catalog_file.parts[0] + "/" + catalog_file.parts[1]
        )
        if bun is None or catalog_version is None:
            print(f"OMP {release.version}: no bun or no bundled catalog, skipped", file=sys.stderr)
            continue
        installs.append(
            OmpInstall(
                release.node_modules, Path(bun), release.version, catalog_version, "1.4.4", catalog_file
            )
        )
    if not installs:
        raise SystemExit(f"no OMP {wanted} installed under {root}")
    return installs


def compare_release(
    install: OmpInstall,
    profile: Profile,
    files: list[Path],
    verbose: bool,
    views: tuple[str, ...] = ("as-written", "policies"),
) -> None:
    """Print the per-(view, setting) difference lines for one release."""
    probe = OmpProbe(install)
    base = json.loads(install.catalog_path.read_text(encoding="utf-8"))
    documents = {
        path: parse_document(path.read_text(encoding="utf-8"), name=str(path), fmt="yaml") for path in files
    }
    for view in views:
        for settings in (None, {"extendedContext": True}):
            results = probe.results({label(path): path.read_bytes() for path in files}, settings)
            per_field: collections.Counter[str] = collections.Counter()
            rows: set[tuple[str, tuple[str, str]]] = set()
            runtime = RuntimeSettings(extended_context=bool(settings)) if view == "policies" else None
            where = f"[{view}{' +extendedContext' if settings else ''}]"
            for path in files:
                result = results[label(path)]
                if not result.accepted:
                    continue
                document = documents[path]
                ours = merge_catalog(
                    base, [Layer(path.name, document.data, document)], profile=profile, settings=runtime
                ).catalog
                theirs = {(row["provider"], row["id"]): row for row in probe.effective_catalog(result)}
                ours_keys = {(provider, i) for provider, models in ours.items() for i in models}
                for key in ours_keys ^ set(theirs):
                    per_field["<model present on one side only>"] += 1
                    rows.add((path.name, key))
                    if verbose:
                        side = "ours" if key in ours_keys else "OMP"
                        print(f"  {where} {path.name}: {key[0]}/{key[1]}: only in {side}")
                for key in ours_keys & set(theirs):
                    model, row = ours[key[0]][key[1]], theirs[key]
                    for field in FIELDS:
                        if not same(model.get(field, MISSING), row.get(field, MISSING)):
                            per_field[field] += 1
                            rows.add((path.name, key))
                            if verbose:
                                print(
                                    f"  {where} {path.name}: {key[0]}/{key[1]}: {field}: "
                                    f"ours={model.get(field)!r} "
                                    f"omp={row.get(field)!r}"
                                )
            setting = "extendedContext on" if settings else "extendedContext off"
            overlays = len({name for name, _ in rows})
            print(
                f"{install.version:8} {profile.id:6} rules {profile.rules:8} {view:10} {setting:19} "
                f"rows {len(rows):5}  overlays {overlays:3}  {dict(per_field)}",
                flush=True,
            )


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    # --policies-only: the runtime view alone (what OMP runs; half the time).
    views = ("policies",) if "--policies-only" in argv else ("as-written", "policies")
    wanted = None
    if "--omp-version" in argv:
        index = argv.index("--omp-version")
        wanted = argv[index + 1]
        argv = argv[:index] + argv[index + 2 :]
    pattern = next((arg for arg in argv if not arg.startswith("-")), "")
    files = [path for path in corpus_files() + shared_user_files() if pattern in path.name]
    if wanted is None:
        compare_release(locate_omp(), DEFAULT_PROFILE, files, verbose, views)
        return 0
    for install in release_installs(wanted):
        parsed = OmpVersion.parse(install.version)
        assert parsed is not None, install.version
        compare_release(install, release_profile(parsed), files, verbose, views)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
