"""The tricky parts of normalization: codes, percentages, rounding, units."""

from __future__ import annotations

import pytest
from conftest import cells, seed_profile
from poa.normalize.hierarchy import build_deviations, build_results, split_unit

from poa.core.numbers import half_up, parse_pct, read_pct
from poa.core.records import RawRow

CODE = seed_profile().code


@pytest.mark.parametrize("raw, code", [
    ("08-01.01.01-14", "08-01.01.01-14"),
    ("08-01.01.01- 09", "08-01.01.01-09"),  # wrapped inside its cell
    ("08-01.01.01-\n09", "08-01.01.01-09"),
    (" 08 - 01.01.01 -09 ", "08-01.01.01-09"),
    ("O8-01.0l.01-09", "08-01.01.01-09"),  # O/0 and l/1 confusions
    ("08-01.01.01-1I", "08-01.01.01-11"),
    ("08-01.01-09", None),
    ("XX", None),
    ("08-01.01.01- 0S", "08-01.01.01-05"),  # OCR: S for 5, B for 8, a comma or an en dash for a separator
    ("O8-0B.0I.01-1S", "08-08.01.01-15"),
    ("08-01,01.01–05", "08-01.01.01-05"),
    ("08-01.01.01- 04 :", "08-01.01.01-04"),  # a speck read after the code
    ("08-01.01.01-(0)", None),  # not a digit look-alike: left to the unit's numbering
    ("S8-01.01.01-05 Se realizó", None),  # text after the code: no guess
])
def test_codes_are_normalized_and_repaired(raw, code):
    assert CODE.read(raw).code == code


def test_letters_are_taken_for_digits_only_where_the_pattern_puts_a_digit():
    assert CODE.read("08-01.01.01-05").repaired is False
    assert CODE.read("08-01.0I.01-05").repaired is True
    assert CODE.read("0S-01.01.01-05").code == "05-01.01.01-05"
    assert CODE.read("08-01.01.01-5S").code == "08-01.01.01-55"


def test_an_unreadable_last_part_is_what_the_units_numbering_brackets():
    before, after = CODE.read("08-01.01.01-04"), CODE.read("08-01.01.01-06")
    assert CODE.objective_of("08-01.01.01- (0)") == "08-01.01.01"
    filled = CODE.between("08-01.01.01- (0)", before, after)
    assert (filled.code, filled.sequence, filled.repaired) == ("08-01.01.01-05", 5, True)
    assert CODE.between("08-01.01.01- (0)", before, CODE.read("08-01.01.01-07")).code is None  # a gap of two
    assert CODE.between("08-01.01.01- (0)", before, CODE.read("08-01.01.02-06")).code is None  # another objective
    assert CODE.between("Se realizó", before, after).code is None
    assert CODE.follows(CODE.read("08-01.01.01-0S"), before, after)
    assert not CODE.follows(CODE.read("08-01.01.01-08"), before, after)


def test_code_parts_and_repair_flag():
    c = CODE.read("O8-01.01.02-05")
    assert (c.objective, c.sequence, c.repaired) == ("08-01.01.02", 5, True)
    assert CODE.read("08-01.01.02- 05").repaired is False  # whitespace only: not a repair


@pytest.mark.parametrize("raw, value", [
    ("50%", 50.0), ("50 %", 50.0), ("50,5 %", 50.5), ("100%", 100.0), ("0%", 0.0), ("7", 7.0),
    ("", None), ("  ", None), ("n/a", None),
])
def test_percentages_to_numbers(raw, value):
    assert parse_pct(raw) == value


@pytest.mark.parametrize("raw, value", [
    ("5096", 50.0), ("10096", 100.0), ("096", 0.0), ("596", 5.0),  # "%" read as "96"
    ("509%", 50.0), ("50 o/o", 50.0), ("50°/o", 50.0), ("50%o", 50.0),  # as "9%", "o/o", "%o"
    ("S0%", 50.0), ("$0%", 50.0), ("S$0%", 50.0), ("l00%", 100.0), ("O%", 0.0),  # a letter for a digit
])
def test_a_misread_percent_sign_is_repaired_where_the_plain_reading_is_impossible(raw, value):
    assert (read_pct(raw).value, read_pct(raw).repaired) == (value, True)


