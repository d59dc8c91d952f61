"""A second reader on PDFium (pypdfium2): the same page as pdfplumber's, read several times faster.

PDFium reports glyphs and paths in the page's own space (PDF's y-up frame, before /Rotate); this reader maps
them into the displayed page's frame and gives each glyph pdfminer's box (the advance width, one font size
above the font's descent under the baseline, the size scaled by the glyph's matrix), so that the shared
geometry makes the same words and rulings of them.
"""

from __future__ import annotations

import ctypes
import functools
import re
from typing import Callable

from ..page import INVISIBLE, NO_INK, Drawing, Glyphs, Path, SourceError
from .base import Reader

try:
    from . import _glyphloop  # built by `pip install` where a C compiler is at hand (pyproject.toml)
except ImportError:
    _glyphloop = None  # type: ignore[assignment]  # no compiled loop: the same calls through cffi

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, PDF's row-vector convention
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Point = tuple[float, float]


def compose(m: Matrix, n: Matrix) -> Matrix:
    """m then n."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def display(rotation: int, left: float, bottom: float, right: float, top: float
            ) -> tuple[Callable[[float, float], Point], float, float]:
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


def _text(raw, textpage, n: int) -> str:
    """The page's characters, one Python character per PDFium character (its UTF-16 units as they are: a
    lone surrogate in a broken font stays in its place, where a strict decoding would drop or shift it)."""
    import numpy as np

    buffer = (ctypes.c_ushort * (n + 1))()
    got = raw.FPDFText_GetText(textpage, 0, n, buffer)
    if got - 1 == n:  # the count includes the terminating NUL
        units = np.frombuffer(memoryview(buffer), dtype="<u2")[:n].astype("<u4")  # one character per unit, pairs still apart
        return units.tobytes().decode("utf-32-le", "surrogatepass")
    # PDFium leaves some characters out of the page's text (a U+FFFE it takes for its own hyphen mark): then
    # the text no longer lines up with the characters, and each is asked for on its own
    return "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(n))


def _encrypted(path: str, limit: int = 64 << 20) -> bool:
    """Whether the file names an encryption dictionary (/Encrypt, in its trailer or its cross-reference stream's
    dictionary, never compressed): PDFium's last error is not reset by a load that fails without setting one,
    so a password error may be an earlier document's."""
    try:
        with open(path, "rb") as f:
            return b"/Encrypt" in f.read(limit)
    except OSError:
        return True


INVISIBLE_MODES = (3, 7)  # FPDF_TEXTRENDERMODE_INVISIBLE, _CLIP: the glyph leaves no mark


