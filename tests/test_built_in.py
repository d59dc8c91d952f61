"""The built-in templates beside the seed's, read on the real reports they were made for, with the rows written
by hand from the printed page (not from poa's output).

The Caja Nacional de Salud's "EVALUACIÓN A.C.P. INSTITUCIONAL" for 2022 (`tests/real-world/`): nine short-term
actions, the code printed in the action's own cell ("ACP.- 6" halfway down a wrapped text), the quarter's and the
cumulative compliance %, a total that is their mean to two decimals, a band line above the table, and a bar
chart whose labels repeat the figures.
"""

from __future__ import annotations

from pathlib import Path

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
    (total,) = cns.nodes
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
    """The same report with its total's two figures misprinted and its band naming a range its figure is not in."""
    from dataclasses import replace

    from poa.validate import validate

    from poa import process

    report = process(CNS)
    total = report.nodes[0]
    band = next(lo for lo in report.leftovers if lo.text.startswith("CUMPLIMIENTO :"))
    broken = replace(report, nodes=[replace(total, reported_physical_pct=60.0, reported_cumulative_pct=50.0,
                                            recomputed_physical_pct=None, recomputed_cumulative_pct=None)],
                     leftovers=[replace(band, text="CUMPLIMIENTO : 58.43% -> BUENO (76% - 90%)") if lo is band else lo
                                for lo in report.leftovers], findings=[])
    broken.document = replace(report.document)
    checked = validate(broken)
    assert sorted((f.check, f.reported) for f in checked.findings) == [
        ("average_mismatch", 60.0), ("band_mismatch", 58.43), ("cumulative_mismatch", 50.0)]
    assert "fuera del rango que ella misma da (76 % – 90 %)" in next(
        f.message for f in checked.findings if f.check == "band_mismatch")


