"""Exact money: parsing amounts into ``Decimal`` and printing them the Norwegian way.

Amounts never pass through ``float``. The loader hands every YAML number to this module as the text the
user typed, so ``1.4`` becomes ``Decimal("1.4")`` exactly. Text in the published tables' own notation is
accepted too (``"9 864"``, ``"−127"``, ``"1,4"``), so figures can be pasted from a source document.

Printing follows the published tables: a space between thousands (``9 864``), the true minus sign
(``−127``, U+2212), a decimal comma (``1,4``) and ``1,4 %`` for percentages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, localcontext
from fractions import Fraction
from typing import TypeVar

from .terms import Rounding

MINUS = "\u2212"
#: Characters the tables use for minus: hyphen-minus, the true minus, en dash.
_MINUS_SIGNS = "-\u2212\u2013"
#: Thousands separators seen in the sources: space, no-break space, narrow no-break space, thin space.
_GROUP_SPACES = " \u00a0\u202f\u2009"

_NORWEGIAN = re.compile(
    rf"^(?P<sign>[{_MINUS_SIGNS}+]?)\s*(?P<int>[0-9]{{1,3}}(?:[{_GROUP_SPACES}][0-9]{{3}})+|[0-9]+)(?:,(?P<frac>[0-9]+))?$"
)
#: Thousands grouped by full stops (Askøy prints 1.515 for 1 515), read only where a file declares
#: ``tusenskille: punktum``; a decimal part then needs a comma (1.515,5).
_DOTTED = re.compile(
    rf"^(?P<sign>[{_MINUS_SIGNS}+]?)\s*(?P<int>[0-9]{{1,3}}(?:\.[0-9]{{3}})+)(?:,(?P<frac>[0-9]+))?$"
)
#: A sign (any of the minus signs, or plus), maybe a space, then a plain number: ``−1.5``, ``- 1.5``.
_SIGNED = re.compile(rf"^(?P<sign>[{_MINUS_SIGNS}+])\s*(?P<rest>[0-9.].*)$")
_PLAIN_START = frozenset("-+0123456789.")
_PLAIN = re.compile(r"^[-+]?([0-9][0-9_]*)?(\.[0-9]+)?([eE][-+]?[0-9]+)?$")

#: The declarations of a file's thousands separator (``tusenskille``): a full stop, or a space (then a full
#: stop is always a decimal point, and ``1.500`` is one and a half).
POINT = "punktum"
SPACE = "mellomrom"

#: The largest amounts rammecalc takes: 15 digits before the decimal point (a national budget in kroner
#: has 13) and 6 significant digits after. Every sum of such amounts is exact (see :data:`EXACT`), and a
#: computed amount (a rule's result, a scaled amount) beyond them is refused where it is computed.
MAX_WHOLE_DIGITS = 15
MAX_DECIMALS = 6
#: The smallest amount with more than :data:`MAX_WHOLE_DIGITS` digits before the decimal point.
TOO_LARGE = Decimal(10) ** MAX_WHOLE_DIGITS

#: The decimal context the core computes its sums and differences in. Python's default context keeps 28
#: significant digits and rounds silently beyond them; this one keeps 400 (far more than any sum of amounts
#: within the limits needs: 21 digits each, and a sum of 10^300 of them would still fit) and *traps*
#: Inexact, so that an operation that would have to round raises instead of passing a rounded figure on.
#: Products and quotients are never computed in it: they are exact fractions rounded once
#: (:func:`round_exact`). It is entered with ``decimal.localcontext`` (see :func:`exact`), never set as the
#: global context: the core is a library too, and its caller's context is the caller's.
EXACT = Context(prec=400, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])

_F = TypeVar("_F", bound=Callable)


def exact(function: _F) -> _F:
    """Run ``function`` in the :data:`EXACT` context (whatever context its caller has set)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with localcontext(EXACT):
            return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class AmountError(ValueError):
    """The text is not an amount. The message says what was expected."""


