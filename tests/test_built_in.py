"""The built-in templates beside the seed's, read on the real reports they were made for, with the rows written
by hand from the printed page (not from poa's output).

The Caja Nacional de Salud's "EVALUACIÓN A.C.P. INSTITUCIONAL" for 2022 (`tests/real-world/`): nine short-term
actions, the code printed in the action's own cell ("ACP.- 6" halfway down a wrapped text), the quarter's and the
cumulative compliance %, a total that is their mean to two decimals, a band line above the table, and a bar
chart whose labels repeat the figures.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

REAL_WORLD = ROOT / "tests" / "real-world"
CNS = REAL_WORLD / "BO_CNS_Evaluacion_ACP_2022.pdf"

# (code as printed, the action as printed, quarter %, cumulative %), from the page
CNS_ROWS = [
    ("ACP.- 1", "IMPLEMENTAR LA RED DE SALUD FUNCIONAL INTEGRAL E INTEGRADA", 53.92, 53.92),
    ("ACP.- 2", "FORTALECER LA ATENCIÓN INTEGRAL MATERNO INFANTIL NEONATAL", 49.26, 49.26),
    ("ACP.- 3", "CONTROLAR AL 85% DE PACIENTES CON ENFERMEDADES TRANSMISIBLES Y NO TRANSMISIBLES", 52.49, 52.49),
    ("ACP.- 4", "FORTALECER LA GESTION INTEGRAL DEL SUMINISTRO DE MEDICAMENTOS E INSUMOS", 61.95, 61.95),
    ("ACP.- 5", "PROTEGER LA SALUD OCUPACIONAL EN EMPRESAS Y TRABAJADORES", 79.92, 79.92),
    ("ACP.- 6", "ATENCION OPORTUNA ANTE EMERGENCIAS, DESASTRES Y EPIDEMIAS A LA POBLACIÓN ASEGURADA EN "
                "ESTABLECIMIENTOS DE SALUD", 84.39, 84.39),
    ("ACP.- 7", "ADMINISTRACIÓN EFICIENTE DE RECURSOS HUMANOS", 50.22, 50.22),
    ("ACP.- 8", "CALIDAD DE SERVICIOS Y SIMPLIFICACIÓN DE TRAMITES", 40.59, 40.59),
    ("ACP.- 9", "MEJORAR LA EFICIENCIA ADMINISTRATIVA FINANCIERA", 53.13, 53.13),
]


@pytest.fixture(scope="module", params=["pdfium", "pdfplumber"])
def cns(request):
    if not CNS.exists():
        pytest.skip(f"{CNS} is not in the repository")
    from poa import process

    return process(CNS, reader=request.param)


def test_the_cns_acp_evaluation_is_read_exactly_as_its_own_template(cns):
    doc = cns.document
    assert (doc.status, doc.template, doc.quality.template_fit, doc.quality.reasons) == ("ok", "evaluacion-acp", 1.0, [])
    assert [(r.code_raw, r.expected, r.physical_pct, r.cumulative_pct, r.page_first) for r in cns.results] == [
        (code, text, q, c, 1) for code, text, q, c in CNS_ROWS]
    assert [(r.code, r.sequence) for r in cns.results] == [(f"ACP.-{n}", n) for n in range(1, 10)]
    assert doc.year == 2022 and doc.period is None  # "GESTIÓN 2022"; which quarter, the report does not say
    assert doc.entity is None  # no line of it names the Caja: never a chart label or a header taken for it


def test_the_total_and_the_band_are_recomputed_and_hold(cns):
    (total,) = cns.units
    assert (total.level, total.name, total.reported_physical_pct, total.reported_cumulative_pct) == (
        "total", "TOTAL CUMPLIMIENTO", 58.43, 58.43)
    assert total.recomputed_physical_pct == pytest.approx(525.87 / 9)  # the mean of the nine, 58.43 to two decimals
    assert total.recomputed_cumulative_pct == pytest.approx(525.87 / 9)
    assert cns.document.band == "CUMPLIMIENTO : 58.43% -> REGULAR (51% - 75%)"
    assert cns.findings == []  # every figure holds, and the form has no rule the report breaks


def test_the_charts_labels_stay_out_of_the_rows(cns):
    """The bar chart above the table labels its bars "ACP.- 1" … with their figures: text, not rows."""
    chart = [lo.text for lo in cns.leftovers if lo.text.startswith("ACP.-")]
    assert len(chart) == 9 and all(lo.page == 1 for lo in cns.leftovers)
    assert len(cns.results) == 9


def test_a_band_or_a_total_the_rows_do_not_give_is_found():
    """The same report with its total misprinted and its band naming a range its figure is not in."""
    from dataclasses import replace

    from poa.validate import validate

    from poa import process

    report = process(CNS)
    total = report.units[0]
    band = next(lo for lo in report.leftovers if lo.text.startswith("CUMPLIMIENTO :"))
    broken = replace(report, units=[replace(total, reported_physical_pct=60.0, recomputed_physical_pct=None)],
                     leftovers=[replace(band, text="CUMPLIMIENTO : 58.43% -> BUENO (76% - 90%)") if lo is band else lo
                                for lo in report.leftovers], findings=[])
    broken.document = replace(report.document)
    checked = validate(broken)
    assert sorted((f.check, f.reported) for f in checked.findings) == [
        ("average_mismatch", 60.0), ("band_mismatch", 58.43)]
    assert "fuera del rango que ella misma da (76 % – 90 %)" in next(
        f.message for f in checked.findings if f.check == "band_mismatch")


def test_no_report_is_read_as_another_family():
    from poa import process

    seed = process(ROOT / "samples" / "mmm-2016-s1-ruled.pdf")
    assert (seed.document.template, seed.document.status) == ("seguimiento-poa", "ok")
    assert seed.document.quality.template_rivals == []
    forced = process(CNS, template="seguimiento-poa")
    assert forced.document.status == "failed" and not forced.results
    forced = process(ROOT / "samples" / "mmm-2016-s1-ruled.pdf", template="evaluacion-acp")
    assert forced.document.status == "failed" and not forced.results
