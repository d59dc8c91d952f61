"""The page source: the only place that reads a PDF's pages.

The rest of the extractor sees a page as words and ruling segments with their boxes (PDF points, origin at
the page's top-left). Any backend that yields these — pdfplumber today, something faster later — plugs in
behind `PageSource` without touching the table finder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Protocol


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Ruling:
    """A drawn line segment or the edge of a rectangle (cell border, rule, shading band)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: float
    height: float
    words: tuple[Word, ...]
    rulings: tuple[Ruling, ...]
    chars: int  # non-space characters on the page


class PageSource(Protocol):
    path: str

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Page]: ...

    def close(self) -> None: ...


class SourceError(Exception):
    """The file cannot be read as a PDF with text; the message says why, in plain words."""


class PdfplumberSource:
    """Pages read with pdfplumber (pdfminer underneath)."""

    def __init__(self, path: str | Path, *, x_tolerance: float = 1.5, y_tolerance: float = 2.0):
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        self.path = str(path)
        self._xt, self._yt = x_tolerance, y_tolerance
        check_signature(self.path)
        try:
            self._pdf = pdfplumber.open(self.path)
            n = len(self._pdf.pages)
        except Exception as e:  # pdfplumber wraps pdfminer's many kinds of complaint
            if any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in _causes(e)):
                raise SourceError("encrypted or password-protected PDF") from e
            raise SourceError(f"damaged or truncated PDF: {reason(e)}") from e
        if n == 0:
            raise SourceError("the PDF has no pages")

    def __len__(self) -> int:
        return len(self._pdf.pages)

    def __iter__(self) -> Iterator[Page]:
        for p in self._pdf.pages:
            try:
                page = self._page(p)
            except Exception as e:  # a damaged content stream surfaces only when the page is read
                raise page_error(p.page_number, e) from e
            yield page
            p.close()  # drop pdfplumber's per-page caches: memory stays flat on long reports

    def _page(self, p) -> Page:
        words = tuple(
            Word(w["text"], float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))
            for w in p.extract_words(x_tolerance=self._xt, y_tolerance=self._yt, keep_blank_chars=False)
        )
        rulings = tuple(
            Ruling(float(e["x0"]), float(e["top"]), float(e["x1"]), float(e["bottom"])) for e in p.edges
        )
        chars = sum(1 for c in p.chars if not c["text"].isspace())
        return Page(p.page_number, float(p.width), float(p.height), words, rulings, chars)

    def close(self) -> None:
        self._pdf.close()

    def __enter__(self) -> "PdfplumberSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def check_signature(path: str) -> None:
    """Refuse, in plain words, a file that does not even claim to be a PDF."""
    with open(path, "rb") as f:
        if b"%PDF-" not in f.read(1024):
            raise SourceError("not a PDF (no %PDF- signature at the start of the file)")


def _causes(e: BaseException) -> list[BaseException]:
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


READERS = ("pdfplumber", "pdfium")


def reason(e: BaseException) -> str:
    """The first thing an exception or one it wraps has to say."""
    causes = _causes(e)
    return next((str(c) for c in causes if str(c)), type(causes[-1]).__name__)


def page_error(number: int, e: BaseException) -> SourceError:
    return SourceError(f"damaged PDF: page {number} cannot be read: {reason(e)}")


def open_source(path: str | Path, reader: str = "pdfplumber") -> PageSource:
    """The page source for a file: pdfplumber's (the default) or PDFium's (same words and rulings, about 9x faster)."""
    if reader == "pdfium":
        from .pdfium import PdfiumSource

        return PdfiumSource(path)
    if reader == "pdfplumber":
        return PdfplumberSource(path)
    raise ValueError(f"unknown page reader {reader!r}; choose one of {', '.join(READERS)}")
