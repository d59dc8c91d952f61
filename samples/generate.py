"""Render the seed report into the sample PDFs, each beside the JSON of the rows it must yield.

    python samples/generate.py            # all samples into samples/

Layouts (the README's "Samples" section says what each exercises):
- ``mmm-2016-s1-ruled``:      landscape, fully ruled grid, rows split across pages (reportlab).
- ``mmm-2016-s1-borderless``: portrait, zebra shading and one header rule only, narrow code column whose
                              codes wrap inside the cell (reportlab).
- ``mmm-2016-s2-ruled``:      the second-semester variant, ruled landscape (reportlab).
- ``mmm-2016-s1-fpdf``:       the seed through a second, unrelated PDF writer (fpdf2), used to show the
                              extractor is not tuned to reportlab's output.
- ``mmm-2016-s1-planted``:    the seed with the faults listed in ``samples.seed.PLANTED`` (ruled, reportlab).

Rendered on the fly by the tests: no lines or shading at all, headers printed once, HTML printed by Chromium.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from samples.seed import Seed, SeedRow, planted, read_seed, second_semester  # noqa: E402

RESULTS_HEADER = ("Cód.", "RESULTADOS ESPERADOS AL {exp}", "RESULTADOS OBTENIDOS AL {obt}", "AVANCE %")
DEVIATIONS_HEADER = ("Cód.", "Resultados Esperados al {exp} por Unidad Organizacional",
                     "Causas de Desviación al {obt} */", "Medidas Correctivas al {exp} */")


def _code(printed: str) -> str:
    return printed.replace("O", "0").replace("l", "1")


def expected_rows(seed: Seed) -> dict:
    """What the pipeline must read back: every row with its hierarchy, as the seed prints it."""
    results = [
        dict(code=_code(r.cells[0]), code_raw=r.cells[0], expected=r.cells[1], obtained=r.cells[2],
             physical_pct=r.pct, **r.context)
        for r in seed.results if r.kind == "result"
    ]
    nodes = [
        dict(level=r.kind, number=r.number, name=r.name, physical_pct=r.pct, budget_pct=r.budget)
        for r in seed.results if r.kind != "result"
    ]
    deviations = [
        dict(code=_code(r.cells[0]), code_raw=r.cells[0], expected=r.cells[1], cause=r.cells[2],
             corrective_measure=r.cells[3], **r.context)
        for r in seed.deviations if r.kind == "deviation"
    ]
    return dict(
        entity=seed.entity, year=int(seed.period[-4:]),
        semester=1 if "PRIMER" in seed.period else 2,
        expected_date=seed.expected_date, obtained_date=seed.obtained_date,
        results=results, nodes=nodes, deviations=deviations,
    )


# ---------------------------------------------------------------- reportlab


def render_reportlab(seed: Seed, path: Path, *, landscape_ruled: bool, shading: bool = True,
                     repeat_header: bool = True) -> None:
    """The seed as a Word-like report. Borderless reports get zebra shading and a rule under the header
    unless `shading` is off (then nothing is drawn at all); `repeat_header` off prints each table's header on
    its first page only."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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
        if landscape_ruled:
            # GRID alone leaves out the rule under a repeated header when the next row is the rest of a split
            # row; Word draws it, so the sample does too.
            cmds += [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                     ("LINEBELOW", (0, n_header - 1), (-1, n_header - 1), 0.5, colors.black)]
        elif shading:
            cmds += [("LINEBELOW", (0, n_header - 1), (-1, n_header - 1), 0.8, colors.black),
                     ("ROWBACKGROUNDS", (0, n_header), (-1, -1), [colors.white, colors.HexColor("#e6e6e6")])]
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
    story = [para(seed.entity, title), para(seed.period, title), para(seed.results_title, title),
             para(seed.mission, prose), para(seed.vision, prose), Spacer(0, 6)]

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

    h = [c.format(exp=exp, obt=obt) for c in RESULTS_HEADER]
    header = [[para(h[0], centre), para(h[1], centre), para(h[2], centre), para(h[3], centre), ""],
              ["", "", "", para("FÍSICO", centre), para("PPTARIO.", centre)]]
    spans = [((0, 0), (0, 1)), ((1, 0), (1, 1)), ((2, 0), (2, 1)), ((3, 0), (4, 0))]
    story += [table_of(header, spans, seed.results, res_widths, (3, 4)), Spacer(0, 6),
              para(seed.results_footer, prose), PageBreak()]

    story += [para(seed.entity, title), para(seed.period, title), para(seed.deviations_title, title)]
    header = [[para(c.format(exp=exp, obt=obt), centre) for c in DEVIATIONS_HEADER]]
    story += [table_of(header, [], seed.deviations, dev_widths, ()), Spacer(0, 6),
              para(seed.deviations_note, prose), para(seed.deviations_footer, prose)]

    doc = SimpleDocTemplate(str(path), pagesize=pagesize, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title=seed.period, author="poa samples",
                            creator="poa samples/generate.py", invariant=1)
    doc.build(story)


