"""Page pieces into whole tables: rows broken across a page boundary are stitched back into one row."""

from __future__ import annotations

from typing import Iterable

from poa.core.profile import Profile
from poa.core.records import RawRow, Table

from .engines.rows import GridRow, PageTable
from .layout import starts_row


def continues(previous: RawRow | None, row: GridRow, profile: Profile) -> bool:
    """Whether the first row of a page is the rest of the previous page's last row: it opens nothing (no
    code, no unit number, no section name), or it is the second half of a code wrapped at the page break.
    Any row can break: a result's long texts, but also a unit name wrapped in a narrow first column."""
    return previous is not None and not starts_row(list(row.cells.values()), previous.cells["code"], profile)


def join(a: str, b: str) -> str:
    return f"{a} {b}" if a and b else a or b


def join_extra(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """The extra cells of a row's two halves, joined column by column (by title)."""
    out = dict(a)
    for title, text in b:
        out[title] = join(out.get(title, ""), text)
    return tuple(out.items())


def join_conf(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> tuple[tuple[str, float], ...]:
    """A cell read in two halves is as sure as its less sure half."""
    out = dict(a)
    for column, conf in b:
        out[column] = min(out.get(column, conf), conf)
    return tuple(out.items())


def stitch(tables: Iterable[PageTable], profile: Profile) -> list[RawRow]:
    """The rows of every table in document order, one RawRow per printed row (its kind, and which of the
    profile's tables of that kind it is where there are several)."""
    rows: list[RawRow] = []
    last: dict[str, RawRow | None] = {}
    for t in tables:
        kind = profile.table(t.kind).kind
        part = t.kind if t.kind != kind else ""
        for i, r in enumerate(t.rows):
            prev = last.get(t.kind)
            if i == 0 and prev is not None and prev.pages[-1] < r.page and continues(prev, r, profile):
                merged = RawRow(
                    Table(kind), {role: join(text, r.cells.get(role, "")) for role, text in prev.cells.items()},
                    prev.pages + (r.page,), prev.bbox, join_extra(prev.extra, r.extra), prev.straddles + r.straddles,
                    join_conf(prev.conf, r.conf), prev.boxes + r.boxes, part,
                )
                rows[rows.index(prev)] = merged
                last[t.kind] = merged
                continue
            row = RawRow(Table(kind), r.cells, (r.page,), r.bbox, r.extra, r.straddles, r.conf, r.boxes, part)
            rows.append(row)
            last[t.kind] = row
    return rows
