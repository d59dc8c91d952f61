"""A page as the recogniser sees it: PDFium's rendering of the displayed page (/Rotate applied), in grey."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..pdfium_lock import PDFIUM_LOCK  # PDFium is not thread-safe, even across documents

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Image:
    """A grey page image (0 black … 255 white) and the size in PDF points of the page it shows."""

    pixels: np.ndarray  # uint8, rows × columns
    width: float  # points
    height: float

    @property
    def scale(self) -> tuple[float, float]:
        """Points per pixel, across and down."""
        h, w = self.pixels.shape
        return self.width / w, self.height / h

    @property
    def dpi(self) -> float:
        return POINTS_PER_INCH / self.scale[0]


def render_page(path: str, index: int, dpi: float) -> Image:
    """Page `index` (0-based) of the PDF at `dpi`, as displayed (its /Rotate applied), in grey.

    A scan is drawn at the chosen resolution whatever its own: Tesseract reads small table type best at
    about 300 dpi, and a 150 dpi scan drawn larger reads better than as it is."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            page = pdf[index]
            try:
                width, height = page.get_size()
                if page.get_rotation() % 180 == 90:
                    width, height = height, width
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, grayscale=True, may_draw_forms=False)
                pixels = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
            finally:
                page.close()
        finally:
            pdf.close()
    if pixels.ndim == 3:  # a grey bitmap may come with a channel axis
        pixels = pixels[..., 0]
    return Image(pixels, float(width), float(height))
