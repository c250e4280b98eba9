"""Every file in data/ is read, linked and checked by the suite, and names its source."""

from __future__ import annotations

import jsonschema
import pytest

from rammecalc import check, load
from rammecalc.core.problems import Severity

from .conftest import DATA

FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_there_is_data():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_names_its_source_and_points_at_the_schema(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/rammecalc.schema.json\n")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Source:" in header


def test_all_of_data_loads_links_and_checks_without_errors():
    loaded = load([DATA])
    assert loaded.problems == []
    assert len(loaded.budgets) == 7
    listed = {cs.file for b in loaded.budgets for cs in b.changesets}
    assert len(listed) == 7  # every changes file belongs to one frame
    for budget in loaded.budgets:
        assert all(p.severity is Severity.WARNING for p in check(budget)), budget.frame.id


#: A table cell written as printed, '-8,1 %' (seed 001's Resultat), is read by the loader but refused by the published
#: schema's cell (a money pattern, '-' or null): an editor flags a file that rammecalc reads. A bug in src (schema).
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_is_valid_against_the_published_json_schema(path):
    """What an editor does with the schema: YAML keys as text, numbers as JSON numbers."""
    import datetime
    import json

    import yaml

    from rammecalc.schema import json_schema

    def as_editor_sees_it(value):
        if isinstance(value, datetime.date):  # YAML reads 2023-07-01 as a date; editors see text
            return value.isoformat()
        if isinstance(value, dict):
            return {str(k): as_editor_sees_it(v) for k, v in value.items()}
        if isinstance(value, list):
            return [as_editor_sees_it(v) for v in value]
        return value

    document = as_editor_sees_it(yaml.safe_load(path.read_text(encoding="utf-8")))
    schema = json.loads(json.dumps(json_schema("alle")))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_json_schema_rejects_what_the_loader_rejects():
    from rammecalc.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema("alle"))
    good = {"type": "endringer", "ramme": "f", "kilde": {"dokument": "D"},
            "poster": [{"id": "a", "etikett": "A", "kategori": "annet", "gruppe": "g", "beløp": {"2024": 5}}]}
    assert validator.is_valid(good)
    for bad in ({**good, "rame": "f"},                                        # unknown key
                {**good, "poster": [{**good["poster"][0], "kategori": "x"}]},  # not a category
                {**good, "poster": [{**good["poster"][0], "beløp": {"24": 5}}]}):  # not a year
        assert not validator.is_valid(bad)
