"""The layout corpus: the seed report printed in many layouts by five unrelated PDF producers (reportlab,
fpdf2, Chromium, LibreOffice Writer and Calc; pypdfium2 turns pages), each with the rows the pipeline must
read back, computed from the seed alone.

    render("writer-zebra", path)      # writes the PDF, returns the expected dict
    python -m samples.layouts OUTDIR [NAME ...]
"""

from __future__ import annotations

from pathlib import Path

from samples.seed import read_seed

from . import calc, fpdf_, html, reportlab_, transform, writer
from .common import DEVIATIONS_HEADER, RESULTS_HEADER, Extra, Extras, Layout, expected_rows, missing_tool, write_expected
from .fpdf_ import render_fpdf
from .html import HTML_CSS, render_chromium, seed_html
from .reportlab_ import render_reportlab

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for module in (reportlab_, transform, fpdf_, html, writer, calc)
    for layout in module.LAYOUTS
}


def missing(name: str) -> str | None:
    """Why the layout cannot be rendered on this machine (an external program not installed), or None."""
    return missing_tool(LAYOUTS[name].tools)


def render(name: str, path: str | Path) -> dict:
    """Write the layout's PDF to `path`; return the rows the pipeline must read back from it."""
    layout = LAYOUTS[name]
    seed = layout.variant(read_seed())
    layout.draw(seed, Path(path))
    return expected_rows(seed, layout.extras)


def print_table(table, producer: str, path: str | Path, page_height: float | None = None, after_html: str = "",
                css: str = "") -> None:
    """One table of another report (a `common.Table`) as Word (LibreOffice Writer, landscape, `page_height`
    inches tall) or HTML (Chromium, A4 landscape) prints it: ruled, its header repeated on every page, the
    section rows' cells merged as the table says. Chromium's page may go on under the table (`after_html`, a
    chart, styled by `css`)."""
    import tempfile

    path = Path(path)
    if producer == "writer":
        from docx import Document

        from .common import soffice_to_pdf
        from .writer import DocxStyle, _page, _word_normal
        from .writer import _table as write_table

        doc = Document()
        style = DocxStyle(page_height=page_height) if page_height else DocxStyle()
        _word_normal(doc, "Arial")
        _page(doc, style)
        write_table(doc, table, style)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / f"{path.stem}.docx"
            doc.save(str(source))
            soffice_to_pdf(source, path)
    elif producer == "chromium":
        from .html import HtmlStyle, _css, _table_html, print_html

        page = (f"<!DOCTYPE html><html lang=es><head><meta charset=utf-8><style>{_css(None, HtmlStyle())}{css}"
                f"</style></head><body>{_table_html(table)}{after_html}</body></html>")
        print_html(page, path, tagged=False)
    else:
        raise ValueError(f"producer {producer!r}: writer or chromium")


__all__ = ["print_table", "LAYOUTS", "Layout", "Extra", "Extras", "missing", "render", "expected_rows", "write_expected",
           "render_reportlab", "render_fpdf", "render_chromium", "seed_html", "HTML_CSS", "RESULTS_HEADER",
           "DEVIATIONS_HEADER"]
