"""The seed as HTML printed to PDF by headless Chromium (Debian's package): a browser's layout engine,
fonts, line breaking (it breaks after hyphens too: "2015-" / "2016") and drawing.

Chromium splits table rows across pages and repeats a `thead` on every page."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from samples.seed import Seed, annual

from .common import (
    ADDRESS,
    COVER_TITLE,
    NO_EXTRAS,
    Extra,
    Extras,
    Layout,
    PctForm,
    Row,
    Table,
    es_bo_1,
    indicator,
    responsible,
    tables,
    with_index,
)

PAGE_CSS = "@page {{ size: {size}; margin: {margin}; }}"
HTML_CSS = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 7.5pt; }
h1, h2 { text-align: center; font-size: 10pt; margin: 2pt; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; }
thead { display: table-header-group; } .n { text-align: right; white-space: nowrap; }
.sec td { font-weight: bold; } .brk { page-break-before: always; }
"""

LINES_CSS = {
    "grid": "",
    "hrules": "td, th { border: none; border-bottom: 0.6pt solid #000; }",
    "none": "td, th { border: none; }",
}
FRAME_CSS = "@page { border: 0.8pt solid #000; padding: 4mm; }"
ZEBRA_CSS = """
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tbody tr:nth-child(even) td { background: #e6e6e6; }
tbody tr.sec td { background: #c4c4c4; }
"""
LETTERHEAD_CSS = """
@page {{ margin: 19mm 12mm 13mm 12mm;
  @top-center {{ content: "{entity}\\A {address}"; white-space: pre; font: 7pt 'DejaVu Sans', sans-serif;
                vertical-align: bottom; padding-bottom: 5pt; }}
  @bottom-center {{ content: "{address} · Página " counter(page) " de " counter(pages);
                   font: 7pt 'DejaVu Sans', sans-serif; vertical-align: top; padding-top: 3pt; }}
}}
.cover {{ text-align: center; padding-top: 55mm; }} .cover p {{ font-size: 16pt; font-weight: bold; margin: 8pt; }}
.toc {{ font-size: 9pt; margin: 6pt 20mm; }}
"""
INDICADOR = Extras(results=(Extra("INDICADOR", 1, indicator, 15),),
                   deviations=(Extra("RESPONSABLE", 2, responsible, 12),))


@dataclass(frozen=True)
class HtmlStyle:
    lines: str = "grid"  # one of LINES_CSS
    zebra: bool = False
    pct: PctForm | None = None
    extras: Extras = NO_EXTRAS
    letterhead: bool = False  # cover, index, running header and footer
    size: str = "A4 landscape"  # CSS @page size: other sizes break the rows across pages at other places
    margin: str = "12mm"
    frame: bool = False  # a frame drawn around every page's text area (@page border)


def _css(seed: Seed, style: HtmlStyle) -> str:
    css = PAGE_CSS.format(size=style.size, margin=style.margin) + HTML_CSS + LINES_CSS[style.lines]
    css += FRAME_CSS if style.frame else ""
    css += ZEBRA_CSS if style.zebra else ""
    if style.letterhead:
        quoted = lambda s: s.replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731  (a CSS string)
        css += LETTERHEAD_CSS.format(entity=quoted(seed.entity), address=quoted(ADDRESS))
    return css


def _row_html(row: Row, pct_cols: tuple[int, ...]) -> str:
    out, i = [], 0
    while i < len(row.cells):
        attrs = " class=n" if i in pct_cols else ""
        if row.merge and row.merge[0] == i:
            attrs += f" colspan={row.merge[1] - i + 1}"
            nxt = row.merge[1] + 1
        else:
            nxt = i + 1
        out.append(f"<td{attrs}>{escape(row.cells[i])}</td>")
        i = nxt
    return f"<tr{' class=sec' if row.section else ''}>{''.join(out)}</tr>"


def _table_html(t: Table) -> str:
    e = escape
    total = sum(c.width for c in t.columns)
    cols = "".join(f"<col style='width:{100 * c.width / total:.2f}%'>" for c in t.columns)
    head = "".join(
        "<tr>" + "".join(f"<th{f' rowspan={h.rows}' if h.rows > 1 else ''}{f' colspan={h.cols}' if h.cols > 1 else ''}>"
                         f"{e(h.text)}</th>" for h in cells) + "</tr>"
        for cells in t.head)
    body = "".join(_row_html(r, t.pct_cols) for r in t.rows)
    return (f"<h1>{e(t.titles[0])}</h1>" + "".join(f"<h2>{e(x)}</h2>" for x in t.titles[1:])
            + "".join(f"<p>{e(x)}</p>" for x in t.prose)
            + f"<table><colgroup>{cols}</colgroup><thead>{head}</thead><tbody>{body}</tbody></table>"
            + "".join(f"<p>{e(x)}</p>" for x in t.notes))


