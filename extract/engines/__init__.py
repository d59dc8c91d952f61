"""Table-finding engines, one module per strategy behind the common base in `base.py`."""

from __future__ import annotations

from poa.options import ENGINES, READERS

from .base import Engine, GridRow, PageScan, PageTable


def get_engine(name: str, reader: str = READERS[0], ocr: str = "auto") -> Engine:
    """An engine by name; `reader` is the page source it reads words and rulings with, `ocr` which pages it
    recognises from their image."""
    if name == "pdfplumber":
        from .plumber import PlumberEngine

        return PlumberEngine(reader=reader, ocr=ocr)
    if name == "camelot":
        from .camelot import CamelotEngine

        return CamelotEngine(reader=reader, ocr=ocr)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "GridRow", "PageScan", "PageTable", "get_engine"]