# The Instituto Geofísico del Perú's "Evaluación de implementación del POI 2021, primer semestre": Cuadro N° 1
# (page 6), Cuadro N° 07 (page 16) and Tabla N° 8 (page 17), from the pages.
IGP = REAL_WORLD / "PE_IGP_Evaluacion_POI_2021_I_semestre.pdf"
ACTIVITIES = [  # code, description, programmed, executed, avance % (NP: not programmed)
    ("02.01", "Presidencia Ejecutiva", "6", "6", "100%"),
    ("03.01", "Oficina de Control Interno", "23", "28", "122%"),
    ("04.01", "Gerencia General", "6", "6", "100%"),
    ("04.02", "Oficina de Asesoria JurÍdica", "6", "6", "100%"),
    ("04.03", "Oficina de Planeamiento y Presupuesto", "7", "7", "100%"),
    ("04.04", "Oficina de Administración", "6", "7", "117%"),
    ("04.05", "Oficina de Tecnología de la Información y Datos Geofisicos", "26", "25", "96%"),
    ("05.01", "Dirección Científica", "9", "8", "89%"),
    ("05.02", "Ciencias de la Tierra Solida", "13", "14", "108%"),
    ("05.03", "Ciencias de la Atmósfera e Hidrósfera", "17", "17", "100%"),
    ("05.04", "Redes Geofísicas", "391", "431", "110%"),
    ("05.05", "Geofísica y Sociedad", "NP", "NP", "NP"),
    ("05.06", "Observatorio de Huancayo", "12", "12", "100%"),
    ("05.07", "Observatorio Vulcanológico del Sur", "152", "195", "128%"),
    ("05.08", "Radio Observatorio de Jicamarca", "710", "777", "109%"),
]
ACTIONS = [  # N°, code, action, programmed, executed, physical %, PIM, devengado, financial %
    ("1", "AEI.01.01", "Investigaciones en ciencias de la tierra solida de calidad para las entidades",
     "4", "7", "175%", "2,613,432", "1,224,025", "47%"),
    ("2", "AEI.01.02", "Investigaciones en ciencias de la atmósfera e hidrósfera de calidad para las entidades",
     "13", "13", "100%", "2,800,858", "1,315,224", "47%"),
    ("3", "AEI.01.03", "Investigaciones en ciencias de geo-espacio y astronomía de calidad para las entidades",
     "4", "4", "100%", "1,092,477", "420,292", "38%"),
    ("4", "AEI.02.01", "Estudios de la resiliencia de los ecosistemas priorizados frente a peligros geofisicos "
     "efectivos, para las entidades del SINAGERD", "2", "0.5", "25%", "135,919", "50,154", "37%"),
    ("5", "AEI.02.02", "Estudios de la resiliencia de la población y sus medios de vida frente a peligros "
     "geofisicos efectivos, para las entidades del SINAGERD", "1", "0.5", "50%", "209,281", "104,311", "50%"),
    ("6", "AEI.02.03", "Servicios informativos permanentes para las entidades del SINAGERD",
     "1", "1", "100%", "2,304,890", "1,045,197", "45%"),
    ("7", "AEI.02.04", "Asistencia técnica, sobre el uso de los servicios geofísicos, integral en beneficio de los "
     "Gobiernos Regionales y Locales", "6%", "0%", "0%", "801,724", "290,562", "36%"),
    ("8", "AEI.03.01", "Estaciones geofísicas operativas en beneficio de la Red Sismica Nacional",
     "95%", "95%", "100%", "10,502,904", "3,423,850", "33%"),
    ("9", "AEI.03.02", "Servicios informativos de ocurrencia de peligros geofisicos, oportunos, para el SINAGERD",
     "75%", "75%", "100%", "5,005,837", "2,898,762", "58%"),
    ("10", "AEI.03.03", "Servicio de transferencia de información oportuna a las entidades del SINAGERD",
     "335", "387", "116%", "352,255", "184,867", "52%"),
    ("11", "AEI.03.04", "Servicio de vigilancia ionosférica y de clima espacial, permanente, para el SINAGERD",
     "89%", "112%", "126%", "1,663,615", "713,752", "43%"),
    ("12", "AEI.03.05", "Servicio de Desarrollo Tecnólogico geofísico, innovador, para la red geofísica nacional",
     "2", "1", "50%", "681,506", "218,603", "32%"),
    ("13", "AEI.04.01", "Fortalecimiento de capacidades integral del personal del IGP",
     "26%", "46%", "177%", "5,618,080", "2,179,763", "39%"),
    ("14", "AEI.04.02", "Servicio civil implementado en beneficio del IGP", "40%", "40%", "100%", "995,080", "427,900",
     "43%"),
    ("15", "AEI.04.03", "Convenios de cooperación internacional implementados en el IGP",
     "9%", "9%", "100%", "241,008", "144,694", "60%"),
    ("16", "AEI.04.04", "Gestión por procesos implementados en el IGP", "14%", "14%", "100%", "1,405,373", "212,567",
     "15%"),
    ("17", "AEI.04.05", "Promover la igualdad de oportunidades entre varones y mujeres", "35%", "37%", "106%", "-", "-",
     "0%"),
    ("18", "AEI.04.06", "Promover la integridad y la lucha contra la corrupciónen el IGP",
     "40%", "88%", "220%", "456,056", "208,649", "46%"),
    ("19", "AEI.05.01", "Gestión eficiente del riesgo de deasastres en el IGP", "20%", "0%", "0%", "-", "-", "0%"),
]


@pytest.fixture(scope="module")
def igp():
    from poa import process

    return process(IGP)


def rows_of(report, part: str) -> list:
    return [r for r in report.results if r.part == part]