def _front_html(seed: Seed, index: dict[str, int]) -> str:
    """A cover and an index page, as a ministry's bound report has them."""
    e = escape
    cover = f"<div class=cover><p>{e(seed.entity)}</p><p>{COVER_TITLE}</p><p>{e(seed.period[-4:])}</p></div>"
    lines = "".join(f"<p class=toc>{n}. {e(title.capitalize())} {'.' * 40} {page}</p>"
                    for n, (title, page) in enumerate(index.items(), 1))
    return f"{cover}<div class=brk></div><h1>ÍNDICE</h1>{lines}<div class=brk></div>"


def seed_html(seed: Seed, style: HtmlStyle = HtmlStyle(), index: dict[str, int] | None = None) -> str:
    """The report as one HTML page; `index` (table title → page) is the letterhead layout's index page."""
    results, deviations = tables(seed, style.extras, style.pct)
    front = _front_html(seed, index or {}) if style.letterhead else ""
    return (f"<!DOCTYPE html><html lang=es><head><meta charset=utf-8><style>{_css(seed, style)}</style></head>"
            f"<body>{front}{_table_html(results)}<div class=brk></div>{_table_html(deviations)}</body></html>")


def print_html(html: str, path: Path, chromium: str = "chromium", tagged: bool = True) -> None:
    """Print an HTML page to PDF with headless Chromium, without the browser's own header and footer;
    untagged, without the structure tree (thousands of small objects) that makes a tagged print large."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={path}",
             *([] if tagged else ["--disable-pdf-tagging"]), page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )


def render_chromium(seed: Seed, path: Path, chromium: str = "chromium", style: HtmlStyle = HtmlStyle(),
                    tagged: bool = True) -> None:
    """Print the HTML rendering to PDF with headless Chromium; a letterhead layout is printed until its
    index gives the right pages."""
    path = Path(path)
    if not style.letterhead:
        print_html(seed_html(seed, style), path, chromium, tagged)
        return
    titles = [seed.results_title, seed.deviations_title]
    with_index(lambda pages: print_html(seed_html(seed, style, pages), path, chromium, tagged), path, titles, first=3)


STYLES: dict[str, HtmlStyle] = {}  # each layout's style, for prints that vary it (`samples.layouts.sweep`)


def _layout(name: str, style: HtmlStyle, doc: str, variant=None) -> Layout:
    def draw(seed: Seed, path: Path) -> None:
        render_chromium(seed, path, style=style)

    draw.__doc__ = doc
    STYLES[name] = style
    return Layout(name, "chromium", draw, ("chromium",), style.extras, **({"variant": variant} if variant else {}))


LAYOUTS = [
    _layout("chromium-grid", HtmlStyle(),
            "A4 landscape, every cell bordered (CSS borders, collapsed), thead repeated on every page, rows split "
            "across pages, section names in merged cells."),
    _layout("chromium-hrules", HtmlStyle(lines="hrules"),
            "CSS border-bottom on every cell only: a horizontal rule under each row, no vertical line."),
    _layout("chromium-nolines-esbo", HtmlStyle(lines="none", pct=es_bo_1),
            "No borders, no shading; percentages as \"50,0 %\" (comma decimal, one decimal, a space before %)."),
    _layout("chromium-zebra", HtmlStyle(lines="none", zebra=True),
            "No borders; tr:nth-child(even) rows shaded, section rows shaded darker (print-color-adjust: exact "
            "so the fills print)."),
    _layout("chromium-extra", HtmlStyle(extras=INDICADOR),
            "Grid lines, with an extra column INDICADOR in the results table between the expected and obtained "
            "results, and RESPONSABLE in the deviation table between the cause and the measure."),
    _layout("chromium-letterhead", HtmlStyle(letterhead=True),
            "Grid lines, after a cover page (entity, SEGUIMIENTO AL AVANCE DEL POA, year) and an index page "
            "(\"1. Sistematización de resultados … 3\"); every page has a letterhead: a running header (entity "
            "and address, CSS @top-center) and a running footer (address · Página N de M, @bottom-center) a few "
            "points under the table's last line."),
    _layout("chromium-framed-annual", HtmlStyle(frame=True, size="letter landscape"),
            "An annual evaluation (\"EVALUACIÓN POA GESTIÓN 2016\", the year-end figures, results obtained by "
            "31/12/2016: no semester named) on US letter, grid lines, a frame drawn around every page's text "
            "area (CSS @page border) close around the tables.", variant=annual),
]
