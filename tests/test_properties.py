"""Property tests of the pure core: roll, convert, subtotals, exactness and check.

Budgets are built in Python from a small plain description (:class:`Spec`) whose amounts are integers in
hundredths ("cents"), so every expected figure can be computed independently with Python ints and compared
exactly with the engine's ``Decimal`` results. No YAML, no files.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rammecalc.core.checks import check, failed
from rammecalc.core.assemble import assemble
from rammecalc.core.models import (
    Budget,
    ChangeSet,
    Frame,
    Group,
    Item,
    NewFrame,
    Source,
    SplitRow,
    Start,
)
from rammecalc.core.problems import Code, Severity
from rammecalc.core.roll import convert, increments_to_levels, levels_to_increments, roll
from rammecalc.core.terms import AmountUnit, Category, Convention

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OTHER = {Convention.INCREMENTAL: Convention.LEVEL, Convention.LEVEL: Convention.INCREMENTAL}
ZERO = Decimal(0)


# ------------------------------------------------------------------------------------- plain description


@dataclass(frozen=True)
class ItemSpec:
    id: str
    group: str
    cents: tuple[tuple[int, int], ...]  # (year, amount in hundredths), only the years written
    period: int | None  # period amount in hundredths, or None
    category: Category

    @property
    def amounts(self) -> dict[int, int]:
        return dict(self.cents)


@dataclass(frozen=True)
class Spec:
    convention: Convention
    years: tuple[int, ...]
    base: int | None  # hundredths
    groups: tuple[tuple[str, str | None], ...]  # (id, parent), in the order printed
    items: tuple[ItemSpec, ...]  # in the order printed
    cuts: tuple[int, ...]  # where the items are split into changes files (sorted positions)


def dec(cents: int) -> Decimal:
    """Hundredths → an exact Decimal. Division by 100 is exact here, and gives varied exponents."""
    return Decimal(cents) / 100


def to_cents(amount: Decimal) -> int:
    scaled = amount.scaleb(2)
    assert scaled == scaled.to_integral_value(), f"{amount} has more than two decimals"
    return int(scaled)


def chunks(items: tuple, cuts: tuple[int, ...]) -> list[tuple]:
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


def build(
    spec: Spec,
    *,
    published_start: dict[int, int] | None = None,
    published_new: dict[int, int] | None = None,
    published_groups: dict[str, dict[int, int]] | None = None,
    split: tuple[tuple[str, dict[int, int]], ...] = (),
) -> Budget:
    """The Budget described by ``spec`` (published figures in hundredths), linked by the real linker."""
    published_groups = published_groups or {}
    groups = tuple(
        Group(id=gid, label=f"Gruppe {gid}", parent=parent,
              published={y: dec(c) for y, c in published_groups.get(gid, {}).items()})
        for gid, parent in spec.groups
    )
    parts = chunks(spec.items, spec.cuts)
    frame = Frame(
        kind="ramme",
        id="f",
        municipality="Kommune",
        unit="Enhet",
        source=Source(document="Dokument"),
        amount_unit=AmountUnit.THOUSANDS,
        decimals=2,  # the amounts are in hundredths: a table printing two decimals
        convention=spec.convention,
        columns={y: str(y) for y in spec.years},
        start=Start(
            label="Utgangspunkt",
            amount=None if spec.base is None else dec(spec.base),
            published={y: dec(c) for y, c in (published_start or {}).items()},
            split=tuple(SplitRow(label=label, amounts={y: dec(c) for y, c in amounts.items()})
                        for label, amounts in split),
        ),
        groups=groups,
        new_frame=NewFrame(published={y: dec(c) for y, c in (published_new or {}).items()}),
        changes=tuple(f"endringer-{i}.yaml" for i in range(len(parts))),
    )
    changesets = [
        ChangeSet(
            kind="endringer",
            frame="f",
            source=Source(document="Dokument"),
            items=tuple(
                Item(
                    id=it.id,
                    label=f"Post {it.id}",
                    category=it.category,
                    group=it.group,
                    amounts={y: dec(c) for y, c in it.cents},
                    period_amount=None if it.period is None else dec(it.period),
                    note=None if (it.cents or it.period is not None) else "ingen beløp oppgitt",
                )
                for it in part
            ),
        )
        for part in parts
    ]
    budget, problems = assemble(frame, changesets)
    assert problems == [], problems
    assert budget is not None
    return budget


# ---------------------------------------------------------------------------- independent reference


@dataclass(frozen=True)
class Reference:
    start: dict[int, int]
    new_frame: dict[int, int]
    subtotals: dict[str, dict[int, int | None]]  # None: nothing written under the group that year


def reference(spec: Spec) -> Reference:
    """A tiny re-implementation of the roll, in Python ints (hundredths)."""
    base = spec.base or 0
    start: dict[int, int] = {}
    new: dict[int, int] = {}
    running = base
    for year in spec.years:
        s = running if spec.convention is Convention.INCREMENTAL else base
        total = 0
        for it in spec.items:
            total += it.amounts.get(year, 0)
        start[year] = s
        new[year] = s + total
        running = new[year]

    # Every item counted in its group and in each ancestor of it.
    parent = dict(spec.groups)
    subtotals: dict[str, dict[int, int | None]] = {gid: dict.fromkeys(spec.years) for gid, _ in spec.groups}
    for it in spec.items:
        gid: str | None = it.group
        while gid is not None:
            for year, c in it.cents:
                old = subtotals[gid][year]
                subtotals[gid][year] = c if old is None else old + c
            gid = parent[gid]
    return Reference(start, new, subtotals)


# ------------------------------------------------------------------------------------------ strategies

# Hundredths: zeros, small amounts (positive and negative), and large ones up to ±10**12 (= 10**14 cents).
cents_st = st.one_of(
    st.just(0),
    st.integers(-1_000, 1_000),
    st.integers(-10**14, 10**14),
    st.integers(-10**12, 10**12).map(lambda n: n * 100),  # whole amounts
)
big_cents_st = st.one_of(
    st.integers(-10**14, 10**14),
    st.integers(10**14 - 10**6, 10**14),
    st.integers(-10**14, -10**14 + 10**6),
    st.just(0),
)


@st.composite
def years_st(draw) -> tuple[int, ...]:
    n = draw(st.integers(1, 6))
    first = draw(st.integers(1900, 2201 - n))
    return tuple(range(first, first + n))


@st.composite
def groups_st(draw) -> tuple[tuple[str, str | None], ...]:
    """1–4 groups, some nested: a random forest, listed in a random order (a child may precede its parent)."""
    n = draw(st.integers(1, 4))
    ids = [f"g{i}" for i in range(n)]
    parents: list[str | None] = [None]
    for i in range(1, n):
        parents.append(draw(st.one_of(st.none(), st.sampled_from(ids[:i]))))
    order = draw(st.permutations(range(n)))
    return tuple((ids[i], parents[i]) for i in order)


@st.composite
def spec_st(
    draw,
    *,
    convention: Convention | None = None,
    amounts=cents_st,
    min_items: int = 0,
    max_items: int = 12,
    with_base: bool | None = True,
    periods: bool = True,
) -> Spec:
    conv = convention or draw(st.sampled_from(Convention))
    years = draw(years_st())
    has_base = draw(st.booleans()) if with_base is None else with_base
    base = draw(amounts) if has_base else None
    groups = draw(groups_st())
    group_ids = [gid for gid, _ in groups]
    n_items = draw(st.integers(min_items, max_items))
    items = []
    for k in range(n_items):
        cents = draw(st.dictionaries(st.sampled_from(years), amounts, max_size=len(years)))
        period = draw(st.one_of(st.none(), amounts)) if periods and draw(st.integers(0, 4)) == 0 else None
        items.append(ItemSpec(
            id=f"i{k}",
            group=draw(st.sampled_from(group_ids)),
            cents=tuple(sorted(cents.items())),
            period=period,
            category=draw(st.sampled_from(Category)),
        ))
    cuts = tuple(sorted(draw(st.lists(st.integers(0, n_items), max_size=3))))
    return Spec(conv, years, base, groups, tuple(items), cuts)


def item_sum(budget: Budget, year: int) -> Decimal:
    return sum((it.amounts.get(year, ZERO) for it in budget.items), ZERO)


# --------------------------------------------------------------------------------------------- 1. roll


@SETTINGS
@given(spec_st(with_base=None))
def test_new_frame_is_start_plus_items(spec: Spec) -> None:
    budget = build(spec)
    table = roll(budget)
    base = ZERO if spec.base is None else dec(spec.base)

    assert table.years == spec.years
    assert table.has_base is (spec.base is not None)
    assert list(table.start) == list(spec.years) == list(table.new_frame)
    for year in spec.years:
        assert table.new_frame[year] == table.start[year] + item_sum(budget, year)
    if spec.convention is Convention.INCREMENTAL:
        assert table.start[spec.years[0]] == base
        for previous, year in zip(spec.years, spec.years[1:]):
            assert table.start[year] == table.new_frame[previous]
    else:
        assert all(table.start[year] == base for year in spec.years)

    # The same figures from the int re-implementation.
    ref = reference(spec)
    assert {y: to_cents(v) for y, v in table.start.items()} == ref.start
    assert {y: to_cents(v) for y, v in table.new_frame.items()} == ref.new_frame

    # Period amounts are listed, never in a year's total.
    assert [u.item_id for u in table.unallocated] == [it.id for it in spec.items if it.period is not None]

    # The rows: the start and new-frame rows carry the computed figures; every group and item once.
    assert table.row("new_frame").values == table.new_frame
    if spec.base is not None:
        assert table.row("start").values == table.start
    assert sorted(r.id for r in table.rows if r.kind == "group") == sorted(gid for gid, _ in spec.groups)
    assert sorted(r.id for r in table.rows if r.kind == "item") == sorted(it.id for it in spec.items)


# ------------------------------------------------------------------------------------------ 2. identity


@SETTINGS
@given(spec_st(max_items=0, with_base=None))
def test_no_items_is_the_identity(spec: Spec) -> None:
    assert spec.items == ()
    table = roll(build(spec))
    base = ZERO if spec.base is None else dec(spec.base)
    for year in spec.years:
        assert table.start[year] == base
        assert table.new_frame[year] == base
    # No subtotal has anything in it.
    assert set(table.subtotals) == {gid for gid, _ in spec.groups}
    assert all(v is None for sub in table.subtotals.values() for v in sub.values())
    assert table.unallocated == ()


@SETTINGS
@given(spec_st(with_base=None))
def test_items_of_zero_are_the_identity(spec: Spec) -> None:
    """Items whose every amount is zero leave every start and new frame at the base as well."""
    zeroed = replace(spec, items=tuple(replace(it, cents=tuple((y, 0) for y, _ in it.cents)) for it in spec.items))
    table = roll(build(zeroed))
    base = ZERO if spec.base is None else dec(spec.base)
    assert all(table.start[y] == base and table.new_frame[y] == base for y in spec.years)


# ------------------------------------------------------------------------------------------- 3. order


@SETTINGS
@given(spec_st(with_base=None), st.data())
def test_order_of_items_is_irrelevant(spec: Spec, data) -> None:
    order = data.draw(st.permutations(spec.items), label="order")
    cuts = tuple(sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=4), label="cuts")))
    shuffled = replace(spec, items=tuple(order), cuts=cuts)

    a, b = build(spec), build(shuffled)
    assert sorted(it.id for it in a.items) == sorted(it.id for it in b.items)
    ta, tb = roll(a), roll(b)
    assert ta.new_frame == tb.new_frame
    assert ta.start == tb.start
    assert ta.subtotals == tb.subtotals
    assert {u.item_id for u in ta.unallocated} == {u.item_id for u in tb.unallocated}


# -------------------------------------------------------------------------------------- 4. conventions


def _filled(amounts: dict[int, Decimal], years: tuple[int, ...]) -> dict[int, Decimal]:
    return {y: amounts.get(y, ZERO) for y in years}


@SETTINGS
@given(spec_st(with_base=None))
def test_convention_round_trip(spec: Spec) -> None:
    budget = build(spec)
    there = convert(budget, to=OTHER[spec.convention])
    back = convert(there, to=spec.convention)
    years = spec.years

    assert there.frame.convention is OTHER[spec.convention]
    assert back.frame.convention is spec.convention
    assert convert(budget, to=spec.convention) is budget

    originals = {it.id: it for it in budget.items}
    assert [it.id for it in there.items] == [it.id for it in back.items] == list(originals)
    for mid, final in zip(there.items, back.items):
        original = originals[final.id]
        assert _filled(final.amounts, years) == _filled(original.amounts, years)
        assert final.period_amount == original.period_amount == mid.period_amount
        # The intermediate amounts are the cumulative sums (to level) or the differences (to incremental).
        if spec.convention is Convention.INCREMENTAL:
            running, expected = 0, {}
            for y in years:
                running += original.amounts.get(y, ZERO)
                expected[y] = running
        else:
            previous, expected = ZERO, {}
            for y in years:
                expected[y] = original.amounts.get(y, ZERO) - previous
                previous = original.amounts.get(y, ZERO)
        assert _filled(mid.amounts, years) == expected

    t0, t1, t2 = roll(budget), roll(there), roll(back)
    assert t0.new_frame == t1.new_frame == t2.new_frame
    # Going back restores the starts too.
    assert t0.start == t2.start


@SETTINGS
@given(years_st(), st.data())
def test_increment_level_helpers_are_inverse(years: tuple[int, ...], data) -> None:
    amounts = data.draw(st.dictionaries(st.sampled_from(years), cents_st.map(dec), max_size=len(years)))
    for there, back in ((increments_to_levels, levels_to_increments), (levels_to_increments, increments_to_levels)):
        mid = there(amounts, years)
        assert set(mid) <= set(years)
        assert _filled(back(mid, years), years) == _filled(amounts, years)


# ----------------------------------------------------------------------------------------- 5. subtotals


@SETTINGS
@given(spec_st(with_base=None, min_items=1))
def test_group_subtotals(spec: Spec) -> None:
    budget = build(spec)
    table = roll(budget)
    subtotals = table.subtotals
    assert set(subtotals) == {gid for gid, _ in spec.groups}

    children = {gid: [c for c, p in spec.groups if p == gid] for gid, _ in spec.groups}
    for gid, _ in spec.groups:
        own = [it for it in budget.items if it.group == gid]
        for year in spec.years:
            written = [it.amounts[year] for it in own if year in it.amounts]
            subs = [subtotals[c][year] for c in children[gid]]
            value = subtotals[gid][year]
            expected = sum(written, ZERO) + sum((s for s in subs if s is not None), ZERO)
            assert (value or ZERO) == expected
            # Blank exactly where nothing is written under the group (or its subgroups) that year.
            assert (value is None) == (not written and all(s is None for s in subs))

    top = [gid for gid, parent in spec.groups if parent is None]
    for year in spec.years:
        total = sum((subtotals[g][year] or ZERO for g in top), ZERO)
        assert total == table.new_frame[year] - table.start[year]

    # The int re-implementation agrees, group by group.
    ref = reference(spec)
    for gid, _ in spec.groups:
        got = {y: None if v is None else to_cents(v) for y, v in subtotals[gid].items()}
        assert got == ref.subtotals[gid]

    # The group rows carry the subtotals, and a child row is indented under its parent.
    depth = {r.id: r.depth for r in table.rows if r.kind == "group"}
    for r in table.rows:
        if r.kind == "group":
            assert r.values == subtotals[r.id]
            parent = dict(spec.groups)[r.id]
            assert r.depth == (0 if parent is None else depth[parent] + 1)


# ---------------------------------------------------------------------------------------- 6. exactness


@SETTINGS
@given(spec_st(amounts=big_cents_st, min_items=1, with_base=True))
def test_sums_are_exact(spec: Spec) -> None:
    table = roll(build(spec))
    ref = reference(spec)
    for year in spec.years:
        for got, want in ((table.start[year], ref.start[year]), (table.new_frame[year], ref.new_frame[year])):
            assert isinstance(got, Decimal)
            assert got.scaleb(2) == Decimal(want)  # exact equality with the int reference
            assert got == Decimal(want) / 100
    for gid, values in table.subtotals.items():
        for year, got in values.items():
            want = ref.subtotals[gid][year]
            assert (got is None) == (want is None)
            if got is not None:
                assert isinstance(got, Decimal)
                assert got.scaleb(2) == Decimal(want)


def test_sums_are_exact_where_floats_are_not() -> None:
    """A concrete case float arithmetic gets wrong: 0.1 + 0.2, on top of a frame of 10**12."""
    spec = Spec(
        Convention.INCREMENTAL, (2024, 2025), 10**14, (("g", None),),
        (ItemSpec("a", "g", ((2024, 10), (2025, 1)), None, Category.OTHER),
         ItemSpec("b", "g", ((2024, 20), (2025, 1)), None, Category.OTHER)),
        (),
    )
    assert 1e12 + 0.1 + 0.2 != 1_000_000_000_000.3  # the float way is off
    table = roll(build(spec))
    assert table.new_frame[2024] == Decimal("1000000000000.3")
    assert table.new_frame[2025] == Decimal("1000000000000.32")
    assert table.subtotals["g"] == {2024: Decimal("0.3"), 2025: Decimal("0.02")}


# -------------------------------------------------------------------------------------------- 7. check


@st.composite
def checked_st(draw):
    """A spec with a base, the reference figures to publish, a split of the start, and one bump."""
    spec = draw(spec_st(with_base=True))
    ref = reference(spec)
    # Split the start into two rows adding up to it (e.g. driftsinntekter + driftsutgifter).
    first = {y: draw(cents_st) for y in spec.years}
    split = (("Driftsinntekter", first), ("Driftsutgifter", {y: ref.start[y] - first[y] for y in spec.years}))
    # Subtotals: the reference, with a blank cell published as 0 or left out.
    groups: dict[str, dict[int, int]] = {}
    for gid, values in ref.subtotals.items():
        groups[gid] = {}
        for y, v in values.items():
            if v is not None:
                groups[gid][y] = v
            elif draw(st.booleans()):
                groups[gid][y] = 0
    tolerance = draw(st.sampled_from([0, 1, 100, 150, 500]))  # hundredths
    year = draw(st.sampled_from(spec.years))
    d = draw(st.one_of(
        st.sampled_from([tolerance, -tolerance, tolerance + 1, -tolerance - 1, 1, -1]),
        cents_st,
    ).filter(lambda d: d != 0))
    return spec, ref, split, groups, tolerance, year, d


def _unallocated_only(problems, spec: Spec) -> list:
    """Assert the UNALLOCATED warnings are right; return the other problems."""
    unallocated = [p for p in problems if p.code is Code.UNALLOCATED]
    assert all(p.severity is Severity.WARNING for p in unallocated)
    assert len(unallocated) == sum(it.period is not None for it in spec.items)
    return [p for p in problems if p.code is not Code.UNALLOCATED]


@SETTINGS
@given(checked_st())
def test_check_against_reference(case) -> None:
    spec, ref, split, groups, tol, year, d = case
    tolerance = dec(tol)
    published = {"published_start": ref.start, "published_new": ref.new_frame, "published_groups": groups, "split": split}

    clean = build(spec, **published)
    assert _unallocated_only(check(clean, tolerance), spec) == []
    assert not failed(check(clean, tolerance))

    bumped_new = {**ref.new_frame, year: ref.new_frame[year] + d}
    problems = _unallocated_only(check(build(spec, **{**published, "published_new": bumped_new}), tolerance), spec)
    assert len(problems) == 1, problems
    (p,) = problems
    assert p.code is Code.NEW_FRAME_MISMATCH
    assert p.year == year
    assert p.difference == dec(d)
    assert p.published == dec(ref.new_frame[year] + d)
    assert p.computed == dec(ref.new_frame[year])
    assert p.severity is (Severity.WARNING if abs(d) <= tol else Severity.ERROR)
    assert failed([p]) is (abs(d) > tol)


@SETTINGS
@given(checked_st(), st.sampled_from(["start", "subtotal"]), st.data())
def test_check_reports_a_bumped_start_or_subtotal_once(case, target: str, data) -> None:
    """One wrong printed start or subtotal is reported once, at its own year: it does not spread."""
    spec, ref, split, groups, tol, year, d = case
    published = {"published_start": ref.start, "published_new": ref.new_frame, "published_groups": groups, "split": split}
    if target == "start":
        published["published_start"] = {**ref.start, year: ref.start[year] + d}
        code, before = Code.START_MISMATCH, ref.start[year]
    else:
        gid = data.draw(st.sampled_from([g for g, _ in spec.groups]), label="group")
        before = groups[gid].get(year, 0)
        published["published_groups"] = {**groups, gid: {**groups[gid], year: before + d}}
        code = Code.SUBTOTAL_MISMATCH
    problems = _unallocated_only(check(build(spec, **published), dec(tol)), spec)
    assert len(problems) == 1, problems
    (p,) = problems
    assert (p.code, p.year, p.difference) == (code, year, dec(d))
    assert p.computed == dec(before)
    assert p.severity is (Severity.WARNING if abs(d) <= tol else Severity.ERROR)


@pytest.mark.parametrize("convention", list(Convention))
def test_check_example(convention: Convention) -> None:
    """A worked example, so the reference itself is pinned: 1000 + 10 − 5 under both conventions."""
    spec = Spec(
        convention, (2024, 2025, 2026), 100_000, (("g", None), ("h", "g")),
        (ItemSpec("a", "g", ((2024, 1_000), (2025, 1_000)), None, Category.OTHER),
         ItemSpec("b", "h", ((2026, -500),), None, Category.SAVING)),
        (1,),
    )
    ref = reference(spec)
    if convention is Convention.INCREMENTAL:
        assert ref.new_frame == {2024: 101_000, 2025: 102_000, 2026: 101_500}
        assert ref.start == {2024: 100_000, 2025: 101_000, 2026: 102_000}
    else:
        assert ref.new_frame == {2024: 101_000, 2025: 101_000, 2026: 99_500}
        assert ref.start == dict.fromkeys(spec.years, 100_000)
    assert ref.subtotals == {"g": {2024: 1_000, 2025: 1_000, 2026: -500}, "h": {2024: None, 2025: None, 2026: -500}}
    table = roll(build(spec))
    assert {y: to_cents(v) for y, v in table.new_frame.items()} == ref.new_frame
