"""The OCR page reader: a page with no text layer, recognised from its image, handed over as a Drawing.

    recognise("scan.pdf", 0, OcrOptions()) -> Drawing(ocr=True)

The page is rendered (PDFium, `render`), turned upright and straightened (`orient`), cleared of speckle
and shading (`clean`), its table lines found and erased (`rulings`) and its words recognised (Tesseract,
`tesseract`). The Drawing holds one glyph per recognised word, with Tesseract's confidence (0–100), and one
stroked two-point path per ruling, in PDF points of the page as turned upright: the shared geometry and the
table finder read it as any other page.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..page import Drawing, Glyph, Path, SourceError
from . import tesseract
from .clean import despeckle, flatten
from .orient import Pose, pose, quarter_turn, upright
from .render import Image, render_page
from .rulings import BLANK_INK, Segment, find_rulings, ink
from .tesseract import PACKAGES, OcrWord, TesseractMissing, recognise_words, stop_all


@dataclass(frozen=True)
class OcrOptions:
    dpi: float = 300.0  # small table type (7 pt) needs about this much for Tesseract
    psm: int = 6  # one block: a section name printed across the column gutters stays whole (3 drops what crosses them)
    retry_below: float = 60.0  # mean confidence under which the page is tested for being upside down
    jobs: int | None = None  # pages recognised at once (Tesseract processes); None: one per core


DEFAULT = OcrOptions()
NOISE_CONFIDENCE = 50.0  # a mark with no letter or digit read less surely than this is a speck, not text
SPECK_CONFIDENCE = 25.0  # so is a one- or two-character "word" read less surely than this
FLIP_MARGIN = 15.0  # how much surer a band must read turned half round for the page to count as upside down
TIGHT_LINE = 1.6  # a line box taller than this many times its words' height holds two lines of text


def check(number: int) -> None:
    """Raise SourceError, naming the Debian packages, where page `number` needs OCR but Tesseract or its
    Spanish data is missing."""
    why = tesseract.missing()
    if why is not None:
        raise SourceError(f"page {number} has no text layer and needs OCR: {why}")



def plausible(word: OcrWord) -> bool:
    """Whether a recognised word is text rather than a speck of the scan read as ":", ";", "'" or "í": a lone
    mark that Tesseract itself doubts, left in a code cell, would hide the code ("- 08-01.01.01-")."""
    if not any(c.isalnum() for c in word.text):
        return word.conf >= NOISE_CONFIDENCE
    return len(word.text) > 2 or word.conf >= SPECK_CONFIDENCE


def mean_confidence(words: list[OcrWord]) -> float:
    """Confidence per letter or digit: long words weigh more than stray marks, and a table of contents' dot
    leaders (read as long runs of "." Tesseract doubts) weigh nothing."""
    weights = [sum(c.isalnum() for c in w.text) for w in words]
    total = sum(weights)
    return sum(w.conf * n for w, n in zip(words, weights)) / total if total else 0.0


def densest_band(image: np.ndarray, share: float = 1 / 6) -> tuple[int, int]:
    """The rows of the horizontal band (`share` of the page's height) that holds the most ink."""
    ink = (255 - image.astype(np.int64)).sum(axis=1)
    height = max(1, int(len(ink) * share))
    sums = np.convolve(ink, np.ones(height, dtype=np.int64), mode="valid")
    top = int(np.argmax(sums))
    return top, top + height


def reads_better_turned(image: np.ndarray, words: list[OcrWord], dpi: float, options: "OcrOptions") -> bool:
    """Whether the page is upside down: its densest band, read again turned half round, reads surely where it
    read poorly upright. A band, not the page: a page that reads poorly for other reasons (a photograph, dot
    leaders, a margin of punch marks) costs a sixth of a page more, not a whole one."""
    top, bottom = densest_band(image)
    upright_words = [w for w in words if w.top >= top and w.bottom <= bottom]
    turned = recognise_words(quarter_turn(image[top:bottom], 180), dpi, options.psm)
    return mean_confidence([w for w in turned if plausible(w)]) > mean_confidence(upright_words) + FLIP_MARGIN


@dataclass(frozen=True)
class Reading:
    words: list[OcrWord]
    lines: list[Segment]
    quarter: int  # the quarter turn applied: 0, 90, 180 or 270 (a glyph's direction of the text as it ran)
    shape: tuple[int, int]  # rows, columns of the image read
    blank: bool = False  # nothing but lines on it (a page a word processor left empty, a frame): nothing to read


def is_blank(clean: np.ndarray, dpi: float) -> bool:
    """Whether a page image, its lines erased, holds no mark at all: not a scan Tesseract could not read, a
    page with nothing printed on it (whose mean confidence, of no word, would otherwise be 0 and doubt the read)."""
    return float(np.count_nonzero(ink(clean, dpi))) < BLANK_INK * clean.size


def read_image(gray: np.ndarray, dpi: float, options: OcrOptions = DEFAULT) -> Reading:
    """Words and rulings of a grey page image, turned upright and straightened first. A page that reads
    poorly and reads better turned half round (a sheet fed upside down) is read again that way."""
    p = pose(gray, dpi)
    image = flatten(despeckle(upright(gray, p), dpi), dpi)
    lines, clean = find_rulings(image, dpi)
    if is_blank(clean, dpi):
        return Reading([], lines, p.quarter, clean.shape, blank=True)
    words = [w for w in recognise_words(clean, dpi, options.psm) if plausible(w)]
    reading = Reading(words, lines, p.quarter, clean.shape)
    if mean_confidence(words) < options.retry_below and reads_better_turned(clean, words, dpi, options):
        flipped = quarter_turn(clean, 180)
        again = [w for w in recognise_words(flipped, dpi, options.psm) if plausible(w)]
        if mean_confidence(again) > mean_confidence(words):
            h, w = clean.shape
            turned = [Segment(w - s.x1, h - s.y1, w - s.x0, h - s.y0) for s in lines]
            reading = Reading(again, turned, (p.quarter + 180) % 360, clean.shape)
    return reading


def vertical_extents(words: list[OcrWord]) -> list[tuple[int, int]]:
    """Each word's top and bottom as a text layer would give them: a word's own box covers its ink only ("a"
    is shorter than "Ál", so their centres differ), and its line's box stands in for the type size every glyph
    of a line shares. Where Tesseract's line holds two lines of text (cells side by side whose lines do not
    align), the word keeps its own box."""
    lines: dict[tuple, list[OcrWord]] = defaultdict(list)
    for w in words:
        lines[w.line].append(w)
    box: dict[tuple, tuple[int, int] | None] = {}
    for key, ws in lines.items():
        top, bottom = min(w.top for w in ws), max(w.bottom for w in ws)
        typical = statistics.median(w.bottom - w.top for w in ws)
        box[key] = (top, bottom) if bottom - top <= TIGHT_LINE * max(typical, 1) else None
    return [box[w.line] or (w.top, w.bottom) for w in words]


def to_drawing(number: int, reading: Reading, size: tuple[float, float]) -> Drawing:
    """The reading in PDF points of the upright page (`size`: its width and height in points). A blank page is
    handed over as one with no text, not as an OCR'd page: there was nothing on it to recognise."""
    rows, cols = reading.shape
    sx, sy = size[0] / cols, size[1] / rows
    glyphs = [Glyph(w.text, w.x0 * sx, top * sy, w.x1 * sx, bottom * sy, 0, round(w.conf, 2))
              for w, (top, bottom) in zip(reading.words, vertical_extents(reading.words))]
    paths = [Path(((s.x0 * sx, s.y0 * sy), (s.x1 * sx, s.y1 * sy)), stroke=True, fill=False) for s in reading.lines]
    return Drawing(number, size[0], size[1], glyphs, paths, ocr=not reading.blank, turned=reading.quarter,
                   blank=reading.blank)


def recognise(path: str, index: int, options: OcrOptions = DEFAULT) -> Drawing:
    """Page `index` (0-based) of the PDF, recognised from its image."""
    check(index + 1)
    image: Image = render_page(path, index, options.dpi)
    reading = read_image(image.pixels, image.dpi, options)
    size = (image.width, image.height) if reading.quarter % 180 == 0 else (image.height, image.width)
    return to_drawing(index + 1, reading, size)


__all__ = ["DEFAULT", "OcrOptions", "PACKAGES", "Pose", "TesseractMissing", "check", "recognise", "read_image",
           "stop_all"]
