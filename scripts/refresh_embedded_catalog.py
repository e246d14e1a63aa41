"""Regenerate catalogmgr's embedded catalog from an installed OMP's bundled ``models.json``.

catalogmgr falls back on the embedded catalog when no OMP is installed, so that a user without OMP
gets the verdicts and values a user of that OMP release gets. It is OMP's catalog byte for byte,
gzip-compressed (``catalogmgr/data/omp-catalog.json.gz``), with what it is in
``omp-catalog.meta.json`` (package, version, SHA-256 and size of the uncompressed file, counts) and
the package's licence beside it (``omp-catalog.LICENSE``; ``@oh-my-pi/pi-catalog`` is MIT).

    python scripts/refresh_embedded_catalog.py --omp-dir PATH/node_modules     # rewrite the files
    python scripts/refresh_embedded_catalog.py --omp-dir PATH/node_modules --check   # exit 1 if stale

``PATH/node_modules`` is where ``npm install @oh-my-pi/pi-coding-agent@X.Y.Z`` put OMP (default:
``$CATALOGMGR_OMP_DIR``). gzip (not lzma) because it decompresses about three times faster and the
load time is paid by every command run without an installed OMP; the sizes are in the meta file.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "catalogmgr" / "data"
CATALOG_FILE = DATA_DIR / "omp-catalog.json.gz"
META_FILE = DATA_DIR / "omp-catalog.meta.json"
LICENSE_FILE = DATA_DIR / "omp-catalog.LICENSE"
PACKAGE = "@oh-my-pi/pi-catalog"
CATALOG_IN_PACKAGE = "src/models.json"


def build(omp_dir: Path) -> dict[Path, bytes]:
    """The three files' contents for the OMP installed under ``omp_dir`` (a ``node_modules``)."""
    package_dir = omp_dir / PACKAGE
    raw = (package_dir / CATALOG_IN_PACKAGE).read_bytes()
    package = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    catalog: dict[str, dict[str, Any]] = json.loads(raw)
    meta = {
        "package": PACKAGE,
        "version": package["version"],
        "file": CATALOG_IN_PACKAGE,
        "license": package.get("license"),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "bytes": len(raw),
        "compressedBytes": len(_compress(raw)),
        "providers": len(catalog),
        "models": sum(len(models) for models in catalog.values()),
    }
    return {
        CATALOG_FILE: _compress(raw),
        META_FILE: (json.dumps(meta, indent=2) + "\n").encode("utf-8"),
        LICENSE_FILE: (package_dir / "LICENSE").read_bytes(),
    }


def _compress(raw: bytes) -> bytes:
    # mtime=0 and no file name: the same catalog always gives the same bytes (reproducible wheels).
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--omp-dir", default=os.environ.get("CATALOGMGR_OMP_DIR"), help="OMP's node_modules")
    parser.add_argument("--check", action="store_true", help="exit 1 when the files are out of date")
    args = parser.parse_args(argv)
    if not args.omp_dir:
        parser.error("give --omp-dir PATH/node_modules (or set $CATALOGMGR_OMP_DIR)")
    try:
        files = build(Path(args.omp_dir))
    except (OSError, ValueError, KeyError) as error:
        print(
            f"refresh_embedded_catalog: cannot read OMP's catalog under {args.omp_dir}: {error}",
            file=sys.stderr,
        )
        return 2
    stale = [path for path, content in files.items() if not path.is_file() or path.read_bytes() != content]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(REPO_ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_bytes(files[path])
        print(f"wrote {path.relative_to(REPO_ROOT)} ({len(files[path]):,} bytes)")
    meta = json.loads(files[META_FILE])
    print(
        f"embedded catalog: {meta['package']}@{meta['version']}, {meta['models']:,} models, "
        f"{meta['bytes']:,} -> {meta['compressedBytes']:,} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
