"""Every document kind, by the value of its top-level ``type`` key.

``models.DOCUMENT_KINDS`` holds the frame kinds (ramme, endringer, parametere, scenario); the tables, the
tables and links live in their own modules, which build on ``models``. Joining them here, rather than in
``models.py``, keeps the import graph a tree (``models`` never imports the modules that import it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from .models import DOCUMENT_KINDS as FRAME_KINDS
from .models import Located
from .terms import LINKS_KIND, TABLE_KIND

#: The other kinds, by the module and class that read them: imported when a file of that kind is first
#: met, so a run over frames only does not pay for building the models of tables and links.
_ELSEWHERE = {
    LINKS_KIND: ("rammecalc.core.links", "LinkSet"),
    TABLE_KIND: ("rammecalc.core.table", "Table"),
}


class _Kinds(Mapping[str, type[Located]]):
    def __getitem__(self, kind: str) -> type[Located]:
        if kind in FRAME_KINDS:
            return FRAME_KINDS[kind]
        module, name = _ELSEWHERE[kind]
        return getattr(import_module(module), name)

    def __iter__(self) -> Iterator[str]:
        yield from FRAME_KINDS
        yield from _ELSEWHERE

    def __len__(self) -> int:
        return len(FRAME_KINDS) + len(_ELSEWHERE)

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and (kind in FRAME_KINDS or kind in _ELSEWHERE)


DOCUMENT_KINDS: Mapping[str, type[Located]] = _Kinds()
