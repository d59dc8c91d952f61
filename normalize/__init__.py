"""Stage 2: raw rows → documents, hierarchy nodes, results and deviations with normalized values."""

from __future__ import annotations

from poa.records import Document, Extraction, Report

from .codes import normalize_code
from .hierarchy import build_deviations, build_results
from .metadata import metadata
from .numbers import half_up, parse_pct


def normalize(ex: Extraction, document: Document) -> Report:
    """Fill the document's metadata and build its records; the Extraction is left untouched."""
    meta = metadata(ex)
    for key, value in meta.items():
        setattr(document, key, value)
    document.pages = ex.pages
    document.engine, document.reader = ex.engine, ex.reader
    document.text_coverage = round(ex.chars_accounted / ex.chars_total, 4) if ex.chars_total else None
    nodes, results = build_results(document.doc_id, [r for r in ex.rows if r.table == "results"])
    deviations = build_deviations(document.doc_id, [r for r in ex.rows if r.table == "deviations"])
    return Report(document, nodes=nodes, results=results, deviations=deviations, leftovers=list(ex.leftovers))


__all__ = ["half_up", "normalize", "normalize_code", "parse_pct"]
