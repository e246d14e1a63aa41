"""Count, field by field, where catalogmgr's whole effective catalog differs from OMP 18.2.3's.

Stricter than the differential test (which compares what an overlay *changes*): for every overlay
of the merge corpus (and ../shared's users' files when present), every model of the effective
catalog is compared with OMP's ``getAll()`` on the fields below, with ``extendedContext`` off and
on, twice: the catalog as the files write it (``--as-written``) and with OMP's runtime policies
(the default, which includes the port of OMP's compat rule engine: ``thinking``, the resolved
``compat`` and ``compatConfig`` are compared whole).

    CATALOGMGR_OMP_DIR=/path/to/node_modules python tests/tools/policy_corpus_diff.py [NAME-FILTER] [-v]

Prints one line per (view, setting): model rows that differ, overlays with a difference, and the
count per field; ``-v`` lists each difference.
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
from omp import OmpProbe, locate_omp  # noqa: E402

from catalogmgr.documents import parse_document  # noqa: E402
from catalogmgr.merge import Layer, merge_catalog  # noqa: E402
from catalogmgr.omp.settings import RuntimeSettings  # noqa: E402

FIELDS = (*COMPARED_FIELDS, "omitMaxOutputTokens", "compat", "compatConfig")


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    pattern = next((arg for arg in argv if not arg.startswith("-")), "")
    probe = OmpProbe(locate_omp())
    base = json.loads(probe.install.catalog_path.read_text(encoding="utf-8"))
    files = [path for path in corpus_files() + shared_user_files() if pattern in path.name]
    for view in ("as-written", "policies"):
        for settings in (None, {"extendedContext": True}):
            results = probe.results({label(path): path.read_bytes() for path in files}, settings)
            per_field: collections.Counter[str] = collections.Counter()
            rows: set[tuple[str, tuple[str, str]]] = set()
            runtime = RuntimeSettings(extended_context=bool(settings)) if view == "policies" else None
            for path in files:
                result = results[label(path)]
                if not result.accepted:
                    continue
                document = parse_document(path.read_text(encoding="utf-8"), name=str(path), fmt="yaml")
                ours = merge_catalog(
                    base, [Layer(path.name, document.data, document)], settings=runtime
                ).catalog
                theirs = {(row["provider"], row["id"]): row for row in probe.effective_catalog(result)}
                ours_keys = {(provider, i) for provider, models in ours.items() for i in models}
                for key in ours_keys ^ set(theirs):
                    per_field["<model present on one side only>"] += 1
                    rows.add((path.name, key))
                    if verbose:
                        side = "ours" if key in ours_keys else "OMP"
                        print(f"  {path.name}: {key[0]}/{key[1]}: only in {side}")
                for key in ours_keys & set(theirs):
                    model, row = ours[key[0]][key[1]], theirs[key]
                    for field in FIELDS:
                        if not same(model.get(field, MISSING), row.get(field, MISSING)):
                            per_field[field] += 1
                            rows.add((path.name, key))
                            if verbose:
                                print(
                                    f"  {path.name}: {key[0]}/{key[1]}: {field}: ours={model.get(field)!r} "
                                    f"omp={row.get(field)!r}"
                                )
            setting = "extendedContext on" if settings else "extendedContext off"
            overlays = len({name for name, _ in rows})
            print(f"{view:10} {setting:19} rows {len(rows):5}  overlays {overlays:3}  {dict(per_field)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
