"""Table lines in a page image: found by morphology, handed over as segments, and erased from the image.

A ruling left in the image is read by Tesseract as "|", "l" or "I" glued to the words beside it (the header's
"FÍSICO | PPTARIO" line is then no header, and every % lands in the obtained text); erased, the words stand
apart and the segments still tell the table finder where the columns and rows are, as a text layer's drawn
lines do.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MIN_LENGTH_PT = 14.0  # a stroke longer than this is a line, not a letter (a 12 pt capital "I" is ~9 pt tall)
MAX_THICKNESS_PT = 3.0  # thicker, it is a filled block (a dark header band), not a line
BLANK_INK = 2e-4  # share of a page's pixels that are marks other than lines, under which nothing is printed on it


@dataclass(frozen=True)
class Segment:
    """A straight line in pixels: horizontal when y0 == y1, vertical when x0 == x1."""

    x0: float
    y0: float
    x1: float
    y1: float


def ink(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Dark marks as 255 on 0, thresholded against the neighbourhood (a scan's uneven light, grey shading)."""
    block = max(15, int(dpi / 10) | 1)  # about a tenth of an inch, odd
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 20)


def line_mask(marks: np.ndarray, dpi: float, horizontal: bool) -> np.ndarray:
    """The marks that run on straight for MIN_LENGTH_PT in one direction."""
    length = max(3, int(MIN_LENGTH_PT * dpi / 72))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
    return cv2.morphologyEx(marks, cv2.MORPH_OPEN, kernel)


def segments(mask: np.ndarray, dpi: float, horizontal: bool) -> tuple[list[Segment], np.ndarray]:
    """One segment per thin connected run of the mask, through its middle, and the mask of those runs alone:
    a thick block (a dark header band with white type in it) is no line and stays in the image."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    thick = MAX_THICKNESS_PT * dpi / 72
    out, keep = [], np.zeros(n, dtype=bool)
    for i, (x, y, w, h, _area) in enumerate(stats[1:n], 1):
        along, across = (w, h) if horizontal else (h, w)
        if across > thick + along * 0.06:  # a slight residual slant widens a long line
            continue
        keep[i] = True
        if horizontal:
            out.append(Segment(float(x), y + h / 2, float(x + w), y + h / 2))
        else:
            out.append(Segment(x + w / 2, float(y), x + w / 2, float(y + h)))
    return out, np.where(keep[labels], mask, 0).astype(np.uint8)


def find_rulings(gray: np.ndarray, dpi: float) -> tuple[list[Segment], np.ndarray]:
    """The page's horizontal and vertical lines, and the image with them erased (painted white)."""
    marks = ink(gray, dpi)
    found: list[Segment] = []
    erase = np.zeros_like(marks)
    for horizontal in (True, False):
        lines, mask = segments(line_mask(marks, dpi, horizontal), dpi, horizontal)
        found += lines
        erase |= mask
    grow = max(1, int(dpi / 150))  # the line's anti-aliased or blurred edge goes too
    erase = cv2.dilate(erase, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * grow + 1, 2 * grow + 1)))
    clean = gray.copy()
    clean[erase > 0] = 255
    return found, clean
