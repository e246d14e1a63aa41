"""The click command line: a thin adapter over the core.

Commands are imported lazily (only the one being run), so ``catalogmgr validate`` in a pre-commit
hook never pays for httpx or deepdiff. Every expected failure is a
:class:`~catalogmgr.errors.CatalogmgrError`, turned into one line on stderr and its exit code in
:func:`main`, the one place that does so.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NoReturn

import click

from catalogmgr import __version__
from catalogmgr.errors import EXIT_BUG, EXIT_INTERRUPTED, EXIT_USAGE, CatalogmgrError, InvalidOverlayError

# command name -> "module:attribute", in the order `--help` lists them.
COMMANDS: dict[str, str] = {
    "validate": "catalogmgr.cli.validate:validate",
    "schema": "catalogmgr.cli.validate:schema",
    "merge": "catalogmgr.cli.merge:merge",
    "list": "catalogmgr.cli.merge:list_models",
    "show": "catalogmgr.cli.merge:show",
    "changes": "catalogmgr.cli.merge:changes",
    "keys": "catalogmgr.cli.keys:keys",
    "diff-upstream": "catalogmgr.cli.diff_upstream:diff_upstream",
    "ping": "catalogmgr.cli.ping:ping",
    "add-provider": "catalogmgr.cli.add_provider:add_provider",
    "parse": "catalogmgr.cli.parse:parse",
    "doctor": "catalogmgr.cli.doctor:doctor",
    "init": "catalogmgr.cli.init:init",
}

# One-line summaries so `catalogmgr --help` needs no command import.
SUMMARIES: dict[str, str] = {
    "validate": "Validate models.yml overlays (and models.json catalogs) with located errors.",
    "schema": "Print the JSON Schema for overlays or catalogs.",
    "merge": "Layer overlays over a base catalog exactly as OMP does and emit the result.",
    "list": "List the models of the effective catalog.",
    "show": "Show one model of the effective catalog, optionally explaining each field.",
    "changes": "List what the overlays change relative to the base catalog, field by field.",
    "keys": "Report how each provider's API key would resolve, without printing secrets.",
    "diff-upstream": "Compare the effective catalog with OpenRouter or models.dev and propose a fix.",
    "ping": "Check each configured provider endpoint for real: reachable, key accepted, models served.",
    "add-provider": "Ask a live server which models it serves and write a validated provider entry.",
    "parse": "Print a file's data exactly as OMP's parser (Bun's YAML/JSONC) reads it.",
    "doctor": "Check the setup OMP will run with (OMP, base, models.yml, keys, settings) and how to fix it.",
    "init": "Start ~/.omp/agent/models.yml from a shipped example overlay (or merge one in).",
}


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs or shows help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring bug
            raise TypeError(f"{target} is not a click command")
        return command

    def invoke(self, ctx: click.Context) -> Any:
        # The one place an expected failure becomes a message and an exit code, so that click's
        # test runner and the console script behave the same.
        try:
            return super().invoke(ctx)
        except CatalogmgrError as error:
            report_error(error)
            ctx.exit(error.exit_code)
        except click.BadParameter as error:
            # A bad option value is one located line, like every other usage error, not click's
            # usage block (the value is shortened by the type that refused it).
            name = error.param.opts[-1] if error.param is not None and error.param.opts else "argument"
            from catalogmgr.render.escape import terminal

            click.echo(f"catalogmgr: error: {name}: {terminal(error.message)}", err=True)
            ctx.exit(EXIT_USAGE)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # List summaries without importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, SUMMARIES.get(name, "")) for name in COMMANDS])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalogmgr")
def cli() -> None:
    """Manage LLM model catalogs for coding agents (oh-my-pi's models.yml and models.json).

    Exit codes: 0 ok / clean / no drift; 1 problems or drift found; 2 usage error;
    3 could not run (unreadable input, network failure, refused write); 4 internal error.
    """


def report_error(error: CatalogmgrError) -> None:
    """Print an expected failure as located one-line messages on stderr."""
    # Messages quote the user's files, upstream answers and names: one escaping layer on the way out.
    from catalogmgr.render.escape import terminal

    if isinstance(error, InvalidOverlayError):
        for problem in error.problems:
            to_line = getattr(problem, "to_line", None)
            click.echo(terminal(to_line() if callable(to_line) else str(problem)), err=True)
    click.echo(f"catalogmgr: error: {terminal(str(error))}", err=True)


def main(argv: list[str] | None = None) -> NoReturn:
    """Console-script entry point: run the CLI and map failures to exit codes in one place."""
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not valid UTF-8 reaches Python as lone surrogates; printing it must
        # not crash the run. Backslash escapes keep JSON output valid (`\udcff` is a JSON escape).
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(errors="backslashreplace")
    try:
        code: Any = cli.main(args=argv, prog_name="catalogmgr", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("catalogmgr: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("catalogmgr: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # `catalogmgr merge | head` closed the pipe: not an error worth a traceback.
        sys.stderr.close()
        sys.exit(0)
    except Exception:
        import traceback

        traceback.print_exc()
        click.echo("catalogmgr: internal error (a bug): please report it with the traceback above", err=True)
        sys.exit(EXIT_BUG)
    sys.exit(code if isinstance(code, int) else 0)
