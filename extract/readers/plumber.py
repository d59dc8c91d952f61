"""The default reader: pdfplumber (pdfminer underneath), which applies /Rotate itself."""

from __future__ import annotations

import math

import numpy as np

from ..page import NO_INK, Drawing, Glyphs, Path, SourceError, causes, reason
from .base import Reader


def direction_of(matrix: tuple) -> int:
    """The way a glyph's text runs, from its text matrix (PDF's y-up frame): 0, 90, 180 or 270."""
    a, b = matrix[0], matrix[1]
    return round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90


def _white(color) -> bool:
    """Whether a fill colour (pdfminer's: grey, RGB or CMYK components from 0 to 1) is white. pdfminer does not
    say a glyph's render mode: this reader sees text in white ink, not text drawn invisibly (PDFium sees both)."""
    if not isinstance(color, (tuple, list)) or not color or not all(isinstance(v, (int, float)) for v in color):
        return False
    if len(color) == 4:  # CMYK: no ink at all
        return max(color) <= 0.02
    return min(color) >= 0.98


class PdfplumberSource(Reader):
    name = "pdfplumber"

    def _open(self) -> None:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        try:
            self._pdf = pdfplumber.open(self.path)
            n = len(self._pdf.pages)
        except Exception as e:  # pdfplumber wraps pdfminer's many kinds of complaint
            if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes(e)):
                raise SourceError("encrypted or password-protected PDF") from e
            raise SourceError(f"damaged or truncated PDF: {reason(e)}") from e
        if n == 0:
            raise SourceError("the PDF has no pages")

    def __len__(self) -> int:
        return len(self._pdf.pages)

    def drawing(self, index: int) -> Drawing:
        p = self._pdf.pages[index]
        try:
            chars = p.chars
            text = [c["text"] for c in chars]
            unmapped = sum(t.startswith("(cid:") for t in text)
            col = lambda key: np.array([c[key] for c in chars], dtype=float)  # noqa: E731
            white = np.array([NO_INK if _white(c.get("non_stroking_color")) else 0 for c in chars], dtype=np.int8)
            glyphs = Glyphs(text, col("x0"), col("top"), col("x1"), col("bottom"),
                            np.array([direction_of(c["matrix"]) for c in chars], dtype=int), None,
                            white if white.any() else None)
            paths = [Path(((r["x0"], r["top"]), (r["x1"], r["top"]), (r["x1"], r["bottom"]), (r["x0"], r["bottom"])),
                          bool(r["stroke"]), bool(r["fill"]), closed=True) for r in p.rects]
            paths += [Path(tuple((float(x), float(y)) for x, y in obj["pts"]), bool(obj["stroke"]), bool(obj["fill"]),
                           closed=bool(obj["fill"])) for obj in (*p.lines, *p.curves)]
            return Drawing(p.page_number, float(p.width), float(p.height), glyphs, paths, unmapped)
        finally:
            p.close()  # drop pdfplumber's per-page caches: memory stays flat on long reports

    def close(self) -> None:
        self._pdf.close()
