"""Exact money: parsing amounts into ``Decimal`` and printing them the Norwegian way.

Amounts never pass through ``float``. The loader hands every YAML number to this module as the text the
user typed, so ``1.4`` becomes ``Decimal("1.4")`` exactly. Text in the published tables' own notation is
accepted too (``"9 864"``, ``"−127"``, ``"1,4"``), so figures can be pasted from a source document.

Printing follows the published tables: a space between thousands (``9 864``), the true minus sign
(``−127``, U+2212), a decimal comma (``1,4``) and ``1,4 %`` for percentages.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MINUS = "\u2212"
#: Characters the tables use for minus: hyphen-minus, the true minus, en dash.
_MINUS_SIGNS = "-\u2212\u2013"
#: Thousands separators seen in the sources: space, no-break space, narrow no-break space, thin space.
_GROUP_SPACES = " \u00a0\u202f\u2009"

_NORWEGIAN = re.compile(
    rf"^(?P<sign>[{_MINUS_SIGNS}+]?)\s*(?P<int>[0-9]{{1,3}}(?:[{_GROUP_SPACES}][0-9]{{3}})+|[0-9]+)(?:,(?P<frac>[0-9]+))?$"
)
_PLAIN_START = frozenset("-+0123456789.")
_PLAIN = re.compile(r"^[-+]?([0-9][0-9_]*)?(\.[0-9]+)?([eE][-+]?[0-9]+)?$")

#: The largest amounts rammecalc takes: 15 digits before the decimal point (a national budget in kroner
#: has 13) and 6 after. Within these, sums of up to a million amounts stay within the 28 significant
#: digits of Python's default decimal context, so every sum is exact.
MAX_WHOLE_DIGITS = 15
MAX_DECIMALS = 6


class AmountError(ValueError):
    """The text is not an amount. The message says what was expected."""


def parse_amount(value: object) -> Decimal:
    """Read an amount exactly.

    Accepts ``int``, ``Decimal`` and text: plain numbers (``-6452``, ``1.4``) or the tables' notation
    (``9 864``, ``−127``, ``1,4``). Refuses ``float`` (already inexact) and ``bool``.
    """
    if isinstance(value, bool):
        raise AmountError("expected an amount, got a yes/no value")
    if isinstance(value, int):
        return _within_limits(Decimal(value))
    if isinstance(value, Decimal):
        return _within_limits(value)
    if isinstance(value, float):
        raise AmountError("amounts must be exact: pass an int, a Decimal or the number as text, not a float")
    if not isinstance(value, str):
        raise AmountError(f"expected an amount, got {type(value).__name__}")
    if value.isascii() and value[:1] in _PLAIN_START and "_" not in value:
        # The common case, a plain number as YAML writes it: straight to Decimal, which refuses anything
        # else (NaN and Infinity are refused by the limits).
        try:
            return _within_limits(Decimal(value))
        except InvalidOperation:
            pass
    text = value.strip()
    if _PLAIN.match(text) and any(c.isdigit() for c in text):
        try:
            return _within_limits(Decimal(text))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            pass
    m = _NORWEGIAN.match(text)
    if m:
        digits = re.sub(f"[{_GROUP_SPACES}]", "", m["int"])
        number = Decimal(digits + ("." + m["frac"] if m["frac"] else ""))
        return _within_limits(-number if m["sign"] and m["sign"] in _MINUS_SIGNS else number)
    raise AmountError(f"{value!r} is not an amount; write a number such as 9864, -127 or 1.4")


def _within_limits(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise AmountError("expected a finite amount")
    _, digits, exponent = value.as_tuple()
    decimals = max(-exponent, 0)
    whole = len(digits) + exponent
    if decimals > MAX_DECIMALS:
        raise AmountError(f"more than {MAX_DECIMALS} decimals; amounts are in the table's unit")
    if whole > MAX_WHOLE_DIGITS and value != 0:
        raise AmountError(f"more than {MAX_WHOLE_DIGITS} digits before the decimal point; is the unit right?")
    return value


def format_amount(value: Decimal | int, *, plus: bool = False) -> str:
    """``Decimal("-9864")`` → ``"−9 864"``; ``Decimal("1.5")`` → ``"1,5"``. Exact: no rounding."""
    d = Decimal(value)
    if d == 0:
        d = abs(d)  # "-0" only where the source prints it; our sums are plain zero
    sign = MINUS if d < 0 else ("+" if plus and d > 0 else "")
    text = format(abs(d), "f")
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = " ".join(groups)
    if frac:
        out += "," + frac
    return sign + out


def format_percent(value: Decimal, places: int = 1) -> str:
    """``Decimal("1.4")`` → ``"1,4 %"``. ``value`` is already in per cent; ``places`` decimals, half up."""

    q = Decimal(1).scaleb(-places)
    return format_amount(Decimal(value).quantize(q, rounding=ROUND_HALF_UP)) + " %"
