"""Bad input: one test per class. Each asserts the exact ``file:line:col`` and exit code 2, no traceback.

The files are small and written here, so the line of each fault is known by construction.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rammecalc import load, roll

FRAME = """\
type: ramme
id: f
kommune: Testkommune
enhet: Testenhet
kilde: {dokument: Testdokument}
beløpsenhet: 1 000 kr
konvensjon: inkrementell
kolonner: {2024: Budsjett 2024, 2025: Økonomiplan 2025}
utgangspunkt:
  etikett: Utgangspunkt
  beløp: 1000
grupper:
  - id: g
    etikett: Endringer
endringer:
  - ../changes/c.yaml
"""

CHANGES = """\
type: endringer
ramme: f
kilde: {dokument: Testdokument}
poster:
  - id: a
    etikett: Tiltak A
    kategori: nytt tiltak
    gruppe: g
    beløp: {2024: 10, 2025: 5}
  - id: b
    etikett: Innsparing B
    kategori: innsparing
    gruppe: g
    beløp: {2025: -3}
"""


def write(tmp_path: Path, frame: str | bytes = FRAME, changes: str | bytes = CHANGES) -> Path:
    for rel, content in (("data/frames/f.yaml", frame), ("data/changes/c.yaml", changes)):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


def run_bad(cli, tmp_path: Path, *args: str) -> str:
    result = cli(*(args or ("check", "data")), cwd=tmp_path)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr


def test_the_template_itself_is_fine(cli, tmp_path):
    write(tmp_path)
    result = cli("check", "data", cwd=tmp_path)
    assert result.exit_code == 0, result.output


def test_truncated_yaml(cli, tmp_path):
    write(tmp_path, changes=CHANGES[: CHANGES.index("2025: 5}")])  # cut inside '{2024: 10, '
    err = run_bad(cli, tmp_path)
    # The file ends inside '{2024: 10, ': the parser notices only at the end of the file (line 10, column 1),
    # after the trailing comma; the place to fix is the '{' left open, line 9 column 12 ("    beløp: {").
    assert err.startswith("data/changes/c.yaml:9:12: error: YAML syntax: the file ends inside a '{…}' mapping "
                          "opened here")
    assert "    9 |     beløp: {2024: 10, \n      |            ^\n" in err
    assert "hint: close it; a truncated file is the usual cause" in err


def test_truncated_list_after_a_comma(cli, tmp_path):
    # A flow list cut after a comma; the brackets in the quoted label and the comment are not counted.
    changes = CHANGES.split("poster:")[0] + ('poster: [{id: a, etikett: "b [c", kategori: annet, '
                                             "gruppe: g, beløp: {2024: 1}},  # [ en kommentar\n  ")
    write(tmp_path, changes=changes)
    err = run_bad(cli, tmp_path)
    assert err.startswith("data/changes/c.yaml:4:9: error: YAML syntax: the file ends inside a '[…]' list "
                          "opened here")


def test_unknown_key_suggests_the_nearest(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("konvensjon:", "konvensjonn:"))
    err = run_bad(cli, tmp_path)
    assert "data/frames/f.yaml:7:1: error: unknown key 'konvensjonn' in the document" in err
    assert "did you mean 'konvensjon'?" in err
    # the key it replaced is now missing, reported in the same run
    assert "data/frames/f.yaml:1:1: error: missing key 'konvensjon' in the document" in err


def test_duplicate_key_is_not_silently_dropped(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("    beløp: {2025: -3}\n", "    beløp: {2025: -3}\n    beløp: {2025: -4}\n"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:15:5: error: duplicate key 'beløp' (first at line 14)" in err


def test_wrong_type(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("beløp: {2024: 10, 2025: 5}", "beløp: [10, 5]"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:9:12: error: poster.0.beløp: expected a mapping" in err


def test_amount_that_is_not_a_number(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("2025: -3", "2025: tre"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:14:19: error: poster.1.beløp.2025: 'tre' is not an amount" in err


def test_decimal_amount_is_read_exactly_not_through_float(tmp_path):
    # 0.1 + 0.2 is 0.30000000000000004 in float; amounts here are Decimal from the text. (The frame prints one
    # decimal: a whole-unit table refuses an amount with decimals.)
    write(tmp_path, frame=FRAME.replace("beløpsenhet: 1 000 kr\n", "beløpsenhet: mill. kr\ndesimaler: 1\n"),
          changes=CHANGES.replace("{2024: 10, 2025: 5}", "{2024: 0.1, 2025: 1.4}")
          .replace("{2025: -3}", "{2024: 0.2, 2025: '−1,4'}"))
    loaded = load([tmp_path / "data"])
    assert loaded.problems == []
    table = roll(loaded.budgets[0])
    assert table.new_frame == {2024: Decimal("1000.3"), 2025: Decimal("1000.3")}
    items = loaded.budgets[0].items
    assert items[0].amounts[2025] == Decimal("1.4") and items[1].amounts[2025] == Decimal("-1.4")


def test_year_outside_the_frames_columns(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("{2025: -3}", "{2025: -3, 2026: -3}"))
    err = run_bad(cli, tmp_path)
    assert ("data/changes/c.yaml:14:23: error: year 2026 is not one of the frame's columns (2024, 2025)") in err
    assert "add 2026 under 'kolonner' in data/frames/f.yaml" in err


def test_item_under_a_group_that_does_not_exist(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("    gruppe: g\n    beløp: {2025", "    gruppe: h\n    beløp: {2025"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:13:13: error: item 'b' is under group 'h', which frame 'f' does not have" in err
    assert "the frame's groups are: g" in err


def test_two_items_with_one_id(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("  - id: b", "  - id: a"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:10:9: error: two items have the id 'a' (the first at data/changes/c.yaml:5)" in err


def test_changes_file_whose_frame_is_missing(cli, tmp_path):
    write(tmp_path)
    (tmp_path / "data/frames/f.yaml").unlink()
    err = run_bad(cli, tmp_path)
    assert ("data/changes/c.yaml:2:8: error: this changes file belongs to frame 'f', which is not among the files "
            "read") in err


def test_changes_file_the_frame_does_not_list(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("endringer:\n  - ../changes/c.yaml\n", ""))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:2:8: error: frame 'f' (data/frames/f.yaml) does not list this changes file" in err


def test_listed_changes_file_that_does_not_exist(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("../changes/c.yaml", "../changes/missing.yaml"))
    err = run_bad(cli, tmp_path, "check", "data/frames/f.yaml")
    assert ("data/frames/f.yaml:16:5: error: the changes file '../changes/missing.yaml' (data/changes/missing.yaml): "
            "no such file") in err


def test_changes_file_naming_another_frame(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("ramme: f", "ramme: other"))
    err = run_bad(cli, tmp_path, "check", "data/frames/f.yaml")
    assert ("data/changes/c.yaml:2:8: error: this changes file belongs to frame 'other', but it is listed by "
            "frame 'f'") in err


def test_empty_file(cli, tmp_path):
    write(tmp_path, changes="# nothing here yet\n\n")
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:1:1: error: the file is empty" in err


def test_file_that_is_not_utf8(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("Tiltak A", "Tiltak Æ").encode("latin-1"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:6:21: error: the file is not UTF-8 text (byte 0xc6 cannot be decoded)" in err


def test_unknown_document_type(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("type: endringer", "type: endring"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:1:7: error: unknown document type 'endring'" in err


def test_every_problem_in_a_file_is_reported_at_once(cli, tmp_path):
    bad = (CHANGES.replace("kategori: nytt tiltak", "kategori: nytt")
           .replace("{2025: -3}", "{2025: -3.5.1}")
           .replace("    etikett: Innsparing B\n", "    etikett: Innsparing B\n    merknad: x\n    merknad: y\n"))
    write(tmp_path, changes=bad)
    err = run_bad(cli, tmp_path)
    located = [line.split(": ")[0] for line in err.splitlines() if line.startswith("data/")]
    assert located == ["data/changes/c.yaml:7:15", "data/changes/c.yaml:13:5", "data/changes/c.yaml:16:19"]
    assert err.rstrip().endswith("3 input problems in 1 file; nothing was rolled or checked")


def test_missing_path_and_bad_tolerance(cli, tmp_path):
    write(tmp_path)
    err = run_bad(cli, tmp_path, "check", "nowhere.yaml")
    assert "nowhere.yaml:1:1: error: no such file or folder" in err
    err = run_bad(cli, tmp_path, "check", "--tolerance", "en", "data")
    assert "--tolerance: 'en' is not an amount" in err


@pytest.mark.parametrize("command", ["roll", "check"])
def test_no_data_folder_here(cli, tmp_path, command):
    err = run_bad(cli, tmp_path, command)
    assert "no path given and no 'data' folder here" in err


def test_a_frame_draws_on_several_changes_files_in_the_order_listed(tmp_path):
    second = CHANGES.replace("id: a", "id: c").replace("id: b", "id: d").replace("Tiltak A", "Tiltak C")
    write(tmp_path, frame=FRAME + "  - ../changes/c2.yaml\n")
    (tmp_path / "data/changes/c2.yaml").write_text(second, encoding="utf-8")
    loaded = load([tmp_path / "data"])
    assert loaded.problems == []
    (budget,) = loaded.budgets
    assert [item.id for item in budget.items] == ["a", "b", "c", "d"]
    # 1000 + (10 + 10) in 2024; then + (5 - 3) * 2 in 2025
    assert roll(budget).new_frame == {2024: Decimal(1020), 2025: Decimal(1024)}


def test_one_id_in_two_changes_files_names_both(cli, tmp_path):
    write(tmp_path, frame=FRAME + "  - ../changes/c2.yaml\n")
    (tmp_path / "data/changes/c2.yaml").write_text(CHANGES.replace("id: b", "id: d"), encoding="utf-8")
    err = run_bad(cli, tmp_path)
    assert "data/changes/c2.yaml:5:9: error: two items have the id 'a' (the first at data/changes/c.yaml:5)" in err


# ------------------------------------------------------------------ harder inputs (from a review)


def test_yaml_aliases_are_refused_not_followed(cli, tmp_path):
    # A recursive alias, and an alias "bomb" that would expand to 10**7 values: both refused at once.
    bomb = "".join(f"    a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10) if i else ', '.join(['x'] * 10)}]\n"
                   for i in range(7))
    write(tmp_path, changes=CHANGES.replace("kilde: {dokument: Testdokument}", "kilde: &r {dokument: D, x: *r}")
          .replace("    etikett: Tiltak A\n", "    etikett: Tiltak A\n    merknad:\n" + bomb))
    err = run_bad(cli, tmp_path)
    # the recursive one at the alias itself (x: *r), then one per value used again
    assert "data/changes/c.yaml:3:28: error: YAML anchors and aliases (&name, *name) are not supported" in err
    assert err.count("YAML anchors and aliases") == 7  # *r, and *a0 … *a5 once each (not 60 times)


def test_merge_keys_tabs_and_a_bare_document_marker(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("  - id: b\n", "  - <<: {id: b}\n    id: b\n"))
    assert "data/changes/c.yaml:10:5: error: YAML merge keys ('<<') are not supported" in run_bad(cli, tmp_path)
    write(tmp_path, changes=CHANGES.replace("    etikett: Tiltak A", "\tetikett: Tiltak A"))
    assert "indent with spaces: YAML does not allow tabs for indentation" in run_bad(cli, tmp_path)
    write(tmp_path, changes="---\n")
    assert "data/changes/c.yaml:1:1: error: the file is empty" in run_bad(cli, tmp_path)


def test_a_year_written_twice_in_different_ways_is_a_duplicate(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("{2024: 10, 2025: 5}", "{2024: 10, '2024': 5}"))
    assert "data/changes/c.yaml:9:23: error: duplicate key '2024' (first at line 9)" in run_bad(cli, tmp_path)


def test_amounts_beyond_the_limits_are_refused(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("2025: 5}", "2025: '1e999999999'}"))
    err = run_bad(cli, tmp_path)
    assert "poster.0.beløp.2025: more than 15 digits before the decimal point" in err
    write(tmp_path, changes=CHANGES.replace("2025: 5}", "2025: 10.00000000000000000000000001}"))
    assert "more than 6 decimals" in run_bad(cli, tmp_path)
    write(tmp_path, changes=CHANGES.replace("2025: 5}", "2025: '١٢'}"))  # digits of another script
    assert "'١٢' is not an amount" in run_bad(cli, tmp_path)


def test_control_character_and_unclosed_quote_are_located(cli, tmp_path):
    write(tmp_path, changes=CHANGES.replace("Tiltak A", "Tiltak A\x07"))
    assert "data/changes/c.yaml:6:22: error: YAML does not allow the character U+0007 here" in run_bad(cli, tmp_path)
    write(tmp_path, changes=CHANGES.replace("    etikett: Innsparing B", "    etikett: 'Innsparing B"))
    err = run_bad(cli, tmp_path)
    assert "data/changes/c.yaml:11:14: error: YAML syntax: the file ends inside a quoted text opened here" in err


def test_every_frame_listing_a_missing_file_is_told(cli, tmp_path):
    write(tmp_path, frame=FRAME + "  - ../changes/missing.yaml\n")
    other = FRAME.replace("id: f", "id: f2").replace("../changes/c.yaml", "../changes/missing.yaml")
    (tmp_path / "data/frames/f2.yaml").write_text(other, encoding="utf-8")
    err = run_bad(cli, tmp_path)
    assert "data/frames/f.yaml:17:5: error: the changes file '../changes/missing.yaml'" in err
    assert "data/frames/f2.yaml:16:5: error: the changes file '../changes/missing.yaml'" in err


def test_a_file_listed_twice_or_a_folder_listed(cli, tmp_path):
    write(tmp_path, frame=FRAME + "  - ../changes/./c.yaml\n")
    assert ("data/frames/f.yaml:17:5: error: '../changes/./c.yaml' is the same file as entry 1 of 'endringer'"
            in run_bad(cli, tmp_path, "check", "data/frames/f.yaml"))
    write(tmp_path, frame=FRAME.replace("../changes/c.yaml", "../changes"))
    err = run_bad(cli, tmp_path, "check", "data/frames/f.yaml")
    assert ("data/frames/f.yaml:16:5: error: the changes file '../changes' (data/changes): is a folder, not a "
            "file") in err


def test_an_invalid_frame_still_has_its_changes_files_checked(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("kommune: Testkommune", "kommune: ''"),
          changes=CHANGES.replace("kategori: innsparing", "kategori: sparing"))
    err = run_bad(cli, tmp_path, "check", "data/frames/f.yaml")
    assert "data/frames/f.yaml:3:10: error: kommune is empty" in err
    assert "data/changes/c.yaml:12:15: error: poster.1.kategori: 'sparing' is not allowed" in err
    assert "does not list this changes file" not in run_bad(cli, tmp_path)


def test_a_split_without_a_base_cannot_be_checked(cli, tmp_path):
    write(tmp_path, frame=FRAME.replace("  beløp: 1000\n", "  fordeling: [{etikett: X, beløp: {2024: 5}}]\n"))
    # (A printed new frame without a start is the total change: checked, see test_trust_numbers.)
    assert "a published start or split can only be checked from a starting frame" in run_bad(cli, tmp_path)


def test_a_group_cycle_names_only_the_groups_in_it(cli, tmp_path):
    groups = ("  - {id: h, etikett: H, under: i}\n  - {id: i, etikett: I, under: h}\n"
              "  - {id: x, etikett: X, under: h}\n")
    write(tmp_path, frame=FRAME.replace("endringer:\n", groups + "endringer:\n"))
    err = run_bad(cli, tmp_path)
    cycles = [line for line in err.splitlines() if "placed under itself" in line]
    assert all(line.split(": ")[1] == "error" for line in cycles)
    assert [line.split(": ")[2] for line in cycles] == ["group 'h' is (through 'under') placed under itself",
                                                      "group 'i' is (through 'under') placed under itself"]


def test_other_yaml_in_a_folder_is_skipped_with_a_warning(cli, tmp_path):
    write(tmp_path)
    (tmp_path / "data" / "mkdocs.yml").write_text("site_name: Budsjett\n", encoding="utf-8")
    result = cli("check", "data", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "data/mkdocs.yml:1:1: warning: no 'type' key: not a rammecalc file; skipped" in result.stderr
    named = cli("check", "data/mkdocs.yml", cwd=tmp_path)  # named on the command line: an error
    assert named.exit_code == 2 and "missing key 'type'" in named.stderr


@pytest.mark.parametrize("text, expected", [
    # the innermost bracket left open, with its line and column (1-based), counted by hand
    ("a: [1, 2,\n", ("a '[…]' list", 1, 4)),
    ("a: [{b: 1, c: [1, 2]},\n  {d: 1,\n", ("a '{…}' mapping", 2, 3)),
    # brackets in quoted text (also over two lines) and in comments do not count
    ('a: [1, "x]", # [ c\n  2,\n', ("a '[…]' list", 1, 4)),
    ('p: [{e: "tekst\n  # ikke [x", v: {2017: 1,\n', ("a '{…}' mapping", 2, 18)),
    ("a: ['it''s [', {b: 1,\n", ("a '{…}' mapping", 1, 16)),
    # an apostrophe inside a plain word opens no quote
    ("a: [{b: rock 'n roll, c: [1, 2,\n", ("a '[…]' list", 1, 26)),
    ("a: [1, 2]\nb: {c: 1}\n", None),
])
def test_the_bracket_left_open(text, expected):
    from rammecalc.loading import unclosed_bracket as _unclosed_bracket

    assert _unclosed_bracket(text) == expected
