"""What other templates print beside a result's %: targets and achievements, weights, budgets, a cumulative %, in
their own number formats, and the arithmetic their profiles say the report uses (a weighted mean, two decimals, a
row's own achieved / target, budget as a ratio of sums); and the tables no profile claims, kept as raw cells.

The report here is made by hand, row by row as an engine would hand it over (cells by role, as printed), so that
every figure it must yield is known without a PDF: the weighted ACP follow-up of issue 18, in miniature.
"""

from __future__ import annotations

import tomllib

import pytest
from poa.extract.page import Ruling
from poa.extract.unclaimed import unclaimed_cells
from poa.normalize import normalize
from poa.validate import validate
from test_layout import at

from poa.core.numbers import half_up, read_amount
from poa.core.profile import ProfileError
from poa.core.profiles import parse
from poa.core.records import Document, Extraction, RawRow

WEIGHTED = r"""
name = "seguimiento-ponderado"
title = "Seguimiento de acciones de corto plazo ponderadas, con presupuesto (prueba)"

[code]
pattern = '(?P<objective>\d+)\.(?P<sequence>\d+)'
starts = '\d+\.\d+'

[header]
anchor = '^cod'
words = ["cod.", "pond.", "acciones", "de", "corto", "plazo", "vigente", "ejecutado", "%", "ppto.", "meta",
         "programada", "alcanzada", "fisico"]
closing = '^fuente'

[[tables]]
kind = "results"
named_by = ["acciones"]
columns = [
    { role = "code", titles = ['^cod'] },
    { role = "weight", titles = ['^pond'] },
    { role = "expected", titles = ['^acciones'] },
    { role = "budget_current", titles = ['^vigente'] },
    { role = "budget_executed", titles = ['^ejecutado'] },
    { role = "budget", titles = ['^ppto'] },
    { role = "target", titles = ['^programada'] },
    { role = "achieved", titles = ['^alcanzada'] },
    { role = "physical", titles = ['^fisico'] },
    { role = "cumulative", titles = ['^acumulado'], optional = true },
]

[[levels]]
name = "area"
label = "Área"
called = "el área"
numbered = true
results = true

[rows]
total = '^total'

[arithmetic]
average = "weighted"
decimals = 2
row_pct = true
budget_ratio = true
decimal_mark = ","
blank = ["NP", "-"]
"""

ROLES = ("code", "weight", "expected", "budget_current", "budget_executed", "budget", "target", "achieved", "physical",
         "cumulative")


def row(*cells: str) -> RawRow:
    return RawRow("results", dict(zip(ROLES, cells + ("",) * (len(ROLES) - len(cells)))), (1,), (0, 0, 1, 1))


# Area 1: weighted (30 × 50 + 70 × 100) / 100 = 85,00 (the plain mean would be 75); budget 3.250 / 4.000 = 81,25 %.
# Area 2: 2.1 not programmed (NP: a blank, never a zero), 2.2 prints 70,00 % where 6 / 8 is 75,00 %; the area's
# figure is 2.2's alone, 70,00; budget 500 / 1.000 = 50 %.
# Total: weighted by the areas' weights, (100 × 85 + 50 × 70) / 150 = 80,00 — it prints 73,33, the plain mean of
# the three results; budget (3.250 + 500) / 5.000 = 75 % — it prints 70,00 %.
ROWS = [
    row("1", "", "Área de Salud", "", "", "81,25%", "", "", "85,00%"),
    row("1.1", "30", "Implementar la red de salud", "1.000,00", "250,00", "25,00%", "10", "5", "50,00%", "50,00%"),
    row("1.2", "70", "Fortalecer la atención", "3.000,00", "3.000,00", "100,00%", "4", "4", "100,00%", "100,00%"),
    row("2", "", "Área Administrativa", "", "", "50,00%", "", "", "70,00%"),
    row("2.1", "50", "Actualizar el inventario", "500,00", "100,00", "20,00%", "NP", "-", "NP", "-"),
    row("2.2", "50", "Capacitar al personal", "500,00", "400,00", "80,00%", "8", "6", "70,00%", "70,00%"),
    row("TOTAL", "", "", "", "", "70,00%", "", "", "73,33%"),
]


