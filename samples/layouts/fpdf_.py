"""The seed through fpdf2: another writer, another font (Bitstream Vera), other metrics and drawing
operators than reportlab's.

fpdf2's tables never split a row across pages: a row that does not fit moves whole to the next page."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from samples.seed import Seed, SeedRow

from .common import DEVIATIONS_HEADER, RESULTS_HEADER, Layout, es_bo_2, reprinted

ROW_FILL, SECTION_FILL = (225, 225, 225), (190, 190, 190)  # every other body row; section rows


def render_fpdf(seed: Seed, path: Path, *, compress: bool = True, borders: str = "ALL", zebra: bool = False) -> None:
    """The same report through fpdf2. Uncompressed, its page streams are plain text (what the mutation test
    wants to flip bytes in). `borders` is an fpdf2 TableBordersLayout name; `zebra` fills every other body
    row cell by cell, section rows darker."""
    import reportlab
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    fonts = Path(reportlab.__file__).parent / "fonts"
    pdf = FPDF(orientation="landscape", unit="pt", format="A4")
    pdf.set_creation_date(datetime(2016, 7, 1, tzinfo=timezone.utc))  # reproducible bytes
    pdf.set_compression(compress)
    pdf.add_font("vera", "", str(fonts / "Vera.ttf"))
    pdf.add_font("vera", "B", str(fonts / "VeraBd.ttf"))
    pdf.set_margins(40, 40, 40)
    pdf.set_auto_page_break(True, 40)
    exp, obt = seed.expected_date, seed.obtained_date

    def titles(lines: list[str]) -> None:
        pdf.set_font("vera", "B", 10)
        for line in lines:
            pdf.multi_cell(0, 13, line, align="C", new_x="LMARGIN", new_y="NEXT")

    def fill(row: SeedRow, i: int) -> FontFace | None:
        if not zebra:
            return None
        if row.kind not in ("result", "deviation"):
            return FontFace(fill_color=SECTION_FILL)
        return FontFace(fill_color=ROW_FILL) if i % 2 else None

    def table(header: list[str], rows: list[SeedRow], widths: tuple[int, ...]) -> None:
        pdf.set_font("vera", "", 7)
        head = FontFace(emphasis="BOLD", fill_color=(220, 220, 220))
        with pdf.table(col_widths=widths, width=sum(widths), line_height=9, repeat_headings=1,
                       headings_style=head, text_align="LEFT", align="LEFT", borders_layout=borders) as t:
            hr = t.row()
            for c in header:
                hr.cell(c)
            for i, row in enumerate(rows):
                r, style = t.row(), fill(row, i)
                for c in row.cells:
                    r.cell(c, style=style)

    pdf.add_page()
    titles([seed.entity, seed.period, seed.results_title])
    pdf.set_font("vera", "", 8)
    for p in (seed.mission, seed.vision):
        pdf.multi_cell(0, 10, p, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    h = [c.format(exp=exp, obt=obt) for c in RESULTS_HEADER[:3]] + ["FÍSICO", "PPTARIO."]
    table(h, seed.results, (70, 270, 320, 45, 45))
    pdf.set_font("vera", "", 8)
    pdf.multi_cell(0, 10, seed.results_footer, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    titles([seed.entity, seed.period, seed.deviations_title])
    h = [c.format(exp=exp, obt=obt) for c in DEVIATIONS_HEADER]
    table(h, seed.deviations, (70, 260, 210, 210))
    pdf.set_font("vera", "", 8)
    for p in (seed.deviations_note, seed.deviations_footer):
        pdf.multi_cell(0, 10, p, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def grid(seed: Seed, path: Path) -> None:
    """Landscape A4, every cell bordered, a grey header row repeated on each page: the committed
    `mmm-2016-s1-fpdf` sample's layout. The results header is one row (FÍSICO and PPTARIO. without the
    AVANCE % above them); rows never split across pages (fpdf2 cannot)."""
    render_fpdf(seed, path)


def zebra(seed: Seed, path: Path) -> None:
    """No borders; every other body row filled cell by cell (each cell its own rectangle), section rows
    (units, Direcciones, Viceministerios, areas, averages) filled darker."""
    render_fpdf(seed, path, borders="NONE", zebra=True)


def hrules_esbo(seed: Seed, path: Path) -> None:
    """Horizontal lines only (fpdf2's HORIZONTAL_LINES), every percentage in es-BO form with two decimals:
    "50,00%" for results, unit and section figures and budget."""
    render_fpdf(reprinted(seed, es_bo_2), path, borders="HORIZONTAL_LINES")


LAYOUTS = [
    Layout("fpdf-grid", "fpdf2", grid),
    Layout("fpdf-zebra", "fpdf2", zebra),
    Layout("fpdf-hrules-esbo", "fpdf2", hrules_esbo),
]
