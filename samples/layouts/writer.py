"""The seed as a Word document (python-docx) converted to PDF by LibreOffice Writer (`soffice --headless
--convert-to pdf`): a word processor's table layout, with Word 2013+'s Normal style inside the cells
(8 pt after each paragraph, lines 1.08 apart), so a cell's lines and its rows sit farther apart than
in the other producers.

Every table here lets its rows break across pages (no `w:cantSplit`) and repeats its header rows
(`w:tblHeader`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from samples.seed import Seed

from .common import (
    ADDRESS,
    COVER_TITLE,
    NO_EXTRAS,
    Extra,
    Extras,
    Layout,
    Table,
    cause,
    observation,
    responsible,
    soffice_to_pdf,
    tables,
    with_index,
)

EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")
HORIZONTAL = ("top", "bottom", "insideH")
ROW_FILL, SECTION_FILL = "E6E6E6", "BFBFBF"
PAGE_W, PAGE_H, MARGIN = 11.0, 8.5, 0.6  # inches: US letter, landscape
RESPONSABLE = Extras(results=(Extra("RESPONSABLE", 4, responsible, 14),),
                     deviations=(Extra("OBSERVACIONES", 3, observation, 16),))
CAUSES = Extras(results=(Extra("CAUSAS DE DESVIACIÓN", 4, cause, 22),))


@dataclass(frozen=True)
class DocxStyle:
    borders: tuple[str, ...] = EDGES  # the table's edges drawn (w:tblBorders), the others nil
    zebra: bool = False  # every other result row shaded (w:shd), section rows darker
    extras: Extras = NO_EXTRAS
    letterhead: bool = False  # a cover, an index, a page header and footer close to the table
    page_border: bool = False  # Word's page border (w:pgBorders): a box around every page
    page_height: float = PAGE_H  # inches: other heights break the rows across pages at other places
    font: str = "Arial"


def _word_normal(doc, font: str) -> None:
    """Word 2013+'s Normal style (space after 8 pt, line spacing 1.08), at 8 pt, in `font`."""
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = font, Pt(8)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(8), 1.08


def _page(doc, style: DocxStyle) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Inches(PAGE_W), Inches(style.page_height)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Inches(MARGIN)
    if style.letterhead:  # the letterhead sits close to the text area
        sec.top_margin, sec.bottom_margin = Inches(0.8), Inches(0.55)
        sec.header_distance, sec.footer_distance = Pt(20), Pt(18)
    if style.page_border:  # 24 pt in from the page's edges, after w:pgMar as the schema orders it
        borders = _el("w:pgBorders", offsetFrom="page")
        for edge in ("top", "left", "bottom", "right"):
            borders.append(_el(f"w:{edge}", val="single", sz="8", space="24", color="000000"))
        sec._sectPr.find(qn("w:pgMar")).addnext(borders)


def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def _text(paragraph, text: str, *, bold: bool = False, size: float | None = None, align: str | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if align:
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align)


def _borders(table, drawn: tuple[str, ...]) -> None:
    edges = _el("w:tblBorders")
    for edge in EDGES:
        if edge in drawn:
            edges.append(_el(f"w:{edge}", val="single", sz="4", space="0", color="000000"))
        else:
            edges.append(_el(f"w:{edge}", val="nil"))
    table._tbl.tblPr.append(edges)


