"""Where the files of the differential tests live (collected at import: files added later join)."""

from __future__ import annotations

import os
from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
CORPUS_DIR = COMPAT_DIR / "overlays"
EXAMPLES_DIR = COMPAT_DIR.parent / "examples"
VERDICTS_DIR = COMPAT_DIR / "verdicts"
# As tests/conftest.py: ../shared beside the repository, or $CATALOGMGR_SHARED_DIR.
SHARED_DIR = Path(os.environ.get("CATALOGMGR_SHARED_DIR", COMPAT_DIR.parents[2] / "shared"))


def corpus_files() -> list[Path]:
    """The merge corpus, ``tests/compat/overlays/*.yml``, in file-name order."""
    return sorted(CORPUS_DIR.glob("*.yml"))


def example_files() -> list[Path]:
    """The validation examples, ``tests/examples/{good,bad}/*.{yml,yaml}``, in path order."""
    return sorted(
        path
        for folder in ("good", "bad")
        for pattern in ("*.yml", "*.yaml")
        for path in (EXAMPLES_DIR / folder).glob(pattern)
    )


def verdict_files() -> list[Path]:
    """Edge cases for the validation verdict only (YAML forms, empty values, bounds): ``verdicts/``."""
    return sorted(VERDICTS_DIR.glob("*.yml"))


def shared_user_files() -> list[Path]:
    """Real users' models.yml files in ../shared (never copied here); none on a plain clone."""
    return sorted((SHARED_DIR / "data" / "user-models-yml").glob("*.yml"))


def label(path: Path) -> str:
    """A short stable name: relative to tests/, or ``shared/...`` for the shared files."""
    for root, prefix in ((COMPAT_DIR.parent, ""), (SHARED_DIR, "shared/")):
        if path.is_relative_to(root):
            return prefix + path.relative_to(root).as_posix()
    return path.as_posix()
