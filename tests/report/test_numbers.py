"""Reading printed numbers: examples of each print style and generated round-trips."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ifrc_kg.model import SourceSpan, Unit
from ifrc_kg.report.numbers import (
    AmbiguousNumber,
    BadNumberForm,
    make_figure,
    read_number,
    read_value,
)

D = Decimal


@pytest.mark.parametrize(
    ("printed", "value", "rounded_to", "unit"),
    [
        ("15.6M", D(15600000), D(100000), None),
        ("5M", D(5000000), D(1000000), None),
        ("780,000", D(780000), None, None),
        ("8,998", D(8998), None, None),
        ("94%", D(94), None, Unit.PERCENT),
        ("87.5 %", D("87.5"), None, Unit.PERCENT),
        ("60 per cent", D(60), None, Unit.PERCENT),
        ("CHF 232.5 M", D(232500000), D(100000), Unit.CHF),
        ("CHF 8 M", D(8000000), D(1000000), Unit.CHF),
        ("CHF 204,222", D(204222), None, Unit.CHF),
        ("157 million", D(157000000), D(1000000), None),
        ("143m", D(143000000), D(1000000), None),
        ("1.25 billion", D(1250000000), D(10000000), None),
        ("500K", D(500000), D(1000), None),
        ("0", D(0), None, None),
    ],
)
def test_print_styles(printed, value, rounded_to, unit):
    assert read_number(printed) == (value, rounded_to, unit)


@pytest.mark.parametrize(
    ("printed", "readings"),
    [("25,6140", (D(25614), D(256140))), ("1234,567", (D(1234567),)), ("1,2345,678", None)],
)
def test_ambiguous_grouping_names_its_readings(printed, readings):
    with pytest.raises(AmbiguousNumber) as caught:
        read_number(printed)
    if readings is not None:
        assert caught.value.readings == readings
    assert printed in str(caught.value)


@pytest.mark.parametrize("printed", ["15,7M", "4,8", "CHF 1,5 million", "12,34"])
def test_decimal_comma_is_not_the_template_form(printed):
    with pytest.raises(BadNumberForm, match="decimal comma"):
        read_number(printed)


@pytest.mark.parametrize(("printed", "answer"), [("Yes", True), ("No", False), ("YES", True)])
def test_yes_no(printed, answer):
    assert read_value(printed) == (answer, None, Unit.BOOLEAN)


@pytest.mark.parametrize(
    "printed", ["", "many", "1.2.3", "12 people", "M5", "CHF", "1,2M3", "--", "CHF two hundred"]
)
def test_unreadable(printed):
    with pytest.raises(ValueError):
        read_value(printed)


def test_figure_keeps_the_print():
    span = SourceSpan("r.txt", 1, 1, "15.6M", 0, 5)
    figure = make_figure(" 15.6M ", span, Unit.CHF)
    assert (figure.value, figure.printed, figure.rounded_to, figure.unit) == (
        D(15600000),
        "15.6M",
        D(100000),
        Unit.CHF,
    )
    assert make_figure("94%", span, Unit.PERSONS).unit is Unit.PERCENT  # the print's unit wins


counts = st.integers(min_value=0, max_value=10**12)


@given(counts)
def test_grouped_integers_round_trip(number):
    assert read_number(f"{number:,}") == (D(number), None, None)
    assert read_number(str(number)) == (D(number), None, None)


@given(st.integers(min_value=0, max_value=99_999), st.sampled_from(["M", "m", " M", " million"]))
def test_millions_with_one_decimal_round_trip(tenths, suffix):
    printed = f"{tenths // 10}.{tenths % 10}{suffix}"
    assert read_number(printed) == (D(tenths) * 100_000, D(100_000), None)


@given(st.integers(min_value=0, max_value=99_999))
def test_whole_millions_round_trip(millions):
    assert read_number(f"{millions}M") == (D(millions) * 1_000_000, D(1_000_000), None)


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["CHF ", "CHF", "CHF  "]))
def test_chf_round_trip(amount, prefix):
    assert read_number(f"{prefix}{amount:,}") == (D(amount), None, Unit.CHF)


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=0, max_value=9))
def test_percent_round_trip(whole, tenth):
    assert read_number(f"{whole}%") == (D(whole), None, Unit.PERCENT)
    assert read_number(f"{whole}.{tenth}%")[0] == D(f"{whole}.{tenth}")
