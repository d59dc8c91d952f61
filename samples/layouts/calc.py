"""The seed as a workbook (openpyxl) converted to PDF by LibreOffice Calc: a spreadsheet's print-out, one
sheet per table, scaled to fit one page wide, rows as tall as their wrapped text.

A spreadsheet row never breaks across pages: a tall row moves whole to the next page (the closest Calc
comes to a split row). Calc prints every sheet, each from a new page."""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

from samples.seed import Seed, parse_pct

from .common import Layout, PctForm, Row, Table, es_bo_2, soffice_to_pdf, tables

SHEETS = ("Resultados", "Desviaciones")


@dataclass(frozen=True)
class XlsxStyle:
    borders: bool = True  # a thin border on every cell of the table
    gridlines: bool = False  # Calc's printed gridlines
    numeric_pct: bool = False  # percentages as numbers (0.5, format "0%"); else as text in the `pct` form
    pct: PctForm | None = None
    font_size: float = 6.0
    results_widths: tuple[float, ...] = (12, 50, 60, 8, 8)  # column widths, in Calc's character units
    deviations_widths: tuple[float, ...] = (12, 48, 38, 38)
    portrait: bool = False
    merged: bool = True  # section names and the "AVANCE %" group title in merged cells; else each in its first
    # cell, not wrapped, running on over the empty cells to its right as a spreadsheet shows it


def _fonts(style: XlsxStyle):
    from openpyxl.styles import Font

    plain = Font(name="Arial", size=style.font_size)
    return plain, Font(name="Arial", size=style.font_size, bold=True), Font(name="Arial", size=style.font_size + 2, bold=True)


CHAR_PT = 6.92  # one of Calc's column-width units here (its default font's digit), measured on its PDFs
INSET_PT = 3.0  # Calc's text inset in a cell, both sides, with some slack
LINE = 1.12  # Calc's line pitch, in font sizes


def _lines(text: str, units: float, size: float, bold: bool) -> int:
    """How many lines Calc wraps `text` into in a cell `units` wide: greedy at spaces, a word wider than
    the cell broken anywhere. Helvetica's metrics are Arial's (Liberation Sans's)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font, room = ("Helvetica-Bold" if bold else "Helvetica"), 0.97 * (units * CHAR_PT - INSET_PT)
    lines, used = 1, 0.0
    for word in text.split():
        w, space = stringWidth(word, font, size), stringWidth(" ", font, size)
        if used and used + space + w <= room:
            used += space + w
            continue
        if used:
            lines += 1
        extra = math.ceil(w / room) - 1 if w > room else 0
        lines, used = lines + extra, w - extra * room
    return lines


def _fit_height(ws, row: int, cells: list[tuple[str, float, bool]], size: float) -> None:
    """Store the row's height as Excel would have saved it: Calc does not size rows to wrapped text on
    import, so a row without a height keeps one line and clips the rest."""
    lines = max((_lines(text, units, size, bold) for text, units, bold in cells if text), default=1)
    ws.row_dimensions[row].height = round(lines * size * LINE + 2.5, 1)


def _block(ws, row: int, ncols: int, text: str, font, units: float, *, centre: bool = False) -> None:
    """A line above or under the table, merged across it and wrapped."""
    from openpyxl.styles import Alignment

    cell = ws.cell(row, 1, text)
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center" if centre else "left")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    _fit_height(ws, row, [(text, units, bool(font.b))], font.size)


def _value(text: str, pct_col: bool, style: XlsxStyle):
    if pct_col and style.numeric_pct:
        value = parse_pct(text)
        return None if value is None else value / 100
    return text or None


def _spans(row: Row, widths: tuple[float, ...], style: XlsxStyle) -> list[tuple[str, float, bool]]:
    """Each printed cell of a body row with its width (a merged cell as wide as its columns); an unmerged
    section row's text is on one line, however far it runs."""
    if row.merge and not style.merged:
        return [(text, 1e9, row.section) for text in row.cells if text]
    a, b = row.merge or (-1, -1)
    return [(text, sum(widths[a:b + 1]) if c == a else widths[c], row.section)
            for c, text in enumerate(row.cells) if not a < c <= b]


def _formats(style: XlsxStyle) -> dict:
    from openpyxl.styles import Alignment, Border, Side

    thin = Side(style="thin", color="000000")
    return dict(
        edge=Border(left=thin, right=thin, top=thin, bottom=thin) if style.borders else Border(),
        wrap=Alignment(wrap_text=True, vertical="top"),
        right=Alignment(wrap_text=True, vertical="top", horizontal="right"),
        centred=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        running=Alignment(wrap_text=False, vertical="top", horizontal="left"),
    )


