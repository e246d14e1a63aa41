"""OMP version profiles: one :class:`Profile` per schema/semantics epoch, chosen per run.

A profile answers every version-dependent question; code outside :mod:`catalogmgr.omp` never
compares version numbers itself. ``PROFILES`` is ordered oldest first; each profile covers the
releases from its ``first`` version up to (not including) the next profile's ``first``.

Choosing a profile (:func:`select_profile`), first that applies wins:

1. the version asked for (``--omp-version X.Y.Z``);
2. ``$CATALOGMGR_OMP_VERSION``;
3. the installed OMP's version (the ``package.json`` beside the bundled catalog base discovery
   finds, see :mod:`catalogmgr.omp.install`);
4. the newest profile.

Every choice carries its reason, which every command prints on stderr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import total_ordering
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from catalogmgr.errors import UsageError

if TYPE_CHECKING:
    from catalogmgr.omp.install import InstalledOmp

_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)\.(\d+)")
_STRICT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")

VERSION_VARIABLE = "CATALOGMGR_OMP_VERSION"
ALL_VERSIONS = "all"


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


def _v(text: str) -> OmpVersion:
    parsed = OmpVersion.parse(text)
    assert parsed is not None, text
    return parsed


# Where a provider `baseUrl` applies to the bundled models of that provider: every model
# ("all", OMP <= 18.2.0), or only the models whose api is one the entry's custom models use
# ("custom-apis", OMP 18.2.3+; `#applyProviderTransportOverride`'s scope).
BaseUrlScope = Literal["all", "custom-apis"]
# The bundled catalog's package: `pi-ai/src/models.json` before OMP 17, `pi-catalog` from 17.
CatalogLayout = Literal["pi-ai", "pi-catalog"]

_PI_CATALOG_FILES = (Path("@oh-my-pi/pi-catalog/src/models.json"),)
_PI_AI_FILES = (Path("@oh-my-pi/pi-ai/src/models.json"),)


# `validateProviderConfiguration`'s "must specify ..." lists, newest first.
SETTING_KEYS_18 = (
    "baseUrl",
    "headers",
    "apiKey",
    "auth: none",
    "compat",
    "disableStrictTools",
    "guardrailIdentifier",
    "requestMetadata",
    "remoteCompaction",
    "modelOverrides",
    "discovery",
)
SETTING_KEYS_17 = tuple(
    key for key in SETTING_KEYS_18 if key not in ("guardrailIdentifier", "requestMetadata")
)
SETTING_KEYS_14 = ("baseUrl", "headers", "compat", "disableStrictTools", "modelOverrides", "discovery")
SETTING_KEYS_13 = ("baseUrl", "compat", "modelOverrides", "discovery")

# The model fields a models.yml definition or modelOverrides entry sets in OMP 13.x/14.x (besides
# cost, headers, compat and premiumMultiplier): `CustomModelOverlay` / `applyModelOverride` of their
# model-registry.ts copy these and nothing else (no tokenizer, supportsTools, omitMaxOutputTokens...).
MODEL_FIELDS_13 = frozenset(
    {"name", "reasoning", "thinking", "input", "contextWindow", "maxTokens", "contextPromotionTarget"}
)


@dataclass(frozen=True)
class Profile:
    """What one epoch of OMP releases does with a ``models.yml`` and a bundled catalog.

    Identity: ``id`` names the profile (the first published release it covers, shortened),
    ``first`` is the first release it covers (by OMP's CHANGELOG, possibly unpublished), ``source``
    the release its generated tables and schema were taken from.

    Validation: ``schema_file`` is the overlay JSON Schema (under ``schemas/``); the rule switches
    turn on the cross-field checks of that epoch's ``validateProviderConfiguration``.

    Merge and runtime: the switches :mod:`catalogmgr.merge` and the runtime policies read.
    """

    id: str
    first: OmpVersion
    source: OmpVersion
    summary: str
    catalog_layout: CatalogLayout
    schema_file: str
    # -- validation rules ---------------------------------------------------------------------
    # (What the schema says, `providers` required before 14 included, is in `schema_file`.)
    # OMP applies `validateProviderConfiguration` to models.yml (17+). In 13.x and 14.x the
    # loader registers it but its `tryLoad` never runs it, so those releases accept a provider
    # with models and no baseUrl, a model without api, ...: the rules become warnings there.
    provider_rules_enforced: bool = True
    # `auth: oauth` with custom models still needs an apiKey (before 18).
    oauth_models_need_api_key: bool = False
    # The keys that make a provider without models mean something (`validateProviderConfiguration`'s
    # "must specify ..." list): a provider holding none of them is rejected. Before 18 the
    # guardrail/request-metadata keys do not count, before 17 neither do apiKey nor `auth: none`.
    provider_setting_keys: tuple[str, ...] = SETTING_KEYS_18
    # -- merge --------------------------------------------------------------------------------
    baseurl_scope: BaseUrlScope = "custom-apis"
    # Catalog rows with a non-chat `kind` (embeddings, images, ...) are hidden (18.2.9+).
    model_kind_filter: bool = False
    # models.yml may set `maxContextWindow`, used instead of contextWindow when the
    # `extendedContext` setting is on (18.3+); the runtime policies read this switch.
    max_context_window: bool = False
    # A standalone custom `gpt-5.4` gets a 1,000,000-token window
    # (`applyStandaloneCustomModelPolicies`).
    standalone_gpt54_window: bool = True
    # A patch's `cost` (modelOverrides, same-id definitions) keeps `longContext`, the patch's or
    # the model's (17.3+); before, `applyModelPatch` rebuilds cost from its four prices only.
    patch_keeps_long_context: bool = True
    # A custom model takes the fields it leaves out from a bundled reference model
    # (`resolveCustomModelReference`, 14+); 13.x gives it OMP's defaults only.
    reference_models: bool = True
    # How the reference is found and what it gives: "normalized" (18.x identity/reference.ts:
    # case-folded, affixes and markers stripped; thinking only from the same provider, the
    # reference's authored compat) or "exact-id" (14.x `resolveCustomModelReference`: exact ids,
    # `:cloud`/`-cloud` and `:`->`-` only; cost, input, reasoning, thinking, windows and the
    # reference's resolved compat, whatever its provider).
    reference_lookup: Literal["normalized", "exact-id"] = "normalized"
    # -- OMP 13.x/14.x's older Model shape and patching (model-registry.ts before pi-catalog) -------
    # Models carry `compatConfig` (the authored compat beside the resolved one; 17+).
    compat_config: bool = True
    # A provider's `disableStrictTools: true` folds into compat (14+; 13.x has no such key).
    disable_strict_tools: bool = True
    # A same-id definition's compat: "merge" (18.x: onto the bundled model's resolved compat when
    # the api is unchanged) or "replace" (13.x/14.x `#mergeCustomModels`: `compat: customModel.compat`,
    # the provider's and the definition's only).
    same_id_compat: Literal["merge", "replace"] = "merge"
    # A written display name is cleaned (`cleanModelName`: "OpenAI: " prefixes, "(latest)" tags...;
    # pi-catalog, 17+) or kept as written (13.x/14.x).
    clean_names: bool = True
    # The plain model fields a definition / modelOverrides entry may set (None: all of 18.x's).
    model_fields: frozenset[str] | None = None
    # `thinking` is `{mode, minLevel, maxLevel}` as written, and a reasoning model OMP builds without
    # one gets it from its id (`catalogmgr.omp.thinking13.ID_THINKING[id_thinking]`, pi-ai's
    # `enrichModelThinking`); None: 17+'s `efforts` shape and thinking rules.
    id_thinking: Literal["13", "14"] | None = None
    # The providers whose bundled rows seed no bare-id reference (`isBareIdReferenceProvider`,
    # 18.2.1+: cline-pass); before, every provider's (the 17.x and older catalogs have no
    # cline-pass rows, so only the 18.0 profile needs to say so).
    reference_isolated_providers: frozenset[str] = frozenset({"cline-pass"})
    # The runtime policy set this epoch's ModelRegistry applies after reading the files
    # (`catalogmgr.omp.policies.POLICY_SETS`: which policies, which generated rule tables).
    runtime_policies: str = "18.2.3"
    # The release whose compiled compat rules the rule engine port reads
    # (`catalogmgr/omp/data/rule-engine-<rules>.json.gz`, scripts/generate_rule_engine_tables.py):
    # the profile's source where its pi-catalog is installable, else the nearest one that is.
    rules: str = "18.2.3"
    # Releases inside the epoch whose `buildModel` differs (same verdicts, other rules or code):
    # (first release, rules) oldest first; `for_release` picks the one a known version runs.
    rules_by_release: tuple[tuple[OmpVersion, str], ...] = ()

    @property
    def catalog_package_files(self) -> tuple[Path, ...]:
        """The bundled catalog's path inside ``node_modules`` for this epoch."""
        return _PI_CATALOG_FILES if self.catalog_layout == "pi-catalog" else _PI_AI_FILES

    @property
    def last(self) -> OmpVersion | None:
        """The last release covered as far as catalogmgr knows (``None``: still open-ended)."""
        # By id: a profile `for_release` specialised is another value of the same epoch.
        index = next(index for index, profile in enumerate(PROFILES) if profile.id == self.id)
        return PROFILES[index + 1].first if index + 1 < len(PROFILES) else None

    def for_release(self, version: OmpVersion | None) -> Profile:
        """This profile as release ``version`` runs it: the rule engine of the newest
        ``rules_by_release`` entry at or before it (unknown version: the profile's ``rules``)."""
        if version is None:
            return self
        rules = self.rules
        for first, release_rules in self.rules_by_release:
            if first <= version:
                rules = release_rules
        return self if rules == self.rules else replace(self, rules=rules)

    def covers(self) -> str:
        """``OMP 18.2.3 up to 18.2.9`` / ``OMP 18.3.0 and later``, for messages."""
        following = self.last
        if following is None:
            return f"OMP {self.first} and later"
        return f"OMP {self.first} up to (not including) {following}"


PROFILES: tuple[Profile, ...] = (
    Profile(
        id="13.19",
        reference_models=False,
        compat_config=False,
        disable_strict_tools=False,
        same_id_compat="replace",
        clean_names=False,
        model_fields=MODEL_FIELDS_13,
        id_thinking="13",
        patch_keeps_long_context=False,
        runtime_policies="13",
        first=_v("13.0.0"),
        source=_v("13.19.0"),
        summary="TypeBox schema in model-registry.ts: `providers` required, thinking needs "
        "minLevel/maxLevel, no bedrock api, no oauth, discovery ollama/llama.cpp/lm-studio only; "
        "catalog in pi-ai",
        catalog_layout="pi-ai",
        schema_file="omp-models-yml.13.19.schema.json",
        provider_rules_enforced=False,
        oauth_models_need_api_key=True,
        provider_setting_keys=SETTING_KEYS_13,
        baseurl_scope="all",
    ),
    Profile(
        # npm has no 15.x or 16.x pi-coding-agent: this profile stands for them too.
        id="14.9",
        patch_keeps_long_context=False,
        reference_lookup="exact-id",
        compat_config=False,
        same_id_compat="replace",
        clean_names=False,
        model_fields=MODEL_FIELDS_13,
        id_thinking="14",
        runtime_policies="13",
        first=_v("14.0.0"),
        source=_v("14.9.9"),
        summary="`auth: oauth`, discovery openai-models-list, top-level `equivalence`; thinking still "
        "needs minLevel/maxLevel; catalog in pi-ai",
        catalog_layout="pi-ai",
        schema_file="omp-models-yml.14.9.schema.json",
        provider_rules_enforced=False,
        oauth_models_need_api_key=True,
        provider_setting_keys=SETTING_KEYS_14,
        baseurl_scope="all",
    ),
    Profile(
        id="17.2",
        patch_keeps_long_context=False,
        runtime_policies="17.2",
        first=_v("17.0.0"),
        source=_v("17.2.15"),
        summary="the arktype schema of 18.x (models-config.ts); bedrock, discovery litellm/proxy, "
        "efforts/levels thinking; no guardrail keys; catalog in pi-catalog",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.17.2.schema.json",
        oauth_models_need_api_key=True,
        provider_setting_keys=SETTING_KEYS_17,
        baseurl_scope="all",
    ),
    Profile(
        id="17.3",
        runtime_policies="17",
        first=_v("17.3.0"),
        source=_v("17.3.5"),
        summary="`imageInputDecoder` on models and overrides",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.17.3.schema.json",
        oauth_models_need_api_key=True,
        provider_setting_keys=SETTING_KEYS_17,
        baseurl_scope="all",
    ),
    Profile(
        # 18.1.16 and 18.1.21 give the same verdicts (18.1.16 lacks compat `stripImageInput`, an
        # unknown key there); 18.0.x is not on npm.
        id="18.0",
        first=_v("18.0.0"),
        source=_v("18.2.0"),
        summary="guardrail keys, `auth: oauth` needs no apiKey; a provider baseUrl re-points all "
        "its bundled models",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.18.0.schema.json",
        baseurl_scope="all",
        reference_isolated_providers=frozenset(),
        rules="18.2.0",
        # The compat rule engine changed inside the epoch (rules and code read per release: see
        # catalogmgr.omp.rule_engine.COMPAT_CODE); 18.1.21 runs 18.1.20's; 18.0.x-18.1.15 are
        # not on npm, so they get the oldest read.
        rules_by_release=(
            (_v("18.0.0"), "18.1.16"),
            (_v("18.1.17"), "18.1.17"),
            (_v("18.1.20"), "18.1.20"),
            (_v("18.2.0"), "18.2.0"),
        ),
    ),
    Profile(
        # OMP's CHANGELOG dates the baseUrl scoping to 18.2.1; 18.2.1 and 18.2.2 are not on npm.
        id="18.2.3",
        first=_v("18.2.1"),
        source=_v("18.2.3"),
        summary="provider baseUrl scoped to the apis of the entry's custom models",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.schema.json",
    ),
    Profile(
        # OMP's CHANGELOG dates the two apis to 18.2.8 (model kinds to 18.2.7); 18.2.4-18.2.8 were
        # never published, so 18.2.9 is the first release this profile's tables can be read from.
        id="18.2.9",
        first=_v("18.2.8"),
        source=_v("18.2.9"),
        summary="apis `openrouter-decisions` and `typesafe`; catalog rows have a kind, non-chat rows hidden",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.18.2.9.schema.json",
        model_kind_filter=True,
        # pi-catalog 18.2.9 is not on npm; 18.2.11, the newest published, lies in this epoch.
        rules="18.2.11",
    ),
    Profile(
        id="18.3",
        first=_v("18.3.0"),
        source=_v("18.3.4"),
        summary="`maxContextWindow` (with the extendedContext setting), compat `supportsSteering`, "
        "discovery `apple-foundation-models`",
        catalog_layout="pi-catalog",
        schema_file="omp-models-yml.18.3.schema.json",
        model_kind_filter=True,
        max_context_window=True,
        # pi-catalog 18.3.x is not on npm: the newest published (18.2.11) is the nearest.
        rules="18.2.11",
    ),
)

PROFILES_BY_ID: Mapping[str, Profile] = {profile.id: profile for profile in PROFILES}
NEWEST_PROFILE = PROFILES[-1]
# The profile core functions use when a caller passes none: the release the Python engine is
# verified against field for field (the differential suite's default OMP).
DEFAULT_PROFILE = PROFILES_BY_ID["18.2.3"]


def profile_for_version(version: OmpVersion) -> Profile:
    """The profile covering ``version``; older than every profile -> the oldest one."""
    chosen = PROFILES[0]
    for profile in PROFILES:
        if profile.first <= version:
            chosen = profile
    return chosen


def release_profile(version: OmpVersion) -> Profile:
    """The profile covering ``version``, as that release runs it (:meth:`Profile.for_release`)."""
    return profile_for_version(version).for_release(version)


def parse_requested_version(text: str, *, origin: str) -> OmpVersion:
    """A user-given ``X.Y.Z``; anything else is a usage error naming ``origin``."""
    if _STRICT_VERSION.match(text.strip()) is None:
        raise UsageError(
            f"{origin}: {text!r} is not an OMP version; give X.Y.Z (e.g. 18.2.3), "
            "as `omp --version` prints it"
        )
    parsed = OmpVersion.parse(text)
    assert parsed is not None
    return parsed


@dataclass(frozen=True)
class ProfileChoice:
    """The profile a run uses, the OMP version it stands for (when known) and why."""

    profile: Profile
    version: OmpVersion | None
    reason: str

    def describe(self) -> str:
        """The stderr line: ``catalogmgr: OMP profile 18.2.3 (...): --omp-version 18.2.5``."""
        note = ""
        if self.version is not None and self.version < self.profile.first:
            note = f"; {self.version} is older than every profile, using the oldest"
        elif (
            self.version is not None and self.profile is NEWEST_PROFILE and self.version > self.profile.source
        ):
            note = (
                f"; {self.version} is newer than the newest release catalogmgr knows ({self.profile.source})"
            )
        if self.profile.rules != PROFILES_BY_ID[self.profile.id].rules:
            note += f"; compat rules of OMP {self.profile.rules}"
        return (
            f"catalogmgr: OMP profile {self.profile.id} ({self.profile.covers()}; tables from "
            f"{self.profile.source}): {self.reason}{note}"
        )

    @property
    def runs(self) -> str:
        """What to call the user's OMP in messages: ``you run 18.2.3`` / ``profile 18.3.0``."""
        if self.version is not None:
            return f"OMP {self.version}"
        return f"the OMP {self.profile.id} profile"


def select_profile(
    requested: str | None,
    env: Mapping[str, str],
    installed: InstalledOmp | None,
) -> ProfileChoice:
    """Choose the profile (see the module docstring for the order), with the reason.

    ``installed`` is the installed OMP the caller found (:func:`catalogmgr.omp.install.find_installed_omp`
    or the installation of the base catalog in use); pass ``None`` when there is none.
    """
    if requested:
        return _chosen(
            parse_requested_version(requested, origin="--omp-version"), f"--omp-version {requested}"
        )
    from_env = env.get(VERSION_VARIABLE, "").strip()
    if from_env:
        version = parse_requested_version(from_env, origin=f"${VERSION_VARIABLE}")
        return _chosen(version, f"${VERSION_VARIABLE}={from_env}")
    if installed is not None and installed.version is not None:
        return _chosen(installed.version, f"installed {installed.describe()}")
    why = (
        f"the installed OMP at {installed.root} does not say its version"
        if installed is not None
        else "no installed OMP found"
    )
    return ProfileChoice(NEWEST_PROFILE, None, f"the newest profile ({why}; use --omp-version to choose)")


def _chosen(version: OmpVersion, reason: str) -> ProfileChoice:
    return ProfileChoice(release_profile(version), version, reason)
