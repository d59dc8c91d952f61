"""Table-finding engines, one module per strategy behind the common base in `base.py`."""

from __future__ import annotations

from typing import Sequence

from poa.core.options import ENGINES, READERS, engine_name
from poa.core.profile import Profile
from poa.core.profiles import installed

from .base import Engine, Fit, PageScan
from .rows import GridRow, PageTable


def get_engine(name: str, reader: str = READERS[0], ocr: str = "auto",
               profiles: Sequence[Profile] | None = None) -> Engine:
    """An engine by name; `reader` is the page source it reads words and rulings with, `ocr` which pages it
    recognises from their image, `profiles` the report families it may read the document as (the one that
    fits its first pages best; default: every installed profile)."""
    profiles = tuple(profiles or installed())
    name = engine_name(name)
    if name == "geometry":
        from .geometry import GeometryEngine

        return GeometryEngine(reader=reader, ocr=ocr, profiles=profiles)
    if name == "camelot":
        from .camelot import CamelotEngine

        return CamelotEngine(reader=reader, ocr=ocr, profiles=profiles)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "Fit", "GridRow", "PageScan", "PageTable", "get_engine"]
