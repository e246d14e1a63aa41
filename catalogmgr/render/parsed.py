"""Rendering parsed data (``catalogmgr parse``) with the number rules of every other output."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalogmgr.render.catalog import json_numbers, render_json_document, render_yaml_data


def render_parsed_json(data: Any) -> str:
    """The data as indented JSON (non-finite numbers as null, as JSON.stringify writes them)."""
    return render_json_document(data) + "\n"


def render_parsed_yaml(data: Any) -> str:
    """The data as YAML in the style catalogmgr writes catalogs."""
    return render_yaml_data(json_numbers(data))


PARSED_RENDERERS: dict[str, Callable[[Any], str]] = {"json": render_parsed_json, "yaml": render_parsed_yaml}
