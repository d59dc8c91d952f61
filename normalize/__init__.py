"""Stage 2: raw rows → documents, hierarchy nodes, results and deviations with normalized values."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from itertools import groupby
from typing import Callable

from poa.core import keys
from poa.core.numbers import half_up, parse_pct
from poa.core.profile import Profile
from poa.core.records import Deviation, Document, Extraction, Node, ReadQuality, Report, Result

from .hierarchy import AMOUNTS, build_deviations, build_results
from .metadata import metadata


def normalize(ex: Extraction, document: Document) -> Report:
    """The document's metadata and its records, built by the extraction's profile. A new Report: the Extraction
    and the Document it is given are left as they were."""
    profile = ex.profile
    nodes, results = build_results(document.doc_id, [r for r in ex.rows if r.table == "results"], profile)
    deviations = build_deviations(document.doc_id, [r for r in ex.rows if r.table == "deviations"], profile)
    results = fill_codes(results, profile)
    doc = replace(document, **metadata(ex, profile), pages=ex.pages, engine=ex.engine, reader=ex.reader,
                  template=profile.name,
                  text_coverage=round(ex.chars_accounted / ex.chars_total, 4) if ex.chars_total else None)
    doc.entity_key = keys.entity_key(doc.entity)
    assign_keys(doc.entity, nodes, results, deviations, profile)
    quality = row_quality(ex.quality, nodes, results, deviations, profile)
    doc.quality = replace(quality, entity_missing=profile.entity_printed and not doc.entity)
    return Report(doc, nodes=nodes, results=results, deviations=deviations, leftovers=list(ex.leftovers),
                  unclaimed=list(ex.unclaimed), profile=profile)


def neighbours(results: list[Result], profile: Profile, wanted: Callable[[Result], bool]):
    """Each result `wanted` says to look at, with the codes (as read, repaired) of the results just before and
    after it in its unit. Only those neighbours are parsed: most reports have no row to look at."""
    for _, unit in groupby(results, key=lambda r: r.unit_id):
        rows = list(unit)
        for i, r in enumerate(rows):
            if wanted(r):
                before = profile.code.read(rows[i - 1].code_raw) if i > 0 else None
                after = profile.code.read(rows[i + 1].code_raw) if i + 1 < len(rows) else None
                yield r, before, after


def fill_codes(results: list[Result], profile: Profile) -> list[Result]:
    """A result code whose number cannot be read (a scan's smudge) is what the unit's numbering brackets: the
    results just before and after it, of its objective, numbered n - 1 and n + 1. Filled here, before the keys,
    so that its key and its deviation's link follow the code (validate says so: `code_repaired`); the printed
    code stays in `code_raw`. The results given are left as they were: the filled ones are new."""
    filled = {}
    for r, before, after in neighbours(results, profile, lambda r: r.code is None):
        code = profile.code.between(r.code_raw, before, after)
        if code.code is not None:
            filled[id(r)] = replace(r, code=code.code, objective=code.objective, sequence=code.sequence)
    return [filled.get(id(r), r) for r in results]


def assign_keys(entity: str | None, nodes: list[Node], results: list[Result], deviations: list[Deviation],
                profile: Profile) -> None:
    """Stable keys (`poa.core.keys`) on every node, result and deviation normalize has just built (the only
    records it fills in place: its own, before anyone else sees them). An area's key hangs under
    its unit's (two units may each have an "Área de Sistemas"); a deviation row's unit key is its own name's
    until the validate stage aligns it with a results-table unit. No key names two rows: a unit or a result
    printed twice gets its place in the second key (`keys.repeated`)."""
    by_id = {n.node_id: n for n in nodes}
    inside = {lv.name for lv in profile.levels if lv.within}
    taken: Counter = Counter()  # keys given so far: a repeated one gets its place (`keys.repeated`)
    for n in nodes:
        parent = by_id.get(n.parent_id) if n.parent_id else None
        if n.level in inside and parent is not None and parent.key:
            n.key = f"{parent.key}/{keys.slug(n.name)}"
        elif n.part:  # in one of several results tables: its rows under the table's name (each has its TOTAL)
            n.key = f"{keys.unit_key(entity, n.part)}/{keys.slug(n.name)}"
        else:
            n.key = keys.unit_key(entity, n.name)
        if n.key is not None:
            taken[n.key] += 1
            n.key = keys.repeated(n.key, taken[n.key])
    for r in results:
        unit = by_id.get(r.unit_id) if r.unit_id else None
        r.unit_key = unit.key if unit is not None else None
        base = r.unit_key or (keys.unit_key(entity, r.part) if r.part else None)
        r.result_key = keys.result_key(base, r.code, r.expected)
        taken[r.result_key] += 1
        r.result_key = keys.repeated(r.result_key, taken[r.result_key])
    seen: Counter = Counter()
    for d in deviations:
        d.unit_key = keys.unit_key(entity, d.unit_name)
        code = "".join(d.code_raw.split())
        seen[(d.unit_key, code)] += 1
        d.deviation_key = keys.deviation_key(d.unit_key, code, seen[(d.unit_key, code)])


def row_quality(q: ReadQuality, nodes: list[Node], results: list[Result], deviations: list[Deviation],
                profile: Profile) -> ReadQuality:
    """The measures the rows themselves give: codes that read as codes, percentages that read as numbers,
    percentages that seem to have slid into a text cell, rows that are neither results nor sections: `q` with
    them, a new record."""
    q = q.copy()
    q.result_rows, q.deviation_rows = len(results), len(deviations)
    if results:
        q.code_valid_share = round(sum(r.code is not None for r in results) / len(results), 4)
        q.pct_read_share = round(sum(r.physical_pct is not None for r in results) / len(results), 4)
    blank = profile.arithmetic.blank
    unreadable = [(r.page_first, r.page_last) for r in results
                  if any(_unreadable(raw, value, blank) for raw, value in figures_of(r))]
    unreadable += [(n.page, n.page_last or n.page) for n in nodes
                   if _unreadable(n.reported_physical_raw, n.reported_physical_pct, blank)
                   or _unreadable(n.reported_budget_raw, n.reported_budget_pct, blank)]
    q.pct_unreadable = len(unreadable)
    q.deviation_codes_unreadable = sum(d.code is None for d in deviations)
    with_results = {r.unit_id for r in results}
    unit = profile.unit_name
    empty = [n for n in nodes if unit is not None and n.level == unit and n.reported_physical_pct is not None
             and n.node_id not in with_results]
    q.empty_units = len(empty) if results else 0
    q.pct_in_text = sum(r.physical_pct is None and any(ends_with_pct(t) for t in (r.expected, r.obtained))
                        for r in results)
    q.other_rows = sum(n.level == "other" for n in nodes)
    q.sequence_breaks, breaks = sequence_breaks(results)
    spans = {  # a row broken across pages names every page it stands on: a merge at a page break spans it
        "code_valid_share": [(r.page_first, r.page_last) for r in results if r.code is None],
        "deviation_codes_unreadable": [(d.page, d.page_last) for d in deviations if d.code is None],
        "pct_unreadable": unreadable,
        "pct_in_text": [(r.page_first, r.page_last) for r in results
                        if r.physical_pct is None and any(ends_with_pct(t) for t in (r.expected, r.obtained))],
        "other_rows": [(n.page, n.page_last or n.page) for n in nodes if n.level == "other"],
        "empty_units": [(n.page, n.page_last or n.page) for n in empty] if results else [],
        "sequence_breaks": [(p, p) for p in breaks],
    }
    pages = {k: sorted({p for a, b in v for p in range(a, b + 1)}) for k, v in spans.items() if v}
    q.measure_pages = {**q.measure_pages, **pages}
    return q


def _unreadable(raw: str, value: float | None, blank: tuple[str, ...] = ()) -> bool:
    """A figure cell that holds something, but nothing that reads as a figure (nor a mark that stands for none)."""
    return bool(raw.strip()) and raw.strip() not in blank and value is None


def figures_of(r: Result) -> list[tuple[str, float | None]]:
    """A result's figure cells, each as printed and as read."""
    return [(r.physical_raw, r.physical_pct), (r.budget_raw, r.budget_pct), (r.cumulative_raw, r.cumulative_pct),
            *((getattr(r, f"{role}_raw"), getattr(r, role)) for role in AMOUNTS)]


def sequence_breaks(results: list[Result]) -> tuple[list[str], list[int]]:
    """Where the results of one unit and one objective stop numbering on at a page break ("…-04" then "…-06"
    on the next page, or "…-01" again): a row lost, merged into another or filed under the wrong unit where
    a page ends. Within a page the numbering is the report's business; across a page break it is the read's.
    The breaks, described, and the pages they stand on."""
    said, pages = [], []
    for a, b in zip(results, results[1:]):
        if (b.page_first > a.page_first and a.unit_id == b.unit_id and a.objective is not None
                and a.objective == b.objective and a.sequence is not None and b.sequence is not None
                and b.sequence != a.sequence + 1):
            said.append(f"{a.code} → {b.code} (p. {b.page_first})")
            pages.append(b.page_first)
    return said, pages


def ends_with_pct(text: str) -> bool:
    """A text cell ending on a percentage: where a % lands when the column edge before it is misplaced."""
    words = text.split()
    return bool(words) and words[-1].endswith("%") and parse_pct(words[-1]) is not None


__all__ = ["half_up", "normalize", "parse_pct"]
