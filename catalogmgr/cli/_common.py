"""What every catalog-reading command shares: the ``--base``/``--overlay``/``--omp-version``
options and the pipeline load -> validate -> merge that turns them into an effective catalog.

Used by ``merge``, ``list``, ``show``, ``changes`` and by ``keys`` and ``diff-upstream``
(``validate`` and ``schema`` use :func:`omp_version_option` and :func:`choose_profile` alone).

``--omp-version`` is not passed to the command functions: its callback keeps the value in the
click context (``ctx.meta``), :func:`build_effective` reads it there and records the profile it
chose, and :func:`report_inputs` / :func:`inputs_record` say which profile answered and why.
So a command gains the option without a new parameter.
"""

from __future__ import annotations

import dataclasses
import decimal
import math
import os
import stat
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from catalogmgr.catalog import (
    UNKNOWN_OVERRIDE_RULE,
    BaseCatalog,
    base_cannot_answer,
    default_overlay_paths,
    locate_base_catalog,
)
from catalogmgr.documents import load_document
from catalogmgr.errors import InvalidOverlayError, WriteError
from catalogmgr.merge import Layer, MergeResult, merge_catalog
from catalogmgr.omp.install import find_installed_omp
from catalogmgr.omp.profile import (
    ALL_VERSIONS,
    DEFAULT_PROFILE,
    VERSION_VARIABLE,
    Profile,
    ProfileChoice,
    select_profile,
)
from catalogmgr.omp.settings import RuntimeSettings, read_runtime_settings
from catalogmgr.problems import Problem, Severity
from catalogmgr.render import escape, style

F = TypeVar("F", bound=Callable[..., Any])

# Findings that are catalogmgr's hygiene checks rather than reasons OMP would reject the file: they
# are reported, but they do not stop a merge (OMP itself runs fine with a literal key).
NON_BLOCKING_RULES = frozenset({"literal-secret"})

_REQUESTED_VERSION = "catalogmgr.omp_version"
_CHOSEN_PROFILE = "catalogmgr.omp_profile"
_EXTENDED_CONTEXT = "catalogmgr.extended_context"
_AS_WRITTEN = "catalogmgr.as_written"
_RUNTIME_SETTINGS = "catalogmgr.runtime_settings"
_REQUESTED_ENGINE = "catalogmgr.engine"
_REQUESTED_OMP_DIR = "catalogmgr.omp_dir"
_CHOSEN_ENGINE = "catalogmgr.engine_choice"


