"""A scan's speckle and shading taken out before recognition.

Scanner noise and paper grain leave specks a pixel or two wide; Tesseract reads them as ":", ";", "'" or a
stray letter, glued into codes and percentages ("08-01.01.01- 01 /", "100% ó"). A 3 × 3 median at 300 dpi
removes specks far smaller than any stroke of 6 pt type and leaves the type as it is.
"""

from __future__ import annotations

import cv2
import numpy as np


def despeckle(gray: np.ndarray, dpi: float) -> np.ndarray:
    """The grey image with specks smaller than about a hundredth of an inch removed."""
    size = max(3, int(dpi / 100) | 1)  # odd: 3 at 300 dpi
    return cv2.medianBlur(gray, size)


def flatten(gray: np.ndarray, dpi: float) -> np.ndarray:
    """The grey image over a white background: row shading, a scan's uneven light and paper tone divided out.
    Tesseract binarises the whole page with one threshold; text on a grey band, or a grey band's grain, then
    comes out broken or as specks."""
    size = max(3, int(dpi / 20) | 1)  # wider than any stroke of body type: what survives is the background
    background = cv2.dilate(gray, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    return cv2.divide(gray, np.maximum(background, 1), scale=255)
