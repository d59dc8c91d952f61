"""The audit report as a working paper (issue 11): findings numbered in a stable order, Spanish labels and
es-BO formats, the provenance header and the sign-off block, the working of every hierarchy row, the source
page regions; printed by headless Chromium with its table headers repeated; and a workbook whose formulas,
recomputed by LibreOffice, give poa's figures for every hierarchy row of every sample."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import subprocess
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_NAMES, SAMPLES, processed
from poa.outputs.audit import render_html
from poa.outputs.index import render_index
from poa.outputs.printing import chromium_command, find_chromium, print_pdf, run_chromium
from poa.outputs.spanish import BOLIVIA, CHECK_ES, check_label, date, decimal_commas, error_es, number, pct, plural
from poa.outputs.working import numbered, workings
from poa.outputs.xlsx import HIERARCHY, RESULTS, SHEETS, write_xlsx

from poa.core.numbers import half_up
from poa.core.records import Finding

CHROMIUM = find_chromium()
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get "
                                                             "install chromium; `make test` installs it as root)")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (Debian: apt-get install "
                                                           "libreoffice-calc-nogui)")
GENERATED = dt.datetime(2026, 3, 2, 9, 5, tzinfo=BOLIVIA)
POLITICA_MINERA = "DIRECCIÓN GENERAL DE POLÍTICA MINERA Y FISCALIZACIÓN"
TOTAL = "EJECUCIÓN FÍSICA PROMEDIO DEL NIVEL OPERATIVO CENTRAL"


@pytest.fixture(scope="module")
def paper(tmp_path_factory):
    """The working paper of the ruled 2016-S1 sample, as `poa run` writes it (with a fixed date)."""
    report = processed("mmm-2016-s1-ruled")
    html = render_html(report, generated=GENERATED)
    path = tmp_path_factory.mktemp("paper") / f"{report.document.doc_id}.html"
    path.write_text(html, encoding="utf-8")
    return report, path, html


# ------------------------------------------------------------------ findings: numbered, ordered, labelled


def test_findings_are_numbered_by_severity_then_page_whatever_order_they_come_in():
    report = processed("mmm-2016-s1-ruled")
    found = numbered(report)
    assert [x.number for x in found] == [f"H-{i:03d}" for i in range(1, 36)]
    rank = {"error": 0, "warning": 1, "info": 2}
    keys = [(rank[x.finding.severity], x.finding.page or 0) for x in found]
    assert keys == sorted(keys)
    assert [x.finding.check for x in found[:2]] == ["average_mismatch"] * 2  # the two errors first
    # The same findings in any other order get the same numbers: the order comes from their content.
    shuffled = replace(report, findings=list(reversed(report.findings)))
    same = {x.number: (x.finding.check, x.finding.subject_id) for x in numbered(shuffled)}
    assert same == {x.number: (x.finding.check, x.finding.subject_id) for x in found}
    # A document-level doubt (no page) opens its severity group.
    doubt = Finding("read_doubt", "warning", None, message="Lectura dudosa: prueba.")
    with_doubt = numbered(replace(report, findings=report.findings + [doubt]))
    assert with_doubt[2].finding is doubt and with_doubt[2].subject == "Documento completo"


def test_every_check_of_the_readme_has_a_spanish_label_and_its_rule(paper):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    findings_table = readme[readme.index("## Findings"):readme.index("## Samples")]
    checks = set(re.findall(r"^\| `([a-z_]+)`", findings_table, re.M))
    checks |= set(re.findall(r"^\| `[a-z_]+` / `([a-z_]+)`", findings_table, re.M))
    assert {"average_mismatch", "read_doubt", "code_repaired"} <= checks
    assert checks <= set(CHECK_ES), checks - set(CHECK_ES)
    assert all(label and rule and label != check for check, (label, rule) in CHECK_ES.items())
    report, _, html = paper
    for check in {f.check for f in report.findings}:
        label = check_label(check, report.template)  # the profile's words (its threshold) put in
        assert f"{label}<br><small><code>{check}</code></small>" in html  # the id kept in small print


def test_findings_rows_carry_number_label_rule_figures_page_and_an_empty_disposition(paper):
    _, _, html = paper
    row = re.search(r"<tr id='H-001'>(.*?)</tr>", html, re.S).group(1)
    assert "Promedio impreso distinto del recalculado</a>" in row  # linked to the check's criterion, section 8
    assert "55\u00a0%" in row and "49,65\u00a0%" in row and "redondeado</small><br>50\u00a0%" in row  # printed, recomputed
    assert f"Dirección General {POLITICA_MINERA}" in row and "Criterio: El avance físico" in row
    assert "#page=10'>10</a>" in row  # the source page
    region = re.search(r"<tr id='H-001'>.*?</tbody>", html, re.S).group(0)
    assert "<tr class='region'><td></td><td colspan='5'><figure><img src='data:image/png;base64," in region
    assert row.endswith("<td class='disp'></td>")  # the auditor's disposition, left empty
    assert "49.65" not in html  # the message's figures as Bolivian documents write them
    assert html.count("<td class='disp'></td>") == 35


# ------------------------------------------------------------------ Spanish, es-BO


def test_es_bo_numbers_dates_and_plurals():
    assert number(49.645, 2) == "49,65" and number(1234.5) == "1.234,5" and number(55.0) == "55"
    assert number(62.5) == "62,5" and number(-0.0001, 2) == "0,00" and number(0.0) == "0"
    assert pct(49.6450, 4) == "49,6450\u00a0%" and pct(None) == "—"
    assert date("2016-06-30") == "30/06/2016" and date(None) == "?"
    assert plural(1, "documento", "documentos") == "1 documento" and plural(0, "documento", "documentos") == "0 documentos"
    assert decimal_commas("es 49.65 %, y 41.81% en la página 19; código 08-01.01.01-03") == (
        "es 49,65 %, y 41,81% en la página 19; código 08-01.01.01-03")


@pytest.mark.parametrize("english, spanish", [
    ("no text layer (a scanned or image-only PDF)", "sin capa de texto (PDF escaneado o solo de imágenes)"),
    ("nothing is printed on any of its pages: no text, and no image with text in it",
     "no hay nada impreso en ninguna de sus páginas: ni texto ni imagen con texto"),
    ("not a PDF (no %PDF- signature at the start of the file)", "no es un PDF (el archivo no empieza con la firma %PDF-)"),
    ("encrypted or password-protected PDF", "PDF cifrado o protegido con contraseña"),
    ("damaged or truncated PDF: Invalid xref", "PDF dañado o truncado: Invalid xref"),
    ("timed out after 10 s (--timeout 5 s + 5 s × 1 page)",
     "superó el tiempo límite de 10 s (--timeout 5 s + 5 s × 1 página)"),
    ("ran out of the memory limit (1 GiB, --max-memory) while reading it",
     "agotó el límite de memoria (1 GiB, --max-memory) al leerlo"),
    ("not a regular file: a named pipe (FIFO)", "no es un archivo regular: una tubería con nombre (FIFO)"),
    ("cannot list the folder: Permission denied", "no se puede listar la carpeta: Permission denied"),
    ("no POA results or deviations table found (no header with the column titles of the template seguimiento-poa); no "
     "drawn table on any page",
     "no se encontró la tabla de resultados ni la de causas de desviación del POA (ningún encabezado con los títulos "
     "de columna de la plantilla seguimiento-poa); ninguna tabla dibujada en ninguna página"),
    ("no POA results or deviations table found (no header with the column titles of the templates a, b)",
     "no se encontró la tabla de resultados ni la de causas de desviación del POA (ningún encabezado con los títulos "
     "de columna de las plantillas a, b)"),
    ("not a PDF (no %PDF- signature at the start of the file) (the same bytes as /x/a.pdf)",
     "no es un PDF (el archivo no empieza con la firma %PDF-) (los mismos bytes que /x/a.pdf)"),
])
def test_document_errors_are_said_in_spanish(english, spanish):
    assert error_es(english) == spanish


def test_every_kind_of_failure_has_a_code_and_its_spanish():
    """documents.error_code: each kind's code (a copy's is the original's), and each said in Spanish."""
    from poa.outputs.spanish import _ERRORS_ES

    from poa.core.errors import KINDS, classify

    assert {k.code for k in KINDS} == set(_ERRORS_ES)
    assert classify("encrypted or password-protected PDF (the same bytes as /x/a.pdf)") == "encrypted"
    assert classify("timed out after 130 s (--timeout 60 s + 5 s × 14 pages)") == "timeout"
    assert classify("the PDF has no pages") == "no_pages" and classify("something new") == "other"
    assert classify(None) is None


