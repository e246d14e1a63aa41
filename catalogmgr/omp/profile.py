"""OMP version profiles: one :class:`Profile` per schema/semantics epoch, chosen per run.

A profile answers every version-dependent question; code outside :mod:`catalogmgr.omp` never
compares version numbers itself. ``PROFILES`` is ordered oldest first; each profile covers the
releases from its ``first`` version up to (not including) the next profile's ``first``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)")


@total_ordering
@dataclass(frozen=True)
class OmpVersion:
    """A released OMP version (``major.minor.patch``; pre-release tags are ignored)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> OmpVersion | None:
        """``"18.2.3"`` (or ``v18.2.3``, ``18.2.3-beta.1``) -> version; anything else -> ``None``."""
        match = _VERSION.match(text)
        if match is None:
            return None
        major, minor, patch = (int(part) for part in match.groups())
        return cls(major, minor, patch)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, OmpVersion):
            return NotImplemented
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"
