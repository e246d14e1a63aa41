"""The bundled rows an OMP release re-materializes at load, differently from its ``models.json``.

OMP's ``refresh("offline")`` runs the built-in providers' discovery on their bundled rows and
rebuilds each one that has a same-id model through ``mergeDiscoveredModel`` -> ``buildModel``
(pi-coding-agent ``config/model-patch.ts``). A release whose ``models.json`` was baked by an older
compat engine therefore shows, for those rows, a compat that differs from the stored one: OMP
18.1.16 and 18.1.17 add the Responses records' ``clampOutputToModelMax: false`` to ~150 rows of
openai, azure, xai, github-copilot, openai-codex and opencode-zen; 18.1.20 and 18.1.21 rebuild
commandcode's ``deepseek/deepseek-v4.1-flash`` without ``stripImageInput``. From 18.2.0 the bundled
rows and their load agree.

Which rows, and the compat keys OMP gives them, are generated from the installed release by
``scripts/generate_rule_engine_tables.py`` (``load-rebuilds-<release>.json``, named like the
release's rule tables; absent where the load changes nothing). The merge applies them to the base
catalog before the overlays, in the runtime view only (they are OMP's load, not the file). The rows
depend on the ``extendedContext`` setting (with it on, the context policies rebuild other codex
rows), so each setting has its own; and on the credentials OMP finds: a provider with a key runs
its discovery, which rebuilds its rows too, so each setting also has the rows of every provider
given an ``apiKey`` in models.yml (the merge uses those for a provider the files give one; a key
OMP finds elsewhere, in the environment or its auth storage, is not seen).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

# provider -> model id -> the compat keys OMP's load gives that bundled row.
LoadRebuilds = Mapping[str, Mapping[str, Mapping[str, Any]]]


def load_rebuilds(release: str, *, extended_context: bool, keyed: bool = False) -> LoadRebuilds:
    """The load rebuilds of the release whose rule tables are named ``release`` (empty: none),
    under the ``extendedContext`` setting (OMP rebuilds other rows with it on), for providers
    without or (``keyed``) with an ``apiKey`` in models.yml."""
    setting = "extendedContext" if extended_context else "default"
    if keyed:
        setting = "keyedExtendedContext" if extended_context else "keyed"
    return _stored(release).get(setting, {})


@cache
def _stored(release: str) -> Mapping[str, LoadRebuilds]:
    resource = resources.files("catalogmgr").joinpath("omp", "data", f"load-rebuilds-{release}.json")
    if not resource.is_file():
        return {}
    rebuilds: Mapping[str, LoadRebuilds] = json.loads(resource.read_text(encoding="utf-8"))
    return rebuilds
