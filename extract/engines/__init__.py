"""Table-finding engines, one module per strategy behind the common base in `base.py`."""

from __future__ import annotations

from .base import Engine, GridRow, PageScan, PageTable

ENGINES = ("pdfplumber", "camelot")


def get_engine(name: str) -> Engine:
    if name == "pdfplumber":
        from .plumber import PlumberEngine

        return PlumberEngine()
    if name == "camelot":
        from .camelot import CamelotEngine

        return CamelotEngine()
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "GridRow", "PageScan", "PageTable", "get_engine"]
