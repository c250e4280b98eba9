"""JSON Schema of the YAML documents, for editors (yaml-language-server and the like).

``rammecalc schema`` prints it; ``schema/rammecalc.schema.json`` in the repository is the same text (a test
keeps them equal), and the bundled data files point at it in their first line.
"""

from __future__ import annotations

from pydantic.json_schema import models_json_schema

from .core.models import ChangeSet, Frame, ParameterSet, Scenario


def json_schema(kind: str = "alle") -> dict:
    """The schema for ``ramme``, ``endringer``, ``parametere``, or ``alle`` (any, told apart by ``type``)."""
    _, combined = models_json_schema(
        [(Frame, "validation"), (ChangeSet, "validation"), (ParameterSet, "validation"), (Scenario, "validation")],
        by_alias=True, ref_template="#/$defs/{model}")
    defs = combined["$defs"]
    if kind == "ramme":
        root: dict = {"$ref": "#/$defs/Frame"}
        title = "rammecalc frame (type: ramme)"
    elif kind == "endringer":
        root = {"$ref": "#/$defs/ChangeSet"}
        title = "rammecalc changes (type: endringer)"
    elif kind == "scenario":
        root = {"$ref": "#/$defs/Scenario"}
        title = "rammecalc scenario (type: scenario)"
    elif kind == "parametere":
        root = {"$ref": "#/$defs/ParameterSet"}
        title = "rammecalc parameters (type: parametere)"
    else:
        root = {"oneOf": [{"$ref": f"#/$defs/{name}"} for name in ("Frame", "ChangeSet", "ParameterSet", "Scenario")]}
        title = "rammecalc frame, changes, parameter or scenario file"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}