@pytest.fixture(scope="module")
def report():
    profile = parse(tomllib.loads(WEIGHTED))
    ex = Extraction(profile=profile, source_path="ponderado.pdf", pages=1, engine="geometry", reader="pdfium",
                    header_texts={"results": "Cód. Pond. Acciones de corto plazo"}, rows=ROWS, leftovers=[])
    return validate(normalize(ex, Document(doc_id="ponderado", source_path="ponderado.pdf", sha256="0" * 64)))


def by_code(report, code):
    return next(r for r in report.results if r.code_raw == code)


def node(report, name):
    return next(n for n in report.nodes if n.name.startswith(name))


def test_every_figure_a_row_prints_is_kept_typed_and_as_printed(report):
    r = by_code(report, "1.1")
    assert (r.weight, r.target, r.achieved, r.budget_current, r.budget_executed, r.budget_pct, r.physical_pct,
            r.cumulative_pct) == (30, 10, 5, 1000, 250, 25, 50, 50)
    assert (r.budget_current_raw, r.weight_raw, r.cumulative_raw) == ("1.000,00", "30", "50,00%")


def test_a_not_programmed_mark_is_a_blank_never_a_zero_nor_an_unreadable_cell(report):
    r = by_code(report, "2.1")
    assert (r.target, r.achieved, r.physical_pct, r.cumulative_pct) == (None, None, None, None)
    assert (r.target_raw, r.achieved_raw, r.physical_raw) == ("NP", "-", "NP")
    assert report.document.quality.pct_unreadable == 0


def test_a_weighted_profile_weights_each_result_and_each_level_by_the_weights_under_it(report):
    assert node(report, "Área de Salud").recomputed_physical_pct == pytest.approx(85.0)
    assert node(report, "Área Administrativa").recomputed_physical_pct == pytest.approx(70.0)
    assert node(report, "TOTAL").recomputed_physical_pct == pytest.approx(80.0)


def test_a_printed_figure_made_by_another_average_is_named_for_what_it_is(report):
    (f,) = [f for f in report.findings if f.check == "average_mismatch"]
    assert f.subject_id == node(report, "TOTAL").node_id and f.severity == "warning"
    assert (f.reported, f.recomputed) == (73.33, 80.0)
    assert "con el promedio simple de sus resultados, sin ponderar" in f.message and "80.00 %" in f.message


def test_a_rows_own_percentage_is_its_achieved_over_its_target(report):
    (f,) = [f for f in report.findings if f.check == "row_pct_mismatch"]
    assert (f.subject_id, f.reported, f.recomputed) == (by_code(report, "2.2").result_id, 70.0, 75.0)
    assert "la meta ejecutada (6) entre la programada (8)" in f.message


def test_budget_percentages_are_ratios_of_sums(report):
    assert node(report, "Área de Salud").recomputed_budget_pct == pytest.approx(81.25)
    assert node(report, "TOTAL").recomputed_budget_pct == pytest.approx(75.0)
    (f,) = [f for f in report.findings if f.check == "budget_mismatch"]
    assert (f.subject_id, f.reported, f.recomputed) == (node(report, "TOTAL").node_id, 70.0, 75.0)
    assert not [f for f in report.findings if f.check in ("budget_pct_mismatch", "budget_not_recomputable")]


def test_units_know_their_depth_and_what_the_report_calls_their_level(report):
    assert [(n.level, n.depth, n.level_label) for n in report.nodes] == [
        ("area", 0, "Área"), ("area", 0, "Área"), ("total", None, "Total")]


def test_the_working_paper_and_the_workbook_follow_the_profiles_arithmetic(report, tmp_path):
    from poa.outputs.audit import render_html
    from poa.outputs.working import workings

    w = next(w for w in workings(report) if w.node.name == "Área de Salud")
    assert (w.weighted, w.total, w.weights, w.rounded, w.holds) == (True, 8500.0, 100.0, 85.0, True)
    html = render_html(report)
    assert "Promedio ponderado por el peso (Pond.)" in html and "redondeado a 2 decimales" in html
    assert "Presupuesto ejecutado ÷ presupuesto vigente × 100" in html


