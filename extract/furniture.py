"""Page furniture: the letterhead, running heads and footers a report repeats on its pages.

A line is furniture when the same text stands at the same place near the top or the bottom of two or more
pages — the same text but for a page number: a number that differs between two pages must differ as the
page numbers do ("Página 5" on page 5, "Página 6" on page 6), so that two units' rows ("13 Unidad de …",
"14 Unidad de …") that happen to stand at the same place are not taken for a footer. It is never a table row,
however close to the table it is printed; it goes to the leftovers with the rest of the page's text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from poa.core.profile import Profile
from poa.core.vocab import fold, squash

from .layout import Line, opens_row

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class FurnitureSettings:
    margin: float = 0.16  # share of the page's height, at its top and at its bottom, where furniture stands
    place: float = 3.0  # points: the same place on two pages
    pages: int = 2  # on at least this many pages
    min_footer: int = 16  # characters of a footer line with no number in it
    max_number_line: int = 9  # characters of a line with no letter in it ("- 5 -", "5/24"): a page number


def signature(line: Line) -> str:
    """A line's text with its numbers masked ("Página 5 de 24" and "Página 6 de 24" share one)."""
    return _DIGITS.sub("#", fold(squash(line.text)))


def numbers(line: Line) -> tuple[int, ...]:
    return tuple(int(n) for n in _DIGITS.findall(line.text))


def same_but_page(a: tuple[int, tuple[int, ...]], b: tuple[int, tuple[int, ...]]) -> bool:
    """Two occurrences' numbers agree: each is the same on both pages, or runs with the page number."""
    (pa, na), (pb, nb) = a, b
    return len(na) == len(nb) and all(x == y or x - pa == y - pb for x, y in zip(na, nb))


@dataclass
class Furniture:
    """What the pages seen so far repeat; `learn` each page before asking about it. The profile says what opens
    a row (never furniture)."""

    profile: Profile
    settings: FurnitureSettings = field(default_factory=FurnitureSettings)
    seen: dict[str, list[tuple[int, float, float, tuple[int, ...]]]] = field(default_factory=lambda: defaultdict(list))

    def _in_margin(self, line: Line, height: float) -> bool:
        m = self.settings.margin * height
        return line.bottom <= m or line.top >= height - m

    def learn(self, number: int, lines: list[Line], height: float) -> None:
        for ln in lines:
            if self._in_margin(ln, height):
                self.seen[signature(ln)].append((number, ln.top, ln.words[0].x0, numbers(ln)))

    def is_furniture(self, number: int, line: Line, height: float, header_top: float | None = None) -> bool:
        """Whether a line repeats another page's. Near the top, only above the page's table header (a
        running head); near the bottom, only a line with a number in it (a page number) or of some length,
        so that a short last line of a cell that happens to repeat is not taken for a footer."""
        if not self._in_margin(line, height):
            return False
        sig = signature(line)
        if opens_row(line, self.profile) or (not any(c.isalpha() for c in sig) and len(sig) > self.settings.max_number_line):
            return False  # a row's first line (a code, a unit number), however alike the rows: never furniture
        if line.top < height / 2:
            if header_top is not None and line.bottom > header_top:
                return False
        elif "#" not in sig and len(sig) < self.settings.min_footer:
            return False
        s = self.settings
        mine = (number, numbers(line))
        pages = {n for n, top, x0, nums in self.seen.get(sig, ())
                 if n != number and abs(top - line.top) <= s.place and abs(x0 - line.words[0].x0) <= s.place
                 and same_but_page(mine, (n, nums))}
        return len(pages) + 1 >= s.pages
