"""``catalogmgr parse``: the data of a file exactly as OMP's parser reads it."""

from __future__ import annotations

import sys

import click

from catalogmgr.documents import Format, detect_format, load_document, parse_document, read_stream
from catalogmgr.errors import EXIT_OK, InputError, RefusedInputError
from catalogmgr.render.escape import json_text
from catalogmgr.render.parsed import PARSED_RENDERERS

STDIN_NAME = "<stdin>"


@click.command("parse")
@click.argument("file", metavar="FILE|-")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(PARSED_RENDERERS)),
    default="json",
    show_default=True,
    help="How to print the data (numbers follow the other outputs: NaN and Infinity as null).",
)
@click.option(
    "--input",
    "input_format",
    type=click.Choice(["auto", "yaml", "jsonc"]),
    default="auto",
    show_default=True,
    help="The parser to use; auto picks it by extension as OMP does (.yml/.yaml YAML, .json/.jsonc "
    "JSONC), and YAML for standard input.",
)
def parse(file: str, output_format: str, input_format: str) -> None:
    """Print the data of FILE exactly as OMP's parser (Bun's YAML.parse or JSONC.parse) reads it.

    This is how to see why `yes`, `1_000`, a `!tag` or an `*alias` did not mean what you thought:
    `yes` stays the string "yes", `1_000` the string "1_000", `!ctx 200000` the string "200000",
    and `<<: *defaults` merges the anchored mapping. FILE may be `-` for standard input.

    \b
    Exit codes:
      0  the file parses; its data is on standard output
      1  OMP's parser refuses the file (one located error on standard error)
      2  usage error
    """
    fmt: Format | None = None if input_format == "auto" else ("yaml" if input_format == "yaml" else "jsonc")
    try:
        if file == "-":
            text = read_stream(sys.stdin.buffer, name=STDIN_NAME)
            document = parse_document(text, name=STDIN_NAME, fmt=fmt or "yaml")
        else:
            document = load_document(file, fmt=fmt or _by_extension(file))
    except InputError as error:
        if error.rule == "read":
            raise  # no such file, a directory, permission denied: exit 3 as everywhere
        raise RefusedInputError.from_error(error) from None
    rendered = PARSED_RENDERERS[output_format](document.data)
    # Data, printed as it is; a JSON one with the controls JSON leaves raw as \uXXXX (same value).
    click.echo(json_text(rendered) if output_format == "json" else rendered, nl=False)
    sys.exit(EXIT_OK)


def _by_extension(path: str) -> Format:
    chosen = detect_format(path)
    return "jsonc" if chosen == "json" else chosen
