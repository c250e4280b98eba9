"""The editor schema works in editors: validated as editors and check-jsonschema validate it, with ECMAScript
regular expressions, and branched on ``type`` so that the first error shown is the file's own."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest
import regress
from check_jsonschema.regex_variants import RegexImplementation, RegexVariantName

from rammecalc.loading.documents import read_document
from rammecalc.schema import json_schema

from .conftest import DATA, ROOT

SCHEMA_FILE = ROOT / "schema" / "rammecalc.schema.json"
DATA_FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".yaml", ".yml"))
#: Every fixture that rammecalc reads as a valid document (a fixture that is broken on purpose is left out).
FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures").rglob("*")
                  if p.suffix in (".yaml", ".yml") and not read_document(p, str(p)).problems)


def _ecmascript_validator(schema: dict) -> jsonschema.protocols.Validator:
    """Draft 2020-12 with check-jsonschema's default regex engine (regress, ECMAScript with the 'u' flag), as
    its command line validates: 'pattern' and 'patternProperties' matched the way editors match them."""
    engine = RegexImplementation(RegexVariantName.default)
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {
        "pattern": engine.pattern_keyword, "patternProperties": engine.patternProperties_keyword})
    return cls(schema)


def _as_editor_sees_it(value):
    """YAML keys as text and dates as text, as an editor's YAML server hands them to the schema."""
    import datetime

    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees_it(v) for v in value]
    return value


def test_there_are_files_and_fixtures_to_validate():
    assert len(DATA_FILES) >= 25
    assert FIXTURES  # tests/fixtures/blocks