def test_the_igp_poi_evaluations_follow_up_tables_are_read_exactly(igp):
    doc = igp.document
    assert (doc.template, doc.quality.template_fit, doc.year, doc.period) == ("evaluacion-poi", 1.0, 2021, "2021-S1")
    cuadro_1 = rows_of(igp, "actividades")
    assert [(r.code_raw, r.expected, r.target_raw, r.achieved_raw, r.physical_raw, r.page_first) for r in cuadro_1] == [
        (*row, 6) for row in ACTIVITIES]
    assert [(r.target, r.achieved, r.physical_pct) for r in cuadro_1][:2] == [(6, 6, 100), (23, 28, 122)]
    assert (cuadro_1[11].target, cuadro_1[11].physical_pct) == (None, None)  # NP: nothing programmed, no zero
    cuadro_7 = rows_of(igp, "acciones-estrategicas")
    assert [(r.extra.get("N°"), r.code_raw, r.expected, r.target_raw, r.achieved_raw, r.physical_raw,
             r.budget_current_raw, r.budget_executed_raw, r.budget_raw) for r in cuadro_7] == ACTIONS
    assert {r.page_first for r in cuadro_7} == {16}
    first, seventh = cuadro_7[0], cuadro_7[6]
    assert (first.budget_current, first.budget_executed, first.budget_pct) == (2613432, 1224025, 47)
    assert (seventh.target, seventh.achieved, seventh.physical_pct) == (6, 0, 0)  # "6%" / "0%": goals as percentages
    tabla_8 = rows_of(igp, "actividades-fisico-financiero")
    assert [r.code_raw for r in tabla_8] == [a[0] for a in ACTIVITIES] and {r.page_first for r in tabla_8} == {17}
    assert (tabla_8[0].budget_current_raw, tabla_8[0].budget_current) == ("S/ 206,588.55", 206588.55)


def test_every_igp_total_is_recomputed_by_the_forms_rules_and_holds(igp):
    totals = {n.part: n for n in igp.nodes}
    assert all(n.level == "total" for n in igp.nodes) and len(totals) == 3
    c1, c7, t8 = totals["actividades"], totals["acciones-estrategicas"], totals["actividades-fisico-financiero"]
    assert (c1.reported_physical_pct, round(c1.recomputed_physical_pct, 2)) == (106, 105.64)  # mean of 14 (NP out)
    assert (c7.name, c7.reported_physical_pct, round(c7.recomputed_physical_pct, 2)) == ("TOTAL AVANCE", 97, 97.11)
    assert (c7.reported_budget_pct, round(c7.recomputed_budget_pct, 2)) == (41, 40.84)  # 15,063,168 / 36,880,295
    assert (t8.reported_physical_pct, t8.reported_budget_pct, t8.recomputed_budget_pct) == (106, 100, 100)
    # every row's % is its executed over its programmed, and its financial % its devengado over its PIM
    assert [f.check for f in igp.findings] == ["read_doubt"]


def test_the_igp_annex_it_does_not_read_puts_it_in_review_naming_the_pages(igp):
    """Pages 41 and 44 print the planning system's own follow-up report (AEI codes in a landscape grid no
    template describes): read, their cells are kept in `tables`, and the document says so."""
    assert igp.document.status == "review"
    assert igp.document.quality.reasons == ["pages 41, 44 hold result codes but no table was found on them"]
    assert {c.page for c in igp.unclaimed} >= {41, 44}


# ---------------------------------------------------------------- the weighted ACP follow-up with budget (form 4)

@pytest.fixture(scope="module", params=["writer", "chromium"])
def weighted(request):
    """The committed print (`python -m samples.weighted` makes it again) and what it must read back."""
    from poa import process
    from samples import weighted as form

    return process(form.prints()[request.param]), form.expected()


def test_the_committed_prints_of_the_rendered_forms_are_all_there():
    from samples import efficacy, weighted

    wanted = {*efficacy.prints().values(), *weighted.prints().values()}
    assert set(efficacy.FOLDER.glob("*.pdf")) == wanted


def test_a_weighted_acp_follow_up_is_read_exactly_and_only_its_planted_faults_are_found(weighted):
    report, want = weighted
    doc = report.document
    assert (doc.status, doc.template, doc.entity, doc.period) == ("ok", "seguimiento-acp-ponderado", want["entity"],
                                                                  want["period"])
    assert [dict(code=r.code_raw, weight=r.weight, expected=r.expected, budget_current=r.budget_current,
                 budget_executed=r.budget_executed, budget_pct=r.budget_pct, physical_pct=r.physical_pct,
                 obtained=r.obtained, group=r.group) for r in report.results] == want["results"]
    assert [(n.level, n.name, n.reported_physical_pct, n.reported_budget_pct) for n in report.nodes] == [
        (n["level"], n["name"], n["physical_printed"], n["budget_printed"]) for n in want["nodes"]]
    for got, n in zip(report.nodes, want["nodes"]):  # subtotals and total: weighted by Pond., budget as a ratio of sums
        assert got.recomputed_physical_pct == pytest.approx(n["physical"])
        assert got.recomputed_budget_pct == pytest.approx(n["budget"])
    names = {**{n.node_id: n.name for n in report.nodes}, **{r.result_id: r.code_raw for r in report.results}}
    assert sorted((f.check, names[f.subject_id]) for f in report.findings) == [tuple(f) for f in want["findings"]]
    off = next(f for f in report.findings if f.check == "average_mismatch")
    assert off.severity == "error" and "Ninguna regla de cálculo alternativa" in off.message