def _shade(cell, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def _grid(doc, t: Table, style: DocxStyle):
    """An empty Word table of the right size, borders and column widths (fixed, as a user drags them)."""
    from docx.shared import Inches

    table = doc.add_table(rows=len(t.head) + len(t.rows), cols=len(t.columns))
    table.autofit = False
    _borders(table, style.borders)
    total = sum(c.width for c in t.columns)
    widths = [Inches((PAGE_W - 2 * MARGIN) * c.width / total) for c in t.columns]
    for col, w in zip(table.columns, widths):
        col.width = w
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = w
    return table


def _head(table, t: Table) -> None:
    """The header rows, merged as the report merges them, marked to repeat on every page."""
    for r in range(len(t.head)):
        table.rows[r]._tr.get_or_add_trPr().append(_el("w:tblHeader"))
    for r, c, h in t.head_grid():
        cell = table.cell(r, c)
        if h.rows > 1 or h.cols > 1:
            cell = cell.merge(table.cell(r + h.rows - 1, c + h.cols - 1))
        _text(cell.paragraphs[0], h.text, bold=True, align="CENTER")


def _rows(table, t: Table, style: DocxStyle) -> None:
    rows, n_rows = table.rows, 0  # n_rows: result (or deviation) rows so far, which the zebra alternates over
    for i, row in enumerate(t.rows):
        cells = list(rows[len(t.head) + i].cells)
        if row.merge:
            a, b = row.merge
            cells = cells[:a] + [cells[a].merge(cells[b])] * (b - a + 1) + cells[b + 1:]
        fill = SECTION_FILL if row.section else ROW_FILL if n_rows % 2 else None
        n_rows += not row.section
        for j, text in enumerate(row.cells):
            if row.merge and row.merge[0] < j <= row.merge[1]:
                continue
            _text(cells[j].paragraphs[0], text, bold=row.section, align="RIGHT" if j in t.pct_cols else None)
            if style.zebra and fill:
                _shade(cells[j], fill)


def _table(doc, t: Table, style: DocxStyle) -> None:
    """One report table: titles, the Word table, the lines under it."""
    for i, line in enumerate(t.titles):
        _text(doc.add_paragraph(), line, bold=True, size=11 if i == 0 else 10, align="CENTER")
    for line in t.prose:
        _text(doc.add_paragraph(), line, align="JUSTIFY")
    table = _grid(doc, t, style)
    _head(table, t)
    _rows(table, t, style)
    for line in t.notes:
        _text(doc.add_paragraph(), line)


def _letterhead(doc, seed: Seed) -> None:
    """Page header (entity, address) and footer (address, Página N de M) on every page."""
    from docx.shared import Pt

    sec = doc.sections[0]
    head = sec.header.paragraphs[0]
    _text(head, seed.entity, bold=True, align="CENTER")
    head.add_run().add_break()
    _text(head, ADDRESS)
    foot = sec.footer.paragraphs[0]
    _text(foot, f"{ADDRESS} · Página ", align="CENTER")
    foot._p.append(_field("PAGE"))
    _text(foot, " de ")
    foot._p.append(_field("NUMPAGES"))
    for p in (head, foot):
        p.paragraph_format.space_after = Pt(0)


def _field(instr: str):
    field = _el("w:fldSimple", instr=f" {instr} ")
    run = _el("w:r")
    text = _el("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _front(doc, seed: Seed, index: dict[str, int]) -> None:
    """A cover (entity, title, year) and an index whose entries end in dot leaders and the page."""
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Inches, Pt

    first = doc.add_paragraph()
    first.paragraph_format.space_before = Pt(150)
    for i, line in enumerate((seed.entity, COVER_TITLE, seed.period[-4:])):
        _text(first if i == 0 else doc.add_paragraph(), line, bold=True, size=16, align="CENTER")
    doc.add_page_break()
    _text(doc.add_paragraph(), "ÍNDICE", bold=True, size=11, align="CENTER")
    for n, (title, page) in enumerate(index.items(), 1):
        p = doc.add_paragraph()
        p.paragraph_format.tab_stops.add_tab_stop(Inches(PAGE_W - 2 * MARGIN), WD_TAB_ALIGNMENT.RIGHT,
                                                  WD_TAB_LEADER.DOTS)
        _text(p, f"{n}. {title.capitalize()}\t{page}", size=10)
    doc.add_page_break()


def seed_docx(seed: Seed, path: Path, style: DocxStyle = DocxStyle(), index: dict[str, int] | None = None) -> None:
    """The report as a .docx; `index` (table title → page) fills the letterhead layout's index page."""
    from docx import Document

    doc = Document()
    _word_normal(doc, style.font)
    _page(doc, style)
    if style.letterhead:
        _letterhead(doc, seed)
        _front(doc, seed, index or {})
    results, deviations = tables(seed, style.extras)
    _table(doc, results, style)
    doc.add_page_break()
    _table(doc, deviations, style)
    doc.save(str(path))


def render_writer(seed: Seed, path: Path, style: DocxStyle = DocxStyle(), soffice: str = "soffice") -> None:
    path = Path(path)

    def draw(index: dict[str, int] | None = None) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / f"{path.stem}.docx"
            seed_docx(seed, source, style, index)
            soffice_to_pdf(source, path, soffice)

    if style.letterhead:
        with_index(draw, path, [seed.results_title, seed.deviations_title], first=3)
    else:
        draw()


STYLES: dict[str, DocxStyle] = {}  # each layout's style, for prints that vary it (`samples.layouts.sweep`)


def _layout(name: str, style: DocxStyle, doc: str) -> Layout:
    def draw(seed: Seed, path: Path) -> None:
        render_writer(seed, path, style)

    draw.__doc__ = doc
    STYLES[name] = style
    return Layout(name, "writer", draw, ("soffice",), style.extras)


LAYOUTS = [
    _layout("writer-grid", DocxStyle(),
            "US letter landscape, a Word table with every border, the header rows repeated, rows breaking across "
            "pages, 8 pt Arial with Word's Normal spacing in every cell."),
    _layout("writer-hrules", DocxStyle(borders=HORIZONTAL),
            "The Word table with only its top, bottom and inside-horizontal borders: no vertical line."),
    _layout("writer-zebra", DocxStyle(borders=(), zebra=True),
            "No borders; cell shading (w:shd) on every other result row, darker on section rows."),
    _layout("writer-framed", DocxStyle(borders=(), page_border=True),
            "No line in the tables; Word's page border (w:pgBorders) around every page, drawn by Writer."),
    _layout("writer-letterhead-extra", DocxStyle(extras=RESPONSABLE, letterhead=True),
            "Grid borders, after a cover and an index page (dot leaders, page numbers); a page header (entity, "
            "address) and footer (address · Página N de M) close to the table on every page; an extra last "
            "column RESPONSABLE in the results table and OBSERVACIONES in the deviation table."),
    _layout("writer-causes", DocxStyle(extras=CAUSES),
            "Grid borders; the results table carries a last column CAUSAS DE DESVIACIÓN (the cause the deviation "
            "table gives for each result below 35 %, empty for the others) beside the deviation table itself."),
]
