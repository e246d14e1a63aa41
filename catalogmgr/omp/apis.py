"""Which ``api`` values a ``models.yml`` may use, and how a catalog-only api is spelled there."""

from __future__ import annotations

from catalogmgr.omp.profile import DEFAULT_PROFILE, Profile
from catalogmgr.omp.schemas import load_schema

# Catalog apis that models.yml does not accept, and the accepted api that speaks the same wire
# protocol. OMP's bundled OpenRouter rows use `openrouter` (pi-catalog) where pi-ai's rows used
# `openai-completions`; no models.yml schema accepts `openrouter`.
API_FOR_OVERLAY: dict[str, str] = {"openrouter": "openai-completions"}


def overlay_apis(profile: Profile = DEFAULT_PROFILE) -> tuple[str, ...]:
    """The ``api`` values the overlay schema of ``profile`` accepts, in the schema's order."""
    return tuple(load_schema("overlay", profile)["$defs"]["api"]["enum"])
