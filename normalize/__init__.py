"""Stage 2: raw rows → documents, hierarchy nodes, results and deviations with normalized values."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from poa import keys
from poa.records import Deviation, Document, Extraction, Node, ReadQuality, Report, Result

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
    assign_keys(document, nodes, results, deviations)
    document.quality = row_quality(replace(ex.quality), nodes, results, deviations)
    return Report(document, units=nodes, results=results, deviations=deviations, leftovers=list(ex.leftovers))


def assign_keys(document: Document, nodes: list[Node], results: list[Result], deviations: list[Deviation]) -> None:
    """Stable keys (`poa.keys`) on the document, every node, result and deviation. An area's key hangs under
    its unit's (two units may each have an "Área de Sistemas"); a deviation row's unit key is its own name's
    until the validate stage aligns it with a results-table unit."""
    entity = document.entity
    document.entity_key = keys.entity_key(entity)
    by_id = {n.node_id: n for n in nodes}
    for n in nodes:
        parent = by_id.get(n.parent_id) if n.parent_id else None
        if n.level == "area" and parent is not None and parent.key:
            n.key = f"{parent.key}/{keys.slug(n.name)}"
        else:
            n.key = keys.unit_key(entity, n.name)
    for r in results:
        unit = by_id.get(r.unit_id) if r.unit_id else None
        r.unit_key = unit.key if unit is not None else None
        r.result_key = keys.result_key(r.unit_key, r.code, r.expected)
    seen: Counter = Counter()
    for d in deviations:
        d.unit_key = keys.unit_key(entity, d.unit_name)
        code = "".join(d.code_raw.split())
        seen[(d.unit_key, code)] += 1
        d.deviation_key = keys.deviation_key(d.unit_key, code, seen[(d.unit_key, code)])


def row_quality(q: ReadQuality, nodes: list[Node], results: list[Result], deviations: list[Deviation]) -> ReadQuality:
    """The measures the rows themselves give: codes that read as codes, percentages that read as numbers,
    percentages that seem to have slid into a text cell, rows that are neither results nor sections."""
    q.result_rows, q.deviation_rows = len(results), len(deviations)
    if results:
        q.code_valid_share = round(sum(r.code is not None for r in results) / len(results), 4)
        q.pct_read_share = round(sum(r.physical_pct is not None for r in results) / len(results), 4)
    q.pct_unreadable = sum(bool(r.physical_raw.strip()) and r.physical_pct is None for r in results)
    q.pct_in_text = sum(r.physical_pct is None and any(ends_with_pct(t) for t in (r.expected, r.obtained))
                        for r in results)
    q.other_rows = sum(n.level == "other" for n in nodes)
    return q


def ends_with_pct(text: str) -> bool:
    """A text cell ending on a percentage: where a % lands when the column edge before it is misplaced."""
    words = text.split()
    return bool(words) and words[-1].endswith("%") and parse_pct(words[-1]) is not None


__all__ = ["half_up", "normalize", "normalize_code", "parse_pct"]