# ---------------------------------------------------------------- the transposed efficacy form (form 2)


@pytest.fixture(scope="module", params=["writer", "chromium"])
def efficacy(request):
    """The committed print (`python -m samples.efficacy` makes it again) and what it must read back."""
    from poa import process
    from samples import efficacy as form

    return process(form.prints()[request.param]), form.expected()


def test_a_transposed_efficacy_form_is_read_exactly_and_only_its_planted_fault_is_found(efficacy):
    report, want = efficacy
    doc = report.document
    assert (doc.status, doc.template, doc.entity, doc.period, doc.quality.reasons) == (
        "ok", "evaluacion-eficacia", want["entity"], want["period"], [])
    assert [dict(code=r.code_raw, expected=r.expected, target=r.target, achieved=r.achieved,
                 physical_pct=r.physical_pct) for r in report.results] == want["results"]
    assert [(r.code, r.sequence, r.page_first) for r in report.results] == [(f"OPE{n}", n, 1) for n in range(1, 16)]
    names = {r.result_id: r.code_raw for r in report.results}
    assert [(f.check, names[f.subject_id]) for f in report.findings] == want["findings"]
    (off,) = report.findings
    assert (off.reported, off.recomputed, off.severity) == (70.0, 60.0, "error")
    assert "70.00 %" in off.message and "que redondeado a 2 decimales es 60.00 %" in off.message
    # the chart's labels ("112.50%", "OPE 5" under its bars) are no row, nor the title lines; nothing is lost
    assert report.nodes == [] and doc.text_coverage == 1.0


def test_each_cell_of_a_transposed_table_knows_its_box(efficacy):
    report, _ = efficacy
    seven = next(r for r in report.results if r.code_raw == "OPE 7")
    boxes = {column: (top, bottom) for column, _, _, top, _, bottom in seven.cells}
    assert set(boxes) == {"code", "expected", "target", "achieved", "physical"}
    code, target, achieved, pct = (boxes[k] for k in ("code", "target", "achieved", "physical"))
    assert code[1] <= target[0] < target[1] <= achieved[0] < achieved[1] <= pct[0]
    assert boxes["expected"][1] <= code[0]  # the text stands in the list above the table


@pytest.mark.parametrize("damage", ["heading", "row label", "legend line", "column moved"])
def test_a_damaged_read_of_the_transposed_form_is_never_ok(damage):
    """The line of codes lost; the line of a row (META) lost; the first line of a wrapped entry of the list lost
    (its rest must not lengthen the entry above); OPE 7's figures moved onto OPE 8's."""
    from dataclasses import replace

    from conftest import pages_of, reading_from

    from poa import process
    from samples import efficacy as form

    path = form.prints()["writer"]
    (page,) = pages_of(path)
    words = page.words
    if damage == "column moved":
        at = next(i for i, w in enumerate(words) if w.text == "OPE" and words[i + 1].text == "7")
        seven, eight = words[at + 1], next(w for w in words[at + 2:] if w.text == "8")
        lo, hi, by = words[at].x0 - 8, seven.x1 + 8, eight.x1 - seven.x1
        damaged = tuple(replace(w, x0=w.x0 + by, x1=w.x1 + by) if w.top > seven.bottom and lo <= w.xc <= hi else w
                        for w in words)
    else:
        hit = next(w for w in words if w.text == {"heading": "DETALLE", "row label": "META", "legend line": "10.-"}[damage])
        damaged = tuple(w for w in words if abs(w.yc - hit.yc) > 2)
    with reading_from(path, [replace(page, words=damaged)]):
        report = process(path)
    doc = report.document
    assert doc.status in ("review", "failed"), damage
    if damage == "legend line":  # OPE 9 keeps its own text only
        nine = next(r for r in report.results if r.code_raw == "OPE 9")
        assert nine.expected == "Elaborar la memoria institucional de la gestión"
    if doc.status == "review":
        assert any("page 1" in r or "no column for" in r for r in doc.quality.reasons), doc.quality.reasons


