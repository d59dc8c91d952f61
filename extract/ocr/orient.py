"""Which way a page image's text runs, and how far it is skewed: found from the ink alone, cheaply.

Text lines (the table's rulings set aside) make the ink's profile along the page sharp (dense lines, empty
gaps) only when the lines lie across the profile and straight: the profile of rows is sharp for horizontal
text, the profile of columns for text turned a quarter, and either is sharpest at the angle that undoes the
skew. The search runs on a 100 dpi copy, a few dozen small rotations, milliseconds. Whether upright text is
upside down is left to the recogniser (`extract.ocr.read_image` tests a page that reads poorly turned half
round).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .rulings import BLANK_INK, ink, line_mask

SEARCH_DPI = 100.0
MAX_SKEW = 4.0  # degrees either way; a page fed worse than that is re-scanned, not straightened
COARSE_STEP = 0.25
FINE_STEP = 0.05
SNAP = 0.1  # a skew this small is left alone: resampling blurs small type more than the slant disturbs Tesseract
AXIS_MARGIN = 1.15  # turn a quarter only when the columns' profile is this much sharper than the rows'


@dataclass(frozen=True)
class Pose:
    """How to make a page image upright: a quarter turn (0 or 90, counter-clockwise as a glyph's direction:
    90 means its text runs upwards and the image is turned clockwise) and then a small rotation (degrees,
    counter-clockwise as displayed)."""

    quarter: int
    skew: float


def sharpness(profile: np.ndarray) -> float:
    """How sharply a profile alternates between ink and gaps, whatever the amount of ink."""
    total = float(profile.sum())
    if total <= 0:
        return 0.0
    return float((np.diff(profile.astype(np.float64)) ** 2).sum()) * len(profile) / total ** 2


def rotate(image: np.ndarray, degrees: float, fill: int = 0, interpolation: int = cv2.INTER_NEAREST) -> np.ndarray:
    """The image turned about its centre by `degrees` counter-clockwise, on a canvas of its own size."""
    if abs(degrees) < 1e-9:
        return image
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, m, (w, h), flags=interpolation, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def _scores(marks: np.ndarray, angles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = [], []
    for a in angles:
        r = rotate(marks, float(a))
        rows.append(sharpness(r.sum(axis=1)))
        cols.append(sharpness(r.sum(axis=0)))
    return np.array(rows), np.array(cols)


def _refine(marks: np.ndarray, best: float, across_rows: bool) -> float:
    angles = np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, FINE_STEP)
    rows, cols = _scores(marks, angles)
    return float(angles[int(np.argmax(rows if across_rows else cols))])


def pose(gray: np.ndarray, dpi: float) -> Pose:
    """The quarter turn and the skew that make the page's text lines horizontal and straight."""
    factor = SEARCH_DPI / dpi
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else gray
    search_dpi = min(dpi, SEARCH_DPI)
    marks = ink(small, search_dpi)
    lines = line_mask(marks, search_dpi, True) | line_mask(marks, search_dpi, False)
    marks = ((marks > 0) & (lines == 0)).astype(np.uint8)  # text only: a grid's lines would vote for both axes
    if np.count_nonzero(marks) < BLANK_INK * marks.size:
        return Pose(0, 0.0)  # no text to judge by (a blank page, a frame): turning it would only bend its lines
    angles = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    rows, cols = _scores(marks, angles)
    sideways = cols.max() > AXIS_MARGIN * rows.max()
    coarse = float(angles[int(np.argmax(cols if sideways else rows))])
    skew = _refine(marks, coarse, across_rows=not sideways)
    return Pose(90 if sideways else 0, 0.0 if abs(skew) <= SNAP else round(skew, 2))


def quarter_turn(image: np.ndarray, quarter: int) -> np.ndarray:
    """The image turned so that text running `quarter` degrees (counter-clockwise) reads left to right."""
    return np.ascontiguousarray(np.rot90(image, -(quarter // 90) % 4))


def upright(gray: np.ndarray, p: Pose) -> np.ndarray:
    """The grey image turned and straightened as `p` says; what the rotation uncovers is white."""
    turned = quarter_turn(gray, p.quarter)
    return rotate(turned, p.skew, fill=255, interpolation=cv2.INTER_CUBIC)
