"""A table's header: which lines it spans and which columns it names.

A POA table is found by its header: a line holding "Cód." among other column-title words, with the title
lines around it. The header's words are then grouped into column titles — cut where a ruling crosses their
line or where a wide gap separates them, and stacked across the header's lines where they overlap — and each
title is named by the profile's columns (`poa.core.profile`). A title spanning two others ("AVANCE %"
over "FÍSICO" and "PPTARIO.") is a group title, not a column. A title the vocabulary has no name for
(RESPONSABLE, INDICADOR, OBSERVACIONES…) is a column of its own, kept as an extra column, so its text never
ends up in a neighbour's cell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from poa.core.profile import Profile
from poa.core.vocab import fold, squash

from .layout import DEFAULT, Line, TableSettings, horizontal_edges, line_gap, opens_row
from .page import Ruling, Word


@dataclass(frozen=True)
class HeaderColumn:
    key: str | None  # the column the tool knows (code, expected, obtained, physical, budget, cause, measure)
    title: str  # as printed, whitespace joined
    x0: float
    x1: float


@dataclass(frozen=True)
class Header:
    kind: str  # results | deviations
    lines: tuple[Line, ...]
    columns: tuple[HeaderColumn, ...]  # left to right

    @property
    def top(self) -> float:
        return min(ln.top for ln in self.lines)

    @property
    def bottom(self) -> float:
        return max(ln.bottom for ln in self.lines)

    @property
    def text(self) -> str:
        return " ".join(ln.text for ln in self.lines)

    @property
    def keys(self) -> tuple[str | None, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def extras(self) -> tuple[str, ...]:
        """Titles of the columns the tool has no name for."""
        return tuple(c.title for c in self.columns if c.key is None)


def _above(word: Word, line: Line | None) -> Word | None:
    """The word of `line` standing over `word` (overlapping it horizontally), if any."""
    if line is None:
        return None
    return next((w for w in line.words if w.x0 < word.x1 and word.x0 < w.x1), None)


# Words every Spanish sentence is full of: on their own they say nothing about a line being a header.
WEAK = {"a", "al", "de", "del", "el", "la", "las", "los", "y", "e", "o", "en", "por", "para", "*", "/", "*/", "(*)"}


def header_share(line: Line, profile: Profile, previous: Line | None = None, strong: bool = False) -> float:
    """The share of a line's words that are header vocabulary, or the end of a header word a narrow column
    broke onto this line ("PPTA" / "RIO.", "FÍSIC" / "O"). `strong` leaves out the words any sentence is made
    of ("de", "la", "y"…), so that a line of prose does not pass for a header line."""
    def counts(w: Word) -> bool:
        up = _above(w, previous)
        return profile.is_header_word(w.text) or (up is not None and profile.is_header_word(up.text + w.text))

    words = [w for w in line.words if not (strong and fold(w.text) in WEAK)]
    return sum(counts(w) for w in words) / len(words) if words else 0.0


def _bottom_border(lines: Sequence[Line], i: int, rulings: Sequence[Ruling], settings: TableSettings) -> float | None:
    """y of the first ruling under the "Cód." line that runs across most of the header (its pieces added up,
    as cell borders come drawn cell by cell): the header's lower border, where the table draws one."""
    line = lines[i]
    x0, x1 = min(w.x0 for w in line.words), max(w.x1 for w in line.words)
    limit = line.bottom + settings.header_border_reach * max(line.height, 1.0)
    below = horizontal_edges(rulings, x0, x1, line.bottom, limit, settings)
    return below[0] if below else None