@pytest.mark.parametrize("raw, value", [("96", 96.0), ("150%", 150.0), ("99%", 99.0), ("19%", 19.0), ("5,5 %", 5.5)])
def test_a_figure_that_can_be_read_plainly_is_not_repaired(raw, value):
    """In range, or out of range with its sign printed plainly (a report can misprint 150 %: a finding, not a repair)."""
    assert (read_pct(raw).value, read_pct(raw).repaired) == (value, False)


@pytest.mark.parametrize("x, rounded", [(62.5, 63), (48.5, 49), (0.5, 1), (41.6667, 42), (28.5714, 29), (44.4999, 44)])
def test_half_up_rounding_is_not_bankers_rounding(x, rounded):
    assert half_up(x) == rounded


def test_python_round_would_get_the_ministry_wrong():
    assert round(62.5) == 62 and half_up(62.5) == 63


@pytest.mark.parametrize("texts, unit", [
    (("07", "Unidad de Análisis Jurídico", ""), ("07", "Unidad de Análisis Jurídico")),
    (("09 Unidad Financiera", "", ""), ("09", "Unidad Financiera")),
    (("03", "Unidad de Comunicación Social:", ""), ("03", "Unidad de Comunicación Social:")),
    (("", "Área de Sistemas", ""), None),
])
def test_unit_rows_with_or_without_a_cell_for_the_number(texts, unit):
    assert split_unit(list(texts)) == unit


def row(*texts, page=1):
    return RawRow("results", cells("results", *texts), (page,), (0, 0, 1, 1))


def test_renumbered_units_stay_apart_and_results_keep_their_own_unit():
    rows = [
        row("13", "Unidad A", "", "50%"), row("08-01.01.01-01", "a", "b", "50%"),
        row("13", "Unidad B", "", "0%"), row("08-01.01.01-01", "c", "d", "0%"),
    ]
    nodes, results = build_results("d", rows, seed_profile())
    assert [n.name for n in nodes] == ["Unidad A", "Unidad B"]
    assert results[0].unit_id != results[1].unit_id
    assert [(r.unit_number, r.unit_name) for r in results] == [("13", "Unidad A"), ("13", "Unidad B")]


def test_group_row_closes_its_units_and_total_closes_groups():
    rows = [
        row("VICEMINISTERIO X", "", "", "40%", "30%"), row("DIRECCIÓN GENERAL Y", "", "", "40%"),
        row("01", "Unidad", "", "40%"), row("", "Área de Z:"), row("08-01.01.01-01", "e", "o", "40%"),
        row("Ejecución Física Promedio de las Unidades Sustantivas", "", "", "40%", "30%"),
        row("EJECUCIÓN FÍSICA PROMEDIO DEL NIVEL OPERATIVO CENTRAL", "", "", "40%", "30%"),
    ]
    nodes, results = build_results("d", rows, seed_profile())
    levels = {n.level: n for n in nodes}
    assert [n.level for n in nodes] == ["viceministry", "direction", "unit", "area", "section", "total"]
    assert levels["area"].parent_id == levels["unit"].node_id
    assert levels["unit"].parent_id == levels["direction"].node_id
    assert levels["viceministry"].parent_id == levels["section"].node_id
    assert levels["section"].parent_id == levels["total"].node_id and levels["section"].is_group
    r = results[0]
    assert (r.viceministry, r.direction, r.unit_number, r.area, r.group) == (
        "VICEMINISTERIO X", "DIRECCIÓN GENERAL Y", "01", "Área de Z:",
        "Ejecución Física Promedio de las Unidades Sustantivas")


