"""What every engine returns: per page, the table pieces it found (header dropped) and the text it left."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator

from poa.records import BBox, Leftover


Extra = tuple[tuple[str, str], ...]  # (column title, cell text) for the columns the tool has no name for


@dataclass(frozen=True)
class GridRow:
    cells: tuple[str, ...]  # one per column of the table kind, "" where empty
    page: int
    bbox: BBox
    extra: Extra = ()
    straddles: int = 0  # words of the row that run across a column edge (and made its cells one)


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


@dataclass
class PageScan:
    page: int
    tables: list[PageTable] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    chars_total: int = 0


class Engine(ABC):
    name: str

    @abstractmethod
    def scan(self, path: str) -> Iterator[PageScan]:
        """Yield one PageScan per page, in page order."""


def full_row(kind: str, keys: tuple[str | None, ...], cells: list[str]) -> tuple[str, ...]:
    """Cells placed under the table kind's full column list (a report may lack a column, e.g. the budget)."""
    from poa.vocab import COLUMNS

    by_key = {k: c for k, c in zip(keys, cells) if k is not None}
    return tuple(by_key.get(name, "") for name, _ in COLUMNS[kind])


def split_row(kind: str, columns, cells: list[str]) -> tuple[tuple[str, ...], Extra]:
    """Cells of a row under header columns (key, title): the known ones in the kind's order, the extra ones
    as (title, text)."""
    known = full_row(kind, tuple(c.key for c in columns), cells)
    return known, tuple((c.title, t) for c, t in zip(columns, cells) if c.key is None)