def test_the_index_says_a_failed_document_in_spanish_with_the_english_in_small_print(tmp_path):
    from poa.outputs import write_report

    from poa.core.records import Document, Report

    error = "no text layer (a scanned or image-only PDF)"
    write_report(Report(Document("00000000000000aa", "scan.pdf", "", status="failed", error=error)), tmp_path)
    assert error_es("something poa never says") is None
    index = render_index(tmp_path)
    assert "1 documento en" in index and "No leído: sin capa de texto" in index
    assert f"<small>(en inglés: {error})</small>" in index


# ------------------------------------------------------------------ the working paper's parts


def test_provenance_header_criteria_and_sign_off(paper):
    report, _, html = paper
    doc = report.document
    header = html[html.index("<div class='wp'>"):html.index("</div>", html.index("<div class='wp'>"))]
    for text in ("MINISTERIO DE MINERÍA Y METALURGIA", "Primer semestre de la gestión 2016", "31/12/2016",
                 "30/06/2016", "mmm-2016-s1-ruled.pdf", doc.sha256, doc.pipeline_version,
                 "02/03/2026 09:05 (hora de Bolivia)", "Ref. P/T"):
        assert text in header, text
    assert len(doc.sha256) == 64
    assert "Regla del 35 %" in html and "mitad hacia arriba (62,5 → 63; 48,5 → 49)" in html
    signoff = html[html.index("<div class='signoff'>"):]
    assert "Preparado por" in signoff and "Revisado por" in signoff and "Fecha (dd/mm/aaaa)" in signoff