# ---------------------------------------------------------------- no form read as another


SLOW = pytest.mark.slow  # reads the 47-page IGP report again (damaged, or through every other template)
FORMS = ["seguimiento-poa", "evaluacion-acp", "evaluacion-poi", "seguimiento-acp-ponderado", "evaluacion-eficacia"]


def form_examples() -> dict[str, Path]:
    from samples import efficacy, weighted

    return {"seguimiento-poa": ROOT / "samples" / "mmm-2016-s1-ruled.pdf", "evaluacion-acp": CNS,
            "evaluacion-poi": IGP, "seguimiento-acp-ponderado": weighted.prints()["chromium"],
            "evaluacion-eficacia": efficacy.prints()["writer"]}


@pytest.mark.parametrize("form", [pytest.param(f, marks=SLOW) if f == "evaluacion-poi" else f for f in FORMS])
def test_each_form_is_chosen_as_its_own_and_no_other_template_reads_it(form):
    """Every pair: a document of one form is read as its own when poa chooses, and forced through each other
    form's template it fails rather than give rows."""
    from poa import process

    path = form_examples()[form]
    if not path.exists():
        pytest.skip(f"{path} is not in the repository")
    chosen = process(path).document
    assert (chosen.template, chosen.quality.template_rivals) == (form, [])
    for other in FORMS:
        if other != form:
            forced = process(path, template=other)
            assert forced.document.status == "failed" and not forced.results, (form, other)


# ---------------------------------------------------------------- damaged reads of each form


def without_line(pages: list, page: int, word: str) -> list:
    """The pages with the text line that holds `word` on `page` gone (as a reader that missed it would give)."""
    from dataclasses import replace

    out = []
    for p in pages:
        if p.number == page:
            hit = next(w for w in p.words if w.text == word)
            p = replace(p, words=tuple(w for w in p.words if abs(w.yc - hit.yc) > 2))
        out.append(p)
    return out


def damaged_path(name: str) -> Path:
    """The document a damage test reads: a real report, or a committed print of a rendered form."""
    from samples import weighted

    prints = {f"weighted-{p}": path for p, path in weighted.prints().items()}
    return {"cns": CNS, "igp": IGP, **prints}[name]




@pytest.mark.parametrize("name,page,word", [
    ("cns", 1, "TRIMESTRAL"),  # the header's last line: the two % columns lose their titles
    pytest.param("igp", 6, "Descripción", marks=SLOW),  # Cuadro N° 1's header line that holds its anchor (Código)
    pytest.param("igp", 16, "PIM", marks=SLOW),  # Cuadro N° 07's line that names the budget columns
    ("weighted-writer", 1, "Pond."),  # the weighted form's first header line (Cod., Pond., the % titles)
    ("weighted-writer", 1, "Vigente"),  # …its second: the budget and physical columns lose their titles
    ("weighted-chromium", 1, "Físico"),
])
def test_a_read_that_lost_a_header_line_is_never_ok(name, page, word):
    from conftest import pages_of, reading_from

    from poa import process

    path = damaged_path(name)
    with reading_from(path, without_line(pages_of(path), page, word)):
        report = process(path)
    doc = report.document
    assert doc.status in ("review", "failed"), doc.status
    if doc.status == "review":  # the reason names what went missing, or the page
        said = "; ".join(doc.quality.reasons)
        assert f"page {page}" in said or f"pages {page}" in said or "missing" in said or "no column" in said, said


