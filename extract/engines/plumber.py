"""The default engine: pdfplumber's words and rulings through the geometry in `extract.layout`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from poa.records import Leftover

from .. import layout
from ..page import Page, Word
from ..readers import open_source
from .base import Engine, GridRow, PageScan, PageTable, full_row


@dataclass(frozen=True)
class Carry:
    """A table that ran to the end of its page: the next page may go on with it without repeating its header."""

    header: layout.Header
    edges: tuple[float, ...]
    x0: float
    x1: float


class PlumberEngine(Engine):
    name = "pdfplumber"

    def __init__(self, settings: layout.TableSettings = layout.DEFAULT, reader: str = "pdfplumber"):
        self.settings = settings
        self.reader = reader

    def scan(self, path: str) -> Iterator[PageScan]:
        source = open_source(path, self.reader)
        carry = None
        try:
            for page in source:
                scan, carry = scan_page(page, self.settings, carry)
                yield scan
        finally:
            source.close()


def scan_page(
    page: Page, settings: layout.TableSettings = layout.DEFAULT, carry: Carry | None = None
) -> tuple[PageScan, Carry | None]:
    """The table pieces on one page and the text no table took; and the table that runs on, if any."""
    lines = layout.text_lines(page.words, settings.line_tolerance)
    headers = layout.find_headers(lines, settings)
    scan = PageScan(page.number, chars_total=page.chars)
    taken: set[int] = set()
    first_top = headers[0].top if headers else page.height + 1
    if carry is not None:
        start = continuation_start([ln for ln in lines if ln.bottom <= first_top], carry, page, settings)
        if start is not None:
            body, closed = layout.body_lines(lines, start, first_top, settings)
            table, _ = _table(page, carry.header, body, closed, settings, carry)
            scan.tables.append(table)
            taken.update(id(w) for ln in body for w in ln.words)
            if closed or headers:
                carry = None  # it ended here, or another table (or its own repeated header) follows
        else:
            carry = None
    for i, header in enumerate(headers):
        limit = headers[i + 1].top if i + 1 < len(headers) else page.height + 1
        body, closed = layout.body_lines(lines, header.bottom, limit, settings)
        for ln in header.lines:
            scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
            taken.update(id(w) for w in ln.words)
        table, runs_on = _table(page, header, body, closed, settings)
        scan.tables.append(table)
        taken.update(id(w) for ln in body for w in ln.words)
        carry = None if closed else runs_on
    rest = [w for w in page.words if id(w) not in taken]
    for ln in layout.text_lines(rest, settings.line_tolerance):
        scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
    return scan, carry


def continuation_start(region: Sequence[layout.Line], carry: Carry, page: Page, settings) -> float | None:
    """Where a header-less continuation of the carried table starts on this page, if it does.

    Running heads printed above it (an entity name, a page number) are not rows: where the table is drawn,
    it starts where its column rulings start (the rest of a broken row may have lost its top border) or at
    its first ruling across the carried columns; where it is not drawn, at the first line that opens a row
    (a code, a unit number or a section keyword in the carried columns).
    """
    if not region:
        return None
    sides = [r.top for r in page.rulings if not r.horizontal and r.top < region[-1].bottom
             and any(abs((r.x0 + r.x1) / 2 - e) <= settings.snap_tolerance for e in carry.edges)]
    if sides:
        return min(sides)
    ys = layout.horizontal_edges(page.rulings, carry.x0, carry.x1, 0, region[-1].bottom + 1, settings, page.fills)
    if ys:
        return ys[0]
    previous_code = ""
    for ln in region:
        cells = [" ".join(w.text for w in ln.words if layout.column_of(w.xc, carry.edges) == i)
                 for i in range(len(carry.edges) + 1)]
        if layout.starts_row(cells, previous_code):
            return ln.top
    return None


def _table(page: Page, header: layout.Header, body: Sequence[layout.Line], closed: bool, settings,
           carry: Carry | None = None) -> tuple[PageTable, Carry | None]:
    """One table's rows on one page, from its body lines, with column edges from the header (or carried
    from the page before); and what the next page needs to go on with it."""
    columns = tuple(c[0] for c in header.columns)
    table = PageTable(header.kind, page.number, header.text, columns, [], closed)
    words: list[Word] = [w for ln in body for w in ln.words]
    if not words:
        return table, None
    top = header.bottom if carry is None else min(w.top for w in words) - 0.5
    bottom = max(w.bottom for w in words) + 0.5
    verticals = layout.vertical_edges(page.rulings, top, bottom, settings)
    if carry is not None:
        edges = list(carry.edges)
        x0, x1 = carry.x0, carry.x1
    else:
        edges = layout.column_edges(header, words, verticals, settings)
        x0 = min(min(w.x0 for w in words), header.columns[0][1])
        x1 = max(max(w.x1 for w in words), header.columns[-1][2])
    ys = layout.horizontal_edges(page.rulings, x0, x1, top, bottom, settings, page.fills)
    groups = layout.rows_by_rulings(words, ys) if ys else layout.rows_by_text(body, edges)
    ruled = [any(abs(e - v) <= settings.snap_tolerance for v in verticals) for e in edges]
    for g in groups:
        merged = layout.unruled_edges(g, edges, page.rulings, ruled, settings) if any(ruled) else None
        cells = layout.cells_of(g, edges, settings, merged)
        table.rows.append(GridRow(full_row(header.kind, columns, cells), page.number, layout.bbox_of(g)))
    return table, Carry(header, tuple(edges), x0, x1)