def _unseen(raw, textpage, i: int) -> int:
    """Why the text run that glyph `i` opens does not show (`page.HIDDEN`), or 0: its text object's render mode,
    then the ink it is filled (or, stroked only, stroked) with: white or fully transparent."""

    obj = raw.FPDFText_GetTextObject(textpage, i)
    mode = raw.FPDFTextObj_GetTextRenderMode(obj) if obj else -1
    if mode in INVISIBLE_MODES:
        return INVISIBLE
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    get = raw.FPDFText_GetStrokeColor if mode in (1, 5) else raw.FPDFText_GetFillColor
    if not get(textpage, i, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return 0
    return NO_INK if a.value == 0 or min(r.value, g.value, b.value) >= 250 else 0


def _descents(drop, size):
    """Each glyph's font descent (negative, in points): for each font size on the page, the median distance
    from the baseline down to the glyphs' loose bottoms, as a share of the size."""
    import numpy as np

    out = np.empty_like(size)
    sizes = np.round(size, 2)
    for s in np.unique(sizes):
        sel = sizes == s
        out[sel] = np.median(drop[sel] / size[sel]) * size[sel]
    return out


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
            if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY) and not _encrypted(self.path):
                code = raw.FPDF_ERR_SUCCESS  # PDFium left the error of an earlier file in this process standing
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
            ffi, lib = native()
            h, scratch = handle(page.raw), Scratch(ffi)
            for k in range(lib.FPDFPage_CountObjects(h)):
                self._collect(lib.FPDFPage_GetObject(h, k), IDENTITY, to_display, paths, scratch)
            return Drawing(index + 1, width, height, glyphs, paths, unmapped)
        finally:
            page.close()

    def _glyphs(self, page, to_display, rotation: int) -> tuple[Glyphs, int]:
        """The page's glyphs with two calls into PDFium each (its loose box and its matrix, straight into
        arrays) and the rest done on the arrays: the text comes in one piece, a run's font size is asked once,
        and the font's descent (pdfminer's box starts there) is the common distance from the baseline to the
        glyphs' loose bottoms (a glyph with a descender reaches lower; most do not)."""
        import numpy as np

        raw = self._raw
        tp = page.get_textpage()
        try:
            n = tp.count_chars()
            if n <= 0:
                return Glyphs.of([]), 0
            text = _text(raw, tp.raw, n)
            _, lib = native()
            h = handle(tp.raw)
            rects, mats = boxes_and_matrices(h, n)
            box = rects.astype(float)[:, [0, 3, 2, 1]]
            mat = mats.astype(float)
            _keep_spaces(text, box, mat)
            opens = np.concatenate([[True], (mat[1:] != mat[:-1]).any(axis=1)])  # a glyph that starts a text run
            run = np.cumsum(opens) - 1
            firsts = np.flatnonzero(opens).tolist()
            sizes = np.array([lib.FPDFText_GetFontSize(h, i) for i in firsts])  # one call per run
            broken = np.array([lib.FPDFText_HasUnicodeMapError(h, i) == 1 for i in firsts], dtype=bool)
            unmapped = int(np.bincount(run, minlength=len(firsts))[broken].sum())  # characters, as pdfminer counts
            unseen = np.array([_unseen(raw, tp.raw, i) for i in firsts], dtype=np.int8)
            real = (box[:, 2] > box[:, 0]) | (box[:, 3] > box[:, 1])  # PDFium's own spaces and breaks have no box
            glyph_rows = np.flatnonzero(real)
            if not len(glyph_rows):
                return Glyphs.of([]), 0
            every = len(glyph_rows) == n
            a, b, c, d, e, f = (mat if every else mat[glyph_rows]).T
            size = sizes[run if every else run[glyph_rows]] * np.sqrt(np.abs(a * d - b * c))
            lft, btm, rgt, up = (box if every else box[glyph_rows]).T
            if not b.any() and (a > 0).all():  # every glyph upright (most pages): the same values, fewer steps
                theta = np.zeros(len(a))
                a0, a1 = np.minimum(lft, rgt), np.maximum(lft, rgt)
                base = f
                b0 = base + _descents(np.minimum(btm, up) - base, size)
                corners = [(a_, b_) for a_ in (a0, a1) for b_ in (b0, b0 + size)]
            else:
                theta = np.arctan2(b, a)
                ux, uy = np.cos(theta), np.sin(theta)
                vx, vy = -uy, ux  # the glyph's up
                along = np.stack([lft * ux + btm * uy, lft * ux + up * uy, rgt * ux + btm * uy, rgt * ux + up * uy])
                across = np.stack([lft * vx + btm * vy, lft * vx + up * vy, rgt * vx + btm * vy, rgt * vx + up * vy])
                base = e * vx + f * vy  # the run's baseline, across the text
                a0, a1 = along.min(axis=0), along.max(axis=0)
                b0 = base + _descents(across.min(axis=0) - base, size)
                b1 = b0 + size
                corners = [(a_ * ux + b_ * vx, a_ * uy + b_ * vy) for a_ in (a0, a1) for b_ in (b0, b1)]
            shown = [to_display(x, y) for x, y in corners]
            xs = np.stack([p[0] for p in shown])
            ys = np.stack([p[1] for p in shown])
            x0, x1, y0, y1 = xs.min(axis=0), xs.max(axis=0), ys.min(axis=0), ys.max(axis=0)
            direction = (np.round((np.degrees(theta) - rotation) / 90).astype(int) % 4) * 90
            shown_text = text.replace("\x02", HYPHEN).replace("\ufffe", HYPHEN)
            if every:
                chars = list(shown_text)
            else:  # the glyphs with a box, picked out of the text as code points
                units = np.frombuffer(shown_text.encode("utf-32-le", "surrogatepass"), dtype="<u4")[glyph_rows]
                chars = list(units.tobytes().decode("utf-32-le", "surrogatepass"))
            hidden = unseen[run if every else run[glyph_rows]]
            if _SURROGATE.search(text):
                chars, kept = _pair_surrogates(chars)
                x0, y0, x1, y1, direction, hidden = x0[kept], y0[kept], x1[kept], y1[kept], direction[kept], hidden[kept]
            return Glyphs(chars, x0, y0, x1, y1, direction, None, hidden if hidden.any() else None), int(unmapped)
        finally:
            tp.close()

    def _collect(self, obj, parent: Matrix, to_display, out: list[Path], scratch: Scratch) -> None:
        """The path objects of the page, including those inside form XObjects, as display-frame paths (`obj`:
        a page object as `native()` hands it over)."""
        _, lib = native()
        kind = lib.FPDFPageObj_GetType(obj)
        if kind != PATH and kind != FORM:
            return  # text and images: most of a page's objects
        m = scratch.matrix
        lib.FPDFPageObj_GetMatrix(obj, m)
        matrix = compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
        if kind == FORM:
            for k in range(lib.FPDFFormObj_CountObjects(obj)):
                self._collect(lib.FPDFFormObj_GetObject(obj, k), matrix, to_display, out, scratch)
            return
        fill_mode, stroke = scratch.fill, scratch.stroke
        lib.FPDFPath_GetDrawMode(obj, fill_mode, stroke)
        fill, stroked = fill_mode[0] != 0, bool(stroke[0])
        a, b, c, d, e, f = matrix
        xy, x, y = scratch.xy, scratch.x, scratch.y
        get_segment, get_point = lib.FPDFPath_GetPathSegment, lib.FPDFPathSegment_GetPoint
        get_type, get_close = lib.FPDFPathSegment_GetType, lib.FPDFPathSegment_GetClose
        run: list[Point] = []
        closed = False

        def flush() -> None:
            if len(run) > 1:
                out.append(Path(tuple(run), stroked, fill, closed))

        for k in range(lib.FPDFPath_CountSegments(obj)):
            seg = get_segment(obj, k)
            get_point(seg, x, y)
            px, py = xy[0], xy[1]
            p = to_display(a * px + c * py + e, b * px + d * py + f)
            kind = get_type(seg)
            if kind == MOVETO or kind == BEZIERTO:
                flush()  # a curve is no table line: the straight runs on either side of it stand alone
                run, closed = [p], False
            else:
                run.append(p)
            if get_close(seg):
                closed = True
        flush()


