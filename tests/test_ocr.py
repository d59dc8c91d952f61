"""Scans as a first-class input: a page with no text layer is recognised (Tesseract) and read like any other.

The seed is printed in two of the corpus's layouts (ruled Helvetica, borderless Times with zebra shading), cut
to its first group of units so that the OCR stays within the suite's time, then scanned the way an archive's
scanner does it: drawn at 200 or 300 dpi, blurred, grained, specked, each page skewed by up to 1.7° and one
page turned a quarter, and saved as JPEG images in a PDF with no text. `poa.process` must read them back with
no extra step. Five real scans and reports of other institutions must end `failed` or `review`, saying what
was found.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import ROOT, cells, made_once, seed_profile, shared_folder
from poa.extract.glyphs import page_of
from poa.extract.ocr.tesseract import missing
from poa.extract.page import Drawing, Glyph
from poa.extract.page import Path as DrawnPath

needs_tesseract = pytest.mark.skipif(missing() is not None, reason=f"OCR tests need Tesseract: {missing()}")
REAL_WORLD = ROOT / "tests" / "real-world"  # copies of ../shared/real-world (SOURCES.md says where each is from)
SKEWS = (1.2, -0.8, 1.7, -1.5, 0.6)  # degrees, page by page
TURNED = 1  # the second page is scanned a quarter turn round: its text runs upwards


# ------------------------------------------------------------------ scanning the seed


def seed_cut():
    """The seed's first group of units (five units, 37 results, its group row) and the report's closing total
    row; the deviation rows of those units: a report of four or five pages."""
    from samples.seed import read_seed

    seed = read_seed()
    group = next(i for i, r in enumerate(seed.results) if r.kind == "group")
    total = [r for r in seed.results if r.kind == "total"]
    return replace(seed, results=seed.results[: group + 1] + total, deviations=seed.deviations[:10])


def scan(pdf: Path, out: Path, dpi: int, rng: np.random.Generator) -> int:
    """The PDF as a scanner gives it back: each page an image (blur, grain, specks, a small skew, one page turned
    a quarter), saved as JPEG in a PDF with no text layer. Returns the page count."""
    import cv2
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(pdf))
    pages = []
    try:
        for i in range(len(doc)):
            img = doc[i].render(scale=dpi / 72, grayscale=True).to_numpy()
            img = (img[..., 0] if img.ndim == 3 else img).astype(np.float32)
            img = cv2.GaussianBlur(img, (3, 3), 0.7) + rng.normal(0, 12, img.shape)
            img[rng.random(img.shape) < 0.0005] = 0
            img = np.clip(img, 0, 255).astype(np.uint8)
            h, w = img.shape
            turn = cv2.getRotationMatrix2D((w / 2, h / 2), SKEWS[i % len(SKEWS)], 1.0)
            img = cv2.warpAffine(img, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
            if i == TURNED:
                img = np.ascontiguousarray(np.rot90(img, 1))
            pages.append(Image.fromarray(img))
    finally:
        doc.close()
    pages[0].save(out, save_all=True, append_images=pages[1:], resolution=dpi)
    return len(pages)


@lru_cache(maxsize=None)
def scanned_pdf(folder: Path, layout: str, dpi: int) -> tuple[Path, dict, int]:
    """The cut seed printed in `layout` and scanned at `dpi`, once in the run: the image-only PDF, the rows it
    must yield (from the seed alone) and its page count."""
    return made_once(folder, f"scan-{layout}-{dpi}dpi", lambda: scan_seed(folder, layout, dpi))


def scan_seed(folder: Path, layout: str, dpi: int) -> tuple[Path, dict, int]:
    from samples.layouts import LAYOUTS
    from samples.layouts.common import expected_rows

    seed, chosen = seed_cut(), LAYOUTS[layout]
    printed, image_only = folder / f"{layout}-{dpi}dpi.pdf", folder / f"{layout}-{dpi}dpi-scan.pdf"
    chosen.draw(seed, printed)
    pages = scan(printed, image_only, dpi, np.random.default_rng(7))
    return image_only, expected_rows(seed, chosen.extras), pages


@lru_cache(maxsize=None)
def scanned(folder: Path, layout: str, dpi: int):
    """The scan of `scanned_pdf` read by `poa.process`, once in the run (its OCR takes half a minute); with what
    it must yield, its page count and the seconds the read took."""
    return made_once(folder, f"read-{layout}-{dpi}dpi", lambda: read_scan(folder, layout, dpi))


def read_scan(folder: Path, layout: str, dpi: int):
    from poa import process

    image_only, want, pages = scanned_pdf(folder, layout, dpi)
    started = time.perf_counter()
    report = process(image_only)
    return report, want, pages, time.perf_counter() - started


@pytest.fixture(scope="session")
def folder(tmp_path_factory) -> Path:
    """The scans and their reads, one folder for every worker of `pytest -n`: the tests of one scan may run on
    different workers."""
    return shared_folder(tmp_path_factory, "scans")


# ------------------------------------------------------------------ how right a read is


def bare(text: str | None) -> str:
    return "".join((text or "").split())


RESULT_TEXTS = ("expected", "obtained")
DEVIATION_TEXTS = ("expected", "cause", "corrective_measure")


def aligned(got: list, wanted: list[dict], texts: tuple[str, ...]) -> list[tuple[dict, object, list[float]]]:
    """Each wanted row with the read row that is most like it among the next few (a row lost or split must
    not shift every row after it), and the character similarity (0–100) of each text cell."""
    from rapidfuzz import fuzz

    out, k = [], 0
    for w in wanted:
        near = got[k:k + 3]
        if not near:
            out.append((w, None, [0.0] * len(texts)))
            continue
        sims = [[fuzz.ratio(bare(getattr(g, t)), bare(w[t])) for t in texts] for g in near]
        j = max(range(len(near)), key=lambda j: sum(sims[j]))
        out.append((w, near[j], sims[j]))
        k += j + 1
    return out


def figures_right(w: dict, g) -> bool:
    return g is not None and g.code == w["code"] and ("physical_pct" not in w or g.physical_pct == w["physical_pct"])


def rows_right(report, want: dict) -> tuple[list[bool], list[bool], list[float]]:
    """Per wanted row (results, then deviations): right in all (code and % exact, texts ≥ 97 % alike), right in
    code and %, and every text similarity."""
    pairs = aligned(report.results, want["results"], RESULT_TEXTS)
    pairs += aligned(report.deviations, want["deviations"], DEVIATION_TEXTS)
    figures = [figures_right(w, g) for w, g, _ in pairs]
    right = [f and min(s) >= 97 for f, (_, _, s) in zip(figures, pairs)]
    return right, figures, [x for _, _, s in pairs for x in s]


CELLS = {"results": {"code": "code_raw", "expected": "expected", "obtained": "obtained", "physical": "physical_raw"},
         "deviations": {"code": "code_raw", "expected": "expected", "cause": "cause", "measure": "corrective_measure"}}


def cells_without_confidence(report) -> list[str]:
    rows = [("results", r) for r in report.results] + [("deviations", d) for d in report.deviations]
    return [f"{kind} {row.code_raw!r} {column}" for kind, row in rows for column, attr in CELLS[kind].items()
            if getattr(row, attr).strip() and column not in (row.ocr_confidence or {})]


# The ruled scan at 200 dpi is read through `poa run` below (the same checks, from the Parquet it writes).
SCANS = [pytest.param("reportlab-zebra", 300, id="borderless-300dpi")]


@needs_tesseract
@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("layout,dpi", SCANS)
def test_a_scan_of_the_seed_reads_back_through_process(folder, layout, dpi):
    report, want, pages, _ = scanned(folder, layout, dpi)
    doc, q = report.document, report.document.quality
    assert doc.status in ("ok", "review"), doc.error
    assert q.ocr_pages == list(range(1, pages + 1)) and q.ocr_confidence is not None
    assert TURNED + 1 in q.pages_turned
    right, figures, sims = rows_right(report, want)
    assert sum(right) >= 0.95 * len(right), f"{sum(right)} of {len(right)} rows right"
    assert statistics.fmean(sims) >= 97
    assert cells_without_confidence(report) == []
    if doc.status == "ok":  # never ok with a row wrong in its code or %
        assert all(figures), [w["code"] for (w, ok) in zip(want["results"] + want["deviations"], figures) if not ok]
    else:
        assert q.reasons and any(f.check == "read_doubt" for f in report.findings)


def _rows_of(table: Path) -> list:
    """A table's rows as `poa run` wrote them (Parquet, in the table's order), each with the attributes of the
    row records the checks above read: nulls as None, empty text as "", OCR confidences as a dict."""
    import pandas as pd

    df = pd.read_parquet(table).sort_values("seq")
    rows = []
    for rec in df.astype(object).to_dict("records"):
        rec = {k: None if not isinstance(v, (list, dict, tuple, np.ndarray)) and pd.isna(v) else v for k, v in rec.items()}
        conf = rec.get("ocr_confidence")
        rec["ocr_confidence"] = dict(conf) if conf is not None else None
        for attr in ("code_raw", "expected", "obtained", "physical_raw", "cause", "corrective_measure"):
            if attr in rec and rec[attr] is None:
                rec[attr] = ""
        rows.append(SimpleNamespace(**rec))
    return rows


@needs_tesseract
@pytest.mark.slow
@pytest.mark.long
def test_a_scan_of_the_seed_reads_back_through_poa_run_with_no_extra_step(folder, tmp_path):
    """Issue 8's first "done when", through the command itself: `poa run SCAN --out OUT`, no OCR option, and
    the Parquet tables it writes hold the rows right (the same bar as the `process()` test above)."""
    import pandas as pd

    from poa.cli import main

    image_only, want, pages = scanned_pdf(folder, "reportlab-grid", 200)  # the ruled seed, noise, skews, page 2 turned
    out = tmp_path / "out"
    started = time.perf_counter()
    code = main(["run", str(image_only), "--out", str(out)])
    seconds = time.perf_counter() - started
    (doc,) = pd.read_parquet(out / "documents").astype(object).to_dict("records")
    assert doc["status"] in ("ok", "review"), doc["error"]
    assert code == {"ok": 0, "review": 3}[doc["status"]]  # the CLI's exit status says which
    assert list(doc["ocr_pages"]) == list(range(1, pages + 1)) and doc["ocr_confidence"] is not None
    assert TURNED + 1 in dict(doc["pages_turned"])  # the page printed sideways, read upright
    report = SimpleNamespace(results=_rows_of(out / "results"), deviations=_rows_of(out / "deviations"))
    assert {r.doc_id for r in report.results + report.deviations} == {doc["doc_id"]}
    right, figures, sims = rows_right(report, want)
    assert sum(right) >= 0.95 * len(right), f"{sum(right)} of {len(right)} rows right ({seconds:.0f} s)"
    assert statistics.fmean(sims) >= 97
    assert cells_without_confidence(report) == []
    if doc["status"] == "ok":  # never ok with a row wrong in its code or %
        assert all(figures), [w["code"] for (w, ok) in zip(want["results"] + want["deviations"], figures) if not ok]
    else:
        findings = pd.read_parquet(out / "findings")
        assert list(doc["review_reasons"]) and (findings.check == "read_doubt").any()


@needs_tesseract
@pytest.mark.slow
def test_unsure_cells_and_repairs_are_findings_naming_the_cell(folder):
    report, *_ = scanned(folder, "reportlab-zebra", 300)
    by_check: dict[str, list] = {}
    for f in report.findings:
        by_check.setdefault(f.check, []).append(f)
    low = by_check.get("ocr_low_confidence", [])
    assert low and all("página" in f.message and "confianza" in f.message and f.page for f in low)
    assert report.document.quality.ocr_unsure_cells == sum("«código»" in f.message or "«avance" in f.message for f in low)
    raws = {r.result_id: (r.physical_raw, r.budget_raw) for r in report.results}
    raws |= {n.node_id: (n.reported_physical_raw, n.reported_budget_raw) for n in report.nodes}
    repaired = by_check.get("pct_repaired", [])
    assert repaired  # the zebra scan's Times "5" reads as "S" or "$": "$0%"
    for f in repaired:  # the raw text is kept beside the repaired figure, and the finding quotes it
        assert any(raw.strip() and f"«{raw.strip()}»" in f.message for raw in raws[f.subject_id])


# ------------------------------------------------------------------ the real-world PDFs


REAL = [
    pytest.param("BO_CNS_Acciones_Corto_Plazo_POA_2026_SCAN_rotated.pdf", True, id="cns-2026-scan-rotated",
                 marks=pytest.mark.slow),
    pytest.param("BO_CNS_Form1_POA_2021_ACP_SCAN.pdf", True, id="cns-2021-scan-1bit", marks=pytest.mark.slow),
    # its first 3 of 32 pages (a drawn grid on page 2): the whole scan, 32 pages OCR'd, takes a minute and a
    # half and ends the same way
    pytest.param("PE_IGP_Evaluacion_POI_2018_I_semestre_SCAN.pdf", True, id="igp-2018-scan-first-3-pages",
                 marks=[pytest.mark.slow, pytest.mark.long]),
]
FIRST_PAGES = {"PE_IGP_Evaluacion_POI_2018_I_semestre_SCAN.pdf": 3}


def first_pages(path: Path, n: int, out: Path) -> Path:
    """The first `n` pages of a PDF, as they are (the page objects copied whole)."""
    import pypdfium2 as pdfium

    cut = pdfium.PdfDocument.new()
    source = pdfium.PdfDocument(str(path))
    try:
        cut.import_pages(source, list(range(n)))
        cut.save(str(out))
    finally:
        cut.close()
        source.close()
    return out


@pytest.mark.parametrize("name,image_only", REAL)
def test_real_reports_of_other_templates_end_failed_or_review_saying_what_was_found(name, image_only, tmp_path):
    path = REAL_WORLD / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    if image_only and missing() is not None:
        pytest.skip(f"OCR tests need Tesseract: {missing()}")
    from poa import process

    if name in FIRST_PAGES:
        path = first_pages(path, FIRST_PAGES[name], tmp_path / name)

    report = process(path)
    doc = report.document
    assert doc.status in ("failed", "review")
    said = doc.error if doc.status == "failed" else "; ".join(doc.quality.reasons)
    assert not said.startswith(("Traceback", "RuntimeError", "TypeError", "ValueError")), said
    if doc.status == "failed":
        assert "no POA results or deviations table found" in said and "table-like text" in said, said
        assert ("pages OCR'd" in said) == image_only, said
        assert not report.results and not report.deviations  # no rows claimed from a table that is no POA table
    else:
        assert report.document.quality.reasons


# ------------------------------------------------------------------ the parts, without Tesseract


def test_a_page_turned_by_the_recogniser_keeps_its_turn_in_the_page_orientation():
    d = Drawing(2, 792, 612, [Glyph("Cód.", 40, 50, 60, 58, 0, 96.0)],
                [DrawnPath(((30, 40), (760, 40)), stroke=True, fill=False)], ocr=True, turned=90)
    page = page_of(d)
    assert page.orientation == 90 and page.ocr
    assert [(w.text, w.conf) for w in page.words] == [("Cód.", 96.0)] and len(page.rulings) == 1


def _page_image(dpi: int = 150) -> np.ndarray:
    from poa.extract.ocr.render import render_page

    return render_page(str(ROOT / "samples" / "mmm-2016-s1-borderless.pdf"), 2, dpi).pixels


@pytest.mark.parametrize("quarter,skew", [(0, 0.0), (0, 1.5), (1, -2.0), (0, -3.5)])
def test_the_pose_of_a_page_image_is_found_from_its_ink(quarter, skew):
    from poa.extract.ocr.orient import pose, rotate

    upright = _page_image()
    img = np.ascontiguousarray(np.rot90(rotate(upright, skew, fill=255), quarter))  # rot90 k=1: text runs upwards
    found = pose(img, 150)
    assert found.quarter == 90 * quarter
    assert found.skew == pytest.approx(-skew, abs=0.15)


def test_table_lines_are_found_as_segments_and_erased_from_the_image():
    from poa.extract.ocr.rulings import find_rulings

    img = np.full((600, 900), 255, np.uint8)
    img[100:103, 50:850] = 0  # a 3-pixel line across
    img[100:500, 400:402] = 0  # a line down
    img[300:330, 100:104] = 0  # a letter's stem: too short to be a line
    segments, clean = find_rulings(img, 300)
    across = [s for s in segments if s.y0 == s.y1]
    down = [s for s in segments if s.x0 == s.x1]
    assert len(across) == 1 and across[0].x1 - across[0].x0 == pytest.approx(800, abs=2)
    assert len(down) == 1 and down[0].y1 - down[0].y0 == pytest.approx(400, abs=2)
    assert clean[101, 300] == 255 and clean[300, 401] == 255  # the lines are gone
    assert clean[310, 101] == 0  # the stem is not


class _FakeRecogniser:
    """Stands in for Tesseract: records which pages were asked for and from which threads."""

    def __init__(self, delay: float = 0.0):
        import threading

        self.pages: list[int] = []
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.delay = delay

    def __call__(self, path, index, options):
        with self.lock:
            self.pages.append(index + 1)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.delay)
        with self.lock:
            self.running -= 1
        return Drawing(index + 1, 612, 792, [Glyph(f"ocr{index + 1}", 10, 10, 40, 20, 0, 90.0)], ocr=True)


def _image_only_pdf(path: Path, pages: int) -> Path:
    from PIL import Image

    imgs = [Image.new("L", (612, 792), 255) for _ in range(pages)]
    imgs[0].save(path, save_all=True, append_images=imgs[1:], resolution=72)
    return path


def _source(path, ocr, monkeypatch, fake, jobs=None):
    import poa.extract.ocr as ocr_package
    from poa.extract.ocr import OcrOptions
    from poa.extract.readers.pdfium import PdfiumSource

    monkeypatch.setattr(ocr_package, "recognise", fake)
    monkeypatch.setattr(ocr_package, "check", lambda number: None)
    return PdfiumSource(path, ocr=ocr, ocr_options=OcrOptions(jobs=jobs))


@pytest.mark.parametrize("mode,recognised", [("auto", [1, 2, 3, 4, 5, 6]), ("never", []), ("always", [1, 2, 3, 4, 5, 6])])
def test_the_ocr_mode_says_which_pages_are_recognised_and_pages_keep_their_order(tmp_path, monkeypatch, mode, recognised):
    fake = _FakeRecogniser(delay=0.05)
    source = _source(_image_only_pdf(tmp_path / "scan.pdf", 6), mode, monkeypatch, fake, jobs=3)
    pages = list(source)
    source.close()
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, 6]
    assert sorted(fake.pages) == recognised
    assert [p.ocr for p in pages] == [mode != "never"] * 6
    if recognised:
        assert 1 < fake.most <= 3  # pages recognised side by side, never more than ocr jobs at once


def test_auto_leaves_a_page_with_a_text_layer_to_its_text(monkeypatch):
    fake = _FakeRecogniser()
    source = _source(ROOT / "samples" / "mmm-2016-s1-ruled.pdf", "auto", monkeypatch, fake)
    first = next(iter(source))
    source.close()
    assert fake.pages == [] and not first.ocr and first.words


def test_without_tesseract_a_scan_fails_naming_the_packages_and_a_text_report_is_unaffected(tmp_path, monkeypatch):
    from poa.extract.ocr import tesseract

    from poa import process

    real = tesseract.shutil.which
    monkeypatch.setattr(tesseract.shutil, "which", lambda name, *a, **k: None if name == "tesseract" else real(name, *a, **k))
    tesseract.missing.cache_clear()
    try:
        failed = process(_image_only_pdf(tmp_path / "scan.pdf", 2)).document
        read = process(ROOT / "samples" / "mmm-2016-s1-ruled.pdf").document
    finally:
        tesseract.missing.cache_clear()
    assert failed.status == "failed"
    assert "Tesseract is not installed" in failed.error and "tesseract-ocr tesseract-ocr-spa" in failed.error
    assert read.status == "ok"


def test_ocr_pages_get_a_larger_time_allowance():
    from poa import limits as lim

    limits = lim.Limits(timeout=30, page_timeout=5)
    assert limits.seconds(10) == 80
    assert limits.seconds(10, ocr_pages=4) == 80 + 4 * 5 * (lim.OCR_PAGE_FACTOR - 1)
    assert "× 6 for each of the 4 OCR'd" in limits.timeout_reason(10, 4)
    told = []
    watch = lim.WorkerWatch(30.0, lambda *counts: told.append(counts))
    with watch.reading_page(1, 3):
        pass
    with watch.reading_page(2, 3, ocr=True):
        pass
    assert told == [(3,), (3, 1)]


def test_ocr_findings_name_the_cell_and_repairs_the_numbering_bears_out_or_not():
    from poa.normalize import fill_codes
    from poa.normalize.hierarchy import build_results
    from poa.validate.ocr import ocr_findings, unconfirmed_repairs, unsure_key_cells

    from poa.core.records import Document, RawRow, Report

    def row(code, pct, conf=95.0):
        return RawRow("results", cells("results", code, "Se hizo.", "Se hizo.", pct), (3,), (0, 0, 1, 1),
                      conf=(("code", conf), ("expected", 96.0), ("obtained", 96.0), ("physical", 96.0)))

    rows = [RawRow("results", cells("results", "01", "Unidad de Prueba", "", "50%"), (3,), (0, 0, 1, 1)),
            row("08-01.01.01-04", "5096"), row("08-01.01.01- (0)", "50%", 41.0), row("08-01.01.01-06", "50%"),
            row("08-01.01.01-0B", "50%", 88.0)]
    nodes, results = build_results("d", rows, seed_profile())
    results = fill_codes(results, seed_profile())  # as normalize does, before the keys
    report = Report(Document("d", "x.pdf", ""), nodes=nodes, results=results)
    findings = ocr_findings(report, unconfirmed_repairs(report))
    checks = sorted(f.check for f in findings)
    assert checks == ["code_repaired", "code_repaired", "ocr_low_confidence", "pct_repaired"]
    assert results[1].code == "08-01.01.01-05" and results[1].code_raw == "08-01.01.01- (0)"  # from the numbering
    assert results[0].physical_pct == 50 and results[0].physical_raw == "5096"
    assert results[3].code == "08-01.01.01-08"  # B read as 8, but 06 is before it and nothing after
    assert (unsure_key_cells(report), len(unconfirmed_repairs(report))) == (1, 1)  # unsure cells, repairs not borne out
    (low,) = [f for f in findings if f.check == "ocr_low_confidence"]
    assert "«código»" in low.message and "página 3" in low.message and "confianza 41" in low.message
    (pct,) = [f for f in findings if f.check == "pct_repaired"]
    assert "«5096»" in pct.message and "50 %" in pct.message


def test_ocr_measures_out_of_bounds_put_a_document_in_review():
    from poa.validate.quality import doubts

    from poa.core.records import ReadQuality

    q = ReadQuality(result_rows=10, ocr_pages=[1, 2], ocr_confidence=71.5, ocr_unsure_cells=2, ocr_codes_unconfirmed=1)
    found = {d.code: d.en for d in doubts(q)}
    assert {"ocr_confidence", "ocr_unsure_cells", "ocr_codes_unconfirmed"} <= set(found)
    assert "mean word confidence of 72 of 100" in found["ocr_confidence"]
    sure = ReadQuality(result_rows=10, ocr_pages=[1, 2], ocr_confidence=93.0)
    assert not {d.code for d in doubts(sure)} & {"ocr_confidence", "ocr_unsure_cells", "ocr_codes_unconfirmed"}
