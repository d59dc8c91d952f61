"""Stage 1: a PDF's two tables as raw rows (text as printed, with pages and boxes)."""

from __future__ import annotations

from pathlib import Path

from poa.records import Extraction

from .assemble import stitch
from .engines import ENGINES, get_engine
from .page import SourceError
from .readers import READERS


class NoTablesError(Exception):
    """The PDF has pages but no POA table: a scan with no text layer, or another kind of document."""


def extract(path: str | Path, engine: str = "pdfplumber", reader: str = "pdfplumber") -> Extraction:
    """Read both tables of a report. Raises SourceError / NoTablesError with a plain reason."""
    eng = get_engine(engine, reader)
    scans = list(eng.scan(str(path)))
    tables = [t for s in scans for t in s.tables]
    if not any(t.rows for t in tables):
        if sum(s.chars_total for s in scans) == 0:
            raise NoTablesError("no text layer (a scanned or image-only PDF); OCR it first")
        hint = "; camelot's lattice reads ruled tables only, try --engine pdfplumber" if engine == "camelot" else ""
        raise NoTablesError(f"no POA results or deviations table found (no header with 'Cód.' and column titles){hint}")
    rows = stitch(tables)
    headers: dict[str, str] = {}
    for t in tables:
        headers.setdefault(t.kind, t.header_text)
    leftovers = [lo for s in scans for lo in s.leftovers]
    table_pages = {t.page for t in tables}
    total = sum(s.chars_total for s in scans if s.page in table_pages)
    texts = [c for r in rows for c in r.cells] + [lo.text for lo in leftovers if lo.page in table_pages]
    accounted = sum(len("".join(t.split())) for t in texts)  # non-space characters, as chars_total counts them
    return Extraction(
        source_path=str(path), pages=len(scans), engine=eng.name, reader=reader, header_texts=headers, rows=rows,
        leftovers=leftovers, chars_total=total, chars_accounted=accounted,
    )


__all__ = ["ENGINES", "READERS", "NoTablesError", "SourceError", "extract"]