# PDFium's page-object and path-segment kinds (fpdf_edit.h)
PATH, FORM = 2, 5
MOVETO, BEZIERTO = 2, 1

# The calls made once per glyph or path segment, declared for cffi: it calls into PDFium in about half the
# time ctypes takes (pypdfium2's bindings), and the per-glyph loop is most of a page's reading.
DECLARATIONS = """
typedef struct { float left, top, right, bottom; } FS_RECTF;
typedef struct { float a, b, c, d, e, f; } FS_MATRIX;
int FPDFText_GetLooseCharBox(void* text_page, int index, FS_RECTF* rect);
int FPDFText_GetMatrix(void* text_page, int index, FS_MATRIX* matrix);
double FPDFText_GetFontSize(void* text_page, int index);
int FPDFText_HasUnicodeMapError(void* text_page, int index);
int FPDFPage_CountObjects(void* page);
void* FPDFPage_GetObject(void* page, int index);
int FPDFPageObj_GetType(void* page_object);
int FPDFPageObj_GetMatrix(void* page_object, FS_MATRIX* matrix);
int FPDFFormObj_CountObjects(void* form_object);
void* FPDFFormObj_GetObject(void* form_object, unsigned long index);
int FPDFPath_GetDrawMode(void* path, int* fillmode, int* stroke);
int FPDFPath_CountSegments(void* path);
void* FPDFPath_GetPathSegment(void* path, int index);
int FPDFPathSegment_GetPoint(void* segment, float* x, float* y);
int FPDFPathSegment_GetType(void* segment);
int FPDFPathSegment_GetClose(void* segment);
"""


@functools.cache
def native():
    """cffi's view of the very library pypdfium2 loaded (the same handle: dlopen of a loaded file), so a page
    or text page pypdfium2 opened is passed straight in."""
    import cffi
    import pypdfium2_raw.bindings as bindings

    ffi = cffi.FFI()
    ffi.cdef(DECLARATIONS)
    return ffi, ffi.dlopen(bindings._libs["pdfium"]._name)


