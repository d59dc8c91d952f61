"""The closed sets the records name: a document's status, a finding's severity, a table of rows. String enums, so
a value is its text wherever it goes (Parquet, JSON, a comparison with "ok")."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """How a document came out: read and nothing doubted, read with doubts a person should look at, not read."""

    OK = "ok"
    REVIEW = "review"
    FAILED = "failed"


class Severity(StrEnum):
    """How much a finding weighs, heaviest first (the order findings are listed in)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Table(StrEnum):
    """The tables of rows a report gives (the `units` table holds the results table's section rows)."""

    RESULTS = "results"
    DEVIATIONS = "deviations"
    UNITS = "units"
