"""Page readers, one module per backend behind the common base in `base.py`: each hands over glyphs and paths,
and the shared geometry (`extract.glyphs`) makes the page the table finder reads."""

from __future__ import annotations

from pathlib import Path

from ..page import PageSource

READERS = ("pdfplumber", "pdfium")


def open_source(path: str | Path, reader: str = "pdfplumber") -> PageSource:
    """The page source for a file: pdfplumber's (the default) or PDFium's (the same page, several times faster)."""
    if reader == "pdfium":
        from .pdfium import PdfiumSource

        return PdfiumSource(path)
    if reader == "pdfplumber":
        from .plumber import PdfplumberSource

        return PdfplumberSource(path)
    raise ValueError(f"unknown page reader {reader!r}; choose one of {', '.join(READERS)}")


__all__ = ["READERS", "open_source"]
