"""Turn a drift report into a models.yml overlay, and write it into a new or existing file.

:func:`build_patch` is pure: it reads a :class:`~catalogmgr.drift.diff.DriftReport` and the effective
catalog and decides what an overlay must say so that, merged over the same catalog, the reported
``new`` and ``changed`` drift disappears:

* a ``new`` model becomes an entry of the mapped provider's ``models:`` list with upstream's
  name, context window, max tokens, prices, input and reasoning (plus OMP's ``thinking`` block
  when upstream lists reasoning efforts, and ``compat.supportsToolChoice: false`` when upstream
  lacks ``tool_choice``, as OMP's own OpenRouter generator does). ``api`` comes from the
  provider's existing models; OMP's models.yml accepts fewer apis than its catalog uses, and the
  catalog's ``openrouter`` api (an OpenAI chat-completions dialect) is written as
  ``openai-completions``. Defining models obliges the provider entry to carry ``baseUrl`` and
  ``apiKey`` (OMP rejects the whole file otherwise): an existing value is kept; a missing
  ``baseUrl`` is the provider's own; a missing ``apiKey`` is the name of the conventional
  environment variable (``OPENROUTER_API_KEY``), which OMP resolves at request time.
  Prices upstream omits (or marks variable) are written as 0, with a comment saying so,
  because a ``cost`` block needs all four fields;
* a ``changed`` model gets the upstream values: in place in the file's own ``models:`` entry
  when the file defines the model there, else under ``modelOverrides`` (prices per sub-field);
* ``gone`` and ``removal`` are never applied: removals are reported, not acted on.

:func:`apply_patch` edits the YAML text with ruamel.yaml's round-trip mode, so an existing file
keeps its comments, key order, quoting and layout; new content is appended, and a comment that
trailed the end of a block stays at the end of that block.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalogmgr.drift.diff import DriftReport, FieldDrift
from catalogmgr.errors import InputError
from catalogmgr.merge import Catalog, clean_model_name
from catalogmgr.omp.apis import API_FOR_OVERLAY
from catalogmgr.render.escape import terminal, terminal_block
from catalogmgr.upstream.listing import COST_FIELDS, UpstreamModel
from catalogmgr.upstream.normalize import Variable

_NO_KEY_AUTH = ("none", "oauth")


@dataclass(frozen=True)
class ProviderSetup:
    """What a provider entry needs once it defines models: the provider's usual endpoint."""

    provider: str
    base_url: str
    api: str
    api_key_env: str | None  # None: no variable to name (see default_api_key_env)


@dataclass(frozen=True)
class NewModel:
    """One ``models:`` entry to add (plain data) and the comments that explain it."""

    provider: str
    definition: dict[str, Any]
    comment: str
    cost_comment: str | None = None


@dataclass(frozen=True)
class FieldUpdate:
    """New values for one existing model: ``{"contextWindow": 1, "cost": {"input": 0.3}}``."""

    provider: str
    model_id: str
    values: dict[str, Any]
    comment: str


@dataclass(frozen=True)
class OverlayPatch:
    """Everything :func:`apply_patch` writes, and what it could not write (``skipped``)."""

    setups: dict[str, ProviderSetup]
    new_models: tuple[NewModel, ...]
    updates: tuple[FieldUpdate, ...]
    skipped: tuple[str, ...] = ()
    header: str = ""
    fixed: tuple[tuple[str, str], ...] = field(default=())  # (provider, model id) the patch fixes

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to write."""
        return not self.new_models and not self.updates


@dataclass(frozen=True)
class KeptValue:
    """A value the user wrote in the target file that the patch would change, kept as it is."""

    provider: str
    model_id: str
    field: str  # "contextWindow", "cost.input", ...
    yours: Any
    upstream: Any

    def describe(self) -> str:
        """``openrouter/x contextWindow: kept your 163840 (upstream: 262144; --overwrite replaces it)``."""
        return (
            f"{self.provider}/{self.model_id} {self.field}: kept your {self.yours!s}"
            f" (upstream: {self.upstream!s}; --overwrite replaces it)"
        )


@dataclass(frozen=True)
class AppliedPatch:
    """The edited overlay text, notes for the user, the models that could not be written, and the
    values of the user's that were kept (``kept``; each still differs from upstream)."""

    text: str
    notes: tuple[str, ...]
    unwritten: frozenset[tuple[str, str]] = frozenset()
    kept: tuple[KeptValue, ...] = ()


