"""Corrections: a person's fix of a misread cell, kept beside the outputs and applied on every run.

`OUT/corrections.csv` holds one correction a line (written by `poa correct`, editable by hand):

    doc_id, table, key, column, value, note, author, date

`table` is results, deviations or units; `key` the row's stable key as read (`results.result_key`,
`deviations.deviation_key`, `units.key`: see `poa.core.keys`); `column` one of
`CORRECTABLE[table]`. The stage runs after normalize and before validate, so the averages, the findings, the
audit and the review pages all follow a correction; and since it lives in the output folder, not in the
Parquet, it survives `--force`, another reader or engine, and an upgrade of poa. A correction whose row or
column no longer exists is never dropped silently: it comes back `stale`, with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import math
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Iterator, Mapping, cast

from .errors import PoaError
from .numbers import parse_pct
from .profile import Profile

FILE = "corrections.csv"
LOCK = ".corrections.lock"  # held while the file is read and written again: concurrent `poa correct` lose nothing
REQUIRED = ("doc_id", "table", "key", "column", "value")
MAX_FIELD = 64 << 20  # a cell's whole text may be a correction: far above csv's 128 KB default
PCT_MAX = 1000.0  # a % beyond this is a slip of the keyboard, not what a report prints
NO_ROW = "no row with this key in the document as read now"
SHARED_KEY = "two rows of the document as read have this key: which one is meant cannot be told"

# Per table, the columns a correction may set, and how its value is read.
CORRECTABLE: dict[str, dict[str, str]] = {
    "results": {"code": "code", "expected": "text", "obtained": "text", "physical_pct": "pct", "budget_pct": "pct"},
    "deviations": {"code": "code", "expected": "text", "cause": "text", "corrective_measure": "text"},
    "units": {"name": "text", "number": "text", "reported_physical_pct": "pct", "reported_budget_pct": "pct"},
}
# What each correctable column is called in the reports' language (auditors and archivists read it).
COLUMN_ES = {"code": "código", "expected": "resultado esperado", "obtained": "resultado obtenido",
             "physical_pct": "avance físico", "budget_pct": "avance presupuestario", "cause": "causa de desviación",
             "corrective_measure": "medida correctiva", "name": "nombre", "number": "número",
             "reported_physical_pct": "avance físico", "reported_budget_pct": "avance presupuestario"}


@dataclass(frozen=True)
class Correction:
    doc_id: str
    table: str
    key: str
    column: str
    value: str
    note: str = ""
    author: str = ""
    date: str = ""  # ISO date
    line: int = field(default=0, compare=False)  # its line in corrections.csv, where it was read from one


FIELDS = tuple(f.name for f in fields(Correction) if f.name != "line")  # corrections.csv's columns, in order


@dataclass
class Applied:
    """What became of one correction in one run (the `corrections` table)."""

    correction: Correction
    status: str  # applied | stale
    original: str | None = None  # the value as read, before the correction
    reason: str | None = None  # why a stale correction could not be applied
    subject_id: str | None = None  # the row it changed


class CorrectionError(ValueError, PoaError):
    """A correction that cannot be written: unknown table or column, or a value of the wrong kind."""


class CorrectionsFileError(ValueError, PoaError):
    """OUT/corrections.csv cannot be read as corrections (its header lacks a column): the message names the file
    and what it lacks."""


def check(c: Correction, profile: Profile | None = None) -> Correction:
    """The correction, or CorrectionError saying what is wrong with it (a code, by the profile's form)."""
    if c.table not in CORRECTABLE:
        raise CorrectionError(f"table {c.table!r}: corrections go to {', '.join(CORRECTABLE)}")
    kinds = CORRECTABLE[c.table]
    if c.column not in kinds:
        raise CorrectionError(f"{c.table}.{c.column}: the columns a correction may set are {', '.join(kinds)}")
    if kinds[c.column] == "pct" and c.value.strip():
        value = parse_pct(c.value) if len(c.value) <= 40 else None
        if value is None:
            raise CorrectionError(f"{c.value[:40]!r} is not a percentage (write 50, 50% or 50,5 %)")
        if not math.isfinite(value) or not 0 <= value <= PCT_MAX:
            raise CorrectionError(f"{c.value!r} is no percentage a report prints (0 to {PCT_MAX:g} %)")
    if kinds[c.column] == "code" and profile is not None and profile.code.read(c.value).code is None:
        raise CorrectionError(f"{c.value!r} is not a result code {profile.code.example()}")
    if not c.key or not c.doc_id:
        raise CorrectionError("a correction names its document (doc_id) and row (key)")
    return c


def normal_doc_id(doc_id: str) -> str:
    """A document id as poa writes it: hexadecimal in lower case, nothing around it ("  ABC… " → "abc…")."""
    return doc_id.strip().lower()


def load(out: Path) -> list[Correction]:
    """Every correction in OUT/corrections.csv (none if there is no such file), as written by hand or by
    `poa correct`: a spreadsheet's byte-order mark and a doc_id's case and spaces do not matter; a line that
    lacks a field comes back with it empty (and is reported stale when applied). CorrectionsFileError where the
    header lacks a column."""
    path = Path(out) / FILE
    if not path.is_file():
        return []
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            raise CorrectionsFileError(f"{path}: line 1, the header, has no column {', '.join(map(repr, missing))} "
                                       f"(it must name {', '.join(FIELDS)})")
        reader.fieldnames = header
        out_: list[Correction] = []
        for row in reader:
            given = {k: (v if isinstance(v, str) else "") for k, v in row.items() if k in FIELDS}
            out_.append(Correction(**{**given, "doc_id": normal_doc_id(given.get("doc_id", ""))}, line=reader.line_num))
        return out_


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """OUT's corrections held for one writer at a time (an advisory lock on OUT/.corrections.lock)."""
    Path(out).mkdir(parents=True, exist_ok=True)
    with open(Path(out) / LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def for_document(corrections: list[Correction], doc_id: str) -> list[Correction]:
    return [c for c in corrections if c.doc_id == doc_id]


def fingerprint(corrections: list[Correction]) -> str:
    """What a document's corrections are, in a few characters: a run redoes a document when they change."""
    h = hashlib.sha256()
    for c in sorted(corrections, key=lambda c: (c.table, c.key, c.column, c.date)):
        h.update("\x1f".join(getattr(c, k) for k in FIELDS).encode())
        h.update(b"\x1e")
    return h.hexdigest()[:12] if corrections else ""


def add(out: Path, c: Correction, profile: Profile | None = None) -> Correction:
    """Append a correction to OUT/corrections.csv (written whole, atomically). A later correction of the
    same cell wins when applied; both stay in the file as its history. `profile`: the document's, which says
    what a code looks like."""
    c = check(replace(c, doc_id=normal_doc_id(c.doc_id), date=c.date or dt.date.today().isoformat()), profile)
    with locked(out):  # read and written again whole: no other writer in between
        _write(out, load(out) + [c])
    return c


def remove(out: Path, c: Correction) -> bool:
    """Undo a correction: take its last line out of OUT/corrections.csv (the line with all its fields, the
    note and date included, so that a correction made again since is not the one undone). False where no
    line is that correction (undone already, from another tab)."""
    with locked(out):
        rows = load(out)
        same = [i for i, r in enumerate(rows) if all(getattr(r, k) == getattr(c, k) for k in FIELDS)]
        if not same:
            return False
        del rows[same[-1]]
        _write(out, rows)
    return True


def _write(out: Path, rows: list[Correction]) -> None:
    """OUT/corrections.csv, replaced whole in one rename (a reader sees the old file or the new one)."""
    path = Path(out) / FILE
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\r\n")  # RFC 4180: a \r in a field is quoted too
    w.writeheader()
    for r in rows:
        w.writerow({k: getattr(r, k) for k in FIELDS})
    fd, tmp = tempfile.mkstemp(prefix=f".{FILE}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)  # a full disk leaves no temp file behind
        raise


# A % cell's text as printed, kept beside the figure a correction sets: what "read" means for a %.
PRINTED = {"physical_pct": "physical_raw", "budget_pct": "budget_raw", "reported_physical_pct": "reported_physical_raw",
           "reported_budget_pct": "reported_budget_raw", "code": "code_raw"}


def as_read(row: Mapping[str, object], column: str) -> str | None:
    """A cell's value as read from the PDF, as printed (None for a blank cell): the % as its text, not its
    float ("50%", never "50.0"). `row`: a row by its fields' names — a Parquet row, or a record's `vars`."""
    value = cast(str | None, row.get(PRINTED.get(column, column)))  # a correctable column's text, or a %'s as printed
    return value if value not in ("", None) else None
