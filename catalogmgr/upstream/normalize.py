"""Turn upstream values into the catalog's units, exactly, and compare them without float noise.

Prices are the trap (pitfall 4 in ``upstream-listings.md``): OpenRouter quotes USD per *token* as
decimal strings, the catalog stores USD per *million* as doubles, and ``float("0.0000008") * 1e6``
is ``0.7999999999999999``. Everything here goes through :class:`decimal.Decimal`: upstream
strings convert exactly, local doubles are read back through their shortest ``repr`` and rounded
to :data:`SIGNIFICANT_DIGITS`, and values are compared with a relative tolerance. The values the
report prints are these normalised decimals (``0.8``, never ``0.7999999999999999``).

Three states are kept apart on purpose, because conflating them produces false drift:

* a number (``Decimal``);
* :data:`VARIABLE`: upstream says ``-1`` (routers such as ``openrouter/auto`` bill whatever model
  they pick): never compared;
* ``None``: upstream does not list the price at all. Missing is not zero (pitfall 2): a missing
  ``input_cache_write`` means "no separate cache-write price", not "cache writes are free".
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation, localcontext
from enum import Enum
from typing import Any, Final

# A double carries 15-17 significant digits; 12 keeps every real price and drops the noise of
# the catalog's "x * 1e6" doubles (0.39999999999999997 -> 0.4).
SIGNIFICANT_DIGITS: Final = 12
PER_MILLION: Final = Decimal(1_000_000)
# The default relative tolerance for prices: far above float noise (1e-16), far below any real
# price change (the smallest real ones are a few percent).
DEFAULT_TOLERANCE: Final = Decimal("1e-9")


class Variable(Enum):
    """A price upstream marks as variable (``"-1"``): it is not a number and is never compared."""

    VARIABLE = "variable"

    def __str__(self) -> str:
        return "variable"


VARIABLE: Final = Variable.VARIABLE

Price = Decimal | Variable


def normalize_decimal(value: Decimal) -> Decimal:
    """Round to :data:`SIGNIFICANT_DIGITS` and strip trailing zeros (``0.80000`` -> ``0.8``)."""
    if not value.is_finite():
        return value
    with localcontext() as context:
        context.prec = SIGNIFICANT_DIGITS
        rounded = +value
    normalized = rounded.normalize()
    # normalize() writes 1000000 as 1E+6; keep plain digits for integers, as people write them.
    if normalized == normalized.to_integral_value():
        with localcontext() as context:
            # quantize() needs every digit within the precision: 1E+400 (a hostile listing) has 401.
            context.prec = max(context.prec, normalized.adjusted() + 1)
            return normalized.quantize(Decimal(1))
    return normalized


# A number no double can hold (a price of "1e400" per token) is not a price a catalog can record:
# treat it as not listed rather than report drift to Infinity.
_LARGEST_DOUBLE = Decimal(sys.float_info.max)


def to_decimal(value: Any) -> Decimal | None:
    """A finite number (int, float, or numeric string) as a normalised Decimal; else None.

    Numbers beyond a double's range count as not finite (the catalog is JavaScript's JSON).

    Floats go through ``repr`` (their shortest round-tripping form), so ``0.1`` becomes
    ``Decimal("0.1")`` rather than ``0.1000000000000000055511151231257827``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _within_double(Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return normalize_decimal(Decimal(repr(value)))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            return None
        return _within_double(parsed)
    if isinstance(value, Decimal):
        return _within_double(value)
    return None


# Below this magnitude a number is 0 to a double (the smallest subnormal is about 4.9e-324).
_SMALLEST_DOUBLE_EXPONENT = -330


def _within_double(value: Decimal) -> Decimal | None:
    # copy_abs() and adjusted() need no arithmetic context: abs() of "1e999999999999999999" would
    # raise decimal.Overflow (issue 13, break 4). Every Decimal that leaves here is within a
    # double's range, so the arithmetic done on it later (x 1e6, differences, ratios) cannot trap.
    if not value.is_finite() or value.copy_abs() > _LARGEST_DOUBLE:
        return None
    if value.is_zero() or value.adjusted() < _SMALLEST_DOUBLE_EXPONENT:
        return Decimal(0)
    return normalize_decimal(value)


def per_token_price(raw: Any) -> Price | None:
    """An OpenRouter price (USD per token, usually a string) as USD per million tokens.

    ``"-1"`` (any negative number) is :data:`VARIABLE`; a missing, empty or non-numeric value is
    ``None`` (not listed).
    """
    parsed = to_decimal(raw)
    if parsed is None:
        return None
    if parsed < 0:
        return VARIABLE
    # Per million, a price near a double's limit per token is past it: not a price to record.
    return _within_double(parsed * PER_MILLION)


def per_million_price(raw: Any) -> Price | None:
    """A models.dev price (already USD per million) normalised; negative means variable."""
    parsed = to_decimal(raw)
    if parsed is None:
        return None
    if parsed < 0:
        return VARIABLE
    return parsed


def listed_prices(
    block: dict[str, Any], keys: tuple[tuple[str, str], ...], convert: Callable[[Any], Price | None]
) -> dict[str, Price]:
    """``{omp cost field: price}`` for the prices ``block`` lists (``keys``: omp -> upstream key)."""
    prices: dict[str, Price] = {}
    for omp_key, upstream_key in keys:
        price = convert(block.get(upstream_key))
        if price is not None:
            prices[omp_key] = price
    return prices


def object_field(entry: dict[str, Any], key: str) -> dict[str, Any]:
    """``entry[key]`` when it is a JSON object, else an empty one (upstream shapes drift)."""
    value = entry.get(key)
    return value if isinstance(value, dict) else {}


def positive_int(raw: Any) -> int | None:
    """A token count upstream: a positive integer, else None (0 means "not applicable" there)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer() and raw > 0:
        return int(raw)
    return None


def numbers_match(local: Decimal, upstream: Decimal, tolerance: Decimal = DEFAULT_TOLERANCE) -> bool:
    """True when the two differ by at most ``tolerance`` relative to the larger magnitude."""
    if local == upstream:
        return True
    scale = max(abs(local), abs(upstream))
    return abs(local - upstream) <= tolerance * scale


def relative_change(old: Decimal, new: Decimal) -> Decimal | None:
    """``(new - old) / old`` rounded to 4 significant digits; None when ``old`` is zero."""
    if old == 0:
        return None
    quotient = (new - old) / old  # full precision first: rounding the difference would skew it
    with localcontext() as context:
        context.prec = 4
        return +quotient


def format_number(value: Decimal | int) -> str:
    """A normalised number as people read it: ``0.8``, ``1048576``, ``0.022``."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    return text


def format_relative(change: Decimal | None) -> str:
    """``+16.67%`` / ``-50%``; ``new`` when the old value was zero."""
    if change is None:
        return "from 0"
    percent = normalize_decimal(change * 100)
    with localcontext() as context:
        context.prec = 4
        percent = +percent
    text = format(percent.normalize(), "f")
    return f"+{text}%" if change > 0 else f"{text}%"


# OMP knows only these two input modalities (its schema rejects anything else in `input`).
OMP_INPUT_MODALITIES: Final = ("text", "image")


def omp_input(modalities: Any) -> tuple[str, ...] | None:
    """Upstream input modalities mapped onto OMP's ``input``: text and image, in OMP's order.

    Upstream lists ``file``, ``audio``, ``video``, ``pdf`` too; OMP has no place for them. None
    when nothing usable is listed (not compared).
    """
    if not isinstance(modalities, list):
        return None
    present = {item for item in modalities if isinstance(item, str)}
    mapped = tuple(kind for kind in OMP_INPUT_MODALITIES if kind in present)
    return mapped or None


_MODALITY_INPUTS = re.compile(r"^([a-z+]+)->")


def modality_string_inputs(modality: Any) -> list[str] | None:
    """The input side of an OpenRouter ``architecture.modality`` string (``text+image->text``)."""
    if not isinstance(modality, str):
        return None
    match = _MODALITY_INPUTS.match(modality.strip())
    if match is None:
        return None
    return match.group(1).split("+")