def default_api_key_env(provider: str) -> str | None:
    """The environment variable OMP reads for a provider's key (``openrouter`` -> ``OPENROUTER_API_KEY``).

    From OMP's own table (:data:`catalogmgr.omp.env_keys.BUNDLED_ENV_KEYS`). None for a provider that
    authenticates otherwise (AWS credentials, Google ADC, Anthropic Foundry: OMP computes those)
    or that OMP does not know: inventing a variable name there would break working setups.
    """
    from catalogmgr.omp.env_keys import BUNDLED_ENV_KEYS, COMPUTED_ENV_KEYS

    known = BUNDLED_ENV_KEYS.get(provider)
    if provider in COMPUTED_ENV_KEYS or not known:
        return None
    return known[0]


def provider_setup(provider: str, catalog: Catalog, accepted_apis: Collection[str]) -> ProviderSetup | str:
    """The (api, baseUrl) most of the provider's models use, in a form models.yml accepts;
    or a sentence saying why new models cannot be added to it."""
    models = catalog.get(provider) or {}
    pairs: Counter[tuple[str, str]] = Counter()
    for model in models.values():
        api, base_url = model.get("api"), model.get("baseUrl")
        if isinstance(api, str) and isinstance(base_url, str) and base_url:
            pairs[(api, base_url)] += 1
    if not pairs:
        return f"{provider}: no model has an api and a baseUrl to copy, so new models are not written"
    (api, base_url), _ = pairs.most_common(1)[0]
    api = API_FOR_OVERLAY.get(api, api)
    if api not in accepted_apis:
        return (
            f"{provider}: its models use api {api!r}, which models.yml does not accept,"
            " so new models are not written"
        )
    return ProviderSetup(provider, base_url, api, default_api_key_env(provider))


def _number(value: Decimal | int) -> int | float:
    # Integral prices are written as integers (5, not 5.0); others as the shortest float, which
    # prints the normalised decimal's digits (0.3, not 0.29999999999999999).
    if isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def new_model_definition(model: UpstreamModel, api: str) -> tuple[dict[str, Any], str | None]:
    """A ``models:`` entry for an upstream model, and a comment on prices written as 0."""
    definition: dict[str, Any] = {"id": model.id}
    if model.name is not None:
        definition["name"] = clean_model_name(model.name)
    definition["api"] = api
    if model.reasoning is not None:
        definition["reasoning"] = model.reasoning
    if model.thinking is not None and model.reasoning:
        thinking: dict[str, Any] = {"mode": "effort", "efforts": list(model.thinking.efforts)}
        if model.thinking.default_level is not None:
            thinking["defaultLevel"] = model.thinking.default_level
        if model.thinking.requires_effort:
            thinking["requiresEffort"] = True
        definition["thinking"] = thinking
    if model.input is not None:
        definition["input"] = list(model.input)
    if model.context_window is not None:
        definition["contextWindow"] = model.context_window
    if model.max_tokens is not None:
        definition["maxTokens"] = model.max_tokens
    cost: dict[str, Any] = {}
    unlisted: list[str] = []
    variable: list[str] = []
    for key in COST_FIELDS:
        price = model.cost.get(key)
        if price is None:
            unlisted.append(key)
            cost[key] = 0
        elif isinstance(price, Variable):
            variable.append(key)
            cost[key] = 0
        else:
            cost[key] = _number(price)
    definition["cost"] = cost
    if model.supports_tool_choice is False:
        definition["compat"] = {"supportsToolChoice": False}
    notes: list[str] = []
    if unlisted:
        notes.append(f"{', '.join(unlisted)}: not listed upstream, 0 here")
    if variable:
        notes.append(f"{', '.join(variable)}: variable upstream, 0 here")
    if model.time_of_day_pricing:
        notes.append("time-of-day prices upstream: these are the prices at the fetch")
    return definition, "; ".join(notes) or None


