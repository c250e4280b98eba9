"""Linking: a frame and its changes files must fit together before they can be rolled. Pure.

Each file on its own has passed its schema; here we check what only the pair can tell: that a changes
file names the frame that lists it, that every group and item id is unique and every group exists, and that
every year stands among the frame's columns. Every problem is returned at once (all ``input-…`` codes,
so the shell exits 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .models import Budget, ChangeSet, Frame
from .problems import Code, Problem, input_error


def link(frame: Frame, changesets: Sequence[ChangeSet]) -> tuple[Budget | None, list[Problem]]:
    """Validate ``frame`` with ``changesets`` (in the frame's order); the budget, or ``None`` and why."""
    problems: list[Problem] = []
    years = set(frame.years)
    columns = ", ".join(str(y) for y in frame.years)

    def check_years(doc: Frame | ChangeSet, amounts: Iterable[int], *path: str | int) -> None:
        for year in amounts:
            if year not in years:
                problems.append(input_error(
                    Code.YEAR_OUTSIDE_COLUMNS, doc.locate_key(*path, year),
                    f"year {year} is not one of the frame's columns ({columns})",
                    f"add {year} under 'kolonner' in {frame.file}, or correct the year",
                ))

    # The frame itself.
    check_years(frame, frame.start.published, "utgangspunkt", "publisert")
    for i, split in enumerate(frame.start.split):
        check_years(frame, split.amounts, "utgangspunkt", "fordeling", i, "beløp")
    check_years(frame, frame.new_frame.published, "ny_driftsramme", "publisert")
    if frame.start.amount is None:
        for path, published in (("utgangspunkt", frame.start.published), ("ny_driftsramme", frame.new_frame.published)):
            if published:
                problems.append(input_error(
                    Code.NO_BASE, frame.locate(path, "publisert"),
                    "published starts and new frames can only be checked from a starting frame, and "
                    "'utgangspunkt' has no 'beløp'",
                    "add the starting frame as 'beløp' under 'utgangspunkt'",
                ))

    group_ids: dict[str, int] = {}
    for i, group in enumerate(frame.groups):
        if group.id in group_ids:
            first = frame.locate("grupper", group_ids[group.id], "id")
            problems.append(input_error(
                Code.DUPLICATE_ID, frame.locate("grupper", i, "id"),
                f"two groups have the id '{group.id}' (the first at line {first[1]})",
                "give each group its own id",
            ))
        else:
            group_ids[group.id] = i
        check_years(frame, group.published, "grupper", i, "publisert")
    for i, group in enumerate(frame.groups):
        if group.parent is None:
            continue
        if group.parent not in group_ids:
            problems.append(input_error(
                Code.UNKNOWN_GROUP, frame.locate("grupper", i, "under"),
                f"group '{group.id}' is placed under '{group.parent}', which is not a group of this frame",
                _known("groups", group_ids),
            ))
        elif _cycle(frame, group.id):
            problems.append(input_error(
                Code.UNKNOWN_GROUP, frame.locate("grupper", i, "under"),
                f"group '{group.id}' is (indirectly) placed under itself",
                "make the 'under' chain end at a top-level group",
            ))

    for i, record in enumerate(frame.known_differences):
        check_years(frame, [record.year], "kjente_differanser", i, "år")
        if record.group is not None and record.group not in group_ids:
            problems.append(input_error(
                Code.UNKNOWN_GROUP, frame.locate("kjente_differanser", i, "gruppe"),
                f"the known difference names group '{record.group}', which is not a group of this frame",
                _known("groups", group_ids),
            ))

    # The changes files.
    item_ids: dict[str, tuple[str, int]] = {}
    for cs in changesets:
        if cs.frame != frame.id:
            problems.append(input_error(
                Code.FRAME_MISMATCH, cs.locate("ramme"),
                f"this changes file belongs to frame '{cs.frame}', but it is listed by frame '{frame.id}' "
                f"({frame.file})",
                f"set 'ramme: {frame.id}', or remove the file from that frame's 'endringer'",
            ))
        for i, item in enumerate(cs.items):
            if item.id in item_ids:
                first_file, first_line = item_ids[item.id]
                problems.append(input_error(
                    Code.DUPLICATE_ID, cs.locate("poster", i, "id"),
                    f"two items have the id '{item.id}' (the first at {first_file}:{first_line})",
                    "give each item its own id: ids are how scenarios and 'explain' find an item",
                ))
            else:
                item_ids[item.id] = (cs.file, cs.locate("poster", i, "id")[1])
            if item.group not in group_ids:
                problems.append(input_error(
                    Code.UNKNOWN_GROUP, cs.locate("poster", i, "gruppe"),
                    f"item '{item.id}' is under group '{item.group}', which frame '{frame.id}' does not have",
                    _known("groups", group_ids),
                ))
            check_years(cs, item.amounts, "poster", i, "beløp")

    if problems:
        return None, problems
    return Budget(frame=frame, changesets=tuple(changesets)), []


def _known(what: str, ids: Iterable[str]) -> str:
    names = ", ".join(ids) or "none"
    return f"the frame's {what} are: {names}"


def _cycle(frame: Frame, start: str) -> bool:
    parents = {g.id: g.parent for g in frame.groups}
    seen = {start}
    current = parents.get(start)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False
