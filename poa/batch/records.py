"""What a batch hands its workers and gets back: a document to read (`Job`), the batch's settings every
worker shares (`Batch`), and what became of a document (`Outcome`)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..core.options import Options
from ..core.records import Document
from ..limits import Limits

GRACE = 5.0  # seconds past its time limit the parent gives a worker to report it itself before killing it
MIN_PAGE_BYTES = 100  # a page counted for the time limit needs at least this much of the file (a lying page tree gets no hours)


@dataclass
class Outcome:
    document: Document
    results: int = 0
    deviations: int = 0
    findings: int = 0
    errors: int = 0  # findings of severity error
    skipped: bool = False  # done by an earlier run of this pipeline version, or the same bytes as another input
    redone: str | None = None  # why a document done before was read again (another reader, new corrections…)
    seconds: float = 0.0
    memory: int = 0  # peak resident memory of its worker, bytes (0: no worker ran), shared pages included
    stages: dict[str, float] = field(default_factory=dict)  # seconds each stage took (extract … write), as read


@dataclass(frozen=True)
class Job:
    path: Path
    document: Document  # doc_id and hash known before the work starts
    corrections: tuple = ()  # the document's corrections (`poa.core.corrections.Correction`)
    redone: str | None = None  # why it is read again, when it was done before


@dataclass(frozen=True)
class Batch:
    """What every document of a batch is run with and where its child writes: small and picklable, so that a
    Dask task carries it to another machine."""

    out: Path
    options: Options
    review: str
    limits: Limits
    run_id: str  # in the names of the temporary files, so that this batch (or a later one) can remove them
    tmp: Path  # the children's private temp folders go under it
    cwd: str | None = None  # on a Dask worker: the batch's working folder, where relative input names resolve

    def worker_gone(self, pid: int, cleanly: bool) -> None:
        """A child ended: its temp folder goes; if it did not end cleanly, so do its half-written files."""
        shutil.rmtree(self.tmp / str(pid), ignore_errors=True)
        if not cleanly:
            from poa.outputs.store import remove_temporaries

            remove_temporaries(self.out, self.run_id, pid)


# The batch's progress in pages: progress(pages read, pages found), each a change since the last call.
Progress = Callable[[int, int], None]


# ------------------------------------------------------------------ what a worker tells the batch, as it reads


@dataclass(frozen=True)
class PagesFound:
    """The worker knows how many pages its document has (of them, how many it recognises by OCR): its time limit
    grows with them."""

    pages: int
    ocr_pages: int = 0


@dataclass(frozen=True)
class PageRead:
    """One more page read: the progress bar moves, and the page watch knows the worker is not stuck."""

    page: int


@dataclass(frozen=True)
class Read:
    """A document read and written: its row, its counts and each stage's seconds."""

    document: Document
    results: int
    deviations: int
    findings: int
    errors: int
    stages: dict[str, float]


@dataclass(frozen=True)
class NotRead:
    """A document the worker could not read or write (a limit, a crash the pipeline did not catch): why."""

    reason: str


@dataclass(frozen=True)
class Done:
    """The worker's last word on a document: what it came to, its peak resident memory, how far its address
    space and resident memory have grown since the worker started, and whether it may take another."""

    result: Read | NotRead
    peak: int
    grown: tuple[int, int]
    reusable: bool
