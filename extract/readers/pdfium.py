"""A second reader on PDFium (pypdfium2): the same page as pdfplumber's, read several times faster.

PDFium reports glyphs and paths in the page's own space (PDF's y-up frame, before /Rotate); this reader maps
them into the displayed page's frame and gives each glyph pdfminer's box (the advance width, one font size
above the font's descent), so that the shared geometry makes the same words and rulings of them.
"""

from __future__ import annotations

import ctypes
import math
from typing import Callable

from ..page import Drawing, Glyph, Path, SourceError
from .base import Reader

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, PDF's row-vector convention
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Point = tuple[float, float]


def compose(m: Matrix, n: Matrix) -> Matrix:
    """m then n."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def display(rotation: int, left: float, bottom: float, right: float, top: float) -> tuple[Callable[[float, float], Point], float, float]:
    """The map from page space (y up) to the displayed page (top-left origin, y down, /Rotate applied
    clockwise), and the displayed width and height."""
    w, h = right - left, top - bottom
    if rotation == 90:
        return (lambda x, y: (h - (top - y), x - left)), h, w
    if rotation == 180:
        return (lambda x, y: (w - (x - left), h - (top - y))), w, h
    if rotation == 270:
        return (lambda x, y: (top - y, w - (x - left))), h, w
    return (lambda x, y: (x - left, top - y)), w, h


def metric_box(box: tuple[float, float, float, float], size: float, direction: int) -> tuple[float, float, float, float]:
    """pdfminer's glyph box from PDFium's loose one: keep the side at the font's descent, span one font size
    from it towards the glyph's top (which side that is depends on the way the text runs)."""
    x0, top, x1, bottom = box
    if direction == 0:
        return x0, bottom - size, x1, bottom
    if direction == 180:
        return x0, top, x1, top + size
    if direction == 90:
        return x1 - size, top, x1, bottom
    return x0, top, x0 + size, bottom


class PdfiumSource(Reader):
    name = "pdfium"

    def _open(self) -> None:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw

        self._raw = raw
        try:
            self._pdf = pdfium.PdfDocument(self.path)
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
                raise SourceError("encrypted or password-protected PDF") from e
            if code == raw.FPDF_ERR_SUCCESS:  # PDFium parsed the file and found no page tree worth the name
                raise SourceError("the PDF has no pages") from e
            raise SourceError(f"damaged or truncated PDF: {e}") from e
        if len(self._pdf) == 0:
            raise SourceError("the PDF has no pages")

    def __len__(self) -> int:
        return len(self._pdf)

    def close(self) -> None:
        self._pdf.close()

    def drawing(self, index: int) -> Drawing:
        raw = self._raw
        page = self._pdf[index]
        try:
            box = raw.FS_RECTF()
            raw.FPDF_GetPageBoundingBox(page.raw, box)  # the crop box, inherited from the page tree if need be
            rotation = page.get_rotation() % 360
            to_display, width, height = display(rotation, box.left, box.bottom, box.right, box.top)
            glyphs, unmapped = self._glyphs(page, to_display, rotation)
            paths: list[Path] = []
            for k in range(raw.FPDFPage_CountObjects(page.raw)):
                self._collect(raw.FPDFPage_GetObject(page.raw, k), IDENTITY, to_display, paths)
            return Drawing(index + 1, width, height, glyphs, paths, unmapped)
        finally:
            page.close()

    def _glyphs(self, page, to_display, rotation: int) -> tuple[list[Glyph], int]:
        raw = self._raw
        tp = page.get_textpage()
        try:
            rect = raw.FS_RECTF()
            glyphs: list[Glyph] = []
            unmapped = 0
            for i in range(tp.count_chars()):
                if raw.FPDFText_IsGenerated(tp.raw, i):
                    continue  # a space or line break PDFium inferred: words come from the geometry instead
                code = raw.FPDFText_GetUnicode(tp.raw, i)
                if raw.FPDFText_HasUnicodeMapError(tp.raw, i) == 1:
                    unmapped += 1
                raw.FPDFText_GetLooseCharBox(tp.raw, i, rect)  # advance width, and the font's descent under the baseline
                (ax, ay), (bx, by) = to_display(rect.left, rect.top), to_display(rect.right, rect.bottom)
                # PDFium measures the angle clockwise in page space; /Rotate turns the page clockwise too
                angle = -math.degrees(raw.FPDFText_GetCharAngle(tp.raw, i))
                direction = round((angle - rotation) / 90) % 4 * 90
                size = raw.FPDFText_GetFontSize(tp.raw, i)
                x0, top, x1, bottom = metric_box((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)), size, direction)
                glyphs.append(Glyph(chr(code) if code else "\ufffd", x0, top, x1, bottom, direction))
            return _pair_surrogates(glyphs), unmapped
        finally:
            tp.close()

    def _collect(self, obj, parent: Matrix, to_display, out: list[Path]) -> None:
        """The path objects of the page, including those inside form XObjects, as display-frame paths."""
        raw = self._raw
        m = raw.FS_MATRIX()
        raw.FPDFPageObj_GetMatrix(obj, m)
        matrix = compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            for k in range(raw.FPDFFormObj_CountObjects(obj)):
                self._collect(raw.FPDFFormObj_GetObject(obj, k), matrix, to_display, out)
            return
        if kind != raw.FPDF_PAGEOBJ_PATH:
            return
        fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
        raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
        fill, stroked = fill_mode.value != 0, bool(stroke.value)
        a, b, c, d, e, f = matrix
        x, y = ctypes.c_float(), ctypes.c_float()
        run: list[Point] = []
        closed = False

        def flush() -> None:
            if len(run) > 1:
                out.append(Path(tuple(run), stroked, fill, closed))

        for k in range(raw.FPDFPath_CountSegments(obj)):
            seg = raw.FPDFPath_GetPathSegment(obj, k)
            raw.FPDFPathSegment_GetPoint(seg, x, y)
            p = to_display(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = raw.FPDFPathSegment_GetType(seg)
            if kind == raw.FPDF_SEGMENT_MOVETO or kind == raw.FPDF_SEGMENT_BEZIERTO:
                flush()  # a curve is no table line: the straight runs on either side of it stand alone
                run, closed = [p], False
            else:
                run.append(p)
            if raw.FPDFPathSegment_GetClose(seg):
                closed = True
        flush()


def _pair_surrogates(glyphs: list[Glyph]) -> list[Glyph]:
    """PDFium hands out UTF-16 units: a character outside the BMP comes as two glyphs; a lone half is garbage."""
    out: list[Glyph] = []
    for g in glyphs:
        t = g.text
        if 0xDC00 <= ord(t) <= 0xDFFF and out and 0xD800 <= ord(out[-1].text[-1]) <= 0xDBFF:
            prev = out.pop()
            pair = (prev.text + t).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            out.append(Glyph(pair, prev.x0, prev.top, max(prev.x1, g.x1), prev.bottom, prev.direction))
            continue
        out.append(g)
    return [g if not (0xD800 <= ord(g.text[-1]) <= 0xDFFF) else Glyph("\ufffd", g.x0, g.top, g.x1, g.bottom, g.direction)
            for g in out]
