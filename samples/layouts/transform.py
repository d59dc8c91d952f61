"""Reports re-made by a PDF tool (pypdfium2): the ruled landscape report re-laid on portrait pages, its content
turned 90° in page space (what a print driver or a scanner's PDF tool makes of a landscape document), and the
borderless report with a frame drawn around every page (a word processor's page border)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from samples.seed import Seed

from .common import Layout
from .reportlab_ import render_reportlab


def turn_pages(source: Path, path: Path, *, rotate_flag: bool) -> None:
    """Each landscape page drawn turned 90° counter-clockwise on a portrait page (its top on the page's left
    side). With `rotate_flag` the page's /Rotate is 90, so a viewer turns it back clockwise: upright."""
    import pypdfium2 as pdfium

    src, out = pdfium.PdfDocument(str(source)), pdfium.PdfDocument.new()
    try:
        for i in range(len(src)):
            width, height = src[i].get_size()
            page = out.new_page(height, width)
            content = src.page_as_xobject(i, out).as_pageobject()
            content.transform(pdfium.PdfMatrix().rotate(90, ccw=True).translate(height, 0))
            page.insert_obj(content)
            page.gen_content()
            if rotate_flag:
                page.set_rotation(90)
        out.save(str(path))
    finally:
        out.close()
        src.close()


def _turned(seed: Seed, path: Path, rotate_flag: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        landscape = Path(tmp) / "landscape.pdf"
        render_reportlab(seed, landscape, landscape_ruled=True)
        turn_pages(landscape, path, rotate_flag=rotate_flag)


def rotate90(seed: Seed, path: Path) -> None:
    """The ruled landscape report on portrait pages (612×792) whose content is drawn turned 90° and whose
    /Rotate is 90: a viewer shows it upright, but the page's own coordinates run along the table's rows."""
    _turned(seed, path, rotate_flag=True)


def sideways(seed: Seed, path: Path) -> None:
    """The same turned pages with no /Rotate: a viewer shows the table sideways, its top on the left."""
    _turned(seed, path, rotate_flag=False)


def frame_pages(path: Path, margin: float = 20.0) -> None:
    """A rectangle stroked around every page, `margin` points in from its edges, drawn over the page."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(Path(path).read_bytes())  # in memory: the file is written over
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            frame = raw.FPDFPageObj_CreateNewRect(margin, margin, width - 2 * margin, height - 2 * margin)
            raw.FPDFPageObj_SetStrokeColor(frame, 0, 0, 0, 255)
            raw.FPDFPageObj_SetStrokeWidth(frame, 1.0)
            raw.FPDFPath_SetDrawMode(frame, 0, 1)  # stroked, not filled
            raw.FPDFPage_InsertObject(page.raw, frame)
            raw.FPDFPage_GenerateContent(page.raw)
        pdf.save(str(path))
    finally:
        pdf.close()


def framed(seed: Seed, path: Path) -> None:
    """The borderless portrait report (no line drawn in its tables) with a frame around every page: the only
    vertical lines on a page stand outside the table, beside every line of its header."""
    render_reportlab(seed, path, landscape_ruled=False, shading=False)
    frame_pages(path)


LAYOUTS = [
    Layout("reportlab-rotate90", "reportlab+pypdfium2", rotate90),
    Layout("reportlab-sideways", "reportlab+pypdfium2", sideways),
    Layout("reportlab-framed", "reportlab+pypdfium2", framed),
]
