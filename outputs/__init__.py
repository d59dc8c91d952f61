"""Stage 4: Parquet datasets, one file per document and table, written atomically."""

from .parquet import write_index, write_report
from .schema import TABLES, dictionary_markdown, schema

__all__ = ["TABLES", "dictionary_markdown", "schema", "write_index", "write_report"]
