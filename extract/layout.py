"""Table geometry as small pure functions over words and rulings.

A POA table is found by its header (`extract.header`), which names the columns; the edges between them come
from the vertical rulings where the table is ruled, and otherwise from the widest empty gap between the
columns' text. Rows come from the horizontal rulings (grid lines, rules or the edges of zebra shading) and,
where a table has none, from where a new code or section starts.
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Iterable, Sequence

from poa.core.profile import Profile

from .page import Fill, Ruling, Word


@dataclass(frozen=True)
class TableSettings:
    """Every tolerance the finder uses, in PDF points unless said otherwise."""

    line_tolerance: float = 2.0  # words whose vertical centres differ less sit on one text line
    snap_tolerance: float = 2.0  # rulings closer than this are one edge
    row_ruling_coverage: float = 0.5  # share of the table width a horizontal ruling must cover to split rows
    column_ruling_coverage: float = 0.05  # share of the body height a vertical ruling must cover to be a column edge
    straddle: float = 1.0  # a word reaching this far across a column edge makes the cells one merged cell
    header_gap_lines: float = 2.5  # header lines further apart than this many line heights are not one header
    code_line_share: float = 0.6  # the "Cód." line: this share of its words must be header vocabulary
    header_line_share: float = 1.0  # lines above the "Cód." line (a title above the table is not one of them)
    header_below_share: float = 0.75  # lines below it, small words aside (an extra title may bring words of its own)
    header_border_reach: float = 8.0  # the header's drawn lower border lies within this many line heights
    title_gap: float = 0.5  # words of one header line further apart than this many line heights are two titles
    end_gap_lines: float = 4.0  # an empty band this many line heights tall ends the table on its page


DEFAULT = TableSettings()


@dataclass(frozen=True, slots=True)
class Line:
    """Words on one text line, left to right. Its box and text are worked out once, when it is made: the
    finder asks for them many times a page."""

    words: tuple[Word, ...]
    top: float = field(init=False, compare=False, repr=False)
    bottom: float = field(init=False, compare=False, repr=False)
    text: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        ws = self.words
        if len(ws) == 1:  # most lines of a cell: one word
            w = ws[0]
            top, bottom, text = w.top, w.bottom, w.text
        else:
            top, bottom, text = min([w.top for w in ws]), max([w.bottom for w in ws]), " ".join([w.text for w in ws])
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "bottom", bottom)
        object.__setattr__(self, "text", text)

    @property
    def height(self) -> float:
        return self.bottom - self.top


def text_lines(words: Iterable[Word], tol: float = DEFAULT.line_tolerance) -> list[Line]:
    """Group words into lines by their vertical centre, each line left to right, lines top to bottom."""
    return [Line(ln) for ln in _line_words(words, tol)]


def lines_text(words: Iterable[Word], tol: float = DEFAULT.line_tolerance) -> str:
    """The text of a cell: its lines in reading order, joined by single spaces."""
    if isinstance(words, (list, tuple)) and len(words) <= 1:  # most cells: a code, a %, or nothing
        return words[0].text if words else ""
    return " ".join([w.text for ln in _line_words(words, tol) for w in ln])


def _line_words(words: Iterable[Word], tol: float) -> list[tuple[Word, ...]]:
    """The words of each text line (see `text_lines`), without making the lines: a cell's text needs no box."""
    lines: list[list[Word]] = []
    line: list[Word] = []
    total = 0.0  # the sum of the current line's centres: its mean, kept as words join
    for w in sorted(words, key=_BY_CENTRE):
        yc = w.yc
        if line and abs(yc - total / len(line)) <= tol:
            line.append(w)
            total += yc
        else:
            line = [w]
            lines.append(line)
            total = yc
    return [tuple(ln) if len(ln) == 1 else tuple(sorted(ln, key=_BY_X0)) for ln in lines]


_BY_CENTRE = attrgetter("yc", "x0")  # (in C: a sort key made for every word of every cell)
_BY_X0 = attrgetter("x0")


def line_gap(a: Line, b: Line) -> float:
    return b.top - a.bottom


