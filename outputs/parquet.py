"""A Report as Arrow tables, one per Parquet table (`rows_of`, `to_table`), typed by the schema: what the writer
writes to DIR/<table>/<doc_id>.parquet and what `poa.tables(report)` gives a notebook."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pyarrow as pa

from poa.core import errors
from poa.core.records import Report

from .schema import CELL_FIELDS, TABLES, schema


def _bbox(row: dict) -> dict:
    box = row.pop("bbox", None)
    if box is not None:
        row.update(zip(("x0", "top", "x1", "bottom"), box))
    if "cells" in row:
        row["cells"] = [dict(zip(CELL_FIELDS, cell)) for cell in row["cells"]]
    return row


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def record(x) -> dict:
    """A record's fields as a dict: a shallow copy (asdict deep-copies every string and list of a report's
    thousands of rows, for nothing: the rows are only read)."""
    return {f: getattr(x, f) for f in x.__dataclass_fields__}


def rows_of(report: Report) -> dict[str, list[dict]]:
    """Each table's rows as dicts keyed by the schema's column names."""
    doc = report.document
    d = asdict(doc)
    quality = d.pop("quality")
    quality["review_reasons"] = quality.pop("reasons")
    d["error_code"] = errors.classify(doc.error)
    d.update(quality)
    d["expected_date"], d["obtained_date"] = _date(doc.expected_date), _date(doc.obtained_date)
    common = {"doc_id": doc.doc_id, "entity": doc.entity, "entity_key": doc.entity_key, "year": doc.year,
              "period": doc.period}
    kinds = subject_type(report)
    with_doc = lambda items: [_bbox({**common, **record(x)}) for x in items]  # noqa: E731
    return {
        "documents": [d],
        "units": with_doc(report.nodes),
        "results": with_doc(report.results),
        "deviations": with_doc(report.deviations),
        "findings": [dict(f, subject_type=kinds.get(f["subject_id"], "document"),
                          subject_id=f["subject_id"] or doc.doc_id) for f in with_doc(report.findings)],
        "tables": with_doc(report.unclaimed),
        "leftovers": with_doc(report.leftovers),
        "corrections": [{**common, **record(a.correction), "original": a.original, "status": a.status,
                         "reason": a.reason, "subject_id": a.subject_id} for a in report.corrections],
    }


def storable(v):
    """Text Parquet (UTF-8) can hold: a lone surrogate (a file name that is not valid UTF-8, as the OS hands
    it over, or a broken UTF-16 string in a PDF) becomes a backslash escape (`\\xe9`, `\\ud800`) instead
    of failing the write."""
    if not isinstance(v, str) or v.isascii():
        return v
    try:
        v.encode("utf-8")
        return v
    except UnicodeEncodeError:
        try:
            return v.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:
            return v.encode("utf-8", "backslashreplace").decode("utf-8")


def subject_type(report: Report) -> dict[str, str]:
    """What each finding's subject_id names."""
    kinds = {r.result_id: "result" for r in report.results}
    kinds.update({n.node_id: "unit" for n in report.nodes})
    kinds.update({d.deviation_id: "deviation" for d in report.deviations})
    return kinds


def to_table(name: str, rows: list[dict]) -> pa.Table:
    """Rows as the table's Arrow table. An empty text is null, in raw and parsed columns alike: a cell with
    nothing printed in it is missing, whichever column it is."""
    return pa.table({c: [cell(r.get(c)) for r in rows] for c, _, _ in TABLES[name]}, schema=schema(name))


def frames(report: Report) -> dict:
    """Each table of one report as a DataFrame, typed as the Parquet files are."""
    return {name: to_table(name, rows).to_pandas() for name, rows in rows_of(report).items()}


def cell(v):
    return None if v == "" else storable(v)


