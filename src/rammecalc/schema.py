"""JSON Schema of the YAML documents, for editors (yaml-language-server and the like) and validators
(check-jsonschema): its regular expressions mean the same in ECMAScript as in Python (see ``core.models``).

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
#: In this order in ``alle``.
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
        root = _by_type({kind: model.__name__ for kind, model in models.items()})
        title = "rammecalc frame, changes, parameter, table, links or scenario file"
    return _end_anchored({"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **root,
                          "$defs": defs})


def _end_anchored(node):
    """Each pattern's final ``$`` made to mean the end of the text in every dialect. In ECMAScript (editors)
    and in Rust's regex (pydantic, the loader) it does; in Python's ``re`` (the ``jsonschema`` library) it
    also matches before a final newline, so ``'a\\n'`` would be an id there. ``$(?!\\n)`` is the end in all
    three. (The models keep the plain ``$``: Rust's regex has no look-ahead.)"""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = _anchor(value)
            elif key == "patternProperties" and isinstance(value, dict):
                out[key] = {_anchor(k): _end_anchored(v) for k, v in value.items()}
            else:
                out[key] = _end_anchored(value)
        return out
    if isinstance(node, list):
        return [_end_anchored(v) for v in node]
    return node


def _anchor(pattern: str) -> str:
    return pattern + "(?!\\n)" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


def _by_type(kinds: dict[str, str]) -> dict:
    """Any document, branched on its ``type`` (as the loader does): an ``if``/``then`` per kind, so that a
    validator checks a file against its own kind only and names its own mistakes. (A ``oneOf`` of the kinds
    reports every kind's complaints, and the first one shown is usually another kind's: "'poster' was
    unexpected" for a changes file with a wrong id.) A file without ``type``, or with an unknown one, is told
    so and no more."""
    return {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(kinds), "description": "The kind of file: " + ", ".join(kinds) + "."}},
        "allOf": [{"if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                   "then": {"$ref": f"#/$defs/{name}"}} for kind, name in kinds.items()],
    }