def test_text_is_kept_as_printed_and_blank_progress_is_null():
    nodes, results = build_results("d", [row("01", "U"), row("08-01.01.01-04", "Se hizo  algo.", "Ninguno.", "")], seed_profile())
    assert results[0].expected == "Se hizo  algo."  # normalize does not touch text the extractor joined
    assert results[0].physical_pct is None and results[0].physical_raw == ""


def test_deviation_rows_take_the_unit_header_above_them():
    rows = [RawRow("deviations", cells("deviations", *c), (1,), (0, 0, 1, 1)) for c in [
        ("10 Unidad Administrativa y Recursos Humanos", "", "", ""),
        ("08-01.01.01-02", "Se elaboró el rol", "Ninguna.", "Resultado programado."),
        ("15", "Unidad de Evaporíticos y No Metálicos", "", ""),
        ("01-02.02.01-03", "Se dio seguimiento", "Ninguna.", "Modificar."),
    ]]
    devs = build_deviations("d", rows, seed_profile())
    assert [(d.unit_number, d.unit_name, d.code) for d in devs] == [
        ("10", "Unidad Administrativa y Recursos Humanos", "08-01.01.01-02"),
        ("15", "Unidad de Evaporíticos y No Metálicos", "01-02.02.01-03"),
    ]


def test_an_unnumbered_row_with_its_own_figure_is_a_unit_and_one_without_is_kept_as_other():
    nodes, results = build_results("d", [
        row("01", "Unidad A", "", "50%"), row("08-01.01.01-01", "a", "b", "50%"),
        row("Unidad de Auditoría Interna", "", "", "63%"), row("08-01.01.01-01", "c", "d", "63%"),
        row("Nota: cifras preliminares"),
    ], seed_profile())
    assert [(n.level, n.number, n.name) for n in nodes] == [
        ("unit", "01", "Unidad A"), ("unit", None, "Unidad de Auditoría Interna"),
        ("other", None, "Nota: cifras preliminares")]
    assert results[1].unit_name == "Unidad de Auditoría Interna" and results[1].unit_id == nodes[1].node_id


def test_a_date_that_does_not_exist_is_left_out_of_the_metadata():
    from poa.normalize.metadata import iso

    assert iso("30", "06", "2016") == "2016-06-30"
    assert iso("31", "02", "2016") is None


def test_a_code_filled_from_the_units_numbering_is_keyed_and_linked_as_that_code():
    """Issue 20's first bug: the repair ran in validate, after the keys and the links, so the result kept a
    `texto-<hash>` key while its code became 08-01.01.01-05, and its deviation got a false
    deviation_code_mismatch. Filled in normalize, before the keys: key, link and code agree."""
    from poa.normalize import normalize
    from poa.validate import validate

    from poa.core.records import Document, Extraction

    rows = [row("01", "Unidad de Auditoría Interna", "", "30%"), row("08-01.01.01-04", "Se auditó", "Hecho", "50%"),
            row("08-01.01.01-(0)", "Se revisó el control interno", "En curso", "10%"),
            row("08-01.01.01-06", "Se informó", "Hecho", "30%")]
    rows += [RawRow("deviations", cells("deviations", *c), (1,), (0, 0, 1, 1)) for c in [
        ("01 Unidad de Auditoría Interna", "", "", ""),
        ("08-01.01.01-05", "Se revisó el control interno", "Falta de personal.", "Contratar.")]]
    ex = Extraction(seed_profile(), "x.pdf", 1, "geometry", "pdfium", {}, rows, [])
    report = validate(normalize(ex, Document("d" * 16, "x.pdf", "")))
    (filled,) = [r for r in report.results if r.code_raw == "08-01.01.01-(0)"]
    assert filled.code == "08-01.01.01-05" and filled.result_key.endswith("/08-01.01.01-05")
    (dev,) = report.deviations
    assert dev.result_id == filled.result_id and dev.result_key == filled.result_key
    checks = {f.check for f in report.findings if f.subject_id in (filled.result_id, dev.deviation_id)}
    assert "code_repaired" in checks and "deviation_code_mismatch" not in checks
