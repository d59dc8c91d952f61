"""Stage 4: Parquet datasets, one file per document and table, written atomically."""

from .schema import TABLES, dictionary_markdown, schema
from .writer import write_index, write_report

__all__ = ["TABLES", "dictionary_markdown", "schema", "write_index", "write_report"]