def test_the_total_row_is_named_as_the_report_names_it(paper):
    _, _, html = paper
    assert "<td>Total</td><td></td><td><a href='#calc-" in html and f">{TOTAL}</a>" in html
    assert "nivel central" not in html.replace("NIVEL OPERATIVO CENTRAL", "")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_working_of_every_hierarchy_row_gives_poas_figure(name):
    report = processed(name)
    for w in workings(report):
        used = [o.value for o in w.operands if o.counted]
        assert w.count == len(used)
        if w.value is None:
            assert not used
            continue
        assert math.isclose(sum(used) / len(used), w.value, abs_tol=1e-9), w.node.name
        assert w.rounded == half_up(w.node.recomputed_physical_pct)


def test_the_working_shows_unrounded_children_and_the_rule_that_explains_the_printed_figure(paper):
    report, _, html = paper
    by_name = {w.node.name: w for w in workings(report)}
    dg = by_name[POLITICA_MINERA]
    assert [round(o.value, 4) for o in dg.operands] == [38.5714, 59.0, 51.3636]  # units 11, 12, 13, unrounded
    assert (round(dg.value, 4), dg.rounded, dg.printed, dg.holds, dg.alternatives) == (49.645, 50, 55, False, ())
    block = html[html.index(f"id='calc-{dg.node.seq}'"):]
    block = block[:block.index("</div>")]
    for text in ("38,5714\u00a0%", "59,0000\u00a0%", "51,3636\u00a0%", "148,9351 ÷ 3", "<b>49,6450\u00a0%</b>",
                 "valores sin redondear", "No coincide", "Ninguna regla alternativa"):
        assert text in block, text
    total = by_name[TOTAL]
    assert [desc for desc, _ in total.alternatives] == [
        "promediando las cifras impresas de sus componentes en lugar de las recalculadas"]
    assert "39,3333\u00a0%, redondeado 39\u00a0%" in html  # (45 + 43 + 30) / 3: the printed 39
    unit = by_name["Asesoría de Despacho"]
    assert [(o.label, o.counted, o.why_not) for o in unit.operands][-1] == ("08-01.01.01-04", False, "sin avance impreso")