def test_check_jsonschema_with_its_default_regex_engine_passes_every_bundled_file():
    """The issue's own command: ``check-jsonschema --schemafile schema/rammecalc.schema.json data/**/*.yaml``."""
    files = [str(p.relative_to(ROOT)) for p in DATA_FILES + FIXTURES]
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA_FILE), *files],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("path", DATA_FILES + FIXTURES, ids=lambda p: p.name)
def test_each_bundled_file_is_valid_with_ecmascript_regexes(path):
    import yaml

    document = _as_editor_sees_it(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = list(_ecmascript_validator(json_schema("alle")).iter_errors(document))
    assert errors == [], [e.message for e in errors]


def test_an_id_with_æøå_matches_in_ecmascript():
    """The issue's regression: with ``\\w`` in the pattern, ECMAScript refused 'lønns-og-prisvekst' (its ``\\w``
    is ASCII only) in 12 of the 25 bundled files."""
    changes = {"type": "endringer", "ramme": "f", "kilde": {"dokument": "D"},
               "poster": [{"etikett": "Lønnsoppgjør", "gruppe": "lønns-og-prisvekst", "beløp": {"2024": 5}}]}
    assert list(_ecmascript_validator(json_schema("alle")).iter_errors(changes)) == []


def _patterns(node) -> list[str]:
    """Every regular expression of the schema: 'pattern' values and 'patternProperties' keys."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            elif key == "patternProperties" and isinstance(value, dict):
                found.extend(value)
            found.extend(_patterns(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_patterns(value))
    return found


#: Strings on which Python's and ECMAScript's classes differ: æøå and the Sami letters (\w), other scripts'
#: digits (\d), spaces that are not ASCII (\s), combining marks, and the characters an id may or may not hold.
SAMPLES = [
    "", "a", "lønns-og-prisvekst", "Økt-sats", "ÆØÅ", "áčđŋšŧžʒ", "ČĐŊŠŦŽƷ", "é.ü_1", "1a", "_a", "-a", ".a",
    "a b", "a\tb", "a/b", "tiltak-½", "²", "٣", "१२", "αβγ", "тест", "中文", "a\u0301", "a\u200db", "ø×÷",
    "deflator", "deflator_revidert", "2024", "9 864", "9\u00a0864", "9\u202f864", "9\u2009864", "9\u3000864",
    "−127", "–127", "- 127", "+1", "1,4", "1.4", "1.515", "1,4 %", "−8,1 %", "2,7%", "1\u00a0%", "٣,٤", "1e3",
    "9 864\n", "\n9 864", "12\u0663", "a\u00a0b", "1 000 000", "-", "−", "%",
]


def test_every_pattern_of_the_schema_means_the_same_in_python_and_ecmascript():
    patterns = sorted(set(_patterns(json_schema("alle"))))
    assert len(patterns) >= 6  # ids, parameter names, years, amounts, rates, factors, per cents
    for pattern in patterns:
        assert not re.search(r"\\[wWdDsSbB]", pattern), f"a class that differs between dialects: {pattern!r}"
        python = re.compile(pattern)
        unicode = regress.Regex(pattern, flags="u")
        plain = regress.Regex(pattern)  # editors that do not set the 'u' flag
        for sample in SAMPLES:
            expected = python.search(sample) is not None
            assert (unicode.find(sample) is not None) == expected, (pattern, sample)
            assert (plain.find(sample) is not None) == expected, (pattern, sample)


def test_the_loader_takes_the_ids_and_names_the_schema_takes():
    """pydantic matches the models' patterns with its own engine (Rust's regex): it agrees with the schema."""
    from pydantic import TypeAdapter, ValidationError

    from rammecalc.core.models import Id, ParameterName

    for annotation, pattern in ((Id, json_schema("endringer")["$defs"]["Item"]["properties"]["id"]["pattern"]),
                                (ParameterName, json_schema("parametere")["$defs"]["Parameter"]["properties"]
                                 ["navn"]["pattern"])):
        adapter = TypeAdapter(annotation)
        for sample in SAMPLES:
            try:
                adapter.validate_python(sample)
                loader = True
            except ValidationError:
                loader = False
            assert loader == (regress.Regex(pattern, flags="u").find(sample) is not None), sample


@pytest.mark.parametrize("label", ["Lønns- og prisvekst", "Tiltak ½ år", "Δ-tiltak for Čájet", "Økt sats × 2",
                                   "Sámi giella", "Tiltak 7a", "e\u0301n ny stilling"])
def test_an_id_derived_from_a_label_is_one_the_schema_takes(label):
    from rammecalc.core.models import derived_id

    pattern = json_schema("endringer")["$defs"]["Item"]["properties"]["id"]["pattern"]
    derived = derived_id(label)
    assert derived and regress.Regex(pattern, flags="u").find(derived) is not None, derived


def test_derived_ids_keep_the_norwegian_and_sami_letters():
    from rammecalc.core.models import derived_id

    assert derived_id("Oppmåling fra Plan og byggesak") == "oppmåling-fra-plan-og-byggesak"
    assert derived_id("Sámi giella – Čájet") == "sámi-giella-čájet"
    assert derived_id("e\u0301n ny stilling") == "én-ny-stilling"  # composed (NFC) first


def test_the_schema_branches_on_type():
    schema = json_schema("alle")
    assert "oneOf" not in schema and schema["required"] == ["type"]
    kinds = schema["properties"]["type"]["enum"]
    assert kinds == ["ramme", "endringer", "parametere", "tabell", "koblinger", "scenario"]
    branches = {b["if"]["properties"]["type"]["const"]: b["then"]["$ref"] for b in schema["allOf"]}
    assert branches == {"ramme": "#/$defs/Frame", "endringer": "#/$defs/ChangeSet",
                        "parametere": "#/$defs/ParameterSet", "tabell": "#/$defs/Table",
                        "koblinger": "#/$defs/LinkSet", "scenario": "#/$defs/Scenario"}
    assert all(b["if"]["required"] == ["type"] for b in schema["allOf"])


def _messages(document: dict) -> list[str]:
    return sorted(e.message for e in _ecmascript_validator(json_schema("alle")).iter_errors(document))


def test_a_file_is_told_its_own_mistakes_only():
    """With the old ``oneOf``, the best match for this changes file was "Additional properties are not
    allowed ('poster', 'ramme' were unexpected)": the frame's complaint, not the file's."""
    changes = {"type": "endringer", "ramme": "f", "kilde": {"dokument": "D"},
               "poster": [{"id": "a b", "etikett": "A", "beløp": {"2024": 5}}]}
    (message,) = _messages(changes)
    assert message.startswith("'a b' does not match")
    best = jsonschema.exceptions.best_match(_ecmascript_validator(json_schema("alle")).iter_errors(changes))
    assert list(best.absolute_path) == ["poster", 0, "id"]

    table = {"type": "tabell", "id": "t", "kommune": "K", "kilde": {"dokument": "D"}, "beløpsenhet": "kr",
             "kolonner": [{"id": "a", "etikett": "A"}], "rader": [{"etikett": "R", "beløp": [1]}], "rad": []}
    assert _messages(table) == ["Additional properties are not allowed ('rad' was unexpected)"]


def test_a_file_without_a_known_type_is_told_so():
    assert _messages({"id": "x"}) == ["'type' is a required property"]
    (message,) = _messages({"type": "tabel", "id": "x"})
    assert message.startswith("'tabel' is not one of ['ramme', 'endringer'")


def test_check_jsonschema_names_the_place_of_a_wrong_id(tmp_path):
    (tmp_path / "c.yaml").write_text("type: endringer\nramme: f\nkilde: {dokument: D}\n"
                                     "poster:\n  - {id: 'a b', etikett: A, beløp: {2024: 5}}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA_FILE),
                             str(tmp_path / "c.yaml")], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "c.yaml::$.poster[0].id: 'a b' does not match" in result.stdout


def test_the_committed_schema_is_the_one_rammecalc_prints():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema("alle")
