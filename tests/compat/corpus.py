"""Where the files of the differential tests live (collected at import: files added later join)."""

from __future__ import annotations

from pathlib import Path

COMPAT_DIR = Path(__file__).resolve().parent
CORPUS_DIR = COMPAT_DIR / "overlays"
EXAMPLES_DIR = COMPAT_DIR.parent / "examples"


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
