"""From what a reader found on a page (glyphs and paths) to what the table finder reads (words and rulings).

Every reader goes through these same small functions, so two readers that see the same drawing give the same
page: the page is turned so that its text reads left to right (a table drawn sideways on an upright page
reads like any other), drawn paths become rulings (lines, and filled rectangles thin enough to be lines) or
fills (shading), and glyphs become words — split at spaces, at gaps and at any ruling drawn between two
glyphs, since a word never runs across a cell border.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from .page import HIDDEN, NO_INK, OFF_PAGE, Drawing, Fill, Glyphs, Page, Path, Ruling, Word


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

# What a printed glyph means as text: ligatures as their letters, and a soft hyphen printed at a line's end
# as the hyphen the reader sees.
_PRINTED = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
    "\xad": "-",
})


_SPECIAL = re.compile("[" + "".join(chr(k) for k in _PRINTED) + "]")


def printed(text: str) -> str:
    """A word's text as printed: special glyphs as their letters, accents composed (NFC)."""
    if _SPECIAL.search(text):
        text = text.translate(_PRINTED)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def as_printed(text: str) -> bool:
    """Whether `printed` would change any word of a page whose words' letters are `text`, asked once a page
    (most pages: no special glyph, accents already composed; a piece of NFC text is NFC too)."""
    return bool(_SPECIAL.search(text)) or not (text.isascii() or unicodedata.is_normalized("NFC", text))


# ---------------------------------------------------------------- turning the page


Point = tuple[float, float]
XY = tuple[Any, Any]  # a point's x and y, or numpy columns of many points' (the map turns either)


def turner(direction: int, width: float, height: float) -> tuple[Callable[[XY], XY], float, float]:
    """The map that turns a page whose text runs `direction` degrees (counter-clockwise) so that it reads left
    to right, and the turned page's width and height."""
    if direction == 90:  # text runs upwards: turn the page clockwise
        return (lambda p: (height - p[1], p[0])), height, width
    if direction == 270:  # text runs downwards: turn it counter-clockwise
        return (lambda p: (p[1], width - p[0])), height, width
    if direction == 180:
        return (lambda p: (width - p[0], height - p[1])), width, height
    return (lambda p: p), width, height


