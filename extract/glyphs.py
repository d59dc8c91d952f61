"""From what a reader found on a page (glyphs and paths) to what the table finder reads (words and rulings).

Every reader goes through these same small functions, so two readers that see the same drawing give the same
page: the page is turned so that its text reads left to right (a table drawn sideways on an upright page
reads like any other), drawn paths become rulings (lines, and filled rectangles thin enough to be lines) or
fills (shading), and glyphs become words — split at spaces, at gaps and at any ruling drawn between two
glyphs, since a word never runs across a cell border.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from .page import Drawing, Fill, Glyph, Page, Path, Ruling, Word


@dataclass(frozen=True)
class ReadSettings:
    """Tolerances of the glyph geometry, in PDF points."""

    x_tolerance: float = 1.5  # a gap wider than this between two glyphs of a line starts a new word
    y_tolerance: float = 2.0  # glyphs whose vertical centres differ less sit on one line
    thin: float = 2.0  # a filled rectangle this thin (or thinner) is a drawn line
    straight: float = 0.5  # a segment that moves less than this across its length is axis-parallel
    min_length: float = 1.0  # shorter segments are dots and corners, not lines
    duplicate: float = 0.3  # the same glyph drawn again within this share of its width (fake bold) is one glyph


DEFAULT = ReadSettings()

# What a printed glyph means as text: ligatures as their letters, PDFium's line-end hyphen (U+0002) and a
# soft hyphen printed at a line's end as the hyphen the reader sees.
_PRINTED = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    "\x02": "-", "\xad": "-",
})


def printed(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(_PRINTED))


# ---------------------------------------------------------------- turning the page


Point = tuple[float, float]


def turner(direction: int, width: float, height: float) -> tuple[Callable[[Point], Point], float, float]:
    """The map that turns a page whose text runs `direction` degrees (counter-clockwise) so that it reads left
    to right, and the turned page's width and height."""
    if direction == 90:  # text runs upwards: turn the page clockwise
        return (lambda p: (height - p[1], p[0])), height, width
    if direction == 270:  # text runs downwards: turn it counter-clockwise
        return (lambda p: (p[1], width - p[0])), height, width
    if direction == 180:
        return (lambda p: (width - p[0], height - p[1])), width, height
    return (lambda p: p), width, height


def _box(turn: Callable[[Point], Point], x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float, float]:
    (ax, ay), (bx, by) = turn((x0, top)), turn((x1, bottom))
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def dominant_direction(glyphs: Iterable[Glyph]) -> int:
    """The direction most of a page's text runs in (0 for a page with no text)."""
    counts = Counter(g.direction for g in glyphs if not g.text.isspace())
    return counts.most_common(1)[0][0] if counts else 0


def turn(drawing: Drawing, direction: int) -> Drawing:
    """The drawing as it looks turned so that text running `direction` reads left to right."""
    if direction == 0:
        return drawing
    f, width, height = turner(direction, drawing.width, drawing.height)
    glyphs = [replace(g, x0=b[0], top=b[1], x1=b[2], bottom=b[3], direction=(g.direction - direction) % 360)
              for g in drawing.glyphs for b in [_box(f, g.x0, g.top, g.x1, g.bottom)]]
    paths = [replace(p, points=tuple(f(pt) for pt in p.points)) for p in drawing.paths]
    return replace(drawing, width=width, height=height, glyphs=glyphs, paths=paths)


# ---------------------------------------------------------------- paths → rulings and fills


def _segments(path: Path) -> list[tuple[Point, Point]]:
    pts = path.points
    segs = list(zip(pts, pts[1:]))
    if path.closed and len(pts) > 2:
        segs.append((pts[-1], pts[0]))
    return segs


def _ruling(p: Point, q: Point, s: ReadSettings) -> Ruling | None:
    """An axis-parallel segment as a ruling; anything slanted or too short is no table line."""
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) < s.straight and abs(x1 - x0) >= s.min_length:
        y = (y0 + y1) / 2
        return Ruling(min(x0, x1), y, max(x0, x1), y)
    if abs(x1 - x0) < s.straight and abs(y1 - y0) >= s.min_length:
        x = (x0 + x1) / 2
        return Ruling(x, min(y0, y1), x, max(y0, y1))
    return None


