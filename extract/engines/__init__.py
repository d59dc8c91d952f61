"""Table-finding engines, one module per strategy behind the common base in `base.py`."""

from __future__ import annotations

from poa.options import ENGINES, READERS
from poa.profile import Profile, load

from .base import Engine, GridRow, PageScan, PageTable


def get_engine(name: str, reader: str = READERS[0], ocr: str = "auto", profile: Profile | None = None) -> Engine:
    """An engine by name; `reader` is the page source it reads words and rulings with, `ocr` which pages it
    recognises from their image, `profile` the report family whose tables it looks for."""
    profile = profile or load()
    if name == "pdfplumber":
        from .plumber import PlumberEngine

        return PlumberEngine(reader=reader, ocr=ocr, profile=profile)
    if name == "camelot":
        from .camelot import CamelotEngine

        return CamelotEngine(reader=reader, ocr=ocr, profile=profile)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "GridRow", "PageScan", "PageTable", "get_engine"]
