"""An output folder as an analyst reads it: one table of every document, one report per entity and period.

    import poa
    results = poa.read("out", "results")               # the current reports' results, as a DataFrame
    results.attrs["descriptions"]["physical_pct"]      # what a column means (the data dictionary's words)

`pd.read_parquet("out/results")` reads every file of the folder, and so every copy of a report read twice
(the same report under two names, a revised edition, a document whose entity and period another has):
`read` keeps the reports the folder counts (`documents.duplicate_of` and `superseded_by` empty, the document
read), unless `current=False`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .schema import TABLES
from .store import read_poa_folder

if TYPE_CHECKING:
    import pandas as pd


def current_documents(out: Path) -> set[str]:
    """The doc_ids the folder's figures count: read (ok or review), neither a copy nor an earlier edition."""
    columns = ["doc_id", "status", "duplicate_of", "superseded_by"]
    return {r["doc_id"] for t in read_poa_folder(out, "documents", columns) for r in t.to_pylist()
            if r["status"] != "failed" and not r["duplicate_of"] and not r["superseded_by"]}


def read(out: str | Path, table: str, *, current: bool = True, columns: list[str] | None = None) -> pd.DataFrame:
    """One table of an output folder as a pandas DataFrame, typed as the Parquet files are (nullable
    integers, categories), with each column's description in `.attrs["descriptions"]` and the table's name in
    `.attrs["table"]`. `current`: only the reports the folder counts (see the module); False: every file.
    ValueError for a table poa does not write."""
    import pyarrow as pa

    if table not in TABLES:
        raise ValueError(f"table {table!r}: poa writes {', '.join(TABLES)}")
    wanted = None if columns is None else list(dict.fromkeys(["doc_id", *columns]))
    tables = read_poa_folder(Path(out), table, wanted)
    if tables:
        frame = pa.concat_tables(tables, promote_options="default").to_pandas()
    else:
        from .parquet import to_table

        frame = to_table(table, []).to_pandas()
        if wanted:
            frame = frame[wanted]
    if current:
        keep = current_documents(Path(out))
        frame = frame[frame["doc_id"].isin(keep)].reset_index(drop=True)
    if columns is not None and "doc_id" not in columns:
        frame = frame.drop(columns="doc_id")
    frame.attrs["table"] = table
    frame.attrs["descriptions"] = {name: text for name, _, text in TABLES[table] if name in frame.columns}
    return frame