def test_each_finding_on_a_row_shows_that_region_of_the_pdf(paper):
    from PIL import Image

    report, _, html = paper
    found = {x.number: x for x in numbered(report)}
    pictures = dict(re.findall(r"<tr id='(H-\d+)'>.*?src='data:image/png;base64,([^']+)'", html, re.S))
    assert set(pictures) == {n for n, x in found.items() if x.region is not None}
    import base64

    h = next(n for n, x in found.items() if x.finding.check == "pct_missing")
    region = found[h].region
    image = Image.open(io.BytesIO(base64.b64decode(pictures[h])))
    x0, top, x1, bottom = region.box
    assert abs(image.width - (x1 - x0 + 8) * 2) <= 2 and abs(image.height - (bottom - top + 8) * 2) <= 2
    assert image.convert("L").getextrema()[0] < 100  # ink: the row, not a blank strip


def test_a_finding_on_a_table_printed_sideways_shows_its_row_turned_upright(tmp_path):
    """A table drawn sideways on an upright page is read turned; its finding's picture is cut in that frame."""
    from poa.outputs.regions import region_images

    from poa import process
    from samples.layouts import render

    pdf = tmp_path / "sideways.pdf"
    render("reportlab-sideways", pdf)
    report = process(pdf)
    assert report.document.quality.pages_turned
    found = [x for x in numbered(report) if x.region is not None and x.region.box is not None and x.region.turn]
    assert found
    import base64

    from PIL import Image
    from poa.outputs import pages

    pictures = region_images(found[:3], str(pdf))
    for x in found[:3]:
        image = Image.open(io.BytesIO(base64.b64decode(pictures[x.number].split(",", 1)[1])))
        width, height = pages.page_size(pages.open_pdf(pdf), x.region.page, x.region.turn)
        x0, top, x1, bottom = pages.clamp(x.region.box, width, height, 4)
        assert abs(image.width - (x1 - x0) * 2) <= 2 and abs(image.height - (bottom - top) * 2) <= 2
        assert image.width > image.height  # a row, turned upright: wider than tall


def test_without_the_source_pdf_the_paper_says_so_and_keeps_its_page_numbers(tmp_path):
    report = processed("mmm-2016-s1-ruled")
    moved = replace(report, document=replace(report.document, source_path=str(tmp_path / "gone.pdf")))
    html = render_html(moved, generated=GENERATED)
    assert "data:image/png" not in html and "#page=" not in html
    assert "Imágenes del PDF</th><td>no disponibles" in html and "<tr id='H-001'>" in html


def test_a_page_or_a_region_of_it_renders_in_the_frame_the_boxes_are_measured_in(tmp_path):
    import pypdfium2 as pdfium
    from PIL import ImageChops
    from poa.outputs import pages

    src = ROOT / "samples" / "mmm-2016-s1-ruled.pdf"
    pdf = pages.open_pdf(src)
    full = pages.render_page(pdf, 2, scale=1.0)
    assert full.size == (792, 612)
    box = (100.0, 200.0, 300.0, 260.0)
    region = pages.render_page(pdf, 2, box=box, scale=1.0)
    assert region.size == (200, 60)
    assert not ImageChops.difference(region.convert("L"), full.crop((100, 200, 300, 260)).convert("L")).getbbox()
    # A turned page (Page.orientation 90: text ran upwards, turned clockwise): the box is in the turned frame.
    turned = pages.render_page(pdf, 2, scale=1.0, turn=90)
    assert turned.size == (612, 792)
    cut = pages.render_page(pdf, 2, box=box, scale=1.0, turn=90)
    assert not ImageChops.difference(cut.convert("L"), turned.crop((100, 200, 300, 260)).convert("L")).getbbox()
    # /Rotate: boxes are in the page as displayed, which is what PDFium renders.
    rotated = pdfium.PdfDocument(str(src))
    rotated[1].set_rotation(90)
    rotated.save(tmp_path / "rotated.pdf")
    shown = pages.open_pdf(tmp_path / "rotated.pdf")
    assert pages.page_size(shown, 2) == (612, 792)
    assert pages.to_pixels((10, 20, 30, 40), 2.0, origin=(5, 5, 50, 50)) == (10, 30, 50, 70)
    assert pages.data_uri(pages.png(region)).startswith("data:image/png;base64,iVBOR")