def body_lines(
    lines: Sequence[Line], top: float, limit: float, settings: TableSettings, profile: Profile
) -> tuple[list[Line], float | None]:
    """The lines of a table's body below its header, up to the next header, a footnote (the profile's closing
    lines) or a wide gap.

    Returns the lines and, where the table was closed on this page (by a footnote or a gap) rather than
    running to the page's end, the top of the line that closed it (None where it runs on).
    """
    body: list[Line] = []
    heights = [ln.height for ln in lines if ln.height > 0]
    unit = statistics.median(heights) if heights else 10.0
    for ln in lines:
        if ln.top < top - 0.5 or ln.top >= limit:
            continue
        if profile.closes(ln.text):
            return body, ln.top
        if body and line_gap(body[-1], ln) > settings.end_gap_lines * unit:
            return body, ln.top
        body.append(ln)
    return body, None


def _cluster(values: Iterable[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Cluster (position, weight) pairs lying within tol of each other: (mean position, summed weight)."""
    out: list[list[float]] = []
    for pos, weight in sorted(values):
        if out and pos - out[-1][0] <= tol:
            n = out[-1][2] + 1
            out[-1] = [out[-1][0] + (pos - out[-1][0]) / n, out[-1][1] + weight, n]
        else:
            out.append([pos, weight, 1])
    return [(p, w) for p, w, _ in out]


def vertical_edges(rulings: Iterable[Ruling], top: float, bottom: float, settings: TableSettings = DEFAULT) -> list[float]:
    """x of the vertical rulings that run through a good share of the band [top, bottom]."""
    height = max(bottom - top, 1.0)
    spans = [
        ((r.x0 + r.x1) / 2, max(0.0, min(r.bottom, bottom) - max(r.top, top)))
        for r in rulings
        if not r.horizontal
    ]
    return [x for x, cover in _cluster(spans, settings.snap_tolerance) if cover >= settings.column_ruling_coverage * height]


def horizontal_edges(
    rulings: Iterable[Ruling], x0: float, x1: float, top: float, bottom: float, settings: TableSettings = DEFAULT,
    fills: Iterable[Fill] = (),
) -> list[float]:
    """y of the horizontal rulings, and of the top and bottom of the fills (row shading), inside (top, bottom)
    that cover a good share of the table's width."""
    width = max(x1 - x0, 1.0)
    spans = [((r.top + r.bottom) / 2, r.x0, r.x1) for r in rulings if r.horizontal]
    spans += [(y, f.x0, f.x1) for f in fills for y in (f.top, f.bottom)]
    inside = [(y, max(0.0, min(b, x1) - max(a, x0))) for y, a, b in spans if top < y < bottom]
    return [y for y, cover in _cluster(inside, settings.snap_tolerance) if cover >= settings.row_ruling_coverage * width]


def emptiest_gap(lo: float, hi: float, words: Sequence[Word]) -> float:
    """The middle of the longest stretch of [lo, hi] crossed by the fewest words (one sweep over the words'
    ends: a column of a thousand words costs no more than sorting them)."""
    if hi < lo:
        lo, hi = hi, lo
    inside = [w for w in words if w.x1 > lo and w.x0 < hi]
    points = sorted({lo, hi, *(w.x0 for w in inside if lo < w.x0 < hi), *(w.x1 for w in inside if lo < w.x1 < hi)})
    starts = sorted(w.x0 for w in inside)
    ends = sorted(w.x1 for w in inside)
    best = None  # (count, -length, middle)
    for a, b in zip(points, points[1:]):
        mid = (a + b) / 2
        count = bisect.bisect_left(starts, mid) - bisect.bisect_right(ends, mid)  # begun before mid, not yet ended
        key = (count, -(b - a), mid)
        if best is None or key < best:
            best = key
    return best[2] if best else (lo + hi) / 2


def column_edges(
    columns: Sequence, body: Sequence[Word], verticals: Sequence[float], settings: TableSettings = DEFAULT
) -> list[float]:
    """The x of each edge between two adjacent columns (anything with x0 and x1: their titles): a vertical
    ruling between their titles if there is one, else the emptiest gap in the body text between them."""
    edges = []
    for left, right in zip(columns, columns[1:]):
        lo, hi = min(left.x1, right.x0), max(left.x1, right.x0)
        mid = (lo + hi) / 2
        between = ((left.x0 + left.x1) / 2, (right.x0 + right.x1) / 2)  # the titles may touch: search wider
        ruled = [x for x in verticals if between[0] < x < between[1]]
        if ruled:
            edges.append(min(ruled, key=lambda x: abs(x - mid)))
        elif hi - lo < 2 * settings.snap_tolerance:
            edges.append(emptiest_gap(*between, body))
        else:
            edges.append(emptiest_gap(lo, hi, body))
    return edges


def column_of(x: float, edges: Sequence[float]) -> int:
    """The column x falls in: the number of edges at or left of it."""
    return bisect.bisect_right(edges, x)


def rows_by_rulings(words: Sequence[Word], ys: Sequence[float]) -> list[list[Word]]:
    """Split words into the bands between horizontal edges (by each word's vertical centre)."""
    bands: list[list[Word]] = [[] for _ in range(len(ys) + 1)]
    for w in words:
        bands[column_of(w.yc, ys)].append(w)
    return [b for b in bands if b]


def starts_row(cells: Sequence[str], previous_code: str, profile: Profile) -> bool:
    """Whether a line (or the first row on a page) opens a row: a code or a unit number in the first column,
    or a section name in the first two (a section row's name never starts in the obtained-result column;
    text that goes on there is the rest of a cell)."""
    code = cells[0]
    if code and profile.code.wrapped(previous_code):
        return False  # the second half of a code wrapped in its cell
    if code and (profile.code.opens(code) or code[:2].isdigit()):
        return True
    return profile.section_kind(" ".join(c for c in cells[:2] if c)) is not None


def opens_row(line: Line, profile: Profile) -> bool:
    """Whether a line, read on its own, starts with what opens a row (a code, a unit number, a section)."""
    first = line.words[0].text
    return starts_row([first, " ".join(w.text for w in line.words[1:])], "", profile)


def rows_by_text(lines: Sequence[Line], edges: Sequence[float], profile: Profile) -> list[list[Word]]:
    """Rows of an unruled table: each starts at a line that opens one (a code, a unit number, a section), and
    takes the lines under it up to the next; except the lines right above an opening line that stand much
    nearer to it than to the line above them: a cell whose text is centred on its code (the code printed
    halfway down a wrapped text) begins there."""
    starts: list[int] = []
    code = ""
    for i, ln in enumerate(lines):
        parts: list[list[str]] = [[] for _ in range(len(edges) + 1)]
        for w in ln.words:
            parts[column_of(w.xc, edges)].append(w.text)
        cells = [" ".join(p) for p in parts]
        if not starts or starts_row(cells, code, profile):
            starts.append(i)
            code = cells[0]
        else:
            code = (code + cells[0]) if cells[0] else code
    for k in range(1, len(starts)):
        s = starts[k]
        while s - 2 > starts[k - 1] - 1 and s - 1 > starts[k - 1] and centred_above(lines[s - 2], lines[s - 1], lines[s]):
            s -= 1
        starts[k] = s
    return [[w for ln in lines[a:b] for w in ln.words] for a, b in zip(starts, starts[1:] + [len(lines)])]


def centred_above(before: Line, line: Line, opening: Line, share: float = 0.6) -> bool:
    """Whether `line`, right above an opening line, belongs to the opening line's row: it stands much nearer to
    it than to the line above it (top-aligned cells leave their padding between rows, never inside one)."""
    return line.top - before.top > 0 and opening.top - line.top < share * (line.top - before.top)


def split_bands(bands: Sequence[Sequence[Word]], edges: Sequence[float], profile: Profile,
                tol: float = DEFAULT.line_tolerance) -> tuple[list[list[Word]], bool]:
    """Bands between horizontal rulings, each cut again where more than one row starts in it by its code or
    unit number (shading drawn on section rows only leaves the results between them in one band); and
    whether any band was cut. A band is never cut at a section keyword alone: inside a ruled cell, a line
    beginning "Área de …" is more likely the rest of a sentence than a new row."""
    out: list[list[Word]] = []
    cut = False
    first = edges[0] if edges else float("inf")
    for band in bands:
        if sum(w.xc < first and _numbered_text(w.text, profile) for w in band) < 2:
            out.append(list(band))  # fewer than two codes or unit numbers: one row, nothing to cut
            continue
        rows = rows_by_text(text_lines(band, tol), edges, profile)
        numbered = [r for r in rows if _numbered(r, edges, profile)]
        if len(rows) > 1 and len(numbered) >= 2:
            out += rows
            cut = True
        else:
            out.append(list(band))
    return out, cut


def _numbered(words: Sequence[Word], edges: Sequence[float], profile: Profile) -> bool:
    first = " ".join(w.text for w in sorted(words, key=lambda w: (w.top, w.x0)) if column_of(w.xc, edges) == 0)
    return bool(first) and _numbered_text(first, profile)


def _numbered_text(text: str, profile: Profile) -> bool:
    """A code, or a number (a unit's), at the start of a first column's text."""
    return profile.code.opens(text) or text[:2].isdigit()


def edge_spans(rulings: Sequence[Ruling], edges: Sequence[float], settings: TableSettings = DEFAULT
               ) -> list[list[tuple[float, float]]]:
    """For each column edge, the (top, bottom) of the vertical rulings drawn along it (found once a table,
    asked of every row)."""
    return [[(r.top, r.bottom) for r in rulings
             if not r.horizontal and abs((r.x0 + r.x1) / 2 - e) <= settings.snap_tolerance] for e in edges]


def unruled_edges(words: Sequence[Word], spans: Sequence[Sequence[tuple[float, float]]], ruled: Sequence[bool]
                  ) -> list[bool]:
    """For each column edge drawn as a ruling in the table (its rulings' `spans`), whether this row lacks it:
    a merged cell."""
    top, bottom = min(w.top for w in words), max(w.bottom for w in words)
    out = []
    for along, is_ruled in zip(spans, ruled):
        if not is_ruled:
            out.append(False)
            continue
        cover = sum(max(0.0, min(b, bottom) - max(t, top)) for t, b in along)
        out.append(cover < 0.5 * (bottom - top))
    return out


def section_merged(words: Sequence[Word], edges: Sequence[float], span: int, profile: Profile,
                   tol: float = DEFAULT.line_tolerance) -> list[bool] | None:
    """For a section row whose name runs across the text columns (the first `span`), the edges its merged cell
    covers; None for any other row. A borderless table draws no sign of a merged cell, and where no word of
    the name happens to cross an edge, the name would be cut at the edges into pieces that, joined cell after
    cell, no longer read as it does ("Ejecución Despacho Física Promedio de las Unidades de la MAE de…").
    A section row: no code in the first column, and its text opens a section or a unit ("09 Unidad …"); a
    unit's number standing alone in the first column keeps its cell, its name the rest. The name's pieces must
    run on into each other on a line (`_flows_across`): texts side by side with a cell's padding between them
    were printed in cells of their own (the rest of a code wrapped at a page break, and of its texts)."""
    cols: list[list[Word]] = [[] for _ in range(len(edges) + 1)]
    for w in words:
        cols[column_of(w.xc, edges)].append(w)
    first = lines_text(cols[0], tol)
    if profile.code.opens(first):
        return None  # a result or a deviation: its cells are its own
    number_alone = first.isdigit() and len(first) <= 3
    filled = [i for i in range(1 if number_alone else 0, min(span, len(cols))) if cols[i]]
    if len(filled) < 2:
        return None
    text = lines_text([w for i in filled for w in cols[i]], tol)
    named = number_alone or (filled[0] == 0 and _UNIT_START.match(text))
    if not named and profile.section_kind(text) is None:
        return None
    owner = {id(w): i for i in filled for w in cols[i]}
    if not any(_flows_across(ln, owner) for ln in _line_words([w for i in filled for w in cols[i]], tol)):
        return None
    return [filled[0] <= i < filled[-1] for i in range(len(edges))]


def _flows_across(line: Sequence[Word], owner: dict[int, int], slack: float = 1.6) -> bool:
    """Whether a line's words run on from one column into the next as one text: the gap where they cross is no
    wider than a space between its words (`slack` times their median gap, or a third of the type's height on a
    line with no other gap), where two cells of their own leave their padding between them."""
    gaps = [(b.x0 - a.x1, owner[id(a)] != owner[id(b)]) for a, b in zip(line, line[1:])]
    crossing = [g for g, other in gaps if other]
    inner = [g for g, other in gaps if not other]
    space = statistics.median(inner) if inner else (line[0].bottom - line[0].top) / 3
    return bool(crossing) and all(g <= slack * space for g in crossing)


_UNIT_START = re.compile(r"^\d{1,3}\s+\S")  # "09 Unidad Financiera": a unit heading with its number in its cell


def cell_words(
    words: Sequence[Word], edges: Sequence[float], settings: TableSettings = DEFAULT,
    merged: Sequence[bool] | None = None,
) -> list[list[Word]]:
    """The words of each column's cell in one row. Words in a merged cell (one the rulings say spans an edge,
    or text running across an edge, as section rows often do) stay whole in the leftmost column it covers;
    the others it covers are empty."""
    n = len(edges) + 1
    merged_with_next = list(merged or [False] * len(edges)) + [False]
    straddle, right, left = settings.straddle, bisect.bisect_right, bisect.bisect_left
    for w in words:  # the (sorted) edges a word runs across by more than `straddle` on either side
        for i in range(right(edges, w.x0 + straddle), left(edges, w.x1 - straddle)):
            merged_with_next[i] = True
    owner = list(range(n))
    for i in range(1, n):
        if merged_with_next[i - 1]:
            owner[i] = owner[i - 1]
    groups: list[list[Word]] = [[] for _ in range(n)]
    for w in words:
        groups[owner[right(edges, w.xc)]].append(w)  # column_of
    return groups


def cells_of(
    words: Sequence[Word], edges: Sequence[float], settings: TableSettings = DEFAULT,
    merged: Sequence[bool] | None = None,
) -> list[str]:
    """The text of each column's cell in one row (see `cell_words`)."""
    return [lines_text(ws, settings.line_tolerance) for ws in cell_words(words, edges, settings, merged)]


def confidence(words: Sequence[Word]) -> float | None:
    """A cell's OCR confidence: its least sure word's (None for text-layer words)."""
    confs = [w.conf for w in words if w.conf is not None]
    return min(confs) if confs else None


def straddling(words: Sequence[Word], edges: Sequence[float], settings: TableSettings = DEFAULT) -> int:
    """How many of a row's words run across a column edge."""
    straddle, right, left = settings.straddle, bisect.bisect_right, bisect.bisect_left
    return sum(right(edges, w.x0 + straddle) < left(edges, w.x1 - straddle) for w in words)  # as in cell_words


def enclosed(line: Line, rulings: Sequence[Ruling], tol: float = DEFAULT.snap_tolerance) -> bool:
    """Whether a text line stands in one cell of a drawn grid: drawn lines on both sides of it and none through
    it, among at least three that cross its height (two columns or more). Such a line is text a ruled table
    prints, however often it repeats; a box drawn around a footer or a letterhead, or a frame around the page,
    has only its two sides."""
    y = (line.top + line.bottom) / 2
    x0, x1 = line.words[0].x0, line.words[-1].x1
    across = vertical_edges(rulings, y - tol, y + tol)  # one x per drawn line: a side drawn twice is one
    return (len(across) >= 3 and any(x <= x0 + tol for x in across) and any(x >= x1 - tol for x in across)
            and not any(x0 + tol < x < x1 - tol for x in across))


def bbox_of(words: Sequence[Word]) -> tuple[float, float, float, float]:
    if len(words) == 1:  # most cells: one word
        w = words[0]
        return (w.x0, w.top, w.x1, w.bottom)
    return (min([w.x0 for w in words]), min([w.top for w in words]), max([w.x1 for w in words]),
            max([w.bottom for w in words]))
