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


__all__ = ["LAYOUTS", "Layout", "Extra", "Extras", "missing", "render", "expected_rows", "write_expected",
           "render_reportlab", "render_fpdf", "render_chromium", "seed_html", "HTML_CSS", "RESULTS_HEADER",
           "DEVIATIONS_HEADER"]