# ---------------------------------------------------------------- fpdf2


def render_fpdf(seed: Seed, path: Path, *, compress: bool = True) -> None:
    """The same report through fpdf2: another writer, another font, other metrics and drawing operators.
    Uncompressed, its page streams are plain text (what the mutation test wants to flip bytes in)."""
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

    def table(header: list[str], rows: list[SeedRow], widths: tuple[int, ...]) -> None:
        pdf.set_font("vera", "", 7)
        head = FontFace(emphasis="BOLD", fill_color=(220, 220, 220))
        with pdf.table(col_widths=widths, width=sum(widths), line_height=9, repeat_headings=1,
                       headings_style=head, text_align="LEFT", align="LEFT") as t:
            hr = t.row()
            for c in header:
                hr.cell(c)
            for row in rows:
                r = t.row()
                for c in row.cells:
                    r.cell(c)

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


# ---------------------------------------------------------------- Chromium (HTML → PDF)

HTML_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 7.5pt; }
h1, h2 { text-align: center; font-size: 10pt; margin: 2pt; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; }
thead { display: table-header-group; } .n { text-align: right; white-space: nowrap; }
.sec td { font-weight: bold; } .brk { page-break-before: always; }
"""


def seed_html(seed: Seed) -> str:
    """The report as one HTML page: a third route to a PDF (a browser's layout, fonts and drawing)."""
    e = escape
    exp, obt = seed.expected_date, seed.obtained_date

    def rows(rs: list[SeedRow], width: int) -> str:
        out = []
        for r in rs:
            c = [e(x) for x in r.cells]
            if r.kind not in ("result", "deviation") and c[0] and not any(c[1:3]):
                tail = "".join(f"<td class=n>{x}</td>" for x in c[3:])
                out.append(f"<tr class=sec><td colspan=3>{c[0]}</td>{tail}</tr>")
            else:
                out.append("<tr>" + "".join(f"<td{' class=n' if width == 5 and i > 2 else ''}>{x}</td>"
                                            for i, x in enumerate(c)) + "</tr>")
        return "".join(out)

    def titles(second: str) -> str:
        return f"<h1>{e(seed.entity)}</h1><h2>{e(seed.period)}</h2><h2>{e(second)}</h2>"

    cols = lambda ws: "<colgroup>" + "".join(f"<col style='width:{w}%'>" for w in ws) + "</colgroup>"  # noqa: E731
    return (
        f"<!DOCTYPE html><html lang=es><head><meta charset=utf-8><style>{HTML_CSS}</style></head><body>"
        f"{titles(seed.results_title)}<p>{e(seed.mission)}</p><p>{e(seed.vision)}</p>"
        f"<table>{cols((9, 36, 43, 6, 6))}<thead><tr><th rowspan=2>Cód.</th>"
        f"<th rowspan=2>RESULTADOS ESPERADOS AL {exp}</th><th rowspan=2>RESULTADOS OBTENIDOS AL {obt}</th>"
        f"<th colspan=2>AVANCE %</th></tr><tr><th>FÍSICO</th><th>PPTARIO.</th></tr></thead>"
        f"<tbody>{rows(seed.results, 5)}</tbody></table><p>{e(seed.results_footer)}</p>"
        f"<div class=brk></div>{titles(seed.deviations_title)}<table>{cols((9, 35, 28, 28))}<thead><tr>"
        + "".join(f"<th>{e(h.format(exp=exp, obt=obt))}</th>" for h in DEVIATIONS_HEADER)
        + f"</tr></thead><tbody>{rows(seed.deviations, 4)}</tbody></table>"
        f"<p>{e(seed.deviations_note)}</p><p>{e(seed.deviations_footer)}</p></body></html>"
    )


def render_chromium(seed: Seed, path: Path, chromium: str = "chromium") -> None:
    """Print the HTML rendering to PDF with headless Chromium (Debian's package)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(seed_html(seed), encoding="utf-8")
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={path}",
             page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )


SAMPLES = {
    "mmm-2016-s1-ruled": (lambda s: s, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
    "mmm-2016-s1-borderless": (lambda s: s, lambda s, p: render_reportlab(s, p, landscape_ruled=False)),
    "mmm-2016-s2-ruled": (second_semester, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
    "mmm-2016-s1-fpdf": (lambda s: s, render_fpdf),
    "mmm-2016-s1-planted": (planted, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
}


def generate(out: Path = HERE, names: list[str] | None = None) -> list[Path]:
    seed = read_seed()
    made = []
    for name, (variant, render) in SAMPLES.items():
        if names and name not in names:
            continue
        s = variant(seed)
        pdf = out / f"{name}.pdf"
        render(s, pdf)
        (out / f"{name}.expected.json").write_text(
            json.dumps(expected_rows(s), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        made.append(pdf)
    return made


if __name__ == "__main__":
    for p in generate(names=sys.argv[1:] or None):
        print(p)
