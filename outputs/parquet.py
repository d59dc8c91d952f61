"""Write a Report as one Parquet file per table: DIR/<table>/<doc_id>.parquet, each write atomic."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from poa.records import Report

from .schema import TABLES, schema

# The documents row is written last: its presence says the document's other tables are complete.
ORDER = ("units", "results", "deviations", "findings", "leftovers", "documents")


def _bbox(row: dict) -> dict:
    box = row.pop("bbox", None)
    if box is not None:
        row.update(zip(("x0", "top", "x1", "bottom"), box))
    return row


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def rows_of(report: Report) -> dict[str, list[dict]]:
    """Each table's rows as dicts keyed by the schema's column names."""
    doc = report.document
    d = asdict(doc)
    d["expected_date"], d["obtained_date"] = _date(doc.expected_date), _date(doc.obtained_date)
    with_doc = lambda items: [_bbox({"doc_id": doc.doc_id, **asdict(x)}) for x in items]  # noqa: E731
    return {
        "documents": [d],
        "units": with_doc(report.nodes),
        "results": with_doc(report.results),
        "deviations": with_doc(report.deviations),
        "findings": with_doc(report.findings),
        "leftovers": with_doc(report.leftovers),
    }


def to_table(name: str, rows: list[dict]) -> pa.Table:
    cols = [c for c, _, _ in TABLES[name]]
    return pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows], schema=schema(name))


def write_atomic(table: pa.Table, path: Path) -> None:
    """Write beside the target, then rename over it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: Report, out: Path) -> dict[str, Path]:
    """Write every table of one document (failed documents: the documents row only)."""
    tables = rows_of(report)
    written = {}
    for name in ORDER:
        if report.document.status != "ok" and name != "documents":
            continue
        path = Path(out) / name / f"{report.document.doc_id}.parquet"
        write_atomic(to_table(name, tables[name]), path)
        written[name] = path
    return written
