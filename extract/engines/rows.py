"""What an engine cuts a page's table into: its rows (`GridRow`) and the part of the table on the page
(`PageTable`). Plain records, apart from the engines that make them, so that a reader of another layout (the
transposed tables) can make them too."""

from __future__ import annotations

from dataclasses import dataclass

from poa.core.records import BBox

Extra = tuple[tuple[str, str], ...]  # (column title, cell text) for the columns the tool has no name for


@dataclass(frozen=True)
class GridRow:
    cells: dict[str, str]  # role → text, one per column of the profile's table, "" where empty
    page: int
    bbox: BBox
    extra: Extra = ()
    straddles: int = 0  # words of the row that run across a column edge (and made its cells one)
    conf: tuple[tuple[str, float], ...] = ()  # (column key or extra title, OCR confidence) of the cells OCR read
    boxes: tuple[tuple[str, int, float, float, float, float], ...] = ()  # (column, page, x0, top, x1, bottom) per cell


@dataclass
class PageTable:
    """The part of one table that stands on one page, below its (repeated) header."""

    kind: str  # results | deviations
    page: int
    header_text: str
    columns: tuple[str, ...]  # the known columns found, by key
    rows: list[GridRow]
    closed: bool  # the table ended on this page (a footnote or gap follows it)
    extras: tuple[str, ...] = ()  # titles of the columns the tool has no name for
    strategy: str = ""  # how its rows were cut: rulings, shading, text, or a mix
    legend_unread: int = 0  # a transposed table's codes its legend gives no text for, and legend lines no entry took
    area: BBox | None = None  # what it covers on the page: below its header (or where it goes on), across its
    # columns, down to its last row or its grid's last ruling; any text in there is the table's