def header_band(lines: Sequence[Line], i: int, profile: Profile, rulings: Sequence[Ruling] = (),
                settings: TableSettings = DEFAULT) -> tuple[int, int]:
    """The run of lines lo..hi that make the header around the "Cód." line i: title lines above it that are
    all header words, and below it lines that are mostly header words or that stand above the header's
    drawn lower border — never a line that opens a row."""
    line = lines[i]
    gap = settings.header_gap_lines * max(line.height, 1.0)
    lo = hi = i
    while (lo > 0 and header_share(lines[lo - 1], profile) >= settings.header_line_share
           and line_gap(lines[lo - 1], lines[lo]) <= gap):
        lo -= 1
    border = _bottom_border(lines, i, rulings, settings)
    while hi + 1 < len(lines):
        nxt = lines[hi + 1]
        if opens_row(nxt, profile) and not profile.is_header_word(nxt.words[0].text):
            break
        if border is not None:  # a drawn header: what stands above its lower border…
            if nxt.bottom > border + settings.snap_tolerance:
                # …and a row of titles alone right under it: a sheet's gridlines draw a border under every
                # header row ("AVANCE %" over "FÍSICO PPTARIO." in cells of their own)
                if (header_share(nxt, profile, lines[hi], strong=True) < settings.header_line_share
                        or nxt.top - border > gap):
                    break
                border = _bottom_border(lines, hi + 1, rulings, settings)
        elif (header_share(nxt, profile, lines[hi], strong=True) < settings.header_below_share
              or line_gap(lines[hi], nxt) > gap):
            break
        hi += 1
    return lo, hi


def find_headers(lines: Sequence[Line], profile: Profile, rulings: Sequence[Ruling] = (),
                 settings: TableSettings = DEFAULT) -> list[Header]:
    """Every header of one of the profile's tables on a page."""
    headers: list[Header] = []
    used: set[int] = set()
    for i, line in enumerate(lines):
        if i in used or not any(profile.is_anchor(w.text) for w in line.words):
            continue
        if header_share(line, profile) < settings.code_line_share:
            continue
        lo, hi = header_band(lines, i, profile, rulings, settings)
        band = tuple(lines[lo: hi + 1])
        kind = profile.table_kind(" ".join(ln.text for ln in band))
        if kind is None:
            continue
        columns = header_columns(band, kind, profile, rulings, settings)
        if sum(c.key is not None for c in columns) >= 3:
            headers.append(Header(kind, band, columns))
            used.update(range(lo, hi + 1))
    return headers


# ---------------------------------------------------------------- column titles


@dataclass
class _Cell:
    """Words of one header line that belong together: one title's piece on that line. Where rulings cross
    the line, the cell spans from the ruling on its left to the one on its right (a centred group title is
    as wide as the columns it stands over, whatever the width of its words)."""

    line: int
    words: list[Word]
    left: float | None = None
    right: float | None = None

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def span(self) -> tuple[float, float]:
        return (self.x0 if self.left is None else self.left, self.x1 if self.right is None else self.right)


def _crossing(rulings: Sequence[Ruling], line: Line, settings: TableSettings) -> list[float]:
    """x of the vertical rulings that cross a line."""
    y = (line.top + line.bottom) / 2
    return sorted((r.x0 + r.x1) / 2 for r in rulings
                  if not r.horizontal and r.top - settings.snap_tolerance <= y <= r.bottom + settings.snap_tolerance)


def _cells(band: Sequence[Line], rulings: Sequence[Ruling], settings: TableSettings) -> list[_Cell]:
    """Each line's words cut where a ruling crosses the line or where a gap wider than a title's own word
    spacing opens."""
    cells: list[_Cell] = []
    for i, line in enumerate(band):
        cuts = _crossing(rulings, line, settings)
        wide = settings.title_gap * max(line.height, 1.0)
        run: list[Word] = []
        for w in line.words:
            if run:
                prev = run[-1]
                ruled = any(prev.xc < x < w.xc for x in cuts)
                if ruled or w.x0 - prev.x1 > wide:
                    cells.append(_cell(i, run, cuts))
                    run = []
            run.append(w)
        if run:
            cells.append(_cell(i, run, cuts))
    return _unshared(cells)


def _unshared(cells: list[_Cell]) -> list[_Cell]:
    """Two titles of one line between the same two rulings are not bounded by them: those rulings are a frame
    drawn around the page or the whole table, and each title is as wide as its words (as in a borderless
    header). In a grid, each title has rulings of its own."""
    shared = Counter((c.line, c.left, c.right) for c in cells if c.left is not None or c.right is not None)
    return [_Cell(c.line, c.words) if shared[c.line, c.left, c.right] > 1 else c for c in cells]


def _cell(line: int, words: list[Word], cuts: list[float]) -> _Cell:
    """A header cell, between the rulings that cross its line on either side of it (if any)."""
    xc = (min(w.x0 for w in words) + max(w.x1 for w in words)) / 2
    left = max((x for x in cuts if x < xc), default=None)
    right = min((x for x in cuts if x > xc), default=None)
    return _Cell(line, list(words), left, right)


