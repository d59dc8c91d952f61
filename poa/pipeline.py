"""The pipeline: extract → normalize → validate → outputs, one document at a time.

`run` is what the CLI calls and what a notebook can call too; `process` is one document, in memory.
"""

from __future__ import annotations

import glob
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from .records import Document, Report

if TYPE_CHECKING:
    from .batch import Outcome


class UsageError(Exception):
    """An input that names nothing: a missing file, an empty folder, a glob with no match."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def expand_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Files, folders (recursively, every *.pdf) and globs, in a stable order, each once."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() == ".pdf")
        elif p.is_file():
            found.append(p)
        elif any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(item), recursive=True) if Path(m).is_file())
            if not matches:
                raise UsageError(f"{item}: no file matches")
            found += matches
        else:
            raise UsageError(f"{item}: no such file or folder")
    seen, unique = set(), []
    for p in found:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique


def identify(path: Path) -> Document:
    """A document's identity before any work: its content hash and the id made from it. A file that cannot
    be read comes back already failed (its id then made from its path)."""
    from .version import pipeline_version

    try:
        sha = sha256_of(path)
    except OSError as e:
        return Document(doc_id=hashlib.sha256(str(path).encode()).hexdigest()[:16], source_path=str(path),
                        sha256="", status="failed", error=f"cannot read the file: {e.strerror or e}",
                        pipeline_version=pipeline_version())
    return Document(doc_id=sha[:16], source_path=str(path), sha256=sha, pipeline_version=pipeline_version())


def process(path: str | Path, engine: str = "pdfplumber", document: Document | None = None,
            reader: str = "pdfplumber") -> Report:
    """One document through every stage, in memory. Never raises for a bad document: it comes back with
    status "failed" and the reason."""
    path = Path(path)
    doc = document or identify(path)
    if doc.status == "failed":
        return Report(doc)
    try:
        from poa.extract import NoTablesError, SourceError, extract
        from poa.normalize import normalize
        from poa.validate import validate

        try:
            extraction = extract(path, engine=engine, reader=reader)
        except (SourceError, NoTablesError) as e:
            return _failed(doc, str(e))
        except OSError as e:
            return _failed(doc, f"cannot read the file: {e.strerror or e}")
        return validate(normalize(extraction, doc))
    except Exception as e:  # a bug, or a file that breaks a library: recorded, the batch goes on
        return _failed(doc, f"{type(e).__name__}: {e}")


def _failed(doc: Document, reason: str) -> Report:
    doc.status, doc.error = "failed", reason
    return Report(doc)


def run(
    inputs: Iterable[str | Path],
    out: str | Path = "out",
    engine: str = "pdfplumber",
    *,
    reader: str = "pdfplumber",
    jobs: int | None = None,
    timeout: float = 600.0,
    force: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process every input (files, folders, globs) and write its tables under `out`; one Outcome per
    document. Documents already done by this pipeline version are skipped unless `force`."""
    from .batch import run_batch

    return run_batch(expand_inputs(inputs), Path(out), engine=engine, reader=reader, jobs=jobs, timeout=timeout, force=force,
                     on_start=on_start, on_done=on_done)
