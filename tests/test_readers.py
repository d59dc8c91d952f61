"""The page reader is replaceable: PDFium's reads the same words and rulings as pdfplumber's, faster."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_NAMES, SAMPLES, processed

pytestmark = pytest.mark.slow  # both readers over every sample: the layout matrix holds them on many more


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_pdfium_reader_gives_the_same_rows_and_leftovers(name):
    from poa.extract import extract

    a = extract(SAMPLES / f"{name}.pdf", reader="pdfplumber")
    b = extract(SAMPLES / f"{name}.pdf", reader="pdfium")
    assert [(r.table, r.cells, r.pages) for r in b.rows] == [(r.table, r.cells, r.pages) for r in a.rows]
    assert [(lo.page, lo.text) for lo in b.leftovers] == [(lo.page, lo.text) for lo in a.leftovers]
    assert (b.chars_total, b.chars_accounted) == (a.chars_total, a.chars_accounted)


def test_pdfium_reader_words_and_rulings_sit_where_pdfplumbers_do():
    from poa.extract.readers import open_source

    a = list(open_source(SAMPLES / "mmm-2016-s1-borderless.pdf", "pdfplumber"))
    b = list(open_source(SAMPLES / "mmm-2016-s1-borderless.pdf", "pdfium"))
    for pa, pb in zip(a, b):
        assert (pa.width, pa.height, pa.chars) == (pb.width, pb.height, pb.chars)
        key = lambda w: (round(w.top), w.x0)  # noqa: E731
        for wa, wb in zip(sorted(pa.words, key=key), sorted(pb.words, key=key)):
            assert wa.text == wb.text and abs(wa.x0 - wb.x0) < 1 and abs(wa.x1 - wb.x1) < 1
            assert abs(wa.top - wb.top) < 2 and abs(wa.bottom - wb.bottom) < 2
        box = lambda r: tuple(round(v) for v in (r.x0, r.top, r.x1, r.bottom))  # noqa: E731
        assert sorted(map(box, pa.rulings)) == sorted(map(box, pb.rulings))


def test_a_report_read_with_pdfium_has_the_same_findings():
    a, b = processed("mmm-2016-s1-planted"), processed("mmm-2016-s1-planted", reader="pdfium")
    assert [(f.check, f.subject_id, f.page, f.message) for f in b.findings] == [
        (f.check, f.subject_id, f.page, f.message) for f in a.findings]
    assert b.document.reader == "pdfium" and b.document.text_coverage == 1.0


def test_unknown_reader_is_refused():
    from poa.extract.readers import open_source

    with pytest.raises(ValueError, match="unknown page reader"):
        open_source(SAMPLES / "mmm-2016-s1-ruled.pdf", "mupdf")
