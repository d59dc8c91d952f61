"""poa: POA follow-up reports (PDF) → clean, checked Parquet datasets.

    import poa
    docs = poa.run(["samples/"], out="out")      # read a batch into an output folder
    results = poa.read("out", "results")         # one table of it, one report per entity and period
    report = poa.process("x.pdf")                # one document, in memory
    frames = poa.tables(report)                  # …its tables as DataFrames, named as the Parquet tables

Importing `poa` (or the kernel, `poa.core`) loads no stage: each of these loads what it needs when called.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "process", "read", "run", "tables"]


def __getattr__(name: str):
    """`poa.run`, `poa.process`, `poa.read`, `poa.tables`, imported on first use (PEP 562): `import poa.core.records`
    must not load the pipeline."""
    if name == "run":
        from .batch import run

        return run
    if name == "process":
        from .pipeline import process

        return process
    if name == "read":
        from .outputs.dataset import read

        return read
    if name == "tables":
        from .outputs.parquet import frames

        return frames
    raise AttributeError(f"module 'poa' has no attribute {name!r}")
