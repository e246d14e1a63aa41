"""OMP's ``buildModel``, one implementation per epoch of OMP, behind one seam for the merge.

Every model OMP passes through pi-catalog's ``buildModel`` gets its resolved ``compat`` (and its
``thinking``) from code that changed shape between releases. The merge (:mod:`catalogmgr.merge`)
asks the builder its policy set names (``PolicySet.model_builder``) at OMP's ``buildModel`` points:

- ``"rule-engine"`` (18.1+): the compiled compat rule engine, :mod:`catalogmgr.omp.rule_engine`,
  on the rules the profile names (``Profile.rules``); OMP rebuilds only the models an overlay
  touches, the bundled rows are stored already built;
- ``"code-17"`` (17.x): the compat code of :mod:`catalogmgr.omp.compat17` for the release the
  profile was read in (``Profile.source``); 17.x builds every bundled row at load too
  (``builds_bundled``).

A builder answers ``decide(spec)`` with a :class:`~catalogmgr.omp.rule_engine.ThinkingDecision`
and says whether it resolves compat (``resolves_compat``) and which release it follows
(``version``). Both modules load on first use: a merge that builds no model reads no table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from catalogmgr.omp.profile import Profile
    from catalogmgr.omp.rule_engine import ThinkingDecision


class ModelBuilder(Protocol):
    """What the merge asks of one release's ``buildModel``."""

    @property
    def version(self) -> str: ...

    @property
    def resolves_compat(self) -> bool: ...

    def decide(self, spec: Mapping[str, Any]) -> ThinkingDecision: ...


@dataclass(frozen=True)
class BuilderKind:
    """One implementation: how to load it for a profile, and whether OMP builds the bundled rows
    with it when the catalog loads (the merge then builds them before any overlay)."""

    load: Callable[[Profile], ModelBuilder]
    builds_bundled: bool
    # How provenance names what it decides ("policy: pi-catalog <version>'s <label> (buildModel)").
    label: str


def _rule_engine(profile: Profile) -> ModelBuilder:
    from catalogmgr.omp.rule_engine import load_rule_engine

    return load_rule_engine(profile.rules)


def _compat17(profile: Profile) -> ModelBuilder:
    from catalogmgr.omp.compat17 import load_compat17_builder

    return load_compat17_builder(str(profile.source))


MODEL_BUILDERS: Mapping[str, BuilderKind] = {
    "rule-engine": BuilderKind(_rule_engine, builds_bundled=False, label="compat rule engine"),
    "code-17": BuilderKind(_compat17, builds_bundled=True, label="compat code"),
}
