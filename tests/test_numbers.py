"""Exact amounts in, Norwegian figures out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rammecalc.core.numbers import AmountError, format_amount, format_percent, parse_amount


@pytest.mark.parametrize(("text", "value"), [
    ("9864", "9864"), ("-6452", "-6452"), ("1.4", "1.4"), ("0.1", "0.1"), ("1e3", "1000"),
    ("9 864", "9864"), ("9\u00a0864", "9864"), ("−127", "-127"), ("- 127", "-127"), ("1,4", "1.4"),
    ("11 999", "11999"), ("1 234 567,25", "1234567.25"), ("+46", "46"),
])
def test_parse_reads_the_text_exactly(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("bad", ["", "abc", "1.2.3", "1 23", "12,", "9 864.5", 1.4, True, None])
def test_parse_refuses(bad):
    with pytest.raises(AmountError):
        parse_amount(bad)


def test_a_full_stop_is_a_decimal_point_as_in_yaml():
    # Askøy prints 94.594 for 94 594: such figures must be typed without the full stop (see README).
    assert parse_amount("94.594") == Decimal("94.594")


@pytest.mark.parametrize(("value", "text"), [
    ("9864", "9 864"), ("-127", "−127"), ("0", "0"), ("-0", "0"), ("11999", "11 999"), ("1234567", "1 234 567"),
    ("1.5", "1,5"), ("-1234.25", "−1 234,25"), ("999", "999"), ("100000", "100 000"),
])
def test_format_norwegian(value, text):
    assert format_amount(Decimal(value)) == text


def test_format_with_plus_and_percent():
    assert format_amount(Decimal(1), plus=True) == "+1"
    assert format_amount(Decimal(-1), plus=True) == "−1"
    assert format_percent(Decimal("1.4")) == "1,4 %"
    assert format_percent(Decimal("-8.13")) == "−8,1 %"
    assert format_percent(Decimal("0.05")) == "0,1 %"  # half up, named in format_percent


def test_every_unit_a_table_can_be_in_has_its_heading():
    from rammecalc.core.table import TableUnit
    from rammecalc.core.terms import UNIT_TEXT, AmountUnit

    assert {u.value for u in AmountUnit} | {u.value for u in TableUnit} == set(UNIT_TEXT)
    assert UNIT_TEXT["1 000 kr"] == "Beløp i 1 000 kr" and UNIT_TEXT["årsverk"] == "Årsverk"