def _rectangle(path: Path, s: ReadSettings) -> tuple[float, float, float, float] | None:
    """The box of a path that is an axis-parallel rectangle (every point on its bounding box's corners)."""
    if len(path.points) < 4:
        return None
    xs, ys = [p[0] for p in path.points], [p[1] for p in path.points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    corner = lambda v, a, b: abs(v - a) < s.straight or abs(v - b) < s.straight  # noqa: E731
    if all(corner(x, x0, x1) and corner(y, y0, y1) for x, y in path.points):
        return x0, y0, x1, y1
    return None


def shapes(paths: Iterable[Path], s: ReadSettings = DEFAULT) -> tuple[list[Ruling], list[Fill]]:
    """Rulings (stroked segments, thin filled rectangles) and fills (wider filled rectangles)."""
    rulings: list[Ruling] = []
    fills: list[Fill] = []
    for path in paths:
        if path.stroke:
            rulings += [r for p, q in _segments(path) if (r := _ruling(p, q, s)) is not None]
        if not path.fill:
            continue
        box = _rectangle(path, s)
        if box is None:
            continue  # a filled shape that is not a rectangle: a logo, a bullet
        x0, top, x1, bottom = box
        if bottom - top <= s.thin and x1 - x0 >= s.min_length:
            rulings.append(Ruling(x0, (top + bottom) / 2, x1, (top + bottom) / 2))
        elif x1 - x0 <= s.thin and bottom - top >= s.min_length:
            rulings.append(Ruling((x0 + x1) / 2, top, (x0 + x1) / 2, bottom))
        elif x1 - x0 > s.thin and bottom - top > s.thin:
            fills.append(Fill(x0, top, x1, bottom))
    return rulings, fills


# ---------------------------------------------------------------- glyphs → words


def _lines(glyphs: Sequence[Glyph], tol: float) -> list[list[Glyph]]:
    """Glyphs grouped by vertical centre (a chain of neighbours within tol), each line left to right."""
    ordered = sorted(glyphs, key=lambda g: ((g.top + g.bottom) / 2, g.x0))
    lines: list[list[Glyph]] = []
    last = None
    for g in ordered:
        yc = (g.top + g.bottom) / 2
        if last is None or yc - last > tol:
            lines.append([])
        lines[-1].append(g)
        last = yc
    return [sorted(ln, key=lambda g: g.x0) for ln in lines]


class _Verticals:
    """Vertical rulings, searchable by x: is there one between two glyphs, across their line?"""

    def __init__(self, rulings: Iterable[Ruling]):
        self.items = sorted(((r.x0 + r.x1) / 2, r.top, r.bottom) for r in rulings if not r.horizontal)
        self.xs = [x for x, _, _ in self.items]

    def between(self, a: Glyph, b: Glyph) -> bool:
        lo, hi = (a.x0 + a.x1) / 2, (b.x0 + b.x1) / 2
        y = (a.top + a.bottom + b.top + b.bottom) / 4
        i = bisect.bisect_right(self.xs, lo)
        while i < len(self.items) and self.items[i][0] < hi:
            if self.items[i][1] <= y <= self.items[i][2]:
                return True
            i += 1
        return False


def _word(run: list[Glyph]) -> Word:
    confs = [g.conf for g in run if g.conf is not None]
    return Word("".join(g.text for g in run), min(g.x0 for g in run), min(g.top for g in run),
                max(g.x1 for g in run), max(g.bottom for g in run), min(confs) if confs else None)


def words(glyphs: Sequence[Glyph], rulings: Iterable[Ruling] = (), s: ReadSettings = DEFAULT) -> list[Word]:
    """Glyphs into words, as pdfplumber's `extract_words` makes them, and split where a ruling passes."""
    verticals = _Verticals(rulings)
    out: list[Word] = []
    for line in _lines(glyphs, s.y_tolerance):
        run: list[Glyph] = []
        for g in line:
            if g.text.isspace() or not g.text:
                if run:
                    out.append(_word(run))
                run = []
                continue
            if run:
                prev = run[-1]
                near = s.duplicate * max(g.x1 - g.x0, 0.1)
                if g.text == prev.text and abs(g.x0 - prev.x0) < near and abs(g.top - prev.top) < near:
                    continue  # the same glyph printed twice (fake bold): one character
                if g.x0 > prev.x1 + s.x_tolerance or verticals.between(prev, g):
                    out.append(_word(run))
                    run = []
            run.append(g)
        if run:
            out.append(_word(run))
    return out


def page_of(drawing: Drawing, s: ReadSettings = DEFAULT) -> Page:
    """The page the table finder reads: turned upright, its words and its rulings."""
    glyphs = [replace(g, text=printed(g.text)) if not g.text.isascii() or g.text == "\x02" else g
              for g in drawing.glyphs]
    direction = dominant_direction(glyphs)
    d = turn(replace(drawing, glyphs=glyphs), direction)
    rulings, fills = shapes(d.paths, s)
    if d.ocr:  # a recogniser's words come whole: nothing to join
        found = [Word(g.text, g.x0, g.top, g.x1, g.bottom, g.conf) for g in d.glyphs if g.text.strip()]
    else:
        found = words(d.glyphs, rulings, s)
    chars = sum(len(w.text) for w in found)
    return Page(d.number, d.width, d.height, tuple(found), tuple(rulings), chars, tuple(fills), direction,
                d.unmapped, d.ocr)