def with_column_moved(pages: list, page: int, title: str, by: float) -> list:
    """The pages with the column under `title` (its words below the title, within the title's width and a bit)
    moved `by` points across, onto its neighbour's: a column cut in the wrong place."""
    from dataclasses import replace

    out = []
    for p in pages:
        if p.number == page:
            head = next(w for w in p.words if w.text == title)
            lo, hi = head.x0 - 4, head.x1 + 4
            p = replace(p, words=tuple(
                replace(w, x0=w.x0 + by, x1=w.x1 + by) if w.top > head.bottom and lo <= w.xc <= hi else w
                for w in p.words))
        out.append(p)
    return out


@pytest.mark.parametrize("name,page,title,by", [
    ("cns", 1, "ACUMULADO", -42),  # the cumulative % onto the quarter's: two figures in one cell
    pytest.param("igp", 16, "PIM", 45, marks=SLOW),  # Cuadro 07's current budget onto the devengado column
    ("weighted-chromium", 1, "Físico", -45),  # the physical % onto the budget %
    ("weighted-writer", 1, "Físico", 50),  # …or onto the Resultado / Desviación text
    ("weighted-chromium", 1, "Pond.", 30),  # the weights into the actions' texts
    ("weighted-writer", 1, "Vigente", 60),  # the current budget onto the executed one
])
def test_a_read_with_a_column_moved_is_never_ok(name, page, title, by):
    from conftest import pages_of, reading_from

    from poa import process

    path = damaged_path(name)
    clean = process(path)
    with reading_from(path, with_column_moved(pages_of(path), page, title, by)):
        report = process(path)
    figures = lambda rep: [(r.physical_raw, r.cumulative_raw, r.budget_current_raw, r.budget_executed_raw,  # noqa: E731
                            r.weight_raw, r.budget_raw) for r in rep.results]
    assert figures(report) != figures(clean)  # the damage changed what the cells read
    assert report.document.status in ("review", "failed"), report.document.quality.reasons
    if report.document.status == "review":  # the reason names the page, or says what no row has
        assert any(f"page {page}" in r or f"pages {page}" in r or "results have no" in r
                   for r in report.document.quality.reasons), report.document.quality.reasons


@pytest.mark.slow  # LibreOffice recomputes the workbooks
def test_the_workbook_recomputes_each_rows_percentage_live_and_only_the_planted_ones_differ(tmp_path):
    """The efficacy form's % EFI. (EVAL. ÷ META) and the weighted form's budget % (executed ÷ current), each a
    formula over the row's own printed figures that LibreOffice recomputes to poa's figure; the printed % differs
    from it on the planted rows alone."""
    import shutil
    import subprocess

    from openpyxl import load_workbook
    from poa.outputs.xlsx import RESULTS, write_xlsx

    from poa import process
    from poa.core.numbers import half_up
    from samples import efficacy, weighted

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui)")
    cases = {"efficacy": (efficacy.prints()["writer"], "Avance recalculado %", "Avance físico %", "OPE 7"),
             "weighted": (weighted.prints()["writer"], "Avance pptario. recalculado %", "Avance pptario. impreso %",
                          "2.3")}
    reports = {}
    for name, (path, *_) in cases.items():
        reports[name] = process(path)
        write_xlsx(reports[name], tmp_path / f"{name}.xlsx")
    out = tmp_path / "recalculated"
    done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out),
                           *(str(tmp_path / f"{n}.xlsx") for n in cases)], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    for name, (_, live, printed, planted) in cases.items():
        report = reports[name]
        formulas = load_workbook(tmp_path / f"{name}.xlsx")[RESULTS]
        values = load_workbook(out / f"{name}.xlsx", data_only=True)[RESULTS]
        head = [c.value for c in formulas[1]]
        col, printed_col, code_col = head.index(live) + 1, head.index(printed) + 1, head.index("Código impreso") + 1
        differ = []
        for row, r in enumerate(report.results, 2):
            assert formulas.cell(row, col).data_type == "f"
            over, under = (r.achieved, r.target) if name == "efficacy" else (r.budget_executed, r.budget_current)
            assert values.cell(row, col).value == half_up(over / under * 100, 2), (name, r.code_raw)
            if values.cell(row, col).value != values.cell(row, printed_col).value:
                differ.append(values.cell(row, code_col).value)
        assert differ == [planted], name
