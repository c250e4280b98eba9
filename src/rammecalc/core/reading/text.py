"""A printed row as the text copied from a page: its number, its label and every way its figures can be read.

Copying a table out of a PDF viewer or a web page loses the columns: a blank cell vanishes, the space that
separates two cells is the same space that groups the digits of one figure (``262 905 252 839`` is two
figures or four or three), cells glue together (``4 0004 0004 000`` is 4 000 four times), a row's number
glues to its label (``141Fosterhjemsutgifter``), a label's last word glues to the first figure
(``volum4 000``, ``driftsramme 2014194 868``), and a label may end with figures of its own (``Lønnsoppgjør
kap. 4 – 2016 169 99``). So a line is not read once: :func:`readings` gives every reading of it, the plainest
first, and the table's arithmetic chooses (``solve.py``). Pure.

A figure is read as Norwegian tables print them: groups of three digits after the first (``9 864``,
``1 241``, ``11 999``), or a full stop between the groups where the table groups so (Askøy's ``87.863``; the
caller says which, table by table: ``dot``), a decimal comma (``2,5``), a minus of any kind, also with a
space after it (``- 13 012 356``), parentheses for a negative (``(1 008)``), a lone dash for an empty or zero
cell (``-``), and a per cent sign (``1,4 %``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

#: Spaces that separate digit groups or cells in a copied table (a tab is a cell's edge, and a space here).
SPACES = re.compile(r"[ \t\u00a0\u202f\u2009\u2007]+")
MINUSES = "-\u2212\u2013\u2014"
_MINUS_CLASS = "[" + MINUSES + "]"
#: A token that can be (part of) a figure, a sign or a dash.
_NUMBERISH = re.compile(r"^(?:" + _MINUS_CLASS + r"?\(?\d[\d.,]*\)?%?|" + _MINUS_CLASS + r"|%|\(\d[\d.,]*\)|"
                        + _MINUS_CLASS + r"?\d+(?:" + _MINUS_CLASS + r"\d+)+)$")  # the last: "500-1", glued cells
#: A label's last token that holds a figure glued to it: a year and more digits, or a word and digits.
_GLUED_LABEL_END = re.compile(r"(?:(?:19|20)\d\d\d+|[A-Za-zÆØÅæøå)]" + _MINUS_CLASS + r"?\d+|\d" + _MINUS_CLASS
                              + r"\d+)$")
_PAREN_GROUPS = re.compile(r"\(\d{1,3}(?:[ \u00a0\u202f]\d{3})+\)")
#: A year or a range of years, as labels end: "2016", "2017–2020", "2015-18".
_YEARS = re.compile(r"^(?:19|20)\d\d(?:" + _MINUS_CLASS + r"(?:(?:19|20)\d\d|\d\d))?$")
#: A row's own number before its label: "1 Rammetilskudd", "141Fosterhjemsutgifter", "4.02 Feltpleien",
#: "7a Styrking …" (not a figure: a label follows, with a letter in its first word).
_LEADING_NR = re.compile(r"^(\d{1,3}(?:\.\d{1,2})?[a-z]?)(?:[ \t\u00a0]+|(?=[A-ZÆØÅ]))(?=\S*[A-ZÆØÅa-zæøå])")
_YEAR = re.compile(r"^(19|20)\d\d$")
#: Where a label's last token can end and a figure glued to it begin: after a letter, a ')' or a year.
_GLUE = re.compile(r"(?<=[A-Za-zÆØÅæøå)\]:])(?=" + _MINUS_CLASS + r"?\d)|(?<=(?:19|20)\d\d)(?=" + _MINUS_CLASS
                   + r"?\d)")


@dataclass(frozen=True)
class Figure:
    """One printed figure: its value (``None`` for a printed dash: an empty or zero cell), how it was
    written, and whether it was written with a per cent sign."""

    value: Decimal | None
    text: str
    percent: bool = False

    @property
    def amount(self) -> Decimal:
        return self.value if self.value is not None else Decimal(0)

    @property
    def dash(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Reading:
    """One way to read a line: the row's number, its label, its figures, and how unlikely the reading is
    (0 for the plainest; each oddity costs)."""

    number: str | None
    label: str
    figures: tuple[Figure, ...]
    cost: int


#: What each oddity of a reading costs. The arithmetic decides between readings; the costs only order the
#: candidates that all add up (and then the import says the placement is ambiguous).
COST_UNGROUPED = 2  # a figure of four digits or more written without groups (1518)
COST_YEAR_FIGURE = 2  # a year read as a figure (more often the end of the label: "kap. 4 – 2016")
COST_GLUED = 1  # a figure glued to the one before it, or to the label
COST_SPACED_MINUS = 1  # a minus with a space after it ("- 1 097")
COST_DIGIT_IN_LABEL = 3  # a number kept in the label although it could be a figure
COST_LABEL_DASH = 4  # a label ending with a dash
COST_LONG = 2  # a figure of four digit groups (1 234 567 890)
#: The most digit groups a figure has: 999 999 999 999 (in kroner, more than a municipality's budget). A
#: table's unit says less (:data:`GROUPS_BY_UNIT`).
MAX_GROUPS = 4
#: In 1 000 kr, 999 999 999 is a trillion kroner; in mill. kr, 999 999 is a trillion too.
GROUPS_BY_UNIT = {"kr": 4, "1 000 kr": 3, "mill. kr": 2, "årsverk": 2}
COST_BREAK = 1  # two figures where the digit groups could make one ("140 106": 140 and 106, or 140 106)


def _figure_at(tokens: tuple[str, ...], i: int, dot: str, groups: int = 4):
    """The figures that can start at token ``i``: (figure, where the rest starts, cost), where the rest starts
    at a token index, or at ``(index, rest of that token)`` when the figure ends inside a token (glued cells:
    ``0004`` is the end of one 4 000 and the start of the next)."""
    token = tokens[i]
    negative = False
    body = token
    if body[:1] in MINUSES:
        negative, body = True, body[1:]
    parens = body.startswith("(") and body.endswith(")") and len(body) > 2
    if parens:
        body = body[1:-1]
    elif "(" in body or ")" in body:
        return
    percent = body.endswith("%")
    if percent:
        body = body[:-1]
    nxt = i + 1
    if not percent and nxt < len(tokens) and tokens[nxt] == "%":
        percent, nxt = True, nxt + 1
    if not body or not body[0].isdigit():
        return
    sign = -1 if negative or parens else 1
    # A decimal comma ends a figure: 2,5 or 1 500,5 (groups before it are taken below, not here).
    if "," in body:
        whole, _, frac = body.partition(",")
        if not frac.isdigit() or not whole.isdigit() or (len(whole) > 1 and whole[0] == "0"):
            return
        yield Figure(sign * Decimal(whole + "." + frac), token, percent), nxt, 0
        return
    if "." in body:
        if dot == "thousands" and re.fullmatch(r"[1-9]\d{0,2}(\.\d{3})+", body):
            yield Figure(sign * Decimal(body.replace(".", "")), token, percent), nxt, 0
        elif dot == "decimal" and re.fullmatch(r"\d+\.\d+", body) and not (len(body.split(".")[0]) > 1
                                                                        and body[0] == "0"):
            yield Figure(sign * Decimal(body), token, percent), nxt, 0
        return
    if not body.isdigit():
        # digits glued to a minus and more digits: "500-1" is 500 and the start of -1 …
        m = re.fullmatch(r"(\d+)(" + _MINUS_CLASS + r"\d.*)", body)
        if m and not parens and not percent:
            yield from _grouped(tokens, i, m[1], negative, sign, tail=m[2], most=groups)
        return
    if percent or parens:
        if len(body) > 1 and body[0] == "0":
            return
        yield Figure(sign * Decimal(body), token, percent), nxt, 0
        return
    yield from _grouped(tokens, i, body, negative, sign, most=groups)


def _grouped(tokens: tuple[str, ...], i: int, body: str, negative: bool, sign: int, tail: str | None = None,
             most: int = 4):
    """A figure of digit groups starting with ``body`` (token ``i``): this group and the three-digit tokens
    after it, as far as they go, every stop a reading. A longer token after it may hold the end of this
    figure glued to the start of the next (``0004`` → ``000`` | ``4``)."""
    text_sign = "-" if negative else ""
    if tail is not None:  # the figure ends inside this token; the rest ("-1") starts the next
        if len(body) > 1 and body[0] == "0":
            if not negative and len(body) != 3:  # "00-129": 0, then 0, then -129
                yield Figure(Decimal(0), "0"), (i, body[1:] + tail), COST_GLUED
            return
        if len(body) > 3 and not _ungrouped_ok(body):
            return
        yield Figure(sign * Decimal(body), text_sign + body), (i, tail), COST_GLUED
        for cut in range(1, min(4, len(body))):  # "-134569-356": -134, then 569 glued to it, then -356
            head, rest = body[:cut], body[cut:]
            if rest[0] != "0" or rest == "0":  # ("-9370-937": -937, then a zero, then -937)
                yield Figure(sign * Decimal(head), text_sign + head), (i, rest + tail), COST_GLUED + 1
        return
    if len(body) > 1 and body[0] == "0":  # 000 or 0004 cannot start a figure, but a zero glued to the next can:
        # "08781 317" is 0, then 878, then 1 317 ("0" is a figure of its own: no figure starts with a zero)
        # (never a token of three digits: that is a group of the figure before it, "95 384 000", "103 001 855")
        if not negative and len(body) != 3:
            yield Figure(Decimal(0), "0"), (i, body[1:]), COST_GLUED
        return
    if len(body) > 3:  # ungrouped: 1518, 95001, 2014; or a group glued to the next figure: 1942 …
        year = bool(_YEAR.match(body))
        cost = COST_UNGROUPED + (COST_YEAR_FIGURE if year else 0)
        yield Figure(sign * Decimal(body), text_sign + body), i + 1, cost
        for cut in range(1, 4):  # "2014194": 2014 | 194 … is the label's business (readings); here 1 | 942 …
            head, rest = body[:cut], body[cut:]
            if rest[:1] == "0" and len(rest) < 3 and rest != "0":  # ("9370": 937, then a zero)
                continue
            yield Figure(sign * Decimal(head), text_sign + head), (i, rest), \
                COST_GLUED + 1 + (COST_YEAR_FIGURE if year else 0)
        return
    groups = [body]
    j = i + 1
    after = tokens[j] if j < len(tokens) else ""
    if negative and len(body) > 1 and len(after) > 3 and after[:3].isdigit() and (
            after[3].isdigit() or after[3] in MINUSES):
        # In a glued copy the next token runs on into another figure ("-64 90810 012": -6, then 4 908, then
        # 10 012): this short negative group may be a figure and the start of the next. (Only after a minus,
        # which glued it to the figure before: elsewhere every group would be cut, and the readings of a
        # long row in kroner would run past their budget.)
        for cut in range(1, len(body)):
            head, rest = body[:cut], body[cut:]
            if rest[0] != "0":
                yield Figure(sign * Decimal(head), text_sign + head), (i, rest), COST_GLUED + 1

    def stop_cost(k: int) -> int:  # a figure that stops where a group of three could go on: "140 106"
        return COST_BREAK if k < len(tokens) and len(tokens[k]) == 3 and tokens[k].isdigit() else 0

    yield Figure(sign * Decimal(body), text_sign + body), j, stop_cost(j)
    if body == "0":
        return  # "0 484" is 0 and 484: no figure starts with a group of zero
    while j < len(tokens):
        nxt = tokens[j]
        m = re.fullmatch(r"(\d{3}),(\d+)(%?)", nxt)
        if m:  # the last group with its decimals: "1 296,6"
            value = Decimal("".join(groups) + m[1] + "." + m[2])
            yield Figure(sign * value, text_sign + " ".join(groups + [nxt])), j + 1, 0
            break
        if nxt.isdigit() and len(nxt) == 3:
            groups.append(nxt)
            j += 1
            if len(groups) > most:  # 1 234 567 890 123: no table prints a figure that long
                return
            yield Figure(sign * Decimal("".join(groups)), text_sign + " ".join(groups)), j, \
                stop_cost(j) + (COST_LONG if len(groups) == most and most > 2 else 0)
        elif len(nxt) > 3 and nxt[:3].isdigit() and (nxt[3:4].isdigit() or nxt[3:4] in MINUSES):
            # glued: this figure's last group, then the next figure ("0004", "500-1")
            rest = nxt[3:]
            if rest[:1].isdigit() and rest[0] == "0" and len(rest) > 1:
                break
            yield Figure(sign * Decimal("".join(groups) + nxt[:3]), text_sign + " ".join(groups + [nxt[:3]])), \
                (j, rest), COST_GLUED
            break
        else:
            break


def _ungrouped_ok(body: str) -> bool:
    return body.isdigit() and not (len(body) > 1 and body[0] == "0")


def _all_figures(tokens: tuple[str, ...], dot: str, most: int | None, budget: int = 2000, groups: int = 4):
    """Every reading of ``tokens`` as figures: (figures, cost), at most ``most`` figures each."""
    results: list[tuple[tuple[Figure, ...], int]] = []
    steps = [0]

    def go(toks: tuple[str, ...], acc: tuple[Figure, ...], cost: int) -> None:
        steps[0] += 1
        if steps[0] > budget:
            return
        if not toks:
            results.append((acc, cost))
            return
        if most is not None and len(acc) >= most:
            return
        token = toks[0]
        if token in MINUSES:
            # a dash alone: an empty (zero) cell, or the sign of the figure after it ("- 1 097")
            go(toks[1:], acc + (Figure(None, token),), cost + (0 if token == "-" else 2))
            if len(toks) > 1 and toks[1][:1].isdigit():
                for fig, rest, extra in _first(toks[1:], dot, groups):
                    go(rest, acc + (Figure(-fig.amount, token + " " + fig.text, fig.percent),),
                       cost + extra + (COST_SPACED_MINUS if token == "-" else 3 * COST_SPACED_MINUS))
            return
        for fig, rest, extra in _first(toks, dot, groups):
            go(rest, acc + (fig,), cost + extra)

    go(tokens, (), 0)
    return results


def _first(toks: tuple[str, ...], dot: str, groups: int = 4):
    """The first figure of ``toks`` in every way, with the tokens left after it."""
    for fig, nxt, cost in _figure_at(toks, 0, dot, groups):
        if isinstance(nxt, tuple):
            stop, rest = nxt
            yield fig, (rest, *toks[stop + 1:]), cost
        else:
            yield fig, toks[nxt:], cost


def split_number(text: str) -> tuple[str | None, str]:
    """A row's own number, if it starts with one (``1 Rammetilskudd``, ``141Fosterhjemsutgifter``, ``4.02
    Feltpleien``), and the rest."""
    m = _LEADING_NR.match(text)
    if m:
        return m[1], text[m.end():].lstrip()
    return None, text


def tokens_of(text: str) -> list[str]:
    return [t for t in SPACES.split(text.strip()) if t]


def _label_cost(label_tokens: list[str], start: int, figures_follow: bool) -> int:
    """What a label costs for the number-like tokens it keeps (from ``start``, where the line's number-like
    tail begins): a year or a dash little ("kap. 4 – 2016"), a small number more, a glued run of digits most."""
    cost = 0
    for t in label_tokens[start:]:
        bare = t.lstrip(MINUSES)
        if _YEARS.match(bare) or t in MINUSES:
            cost += 1
        elif re.fullmatch(r"\(?\d{1,3}\)?", bare):
            cost += COST_DIGIT_IN_LABEL
        else:
            cost += 2 * COST_DIGIT_IN_LABEL
    if label_tokens and figures_follow:
        last = label_tokens[-1]
        if last in MINUSES:
            cost += COST_LABEL_DASH
        elif _GLUED_LABEL_END.search(last) and not _YEARS.match(last):
            cost += COST_DIGIT_IN_LABEL  # "volum4", "2015-2018201": more likely a figure glued on
    elif label_tokens and _GLUED_LABEL_END.search(label_tokens[-1]) and not _YEARS.match(label_tokens[-1]):
        cost += 2 * COST_DIGIT_IN_LABEL  # a line with no figures that ends in glued digits: a row, not a heading
    return cost


#: Words after which a small number belongs to the label: "Rode 3", "Tiltak 12", "kap. 4", "trinn 2".
_NUMBERING = re.compile(r"nr\.?|nummer|rode|sone|tiltak|trinn|kap\.?|kapittel|pkt\.?|punkt|§|fase|byggetrinn|del|"
                        r"alt\.?|alternativ|pulje|område|distrikt|team|avd\.?|avdeling|gruppe|klasse|steg|runde|"
                        r"periode|tertial|kvartal|vedtak|sak|ps|fo|f")


def _label_may_keep(kept: list[str], figures_follow: bool, line_ends_in_number: bool, notes: bool,
                    before: str | None = None) -> bool:
    """Whether a label may end with these number-like tokens. A label keeps a year or a range of years, with
    what leads up to it ("kap. 4 – 2016", "1. – 4. trinn 2017"), or a note's number of one or two digits
    ("Driftsinntekter 7 9 896", where the table has a column of notes: ``notes``); never a negative or grouped figure, and a line that ends with a figure has
    one (a row whose figures all went into its label would make every sum hold)."""
    if not kept:
        return True
    if not figures_follow and line_ends_in_number and not _YEARS.match(kept[-1].lstrip(MINUSES)):
        return False
    if _YEARS.match(kept[-1]) or re.fullmatch(r"\(?(19|20)\d\d\)?", kept[-1]):
        return all(re.fullmatch(r"\d{1,2}\.?|" + _MINUS_CLASS + r"|(19|20)\d\d(" + _MINUS_CLASS + r"\d{2,4})?", t)
                   for t in kept[:-1])
    # a number of one or two digits (not 0): a note ("Driftsinntekter 7 9 896", in a table with a column of
    # notes), or the label's own after a word that numbers things ("Rode 3", "Tiltak 12", "kap. 4")
    return len(kept) == 1 and bool(re.fullmatch(r"[1-9]\d?", kept[0])) and figures_follow and (
        notes or before is not None and bool(_NUMBERING.fullmatch(before.lower())))


def is_numberish(token: str) -> bool:
    return bool(_NUMBERISH.match(token))


def readings(line: str, columns: int | None = None, *, dot: str = "thousands", limit: int = 400,
             numbered: bool = True, notes: bool = False, groups: int = MAX_GROUPS) -> list[Reading]:
    """Every plausible reading of a line, the plainest first: where its label ends, and its figures.

    ``columns`` (how many figure columns the table has) rules out readings with more figures; ``dot`` says
    what a full stop between digits is in this table (``thousands``: 87.863 is 87 863; ``decimal``: 1.5 is
    one and a half); ``numbered``: a leading number may be the row's own (``1 Rammetilskudd``)."""
    # a negative in parentheses with its digit groups, "(71 411)", is one token: "(71411)"
    text = _PAREN_GROUPS.sub(lambda m: m[0].replace(" ", "").replace("\u00a0", "").replace("\u202f", ""),
                             line.strip())
    number, rest = split_number(text) if numbered else (None, text)
    tokens = tokens_of(rest)
    # The figures' part is at most the run of number-like tokens at the end, and the label's last token may
    # hold the start of the first figure (glued).
    start = len(tokens)
    while start > 0 and is_numberish(tokens[start - 1]):
        start -= 1
    out: list[Reading] = []
    for cut in range(start, len(tokens) + 1):
        label_tokens = list(tokens[:cut])
        tail = tuple(tokens[cut:])
        splits: list[tuple[list[str], tuple[str, ...], int]] = [(label_tokens, tail, 0)]
        if label_tokens and cut >= start:  # the label's last token may end with the first figure
            last = label_tokens[-1]
            for m in _GLUE.finditer(last):
                head, glued = last[:m.start()], last[m.start():]
                if head and glued:
                    year_end = bool(re.search(r"(19|20)\d\d$", head))
                    splits.append(([*label_tokens[:-1], head], (glued, *tail), COST_GLUED + (0 if year_end else 1)))
        for label_toks, figs_tokens, glue_cost in splits:
            if not label_toks and number is None and not figs_tokens:
                continue  # (a row of figures without a label is read: Molde prints its total so)
            before = label_toks[start - 1] if 0 < start <= len(label_toks) else None
            if not _label_may_keep(label_toks[start:], bool(figs_tokens), start < len(tokens), notes, before):
                continue
            label_cost = _label_cost(label_toks, start, bool(figs_tokens)) + glue_cost
            label = " ".join(label_toks)
            for figures, cost in _all_figures(figs_tokens, dot, columns, groups=groups):
                if columns is not None and len(figures) > columns:
                    continue
                out.append(Reading(number, label, figures, cost + label_cost))
    out.sort(key=lambda r: (r.cost, -len(r.figures)))
    seen = set()
    unique = []
    for r in out:
        key = (r.label, tuple((f.value, f.percent) for f in r.figures))
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique[:limit]
