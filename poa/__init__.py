"""poa: POA follow-up reports (PDF) → clean, checked Parquet datasets.

    from poa import run
    docs = run(["samples/"], out="out")
"""

__version__ = "0.1.0"

from .pipeline import process, run  # noqa: E402

__all__ = ["__version__", "process", "run"]
