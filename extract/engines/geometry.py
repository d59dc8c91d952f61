"""The default engine: a page reader's words and rulings through the geometry in `extract.layout`.

Per page: find the table headers, set aside the page's furniture (letterheads and footers repeated across
pages), and cut each table's body into columns (from its header) and rows. A table drawn with column rulings
ends where they end: text above or below them, or beside the table's outer borders, is not a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, islice
from typing import Iterator, Sequence

from poa.core.options import READERS
from poa.core.profile import FIGURE_ROLES, Profile
from poa.core.profiles import load
from poa.core.records import Leftover

from .. import layout, transposed
from ..furniture import Furniture
from ..header import Header, find_headers
from ..page import Page, Word
from ..readers import open_source
from ..unclaimed import unclaimed_cells
from .base import Engine, PageScan, choose, page_scan, split_row
from .rows import GridRow, PageTable

LOOKAHEAD = 8  # pages read before the first is cut, so that furniture repeated on later pages is known



@dataclass(frozen=True)
class Carry:
    """A table that ran to the end of its page: the next page may go on with it without repeating its header."""

    header: Header
    edges: tuple[float, ...]
    x0: float
    x1: float


class GeometryEngine(Engine):
    name = "geometry"

    def __init__(self, settings: layout.TableSettings = layout.DEFAULT, reader: str = READERS[0], ocr: str = "auto",
                 profiles: Sequence[Profile] = ()):
        self.settings = settings
        self.reader = reader
        self.ocr = ocr
        self.profiles = tuple(profiles) or (load(),)

    def scan(self, path: str) -> Iterator[PageScan]:
        source = open_source(path, self.reader, self.ocr, self.watch)
        try:
            pages = iter(source)
            ahead = list(islice(pages, LOOKAHEAD))
            lines = {page.number: layout.text_lines(page.words, self.settings.line_tolerance) for page in ahead}
            self.fit = choose(self.profiles, [(lines[p.number], p.rulings) for p in ahead], self.settings)
            self.profile = self.fit.profile
            furniture = Furniture(self.profile)
            for page in ahead:
                furniture.learn(page.number, lines[page.number], page.height)
            carry = None
            for page in chain(ahead, pages):
                if page.number not in lines:
                    lines[page.number] = layout.text_lines(page.words, self.settings.line_tolerance)
                    furniture.learn(page.number, lines[page.number], page.height)
                scan, carry = scan_page(page, self.profile, self.settings, carry, furniture, lines.pop(page.number))
                yield scan
        finally:
            source.close()


def scan_page(
    page: Page, profile: Profile, settings: layout.TableSettings = layout.DEFAULT, carry: Carry | None = None,
    furniture: Furniture | None = None, lines: list[layout.Line] | None = None,
) -> tuple[PageScan, Carry | None]:
    """The table pieces on one page and the text no table took; and the table that runs on, if any."""
    if lines is None:
        lines = layout.text_lines(page.words, settings.line_tolerance)
    headers = find_headers(lines, profile, page.rulings, settings)
    in_header = {id(ln) for h in headers for ln in h.lines}
    first_top = headers[0].top if headers else page.height + 1
    set_aside: list[layout.Line] = []
    if furniture is not None:
        kept: list[layout.Line] = []
        for ln in lines:
            keep = (id(ln) in in_header
                    or not furniture.is_furniture(page.number, ln, page.height, headers[0].top if headers else None)
                    or layout.enclosed(ln, page.rulings))  # text repeated inside a ruled cell is the table's
            (kept if keep else set_aside).append(ln)
        lines = kept
    scan = page_scan(page, profile)
    taken: set[int] = set()
    if carry is not None:
        start = continuation_start([ln for ln in lines if ln.bottom <= first_top], carry, page, settings, profile)
        if start is not None:
            body, closed_at = layout.body_lines(lines, start, first_top, settings, profile)
            table, _, used = _table(page, carry.header, body, closed_at, settings, profile, carry, start)
            scan.tables.append(table)
            taken |= used
            if closed_at is not None or headers:
                carry = None  # it ended here, or another table (or its own repeated header) follows
        else:
            carry = None
    for i, header in enumerate(headers):
        limit = headers[i + 1].top if i + 1 < len(headers) else page.height + 1
        body, closed_at = layout.body_lines(lines, header.bottom, limit, settings, profile)
        for ln in header.lines:
            scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
            taken.update(id(w) for w in ln.words)
        table, runs_on, used = _table(page, header, body, closed_at, settings, profile)
        scan.tables.append(table)
        taken |= used
        carry = None if closed_at is not None else runs_on
    for spec in profile.tables:
        if spec.transposed:
            for table, used in transposed.read(page.number, lines, page.rulings, spec, profile, settings):
                scan.tables.append(table)
                taken |= used
    scan.furniture_in_cells = sum(len(ln.text.replace(" ", "")) for ln in in_cells(set_aside, scan.tables, page.number))
    rest = [w for w in page.words if id(w) not in taken]
    for ln in layout.text_lines(rest, settings.line_tolerance):
        scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
    for why in dict.fromkeys(why for _, why in page.hidden):  # in the file, not on the page: never a cell
        hidden = [w for w, reason in page.hidden if reason == why]
        for ln in layout.text_lines(hidden, settings.line_tolerance):
            scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text, why))
    scan.unclaimed = unclaimed_cells(page.number, rest, page.rulings)
    return scan, carry


def in_cells(set_aside: Sequence[layout.Line], tables: Sequence[PageTable], page: int,
             align: float = 1.5, gap_lines: float = 1.5) -> list[layout.Line]:
    """The lines set aside as page furniture that look like a cell's own lines: each starts where a cell's
    text on the page starts (within `align` points) and stands right above or below it (within `gap_lines`
    line heights), or right above or below another such line. A cell of text repeated over pages prints
    lines a running head would (the same text at the same place); the batch must not call such a read ok."""
    def touching(anchors: list[tuple[float, float, float]], ln: layout.Line) -> bool:
        x0, h = ln.words[0].x0, max(ln.height, 1.0)
        return any(abs(x0 - ax0) <= align and (-1 <= atop - ln.bottom <= gap_lines * h or -1 <= ln.top - abottom <= gap_lines * h)
                   for ax0, atop, abottom in anchors)

    anchors = [(x0, top, bottom) for t in tables for r in t.rows for (_, pg, x0, top, _, bottom) in r.boxes if pg == page]
    found: list[layout.Line] = []
    rest = list(set_aside)
    while anchors and rest:  # outwards from the cells, a ring of lines at a time
        ring = [ln for ln in rest if touching(anchors, ln)]
        found += ring
        taken = {id(ln) for ln in ring}
        rest = [ln for ln in rest if id(ln) not in taken]
        anchors = [(ln.words[0].x0, ln.top, ln.bottom) for ln in ring]
    return found


def continuation_start(region: Sequence[layout.Line], carry: Carry, page: Page, settings, profile: Profile
                       ) -> float | None:
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
        if layout.starts_row(cells, previous_code, profile):
            return ln.top
    return None


def drawn_extent(page: Page, edges: Sequence[float], top: float, bottom: float,
                 settings: layout.TableSettings) -> tuple[float, float, float, float] | None:
    """The box the table's drawn grid covers on this page — from the top of its column rulings to their
    bottom, between its outer borders — or None where no column edge is drawn."""
    def at_edge(r, xs):
        return any(abs((r.x0 + r.x1) / 2 - x) <= settings.snap_tolerance for x in xs)

    verticals = [r for r in page.rulings if not r.horizontal and r.bottom > top and r.top < bottom]
    if not any(at_edge(r, edges) for r in verticals):
        return None
    left = [(r.x0 + r.x1) / 2 for r in verticals if (r.x0 + r.x1) / 2 < edges[0] - settings.snap_tolerance]
    right = [(r.x0 + r.x1) / 2 for r in verticals if (r.x0 + r.x1) / 2 > edges[-1] + settings.snap_tolerance]
    x0 = max(left) if left else float("-inf")
    x1 = min(right) if right else float("inf")
    # the grid's height: its inner column rulings and its outer borders (a merged row lacks the inner ones)
    grid = [r for r in verticals if at_edge(r, [*edges, x0, x1])]
    return x0, min(r.top for r in grid), x1, max(r.bottom for r in grid)


def _table(page: Page, header: Header, body: Sequence[layout.Line], closed_at: float | None, settings,
           profile: Profile, carry: Carry | None = None, start: float | None = None
           ) -> tuple[PageTable, Carry | None, set[int]]:
    """One table's rows on one page, from its body lines, with column edges from the header (or carried
    from the page before, the table going on from `start`; closed by a line at `closed_at`, or running on);
    what the next page needs to go on with it; and the words it took."""
    keys = tuple(c.key for c in header.columns if c.key is not None)
    table = PageTable(header.kind, page.number, header.text, keys, [], closed_at is not None, header.extras)
    words: list[Word] = [w for ln in body for w in ln.words]
    if not words:
        return table, None, set()
    top = header.bottom if carry is None else min(w.top for w in words) - 0.5
    bottom = max(w.bottom for w in words) + 0.5
    verticals = layout.vertical_edges(page.rulings, top, bottom, settings)
    if carry is not None:
        edges = list(carry.edges)
        x0, x1 = carry.x0, carry.x1
    else:
        edges = layout.column_edges(header.columns, words, verticals, settings)
        x0 = min(min(w.x0 for w in words), header.columns[0].x0)
        x1 = max(max(w.x1 for w in words), header.columns[-1].x1)
    grid = drawn_extent(page, edges, top, bottom, settings)
    area_x0, area_x1, area_bottom = x0, x1, bottom
    if grid is not None:
        gx0, gy0, gx1, gy1 = grid
        tol = settings.snap_tolerance
        words = [w for w in words if gx0 - tol <= w.xc <= gx1 + tol and gy0 - tol <= w.yc <= gy1 + tol]
        if not words:
            return table, None, set()
        body = layout.text_lines(words, settings.line_tolerance)
        bottom = max(w.bottom for w in words) + 0.5
        grid_bottom = gy1 if closed_at is None else min(gy1, closed_at)  # a sheet's gridlines run on under it
        area_x0, area_x1, area_bottom = max(x0, gx0), min(x1, gx1), max(bottom, grid_bottom)
    table.area = (area_x0, top if start is None else min(top, start), area_x1, area_bottom)
    ys = layout.horizontal_edges(page.rulings, x0, x1, top, bottom, settings, page.fills)
    if ys:
        groups, cut = layout.split_bands(layout.rows_by_rulings(words, ys), edges, profile, settings.line_tolerance)
        table.strategy = "rulings+text" if cut else "rulings"
    else:
        groups, table.strategy = layout.rows_by_text(body, edges, profile), "text"
    ruled = [any(abs(e - v) <= settings.snap_tolerance for v in verticals) for e in edges]
    spans = layout.edge_spans(page.rulings, edges, settings) if any(ruled) else []
    text_span = next((i for i, c in enumerate(header.columns) if c.key in FIGURE_ROLES), len(header.columns))
    for g in groups:
        merged = layout.unruled_edges(g, spans, ruled) if any(ruled) else None
        if (section := layout.section_merged(g, edges, text_span, profile, settings.line_tolerance)) is not None:
            merged = [a or b for a, b in zip(merged or section, section)]
        parts = layout.cell_words(g, edges, settings, merged)
        cells = [layout.lines_text(ws, settings.line_tolerance) for ws in parts]
        known, extra = split_row(profile.table(header.kind), header.columns, cells)
        conf = tuple((c.key or c.title, x) for c, ws in zip(header.columns, parts)
                     if (x := layout.confidence(ws)) is not None)
        boxes = tuple((c.key or c.title, page.number, *layout.bbox_of(ws)) for c, ws in zip(header.columns, parts) if ws)
        table.rows.append(GridRow(known, page.number, layout.bbox_of(g), extra, layout.straddling(g, edges, settings),
                                  conf, boxes))
    return table, Carry(header, tuple(edges), x0, x1), {id(w) for w in words}