def dominant_direction(glyphs: Glyphs) -> int:
    """The direction most of a page's text runs in (0 for a page with no text)."""
    import numpy as np

    if not len(glyphs):
        return 0
    counts = np.bincount(np.asarray(glyphs.direction, dtype=int) // 90, minlength=4)
    return int(np.argmax(counts)) * 90


def turn(drawing: Drawing, direction: int) -> Drawing:
    """The drawing as it looks turned so that text running `direction` reads left to right."""
    import numpy as np

    if direction == 0:
        return drawing
    f, width, height = turner(direction, drawing.width, drawing.height)
    g = Glyphs.of(drawing.glyphs)  # columns already (page_of's)
    (ax, ay), (bx, by) = f((g.x0, g.top)), f((g.x1, g.bottom))
    glyphs = Glyphs(g.text, np.minimum(ax, bx), np.minimum(ay, by), np.maximum(ax, bx), np.maximum(ay, by),
                    (np.asarray(g.direction) - direction) % 360, g.conf, g.hidden)
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


def words(glyphs: Glyphs, rulings: Iterable[Ruling] = (), s: ReadSettings = DEFAULT) -> list[Word]:
    """Glyphs into words, as pdfplumber's `extract_words` makes them, and split where a ruling passes.

    Lines are chains of glyphs whose vertical centres lie within the tolerance, read left to right; a word
    ends at a space, at a gap wider than the tolerance, and where a vertical ruling crosses the line between
    two glyphs. The same glyph printed twice at (nearly) the same place is one character. All on arrays: a
    page holds thousands of glyphs."""
    import numpy as np

    n = len(glyphs)
    if n == 0:
        return []
    x0, top, x1, bottom = (np.asarray(a, dtype=float) for a in (glyphs.x0, glyphs.top, glyphs.x1, glyphs.bottom))
    text = glyphs.text
    codes = _codes(text)
    yc = (top + bottom) / 2
    by_y = np.argsort(yc, kind="stable")
    line_of = np.empty(n, dtype=int)
    line_of[by_y] = np.concatenate([[0], np.cumsum(np.diff(yc[by_y]) > s.y_tolerance)])
    order = np.lexsort((x0, line_of))
    is_space = np.isin(codes, _WHITESPACE) if codes is not None else np.array([not t or t.isspace() for t in text])
    space = is_space[order]
    kept = np.flatnonzero(~space)
    if not len(kept):
        return []
    idx = order[kept]  # the glyphs of words, in reading order
    line = line_of[idx]
    gx0, gx1, gtop = x0[idx], x1[idx], top[idx]
    new_line = np.concatenate([[True], line[1:] != line[:-1]])
    spaces_before = np.cumsum(space)[kept]  # spaces read so far, at each kept glyph
    after_space = np.concatenate([[False], spaces_before[1:] > spaces_before[:-1]])
    if codes is not None:
        kept_codes = codes[idx]
        same = np.concatenate([[False], kept_codes[1:] == kept_codes[:-1]])
    else:
        texts = [text[i] for i in idx.tolist()]
        same = np.array([False] + [texts[k] == texts[k - 1] for k in range(1, len(texts))])
    near = s.duplicate * np.maximum(gx1 - gx0, 0.1)
    twice = same & ~new_line & ~after_space & np.concatenate(
        [[False], (np.abs(gx0[1:] - gx0[:-1]) < near[1:]) & (np.abs(gtop[1:] - gtop[:-1]) < near[1:])])
    keep = np.flatnonzero(~twice)  # the same glyph printed twice (fake bold) is one character
    idx, line, gx0, gx1 = idx[keep], line[keep], gx0[keep], gx1[keep]
    new_line, after_space = new_line[keep], after_space[keep]
    gap = np.concatenate([[False], gx0[1:] > gx1[:-1] + s.x_tolerance])
    start = new_line | after_space | gap
    start |= _ruled(gx0, gx1, (top[idx] + bottom[idx]) / 2, rulings) & ~new_line
    bounds = np.flatnonzero(start).tolist() + [len(idx)]
    firsts = bounds[:-1]
    wx0 = np.minimum.reduceat(gx0, firsts).tolist()
    wx1 = np.maximum.reduceat(gx1, firsts).tolist()
    wtop = np.minimum.reduceat(top[idx], firsts).tolist()
    wbottom = np.maximum.reduceat(bottom[idx], firsts).tolist()
    if codes is not None:  # one character a glyph: each word is a slice of the line of kept glyphs
        kept_text = codes[idx].astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
        texts_of = [kept_text[a:b] for a, b in zip(firsts, bounds[1:])]
    else:
        chars = [text[i] for i in idx.tolist()]
        texts_of = ["".join(chars[a:b]) for a, b in zip(firsts, bounds[1:])]
    if as_printed(kept_text if codes is not None else "".join(texts_of)):
        texts_of = [printed(t) for t in texts_of]
    if glyphs.conf is None:
        return [Word(t, a, b, c, d) for t, a, b, c, d in zip(texts_of, wx0, wtop, wx1, wbottom)]
    conf = np.fmin.reduceat(np.asarray(glyphs.conf, dtype=float)[idx], firsts).tolist()
    return [Word(t, a, b, c, d, None if k != k else k) for t, a, b, c, d, k in zip(texts_of, wx0, wtop, wx1, wbottom, conf)]


# The characters that separate words (str.isspace), as code points (none lies above U+3000)
_WHITESPACE = [c for c in range(0x3100) if chr(c).isspace()]


def _codes(text):
    """The glyphs' code points as an array when every glyph is one character (the common case, where the
    array work is exact), else None: an empty glyph (a character's second half) or a ligature's letters."""
    import numpy as np

    joined = "".join(text)
    if len(joined) != len(text) or "" in text:  # an empty glyph and a ligature's two letters would cancel out
        return None
    return np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def _ruled(x0, x1, yc, rulings: Iterable[Ruling]):
    """For each glyph (in reading order), whether a vertical ruling runs between it and the glyph before,
    across their line."""
    import numpy as np

    verticals = sorted(((r.x0 + r.x1) / 2, r.top, r.bottom) for r in rulings if not r.horizontal)
    out = np.zeros(len(x0), dtype=bool)
    if not verticals or len(x0) < 2:
        return out
    xs = np.array([v[0] for v in verticals])
    lo, hi = (x0[:-1] + x1[:-1]) / 2, (x0[1:] + x1[1:]) / 2
    first, last = np.searchsorted(xs, lo, side="right"), np.searchsorted(xs, hi, side="left")
    y = (yc[:-1] + yc[1:]) / 2
    for k in np.flatnonzero(last > first):  # a ruling's x falls between the two glyphs: does it cross their line?
        out[k + 1] = any(verticals[j][1] <= y[k] <= verticals[j][2] for j in range(first[k], last[k]))
    return out


def page_of(drawing: Drawing, s: ReadSettings = DEFAULT) -> Page:
    """The page the table finder reads: turned upright, its words and its rulings."""
    g = Glyphs.of(drawing.glyphs)
    direction = dominant_direction(g)
    d = turn(replace(drawing, glyphs=g), direction)
    turned = Glyphs.of(d.glyphs)  # columns still
    rulings, fills = shapes(d.paths, s)
    if d.ocr:  # a recogniser's words come whole: nothing to join
        c = turned
        found = [Word(printed(t), float(c.x0[i]), float(c.top[i]), float(c.x1[i]), float(c.bottom[i]),
                      None if c.conf is None or c.conf[i] != c.conf[i] else float(c.conf[i]))
                 for i, t in enumerate(c.text) if t.strip()]
        hidden: list[tuple[Word, str]] = []
    else:
        shown, parts = split_hidden(turned, fills, d.width, d.height)
        found = words(shown, rulings, s)
        hidden = [(w, HIDDEN[why]) for why, part in parts for w in words(part, rulings, s)]
    chars = sum(len(w.text) for w in found)
    orientation = (direction + d.turned) % 360  # a recogniser's turn comes first, then the geometry's
    return Page(d.number, d.width, d.height, tuple(found), tuple(rulings), chars, tuple(fills), orientation,
                d.unmapped, d.ocr, d.blank, tuple(hidden))


def split_hidden(g: Glyphs, fills, width: float, height: float) -> tuple[Glyphs, list[tuple[int, Glyphs]]]:
    """The glyphs the page shows, and (why, glyphs) for those it does not: text drawn invisibly, or off the
    page, is no cell (a white "100%" in a blank cell, an OCR layer over a scan, a row placed past the page's
    edge). White ink on a filled shape (a header's white titles on a coloured band) shows."""
    import numpy as np

    xc, yc = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
    off = (xc < 0) | (xc > width) | (yc < 0) | (yc > height) if len(g) else np.zeros(0, dtype=bool)
    if (g.hidden is None or not g.hidden.any()) and not off.any():
        return g, []
    why = np.zeros(len(g), dtype=np.int8) if g.hidden is None else g.hidden.copy()
    why[off] = OFF_PAGE
    white = np.flatnonzero(why == NO_INK)
    if len(white) and fills:
        xc, yc = (g.x0[white] + g.x1[white]) / 2, (g.top[white] + g.bottom[white]) / 2
        on_fill = np.zeros(len(white), dtype=bool)
        for f in fills:
            on_fill |= (f.x0 <= xc) & (xc <= f.x1) & (f.top <= yc) & (yc <= f.bottom)
        why[white[on_fill]] = 0
    return g.take(why == 0), [(k, g.take(why == k)) for k in sorted(set(why.tolist()) - {0})]
