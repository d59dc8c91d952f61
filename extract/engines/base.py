"""What every engine returns: per page, the table pieces it found (header dropped) and the text it left."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from poa.core.profile import Profile, TableSpec
from poa.core.records import Leftover, RawCell
from poa.core.watch import NO_WATCH, PageWatch

from ..header import find_headers
from ..transposed import rows_named
from .rows import Extra, PageTable


@dataclass
class PageScan:
    page: int
    tables: list[PageTable] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    chars_total: int = 0
    code_words: int = 0  # words that read as a result code: a page of table text, found as a table or not
    orientation: int = 0  # degrees the page was turned so that its text reads left to right
    unmapped: int = 0  # characters whose font gives no text
    ocr_confidence: float | None = None  # mean confidence (0–100) of its words, for a page recognised by OCR
    ocr_words: int = 0  # words recognised on it, weighing its confidence in the document's mean
    ruled: bool = False  # lines drawn across and down it: a grid, a table of some kind
    furniture_in_cells: int = 0  # characters set aside as furniture that line up with a cell's own lines
    blank: bool = False  # nothing printed on it (its image looked at for text: none)
    unclaimed: list[RawCell] = field(default_factory=list)  # cells of the tables on it no profile claims


def page_scan(page, profile: Profile) -> PageScan:
    """An empty scan of a page, with what the page itself says about its reading."""
    confs = [w.conf for w in page.words if w.conf is not None] if page.ocr else []
    across = sum(r.horizontal and r.x1 - r.x0 > 0.2 * page.width for r in page.rulings)
    down = sum(not r.horizontal and r.bottom - r.top > 0.05 * page.height for r in page.rulings)
    return PageScan(page.number, chars_total=page.chars,
                    code_words=sum(profile.code.is_word(w.text) for w in page.words),
                    orientation=page.orientation, unmapped=page.unmapped,
                    ocr_confidence=sum(confs) / len(confs) if confs else (0.0 if page.ocr else None),
                    ocr_words=len(confs), ruled=across >= 2 and down >= 2, blank=page.blank)


@dataclass(frozen=True)
class Fit:
    """How well a template profile fits a document: the share of its tables' required columns that headers on
    the first pages name, and the other profiles that fit as well (a tie is no choice: the read is doubted)."""

    profile: Profile
    score: float
    rivals: tuple[str, ...] = ()


def choose(profiles: Sequence[Profile], pages: Sequence[tuple[Sequence, Sequence]], settings) -> Fit:
    """The profile whose tables' headers the pages (text lines and rulings of each) show best: for each of its
    tables, the most required columns one header names; a profile forced (the only one given) is taken as it
    is, measured all the same."""
    def score(p: Profile) -> float:
        best: dict[str, int] = {}
        for lines, rulings in pages:
            for h in find_headers(lines, p, rulings, settings):
                named = sum(role in h.keys for role in p.table(h.kind).required)
                best[h.kind] = max(best.get(h.kind, 0), named)
            for t in p.tables:
                if t.transposed:
                    best[t.name] = max(best.get(t.name, 0), rows_named(lines, rulings, p, t, settings))
        wanted = sum(len(t.required) for t in p.tables)
        return sum(best.values()) / wanted if wanted else 0.0

    scored = sorted(((score(p), i, p) for i, p in enumerate(profiles)), key=lambda t: (-t[0], t[1]))
    top, _, chosen = scored[0]
    rivals = tuple(p.name for s, _, p in scored[1:] if s == top and top > 0)
    return Fit(chosen, round(top, 4), rivals)


class Engine(ABC):
    name: str
    fit: Fit | None = None  # the profile it read the document as, once `scan` has chosen it
    watch: PageWatch = NO_WATCH  # handed to its page source: who hears of each page read

    @abstractmethod
    def scan(self, path: str) -> Iterator[PageScan]:
        """Yield one PageScan per page, in page order."""


def full_row(table: TableSpec, keys: tuple[str | None, ...], cells: list[str]) -> dict[str, str]:
    """Cells by role, every role of the profile's table (a report may lack a column, e.g. the budget: "")."""
    by_key = {k: c for k, c in zip(keys, cells) if k is not None}
    return table.lift_code({role: by_key.get(role, "") for role in table.roles})


def split_row(table: TableSpec, columns, cells: list[str]) -> tuple[dict[str, str], Extra]:
    """Cells of a row under header columns (key, title): the known ones by role, the extra ones as
    (title, text)."""
    known = full_row(table, tuple(c.key for c in columns), cells)
    return known, tuple((c.title, t) for c, t in zip(columns, cells) if c.key is None)
