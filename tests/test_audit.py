"""The auditor's path: every real inconsistency of the 2016-S1 report, every planted fault, nothing else."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter

import pytest
from conftest import processed

from samples.seed import PLANTED

S1_SAMPLES = ["mmm-2016-s1-ruled", "mmm-2016-s1-borderless", "mmm-2016-s1-fpdf"]


def described(report) -> Counter:
    """Each finding as (check, what it is about) in words a reader of the seed can find."""
    results = {r.result_id: f"{r.unit_number} {r.unit_name} {r.code}" for r in report.results}
    nodes = {n.node_id: f"{n.number} {n.name}" if n.number else n.name for n in report.nodes}
    devs = {d.deviation_id: f"dev {d.unit_number} {d.unit_name} {d.code}" for d in report.deviations}
    return Counter((f.check, results.get(f.subject_id) or nodes.get(f.subject_id) or devs.get(f.subject_id))
                   for f in report.findings)


# Every inconsistency of the real 2016-S1 report, each derived by hand from samples/seed/mmm-poa-2016-s1.txt.
SEED_FINDINGS = Counter([
    # Units 11, 12, 13 average 38.57, 59.00 and 51.36 → 49.65, printed as 55 (50 after half-up rounding).
    ("average_mismatch", "DIRECCIÓN GENERAL DE POLÍTICA MINERA Y FISCALIZACIÓN"),
    # Its only Dirección recomputes to 49.65; the printed 55 copies the Dirección's printed (wrong) 55.
    ("average_mismatch", "VICEMINISTERIO DE POLÍTICA MINERA REGULACIÓN Y FISCALIZACIÓN"),
    # The ten substantive units (11–19, 13 twice) average 37.76 → 38; printed 30 (the VDPMM's figure).
    ("average_mismatch", "Ejecución Física Promedio de las Unidades Sustantivas"),
    # Mean of the recomputed groups 45.15, 42.51, 37.76 = 41.81 → 42; printed 39 = mean of the printed 45, 43, 30.
    ("average_mismatch", "EJECUCIÓN FÍSICA PROMEDIO DEL NIVEL OPERATIVO CENTRAL"),
    # Budget % is printed on the 3 group rows, the 3 viceministries and the total; nothing to recompute it from.
    ("budget_not_recomputable", "Ejecución Física Promedio de las Unidades de Asesoramiento y Apoyo al Despacho de la MAE"),
    ("budget_not_recomputable", "Ejecución Física Promedio de las Unidades de Asesoramiento y de Apoyo a las Areas Sustantivas"),
    ("budget_not_recomputable", "Ejecución Física Promedio de las Unidades Sustantivas"),
    ("budget_not_recomputable", "EJECUCIÓN FÍSICA PROMEDIO DEL NIVEL OPERATIVO CENTRAL"),
    ("budget_not_recomputable", "VICEMINISTERIO DE POLÍTICA MINERA REGULACIÓN Y FISCALIZACIÓN"),
    ("budget_not_recomputable", "VICEMINISTERIO DE DESARROLLO PRODUCTIVO MINERO METALÚRGICO"),
    ("budget_not_recomputable", "VICEMINISTERIO DE COOPERATIVAS MINERAS"),
    # Under 35 % with no row in the deviation table (Asesoría de Despacho is not in that table at all).
    ("deviation_missing", "01 Asesoría de Despacho 08-01.01.01-03"),  # 25 %
    ("deviation_missing", "03 Unidad de Comunicación Social 08-01.01.01-03"),  # 25 %; only -04 has a row
    ("deviation_missing", "03 Unidad de Comunicación Social 08-01.01.01-06"),  # 30 %
    ("deviation_missing", "03 Unidad de Comunicación Social 08-01.01.01-10"),  # 0 %
    ("deviation_missing", "13 Unidad de Gestión Estratégica y Seguimiento Institucional 03-01.01.01-07"),  # 0 %
    ("deviation_missing", "18 Unidad de Asistencia Técnica 05-01.01.01-08"),  # 0 %
    ("deviation_missing", "18 Unidad de Asistencia Técnica 05-01.01.01-09"),  # 25 %
    # Rows in the deviation table for results at 35 % or more.
    ("deviation_unneeded", "dev 10 Unidad Administrativa y Recursos Humanos 08-01.01.01-03"),  # 35 %
    ("deviation_unneeded", "dev 12 Unidad de Análisis de Política Minera 03-04.01.01-09"),  # 40 %
    ("deviation_unneeded", "dev 13 Unidad de Gestión Estratégica y Seguimiento Institucional 03-01.01.01-02"),  # 40 %
    # Asesoría de Despacho's fourth result has an obtained text but no %.
    ("pct_missing", "01 Asesoría de Despacho 08-01.01.01-04"),
    # "…se coordinó el proceso de evaluación de XX servidoras y servidores públicos."
    ("placeholder_text", "10 Unidad Administrativa y de Recursos Humanos 08-01.01.01-04"),
    # "…con la asistencia de 468 personas que" (obtained, cut off).
    ("text_truncated", "05 Unidad de Transparencia 08-01.01.01-04"),
    # "…formularios de novedades de altas y bajas a las" (expected, cut off).
    ("text_truncated", "10 Unidad Administrativa y de Recursos Humanos 08-01.01.01-08"),
    # "…suministros para el Archivo": the deviation table prints "…para el Archivo Central.".
    ("text_truncated", "10 Unidad Administrativa y de Recursos Humanos 08-01.01.01-55"),
    # "Unidad Administrativa y de Recursos Humanos" vs "Unidad Administrativa y Recursos Humanos".
    ("unit_name_variant", "10 Unidad Administrativa y de Recursos Humanos"),
    # 13 is both Gestión Estratégica (VPMRF) and Metalurgia y Siderurgia (VDPMM) in the results table.
    ("unit_number_duplicate", "13 Unidad de Metalurgia y Siderurgia"),
    # From Metalurgia on, the deviation table numbers every unit one higher than the results table.
    ("unit_number_inconsistent", "13 Unidad de Metalurgia y Siderurgia"),
    ("unit_number_inconsistent", "14 Unidad de Evaporíticos y No Metálicos"),
    ("unit_number_inconsistent", "15 Unidad de Geología y Minería"),
    ("unit_number_inconsistent", "16 Unidad de Medio Ambiente"),
    ("unit_number_inconsistent", "17 Unidad de Consulta Pública y Participación Ciudadana"),
    ("unit_number_inconsistent", "18 Unidad de Asistencia Técnica"),
    ("unit_number_inconsistent", "19 Unidad de Fortalecimiento Institucional"),
])


@pytest.mark.parametrize("name", S1_SAMPLES)
def test_every_real_inconsistency_of_the_seed_report_and_nothing_else(name):
    assert described(processed(name)) == SEED_FINDINGS


def test_second_semester_variant_has_consistent_averages_and_the_same_table_issues():
    # The variant's averages are reprinted from its own figures, so only the arithmetic findings go away.
    want = Counter({k: v for k, v in SEED_FINDINGS.items() if k[0] != "average_mismatch"})
    assert described(processed("mmm-2016-s2-ruled")) == want


def test_half_up_figures_raise_nothing():
    report = processed("mmm-2016-s1-ruled")
    uai = next(n for n in report.nodes if n.number == "04")
    assert uai.recomputed_physical_pct == 62.5 and uai.reported_physical_pct == 63  # round() would say 62
    assert not [f for f in report.findings if f.subject_id == uai.node_id]


def test_mismatch_messages_name_the_rule_that_explains_the_printed_figure():
    report = processed("mmm-2016-s1-ruled")
    by_name = {n.node_id: n.name for n in report.nodes}
    msgs = {by_name[f.subject_id]: f for f in report.findings if f.check == "average_mismatch"}
    total = msgs["EJECUCIÓN FÍSICA PROMEDIO DEL NIVEL OPERATIVO CENTRAL"]
    assert total.severity == "warning" and "cifras impresas de sus componentes" in total.message
    assert (total.reported, round(total.recomputed, 2), total.page) == (39, 41.81, 19)
    group = msgs["Ejecución Física Promedio de las Unidades Sustantivas"]
    assert group.severity == "error" and "Ninguna regla" in group.message


@pytest.mark.parametrize("name", S1_SAMPLES + ["mmm-2016-s1-planted"])
def test_every_deviation_row_is_linked_to_its_result(name):
    report = processed(name)
    results = {r.result_id: r for r in report.results}
    for d in report.deviations:
        r = results[d.result_id]
        assert r.code == d.code and 0 <= d.match_score <= 100 and d.match_method == "code+text"
        assert r.unit_name.replace(" y de ", " y ").casefold() == (
            d.unit_name.rstrip(":").replace("Auditoria", "Auditoría").casefold())
    assert len({d.result_id for d in report.deviations}) == len(report.deviations)


def test_each_planted_fault_is_found_and_nothing_else():
    want = SEED_FINDINGS + Counter((check, subject) for _, check, subject in PLANTED)
    got = described(processed("mmm-2016-s1-planted"))
    # The planted sample's descriptions use its own unit names where the fault changed them.
    got = Counter({(c, s.replace("Unidad de Auditoria Interna:", "Unidad de Auditoría Interna")
                    if s else s): v for (c, s), v in got.items()})
    planted_subjects = {
        "02 Jefatura de Gabinete": "02 Jefatura de Gabinete",
        "09 08-01.01.01-07": "09 Unidad Financiera 08-01.01.01-07",
        "09 08-01.01.01-08": "09 Unidad Financiera 08-01.01.01-08",
        "05 08-01.01.01-05": "05 Unidad de Transparencia 08-01.01.01-05",
        "05 08-01.01.01-07": "dev 05 Unidad de Transparencia 08-01.01.01-07",
    }
    want = Counter({(c, planted_subjects.get(s, s)): v for (c, s), v in want.items()})
    assert got == want


def test_garbled_code_in_the_deviation_table_still_links_by_its_repaired_code():
    report = processed("mmm-2016-s1-planted")
    d = next(d for d in report.deviations if d.code_raw == "O8-01.0l.01-07")
    assert d.code == "08-01.01.01-07" and d.result_id is not None


def test_findings_are_in_spanish_with_pages():
    for f in processed("mmm-2016-s1-ruled").findings:
        assert f.page is not None and f"{f.page}" in f.message or f.check in ("pct_missing",), f.message
        assert any(w in f.message for w in (" el ", " la ", " de ")), f.message


# ------------------------------------------------------------------ the audit report


@pytest.fixture(scope="module")
def audit_out(tmp_path_factory):
    from poa.outputs import write_report

    out = tmp_path_factory.mktemp("audit")
    report = processed("mmm-2016-s1-ruled")
    write_report(report, out)
    return out, report.document.doc_id


def test_audit_html_is_self_contained_and_in_spanish(audit_out):
    out, doc_id = audit_out
    html = (out / "audit" / f"{doc_id}.html").read_text(encoding="utf-8")
    assert "<html lang='es'>" in html and "Hallazgos" in html and "Vínculos entre desviaciones" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "<script" not in html
    assert html.count("class='mismatch") == 2 and html.count("class='explained") == 2
    assert "<svg" in html and "Jefatura de Gabinete" in html


def test_audit_xlsx_opens_with_openpyxl(audit_out):
    from openpyxl import load_workbook

    out, doc_id = audit_out
    wb = load_workbook(out / "audit" / f"{doc_id}.xlsx", read_only=True)
    # Issue 11: a provenance sheet first, every result row, findings numbered like the HTML's.
    assert wb.sheetnames == ["Documento", "Hallazgos", "Impreso vs recalculado", "Resultados", "Vínculos"]
    findings = list(wb["Hallazgos"].values)
    assert findings[0][:4] == ("N°", "Severidad", "Verificación", "Id de verificación") and len(findings) == 1 + 35
    hierarchy = list(wb["Impreso vs recalculado"].values)
    assert len(hierarchy) == 1 + 42
    assert len(list(wb["Resultados"].values)) == 1 + 239


@pytest.mark.slow
def test_gx_validation_result_is_written_beside_the_parquet_when_asked_and_agrees_with_the_plain_checks(tmp_path):
    """`--gx` runs the same suites through great-expectations itself: its unexpected rows are exactly the
    findings the plain evaluation of the same declarations raised."""
    import json

    from conftest import SAMPLES
    from poa.outputs import write_report
    from poa.validate.expectations import CHECKS

    from poa.pipeline import process

    for name in ("mmm-2016-s1-ruled", "mmm-2016-s1-planted"):
        report = process(SAMPLES / f"{name}.pdf", reader="pdfium", gx=True)
        write_report(report, tmp_path, audit=False)
        doc_id = report.document.doc_id
        account = json.loads((tmp_path / "validation" / f"{doc_id}.json").read_text(encoding="utf-8"))
        assert set(account) == {"results", "deviations"}
        ids = {"results": "result_id", "deviations": "deviation_id"}
        checks = {t: [c for c in CHECKS if c.table == t] for t in ids}
        from_gx = {(checks[t][r["expectation_config"]["meta"]["index"]].check, hit[ids[t]])
                   for t in account for r in account[t]["results"]
                   if not r["success"] for hit in r["result"].get("unexpected_index_list") or []}
        plain = {(f.check, f.subject_id) for f in report.findings if f.check in {c.check for c in CHECKS}}
        assert from_gx == plain and plain, name
    failed = [r["expectation_config"]["type"] for r in account["results"]["results"] if not r["success"]]
    assert "expect_column_values_to_be_between" in failed  # the planted 150 %


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow  # headless Chromium
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_audit_html_renders_in_a_real_browser(audit_out, tmp_path):
    out, doc_id = audit_out
    shot = tmp_path / "audit.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
           (out / "audit" / f"{doc_id}.html").as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    # A rendered page, not a blank one: the PNG of a white page compresses to a few kB.
    assert len(data) > 100_000
    dom = subprocess.run(cmd[:-3] + ["--dump-dom", cmd[-1]], capture_output=True, text=True, timeout=120).stdout
    assert "Resumen" in dom and "No coincide" in dom and "Unidad de Auditoría Interna" in dom


def test_control_characters_from_a_damaged_pdf_do_not_break_the_workbook(tmp_path):
    from dataclasses import replace

    from openpyxl import load_workbook
    from poa.outputs.audit import write_xlsx

    report = processed("mmm-2016-s1-ruled")
    broken = replace(report, findings=[replace(report.findings[0], message="texto \x0e dañado")])
    write_xlsx(broken, tmp_path / "a.xlsx")
    rows = list(load_workbook(tmp_path / "a.xlsx", read_only=True)["Hallazgos"].values)
    assert rows[1][rows[0].index("Detalle")] == "texto \ufffd dañado"  # the last column is the auditor's now