def omp_version_option(*, allow_all: bool = False) -> Callable[[F], F]:
    """``--omp-version X.Y.Z`` (``all`` too when ``allow_all``), kept in the click context."""
    extra = " `all`: every profile, as a compatibility matrix." if allow_all else ""

    def remember(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        if value is not None and value.strip().lower() == ALL_VERSIONS and not allow_all:
            raise click.BadParameter("`all` works only with `catalogmgr validate`", ctx=ctx)
        ctx.meta[_REQUESTED_VERSION] = value
        return value

    return click.option(
        "--omp-version",
        metavar="X.Y.Z",
        default=None,
        expose_value=allow_all,
        callback=remember,
        help="The OMP release to answer for (its schema, rules and merge semantics). Default: "
        f"${VERSION_VARIABLE}, else the installed OMP's version, else the newest profile.{extra}",
    )


def requested_omp_version() -> str | None:
    """The ``--omp-version`` of the running command, if any."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_REQUESTED_VERSION) if ctx is not None else None
    return value if isinstance(value, str) else None


def choose_profile(env: Mapping[str, str], home: Path, base: BaseCatalog | None = None) -> ProfileChoice:
    """The profile for this run (``--omp-version``, ``$CATALOGMGR_OMP_VERSION``, the installed OMP).

    The installed OMP is the one the base catalog belongs to when it is in an installation, else
    the one base discovery would find. The choice is remembered for :func:`report_inputs`.
    """
    installed = base.install if base is not None and base.install is not None else None
    if installed is None:
        installed = find_installed_omp(env, home)
    choice = select_profile(requested_omp_version(), env, installed)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_CHOSEN_PROFILE] = choice
    return choice


def chosen_profile() -> ProfileChoice | None:
    """The profile :func:`choose_profile` chose in this command, if it ran."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get(_CHOSEN_PROFILE) if ctx is not None else None
    return choice if isinstance(choice, ProfileChoice) else None


def catalog_source_options(function: F) -> F:
    """``--base PATH``, ``--overlay FILE`` (repeatable), ``--no-default-overlay``, ``--omp-version``."""
    function = omp_version_option()(function)
    function = click.option(
        "--no-default-overlay",
        is_flag=True,
        help="Do not read ~/.omp/agent/models.yml (or $PI_CODING_AGENT_DIR/models.yml) when no "
        "--overlay is given.",
    )(function)
    function = click.option(
        "--overlay",
        "overlays",
        metavar="FILE",
        multiple=True,
        help="A models.yml overlay; repeat to layer several, later files win. Default: the one OMP "
        "reads, ~/.omp/agent/models.yml (else models.yaml), honouring PI_CODING_AGENT_DIR.",
    )(function)
    function = click.option(
        "--base",
        metavar="PATH",
        default=None,
        help="The base catalog (a models.json). Default: $CATALOGMGR_BASE, else the installed OMP's "
        "bundled catalog (bun or npm global install), else the embedded catalog (OMP's newest supported).",
    )(function)
    return function


def runtime_settings_option(function: F) -> F:
    """``--extended-context/--no-extended-context``, kept in the click context (like ``--omp-version``)."""

    def remember(ctx: click.Context, _param: click.Parameter, value: bool | None) -> bool | None:
        ctx.meta[_EXTENDED_CONTEXT] = value
        return value

    return click.option(
        "--extended-context/--no-extended-context",
        default=None,
        expose_value=False,
        callback=remember,
        help="Answer as OMP does with its `extendedContext` setting on (larger windows where a model "
        "has a maximum) or off (models with a long-context price tier capped at its threshold). "
        "Default: the setting in OMP's config.yml ($PI_CODING_AGENT_DIR or ~/.omp/agent), else off.",
    )(function)


def requested_extended_context() -> bool | None:
    """``--extended-context`` (True), ``--no-extended-context`` (False) or neither (None)."""
    ctx = click.get_current_context(silent=True)
    value = ctx.meta.get(_EXTENDED_CONTEXT) if ctx is not None else None
    return value if isinstance(value, bool) else None


def request_as_written() -> None:
    """This run shows the catalog as the files write it: no runtime policies (``--as-written``)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_AS_WRITTEN] = True


def runtime_settings_for_run(env: Mapping[str, str], home: Path) -> RuntimeSettings | None:
    """The OMP settings the runtime policies run under (config.yml, then the command line), or
    ``None`` when the run asked for the catalog as written. Remembered for :func:`report_inputs`."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(_AS_WRITTEN):
        settings = None
    else:
        settings = read_runtime_settings(env, home, Path.cwd()).with_extended_context(
            requested_extended_context()
        )
    if ctx is not None:
        ctx.meta[_RUNTIME_SETTINGS] = settings if settings is not None else "as-written"
    return settings


def _runtime_settings_line() -> str | None:
    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(_RUNTIME_SETTINGS) if ctx is not None else None
    if isinstance(chosen, RuntimeSettings):
        return f"catalogmgr: OMP settings: {chosen.describe()}; OMP's runtime model policies applied"
    if chosen == "as-written":
        return "catalogmgr: the catalog as the files write it (--as-written): no runtime model policies"
    return None


def engine_options(function: F) -> F:
    """``--engine omp|python|auto`` and ``--omp-dir DIR``, kept in the click context (like
    ``--omp-version``) for :func:`requested_engine`; :func:`report_inputs` says which answered."""

    def remember(key: str) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
        def callback(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
            ctx.meta[key] = value
            return value

        return callback

    from catalogmgr.engine import ENGINE_VARIABLE, ENGINES

    function = click.option(
        "--omp-dir",
        metavar="DIR",
        default=None,
        expose_value=False,
        callback=remember(_REQUESTED_OMP_DIR),
        help="The node_modules of the OMP installation --engine omp runs (holding "
        "@oh-my-pi/pi-coding-agent; its bun beside it, else bun on PATH). Default: "
        "$CATALOGMGR_OMP_DIR, else the installed OMP base discovery finds.",
    )(function)
    return click.option(
        "--engine",
        type=click.Choice(list(ENGINES), case_sensitive=False),
        default=None,
        expose_value=False,
        callback=remember(_REQUESTED_ENGINE),
        help="Who computes the effective catalog: omp (the installed OMP's own ModelRegistry, run "
        "under its bun: exact), python (catalogmgr's merge, with provenance) or auto (omp when an "
        f"installation and its bun are found, else python). Default: ${ENGINE_VARIABLE}, else auto.",
    )(function)


def requested_engine() -> tuple[str | None, str | None]:
    """The ``--engine`` and ``--omp-dir`` of the running command, if given."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    engine, omp_dir = meta.get(_REQUESTED_ENGINE), meta.get(_REQUESTED_OMP_DIR)
    return (engine if isinstance(engine, str) else None, omp_dir if isinstance(omp_dir, str) else None)


def remember_engine(choice: Any) -> None:
    """Record the engine that answers, for :func:`report_inputs` and :func:`inputs_record`."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_CHOSEN_ENGINE] = choice


def _chosen_engine() -> Any:
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(_CHOSEN_ENGINE) if ctx is not None else None


def cli_environment() -> tuple[dict[str, str], Path]:
    """The environment and home directory, read once at the edge (the core never reads them)."""
    return dict(os.environ), Path.home()


def load_layers(
    paths: Sequence[str | Path], profile: Profile = DEFAULT_PROFILE
) -> tuple[list[Layer], list[Problem]]:
    """Load and validate every overlay for ``profile``; raise :class:`InvalidOverlayError` on errors.

    Returns the layers and the non-blocking problems (warnings) found while validating.
    """
    layers: list[Layer] = []
    notes: list[Problem] = []
    errors: list[Problem] = []
    invalid_files: list[str] = []
    for path in paths:
        document = load_document(path, name=str(path))
        found = _validate(document, profile)
        blocking = [
            problem for problem in found if problem.is_error and problem.rule not in NON_BLOCKING_RULES
        ]
        if blocking:
            errors.extend(blocking)
            invalid_files.append(document.name)
        notes.extend(
            dataclasses.replace(problem, severity=Severity.WARNING)
            for problem in found
            if problem not in blocking
        )
        layers.append(Layer(name=document.name, data=_as_mapping(document.data), document=document))
    if errors:
        located: list[object] = list(errors)
        raise InvalidOverlayError(", ".join(invalid_files), located)
    return layers, notes


def _validate(document: Any, profile: Profile) -> list[Problem]:
    from catalogmgr.validation import validate_document

    # Validated as an overlay whatever it looks like: a models.json given as --overlay is a mistake
    # the schema reports. Override ids are checked by the merge, against the composed result.
    return validate_document(document, "overlay", profile=profile)


def _as_mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


def overlay_paths(
    overlays: Sequence[str], no_default_overlay: bool, env: Mapping[str, str], home: Path
) -> list[str]:
    """The overlays to apply: those named, else (unless refused) the one OMP would read."""
    if overlays:
        return list(overlays)
    if no_default_overlay:
        return []
    return [str(path) for path in default_overlay_paths(env, home)]


def build_effective(
    base: str | None,
    overlays: Sequence[str],
    env: Mapping[str, str],
    home: Path,
    *,
    no_default_overlay: bool = False,
    policies: bool = True,
    providers: Collection[str] | None = None,
    provenance: bool = True,
) -> tuple[BaseCatalog, list[Layer], MergeResult]:
    """Locate the base, choose the OMP profile, load and validate the overlays, merge them as OMP does.

    With ``policies`` (the default) the result is the catalog OMP runs: its runtime model policies
    applied under the user's OMP settings (:func:`runtime_settings_for_run`; ``--as-written`` turns
    them off). Without, the catalog as the files write it (``diff-upstream`` compares files).

    The result's problems are the overlays' non-blocking validation findings followed by the
    merge's own warnings (unknown modelOverrides ids, custom models without an api).
    ``providers`` limits the catalog to those providers, and ``provenance=False`` leaves out the
    origins of untouched models (see :func:`merge_catalog`).
    """
    base_catalog = locate_base_catalog(base, env, home)
    choice = choose_profile(env, home, base_catalog)
    layers, notes = load_layers(overlay_paths(overlays, no_default_overlay, env, home), choice.profile)
    settings = runtime_settings_for_run(env, home) if policies else None
    result = merge_catalog(
        base_catalog.catalog,
        layers,
        base_name=base_catalog.source,
        profile=choice.profile,
        settings=settings,
        providers=providers,
        provenance=provenance,
    )
    merged = result.problems
    if base_cannot_answer(base_catalog, choice.version) is not None:
        # The embedded catalog is another release's: whether an id exists in the user's release is
        # unknown, so say nothing rather than guess (report_inputs says why, once).
        merged = [problem for problem in merged if problem.rule != UNKNOWN_OVERRIDE_RULE]
    return base_catalog, layers, dataclasses.replace(result, problems=[*notes, *merged])


def describe_inputs(base: BaseCatalog, layers: Sequence[Layer]) -> str:
    """The stderr line every text output starts with: which base, which overlays."""
    overlays = ", ".join(layer.name for layer in layers) if layers else "none"
    note = " (no installed OMP found; --base PATH picks another catalog)" if base.is_embedded else ""
    return f"catalogmgr: base: {base.source}{note}; overlays: {overlays}"


def report_inputs(base: BaseCatalog, layers: Sequence[Layer], problems: Sequence[Problem]) -> None:
    """Say on stderr which base, overlays and OMP profile were used, then every warning."""
    echo(describe_inputs(base, layers), err=True, note=True)
    choice = chosen_profile()
    if choice is not None:
        echo(choice.describe(), err=True, note=True)
        limit = base_cannot_answer(base, choice.version)
        if limit is not None:
            echo(f"catalogmgr: note: {limit}", err=True, note=True)
    engine = _chosen_engine()
    if engine is not None:
        echo(engine.describe(), err=True, note=True)
    settings_line = _runtime_settings_line()
    if settings_line is not None:
        echo(settings_line, err=True, note=True)
    for problem in problems:
        echo(problem.to_line(), err=True, highlight=style.highlight_problems, one_line=True)
        if problem.hint:
            echo(f"  hint: {problem.hint}", err=True, one_line=True)


def inputs_record(base: BaseCatalog, layers: Sequence[Layer]) -> dict[str, Any]:
    """The same facts as :func:`describe_inputs`, for JSON-shaped outputs."""
    record: dict[str, Any] = {
        "base": base.source,
        "base_is_embedded": base.is_embedded,
        "overlays": [layer.name for layer in layers],
    }
    choice = chosen_profile()
    if choice is not None:
        record["ompProfile"] = profile_record(choice)
        limit = base_cannot_answer(base, choice.version)
        if limit is not None:
            record["baseLimit"] = limit
    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(_RUNTIME_SETTINGS) if ctx is not None else None
    if isinstance(chosen, RuntimeSettings):
        record["ompSettings"] = {
            "extendedContext": chosen.extended_context,
            "source": chosen.extended_context_source,
            "runtimePolicies": True,
        }
    elif chosen == "as-written":
        record["ompSettings"] = {"runtimePolicies": False}
    engine = _chosen_engine()
    if engine is not None:
        record["engine"] = engine.record()
    return record


def profile_record(choice: ProfileChoice) -> dict[str, Any]:
    """The chosen profile for JSON outputs: id, the version it stands for, the tables' source, why."""
    return {
        "id": choice.profile.id,
        "version": str(choice.version) if choice.version is not None else None,
        "source": str(choice.profile.source),
        "reason": choice.reason,
    }


def is_terminal_path(path: str | Path) -> bool:
    """True when writing to ``path`` would write to a terminal (``-o /dev/tty``, ``-o /dev/pts/3``).

    Only character devices are opened to ask (non-blocking, without becoming the controlling
    terminal); a path that cannot be opened is not a terminal (the write itself will report it).
    """
    try:
        if not stat.S_ISCHR(os.stat(path).st_mode):
            return False
        descriptor = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return False
    try:
        return os.isatty(descriptor)
    finally:
        os.close(descriptor)


def refuse_overwriting_inputs(output: str | Path, inputs: Sequence[str | Path]) -> None:
    """Raise :class:`WriteError` when ``output`` is one of the ``inputs`` (the same file, by inode).

    ``merge --overlay x.yml -o x.yml`` would otherwise replace the user's overlay with a catalog.
    """
    for source in inputs:
        try:
            same = os.path.samefile(output, source)
        except (OSError, ValueError):
            continue
        if same:
            raise WriteError(
                f"{output}: refusing to overwrite an input of this command ({source}); "
                "write the result to another file"
            )


# ------------------------------------------------------------------------------------------------
# Numeric option types: a bad value is a usage error (exit 2), never a crash or an endless wait.


class FiniteNumber(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A finite float within ``[minimum, maximum]`` (``minimum`` excluded when ``minimum_open``).

    click's ``float`` accepts ``nan``, ``inf`` and ``1e999`` (which is ``inf``); a ``FloatRange``
    lets ``nan`` through because every comparison with it is false. Every numeric option of every
    command uses this type (or :class:`BoundedInteger`), so each refuses them with exit 2.
    """

    name = "number"

    def __init__(self, minimum: float, maximum: float, *, minimum_open: bool = False) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.minimum_open = minimum_open

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float | int) and not isinstance(value, bool):
            number = float(value)
        else:
            text = str(value).strip()
            try:
                number = float(text) if len(text) <= 64 else float("inf")
            except ValueError:
                self.fail(f"{value!r} is not a number", param, ctx)
        low_ok = number > self.minimum if self.minimum_open else number >= self.minimum
        if not math.isfinite(number) or not low_ok or number > self.maximum:
            low = "above" if self.minimum_open else "at least"
            self.fail(
                f"{str(value)[:40]!r} is out of range: expected a finite number {low} {self.minimum:g}"
                f" and at most {self.maximum:g}",
                param,
                ctx,
            )
        return number


class BoundedInteger(click.IntRange):
    """An integer within ``[minimum, maximum]``; refuses over-long digit strings before parsing."""

    def __init__(self, minimum: int, maximum: int) -> None:
        super().__init__(minimum, maximum)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and len(value.strip()) > 32:
            self.fail(f"{value[:40]!r}... is out of range ({self.min} to {self.max})", param, ctx)
        return super().convert(value, param, ctx)


class RelativeTolerance(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.2
    """A relative tolerance: ``0.01`` or ``1%``, at least 0 and below 1 (100%), as a Decimal.

    Parsed as a Decimal (prices are compared exactly), with every value checked before any
    arithmetic: ``1e999999999`` would otherwise overflow Decimal's context.
    """

    name = "tolerance"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> decimal.Decimal:
        if isinstance(value, decimal.Decimal):
            return value
        text = str(value).strip()
        percent = text.endswith("%")
        try:
            number = decimal.Decimal(text.removesuffix("%")) if len(text) <= 64 else None
        except decimal.InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(f"expected a number such as 0.01 or 1%, got {text[:40]!r}", param, ctx)
        if number != 0 and not -40 <= number.adjusted() <= 3:
            self.fail(f"{text[:40]!r} is out of range: expected at least 0 and below 1 (100%)", param, ctx)
        relative = number.scaleb(-2) if percent else number
        if relative < 0 or relative >= 1:
            self.fail(f"{text[:40]!r} is out of range: expected at least 0 and below 1 (100%)", param, ctx)
        return relative


# ------------------------------------------------------------------------------------------------
# Output: every line a command prints passes through render/escape.py on its way out.


def echo(
    text: str,
    *,
    err: bool = False,
    nl: bool = True,
    output_format: str = "text",
    note: bool = False,
    highlight: style.Highlighter | None = None,
    one_line: bool = False,
) -> None:
    """Print a rendered document or a message, escaped for its format (see :mod:`render.escape`).

    Text (tables, reports, stderr messages) has its controls made visible and workflow-command lines
    disarmed; JSON has the controls JSON leaves raw written as ``\\uXXXX``; github keeps its own
    workflow commands. Used for everything but a catalog written as data (merge's output).
    A ``note`` (which inputs, a summary) is left out under ``-q``; ``highlight`` colours the
    escaped text when colour is on for that stream; ``one_line`` keeps a message on its line.
    """
    if note and is_quiet():
        return
    # A problem line or a message is one line whatever it quotes: its newlines are shown as \n.
    escaped = escape.terminal(text) if one_line else escape.for_format(text, output_format)
    colored = highlight is not None and output_format == "text" and color_enabled(err)
    if colored and highlight is not None:
        escaped = highlight(escaped)
    click.echo(escaped, err=err, nl=nl, color=colored or None)


# ------------------------------------------------------------------------------------------------
# Conventional output options, the same on every command: --format, -q/--quiet, --color.

_QUIET = "catalogmgr.quiet"
_COLOR = "catalogmgr.color"
# Older names of the text format, still accepted.
FORMAT_ALIASES = {"table": "text"}


def output_options(
    formats: Sequence[str] | None, help_text: str = "", *, default: str | None = None, quiet: bool = True
) -> Callable[[F], F]:
    """``--format`` (first of ``formats`` by default; ``table`` still means ``text``), ``-q/--quiet``
    (notes on stderr left out; warnings and errors stay) and ``--color auto|always|never``.

    ``--format`` reaches the command as ``output_format``; quiet and colour are kept in the click
    context and honoured by :func:`echo`. ``quiet=False`` for a command with its own ``-q``.
    """
    chosen_default = default or (formats[0] if formats else None)

    def remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
        def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
            ctx.meta[key] = value
            return value

        return callback

    def normalise(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
        return FORMAT_ALIASES.get(value, value) if value is not None else None

    def decorate(function: F) -> F:
        aliases = [alias for alias, target in FORMAT_ALIASES.items() if target in (formats or ())]
        function = click.option(
            "--color",
            "--colour",
            type=click.Choice(list(style.COLOR_CHOICES)),
            default="auto",
            show_default=True,
            expose_value=False,
            callback=remember(_COLOR),
            help="Colour on a terminal: auto honours NO_COLOR and FORCE_COLOR.",
        )(function)
        if quiet:
            function = click.option(
                "-q",
                "--quiet",
                is_flag=True,
                expose_value=False,
                callback=remember(_QUIET),
                help="Leave out the notes on stderr (inputs, summaries); warnings and errors stay.",
            )(function)
        if not formats:  # the command's --format names data formats of its own (merge: json, yaml)
            return function
        return click.option(
            "--format",
            "output_format",
            type=click.Choice([*formats, *aliases]),
            default=chosen_default,
            show_default=True,
            callback=normalise,
            help=help_text,
        )(function)

    return decorate


def is_quiet() -> bool:
    """Whether the running command was given ``-q/--quiet``."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(_QUIET))


def color_enabled(err: bool = False) -> bool:
    """Whether output to stdout (or stderr) is coloured in the running command."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.meta.get(_COLOR, "auto") if ctx is not None else "auto"
    return style.use_color(str(choice), os.environ, _is_terminal(sys.stderr if err else sys.stdout))


def terminal_width() -> int | None:
    """The width to fit tables to: the terminal's when stdout is one, else None (never cut)."""
    if not _is_terminal(sys.stdout):
        return None
    import shutil

    return max(shutil.get_terminal_size().columns, 20)


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty())
