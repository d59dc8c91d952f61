"""The page source: the only place that reads a PDF's pages.

The rest of the extractor sees a page as words and ruling segments with their boxes (PDF points, origin at
the displayed page's top-left, /Rotate applied, turned so that its text reads left to right). A reader (a
backend in `extract/readers/`) hands over what it drew — glyphs with their boxes and direction, and paths —
and the shared geometry in `extract/glyphs.py` makes the words and rulings from them, so that every reader
yields the same page from the same drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Protocol, Sequence

from poa.core.errors import PoaError

if TYPE_CHECKING:
    import numpy as np


@dataclass(slots=True, unsafe_hash=True)
class Word:
    """A word of a page, in the turned page's frame. Never changed once made (hashed by value, as a frozen
    one), but not frozen: a frozen dataclass is made through object.__setattr__ field by field, 3.5 times the
    cost, and a page makes some 700 words."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    conf: float | None = None  # 0–100, for words an OCR pass recognised; None for a text layer's words
    xc: float = field(init=False, compare=False, repr=False)  # the centre, asked of every word many times a page
    yc: float = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.xc = (self.x0 + self.x1) / 2
        self.yc = (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Ruling:
    """A drawn line segment: a stroked line, a stroked rectangle's side, or a filled rectangle thin enough
    to be a line (many writers draw cell borders that way)."""

    x0: float
    top: float
    x1: float
    bottom: float
    horizontal: bool = field(init=False, compare=False)  # asked of every ruling many times a page: kept

    def __post_init__(self) -> None:
        object.__setattr__(self, "horizontal", (self.x1 - self.x0) >= (self.bottom - self.top))


@dataclass(frozen=True, slots=True)
class Fill:
    """A filled area wider than a line: row shading, a cell's background. It can separate rows (its top and
    bottom); it never marks a column, since shading follows merged cells and colour bands, not the grid."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character as a reader found it, in the displayed page's frame (top-left origin, y down).

    The box runs from the glyph's origin over its advance width, and vertically over one font size above the
    font's descent under the baseline (pdfminer's convention), whatever the reader's own notion of a box.
    `direction` is the way the text runs on the displayed page, counter-clockwise: 0 left to right, 90 bottom
    to top, 180 upside down, 270 top to bottom.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    direction: int = 0
    conf: float | None = None


# Why a glyph does not show on the page: drawn with an invisible text render mode (3: neither filled nor
# stroked; 7: a clipping path only), in no ink (white, or fully transparent) where no filled shape lies under it,
# or off the page (its box: what a viewer and a printer show).
INVISIBLE, NO_INK, OFF_PAGE = 1, 2, 3
HIDDEN = {INVISIBLE: "invisible text (render mode 3 or 7)", NO_INK: "text in white or transparent ink, on no filled shape",
          OFF_PAGE: "text outside the page's box"}


@dataclass
class Glyphs:
    """A page's glyphs as columns: what a reader makes by the thousand per page, and what the geometry
    computes on (one array per coordinate, in the displayed page's frame, as `Glyph` describes them)."""

    text: list[str]
    x0: "np.ndarray"
    top: "np.ndarray"
    x1: "np.ndarray"
    bottom: "np.ndarray"
    direction: "np.ndarray"  # int: 0, 90, 180, 270
    conf: "np.ndarray | None" = None  # float, NaN where none; None when no glyph has one
    hidden: "np.ndarray | None" = None  # int: why a glyph is drawn so that the page does not show it (HIDDEN), 0
    # where it shows; None when the reader cannot tell

    def __len__(self) -> int:
        return len(self.text)

    def take(self, keep: "np.ndarray") -> "Glyphs":
        """The glyphs where `keep` (a boolean mask) holds."""
        import numpy as np

        idx = np.flatnonzero(keep)
        return Glyphs([self.text[i] for i in idx], self.x0[idx], self.top[idx], self.x1[idx], self.bottom[idx],
                      np.asarray(self.direction)[idx], None if self.conf is None else self.conf[idx],
                      None if self.hidden is None else self.hidden[idx])

    @classmethod
    def of(cls, glyphs: "Sequence[Glyph] | Glyphs") -> "Glyphs":
        """Columns from a list of glyphs (a recogniser's few words); columns stay as they are."""
        import numpy as np

        if isinstance(glyphs, Glyphs):
            return glyphs
        col = lambda name: np.array([getattr(g, name) for g in glyphs], dtype=float)  # noqa: E731
        confs = [g.conf for g in glyphs]
        conf = None if all(c is None for c in confs) else np.array([np.nan if c is None else c for c in confs])
        return cls([g.text for g in glyphs], col("x0"), col("top"), col("x1"), col("bottom"),
                   np.array([g.direction for g in glyphs], dtype=int), conf)


@dataclass(frozen=True, slots=True)
class Path:
    """A path as drawn, in the displayed page's frame: its points and whether it was stroked and/or filled.
    `closed` says the last point joins the first."""

    points: tuple[tuple[float, float], ...]
    stroke: bool
    fill: bool
    closed: bool = False


@dataclass
class Drawing:
    """What a reader hands over for one page, before the shared geometry makes words and rulings of it."""

    number: int  # 1-based
    width: float
    height: float
    glyphs: "list[Glyph] | Glyphs" = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    unmapped: int = 0  # glyphs whose font gives no Unicode text (pdfminer's "(cid:N)", PDFium's map errors)
    ocr: bool = False  # the glyphs come from recognising the page's image, not from its text layer
    blank: bool = False  # its image was looked at for text and holds none: nothing is printed on it
    turned: int = 0  # degrees the recogniser already turned the page's image so that its text reads left to right,
    # counter-clockwise as a glyph's direction (90: the text ran upwards); its boxes are in the turned frame


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]
    rulings: tuple[Ruling, ...]
    chars: int  # non-space characters on the page
    fills: tuple[Fill, ...] = ()
    orientation: int = 0  # how far (degrees, counter-clockwise) the page was turned so that its text reads left to right
    unmapped: int = 0  # characters with no Unicode text: an unreadable font
    ocr: bool = False
    blank: bool = False  # nothing is printed on it (its image was looked at for text: none)
    hidden: tuple[tuple[Word, str], ...] = ()  # words in the file that the page does not show, with why (HIDDEN)


class PageSource(Protocol):
    path: str

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Page]: ...

    def close(self) -> None: ...


class SourceError(PoaError):
    """The file cannot be read as a PDF with text; the message says why, in plain words."""


def check_signature(path: str) -> None:
    """Refuse, in plain words, a file that does not even claim to be a PDF."""
    with open(path, "rb") as f:
        if b"%PDF-" not in f.read(1024):
            raise SourceError("not a PDF (no %PDF- signature at the start of the file)")


def causes(e: BaseException) -> list[BaseException]:
    """An exception, the ones it wraps (as args, cause or context), and theirs."""
    out, todo = [], [e]
    while todo:
        x = todo.pop()
        if x in out:
            continue
        out.append(x)
        todo += [a for a in x.args if isinstance(a, BaseException)]
        todo += [c for c in (x.__cause__, x.__context__) if c is not None]
    return out


def reason(e: BaseException) -> str:
    """The first thing an exception or one it wraps has to say."""
    found = causes(e)
    return next((str(c) for c in found if str(c)), type(found[-1]).__name__)


def page_error(number: int, e: BaseException) -> SourceError:
    return SourceError(f"damaged PDF: page {number} cannot be read: {reason(e)}")
