"""The output folder as a store: where each document's files go, written atomically (a temporary name, then a
rename: a reader never sees half a file), read back (poa's own files only: a stray or corrupt one is left out),
and the run that wrote them (its id in every temporary name, so a killed run's leftovers can be told apart).
The table writer (`parquet`) and the renderers (audit, review) write through here; nothing here renders."""

from __future__ import annotations

import os
import re
import secrets
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from poa.core.corrections import load

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

    try:
        wanted = {c.doc_id for c in load(out)}
    except (OSError, ValueError):
        return []
    have = {v for t in read_poa_folder(out, "documents", ["doc_id"]) for v in t.column("doc_id").to_pylist()}
    return sorted(wanted - have)