# ------------------------------------------------------------------ in a real browser, on screen and printed


@pytest.mark.slow  # headless Chromium
@needs_chromium
def test_the_paper_on_screen_in_headless_chromium(paper, tmp_path):
    report, path, _ = paper
    cmd = chromium_command(CHROMIUM, tmp_path / "profile")
    dom = run_chromium(cmd + ["--dump-dom", path.as_uri()], timeout=120).stdout.decode().replace("&nbsp;", "\u00a0")
    for text in ("H-001", "H-035", "Promedio impreso distinto del recalculado", "Resultado bajo 35 % sin causa de",
                 "49,65\u00a0%", "30/06/2016", report.document.sha256, "Preparado por", "Revisado por",
                 "Disposición del auditor", "Memoria de cálculo"):
        assert text in dom, text
    shot = tmp_path / "top.png"
    run_chromium(cmd + ["--hide-scrollbars", f"--screenshot={shot}", "--window-size=1280,900", path.as_uri()],
                 timeout=120)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000  # drawn, not blank


@pytest.fixture(scope="module")
def printed(paper, tmp_path_factory):
    """The paper printed to PDF by Chromium, as `poa audit --pdf` does: each page's text."""
    import pypdfium2 as pdfium

    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    _, path, _ = paper
    pdf = print_pdf(path, tmp_path_factory.mktemp("printed") / "paper.pdf")
    doc = pdfium.PdfDocument(str(pdf))
    texts = [doc[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(doc))]
    sizes = {doc[i].get_size() for i in range(len(doc))}
    words = [pdf_words(doc[i]) for i in range(len(doc))]
    return texts, sizes, words


@pytest.mark.slow  # headless Chromium
def test_printed_pages_are_carta_numbered_and_repeat_the_findings_header(printed):
    texts, sizes, _ = printed
    assert sizes == {(612.0, 792.0)}  # carta (letter), portrait
    n = len(texts)
    assert all(f"Página {i} de {n}" in t for i, t in enumerate(texts, 1))
    first = next(i for i, t in enumerate(texts) if "3. Hallazgos" in t)
    last = next(i for i, t in enumerate(texts) if "4. Avance físico impreso y recalculado" in t)
    row = re.compile(r"^(H-\d{3}) (?:Error|Advertencia|Información)$", re.M)  # a findings row's first line
    table_pages = [t for t in texts[first:last + 1] if row.search(t)]
    assert len(table_pages) >= 5  # the findings table runs over several pages…
    assert all("Detalle y criterio" in t and "Disposición del" in t for t in table_pages)  # …each
    numbers = row.findall("\n".join(texts[first:last + 1]))  # with its header; every finding printed once
    assert numbers == [f"H-{i:03d}" for i in range(1, 36)]


@pytest.mark.slow  # headless Chromium
def test_printed_chart_and_sign_off_are_not_split(printed):
    texts, _, _ = printed
    chart = [t for t in texts if "6. Gráfico por unidad" in t]
    assert len(chart) == 1 and "01 Asesoría de Despacho" in chart[0] and "19 Unidad de Fortalecimiento" in chart[0]
    signoff = [t for t in texts if "9. Conformidad" in t]
    assert len(signoff) == 1 and "Preparado por" in signoff[0] and "Revisado por" in signoff[0]


# ------------------------------------------------------------------ printed clean: no overlap, no broken word


