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


def test_words_keep_each_glyphs_text_when_an_empty_glyph_and_a_ligature_share_a_line():
    """pdfminer can hand over an empty glyph (a character's second half) and a two-letter one (a ligature) on
    one line: their lengths cancel out, and the words must still be made of each glyph's own text."""
    import numpy as np
    from poa.extract.glyphs import words
    from poa.extract.page import Glyphs

    text = ["", "fi", "x", "y", " ", "z"]
    x0 = np.array([10.0, 10.0, 15.0, 25.0, 30.0, 35.0])
    g = Glyphs(text, x0, np.full(6, 10.0), x0 + 4.8, np.full(6, 18.0), np.zeros(6, int))
    assert [w.text for w in words(g)] == ["fix", "y", "z"]


def test_a_character_outside_the_basic_plane_is_read_not_taken_for_damage(tmp_path):
    """PDFium hands over such a character as two UTF-16 units: the page's text must keep them apart, one per
    glyph, or every glyph after it gets its neighbour's text (and the page failed as damaged); then the two
    make one glyph, as pdfminer reads it."""
    from pathlib import Path

    from fpdf import FPDF
    from poa.extract.readers import open_source

    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf")
    if not font.is_file():
        pytest.skip(f"{font} (Debian's fonts-dejavu-extra) is not installed: no font with mathematical letters")
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("dv", "", str(font))
    pdf.set_font("dv", size=14)
    pdf.text(20, 30, "ab 𝐀 a𝐀b 𝐀𝐁 cd 50%")
    pdf.output(str(tmp_path / "astral.pdf"))
    for reader in ("pdfium", "pdfplumber"):  # one glyph, inside a word as printed: never a space of its own
        src = open_source(tmp_path / "astral.pdf", reader, "never")
        try:
            (page,) = list(src)
        finally:
            src.close()
        assert [w.text for w in page.words] == ["ab", "𝐀", "a𝐀b", "𝐀𝐁", "cd", "50%"], reader


def test_the_c_glyph_loop_reads_what_the_cffi_calls_read(monkeypatch):
    """The PDFium reader's per-glyph loop runs in C where `pip install` could build it, through cffi where it
    could not: the same calls, so the very same glyphs and paths, page by page (rotated pages included)."""
    import numpy as np
    from poa.extract.readers import pdfium

    if pdfium._glyphloop is None:
        pytest.skip("the C glyph loop was not built here (no C compiler or Python headers at install time)")
    for name in ("mmm-2016-s1-ruled", "mmm-2016-s2-ruled", "mmm-2016-s1-fpdf"):
        fast = pdfium.PdfiumSource(SAMPLES / f"{name}.pdf")
        drawings = [fast.drawing(i) for i in range(len(fast))]
        fast.close()
        monkeypatch.setattr(pdfium, "_glyphloop", None)
        slow = pdfium.PdfiumSource(SAMPLES / f"{name}.pdf")
        for i, a in enumerate(drawings):
            b = slow.drawing(i)
            assert list(a.glyphs.text) == list(b.glyphs.text) and a.paths == b.paths and a.unmapped == b.unmapped
            for field in ("x0", "top", "x1", "bottom", "direction"):
                assert np.array_equal(getattr(a.glyphs, field), getattr(b.glyphs, field)), (name, i, field)
        slow.close()
        monkeypatch.undo()
