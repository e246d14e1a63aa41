"""Exact units and tolerant comparisons: the float-noise, variable and missing-price pitfalls."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogmgr.upstream.normalize import (
    VARIABLE,
    format_number,
    format_relative,
    modality_string_inputs,
    numbers_match,
    omp_input,
    per_million_price,
    per_token_price,
    positive_int,
    relative_change,
    to_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.0000008", Decimal("0.8")),  # float("0.0000008") * 1e6 == 0.7999999999999999
        ("0.0000003", Decimal("0.3")),
        ("0.000000022", Decimal("0.022")),
        ("0.000015", Decimal("15")),
        ("0", Decimal("0")),
        (" 0.0000012 ", Decimal("1.2")),
        (0.0000012, Decimal("1.2")),
    ],
)
def test_per_token_prices_become_exact_per_million(raw: object, expected: Decimal) -> None:
    assert per_token_price(raw) == expected
    assert str(per_token_price(raw)) == str(expected)


@pytest.mark.parametrize("raw", ["-1", -1, "-0.5"])
def test_negative_price_is_variable(raw: object) -> None:
    assert per_token_price(raw) is VARIABLE
    assert per_million_price(raw) is VARIABLE


@pytest.mark.parametrize("raw", [None, "", "  ", "free", [], {}, True, float("nan"), "Infinity"])
def test_missing_or_unusable_price_is_none_not_zero(raw: object) -> None:
    assert per_token_price(raw) is None
    assert per_million_price(raw) is None


def test_local_doubles_are_read_back_without_noise() -> None:
    assert to_decimal(0.7999999999999999) == Decimal("0.8")
    assert to_decimal(0.39999999999999997) == Decimal("0.4")
    assert to_decimal(0.09999999999999999) == Decimal("0.1")
    assert str(to_decimal(1000000)) == "1000000"  # not 1E+6
    assert to_decimal(True) is None


def test_numbers_match_is_relative() -> None:
    assert numbers_match(Decimal("0.8"), Decimal("0.8000000001"))
    assert not numbers_match(Decimal("0.8"), Decimal("0.81"))
    assert numbers_match(Decimal("100"), Decimal("101"), Decimal("0.01"))
    assert not numbers_match(Decimal("100"), Decimal("102"), Decimal("0.01"))
    assert numbers_match(Decimal("0"), Decimal("0"))
    assert not numbers_match(Decimal("0"), Decimal("0.0001"))


def test_relative_change_and_its_display() -> None:
    assert relative_change(Decimal(196608), Decimal(131072)) == Decimal("-0.3333")
    assert format_relative(Decimal("-0.3333")) == "-33.33%"
    assert format_relative(Decimal("0.375")) == "+37.5%"
    assert relative_change(Decimal(0), Decimal(1)) is None
    assert format_relative(None) == "from 0"
    assert format_number(Decimal("0.022")) == "0.022"
    assert format_number(1048576) == "1048576"


def test_positive_int() -> None:
    assert positive_int(1048576) == 1048576
    assert positive_int(128000.0) == 128000
    assert positive_int(0) is None  # OpenRouter's media models: "not applicable"
    assert positive_int(None) is None
    assert positive_int(True) is None
    assert positive_int(-5) is None


def test_modalities_map_to_omp_text_and_image() -> None:
    assert omp_input(["image", "text", "file", "video"]) == ("text", "image")
    assert omp_input(["audio"]) is None
    assert omp_input("text") is None
    assert modality_string_inputs("text+image->text") == ["text", "image"]
    assert modality_string_inputs("nonsense") is None


per_token_strings = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("0.001"), places=12, allow_nan=False, allow_infinity=False
).map(lambda d: format(d.normalize(), "f"))


@given(per_token_strings)
def test_omps_float_conversion_never_counts_as_a_change(price: str) -> None:
    # OMP's generator stores parseFloat(price) * 1e6 (with its float noise); comparing that double
    # with the exact upstream value must never report drift at the default tolerance.
    stored = float(price) * 1_000_000
    local = to_decimal(stored)
    upstream = per_token_price(price)
    assert local is not None
    assert isinstance(upstream, Decimal)
    assert numbers_match(local, upstream)


@given(per_token_strings, per_token_strings)
def test_numbers_match_is_symmetric(a: str, b: str) -> None:
    left, right = Decimal(a), Decimal(b)
    assert numbers_match(left, right) == numbers_match(right, left)
