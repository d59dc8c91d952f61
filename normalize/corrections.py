"""The corrections stage: a document's corrections (`poa.core.corrections`, from OUT/corrections.csv) applied to
its normalized records, before validate, so that the averages, the findings, the audit and the review pages all
follow them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from poa.core.corrections import CORRECTABLE, FILE, NO_ROW, SHARED_KEY, Applied, Correction, CorrectionError, as_read, check
from poa.core.keys import ID_COLUMN, KEY_COLUMN, repeated, result_key
from poa.core.numbers import parse_pct
from poa.core.records import Report


def correct(report: Report, corrections: list[Correction]) -> Report:
    """The report with a document's corrections applied, in file order (a later one of the same cell wins, and
    every one of that cell says what the PDF read, never what an earlier correction set), each row's
    `corrected` columns marked, and what became of each correction (`Report.corrections`). The stage between
    normalize and validate: a new Report, whose corrected rows are new; the report given is left as it was."""
    if not corrections:
        return replace(report, corrections=[])
    records: dict[str, list[Any]] = {  # this stage's own rows, to correct in place
        "results": [replace(x) for x in report.results], "deviations": [replace(x) for x in report.deviations],
        "units": [replace(x) for x in report.nodes]}
    keyed = {table: [(getattr(x, KEY_COLUMN[table]), x) for x in xs] for table, xs in records.items()}
    rows = {table: dict(pairs) for table, pairs in keyed.items()}
    shared = {table: {k for k, n in Counter(k for k, _ in pairs).items() if n > 1} for table, pairs in keyed.items()}
    read: dict[tuple[int, str], str | None] = {}  # (row, column) -> the value the PDF gave, before any correction
    out: list[Applied] = []
    for c in corrections:
        try:
            check(c, report.template)
        except CorrectionError as e:  # a malformed line: said with its number, every run
            out.append(Applied(c, "stale", reason=f"{FILE} line {c.line}: {e}" if c.line else str(e)))
            continue
        row: Any = rows[c.table].get(c.key)  # a Result, Deviation or Node: corrected by its fields' names
        if row is None:
            out.append(Applied(c, "stale", reason=NO_ROW))
            continue
        if c.key in shared[c.table]:  # never one of them at a guess
            out.append(Applied(c, "stale", reason=SHARED_KEY))
            continue
        kind = CORRECTABLE[c.table][c.column]
        original = read.setdefault((id(row), c.column), as_read(vars(row), c.column))
        if kind == "pct":
            setattr(row, c.column, parse_pct(c.value) if c.value.strip() else None)
        elif kind == "code":
            code = report.template.code.read(c.value)
            row.code, row.code_raw = code.code, c.value
            if hasattr(row, "objective"):
                row.objective, row.sequence = code.objective, code.sequence
            if c.table == "results":  # its key follows its code; a later correction may name it by either
                key, nth = result_key(row.unit_key, row.code, row.expected), 1
                while rows["results"].get(repeated(key, nth), row) is not row:
                    nth += 1
                row.result_key = repeated(key, nth)
                rows["results"][row.result_key] = row
        else:
            setattr(row, c.column, c.value)
        row.corrected = sorted({*row.corrected, c.column})
        out.append(Applied(c, "applied", original, subject_id=getattr(row, ID_COLUMN[c.table])))
    return replace(report, corrections=out, results=records["results"], deviations=records["deviations"],
                   nodes=records["units"])
