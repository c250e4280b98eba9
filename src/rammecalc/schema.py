"""JSON Schema of the YAML documents, for editors (yaml-language-server and the like).

``rammecalc schema`` prints it; ``schema/rammecalc.schema.json`` in the repository is the same text (a test
keeps them equal), and the bundled data files point at it in their first line.
"""

from __future__ import annotations

from pydantic.json_schema import models_json_schema

from .core.documents import DOCUMENT_KINDS
from .core.terms import (
    CHANGES_KIND,
    FRAME_KIND,
    LINKS_KIND,
    PARAMETERS_KIND,
    SCENARIO_KIND,
    TABLE_KIND,
)

#: ``rammecalc schema KIND`` → the schema's title; the model is the one the loader reads the kind with.
#: In this order in ``oneOf`` for ``alle``.
_TITLES = {
    FRAME_KIND: "rammecalc frame (type: ramme)",
    CHANGES_KIND: "rammecalc changes (type: endringer)",
    PARAMETERS_KIND: "rammecalc parameters (type: parametere)",
    TABLE_KIND: "rammecalc table (type: tabell)",
    LINKS_KIND: "rammecalc links (type: koblinger)",
    SCENARIO_KIND: "rammecalc scenario (type: scenario)",
}


def json_schema(kind: str = "alle") -> dict:
    """The schema for one kind (``ramme``, ``endringer``, ``parametere``, ``tabell``, ``koblinger``,
    ``scenario``), or ``alle`` (any, told apart by ``type``)."""
    models = {k: DOCUMENT_KINDS[k] for k in _TITLES}
    _, combined = models_json_schema([(m, "validation") for m in models.values()], by_alias=True,
                                     ref_template="#/$defs/{model}")
    defs = combined["$defs"]
    if kind in _TITLES:
        title = _TITLES[kind]
        root: dict = {"$ref": f"#/$defs/{models[kind].__name__}"}
    else:
        root = {"oneOf": [{"$ref": f"#/$defs/{m.__name__}"} for m in models.values()]}
        title = "rammecalc frame, changes, parameter, table, links or scenario file"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root, "$defs": defs}