def _header(ws, top: int, t: Table, widths: tuple[float, ...], style: XlsxStyle) -> int:
    """The header rows from row `top`, repeated on every printed page; returns the first body row."""
    fmt, bold = _formats(style), _fonts(style)[1]
    running = set()  # an unmerged group title: in its first cell, running on over the next
    for r, c, h in t.head_grid():
        ws.cell(top + r, c + 1, h.text)
        if not style.merged:  # a title two rows high stays in its top cell, the one below left empty
            running |= {(r, c)} if h.cols > 1 else set()
        elif h.rows > 1 or h.cols > 1:
            ws.merge_cells(start_row=top + r, start_column=c + 1, end_row=top + r + h.rows - 1, end_column=c + h.cols)
    for r in range(len(t.head)):
        for c in range(len(t.columns)):
            cell = ws.cell(top + r, c + 1)
            cell.font, cell.border = bold, fmt["edge"]
            cell.alignment = fmt["running"] if (r, c) in running else fmt["centred"]
        own = [(h.text, widths[c], True) for rr, c, h in t.head_grid() if rr == r and h.rows == 1]
        _fit_height(ws, top + r, own, style.font_size)
    ws.print_title_rows = f"{top}:{top + len(t.head) - 1}"
    return top + len(t.head)


def _body(ws, row: int, t: Table, widths: tuple[float, ...], style: XlsxStyle) -> int:
    """The table's rows from row `row`; returns the row after them."""
    fmt, (plain, bold, _) = _formats(style), _fonts(style)
    for body in t.rows:
        for c, text in enumerate(body.cells):
            pct_col = c in t.pct_cols
            cell = ws.cell(row, c + 1, _value(text, pct_col, style))
            cell.font, cell.border = bold if body.section else plain, fmt["edge"]
            cell.alignment = fmt["right"] if pct_col else fmt["running"] if body.merge and not style.merged else fmt["wrap"]
            if pct_col and style.numeric_pct:
                cell.number_format = "0%"
        if body.merge and style.merged:
            ws.merge_cells(start_row=row, start_column=body.merge[0] + 1, end_row=row, end_column=body.merge[1] + 1)
        _fit_height(ws, row, _spans(body, widths, style), style.font_size)
        row += 1
    return row


def _page_setup(ws, style: XlsxStyle) -> None:
    """Letter (landscape unless portrait), one page wide and as many pages high as it takes."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "portrait" if style.portrait else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.print_options.gridLines = style.gridlines


def _sheet(ws, t: Table, widths: tuple[float, ...], style: XlsxStyle) -> None:
    """One table on its sheet: titles, a blank row, header, rows, a blank row, the lines under it."""
    from openpyxl.utils import get_column_letter

    plain, bold, title = _fonts(style)
    ncols, total = len(t.columns), sum(widths)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    above = [(line, title if i == 0 else bold, True) for i, line in enumerate(t.titles)]
    above += [(line, plain, False) for line in t.prose]
    for row, (line, font, centre) in enumerate(above, 1):
        _block(ws, row, ncols, line, font, total, centre=centre)
    row = _body(ws, _header(ws, len(above) + 2, t, widths, style), t, widths, style)
    for i, line in enumerate(t.notes):
        _block(ws, row + 1 + i, ncols, line, plain, total)
    _page_setup(ws, style)


def seed_xlsx(seed: Seed, path: Path, style: XlsxStyle = XlsxStyle()) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    results, deviations = tables(seed, pct=None if style.numeric_pct else style.pct)
    _sheet(wb.active, results, style.results_widths, style)
    wb.active.title = SHEETS[0]
    _sheet(wb.create_sheet(SHEETS[1]), deviations, style.deviations_widths, style)
    wb.save(str(path))


def render_calc(seed: Seed, path: Path, style: XlsxStyle = XlsxStyle(), soffice: str = "soffice") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{Path(path).stem}.xlsx"
        seed_xlsx(seed, source, style)
        soffice_to_pdf(source, Path(path), soffice)


def _layout(name: str, style: XlsxStyle, doc: str) -> Layout:
    def draw(seed: Seed, path: Path) -> None:
        render_calc(seed, path, style)

    draw.__doc__ = doc
    return Layout(name, "calc", draw, ("soffice",))


LAYOUTS = [
    _layout("calc-borders-esbo", XlsxStyle(pct=es_bo_2),
            "Two sheets (results, deviations), every cell bordered, 6 pt Arial, wrapped text, landscape, fit to "
            "one page wide, header rows repeated (print_title_rows), percentages as text \"50,00%\". Rows never "
            "break across pages: Calc moves a tall row whole to the next page."),
    _layout("calc-gridlines", XlsxStyle(borders=False, gridlines=True, numeric_pct=True, font_size=6.5,
                                        results_widths=(7.05, 44, 50, 5.05, 5.05), deviations_widths=(7.05, 44, 34, 34)),
            "No borders but Calc's printed gridlines; percentages as numbers (0.5, format \"0%\"); columns so "
            "narrow that text touches the rule (percentages right-aligned against it, codes filling the code "
            "column), 6.5 pt. Rows never break across pages."),
    _layout("calc-gridlines-portrait", XlsxStyle(borders=False, gridlines=True, portrait=True, merged=False,
                                                 font_size=6.5, results_widths=(7.05, 44, 50, 5.05, 5.05),
                                                 deviations_widths=(7.05, 44, 34, 34)),
            "Portrait, no borders but Calc's printed gridlines, nothing merged: a section name stands in its first "
            "cell and runs on over the empty cells to its right, \"AVANCE %\" stands in the FÍSICO column's top cell "
            "only, over FÍSICO and PPTARIO. in two, and the other titles in their top cell, the one below empty."),
]
