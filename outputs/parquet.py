"""Write a Report as one Parquet file per table: DIR/<table>/<doc_id>.parquet, each write atomic."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

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


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside the target, renamed over it on success: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; the result is as any file the user writes
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: Report, out: Path, *, audit: bool = True) -> dict[str, Path]:
    """Write every table of one document (failed documents: the documents row only), GX's validation
    result as JSON and the audit report (HTML and xlsx). The documents row goes last.

    A failed document leaves nothing else behind: what an earlier run, or a worker killed half-way, wrote
    for the same doc_id is removed, so no table holds rows of a document marked failed."""
    out = Path(out)
    doc_id = report.document.doc_id
    tables = rows_of(report)
    written: dict[str, Path] = {}
    ok = report.document.status == "ok"
    if not ok:
        for stale in [out / name / f"{doc_id}.parquet" for name in ORDER if name != "documents"] + [
            out / "validation" / f"{doc_id}.json", out / "audit" / f"{doc_id}.html", out / "audit" / f"{doc_id}.xlsx",
        ]:
            stale.unlink(missing_ok=True)
    if ok and report.validation is not None:
        with atomic(out / "validation" / f"{doc_id}.json") as tmp:
            tmp.write_text(json.dumps(report.validation, ensure_ascii=False, indent=1, sort_keys=True, default=str),
                           encoding="utf-8")
        written["validation"] = out / "validation" / f"{doc_id}.json"
    if ok and audit:
        from .audit import render_html, write_xlsx

        with atomic(out / "audit" / f"{doc_id}.html") as tmp:
            tmp.write_text(render_html(report), encoding="utf-8")
        with atomic(out / "audit" / f"{doc_id}.xlsx") as tmp:
            write_xlsx(report, tmp)
        written["audit"] = out / "audit" / f"{doc_id}.html"
    for name in ORDER:
        if not ok and name != "documents":
            continue
        path = out / name / f"{doc_id}.parquet"
        with atomic(path) as tmp:
            pq.write_table(to_table(name, tables[name]), tmp, compression="zstd")
        written[name] = path
    return written


def write_index(out: Path) -> Path:
    """DIR/audit/index.html over every document the folder holds (written after a batch)."""
    from .audit import render_index

    path = Path(out) / "audit" / "index.html"
    with atomic(path) as tmp:
        tmp.write_text(render_index(Path(out)), encoding="utf-8")
    return path