def pdf_words(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """A printed page's words with their boxes, from the PDF's own character positions. A word ends at a space,
    a line's end, a gap, or a character drawn back over the one before (text running into other text)."""
    tp = page.get_textpage()
    n = tp.count_chars()
    text = tp.get_text_range(0, n)
    words: list = []
    word = None
    for i in range(n):
        x0, b, x1, t = tp.get_charbox(i)
        ch = text[i] if i < len(text) else " "
        if word is not None and (not ch.strip() or x1 <= x0 or abs((b + t) - (word[1][1] + word[1][3])) > t - b
                                 or x0 > word[1][2] + 1.0 or x0 < word[1][2] - 1.5):
            words.append(word)
            word = None
        if ch.strip() and x1 > x0:
            word = [ch, (x0, b, x1, t)] if word is None else [word[0] + ch, (min(word[1][0], x0), min(word[1][1], b),
                                                                               max(word[1][2], x1), max(word[1][3], t))]
    return words + ([word] if word else [])


def overlapping(words) -> list[tuple[str, str]]:
    """Pairs of words whose boxes cross by more than a kerning's width: text printed over other text."""
    items = sorted(words, key=lambda w: -w[1][3])
    out = []
    for i, (a, (l1, b1, r1, t1)) in enumerate(items):
        for b, (l2, b2, r2, t2) in items[i + 1:]:
            if t2 < b1:
                break
            if min(r1, r2) - max(l1, l2) > 1.5 and min(t1, t2) - max(b1, b2) > 2.0:
                out.append((a, b))
    return out


def _norm(word: str) -> str:
    return word.strip(".,;:()«»\"'¿?¡!—–[]/").lower()


def broken_words(texts: list[str], html: str) -> list[tuple[int, str, str]]:
    """Words cut at a line's end: the end of a line and the start of the next make one word of the page
    (`obtenidos`, a code `08-01.01.01-07`) where one of the pieces alone is no word of it."""
    visible = re.sub(r"<style.*?</style>|<script.*?</script>", " ", html, flags=re.S)
    words = {_norm(w) for w in unescape(re.sub(r"<[^>]+>", " ", visible)).split()}
    out = []
    for n, text in enumerate(texts, 1):
        lines = [line.split() for line in text.split("\n")]
        for a, b in zip(lines, lines[1:]):
            if a and b and _norm(a[-1] + b[0]) in words and (
                    _norm(a[-1]) not in words or _norm(b[0]) not in words or a[-1].endswith("-")):
                out.append((n, a[-1], b[0]))
    return out


def print_and_read(html_path: Path, paper: str, folder: Path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(print_pdf(html_path, folder / f"{html_path.stem}-{paper}.pdf", paper=paper)))
    pages = [pdf[i] for i in range(len(pdf))]
    texts = [p.get_textpage().get_text_range().replace("\r\n", "\n") for p in pages]
    words = [pdf_words(p) for p in pages]
    images = [(i + 1, o.get_bounds()) for i, p in enumerate(pages) for o in p.get_objects()
              if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    sizes = {p.get_size() for p in pages}
    return texts, words, images, sizes


@pytest.fixture(scope="module")
def corrected_paper(tmp_path_factory):
    """The planted sample's paper, its findings pictured, with a blank cell corrected by hand."""
    from poa.core.corrections import Correction
    from poa.pipeline import process

    pdf = SAMPLES / "mmm-2016-s1-planted.pdf"
    first = processed("mmm-2016-s1-planted")
    blank = next(r for r in first.results if r.physical_pct is None)
    report = process(pdf, corrections=[Correction(first.document.doc_id, "results", blank.result_key, "physical_pct",
                                                  "40", "el PDF dice 40 %", "ana", "2026-12-01")])
    folder = tmp_path_factory.mktemp("corrected") / "audit"
    folder.mkdir()
    path = folder / f"{report.document.doc_id}.html"
    path.write_text(render_html(report, generated=GENERATED, base=folder), encoding="utf-8")
    return path, folder


@pytest.mark.slow  # headless Chromium
@needs_chromium
@pytest.mark.parametrize("paper_size", ["carta", "a4"])
def test_the_corrected_paper_prints_with_no_text_over_text_no_broken_word_and_pictures_across_the_page(
        corrected_paper, paper_size):
    path, folder = corrected_paper
    html = path.read_text(encoding="utf-8")
    texts, words, images, sizes = print_and_read(path, paper_size, folder)
    ((w, h),) = sizes
    assert (round(w), round(h)) == {"carta": (612, 792), "a4": (595, 842)}[paper_size]
    assert [(n, pair) for n, ws in enumerate(words, 1) for pair in overlapping(ws)] == []
    assert broken_words(texts, html) == []
    assert any("Este papel incluye 1 valor corregido a mano por ana" in t for t in texts)
    width = next(iter(sizes))[0] - 2 * 14 / 25.4 * 72  # the text column: the page less its side margins
    pictures = [(n, right - left) for n, (left, _, right, _) in images]
    assert len(pictures) >= 20 and all(w >= 0.85 * width for _, w in pictures), pictures  # legible, not thumbnails
    links = set(re.findall(r"href='([^'#]+)#page=\d+'", html))  # to the source PDF: relative to the paper's folder
    assert len(links) == 1 and (folder / links.pop()).resolve() == (SAMPLES / "mmm-2016-s1-planted.pdf").resolve()


@pytest.mark.slow  # headless Chromium
@needs_chromium
def test_the_samples_papers_print_with_no_text_over_text_and_no_broken_word(printed, paper):
    texts, _, words = printed
    assert [(n, pair) for n, ws in enumerate(words, 1) for pair in overlapping(ws)] == []
    assert broken_words(texts, paper[2]) == []


@pytest.fixture(scope="module")
def out_folder(tmp_path_factory):
    from poa.outputs import write_index, write_report

    out = tmp_path_factory.mktemp("out")
    report = processed("mmm-2016-s1-ruled")
    write_report(report, out)
    write_index(out)
    return out, report.document.doc_id


def test_poa_audit_lists_the_papers_and_refuses_what_is_not_there(out_folder, tmp_path, capsys):
    from poa.cli import main

    out, doc_id = out_folder
    assert main(["audit", str(out)]) == 0
    assert f"{doc_id}  {out / 'audit' / f'{doc_id}.html'}" in capsys.readouterr().out
    assert main(["audit", str(out), doc_id[:6]]) == 0
    assert main(["audit", str(out), "ffff"]) == 2 and "no working paper" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "nothing")]) == 2 and "no audit folder" in capsys.readouterr().err


