"""A second page source on PDFium (pypdfium2): the same words and rulings, read several times faster
(about 9x on the samples: `make bench`).

PDFium gives each character's box; words are the runs of characters with no space and no gap between them,
as pdfplumber's `extract_words` makes them. Rulings are the straight, axis-parallel segments of the page's
path objects (lines, rectangle sides, shading bands), including those inside form XObjects, in page space.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Iterator

from .page import Page, Ruling, SourceError, Word, check_signature, page_error

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, PDF's row-vector convention
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(m: Matrix, n: Matrix) -> Matrix:
    """m then n."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


class PdfiumSource:
    def __init__(self, path: str | Path, *, x_tolerance: float = 1.5, y_tolerance: float = 2.0):
        import pypdfium2 as pdfium

        self.path = str(path)
        self._xt, self._yt = x_tolerance, y_tolerance
        check_signature(self.path)
        try:
            self._pdf = pdfium.PdfDocument(self.path)
        except pdfium.PdfiumError as e:
            import pypdfium2.raw as raw

            code = getattr(e, "err_code", None)
            if code == raw.FPDF_ERR_PASSWORD or code == raw.FPDF_ERR_SECURITY:
                raise SourceError("encrypted or password-protected PDF") from e
            if code == raw.FPDF_ERR_SUCCESS:  # PDFium parsed the file and found no page tree worth the name
                raise SourceError("the PDF has no pages") from e
            raise SourceError(f"damaged or truncated PDF: {e}") from e
        if len(self._pdf) == 0:
            raise SourceError("the PDF has no pages")

    def __len__(self) -> int:
        return len(self._pdf)

    def __iter__(self) -> Iterator[Page]:
        for i in range(len(self._pdf)):
            try:
                page = self._pdf[i]
                try:
                    read = self._page(i + 1, page)
                finally:
                    page.close()
            except Exception as e:  # a damaged content stream surfaces only when the page is read
                raise page_error(i + 1, e) from e
            yield read

    def close(self) -> None:
        self._pdf.close()

    def _page(self, number: int, page) -> Page:
        import pypdfium2.raw as raw

        left, bottom, right, top = page.get_cropbox()
        width, height = right - left, top - bottom
        words, chars = self._words(page, left, top)
        rulings: list[Ruling] = []
        for k in range(raw.FPDFPage_CountObjects(page.raw)):
            self._collect(raw, raw.FPDFPage_GetObject(page.raw, k), IDENTITY, left, top, rulings)
        return Page(number, width, height, tuple(words), tuple(rulings), chars)

    def _words(self, page, left: float, top: float) -> tuple[list[Word], int]:
        import pypdfium2.raw as raw

        tp = page.get_textpage()
        try:
            n = tp.count_chars()
            rect = raw.FS_RECTF()
            words: list[Word] = []
            run: list[tuple[str, float, float, float, float]] = []
            chars = 0

            def flush() -> None:
                if run:
                    # PDFium hands out UTF-16 units: pair the surrogates, and a lone one (garbage) becomes U+FFFD
                    text = "".join(c[0] for c in run).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
                    words.append(Word(text, min(c[1] for c in run), min(c[2] for c in run),
                                      max(c[3] for c in run), max(c[4] for c in run)))
                    run.clear()

            for i in range(n):
                ch = chr(raw.FPDFText_GetUnicode(tp.raw, i))
                if ch.isspace() or raw.FPDFText_IsGenerated(tp.raw, i):
                    flush()
                    continue
                raw.FPDFText_GetLooseCharBox(tp.raw, i, rect)  # advance width and font height, as pdfplumber
                x0, x1 = rect.left - left, rect.right - left
                y0, y1 = top - rect.top, top - rect.bottom
                if x1 <= x0:  # a glyph with no width (a combining mark, a zero-width space): keep its place
                    x1 = x0
                chars += 1
                if run:
                    last = run[-1]
                    same_line = abs((y0 + y1) / 2 - (last[2] + last[4]) / 2) <= self._yt
                    if not same_line or x0 - last[3] > self._xt or x0 < last[1] - self._xt:
                        flush()
                run.append((ch, x0, y0, x1, y1))
            flush()
            return words, chars
        finally:
            tp.close()

    def _collect(self, raw, obj, parent: Matrix, left: float, top: float, out: list[Ruling]) -> None:
        m = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(obj, m)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            matrix = _compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
            for k in range(raw.FPDFFormObj_CountObjects(obj)):
                self._collect(raw, raw.FPDFFormObj_GetObject(obj, k), matrix, left, top, out)
            return
        if kind != raw.FPDF_PAGEOBJ_PATH:
            return
        a, b, c, d, e, f = _compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
        x, y = ctypes.c_float(), ctypes.c_float()
        start = prev = None
        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            p = (a * x.value + c * y.value + e - left, top - (b * x.value + d * y.value + f))
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO:
                start = prev = p
                continue
            if kind == raw.FPDF_SEGMENT_LINETO and prev is not None:
                _edge(prev, p, out)
            prev = p
            if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                _edge(prev, start, out)
                prev = start


def _edge(p: tuple[float, float], q: tuple[float, float], out: list[Ruling]) -> None:
    """An axis-parallel straight segment as a ruling; anything slanted is no table line."""
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) < 0.5 and abs(x1 - x0) >= 0.5:
        out.append(Ruling(min(x0, x1), y0, max(x0, x1), y0))
    elif abs(x1 - x0) < 0.5 and abs(y1 - y0) >= 0.5:
        out.append(Ruling(x0, min(y0, y1), x0, max(y0, y1)))
