"""The same report seen twice: editions of one file, and documents of one entity and period in one output folder.

Archives hold copies (a file saved twice, a scan beside its digital original) and revised editions. After a batch:
- a document whose file was saved over with other bytes (two documents under one source path) is `superseded_by`
  the later edition (by the file's time when each was read): it stays in the folder, out of its totals;
- of the other documents, every one whose entity and period a later document has gets `duplicate_of` set to
  the latest one's doc_id (by the date the PDF states, then the first by file name), so that the
  analyst keeps the newest edition with `duplicate_of IS NULL AND superseded_by IS NULL`.
A mark that no longer holds (its twin was removed) is cleared. Only the `documents` rows change.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from .schema import schema
from .store import read_poa_file, read_poa_folder, write_parquet

KEY = ["entity_key", "period"]
COLUMNS = ["doc_id", "source_path", "status", *KEY, "pdf_modified", "file_modified", "duplicate_of", "superseded_by"]


def _age(r: dict) -> str:
    """What orders two documents of one entity and period, oldest first: the date the PDF states (a date is later
    than none). A file's own time is no guide here: a copy or a checkout gives it a new one."""
    return r.get("pdf_modified") or ""


def editions(rows: list[dict]) -> dict[str, str | None]:
    """doc_id -> the doc_id of the later edition saved under its path (None for the latest, and for a path
    with one document). The later is the one whose file was newer when it was read."""
    by_path: dict[str, list[dict]] = {}
    for r in rows:
        by_path.setdefault(r["source_path"] or "", []).append(r)
    out: dict[str, str | None] = {}
    for path, docs in by_path.items():
        latest = max(docs, key=lambda r: (r.get("file_modified") or "", r["doc_id"]))
        for r in docs:
            out[r["doc_id"]] = latest["doc_id"] if path and r is not latest else None
    return out


def first_of_each(rows: list[dict]) -> dict[str, str | None]:
    """doc_id -> the doc_id of the latest document of its entity and period that it duplicates (None for that
    latest one, and for documents whose period is unknown or that were not read)."""
    out: dict[str, str | None] = {}
    latest: dict[tuple, dict] = {}
    read = []
    for r in rows:
        key = tuple(r[k] for k in KEY)
        if r["status"] == "failed" or any(v is None for v in key):
            out[r["doc_id"]] = None
            continue
        read.append((key, r))
        best = latest.get(key)
        # the latest by its dates; of equal dates, the first by file name (copies of one file)
        if best is None or (_age(r), _name(best)) > (_age(best), _name(r)):
            latest[key] = r
    for key, r in read:
        out[r["doc_id"]] = None if latest[key] is r else latest[key]["doc_id"]
    return out


def _name(r: dict) -> tuple:
    return (r["source_path"] or "", r["doc_id"])


def mark_duplicates(out: Path) -> int:
    """Set or clear `documents.superseded_by` and `documents.duplicate_of` in OUT; how many documents are
    duplicates (earlier editions and copies)."""
    out = Path(out)
    # the few columns the marks need (a folder of thousands of documents: their quality lists stay on disk);
    # a row written by an older poa lacks some, and is left as it is
    tables = read_poa_folder(out, "documents", COLUMNS)
    rows = [t.to_pylist()[0] for t in tables if t.num_rows == 1]
    superseded = editions(rows)
    current = [r for r in rows if superseded[r["doc_id"]] is None]
    marks = {**dict.fromkeys(superseded), **first_of_each(current)}
    for r in rows:
        mark = {"superseded_by": superseded[r["doc_id"]], "duplicate_of": marks[r["doc_id"]]}
        if all(r.get(k) == v for k, v in mark.items()):
            continue
        path = out / "documents" / f"{r['doc_id']}.parquet"
        table = read_poa_file(path)  # this row, all of it, only where its marks change
        if table is None:  # readable for the marks' columns, not whole (a damaged page of another): left as it is
            continue
        (whole,) = table.to_pylist()
        write_parquet(pa.Table.from_pylist([{**whole, **mark}], schema=schema("documents")), path)
    return sum(v is not None for v in marks.values()) + sum(v is not None for v in superseded.values())
