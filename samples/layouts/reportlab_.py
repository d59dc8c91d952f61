"""The seed through reportlab: a Word-like report, the producer of the committed samples."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from samples.seed import Seed, SeedRow

from .common import DEVIATIONS_HEADER, RESULTS_HEADER, Layout

RULES = ("grid", "hrules", "zebra", "none")


def render_reportlab(seed: Seed, path: Path, *, landscape_ruled: bool, shading: bool = True,
                     repeat_header: bool = True, rules: str | None = None, deviations_first: bool = False) -> None:
    """The seed as a Word-like report. `landscape_ruled` picks the page and font (landscape Helvetica, or
    portrait Times with a narrow code column whose codes wrap) and, unless `rules` says otherwise, a full
    grid; portrait reports get zebra shading and a rule under the header unless `shading` is off (then
    nothing is drawn at all). `rules` is one of RULES ("hrules": a rule under every row, no vertical line).
    `repeat_header` off prints each table's header on its first page only; `deviations_first` prints the
    deviation table, with its titles, before the results."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rules = rules or ("grid" if landscape_ruled else "zebra" if shading else "none")
    if rules not in RULES:
        raise ValueError(f"rules: {rules!r} is not one of {RULES}")
    font, bold = ("Helvetica", "Helvetica-Bold") if landscape_ruled else ("Times-Roman", "Times-Bold")
    size = 7.5 if landscape_ruled else 7
    body = ParagraphStyle("body", fontName=font, fontSize=size, leading=size + 1.5)
    strong = ParagraphStyle("strong", parent=body, fontName=bold)
    right = ParagraphStyle("right", parent=body, alignment=2)
    centre = ParagraphStyle("centre", parent=strong, alignment=1)
    title = ParagraphStyle("title", fontName=bold, fontSize=11, leading=14, alignment=1, spaceAfter=4)
    prose = ParagraphStyle("prose", fontName=font, fontSize=8.5, leading=11, spaceAfter=4)

    if landscape_ruled:
        pagesize, margin = landscape(letter), 36
        res_widths, dev_widths = [72, 255, 303, 45, 45], [72, 250, 200, 198]
    else:
        pagesize, margin = letter, 30
        res_widths, dev_widths = [54, 194, 224, 40, 40], [54, 186, 156, 156]

    def para(text: str, style=body) -> Paragraph:
        return Paragraph(escape(text), style)

    def code_para(text: str) -> Paragraph:
        # Narrow columns wrap a code inside its cell, after its last hyphen, as Word does.
        if not landscape_ruled and len(text) > 3 and "-" in text:
            head, _, tail = text.rpartition("-")
            return Paragraph(escape(head + "-") + "<br/>" + escape(tail), body)
        return para(text)

    def table_style(n_header: int, spans: list) -> TableStyle:
        cmds = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, n_header - 1), bold)]
        if rules == "grid":
            # GRID alone leaves out the rule under a repeated header when the next row is the rest of a split
            # row; Word draws it, so the sample does too.
            cmds += [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                     ("LINEBELOW", (0, n_header - 1), (-1, n_header - 1), 0.5, colors.black)]
        elif rules == "zebra":
            cmds += [("LINEBELOW", (0, n_header - 1), (-1, n_header - 1), 0.8, colors.black),
                     ("ROWBACKGROUNDS", (0, n_header), (-1, -1), [colors.white, colors.HexColor("#e6e6e6")])]
        elif rules == "hrules":
            cmds += [("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.black)]
        cmds += [("SPAN", a, b) for a, b in spans]
        return TableStyle(cmds)

    def row_cells(row: SeedRow, width: int, pct_cols: tuple[int, ...]) -> tuple[list, tuple | None]:
        cells = list(row.cells)
        style = body if row.kind in ("result", "deviation") else strong
        out = [code_para(cells[0]) if row.kind in ("result", "deviation") else para(cells[0], style)]
        out += [para(c, right) if i in pct_cols else para(c, style) for i, c in enumerate(cells[1:], 1)]
        span = None
        if row.kind not in ("result", "deviation"):
            # a section name printed in the first cell with the next ones empty is one merged cell
            if cells[0] and not cells[1] and not cells[2]:
                span = (0, 2) if width == 5 else (0, 3)
            elif not cells[0] and cells[1] and not cells[2]:
                span = (1, 2) if width == 5 else (1, 3)
        return out, span

    exp, obt = seed.expected_date, seed.obtained_date

    def table_of(header: list[list], spans: list, rows: list[SeedRow], widths: list[int], pct_cols: tuple) -> Table:
        data = list(header)
        for row in rows:
            cells, span = row_cells(row, len(widths), pct_cols)
            if span:
                spans.append(((span[0], len(data)), (span[1], len(data))))
            data.append(cells)
        n = len(header)
        table = Table(data, colWidths=widths, repeatRows=n if repeat_header else 0, splitByRow=0, splitInRow=1)
        table.setStyle(table_style(n, spans))
        return table

    def results_part() -> list:
        h = [c.format(exp=exp, obt=obt) for c in RESULTS_HEADER]
        header = [[para(h[0], centre), para(h[1], centre), para(h[2], centre), para(h[3], centre), ""],
                  ["", "", "", para("FÍSICO", centre), para("PPTARIO.", centre)]]
        spans = [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (2, 1)), ((3, 0), (4, 0))]
        return [para(seed.entity, title), para(seed.period, title), para(seed.results_title, title),
                para(seed.mission, prose), para(seed.vision, prose), Spacer(0, 6),
                table_of(header, spans, seed.results, res_widths, (3, 4)), Spacer(0, 6),
                para(seed.results_footer, prose)]

    def deviations_part() -> list:
        header = [[para(c.format(exp=exp, obt=obt), centre) for c in DEVIATIONS_HEADER]]
        return [para(seed.entity, title), para(seed.period, title), para(seed.deviations_title, title),
                table_of(header, [], seed.deviations, dev_widths, ()), Spacer(0, 6),
                para(seed.deviations_note, prose), para(seed.deviations_footer, prose)]

    first, second = (deviations_part, results_part) if deviations_first else (results_part, deviations_part)
    story = first() + [PageBreak()] + second()
    doc = SimpleDocTemplate(str(path), pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title=seed.period, author="poa samples",
                            creator="poa samples/generate.py", invariant=1)
    doc.build(story)


def grid(seed: Seed, path: Path) -> None:
    """Landscape, a full grid, the header repeated on every page, rows split across pages, merged section
    cells: the committed `mmm-2016-s1-ruled` sample's layout."""
    render_reportlab(seed, path, landscape_ruled=True)


def zebra(seed: Seed, path: Path) -> None:
    """Portrait, no vertical lines, zebra shading and one rule under the header; the code column is so
    narrow that codes wrap after their last hyphen (`08-01.01.01-` / `09`)."""
    render_reportlab(seed, path, landscape_ruled=False)


def nolines(seed: Seed, path: Path) -> None:
    """The portrait layout with no lines and no shading at all: rows are told apart only by where a code
    or a section starts."""
    render_reportlab(seed, path, landscape_ruled=False, shading=False)


def header_once(seed: Seed, path: Path) -> None:
    """The ruled landscape layout, each table's header printed on its first page only."""
    render_reportlab(seed, path, landscape_ruled=True, repeat_header=False)


def hrules(seed: Seed, path: Path) -> None:
    """Landscape, a horizontal rule under every row (header rows included), no vertical line."""
    render_reportlab(seed, path, landscape_ruled=True, rules="hrules")


def deviations_first(seed: Seed, path: Path) -> None:
    """The ruled landscape layout with the deviation table and its titles printed first, the results
    table (with the Misión and Visión) after it, on a new page."""
    render_reportlab(seed, path, landscape_ruled=True, deviations_first=True)


LAYOUTS = [
    Layout("reportlab-grid", "reportlab", grid),
    Layout("reportlab-zebra", "reportlab", zebra),
    Layout("reportlab-nolines", "reportlab", nolines),
    Layout("reportlab-header-once", "reportlab", header_once),
    Layout("reportlab-hrules", "reportlab", hrules),
    Layout("reportlab-deviations-first", "reportlab", deviations_first),
]