def boxes_and_matrices(text_page, n: int):
    """Each glyph's loose box (left, top, right, bottom) and matrix (a…f), as float32 arrays n × 4 and n × 6:
    the two calls per glyph PDFium's API leaves no way around, made by the C loop where it was built, through
    cffi where it was not (the same calls, the same values)."""
    import numpy as np

    ffi, lib = native()
    get_box, get_matrix = lib.FPDFText_GetLooseCharBox, lib.FPDFText_GetMatrix
    rects, mats = np.zeros((n, 4), np.float32), np.zeros((n, 6), np.float32)
    if _glyphloop is not None:
        _glyphloop.boxes_and_matrices(address(text_page), n, address(get_box), address(get_matrix), rects, mats)
        return rects, mats
    r, m = ffi.cast("FS_RECTF*", ffi.from_buffer(rects)), ffi.cast("FS_MATRIX*", ffi.from_buffer(mats))
    for i in range(n):
        get_box(text_page, i, r + i)
        get_matrix(text_page, i, m + i)
    return rects, mats


def address(pointer) -> int:
    """A cffi pointer (or function) as the integer the C loop takes."""
    ffi, _ = native()
    return int(ffi.cast("uintptr_t", pointer))


class Scratch:
    """The out-parameters of a page's path calls, allocated once per page rather than once per object."""

    def __init__(self, ffi):
        self.matrix = ffi.new("FS_MATRIX*")
        self.fill, self.stroke = ffi.new("int*"), ffi.new("int*")
        self.xy = ffi.new("float[2]")
        self.x, self.y = self.xy, self.xy + 1


def handle(pointer):
    """A pypdfium2 (ctypes) handle as a cffi pointer."""
    ffi, _ = native()
    return ffi.cast("void*", ctypes.cast(pointer, ctypes.c_void_p).value or 0)


_SURROGATE = re.compile("[\ud800-\udfff]")
SPACE_GAP = 1.5  # points: the words' x tolerance (extract.glyphs), under which glyphs run into one word


def _keep_spaces(text: str, box, mat) -> None:
    """Give a box back to the spaces PDFium stands in for a space the page prints. Where a printed space is
    kerned into the glyphs beside it ("LA ATENCIÓN" with the second A drawn over the space), PDFium drops it
    and puts a space of its own, with no box, in the text: left out with PDFium's other boxless characters,
    the two words would run together where pdfplumber (which keeps the printed space) splits them. Such a space,
    between two glyphs side by side on one baseline (closer than a gap that would part them anyway), gets a box
    of no width between them (in place, on the arrays). PDFium's spaces between glyphs far apart (the end of
    one cell and the start of the next, in its reading order) are left out as before."""
    import numpy as np

    spaces = [m.start() for m in re.finditer(" ", text)]
    if not spaces:
        return
    i = np.array(spaces)
    i = i[(i > 0) & (i < len(text) - 1)]
    empty = (box[i, 2] <= box[i, 0]) & (box[i, 3] <= box[i, 1])
    before, after = i - 1, i + 1
    gap = box[after, 0] - box[before, 2]
    glyphs = ((box[before, 2] > box[before, 0]) & (box[after, 2] > box[after, 0])
              & (mat[before][:, [0, 1, 2, 3, 5]] == mat[after][:, [0, 1, 2, 3, 5]]).all(axis=1)  # one size, one baseline
              & (gap > -SPACE_GAP) & (gap <= SPACE_GAP))  # side by side: where no gap would part them
    for k, b, a in zip(i[empty & glyphs], before[empty & glyphs], after[empty & glyphs]):
        mid = (box[b, 2] + box[a, 0]) / 2
        box[k] = (mid, box[b, 1], mid, box[b, 3])
        mat[k] = mat[b]  # in the run of the glyph before it: a run's size is asked of its first character


# PDFium marks a hyphen it found at a line's end: U+0002 one character at a time, U+FFFE in the page's text.
# What the page prints there is a hyphen.
HYPHEN = "-"


def _pair_surrogates(chars: list[str]) -> tuple[list[str], list[int]]:
    """PDFium hands out UTF-16 units: a character outside the BMP comes as two glyphs with one box. The pair
    becomes one glyph (the first; the second is left out: the indices of the glyphs kept come back too), and
    a lone half is garbage (U+FFFD)."""
    out: list[str] = []
    kept: list[int] = []
    k = 0
    while k < len(chars):
        a = chars[k]
        b = chars[k + 1] if k + 1 < len(chars) else ""
        if len(a) == 1 and len(b) == 1 and 0xD800 <= ord(a) <= 0xDBFF and 0xDC00 <= ord(b) <= 0xDFFF:
            out.append((a + b).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"))
            kept.append(k)
            k += 2
            continue
        out.append("\ufffd" if len(a) == 1 and 0xD800 <= ord(a) <= 0xDFFF else a)
        kept.append(k)
        k += 1
    return out, kept
