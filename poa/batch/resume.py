"""Resuming: whether an earlier run already finished a document with this pipeline version, these options and
these corrections (skipped), failed it so (not retried unless asked), or must read it again, and why."""

from __future__ import annotations

from pathlib import Path

from ..core.options import Options
from ..core.records import Document


def earlier(out: Path, doc: Document) -> dict | None:
    """The documents row an earlier run wrote for this document, whatever became of it (None: none that this
    version can read)."""
    from poa.outputs.store import read_poa_file

    table = read_poa_file(out / "documents" / f"{doc.doc_id}.parquet")  # a foreign or corrupt file: not done
    try:
        return table.to_pylist()[0] if table is not None and table.num_rows else None
    except Exception:  # noqa: BLE001 - a row that cannot be read was not written by this version
        return None


def changes(row: dict, doc: Document, options: Options | None, corrections: str) -> list[str]:
    """How this read of the document would differ from the one its row records, in words: another pipeline
    version, other options, other corrections (empty: the same read)."""
    why = []
    if row.get("pipeline_version") != doc.pipeline_version:
        why.append(f"poa {row.get('pipeline_version')} before, now {doc.pipeline_version}")
    why += (options or Options()).differences(row.get("engine"), row.get("reader"), row.get("ocr"), row.get("gx"),
                                              row.get("template"))
    if (row.get("corrections") or "") != corrections:
        why.append("its corrections changed")
    return why


def failed_before(doc: Document, row: dict | None, options: Options | None = None, corrections: str = "") -> Document | None:
    """The earlier run's document where it failed this document with this pipeline version, these options and
    these corrections: the same bytes would fail the same way (`--retry-failed` tries anyway: Tesseract
    installed since, higher limits). Its corrections changed, it is tried again, to say what became of them."""
    if row is None or row.get("status") != "failed" or changes(row, doc, options, corrections):
        return None
    return _document_of(row)


def _document_of(row: dict) -> Document | None:
    """A documents row as the Document that wrote it; None for a row this version did not write."""
    try:
        fields = {k: v for k, v in row.items() if k in Document.__dataclass_fields__}
        for k in ("expected_date", "obtained_date"):
            fields[k] = fields[k].isoformat() if fields.get(k) else None
        if isinstance(fields.get("quality"), dict):
            fields.pop("quality")
        return Document(**fields)
    except Exception:  # noqa: BLE001 - a row that does not make a Document was not written by this version
        return None


def already_done(out: Path, doc: Document, row: dict | None, options: Options | None = None,
                 corrections: str = "") -> tuple[Document | None, str | None]:
    """(the earlier run's document, None) when it finished this document (its `row`, ok or review) with this
    pipeline version, these options and these corrections: nothing to do; else (None, why it must be read
    again), the reason None for a document never finished."""
    if row is None or row.get("status") not in ("ok", "review"):
        return None, None
    why = changes(row, doc, options, corrections)
    from poa.outputs.store import ORDER

    lost = [name for name in ORDER if not (out / name / f"{doc.doc_id}.parquet").is_file()]
    if lost:
        why.append(f"its {', '.join(lost)} table{'s are' if len(lost) > 1 else ' is'} missing")
    if why:
        return None, "; ".join(why)
    done = _document_of(row)
    return (done, None) if done is not None else (None, "its earlier outputs cannot be read back")