def parse_amount(value: object, thousands: str | None = None) -> Decimal:
    """Read an amount exactly, keeping the exponent as written (``1.500`` stays ``Decimal("1.500")``: how many
    decimals a cell was written with is what tells a misread thousands separator; see :func:`written_decimals`).

    Accepts ``int``, ``Decimal`` and text: plain numbers (``-6452``, ``1.4``, ``−1.5``) or the tables' notation
    (``9 864``, ``−127``, ``1,4``). Refuses ``float`` (already inexact) and ``bool``. ``thousands`` is the
    file's declared thousands separator: with :data:`POINT` a full stop groups thousands (``1.515`` is 1 515,
    ``1.515.000`` is 1 515 000) and a decimal part needs a comma.
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
    if len(value) <= MAX_WHOLE_DIGITS and value.isascii() and (value.isdigit() or (
            value[:1] == "-" and value[1:].isdigit())):
        # The commonest case by far, a whole number of at most MAX_WHOLE_DIGITS digits: within the limits
        # as it stands (a bench corpus's check spent a tenth of its time in the general path below).
        return Decimal(value)
    if thousands == POINT and "." in value:
        m = _DOTTED.match(value.strip())
        if not m:
            raise AmountError(f"{value!r}: this file declares 'tusenskille: punktum', so a full stop separates "
                              "thousands (1.515 is 1 515); write a decimal part with a comma (1.515,5)")
        number = Decimal(m["int"].replace(".", "") + ("." + m["frac"] if m["frac"] else ""))
        return _within_limits(number.copy_negate() if m["sign"] and m["sign"] in _MINUS_SIGNS else number)
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
    m = _SIGNED.match(text)
    if m and _PLAIN.match(m["rest"]) and m["rest"][:1] not in "+-" and "_" not in m["rest"]:
        # A full stop is always a decimal point, after any of the minus signs too: −1.5, – 1.5.
        number = Decimal(m["rest"])
        return _within_limits(number.copy_negate() if m["sign"] in _MINUS_SIGNS else number)
    m = _NORWEGIAN.match(text)
    if m:
        digits = re.sub(f"[{_GROUP_SPACES}]", "", m["int"])
        number = Decimal(digits + ("." + m["frac"] if m["frac"] else ""))
        return _within_limits(number.copy_negate() if m["sign"] and m["sign"] in _MINUS_SIGNS else number)
    raise AmountError(f"{value!r} is not an amount; write a number such as 9864, -127 or 1.4")


def _within_limits(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise AmountError("expected a finite amount")
    _, digits, exponent = value.as_tuple()
    if exponent < -MAX_DECIMALS and significant_decimals(value) > MAX_DECIMALS:  # (trailing zeros do not count)
        raise AmountError(f"more than {MAX_DECIMALS} decimals; amounts are in the table's unit")
    if len(digits) + exponent > MAX_WHOLE_DIGITS and value != 0:
        raise AmountError(f"more than {MAX_WHOLE_DIGITS} digits before the decimal point; is the unit right?")
    return value


def written_decimals(value: Decimal) -> int:
    """The decimals the amount was written with, trailing zeros too: ``1.500`` → 3, ``1e3`` → 0."""
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def significant_decimals(value: Decimal) -> int:
    """The decimals that are not trailing zeros: ``14.8302500`` → 5, ``1.000`` → 0."""
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    zeros = 0
    for digit in reversed(digits):
        if digit or zeros >= -exponent:
            break
        zeros += 1
    return -exponent - zeros


def thousands_reading(value: Decimal) -> Decimal | None:
    """The amount a figure such as ``1.500`` would be if its full stop separated thousands (1 500), or
    ``None`` if it cannot be read so: one to three digits (not a leading zero), a full stop (or comma) and
    exactly three digits. Askøy prints ``1.515`` for 1 515, so such a figure in a whole-unit table has two
    readings."""
    sign, digits, exponent = value.as_tuple()
    if exponent != -3 or not 4 <= len(digits) <= 6 or digits[0] == 0:
        return None
    return Decimal((sign, digits, 0))


def round_exact(value: Decimal | Fraction | int, rounding: Rounding = Rounding.HALF_UP, decimals: int = 0) -> Decimal:
    """Round an exact value (a product or quotient kept as a :class:`~fractions.Fraction`) to ``decimals``
    places, once, by ``rounding``: integer arithmetic on its numerator and denominator, so that no digit is
    lost before the rounding (a product rounded first at 28 digits and then to whole units rounds twice:
    …570,49999999999999 would become …570,5 and then …571)."""
    ratio = Fraction(value) * 10**decimals
    numerator, denominator = ratio.numerator, ratio.denominator
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        twice = 2 * remainder
        if rounding is Rounding.HALF_UP:
            quotient += twice >= denominator
        elif rounding is Rounding.HALF_EVEN:
            quotient += twice > denominator or (twice == denominator and quotient % 2 == 1)
        elif rounding is Rounding.UP:
            quotient += 1
    text = f"{'-' if numerator < 0 and quotient else ''}{quotient}E-{decimals}"
    return Decimal(text)


def product(a: Decimal, b: Decimal) -> Decimal:
    """``a × b`` exactly, whatever the digits (a product has at most as many as its factors together)."""
    with localcontext(EXACT) as context:
        context.prec = max(len(a.as_tuple().digits) + len(b.as_tuple().digits), 1)
        return a * b


def too_large(value: Decimal) -> bool:
    """Whether a computed amount has more digits before the decimal point than rammecalc takes."""
    return value.copy_abs() >= TOO_LARGE


def format_amount(value: Decimal | int, *, plus: bool = False) -> str:
    """``Decimal("-9864")`` → ``"−9 864"``; ``Decimal("1.5")`` → ``"1,5"``. Exact: no rounding."""
    d = Decimal(value)
    if d == 0:
        d = d.copy_abs()  # "-0" only where the source prints it; our sums are plain zero
    sign = MINUS if d < 0 else ("+" if plus and d > 0 else "")
    text = format(d.copy_abs(), "f")  # (copy_abs, not abs(): abs() rounds to the caller's context)
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

    return format_amount(round_exact(Decimal(value), Rounding.HALF_UP, places)) + " %"
