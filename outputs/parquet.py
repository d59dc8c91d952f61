"""Write a Report as one Parquet file per table: DIR/<table>/<doc_id>.parquet, each write atomic."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from poa.core.records import Report

from .schema import CELL_FIELDS, TABLES, schema

# The documents row is written last: its presence says the document's other tables are complete.
ORDER = ("units", "results", "deviations", "findings", "tables", "leftovers", "corrections", "documents")
FOLDERS = ORDER + ("validation", "audit", "review")  # every folder poa writes under DIR, the only ones it cleans

# Temporary files are named `.<target>.poa-<run id>-<pid>.<random>.tmp`: the run id (of a batch, recorded by
# it in DIR/.poa/; otherwise one per process) and the writing process prove the file is poa's, so a batch
# removes exactly its own leftovers and those of dead runs, never another file that merely ends in .tmp.
TEMP_RE = re.compile(r"^\.(?P<target>.+)\.poa-(?P<run>[0-9a-f]{12})-(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.tmp$")
DOC_FILE_RE = re.compile(r"^[0-9a-f]{16}\.parquet$")  # DIR/<table>/<doc_id>.parquet; anything else is foreign
_run_id = secrets.token_hex(6)


def set_run_id(run_id: str) -> None:
    """The run id this process (and the workers it forks) puts in temporary file names."""
    global _run_id
    if not re.fullmatch(r"[0-9a-f]{12}", run_id):
        raise ValueError(f"a run id is 12 hex digits, not {run_id!r}")
    _run_id = run_id


def remove_temporaries(out: Path, run: str, pid: int | None = None) -> int:
    """Remove the temporary files run `run` (only those of process `pid`, if given) left in DIR's folders;
    how many. Nothing else is touched: not another run's, not a file poa did not name."""
    removed = 0
    folders = [Path(out) / f for f in FOLDERS]
    try:  # a review page's images sit in a folder of their own: DIR/review/<doc_id>/
        folders += [Path(e.path) for e in os.scandir(Path(out) / "review") if e.is_dir(follow_symlinks=False)
                    and re.fullmatch(r"[0-9a-f]{16}", e.name)]
    except OSError:
        pass
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            m = TEMP_RE.match(e.name)
            if m and m["run"] == run and (pid is None or int(m["pid"]) == pid):
                try:
                    os.unlink(e.path)
                    removed += 1
                except OSError:
                    pass
    return removed


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
    d.update(quality)
    d["expected_date"], d["obtained_date"] = _date(doc.expected_date), _date(doc.obtained_date)
    common = {"doc_id": doc.doc_id, "entity": doc.entity, "entity_key": doc.entity_key, "year": doc.year,
              "period": doc.period}
    kinds = subject_type(report)
    with_doc = lambda items: [_bbox({**common, **record(x)}) for x in items]  # noqa: E731
    return {
        "documents": [d],
        "units": with_doc(report.units),
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
    kinds.update({n.node_id: "unit" for n in report.units})
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


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside the target, renamed over it on success: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.poa-{_run_id}-{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it private; the result is as any file the user writes
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        from .audit import render_html, write_xlsx

        with atomic(out / "audit" / f"{doc_id}.html") as tmp:
            tmp.write_text(render_html(report, base=out / "audit"), encoding="utf-8")
        with atomic(out / "audit" / f"{doc_id}.xlsx") as tmp:
            write_xlsx(report, tmp)
        (out / "audit" / f"{doc_id}.pdf").unlink(missing_ok=True)  # printed from the old page: `poa audit --pdf` again
        written["audit"] = out / "audit" / f"{doc_id}.html"
    if ok and review != "none":
        from .review import render_review, wants_review

        try:
            if wants_review(tables, review) and render_review(tables, out) is not None:
                written["review"] = out / "review" / f"{doc_id}.html"
        except OSError:
            raise  # a full disk is the batch's to report
        except Exception:  # noqa: BLE001 - a page that cannot be shown costs its review page, never the document
            pass
    for name in ORDER:
        if not ok and name != "documents" and not (name in ("tables", "corrections") and tables[name]):
            continue  # a failed document keeps its raw cells, and says what became of its corrections
        path = out / name / f"{doc_id}.parquet"
        write_parquet(to_table(name, tables[name]), path)
        written[name] = path
    return written


def write_parquet(table: pa.Table, path: Path) -> None:
    """One of poa's Parquet files, atomically: zstd, no dictionary pages (a document's tables are small, and
    dictionary encoding made them larger and slower to write)."""
    with atomic(path) as tmp:
        pq.write_table(table, tmp, compression="zstd", use_dictionary=False)


MAX_ROW_FILE = 64 << 20  # no file poa writes for one document's table comes near this


def read_poa_file(path: Path, columns: list[str] | None = None) -> pa.Table | None:
    """One of poa's own Parquet files (`<doc_id>.parquet`, a regular file of sane size, readable, with the
    columns asked for), or None for anything else in the folder: a stray or corrupt file, a FIFO, a link to
    a device. Every step that reads DIR back (the skip check, the index) goes through here."""
    path = Path(path)
    if not DOC_FILE_RE.match(path.name):
        return None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ROW_FILE:
            return None
        with pq.ParquetFile(path) as f:  # read_table goes through the dataset API: twice the time a file
            if columns and not set(columns) <= set(f.schema_arrow.names):
                return None  # ParquetFile.read would leave a missing column out where read_table refused
            table = f.read(columns=columns)
    except Exception:  # noqa: BLE001 - whatever a foreign file makes pyarrow say, it is not ours
        return None
    return table


def read_poa_folder(out: Path, name: str, columns: list[str] | None) -> list[pa.Table]:
    """The `columns` of every poa file of one table folder of DIR, foreign files left out."""
    folder = Path(out) / name
    try:
        names = sorted(e.name for e in os.scandir(folder))
    except OSError:
        return []
    return [t for n in names if (t := read_poa_file(folder / n, columns)) is not None]


def pick_ids(have: list[str], wanted: list[str] | None, where: str, what: str = "document") -> list[str]:
    """The ids asked for among those `where` has: all of them when none is asked for; each asked for by its
    whole id or a unique prefix. Raises ValueError naming what is not there, or not one."""
    if not wanted:
        if not have:
            raise ValueError(f"no {what} in {where}")
        return sorted(have)
    chosen: list[str] = []
    for want in wanted:
        match = [d for d in have if d.startswith(want.lower())]
        if len(match) != 1:
            raise ValueError(f"{want}: {'no' if not match else 'more than one'} {what} in {where} "
                             f"{'has this id' if not match else 'starts with it'}")
        chosen += [m for m in match if m not in chosen]
    return chosen


def folder_totals(out: Path) -> dict[str, int]:
    """What an output folder holds, all runs together: documents by status, duplicates, rows, findings by
    severity, corrections by status (for the summary a batch ends with)."""
    out = Path(out)
    every = [r for t in read_poa_folder(out, "documents", ["doc_id", "status", "duplicate_of", "pages"])
             for r in t.to_pylist()]
    old = superseded_ids(out)  # an earlier edition: out of the totals
    docs = [d for d in every if d["doc_id"] not in old]
    totals = {f"documents_{k}": sum(d["status"] == k for d in docs) for k in ("ok", "review", "failed")}
    totals["documents"] = len(docs)
    totals["superseded"] = len(old)
    totals["duplicates"] = sum(d.get("duplicate_of") is not None for d in docs)
    totals["pages"] = sum(d["pages"] or 0 for d in docs if d["status"] != "failed")

    def current(table: str, columns: list[str]) -> list[pa.Table]:
        return [t for t in read_poa_folder(out, table, ["doc_id", *columns])
                if not t.num_rows or t.column("doc_id")[0].as_py() not in old]

    for table in ("results", "deviations"):
        totals[table] = sum(t.num_rows for t in current(table, []))
    severities = [v for t in current("findings", ["severity"]) for v in t.column("severity").to_pylist()]
    totals["findings"] = len(severities)
    totals["error_findings"] = severities.count("error")
    states = [v for t in current("corrections", ["status"]) for v in t.column("status").to_pylist()]
    totals["corrections_applied"], totals["corrections_stale"] = states.count("applied"), states.count("stale")
    totals["corrections_unmatched"] = len(unmatched_corrections(out))
    return totals


def superseded_ids(out: Path) -> set[str]:
    """The documents of OUT that a later edition of their file superseded (`documents.superseded_by`)."""
    return {r["doc_id"] for t in read_poa_folder(out, "documents", ["doc_id", "superseded_by"])
            for r in t.to_pylist() if r["superseded_by"]}


def unmatched_corrections(out: Path) -> list[str]:
    """The doc_ids that lines of OUT/corrections.csv name and no document of the folder has (a mistyped or
    shortened id): said after every run, since no document's corrections table can hold them."""
    from poa.corrections import load

    try:
        wanted = {c.doc_id for c in load(out)}
    except (OSError, ValueError):
        return []
    have = {v for t in read_poa_folder(out, "documents", ["doc_id"]) for v in t.column("doc_id").to_pylist()}
    return sorted(wanted - have)


def write_index(out: Path) -> Path:
    """DIR/audit/index.html over every document the folder holds (written after a batch)."""
    from .audit import render_index

    path = Path(out) / "audit" / "index.html"
    with atomic(path) as tmp:
        tmp.write_text(render_index(Path(out)), encoding="utf-8")
    return path
