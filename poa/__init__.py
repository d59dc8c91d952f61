"""poa: POA follow-up reports (PDF) → clean, checked Parquet datasets.

    from poa import run, read
    docs = run(["samples/"], out="out")
    results = read("out", "results")     # one report per entity and period, columns described in .attrs
"""

__version__ = "0.1.0"

from .pipeline import process, run  # noqa: E402


def read(out, table: str, *, current: bool = True, columns: list[str] | None = None):
    """One table of an output folder as a DataFrame (`poa.outputs.dataset.read`): the reports the folder counts
    (no copies, no earlier editions, no failed documents) unless `current=False`."""
    from .outputs.dataset import read as read_table

    return read_table(out, table, current=current, columns=columns)


__all__ = ["__version__", "process", "read", "run"]
