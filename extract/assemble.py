"""Page pieces into whole tables: rows broken across a page boundary are stitched back into one row."""

from __future__ import annotations

from typing import Iterable

from poa.records import RawRow
from poa.vocab import CODE_LIKE, section_kind

from .engines.base import GridRow, PageTable


def is_item(cells: tuple[str, ...]) -> bool:
    """A row that carries a result code (a result, or a deviation row)."""
    return bool(CODE_LIKE.match(cells[0]))


def continues(previous: RawRow | None, row: GridRow) -> bool:
    """Whether the first row of a page is the rest of the previous page's last row.

    The rest of a broken row has no code of its own and opens no section; or it is the second half of a
    code that wrapped in its cell right at the page break.
    """
    if previous is None or not is_item(previous.cells):
        return False
    code = row.cells[0]
    if previous.cells[0].endswith("-") and code[:2].isdigit() and len(code) <= 3:
        return True
    if code:
        return False
    return section_kind(" ".join(c for c in row.cells[:3] if c)) is None


def join(a: str, b: str) -> str:
    return f"{a} {b}" if a and b else a or b


def stitch(tables: Iterable[PageTable]) -> list[RawRow]:
    """The rows of every table in document order, one RawRow per printed row."""
    rows: list[RawRow] = []
    last: dict[str, RawRow | None] = {}
    for t in tables:
        for i, r in enumerate(t.rows):
            prev = last.get(t.kind)
            if i == 0 and prev is not None and prev.pages[-1] < r.page and continues(prev, r):
                merged = RawRow(
                    t.kind, tuple(join(a, b) for a, b in zip(prev.cells, r.cells)),
                    prev.pages + (r.page,), prev.bbox,
                )
                rows[rows.index(prev)] = merged
                last[t.kind] = merged
                continue
            row = RawRow(t.kind, r.cells, (r.page,), r.bbox)
            rows.append(row)
            last[t.kind] = row
    return rows
