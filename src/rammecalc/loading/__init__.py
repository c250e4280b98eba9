"""Loading: YAML files → linked budgets and tables, or every problem with its ``file:line:col``.

The loader is the only place that reads files and the only part that stops at bad input: nothing can be
rolled from a file it cannot read. It never stops at the first problem, though: it collects every problem
in every file and returns them together. One module a step:

* :mod:`.files`: which files (folders walked, links followed once, special files refused), opened safely;
* :mod:`.yamlread`: YAML text → plain data, with every YAML-level problem at its line and column;
* :mod:`.documents`: one file → one document (pydantic), every validation error at its place;
* :mod:`.parallel`: many files, on every core and through the cache;
* here: the files fitted together. Frames with their changes and parameter files (``core.assemble``),
  scenarios with theirs, tables validated with the figures they take from other files (``core.table``), and each
  link's two figures found in the files it names (``core.links``).
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.assemble import assemble
from ..core.models import Budget, ChangeSet, Frame, ParameterSet, Scenario
from ..core.problems import Code, Problem, Severity, input_error
from ..core.terms import TABLE_KIND
from .documents import Read, content_hash, parse_document, read_document
from .files import MAX_FILE_BYTES, display_name, display_names, expand, read_file
from .parallel import PARALLEL_FROM, read_all
from .yamlread import MAX_DEPTH, unclosed_bracket

if typing.TYPE_CHECKING:
    from ..core import links as links_core
    from ..core import table as table_core

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "PARALLEL_FROM", "Loaded", "display_name", "expand", "load",
           "parse_document", "read_document", "unclosed_bracket"]


class Texts(Mapping[str, str]):
    """The text of each file read, for the excerpts under problems: kept for a file with a problem of its
    own, read again when asked for any other (a problem found when files are fitted together), and only if
    the file still holds the bytes it was read from."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._sources: dict[str, tuple[Path, str | None]] = {}

    def keep(self, name: str, read: Read, path: Path) -> None:
        if read.text is not None and read.problems:
            self._texts[name] = read.text
        else:
            self._sources[name] = (path, read.digest)

    def __getitem__(self, name: str) -> str:
        if name in self._texts:
            return self._texts[name]
        if name not in self._sources:
            raise KeyError(name)
        path, digest = self._sources.pop(name)
        raw = read_file(path, name)
        if isinstance(raw, Problem) or digest is None or content_hash(raw) != digest:
            raise KeyError(name)  # gone or changed since it was read: no excerpt rather than another's
        try:
            self._texts[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KeyError(name) from None
        return self._texts[name]

    def __contains__(self, name: object) -> bool:
        return name in self._texts or name in self._sources

    def __iter__(self) -> Iterator[str]:
        yield from self._texts
        yield from (n for n in self._sources if n not in self._texts)

    def __len__(self) -> int:
        return len(set(self._texts) | set(self._sources))

    def __setitem__(self, name: str, text: str) -> None:
        self._texts[name] = text

    def merge(self, other: Texts) -> None:
        """Take what another load knows of files this one has not read."""
        for name, text in other._texts.items():
            self._texts.setdefault(name, text)
        for name, source in other._sources.items():
            if name not in self._texts:
                self._sources.setdefault(name, source)


@dataclass
class Loaded:
    """What :func:`load` found: the budgets that could be linked, every problem, and the texts read."""

    budgets: list[Budget] = field(default_factory=list)
    #: Scenario files read, by id, with the parameter files each brings.
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    scenario_parameters: dict[str, list[ParameterSet]] = field(default_factory=dict)
    #: Tables that state their figures (type: tabell), each with the figures it takes from other files.
    tables: list[table_core.Table] = field(default_factory=list)
    references: dict[str, table_core.References] = field(default_factory=dict)
    links: list[links_core.LinkedSet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The text of each file read (see :class:`Texts`), for the excerpts under problems.
    texts: Texts = field(default_factory=Texts)
    files: list[str] = field(default_factory=list)
    #: The SHA-256 of the bytes each file was read from, by name (what the check's cache keys by).
    digests: dict[str, str] = field(default_factory=dict)
    #: Each file read: its kind and the frame id it is or belongs to, as written (even in an invalid file),
    #: by name; what a check needs to tell whether frames it did not read here would change the answer.
    owners: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def budget(self, frame_id: str) -> Budget:
        """The linked budget of the frame with this id (KeyError listing the ids if there is none)."""
        for budget in self.budgets:
            if budget.frame.id == frame_id:
                return budget
        raise KeyError(f"no frame '{frame_id}'; the frames are: {', '.join(b.frame.id for b in self.budgets)}")

    # The pipeline, as the command line runs it (``core.pipeline``): each raises ``InputError`` with every
    # problem, in the command line's words. A scenario is named by its id or its file (as ``--scenario``
    # takes it), or given as a ``Scenario``; ``parameters`` are as ``set_parameters`` takes them (a mapping
    # of name to rate, or to rates by year) or overrides read by ``core.pipeline.parse_sets``.

    def scenario(self, scenario: str | Scenario) -> Scenario:
        """The scenario with this id, or read from this file (a path ending in ``.yaml`` or ``.yml``, or
        an existing file), as ``--scenario`` finds it. ``InputError`` (a ``KeyError`` too) if there is none,
        naming the ids there are."""
        return self._scenarios([scenario])[0]

    def variant(self, *scenarios: str | Scenario, parameters: Mapping | Sequence | None = None) -> Budget:
        """The budget of the scenarios' frame with the scenarios applied in order, each with the parameter
        files it brings, then ``parameters`` on top: ``rammecalc roll -s A -s B --set …``. The parameters'
        names are checked against the parameter files of the frame and of the scenarios, their years
        against the frame's."""
        from ..core import pipeline

        chosen = self._scenarios(scenarios)
        budget = pipeline.frame_of(self.budgets, chosen)
        return pipeline.variant(budget, chosen, self.scenario_parameters, pipeline.as_overrides(parameters))

    def apply(self, budget: Budget, *scenarios: str | Scenario, parameters: Mapping | Sequence | None = None) -> Budget:
        """``budget`` (any, e.g. one with parameters set already) with the scenarios applied in order, each
        with the parameter files it brings, then ``parameters`` on top. ``rammecalc.apply(budget, scenario)``
        needs the parameter files passed (``scenario_parameters[id]``); this finds them."""
        from ..core import pipeline

        return pipeline.variant(budget, self._scenarios(scenarios), self.scenario_parameters,
                                pipeline.as_overrides(parameters))

    def compare(self, *variants: str | Scenario | Sequence[str | Scenario], parameters: Mapping | Sequence | None = None):
        """Compare the base with each variant (a scenario, or scenarios applied in order): a
        :class:`~rammecalc.core.compare.Comparison`, as ``rammecalc compare -s A -s B+C --set …`` prints it.
        ``parameters`` are put on the base and again after each variant's scenarios (the last word)."""
        from ..core import pipeline
        from ..core.compare import compare
        from ..core.scenarios import ScenarioError

        parts = [[v] if isinstance(v, str | Scenario) else list(v) for v in variants]
        chosen = self._scenarios([s for part in parts for s in part])
        each = iter(chosen)
        grouped = [[next(each) for _ in part] for part in parts]
        budget = pipeline.frame_of(self.budgets, chosen)
        overrides = pipeline.as_overrides(parameters)
        names = pipeline.parameter_names([budget], (ps for s in chosen for ps in self.scenario_parameters.get(s.id, ())))
        base = pipeline.with_overrides([budget], overrides, names)[0]
        try:
            return compare(base, grouped, self.scenario_parameters, overrides)
        except ScenarioError as exc:
            raise pipeline.InputError(exc.problems) from None

    def set_parameters(self, values: Mapping | Sequence | None = None, /, **named) -> Loaded:
        """A copy with the parameters set on every budget: ``rammecalc check --set …`` (or ``roll``
        without a scenario). A name must be defined by the parameter files of some frame or scenario read,
        a year used by some frame read."""
        import dataclasses

        from ..core import pipeline

        overrides = (*pipeline.as_overrides(values), *pipeline.read_overrides(named))
        names = pipeline.parameter_names(self.budgets, (ps for sets in self.scenario_parameters.values() for ps in sets))
        return dataclasses.replace(self, budgets=pipeline.with_overrides(self.budgets, overrides, names))

    def scenario_problems(self) -> list[Problem]:
        """Every scenario read must still apply to its frame: the problems of those that do not (``check``
        and the commands that roll refuse the files then)."""
        from ..core import pipeline

        return pipeline.scenario_problems(self.budgets, self.scenarios.values(), self.scenario_parameters)

    @staticmethod
    def scenario_file(value: str) -> Path | None:
        """The file a ``--scenario`` value names (one ending in ``.yaml`` or ``.yml``, or an existing file),
        or ``None`` for an id."""
        value = value.strip()
        return Path(value) if value.endswith((".yaml", ".yml")) or Path(value).is_file() else None

    def _scenarios(self, values: Sequence[str | Scenario]) -> list[Scenario]:
        """The scenarios named, each by id or file, or given; ``InputError`` with every one not found."""
        from ..core import pipeline

        found: list[Scenario | Problem] = []
        for value in values:
            if isinstance(value, Scenario):
                found.append(value)
                continue
            path = self.scenario_file(value)
            name = display_name(path) if path is not None else None
            found.append(pipeline.lookup_scenario(self.scenarios, value.strip(), name, read=name in self.files))
        problems = [f for f in found if isinstance(f, Problem)]
        if problems:
            raise pipeline.InputError(problems)
        return typing.cast(list[Scenario], found)


_LISTS = {"endringer": ("changes", ChangeSet, "a changes file ('type: endringer')"),
          "parametere": ("parameter", ParameterSet, "a parameter file ('type: parametere')")}


def load(paths: Sequence[str | os.PathLike], progress: Callable[[int, int], None] | None = None,
         jobs: int | None = None, cache=None, skip: frozenset[str] = frozenset(),
         expanded: tuple[list[tuple[Path, bool]], list[Problem]] | None = None,
         preread: dict | None = None) -> Loaded:
    """Read every frame, changes and parameter file under ``paths``; link each frame with its files.

    A frame pulls in the files it lists even if they were not among ``paths``; a changes file that was given
    but that no frame lists is a problem (its frame is missing). In a folder, a YAML file with no ``type``
    key is not a rammecalc file: it is skipped with a warning. Every problem in every file is returned.
    ``progress(done, total)`` is called as the files named or found are read. ``jobs`` processes read
    them (default: one per core, for more than a few hundred files; see :mod:`.parallel`). ``cache`` (a
    :class:`~rammecalc.cache.Cache`) gives files read before; files named in ``skip`` are left out (the
    check uses this for frames whose results it has cached). ``expanded`` is what :func:`expand` gave for
    ``paths``, if the caller has it already; ``preread`` what worker processes read of some files (see
    :func:`.parallel.read_all`).
    """
    result = Loaded()
    files, problems = expand(Path(p) for p in paths) if expanded is None else expanded
    named_as = dict(zip((p for p, _ in files), display_names([p for p, _ in files]), strict=True))
    files = [(path, named) for path, named in files if named_as[path] not in skip]
    result.problems += problems
    reads: dict[str, Read] = {}
    listed: set[str] = set()

    paths_of: dict[str, Path] = {}

    def keep(name: str, read: Read) -> None:
        """A file read: counted if it could be opened; its text kept for the excerpts of its problems."""
        reads[name] = read
        result.owners[name] = (read.raw_kind, read.owner)
        if read.opened:
            result.files.append(name)
        if read.digest is not None:
            result.digests[name] = read.digest
        result.texts.keep(name, read, paths_of.get(name, Path(name)))

    def get(path: Path) -> Read:
        """A file a frame or a link names (read, through the cache, if not read already)."""
        name = display_name(path)
        if name not in reads:
            paths_of[name] = path
            keep(name, next(iter(read_all([path], [name], 1, cache))))
        return reads[name]

    names = [named_as[path] for path, _ in files]
    paths_of.update(zip(names, (p for p, _ in files)))
    walked = set(names)
    reading = read_all([p for p, _ in files], names, jobs, cache, preread)
    for done, ((path, _), name, read) in enumerate(zip(files, names, reading, strict=True), start=1):
        if name not in reads:
            keep(name, read)
        if progress is not None:
            progress(done, len(files))
    for (path, named), name in zip(files, names, strict=True):
        read = reads[name]
        if not named and not read.has_type and read.doc is None:
            read.raw_kind = "skipped"
            result.owners[name] = ("skipped", read.owner)
            result.problems.append(Problem(Code.SKIPPED, Severity.WARNING, name, 1, 1,
                                           "no 'type' key: not a rammecalc file; skipped",
                                           "add its 'type:' if it is one (ramme, endringer, parametere, scenario, tabell or koblinger)"))
        else:
            result.problems += read.problems

    def listed_file(frame_file: str, key: str, i: int, rel: str, at: Callable[[], tuple[str, int, int]],
                    seen: dict[str, int]) -> Read | None:
        """The i-th file a frame lists under ``key``; every way it can be wrong is reported at the frame."""
        words, kind, wanted = _LISTS[key]
        target = Path(frame_file).parent / rel
        name = display_name(target)
        if key == "endringer":
            listed.add(name)
        if name in seen:
            result.problems.append(input_error(Code.LISTED_TWICE, at(),
                                               f"'{rel}' is the same file as entry {seen[name] + 1} of '{key}'",
                                               "list each file once"))
            return None
        seen[name] = i
        fresh = name not in reads
        read = get(target)
        if not read.opened:
            if name not in walked:  # (among the paths given, it is reported as itself: one problem, once)
                result.problems.append(_not_opened(read, at(), f"the {words} file '{rel}' ({name})", "frame file"))
            return None
        if fresh:
            result.problems += read.problems
        if read.doc is None:
            return None
        if not isinstance(read.doc, kind):
            result.problems.append(input_error(Code.INVALID, at(),
                                               f"'{rel}' is a '{read.raw_kind}' file, but '{key}' lists {wanted}",
                                               "correct the path"))
            return None
        return read

    frame_ids: dict[str, str] = {}
    for name, read in list(reads.items()):
        if read.raw_kind != "ramme":
            continue
        frame = read.doc
        if frame is None:
            # Invalid frame: still read the files it lists, so that their problems show in this run too.
            for key, rels in read.raw_lists.items():
                seen: dict[str, int] = {}
                for i, rel in enumerate(rels):
                    listed_file(name, key, i, rel, lambda rel=rel, name=name, read=read: (name, *_first_line_of(read.text, rel)), seen)
            continue
        assert isinstance(frame, Frame)
        if frame.id in frame_ids:
            result.problems.append(input_error(
                Code.DUPLICATE_ID, frame.locate("id"),
                f"two frames have the id '{frame.id}' (the other is {frame_ids[frame.id]})",
                "give each frame its own id",
            ))
            continue
        frame_ids[frame.id] = name
        documents: dict[str, list] = {}
        complete = True
        for key in _LISTS:
            seen = {}
            rels = frame.changes if key == "endringer" else frame.parameters
            found = [listed_file(name, key, i, rel, lambda key=key, i=i, frame=frame: frame.locate(key, i), seen)
                     for i, rel in enumerate(rels)]
            documents[key] = [r.doc for r in found if r is not None]
            complete = complete and all(r is not None for r in found)
        if not complete:
            continue
        budget, link_problems = assemble(frame, documents["endringer"], documents["parametere"])
        result.problems += link_problems
        if budget is not None:
            result.budgets.append(budget)

    for name, read in list(reads.items()):
        scenario = read.doc
        if not isinstance(scenario, Scenario):
            continue
        if scenario.id in result.scenarios:
            result.problems.append(input_error(
                Code.DUPLICATE_ID, scenario.locate("id"),
                f"two scenarios have the id '{scenario.id}' (the other is {result.scenarios[scenario.id].file})",
                "give each scenario its own id",
            ))
            continue
        seen: dict[str, int] = {}
        found = [listed_file(name, "parametere", i, rel, lambda i=i, scenario=scenario: scenario.locate("parametere", i), seen)
                 for i, rel in enumerate(scenario.parameters)]
        if all(r is not None for r in found):
            result.scenarios[scenario.id] = scenario
            result.scenario_parameters[scenario.id] = [r.doc for r in found]

    frames_by_id = {r.owner: name for name, r in reads.items() if r.raw_kind == "ramme" and r.owner}
    for name, read in reads.items():
        if read.raw_kind != "endringer" or name in listed:
            continue
        frame_id = read.owner
        loc = read.doc.locate("ramme") if read.doc is not None else (name, 1, 1)
        if frame_id in frames_by_id:
            if reads[frames_by_id[frame_id]].doc is None:
                continue  # the frame itself is invalid; its own problems are reported
            result.problems.append(input_error(
                Code.UNLISTED_CHANGES, loc,
                f"frame '{frame_id}' ({frames_by_id[frame_id]}) does not list this changes file",
                f"add it under 'endringer' in {frames_by_id[frame_id]}",
            ))
        elif read.doc is not None:
            result.problems.append(input_error(
                Code.FRAME_MISSING, loc,
                f"this changes file belongs to frame '{frame_id}', which is not among the files read",
                "pass the frame file that lists it (or its folder, e.g. 'data'), or correct 'ramme'",
            ))
    _load_stated_tables(result, reads, get, walked)
    _load_links(result, reads, get, walked)
    result.problems.sort(key=Problem.sort_key)
    return result


def _not_opened(read: Read, at: tuple[str, int, int], described: str, relative_to: str) -> Problem:
    """A file named in another that could not be opened, told where it is named."""
    problem = next(p for p in read.problems if p.line == 0)
    hint = (f"correct the path; it is relative to this {relative_to}" if problem.code is Code.NOT_FOUND
            else problem.hint)
    return input_error(problem.code, at, f"{described}: {problem.message}", hint)


def _table_problems(read: Read) -> list[Problem]:
    """What the model of a table cannot see (``core.table.validate``); nothing for other kinds."""
    if read.doc is None or read.raw_kind != TABLE_KIND:
        return []
    from ..core import table as table_core

    return table_core.validate(read.doc)


def _load_stated_tables(result: Loaded, reads: dict[str, Read], get, walked: set[str]) -> None:
    """Each table (type: tabell) among the files read: validated, and the figures its rows take from other
    files (``lik``, ``fra``) found there; then kept for roll and check."""
    if not any(r.raw_kind == TABLE_KIND for r in reads.values()):
        return
    from ..core import table as table_core
    from ..core.roll import roll

    budgets = {b.frame.file: b for b in result.budgets}

    def rolled(frame):
        """The frame rolled: a frame among the paths is assembled already; one a table names alone is
        assembled here, from the files it lists (read as any file a frame lists; their problems are told)."""
        budget = budgets.get(frame.file)
        if budget is None and frame.file not in budgets:
            documents = {}
            for key, rels in (("endringer", frame.changes), ("parametere", frame.parameters)):
                reads_ = [get(Path(frame.file).parent / rel) for rel in rels]
                for other in reads_:
                    if other.opened and other.doc is None:
                        result.problems.extend(other.problems)
                documents[key] = [r.doc for r in reads_ if r.doc is not None]
                if len(documents[key]) != len(rels):
                    budgets[frame.file] = None
                    return None
            budget, problems = assemble(frame, documents["endringer"], documents["parametere"])
            result.problems += problems
            budgets[frame.file] = budget
        return roll(budget) if budget is not None else None

    for name, read in list(reads.items()):
        if read.doc is None or read.raw_kind != TABLE_KIND:
            continue
        table = read.doc
        problems = _table_problems(read)
        if problems:
            result.problems += problems
            continue

        def fetch(index: int, key: str, table=table, name=name):
            address = table.rows[index].equal if key == "lik" else table.rows[index].source
            target = display_name(Path(name).parent / address.file)
            fresh = target not in reads
            other = get(Path(name).parent / address.file)
            if not other.opened:
                if target not in walked:
                    result.problems.append(_not_opened(other, table.locate("rader", index, key, "fil"),
                                                       f"the file '{address.file}' ({target})", "table"))
                return None
            if fresh:
                result.problems.extend(other.problems + _table_problems(other))
            return other.doc

        references, problems = table_core.resolve(table, fetch, rolled)
        result.problems += problems
        if not problems:
            result.tables.append(table)
            result.references[table.file] = references


def _load_links(result: Loaded, reads: dict[str, Read], get, walked: set[str]) -> None:
    """Each links file: read the files its links name (relative to it) and find the two figures.

    A file a link pulls in is read for its figures (its own input problems are reported) but is rolled and
    checked only if it was among the paths given.
    """
    if not any(r.raw_kind == "koblinger" for r in reads.values()):
        return
    from ..core import links as links_core
    for name, read in list(reads.items()):
        if not isinstance(read.doc, links_core.LinkSet):
            continue
        links = read.doc
        figures = []
        for index, stated in enumerate(links.links):
            pair = []
            for side, address in (("figur", stated.figure), ("lik", stated.equals)):
                pair.append(_figure(result, links, index, side, address, name, reads, get, walked))
            if all(f is not None for f in pair):
                mismatch = links_core.unit_problem(links, index, pair[0], pair[1])
                if mismatch is not None:  # årsverk against money: no comparison can mean anything
                    result.problems.append(mismatch)
                    continue
                figures.append((pair[0], pair[1]))
        if len(figures) == len(links.links):
            result.links.append(links_core.LinkedSet(links, tuple(figures)))


def _figure(result: Loaded, links: links_core.LinkSet, index: int, side: str, address: links_core.FigureAddress,
            name: str, reads: dict[str, Read], get, walked: set[str]) -> links_core.Figure | None:
    from ..core import links as links_core

    target = display_name(Path(name).parent / address.file)
    fresh = target not in reads
    read = get(Path(name).parent / address.file)
    if not read.opened:
        if target not in walked:  # (among the paths given, it is reported as itself)
            result.problems.append(_not_opened(read, links.locate("koblinger", index, side, "fil"),
                                               f"the file '{address.file}' ({target})", "links file"))
        return None
    if fresh:
        result.problems += read.problems + _table_problems(read)
    if read.doc is None:
        return None
    found = links_core.resolve(read.doc, address)
    if isinstance(found, str):
        result.problems.append(links_core.unresolved(links, index, side, found))
        return None
    return found




def _first_line_of(text: str | None, needle: str) -> tuple[int, int]:
    """Where ``needle`` is first written in ``text`` (for an invalid frame's list entries), else 1:1."""
    for number, line in enumerate((text or "").splitlines(), start=1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    return 1, 1
