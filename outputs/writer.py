"""A document's outputs, written in order: its validation result, its working paper and workbook, its review page
(as asked), then its tables with the documents row last (`store.ORDER`). The one place that calls the
renderers; the Parquet writer (`parquet`) and the store know nothing of them."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from poa.core.records import Report

from .audit import render_html, write_xlsx
from .index import render_index
from .parquet import rows_of, to_table
from .review import render_review, wants_review
from .store import ORDER, atomic, write_parquet


def write_report(report: Report, out: Path, *, audit: bool = True, review: str = "none") -> dict[str, Path]:
    """Write every table of one document, GX's validation result as JSON, the audit report (HTML and xlsx)
    and, as `review` says (`outputs.review.wants_review`), its review page. The documents row goes last.

    A failed document leaves its documents row and the raw cells of the tables its pages print (`tables`, for
    a document no profile fits), nothing else: what an earlier run, or a worker killed half-way, wrote for the
    same doc_id is removed, so no other table holds rows of a document marked failed."""
    out = Path(out)
    doc_id = report.document.doc_id
    tables = rows_of(report)
    written: dict[str, Path] = {}
    ok = report.document.read  # ok or review: its tables are written
    if not ok:
        for stale in [out / name / f"{doc_id}.parquet" for name in ORDER if name != "documents"] + [
            out / "validation" / f"{doc_id}.json", out / "audit" / f"{doc_id}.html", out / "audit" / f"{doc_id}.xlsx",
            out / "audit" / f"{doc_id}.pdf", out / "review" / f"{doc_id}.html",
        ]:
            stale.unlink(missing_ok=True)
        shutil.rmtree(out / "review" / doc_id, ignore_errors=True)
    if ok and report.validation is not None:
        with atomic(out / "validation" / f"{doc_id}.json") as tmp:
            tmp.write_text(json.dumps(report.validation, ensure_ascii=False, indent=1, sort_keys=True, default=str),
                           encoding="utf-8")
        written["validation"] = out / "validation" / f"{doc_id}.json"
    if ok and audit:
        with atomic(out / "audit" / f"{doc_id}.html") as tmp:
            tmp.write_text(render_html(report, base=out / "audit"), encoding="utf-8")
        with atomic(out / "audit" / f"{doc_id}.xlsx") as tmp:
            write_xlsx(report, tmp)
        (out / "audit" / f"{doc_id}.pdf").unlink(missing_ok=True)  # printed from the old page: `poa audit --pdf` again
        written["audit"] = out / "audit" / f"{doc_id}.html"
    if ok and review != "none":
        try:
            if wants_review(tables, review) and render_review(tables, out) is not None:
                written["review"] = out / "review" / f"{doc_id}.html"
        except OSError:
            raise  # a full disk is the batch's to report
        except Exception as e:  # noqa: BLE001 - a page that cannot be shown costs its review page, never the document
            logging.getLogger("poa").warning("review_page_failed", extra={"poa": {"doc_id": doc_id, "error": repr(e)}})
    for name in ORDER:
        if not ok and name != "documents" and not (name in ("tables", "corrections") and tables[name]):
            continue  # a failed document keeps its raw cells, and says what became of its corrections
        path = out / name / f"{doc_id}.parquet"
        write_parquet(to_table(name, tables[name]), path)
        written[name] = path
    return written


def write_index(out: Path) -> Path:
    """DIR/audit/index.html over every document the folder holds (written after a batch)."""
    path = Path(out) / "audit" / "index.html"
    with atomic(path) as tmp:
        tmp.write_text(render_index(Path(out)), encoding="utf-8")
    return path