def test_poa_audit_pdf_says_clearly_when_chromium_is_missing(out_folder, monkeypatch, capsys):
    import poa.outputs.printing

    from poa.cli import main

    out, doc_id = out_folder
    monkeypatch.setattr(poa.outputs.printing, "find_chromium", lambda: None)
    assert main(["audit", str(out), "--pdf"]) == 1
    err = capsys.readouterr().err
    assert "--pdf needs headless Chromium, which is not installed (Debian: apt-get install chromium)" in err
    assert not (out / "audit" / f"{doc_id}.pdf").exists()


@pytest.mark.slow  # headless Chromium
@needs_chromium
def test_poa_audit_pdf_prints_each_paper_and_the_index_links_it(out_folder, capsys):
    from poa.cli import main

    out, doc_id = out_folder
    assert main(["audit", str(out), doc_id, "--pdf"]) == 0
    pdf = out / "audit" / f"{doc_id}.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and f"pdf     {pdf}" in capsys.readouterr().out
    assert f"<a href='{doc_id}.pdf'>pdf</a>" in (out / "audit" / "index.html").read_text(encoding="utf-8")
    assert not list((out / "audit").glob("*.tmp")) and not list((out / "audit").glob(".*"))


# ------------------------------------------------------------------ the workbook


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    """Each sample's workbook as poa writes it."""
    folder = tmp_path_factory.mktemp("xlsx")
    for name in SAMPLE_NAMES:
        write_xlsx(processed(name), folder / f"{name}.xlsx", generated=GENERATED)
    return folder