def _update_values(changes: tuple[FieldDrift, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for change in changes:
        if change.field.startswith("cost."):
            values.setdefault("cost", {})[change.field.removeprefix("cost.")] = _number(change.upstream)
        elif change.field == "input":
            values["input"] = list(change.upstream)
        elif isinstance(change.upstream, Decimal):
            values[change.field] = _number(change.upstream)
        else:
            values[change.field] = change.upstream
    return values


def _describe_change(change: FieldDrift) -> str:
    from catalogmgr.render.drift import describe_windows, format_value

    text = f"{change.field} {format_value(change.local)} -> {format_value(change.upstream)}"
    if change.windows:
        # models.yml has no time-of-day prices: the lowest window's is written, and the comment says so.
        text += f" (lowest of the time-of-day prices {describe_windows(change.windows)})"
    return text


# OMP's automatic pair rule (pi-catalog compat/collapse.ts, deriveThinkingPairFamilies, with the
# tokens of rules.json taxonomy.collapse.pairTokens): a live `X` + `X-thinking` pair on one provider,
# same api, prices equal (or either unpriced), collapses into `X`; the twin never shows as a model.
THINKING_PAIR_TOKENS = ("thinking", "reasoning", "reasoner")


def thinking_twin_base(model_id: str) -> str | None:
    """``X`` for ``X-thinking`` (trailing or infix token, as OMP's stripThinkingVariantSuffix): the
    first ``-token`` not followed by a letter or digit and not preceded by the word ``no``/``non``."""
    lower = model_id.lower()
    for token in THINKING_PAIR_TOKENS:
        needle = f"-{token}"
        start = 0
        while (index := lower.find(needle, start)) != -1:
            end = index + len(needle)
            followed = end < len(lower) and (lower[end].isascii() and lower[end].isalnum())
            word_start = index
            while word_start > 0 and lower[word_start - 1].isascii() and lower[word_start - 1].isalnum():
                word_start -= 1
            if not followed and lower[word_start:index] not in ("no", "non"):
                stripped = model_id[:index] + model_id[end:]
                return stripped or None
            start = index + 1
    return None


def _prices(cost: Any) -> tuple[Any, ...] | None:
    if not isinstance(cost, dict):
        return None
    values = tuple(float(cost.get(key) or 0) for key in COST_FIELDS)
    return values if values[0] or values[1] else None  # all-zero rows count as unknown, as in OMP


def _collapsed_twins(
    report: DriftReport, catalog: Catalog, setups: dict[str, ProviderSetup], accepted_apis: Collection[str]
) -> dict[tuple[str, str], str]:
    """(provider, new id) -> base id, for new models OMP would fold into a model of the same provider."""
    twins: dict[tuple[str, str], str] = {}
    new_by_key = {d.key: d for d in report.drift if d.kind == "new" and d.upstream is not None}
    for (provider, model_id), drift in new_by_key.items():
        base_id = thinking_twin_base(model_id)
        if base_id is None:
            continue
        setup = setups.get(provider) or provider_setup(provider, catalog, accepted_apis)
        if isinstance(setup, str):
            continue
        assert drift.upstream is not None
        twin_prices = _prices(new_model_definition(drift.upstream, setup.api)[0]["cost"])
        base_drift = new_by_key.get((provider, base_id))
        base_api: Any
        if base_drift is not None and base_drift.upstream is not None:
            base_api, base_cost = setup.api, new_model_definition(base_drift.upstream, setup.api)[0]["cost"]
        elif base_id in (catalog.get(provider) or {}):
            base = catalog[provider][base_id]
            base_api = base.get("api")
            base_api = API_FOR_OVERLAY.get(base_api, base_api) if isinstance(base_api, str) else base_api
            base_cost = base.get("cost")
        else:
            continue
        base_prices = _prices(base_cost)
        if base_api != setup.api or (twin_prices and base_prices and twin_prices != base_prices):
            continue  # distinct SKUs: OMP keeps both
        twins[(provider, model_id)] = base_id
    return twins


def build_patch(report: DriftReport, catalog: Catalog, *, accepted_apis: Collection[str]) -> OverlayPatch:
    """The overlay that removes ``report``'s new and changed drift (see the module docstring)."""
    setups: dict[str, ProviderSetup] = {}
    new_models: list[NewModel] = []
    updates: list[FieldUpdate] = []
    skipped: list[str] = []
    fixed: list[tuple[str, str]] = []
    refused: set[str] = set()
    when = (report.retrieved or "")[:10]
    origin = f"{report.source} {when}".strip()
    twins = _collapsed_twins(report, catalog, setups, accepted_apis)
    for drift in report.drift:
        if drift.kind == "new" and drift.upstream is not None:
            if drift.provider in refused:
                continue
            if drift.key in twins:
                skipped.append(
                    f"{drift.provider}/{drift.model_id}: not written: OMP folds it into"
                    f" {drift.provider}/{twins[drift.key]} (its thinking route), so it would never show"
                )
                continue
            setup = setups.get(drift.provider)
            if setup is None:
                found = provider_setup(drift.provider, catalog, accepted_apis)
                if isinstance(found, str):
                    skipped.append(found)
                    refused.add(drift.provider)
                    continue
                setup = setups[drift.provider] = found
            definition, cost_comment = new_model_definition(drift.upstream, setup.api)
            new_models.append(NewModel(drift.provider, definition, f"new upstream ({origin})", cost_comment))
            fixed.append(drift.key)
        elif drift.kind == "changed" and drift.fields:
            comment = f"{origin}: " + "; ".join(_describe_change(change) for change in drift.fields)
            updates.append(FieldUpdate(drift.provider, drift.model_id, _update_values(drift.fields), comment))
            fixed.append(drift.key)
    left = [d for d in report.drift if d.kind in ("gone", "removal")]
    if left:
        skipped.append(
            f"not applied: {sum(1 for d in left if d.kind == 'gone')} gone and"
            f" {sum(1 for d in left if d.kind == 'removal')} scheduled removal"
            " (reported only: catalogmgr never removes models)"
        )
    header = (
        f"OMP models.yml overlay; models and overrides from {report.source} were added by"
        f" `catalogmgr diff-upstream` ({report.origin})"
    )
    return OverlayPatch(setups, tuple(new_models), tuple(updates), tuple(skipped), header, tuple(fixed))


# ------------------------------------------------------------------------------------------------
# Writing YAML (ruamel round trip)


def apply_patch(
    existing_text: str | None, patch: OverlayPatch, *, name: str, overwrite: bool = False
) -> AppliedPatch:
    """The overlay text after ``patch``: ``existing_text`` edited in place, or a new file.

    Values the user wrote in the file are kept unless ``overwrite`` (each one is returned in
    ``kept``); values an earlier run of catalogmgr wrote (its entries carry its comment) are
    brought up to date. A provider entry is created only when something is written into it, so
    no empty stub is ever left. Containers the file shares through YAML anchors and aliases
    (``<<: *common``) are copied before they are edited, so no other provider changes.
    Also returns notes for the user (keys added to provider entries) and the new models that could
    not be written (a provider needing an apiKey this file lacks and catalogmgr cannot name).
    Raises :class:`InputError` when the existing text is not an overlay that can be edited.
    """
    from catalogmgr.documents import load_for_edit, make_roundtrip_yaml

    yaml = make_roundtrip_yaml()
    root = load_for_edit(yaml, existing_text, name=name)
    if not root:
        # A new (or empty) file: its header says who wrote it and from what.
        root.yaml_set_start_comment(terminal_block(patch.header))
    editor = _OverlayEditor(root, name, overwrite=overwrite)
    unwritten: set[tuple[str, str]] = set()
    for new in patch.new_models:
        entry = editor.writable_entry(patch.setups[new.provider])
        if entry is not None:
            editor.add_model(entry, new)
        else:
            unwritten.add((new.provider, new.definition["id"]))
    for update in patch.updates:
        editor.apply_update(editor.provider_entry(update.provider), update)
    editor.finish()
    stream = io.StringIO()
    yaml.dump(root, stream)
    return AppliedPatch(stream.getvalue(), tuple(editor.notes), frozenset(unwritten), tuple(editor.kept))


# The comments catalogmgr writes on what it adds: "# new upstream (models.dev 2026-03-01)" on a new
# model's id, "# openrouter 2026-08-18: contextWindow ..." on an override. An entry carrying one was
# written by an earlier run, so its values are catalogmgr's to update, not the user's to keep.
_OUR_COMMENT = re.compile(r"^\s*#\s*(new upstream \(|[\w.-]+( \d{4}-\d{2}-\d{2})?: \w+(\.\w+)? \S+ -> )")


def _comment_text(container: Any, key: Any) -> str:
    from ruamel.yaml.tokens import CommentToken

    entry = getattr(container, "ca", None)
    if entry is None:
        return ""
    tokens = entry.items.get(key) or []
    return "".join(t.value for t in tokens if isinstance(t, CommentToken))


class _OverlayEditor:
    """Edits a ruamel round-trip tree; see "keeping trailing comments" below for ``pending``."""

    def __init__(self, root: Any, name: str, *, overwrite: bool = False) -> None:
        from ruamel.yaml.comments import CommentedMap

        self.root = root
        self.name = name
        self.overwrite = overwrite
        self.notes: list[str] = []
        self.kept: list[KeptValue] = []
        self.refused: set[str] = set()
        self.pending: list[tuple[Any, str]] = []
        self.shared = _shared_containers(root)
        providers = root.get("providers")
        if providers is None:
            providers = CommentedMap()
            self.append(root, "providers", providers)
        if not isinstance(providers, CommentedMap):
            raise InputError("cannot edit: `providers` is not a mapping", file=name)
        self.providers = self.own(root, "providers")

    def own(self, parent: Any, key: Any) -> Any:
        """``parent[key]``, made private first when the file shares it (an anchor reached through an
        alias or a ``<<`` merge key): editing a shared container would edit every place using it."""
        value = parent[key]
        if not isinstance(value, (dict, list)):
            return value
        inherited = isinstance(parent, dict) and hasattr(parent, "_ok") and key not in parent._ok
        if not inherited and id(value) not in self.shared:
            return value
        private = _private_copy(value)
        if isinstance(parent, dict) and inherited:
            self.append(parent, key, private)
        else:
            parent[key] = private
        return private

    def child(self, parent: Any, key: str, kind: type, what: str) -> Any:
        """``parent[key]``, created (empty, appended) when absent; InputError when not a ``kind``."""
        value = parent.get(key)
        if value is None:
            value = kind()
            self.append(parent, key, value)
        if not isinstance(value, kind):
            noun = "list" if issubclass(kind, list) else "mapping"
            raise InputError(f"cannot edit: {what} is not a {noun}", file=self.name)
        return self.own(parent, key)

    def provider_entry(self, provider: str) -> Any:
        from ruamel.yaml.comments import CommentedMap

        return self.child(self.providers, provider, CommentedMap, f"provider {provider!r}")

    def writable_entry(self, setup: ProviderSetup) -> Any | None:
        """The provider's entry, given what OMP requires once it defines models; None (and nothing
        created) when that is impossible.

        OMP rejects a provider that defines models without baseUrl, or without apiKey unless auth
        is none/oauth. Existing values are the user's and are never touched.
        """
        from ruamel.yaml.comments import CommentedMap

        existing = self.providers.get(setup.provider)
        if existing is not None and not isinstance(existing, CommentedMap):
            raise InputError(f"cannot edit: provider {setup.provider!r} is not a mapping", file=self.name)
        current = existing if existing is not None else {}
        needs_key = not current.get("apiKey") and current.get("auth") not in _NO_KEY_AUTH
        if needs_key and setup.api_key_env is None:
            if setup.provider not in self.refused:
                self.refused.add(setup.provider)
                self.notes.append(
                    f"{setup.provider}: new models not written: OMP requires apiKey (or auth) on a provider"
                    " that defines models, and this provider authenticates without a key variable catalogmgr"
                    " can name; set apiKey or auth for it in the file, then run again"
                )
            return None
        entry = self.provider_entry(setup.provider)
        position = 0
        if not entry.get("baseUrl"):
            entry.insert(position, "baseUrl", setup.base_url)
            self.notes.append(
                f"{setup.provider}: added baseUrl {setup.base_url}"
                " (OMP requires it when a provider defines models)"
            )
            position += 1
        else:
            position = list(entry).index("baseUrl") + 1 if "baseUrl" in entry._ok else 0
        if needs_key and setup.api_key_env is not None:
            entry.insert(position, "apiKey", setup.api_key_env)
            _eol_comment(entry, "apiKey", "an environment variable name; OMP requires apiKey here")
            self.notes.append(
                f"{setup.provider}: added apiKey {setup.api_key_env} (OMP requires one when a provider"
                " defines models, and then uses it instead of an `omp /login` credential):"
                f" export {setup.api_key_env}, or change it to your own variable name"
            )
        return entry

    def set_value(
        self, container: Any, key: str, value: Any, where: tuple[str, str], ours: bool, prefix: str = ""
    ) -> None:
        """``container[key] = value``, unless the user wrote a different value there (kept, reported).

        ``where`` is (provider, model id); ``ours`` says catalogmgr wrote this entry itself.
        Replacing a value keeps the comment on its line: ruamel keeps comments by key.
        """
        if key == "cost" and isinstance(value, dict) and isinstance(container.get("cost"), dict):
            cost = self.own(container, "cost")
            for sub, price in value.items():
                self.set_value(cost, sub, price, where, ours, prefix="cost.")
            return
        current = container.get(key)
        if current is not None and not ours and not self.overwrite and not _same_value(current, value):
            self.kept.append(KeptValue(where[0], where[1], prefix + key, _plain(current), value))
            return
        container[key] = _yaml_value(key, value)

    def add_model(self, entry: Any, new: NewModel) -> None:
        from ruamel.yaml.comments import CommentedSeq

        models = self.child(entry, "models", CommentedSeq, f"`models` of provider {new.provider!r}")
        model_id = new.definition["id"]
        for index, existing in enumerate(models):
            if isinstance(existing, dict) and existing.get("id") == model_id:
                # Already defined by this file: bring catalogmgr's own fields up to date, keep the user's.
                existing = self.own(models, index)
                ours = bool(_OUR_COMMENT.match(_comment_text(existing, "id")))
                for key, value in new.definition.items():
                    if key != "id":
                        self.set_value(existing, key, value, (new.provider, model_id), ours)
                return
        mapping = _yaml_value("", new.definition)
        _eol_comment(mapping, "id", new.comment)
        if new.cost_comment:
            _eol_comment(mapping, "cost", new.cost_comment)
        self.append_item(models, mapping)

    def apply_update(self, entry: Any, update: FieldUpdate) -> None:
        from ruamel.yaml.comments import CommentedMap

        where = (update.provider, update.model_id)
        models = entry.get("models")
        remaining = dict(update.values)
        if isinstance(models, list):
            model_id = update.model_id
            found = (i for i, m in enumerate(models) if isinstance(m, dict) and m.get("id") == model_id)
            index = next(found, None)
            if index is not None:
                # The file defines this model itself: fix the definition rather than override it below.
                definition = self.own(self.own(entry, "models"), index)
                ours = bool(_OUR_COMMENT.match(_comment_text(definition, "id")))
                for key in list(remaining):
                    if key == "cost" and not isinstance(definition.get("cost"), dict):
                        continue  # no cost block to merge into: an override carries the prices
                    self.set_value(definition, key, remaining.pop(key), where, ours)
                if not remaining:
                    return
        what = f"`modelOverrides` of provider {update.provider!r}"
        overrides = self.child(entry, "modelOverrides", CommentedMap, what)
        is_new = update.model_id not in overrides
        target = self.child(overrides, update.model_id, CommentedMap, f"modelOverrides.{update.model_id}")
        if is_new:
            _eol_comment(overrides, update.model_id, update.comment)
        ours = is_new or bool(_OUR_COMMENT.match(_comment_text(overrides, update.model_id)))
        for key, value in remaining.items():
            self.set_value(target, key, value, where, ours)

    # -- keeping trailing comments where they belong ---------------------------------------------
    #
    # ruamel attaches a comment that follows a block to the deepest last value before it.
    # Appending after that value would leave such a comment (often the header of the next
    # provider) in the middle of the new content: the comment lines are detached before an
    # append and, once every edit is done (new containers are filled by then), reattached at the
    # new end of the block they trailed.

    def append(self, mapping: Any, key: str, value: Any) -> None:
        tail = _detach_trailing_comment(mapping)
        mapping[key] = value
        if tail is not None:
            self.pending.append((mapping, tail))

    def append_item(self, sequence: Any, value: Any) -> None:
        tail = _detach_trailing_comment(sequence)
        sequence.append(value)
        if tail is not None:
            self.pending.append((sequence, tail))

    def finish(self) -> None:
        for container, tail in self.pending:
            _attach_trailing_comment(container, tail)
        self.pending.clear()


def _eol_comment(container: Any, key: Any, text: str) -> None:
    """A comment at the end of ``key``'s line, two spaces after the content (yamllint's default)."""
    from ruamel.yaml.tokens import CommentToken

    # Comments quote upstream names: keep them on their line and free of control characters (a
    # raw ESC makes the file unreadable YAML; a newline would end the comment early).
    container.yaml_add_eol_comment(terminal(text), key, column=0)
    for token in container.ca.items.get(key, []):
        if isinstance(token, CommentToken) and token.value.startswith("#"):
            token.value = " " + token.value


def _shared_containers(root: Any) -> set[int]:
    """The ids of containers the document reaches more than once (anchored and aliased, or merged
    with ``<<``): editing one of them in place would change every place that uses it."""
    seen: dict[int, int] = {}

    def walk(node: Any) -> None:
        if not isinstance(node, (dict, list)):
            return
        seen[id(node)] = seen.get(id(node), 0) + 1
        if seen[id(node)] > 1:
            return
        if isinstance(node, dict):
            own_keys = getattr(node, "_ok", None)
            for key in list(node.keys()) if own_keys is None else [k for k in node if k in own_keys]:
                walk(dict.__getitem__(node, key) if own_keys is not None else node[key])
            for merged in getattr(node, "merge", None) or []:
                walk(merged[1] if isinstance(merged, tuple) else merged)
        else:
            for item in node:
                walk(item)

    walk(root)
    return {key for key, count in seen.items() if count > 1}


def _private_copy(value: Any) -> Any:
    """A deep copy of a shared container, with its anchors dropped (the original keeps its own)."""
    import copy

    duplicate = copy.deepcopy(value)

    def drop_anchors(node: Any) -> None:
        anchor = getattr(node, "anchor", None)
        if anchor is not None and getattr(anchor, "value", None) is not None:
            anchor.value = None
        if isinstance(node, dict):
            for item in node.values():
                drop_anchors(item)
        elif isinstance(node, list):
            for item in node:
                drop_anchors(item)

    drop_anchors(duplicate)
    return duplicate


def _plain(value: Any) -> Any:
    # ruamel scalars (ScalarFloat, CommentedSeq) as plain Python values, for reports.
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return str(value)


def _same_value(current: Any, wanted: Any) -> bool:
    numbers = (int, float)
    if isinstance(current, numbers) and isinstance(wanted, numbers) and not isinstance(current, bool):
        return Decimal(repr(float(current))) == Decimal(repr(float(wanted)))
    return bool(_plain(current) == _plain(wanted))


# Characters a YAML reader folds, drops or refuses in plain and single-quoted scalars: controls,
# NEL (U+0085, read back as a space: the name would never match again), the line and paragraph
# separators, the BOM. A string holding one is written double-quoted, where they are escaped.
_NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


# Keys whose values read best in flow style: `input: [text, image]`, `cost: {input: 0.3, ...}`.
_FLOW_KEYS = frozenset({"input", "cost", "efforts", "compat"})


def _yaml_value(key: str, value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        mapping = CommentedMap((k, _yaml_value(k, v)) for k, v in value.items())
        if key in _FLOW_KEYS:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_yaml_value("", v) for v in value)
        if key in _FLOW_KEYS:
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and _NEEDS_ESCAPES.search(value):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)
    return value


def _last_comment_slot(node: Any) -> tuple[Any, Any, int] | None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    while True:
        if isinstance(node, CommentedMap) and len(node):
            key: Any = list(node)[-1]
            slot = 2
        elif isinstance(node, CommentedSeq) and len(node):
            key, slot = len(node) - 1, 0
        else:
            return None
        child = node[key]
        if isinstance(child, (CommentedMap, CommentedSeq)) and len(child) and not child.fa.flow_style():
            node = child
            continue
        return node, key, slot


def _detach_trailing_comment(node: Any) -> str | None:
    found = _last_comment_slot(node)
    if found is None:
        return None
    container, key, slot = found
    entry = container.ca.items.get(key)
    if not entry or len(entry) <= slot or entry[slot] is None:
        return None
    token = entry[slot]
    value: str = token.value
    head, _, tail = value.partition("\n")
    if not tail.strip():
        return None
    if head.strip():
        token.value = head + "\n"
    else:
        entry[slot] = None
    return tail if tail.startswith("\n") or tail.strip().startswith("#") else None


def _attach_trailing_comment(node: Any, tail: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    found = _last_comment_slot(node)
    if found is None:
        return
    container, key, slot = found
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= slot:
        entry.append(None)
    token = entry[slot]
    if token is None:
        # The token's text starts right after the value: end that line first.
        entry[slot] = CommentToken("\n" + tail, CommentMark(0), None)
        return
    value = token.value if token.value.endswith("\n") else token.value + "\n"
    token.value = value + tail


def patch_data(patch: OverlayPatch) -> dict[str, Any]:
    """The patch as plain overlay data (what a fresh file would hold), for tests and JSON."""
    providers: dict[str, Any] = {}
    for new in patch.new_models:
        setup = patch.setups[new.provider]
        entry = providers.setdefault(new.provider, {"baseUrl": setup.base_url})
        if setup.api_key_env is not None:
            entry.setdefault("apiKey", setup.api_key_env)
        entry.setdefault("models", []).append(new.definition)
    for update in patch.updates:
        entry = providers.setdefault(update.provider, {})
        entry.setdefault("modelOverrides", {})[update.model_id] = update.values
    return {"providers": providers}
