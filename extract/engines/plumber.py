"""The default engine: pdfplumber's words and rulings through the geometry in `extract.layout`."""

from __future__ import annotations

from typing import Iterator

from poa.records import Leftover

from .. import layout
from ..page import Page, open_source
from .base import Engine, GridRow, PageScan, PageTable, full_row


class PlumberEngine(Engine):
    name = "pdfplumber"

    def __init__(self, settings: layout.TableSettings = layout.DEFAULT):
        self.settings = settings

    def scan(self, path: str) -> Iterator[PageScan]:
        source = open_source(path)
        try:
            for page in source:
                yield scan_page(page, self.settings)
        finally:
            source.close()


def scan_page(page: Page, settings: layout.TableSettings = layout.DEFAULT) -> PageScan:
    lines = layout.text_lines(page.words, settings.line_tolerance)
    headers = layout.find_headers(lines, settings)
    scan = PageScan(page.number, chars_total=page.chars)
    taken: set[int] = set()
    for i, header in enumerate(headers):
        limit = headers[i + 1].top if i + 1 < len(headers) else page.height + 1
        body, closed = layout.body_lines(lines, header.bottom, limit, settings)
        words = [w for ln in body for w in ln.words]
        table = PageTable(header.kind, page.number, header.text, tuple(c[0] for c in header.columns), [], closed)
        scan.tables.append(table)
        for ln in header.lines:
            scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
            taken.update(id(w) for w in ln.words)
        if not words:
            continue
        top, bottom = header.bottom, max(w.bottom for w in words) + 0.5
        verticals = layout.vertical_edges(page.rulings, top, bottom, settings)
        edges = layout.column_edges(header, words, verticals, settings)
        x0 = min(min(w.x0 for w in words), header.columns[0][1])
        x1 = max(max(w.x1 for w in words), header.columns[-1][2])
        ys = layout.horizontal_edges(page.rulings, x0, x1, top, bottom, settings)
        groups = layout.rows_by_rulings(words, ys) if ys else layout.rows_by_text(body, edges)
        ruled = [e in verticals for e in edges]
        for g in groups:
            merged = layout.unruled_edges(g, edges, page.rulings, ruled, settings) if any(ruled) else None
            cells = layout.cells_of(g, edges, settings, merged)
            table.rows.append(GridRow(full_row(header.kind, table.columns, cells), page.number, layout.bbox_of(g)))
            taken.update(id(w) for w in g)
    rest = [w for w in page.words if id(w) not in taken]
    for ln in layout.text_lines(rest, settings.line_tolerance):
        scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
    return scan