def _overlap(a: _Cell, b: _Cell) -> bool:
    (a0, a1), (b0, b1) = a.span, b.span
    return min(a1, b1) - max(a0, b0) > 1.0


def _stacks(cells: list[_Cell]) -> list[list[_Cell]]:
    """Cells stacked across lines into column titles. A cell over (or under) two cells of a neighbouring line
    is a group title and joins neither."""
    lines = sorted({c.line for c in cells})
    by_line = {n: [c for c in cells if c.line == n] for n in lines}
    group: set[int] = set()
    for a, b in zip(lines, lines[1:]):
        for x in by_line[a]:
            if sum(_overlap(x, y) for y in by_line[b]) >= 2:
                group.add(id(x))
        for y in by_line[b]:
            if sum(_overlap(y, x) for x in by_line[a]) >= 2:
                group.add(id(y))
    parent = {id(c): id(c) for c in cells}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for c in cells:
        if id(c) in group:
            continue
        for earlier in reversed(lines[: lines.index(c.line)]):
            hits = [x for x in by_line[earlier] if id(x) not in group and _overlap(c, x)]
            if hits:
                if len(hits) == 1:
                    parent[root(id(c))] = root(id(hits[0]))
                break
    stacks: dict[int, list[_Cell]] = {}
    for c in cells:
        if id(c) not in group:
            stacks.setdefault(root(id(c)), []).append(c)
    return sorted(stacks.values(), key=lambda s: min(c.x0 for c in s))


def _texts(stack: list[_Cell]) -> list[str]:
    """The folded words of a title, and each word joined to the one under it (a word a narrow column broke)."""
    words = [(c.line, w) for c in stack for w in c.words]
    out = [fold(w.text) for _, w in words]
    for line, w in words:
        out += [fold(w.text + v.text) for line2, v in words if line2 == line + 1 and v.x0 < w.x1 and w.x0 < v.x1]
    return out


def _keys(stack: list[_Cell], kind: str, profile: Profile) -> list[str]:
    texts = _texts(stack)
    return [c.role for c in profile.table(kind).columns if c.names(texts)]


def _split(stack: list[_Cell], kind: str, profile: Profile) -> list[list[_Cell]]:
    """A stack that names two known columns (titles printed too close to tell apart by their gap) cut
    between them: each word goes with the nearer title word."""
    anchors = []
    for col in profile.table(kind).columns:
        hit = next((w for c in stack for w in c.words if col.names([fold(w.text)])), None)
        if hit is not None:
            anchors.append(hit)
    if len(anchors) < 2:
        return [stack]
    parts: list[list[_Cell]] = [[] for _ in anchors]
    for c in stack:
        for w in c.words:
            k = min(range(len(anchors)), key=lambda i: abs(anchors[i].xc - w.xc))
            parts[k].append(_Cell(c.line, [w]))
    return [p for p in parts if p]


def _title(stack: list[_Cell]) -> str:
    return squash(" ".join(" ".join(w.text for w in c.words) for c in sorted(stack, key=lambda c: (c.line, c.x0))))


def header_columns(band: Sequence[Line], kind: str, profile: Profile, rulings: Sequence[Ruling] = (),
                   settings: TableSettings = DEFAULT) -> tuple[HeaderColumn, ...]:
    """The header's columns left to right: known ones named by their role, the others kept as extras.
    A title made only of header vocabulary that names no column of any table (a stray "AL", "%") is not a
    column."""
    stacks = [part for s in _stacks(_cells(band, rulings, settings)) for part in _split(s, kind, profile)]
    out: list[HeaderColumn] = []
    used: set[str] = set()
    for s in stacks:
        x0, x1 = min(c.x0 for c in s), max(c.x1 for c in s)
        key = next((k for k in _keys(s, kind, profile) if k not in used), None)
        words = [w for c in s for w in c.words]
        if key is not None:
            used.add(key)
        elif all(profile.is_header_word(w.text) for w in words) and not any(
                _keys(s, t.name, profile) for t in profile.tables if t.name != kind):
            continue  # a stray "AL" or "%"; but the other table's title ("CAUSAS DE DESVIACIÓN") is a column here
        out.append(HeaderColumn(key, _title(s), x0, x1))
    return tuple(sorted(out, key=lambda c: c.x0))