@pytest.mark.parametrize("text,mark,want", [
    ("2.114.698,00", ",", 2114698.0), ("2,114,698.00", ".", 2114698.0), ("S/ 1,250", ".", 1250.0),
    ("Bs. 300,5", ",", 300.5), ("100%", ",", 100.0), ("-12", ",", -12.0), ("NP", ",", None), ("", ",", None),
    ("1.5", ",", None), ("1,23,4", ".", None), ("doce", ",", None)])
def test_amounts_read_in_the_reports_own_number_format(text, mark, want):
    assert read_amount(text, mark, blank=("NP",)) == want


def test_half_up_rounds_to_any_number_of_decimals_as_the_reports_do():
    assert (half_up(62.5), half_up(48.5), half_up(58.425, 2), half_up(0.125, 2), half_up(2.675, 2)) == (63, 49, 58.43, 0.13, 2.68)


@pytest.mark.parametrize("change,field", [
    (("row_pct = true", "row_pct = true\nbogus = 1"), "arithmetic.bogus"),
    (("decimals = 2", "decimals = 9"), "arithmetic.decimals"),
    (('decimal_mark = ","', 'decimal_mark = ";"'), "arithmetic.decimal_mark"),
    (('average = "weighted"', 'average = "median"'), "arithmetic.average"),
    (("    { role = \"weight\", titles = ['^pond'] },\n", ""), "arithmetic.average"),
    (("    { role = \"target\", titles = ['^programada'] },\n", ""), "arithmetic.row_pct"),
    (("    { role = \"budget_current\", titles = ['^vigente'] },\n", ""), "arithmetic.budget_ratio"),
])
def test_an_arithmetic_rule_over_a_column_the_table_lacks_is_refused_naming_the_field(change, field):
    broken = WEIGHTED.replace(*change)
    assert broken != WEIGHTED
    with pytest.raises(ProfileError) as e:
        parse(tomllib.loads(broken))
    assert e.value.where == field


# ---------------------------------------------------------------- tables no profile claims


def test_a_table_no_profile_claims_is_kept_cell_by_cell():
    ws = (at("N°", 40, 100) + at("Categoría", 80, 100) + at("PIM", 300, 100) + at("Avance %", 400, 100)
          + at("1", 40, 112) + at("Gestión del riesgo", 80, 112) + at("S/ 4,532,445.00", 300, 112) + at("59%", 400, 112)
          + at("sísmico", 80, 124)
          + at("2", 40, 136) + at("Acciones centrales", 80, 136) + at("S/ 1,000.00", 300, 136) + at("100%", 400, 136))
    cells = unclaimed_cells(3, ws)
    grid = {(c.row, c.column): c.text for c in cells}
    assert grid == {(1, 1): "N°", (1, 2): "Categoría", (1, 3): "PIM", (1, 4): "Avance %",
                    (2, 1): "1", (2, 2): "Gestión del riesgo", (2, 3): "S/ 4,532,445.00", (2, 4): "59%",
                    (3, 2): "sísmico",
                    (4, 1): "2", (4, 2): "Acciones centrales", (4, 3): "S/ 1,000.00", (4, 4): "100%"}
    assert {(c.page, c.table) for c in cells} == {(3, 1)}


def test_a_ruled_table_is_cut_at_its_rulings():
    ws = at("Meta", 40, 100) + at("Ejecutado", 120, 100) + at("12", 40, 112) + at("10", 120, 112)
    down = [Ruling(x, 95, x, 125) for x in (35, 110, 200)]
    cells = unclaimed_cells(1, ws, down)
    assert [(c.row, c.column, c.text) for c in cells] == [(1, 1, "Meta"), (1, 2, "Ejecutado"), (2, 1, "12"), (2, 2, "10")]


def test_paragraphs_and_title_lines_are_no_table():
    # spaces a line height or two wide, each line's elsewhere, as a justified paragraph spreads its words
    justified = (at("Durante el primer semestre", 40, 100) + at("la Oficina", 170, 100) + at("de Asesoría Jurídica", 232, 100)
                 + at("ha logrado", 40, 112) + at("un avance", 100, 112) + at("físico y financiero del", 156, 112)
                 + at("100% en sus", 40, 124) + at("actividades operativas", 108, 124) + at("programadas.", 219, 124))
    title = at("MINISTERIO DE SALUD", 200, 300) + at("GESTIÓN 2022", 200, 312)
    assert unclaimed_cells(1, justified + title) == []
