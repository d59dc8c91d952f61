"""A wrong read is never reported plainly `ok`: reads damaged on purpose come out `review`, with the reason.

Each test breaks one step of a read that is otherwise right (the rows of these samples are exact, see
test_golden.py) — a column edge moved, a header line lost, page furniture taken for rows, a font with no
text — and checks that the document's read-quality record catches it.
"""

from __future__ import annotations

import pytest
from conftest import SAMPLES, cells, processed
from poa.extract import layout
from poa.extract.engines import geometry


def process(name: str = "mmm-2016-s1-ruled", **kw):
    from poa import process as run

    return run(SAMPLES / f"{name}.pdf", **kw)


def codes(report) -> list[str]:
    return [d.split(" ")[0] for d in report.document.quality.reasons]


def test_a_right_read_is_ok_with_its_measures_recorded():
    doc = processed("mmm-2016-s1-ruled").document
    q = doc.quality
    assert doc.status == "ok" and q.reasons == []
    assert (q.result_rows, q.deviation_rows, q.code_valid_share, q.other_rows) == (239, 69, 1.0, 0)
    assert q.columns_found == q.columns_expected == 8 and q.missing_columns == [] and q.extra_columns == []
    assert q.pct_read_share == pytest.approx(238 / 239, abs=1e-4)  # the seed's one result with no % printed
    assert q.unit_average_agreement == 1.0 and q.deviations_linked_share == 1.0
    assert q.strategy == "results: rulings; deviations: rulings"


@pytest.mark.parametrize("shift", [-45.0, 30.0])
def test_a_column_edge_moved_puts_the_document_in_review(monkeypatch, shift):
    """The edge before the physical % moved into the obtained text (its last words land in the % cell) or
    into the % column (the % lands in the obtained text)."""
    real = layout.column_edges

    def moved(columns, *args, **kw):
        edges = real(columns, *args, **kw)
        keys = [c.key for c in columns]
        if "physical" in keys:
            i = keys.index("physical") - 1
            edges[i] += shift
        return edges

    monkeypatch.setattr(layout, "column_edges", moved)
    report = process()
    assert report.document.status == "review"
    reasons = " ".join(report.document.quality.reasons)
    assert ("% cells hold something that is not a percentage" in reasons) or ("a text cell ending in one" in reasons)
    assert any(f.check == "read_doubt" and "Lectura dudosa" in f.message for f in report.findings)
    q = report.document.quality  # each reason has its stable code, in the same order (documents.review_codes)
    assert len(q.review_codes) == len(q.reasons) and {"pct_unreadable", "pct_in_text"} & set(q.review_codes)
    import poa

    (row,) = poa.tables(report)["documents"].to_dict("records")
    assert list(row["review_codes"]) == q.review_codes and list(row["review_reasons"]) == q.reasons


def test_a_header_line_lost_puts_the_document_in_review(monkeypatch):
    """The "FÍSICO PPTARIO." line is not taken as part of the header: no % column, and that line a row."""
    from poa.extract import header

    real = header.header_band

    def shorter(lines, i, *args, **kw):
        lo, hi = real(lines, i, *args, **kw)
        return lo, min(hi, i)

    monkeypatch.setattr(header, "header_band", shorter)
    report = process()
    assert report.document.status == "review"
    assert "results: physical" in report.document.quality.missing_columns


def test_page_furniture_taken_for_rows_puts_the_document_in_review(monkeypatch):
    from samples.layouts import prints

    pdf = prints.committed("chromium-letterhead")
    monkeypatch.setattr(geometry, "drawn_extent", lambda *a, **k: None)
    monkeypatch.setattr(geometry.Furniture, "is_furniture", lambda *a, **k: False)
    from poa import process as run

    report = run(pdf)
    assert report.document.status == "review", report.document.quality
    assert report.document.quality.cells_outside_column or report.document.quality.other_rows


def test_rows_cut_in_the_wrong_places_put_the_document_in_review(monkeypatch):
    """Rows cut at every line (as if every line were a new row): fragments that open nothing."""
    monkeypatch.setattr(layout, "split_bands", lambda bands, edges, profile, tol=2.0: (
        [list(ln.words) for band in bands for ln in layout.text_lines(band, tol)], True))
    report = process()
    assert report.document.status == "review"


def test_a_document_with_no_result_rows_is_never_ok(monkeypatch):
    from poa import extract as stage
    from poa.core.records import RawRow

    real = stage.stitch
    monkeypatch.setattr(stage, "stitch", lambda tables, profile: [r for r in real(tables, profile) if r.table != "results"] or [
        RawRow("deviations", cells("deviations"), (1,), (0, 0, 1, 1))])
    report = process()
    assert report.document.status == "review"
    assert "no result rows were read" in report.document.quality.reasons


@pytest.mark.parametrize("reader", ["pdfium", pytest.param("pdfplumber", marks=pytest.mark.slow)])  # slow: 5 s
def test_a_damaged_content_stream_puts_the_document_in_review(tmp_path, reader):
    """One table page's compressed content stream corrupted half-way: the readers draw the page up to the
    damage and say nothing (rows are lost), but the file's own bytes show it."""
    import re

    data = bytearray((SAMPLES / "mmm-2016-s1-ruled.pdf").read_bytes())
    streams = [(m.end(), data.index(b"~>", m.end())) for m in re.finditer(
        rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n", data)]
    start, end = max(streams, key=lambda s: s[1] - s[0])  # the largest: a page of the results table
    middle = (start + end) // 2
    while not 33 <= data[middle] <= 117:  # an ASCII85 digit, changed into another one: still ASCII85, bad zlib
        middle += 1
    data[middle] = 33 + (data[middle] - 33 + 40) % 85
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(bytes(data))
    from poa import process as run

    report = run(damaged, reader=reader)
    assert len(report.results) < 239  # the damage did cost rows…
    assert report.document.status == "review", report.document.error  # …and the document says so
    assert any(r.startswith("the file is damaged: 1 compressed stream is corrupt") for r in report.document.quality.reasons)
    assert any(f.check == "read_doubt" and "el archivo está dañado" in f.message for f in report.findings)


def test_an_intact_file_has_no_damaged_streams():
    from poa.extract.integrity import damaged_streams

    real_world = SAMPLES.parent / "tests" / "real-world"
    files = sorted(SAMPLES.glob("*.pdf")) + sorted(real_world.glob("*.pdf"))  # reportlab, fpdf2, and others' tools
    assert len(files) >= 10
    for path in files:
        assert damaged_streams(path) == [], path.name
