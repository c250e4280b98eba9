"""JSON Schema of the YAML documents, for editors (yaml-language-server and the like).

``rammecalc schema`` prints it; ``schema/rammecalc.schema.json`` in the repository is the same text (a test
keeps them equal), and the bundled data files point at it in their first line.
"""

from __future__ import annotations

from pydantic.json_schema import models_json_schema

from .core.accounts import AccountsTable
from .core.links import LinkSet
from .core.models import ChangeSet, Frame, ParameterSet, Scenario
from .core.sums import SumTable

#: ``rammecalc schema KIND`` → the model's name in ``$defs`` and the schema's title.
_ROOTS = {
    "ramme": ("Frame", "rammecalc frame (type: ramme)"),
    "endringer": ("ChangeSet", "rammecalc changes (type: endringer)"),
    "parametere": ("ParameterSet", "rammecalc parameters (type: parametere)"),
    "regnskap": ("AccountsTable", "rammecalc accounts table (type: regnskap)"),
    "sumtabell": ("SumTable", "rammecalc sum table (type: sumtabell)"),
    "koblinger": ("LinkSet", "rammecalc links (type: koblinger)"),
    "scenario": ("Scenario", "rammecalc scenario (type: scenario)"),
}


def json_schema(kind: str = "alle") -> dict:
    """The schema for one kind (``ramme``, ``endringer``, ``parametere``, ``regnskap``, ``sumtabell``,
    ``koblinger``), or ``alle`` (any, told apart by ``type``)."""
    _, combined = models_json_schema(
        [(m, "validation") for m in (Frame, ChangeSet, ParameterSet, AccountsTable, SumTable, LinkSet, Scenario)],
        by_alias=True, ref_template="#/$defs/{model}")
    defs = combined["$defs"]
    if kind in _ROOTS:
        name, title = _ROOTS[kind]
        root: dict = {"$ref": f"#/$defs/{name}"}
    else:
        root = {"oneOf": [{"$ref": f"#/$defs/{name}"} for name, _ in _ROOTS.values()]}
        title = "rammecalc frame, changes, parameter, accounts, sum table, links or scenario file"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}
