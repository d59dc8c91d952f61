"""The same report seen twice: documents of one entity and period in one output folder.

Archives hold copies (a file saved twice, a scan beside its digital original, a revised edition). After a
batch, every document whose entity and period another document already has gets `duplicate_of` set to
that first one's doc_id (the first by file name); the analyst keeps `duplicate_of IS NULL`. A document that
is no longer a duplicate (its twin was removed) has the mark cleared. Only the `documents` rows change.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from .parquet import read_poa_folder, write_parquet
from .schema import schema

KEY = ["entity_key", "period"]


def first_of_each(rows: list[dict]) -> dict[str, str | None]:
    """doc_id -> the doc_id it duplicates (None for the first of its entity and period, and for
    documents whose period is unknown or that were not read)."""
    out: dict[str, str | None] = {}
    first: dict[tuple, str] = {}
    for r in sorted(rows, key=lambda r: (r["source_path"] or "", r["doc_id"])):
        key = tuple(r[k] for k in KEY)
        if r["status"] == "failed" or any(v is None for v in key):
            out[r["doc_id"]] = None
            continue
        out[r["doc_id"]] = first.get(key)
        first.setdefault(key, r["doc_id"])
    return out


def mark_duplicates(out: Path) -> int:
    """Set or clear `documents.duplicate_of` in OUT; how many documents are duplicates."""
    out = Path(out)
    tables = read_poa_folder(out, "documents", None)
    rows = [t.to_pylist()[0] for t in tables if t.num_rows == 1]
    if rows and "duplicate_of" not in rows[0]:
        return 0  # written by an older poa: left as it is
    marks = first_of_each(rows)
    for r in rows:
        if r.get("duplicate_of") == marks[r["doc_id"]]:
            continue
        r["duplicate_of"] = marks[r["doc_id"]]
        write_parquet(pa.Table.from_pylist([r], schema=schema("documents")), out / "documents" / f"{r['doc_id']}.parquet")
    return sum(v is not None for v in marks.values())