def test_the_workbook_is_a_working_paper_with_live_formulas_filters_and_formats(workbooks):
    from openpyxl import load_workbook

    report = processed("mmm-2016-s1-ruled")
    wb = load_workbook(workbooks / "mmm-2016-s1-ruled.xlsx")
    assert tuple(wb.sheetnames) == SHEETS
    doc = dict((r[0], r[1]) for r in wb["Documento"].iter_rows(values_only=True) if r[0])
    assert doc["SHA-256 del archivo"] == report.document.sha256 and doc["Versión de poa"] == report.document.pipeline_version
    assert doc["Resultados obtenidos al"] == dt.datetime(2016, 6, 30) and doc["Archivo"] == "mmm-2016-s1-ruled.pdf"
    assert {"Preparado por", "Revisado por", "Fecha", "Criterios", "Notas"} <= set(doc)
    for ws in (wb[s] for s in SHEETS[1:]):
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:") and ws.print_title_rows == "$1:$1"
    h = wb[HIERARCHY]
    head = [c.value for c in h[1]]
    g, hh = head.index("Recalculado sin redondear %") + 1, head.index("Recalculado %") + 1
    assert "mitad hacia arriba" in h.cell(1, hh).comment.text and "AVERAGE" in h.cell(1, g).comment.text
    unit = next(r for r in range(2, h.max_row + 1) if h.cell(r, 4).value == "Asesoría de Despacho")
    assert h.cell(unit, g).value == f'=IFERROR(AVERAGE({RESULTS}!L2:L5),"")' and h.cell(unit, g).number_format == '0.0000" %"'
    assert h.cell(unit, hh).value == f'=IF(ISNUMBER(G{unit}),ROUND(G{unit},0),"")'
    assert h.conditional_formatting and wb[RESULTS].conditional_formatting
    findings = wb["Hallazgos"]
    head = [c.value for c in findings[1]]
    rows = list(findings.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [x.number for x in numbered(report)]
    assert all(r[head.index("Disposición del auditor")] is None for r in rows)
    ids = re.compile(r"[0-9a-f]{16}-[NRD]\d+")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not any(isinstance(c.value, bool) for c in cells)  # no True/False
    assert not any(isinstance(c.value, str) and ids.search(c.value) for c in cells)  # no internal ids
    assert not any(isinstance(c.value, float) and c.number_format == "General" for c in cells)  # no raw floats


@needs_soffice
@pytest.mark.slow  # LibreOffice recomputes the workbook
def test_libreoffice_recomputes_the_workbook_to_poas_figures_for_every_hierarchy_row(workbooks, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "recalculated"
    files = sorted(str(p) for p in workbooks.glob("*.xlsx"))
    done = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *files],
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    checked = 0
    for name in SAMPLE_NAMES:
        report = processed(name)
        formulas = load_workbook(workbooks / f"{name}.xlsx")[HIERARCHY]
        values = load_workbook(out / f"{name}.xlsx", data_only=True)[HIERARCHY]
        head = [c.value for c in formulas[1]]
        g, h, diff = (head.index(t) + 1 for t in ("Recalculado sin redondear %", "Recalculado %",
                                                   "Diferencia (recalculado − impreso)"))
        for row, node in enumerate(report.nodes, 2):
            assert values.cell(row, 4).value == node.name
            unrounded, rounded = values.cell(row, g).value, values.cell(row, h).value
            if node.recomputed_physical_pct is None:
                assert unrounded in (None, ""), (name, node.name)
                continue
            assert formulas.cell(row, g).data_type == "f" and formulas.cell(row, h).data_type == "f"
            assert math.isclose(unrounded, node.recomputed_physical_pct, abs_tol=1e-9), (name, node.name)
            assert rounded == half_up(node.recomputed_physical_pct), (name, node.name)
            if node.reported_physical_pct is not None:
                assert values.cell(row, diff).value == rounded - node.reported_physical_pct
            checked += 1
    assert checked >= 5 * 38


def test_a_document_in_review_says_so_in_spanish_first_in_both_files(tmp_path):
    from openpyxl import load_workbook

    report = processed("mmm-2016-s1-ruled")
    doubt = Finding("read_doubt", "warning", None, message="Lectura dudosa: 12 de 239 resultados no tienen avance "
                                                           "físico. Revise el documento contra el PDF.")
    review = replace(report, document=replace(report.document, status="review"), findings=report.findings + [doubt])
    html = render_html(review, generated=GENERATED, images=False)
    assert html.index("Lectura en revisión") < html.index("id='criterios'")
    assert "En revisión (lectura dudosa)" in html and "<td>Documento completo" not in html
    assert re.search(r"<tr id='H-003'>.*?Lectura dudosa<br><small><code>read_doubt</code>", html, re.S)
    write_xlsx(review, tmp_path / "r.xlsx", generated=GENERATED)
    doc = {r[0]: r[1] for r in load_workbook(tmp_path / "r.xlsx")["Documento"].iter_rows(values_only=True) if r[0]}
    assert doc["Estado de la lectura"] == "En revisión (lectura dudosa)"
    assert doc["Razones de la revisión"].startswith("Lectura dudosa: 12 de 239 resultados")
