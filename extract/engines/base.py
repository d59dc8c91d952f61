"""What every engine returns: per page, the table pieces it found (header dropped) and the text it left."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator

from poa.records import BBox, Leftover


@dataclass(frozen=True)
class GridRow:
    cells: tuple[str, ...]  # one per column of the table kind, "" where empty
    page: int
    bbox: BBox


@dataclass
class PageTable:
    """The part of one table that stands on one page, below its (repeated) header."""

    kind: str  # results | deviations
    page: int
    header_text: str
    columns: tuple[str, ...]
    rows: list[GridRow]
    closed: bool  # the table ended on this page (a footnote or gap follows it)


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


def full_row(kind: str, columns: tuple[str, ...], cells: list[str]) -> tuple[str, ...]:
    """Cells placed under the table kind's full column list (a report may lack a column, e.g. the budget)."""
    from poa.vocab import COLUMNS

    by_name = dict(zip(columns, cells))
    return tuple(by_name.get(name, "") for name, _ in COLUMNS[kind])
