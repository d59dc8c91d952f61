"""The Parquet contract: every table's columns, types and meaning, in one place.

`docs/data-dictionary.md` is generated from this module (`python -m poa.outputs.schema > docs/data-dictionary.md`)
and a test keeps the two in step.
"""

from __future__ import annotations

import pyarrow as pa

S, F, I32, B, D = pa.string(), pa.float64(), pa.int32(), pa.bool_(), pa.date32()

BBOX = [
    ("x0", F, "Left edge of the row on its first page, PDF points from the left."),
    ("top", F, "Top edge of the row on its first page, PDF points from the top."),
    ("x1", F, "Right edge of the row on its first page."),
    ("bottom", F, "Bottom edge of the row on its first page."),
]

TABLES: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "documents": [
        ("doc_id", S, "Document key: the first 16 hex digits of the file's SHA-256 (same bytes, same id)."),
        ("source_path", S, "Path of the PDF as given on the command line."),
        ("sha256", S, "SHA-256 of the file's bytes."),
        ("entity", S, "Entity named in the title block, as printed (e.g. MINISTERIO DE MINERÍA Y METALURGIA)."),
        ("year", I32, "Year of the plan (GESTIÓN)."),
        ("semester", I32, "1 or 2: the semester the report follows up."),
        ("expected_date", D, "Date of the expected-results column (RESULTADOS ESPERADOS AL …)."),
        ("obtained_date", D, "Date of the obtained-results column (RESULTADOS OBTENIDOS AL …): the cut-off."),
        ("mission", S, "The entity's Misión as printed in the title block."),
        ("vision", S, "The entity's Visión as printed in the title block."),
        ("pages", I32, "Number of pages in the PDF."),
        ("engine", S, "Extraction engine used: pdfplumber or camelot."),
        ("reader", S, "Page source the engine read words and rulings with: pdfplumber or pdfium."),
        ("status", S, "ok, or failed (then `error` says why and no other table has rows for it)."),
        ("error", S, "Why the document failed, in plain words; null when ok."),
        ("text_coverage", F, "Share (0–1) of the characters on the tables' pages found again in a cell or a leftover."),
        ("pipeline_version", S, "Version of poa that wrote the row: release + fingerprint of the stages' code."),
    ],
    "units": [
        ("doc_id", S, "Document key."),
        ("node_id", S, "Node key, unique across documents (`<doc_id>-Nnnn`, in reading order)."),
        ("level", S, "viceministry | direction | unit | area | section (a group closed by an "
                     "'Ejecución Física Promedio de las Unidades …' row) | total (the central level) | other."),
        ("number", S, "Unit number as printed (`07`); null for other levels. Not a key: numbers repeat."),
        ("name", S, "Name as printed (whitespace joined)."),
        ("parent_id", S, "node_id of the enclosing node: area → unit → direction → viceministry → section → total."),
        ("reported_physical_pct", F, "Physical progress % printed on the row."),
        ("reported_budget_pct", F, "Budget (PPTARIO.) % printed on the row."),
        ("recomputed_physical_pct", F, "Physical % recomputed from the results (filled by the validate stage)."),
        ("reported_physical_raw", S, "The physical % cell as printed."),
        ("reported_budget_raw", S, "The budget % cell as printed."),
        ("is_group", B, "True for the rows that close a group of units."),
        ("page", I32, "Page (1-based) where the row is printed."),
        ("seq", I32, "Position of the row in the results table (1-based, all row kinds counted)."),
    ],
    "results": [
        ("doc_id", S, "Document key."),
        ("result_id", S, "Result key, unique across documents (`<doc_id>-Rnnnn`, in reading order)."),
        ("unit_id", S, "node_id of the unit the result belongs to."),
        ("viceministry", S, "Name of the Viceministerio above the result, if any."),
        ("direction", S, "Name of the Dirección General above the result, if any."),
        ("unit_number", S, "Number of the unit as printed in the results table."),
        ("unit_name", S, "Name of the unit as printed in the results table."),
        ("area", S, "Name of the Área inside the unit, if any."),
        ("group", S, "The 'Ejecución Física Promedio de las Unidades …' row that closes the result's group."),
        ("code", S, "Normalized code `NN-NN.NN.NN-NN`; null when the printed code cannot be read as one."),
        ("code_raw", S, "Code as printed (a code wrapped in its cell keeps the space where it wrapped)."),
        ("objective", S, "The code's part before its last hyphen (`08-01.01.01`)."),
        ("sequence", I32, "The code's last part, the result's number within the objective (`14`)."),
        ("expected", S, "Expected result, as printed."),
        ("obtained", S, "Obtained result, as printed."),
        ("physical_pct", F, "Physical progress %; null when blank."),
        ("physical_raw", S, "Physical progress cell as printed."),
        ("budget_pct", F, "Budget progress % on the result row (reports leave it blank)."),
        ("budget_raw", S, "Budget cell as printed."),
        ("page_first", I32, "Page where the row starts."),
        ("page_last", I32, "Page where the row ends (greater than page_first for a row broken across pages)."),
        ("seq", I32, "Position of the row in the results table."),
        *BBOX,
    ],
    "deviations": [
        ("doc_id", S, "Document key."),
        ("deviation_id", S, "Deviation key, unique across documents (`<doc_id>-Dnnn`)."),
        ("unit_number", S, "Unit number as printed in the deviation table (may differ from the results table)."),
        ("unit_name", S, "Unit name as printed in the deviation table (trailing colon kept)."),
        ("code", S, "Normalized code; null when unreadable."),
        ("code_raw", S, "Code as printed."),
        ("expected", S, "Expected result, as printed in the deviation table."),
        ("cause", S, "Cause of the deviation (Causas de Desviación), as printed."),
        ("corrective_measure", S, "Corrective measure (Medidas Correctivas), as printed."),
        ("result_id", S, "The result this row explains (filled by the match stage)."),
        ("match_score", F, "0–100 confidence of the link (filled by the match stage)."),
        ("match_method", S, "How the link was made (filled by the match stage)."),
        ("page", I32, "Page where the row starts."),
        ("page_last", I32, "Page where the row ends."),
        ("seq", I32, "Position of the row in the deviation table."),
        *BBOX,
    ],
    "findings": [
        ("doc_id", S, "Document key."),
        ("check", S, "Stable id of the check that raised the finding."),
        ("severity", S, "error | warning | info."),
        ("subject_id", S, "result_id, node_id or deviation_id the finding is about."),
        ("reported", F, "The printed figure, where one applies."),
        ("recomputed", F, "The recomputed figure, where one applies."),
        ("message", S, "What is wrong, in Spanish, for the auditor."),
        ("page", I32, "Page of the subject."),
    ],
    "leftovers": [
        ("doc_id", S, "Document key."),
        ("page", I32, "Page of the text."),
        ("x0", F, "Left edge, PDF points."),
        ("top", F, "Top edge, PDF points from the top."),
        ("x1", F, "Right edge."),
        ("bottom", F, "Bottom edge."),
        ("text", S, "A line of text no table cell took: title block, repeated headers, footnotes."),
    ],
}


def schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(name, typ) for name, typ, _ in TABLES[table]])


def dictionary_markdown() -> str:
    out = [
        "# Data dictionary",
        "",
        "`poa run … --out DIR` writes one Parquet file per document and table: `DIR/<table>/<doc_id>.parquet`.",
        "`pandas.read_parquet('DIR/results')` (or `polars.read_parquet('DIR/results/*.parquet')`, or duckdb's",
        "`read_parquet('DIR/results/*.parquet')`) loads every document at once. Join on `doc_id` plus the keys below.",
        "",
        "Generated from `outputs/schema.py`; do not edit by hand.",
    ]
    for table, cols in TABLES.items():
        out += ["", f"## {table}", "", "| column | type | meaning |", "| --- | --- | --- |"]
        out += [f"| `{name}` | {typ} | {doc} |" for name, typ, doc in cols]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(dictionary_markdown(), end="")
