"""Page readers, one module per backend behind the common base in `base.py`: each hands over glyphs and paths,
and the shared geometry (`extract.glyphs`) makes the page the table finder reads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from poa.core.options import OCR_MODES, READERS
from poa.core.watch import NO_WATCH, PageWatch

from ..page import PageSource

if TYPE_CHECKING:
    from .base import Reader


def open_source(path: str | Path, reader: str = READERS[0], ocr: str = "auto", watch: PageWatch = NO_WATCH) -> PageSource:
    """The page source for a file: PDFium's (the default: several times faster) or pdfplumber's (the same
    page); `ocr` says which pages are recognised from their image (auto: those with no text layer); `watch`
    hears of each page as it is read."""
    if ocr not in OCR_MODES:
        raise ValueError(f"unknown OCR mode {ocr!r}; choose one of {', '.join(OCR_MODES)}")
    if reader == "pdfium":
        from .pdfium import PdfiumSource

        source: Reader = PdfiumSource(path, ocr=ocr)
        source.watch = watch
        return source
    if reader == "pdfplumber":
        from .plumber import PdfplumberSource

        source = PdfplumberSource(path, ocr=ocr)
        source.watch = watch
        return source
    raise ValueError(f"unknown page reader {reader!r}; choose one of {', '.join(READERS)}")


__all__ = ["OCR_MODES", "READERS", "open_source"]
