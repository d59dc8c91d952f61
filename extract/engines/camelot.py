"""The second engine, for ruled tables: camelot's lattice finds the grid from the drawn lines.

Camelot returns each page's grid with the header rows in it; this engine names the columns from the header
text (so a report with its columns in another order or without a budget column still reads right), drops
the header rows and hands back the same PageTable pieces as the default engine. Text outside the grids (the
title block, footnotes) comes from the page source, so nothing on the page is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, islice
from typing import Iterator, Sequence

from poa.core.options import READERS
from poa.core.profile import Profile
from poa.core.profiles import load
from poa.core.records import Leftover
from poa.core.vocab import fold, squash

from .. import layout
from ..page import SourceError
from ..readers import open_source
from ..unclaimed import unclaimed_cells
from .base import Engine, PageScan, choose, full_row, page_scan
from .geometry import LOOKAHEAD
from .rows import GridRow, PageTable


@dataclass(frozen=True)
class Running:
    """The table the last grid belonged to, for a next-page grid that does not repeat the header."""

    kind: str
    names: list[str | None]
    header_text: str


def _is_header_row(texts: list[str], profile: Profile) -> bool:
    words = " ".join(texts).split()
    return bool(words) and all(profile.is_header_word(w) for w in words)


def _name_columns(kind: str, header_rows: list[list[str]], profile: Profile) -> list[str | None]:
    """What each grid column is: a known column's role, "extra:" + its title for a titled column the profile
    has no role for, or None for an untitled one (a piece of a merged cell: it belongs to its left neighbour)."""
    ncols = len(header_rows[0])
    names: list[str | None] = []
    spec = profile.table(kind)
    for c in range(ncols):
        texts = [row[c] for row in header_rows if row[c]]
        words = [fold(w) for t in texts for w in t.split()]
        name = next((col.role for col in spec.columns if col.names(words)), None)
        if name is None and words and not all(profile.is_header_word(w) for w in words):
            name = EXTRA + squash(" ".join(texts))
        names.append(name if name not in names else None)
    return names


EXTRA = "extra:"
RESOLUTION = 300  # dpi: camelot's own default for the lattice's page image
# The most pixels a page's image may have: camelot's lattice peaks near 15 bytes a pixel (an A1 page, 70 million
# pixels at 300 dpi, takes 1.1 GB), so that a page is refused in plain words before it takes the memory limit.
MAX_PIXELS = 100_000_000


def _root(e: BaseException) -> str:
    """What the innermost exception an error wraps says, on one line."""
    while e.__cause__ is not None:
        e = e.__cause__
    return " ".join(str(e).split()) or type(e).__name__


class CamelotEngine(Engine):
    name = "camelot"

    def __init__(self, line_scale: int = 40, reader: str = READERS[0], ocr: str = "auto",
                 profiles: Sequence[Profile] = ()):
        self.line_scale = line_scale
        self.reader = reader
        self.ocr = ocr
        self.profiles = tuple(profiles) or (load(),)

    def scan(self, path: str) -> Iterator[PageScan]:
        source = open_source(path, self.reader, self.ocr, self.watch)  # fails first, with a plain reason, on a file that is no PDF
        try:
            last = None
            pages = iter(source)
            ahead = list(islice(pages, LOOKAHEAD))
            self.fit = choose(self.profiles, [(layout.text_lines(p.words), p.rulings) for p in ahead], layout.DEFAULT)
            self.profile = self.fit.profile
            for page in chain(ahead, pages):
                scan, last = self._scan_page(page, sorted(self._grids(path, page), key=lambda t: -t._bbox[3]), last)
                yield scan
        finally:
            source.close()

    def _grids(self, path: str, page) -> list:
        """Camelot's lattice grids of one page (page by page, so that a failure names its page). Camelot renders
        the page to an image first: a page too large to render is refused before any pixel is drawn, and a
        render or parse that fails becomes a SourceError saying so, instead of camelot's own error (whose
        fallback to Ghostscript then reports "Ghostscript is not installed", and leaves a temp folder)."""
        import camelot

        w, h = round(page.width * RESOLUTION / 72), round(page.height * RESOLUTION / 72)
        if w * h > MAX_PIXELS:
            raise SourceError(f"camelot could not render page {page.number} to an image ({page.width:.0f} × "
                              f"{page.height:.0f} pt is {w} × {h} pixels at {RESOLUTION} dpi, more than "
                              f"{MAX_PIXELS // 1_000_000} million): try --engine geometry")
        try:
            return list(camelot.read_pdf(path, pages=str(page.number), flavor="lattice", line_scale=self.line_scale,
                                         suppress_stdout=True, backend="pdfium", use_fallback=False,
                                         resolution=RESOLUTION))
        except MemoryError:
            raise  # the worker's memory limit: the batch says so
        except Exception as e:
            from camelot.backends.image_conversion import ImageConversionError

            what = "render page {} to an image" if isinstance(e, ImageConversionError) else "read page {}"
            raise SourceError(f"camelot could not {what.format(page.number)} ({_root(e)}): "
                              "try --engine geometry") from e

    def _scan_page(self, page, tables, last: Running | None) -> tuple[PageScan, Running | None]:
        scan = page_scan(page, self.profile)
        boxes = []
        for t in tables:
            x0, y0, x1, y1 = t._bbox  # PDF user space: origin bottom-left
            found = self._piece(page, t, last)
            if found is None:
                continue  # a grid that is no POA table: its text stays with the page's leftovers
            boxes.append((x0, page.height - y1, x1, page.height - y0))
            piece, header_lines, last = found
            scan.tables.append(piece)
            top = page.height - y1
            scan.leftovers += [Leftover(page.number, (x0, top, x1, top), text) for text in header_lines]
        outside = [w for w in page.words
                   if not any(b[0] - 1 <= w.xc <= b[2] + 1 and b[1] - 1 <= w.yc <= b[3] + 1 for b in boxes)]
        for ln in layout.text_lines(outside):
            scan.leftovers.append(Leftover(page.number, layout.bbox_of(ln.words), ln.text))
        scan.unclaimed = unclaimed_cells(page.number, outside, page.rulings)
        return scan, last

    def _piece(self, page, t, last: Running | None) -> tuple[PageTable, list[str], Running] | None:
        """The grid's body rows under named columns, the text of its header rows, and the table it belongs
        to. A grid with no header of its own goes on with the previous page's table if it has its columns."""
        data = [[squash(c) for c in row] for row in t.data]
        start = next((i for i, row in enumerate(data) if row and self.profile.is_anchor(row[0].split(" ", 1)[0])), None)
        kind: str | None  # the table's name: its header's, or the last grid's
        if start is None:
            if last is None or not data or len(data[0]) != len(last.names):
                return None
            kind, names, header_text, end = last.kind, last.names, last.header_text, 0
        else:
            end = start + 1
            while end < len(data) and _is_header_row(data[end], self.profile):
                end += 1
            header_rows = data[start:end]
            header_text = " ".join(" ".join(c for c in r if c) for r in header_rows)
            kind = self.profile.table_kind(header_text)
            if kind is None:
                return None
            names = _name_columns(kind, header_rows, self.profile)
        columns = tuple(n for n in names if n and not n.startswith(EXTRA))
        extras = tuple(n.removeprefix(EXTRA) for n in names if n and n.startswith(EXTRA))
        piece = PageTable(kind, page.number, header_text, columns, [], closed=False, extras=extras, strategy="lattice")
        for r in range(end, len(data)):
            merged: dict[str, str] = {}
            spans: dict[str, list[float]] = {}  # the cell's box, in PDF space: x1 y1 x2 y2
            left: str | None = None
            cells = t.cells[r]
            for c, text in enumerate(data[r]):
                key = names[c] or left  # a column the header does not name belongs to its left neighbour
                if key is None:
                    continue
                merged[key] = f"{merged[key]} {text}".strip() if key in merged else text
                cell, span = cells[c], spans.setdefault(key, [cells[c].x1, cells[c].y1, cells[c].x2, cells[c].y2])
                span[:] = [min(span[0], cell.x1), min(span[1], cell.y1), max(span[2], cell.x2), max(span[3], cell.y2)]
                left = key
            if not any(merged.values()):
                continue
            box = (cells[0].x1, page.height - cells[0].y2, cells[-1].x2, page.height - cells[0].y1)
            extra = tuple((title, merged.get(EXTRA + title, "")) for title in extras)
            boxes = tuple((key.removeprefix(EXTRA), page.number, x1, page.height - y2, x2, page.height - y1)
                          for key, (x1, y1, x2, y2) in spans.items() if merged.get(key))
            piece.rows.append(GridRow(full_row(self.profile.table(kind), columns, [merged.get(n, "") for n in columns]),
                                      page.number, box, extra, boxes=boxes))
        if piece.rows:  # its cells' grid: camelot leaves no word inside it out of a cell
            bboxes = [r.bbox for r in piece.rows]
            piece.area = (min(b[0] for b in bboxes), min(b[1] for b in bboxes), max(b[2] for b in bboxes),
                          max(b[3] for b in bboxes))
        return piece, [" ".join(c for c in r if c) for r in data[:end] if any(r)], Running(kind, names, header_text)
