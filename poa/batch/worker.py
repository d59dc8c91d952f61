"""The worker: a forked process that reads one document after another under its time and memory limits and
reports each back as a small message; how it is started, reaped, and why it died."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, Pipe
from pathlib import Path

from .. import limits as lim
from .. import pipeline
from ..core.options import Options
from ..limits import LimitExceeded, Limits
from ..version import pipeline_version
from .records import MIN_PAGE_BYTES, Batch, Done, Job, NotRead, PageRead, PagesFound, Read


def count_pages(path: Path) -> int | None:
    """The page count as early as it can be known (PDFium reads the page tree only, in milliseconds), so that
    the time limit grows with it from the start; None where PDFium cannot tell (the reader will say why)."""
    try:
        import pypdfium2 as pdfium

        with open(path, "rb") as f:
            pdf = pdfium.PdfDocument(f)
            try:
                return len(pdf)
            finally:
                pdf.close()
    except Exception:  # noqa: BLE001 - a damaged file: its reader gives the reason
        return None


def plausible_pages(pages: int, path: Path) -> int:
    """A page count fit for a time limit: a page tree cannot claim more pages than its file has bytes for."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return pages
    return max(0, min(pages, 1 + size // MIN_PAGE_BYTES))


def _private_tmp(run_tmp: Path) -> None:
    """The worker's own temp folder (removed by the parent when the worker ends, however it ends)."""
    d = run_tmp / str(os.getpid())
    d.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(d)
    os.environ["TMPDIR"] = str(d)


def _send(conn: Connection, msg: PagesFound | PageRead) -> None:
    """A message to the parent, never cut in half by a deadline's signal (the parent would read garbage)."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        conn.send(msg)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _settle(batch: Batch) -> None:
    """Make the child the batch's wherever it was forked: its temporary files carry the batch's run id (the
    batch removes them at its end), and on a Dask worker relative input names resolve from the batch's working
    folder, as they would in the batch's own process (the audit paper finds the PDF by its name)."""
    from poa.outputs.store import set_run_id

    set_run_id(batch.run_id)
    if batch.cwd:
        with suppress(OSError):  # a worker on a machine without that folder: absolute names still work
            os.chdir(batch.cwd)


def _serve(conn: Connection, batch: Batch, parent: int) -> None:
    """A worker: the documents the parent sends, one after another, each under its limits and each answered
    with one final message (`Done`). A None, or the parent gone, ends it."""
    lim.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops its workers
    try:
        _reserve_arrow()
        lim.limit_memory(batch.limits.max_memory)
        _private_tmp(batch.tmp)
        _settle(batch)
        broken = None
    except BaseException as e:  # noqa: BLE001 - said for the first document, and the worker is replaced
        broken = NotRead(f"{type(e).__name__}: {e}")
    born = lim.address_space(), lim.resident_memory()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        since, peak_is_this_documents = lim.resident_memory(), lim.reset_peak_memory()
        msg = broken or _document(conn, job, batch, since)
        _clear_private_tmp(batch.tmp)
        grown = max(0, lim.address_space() - born[0]), max(0, lim.resident_memory() - born[1])
        # where the peak cannot be reset, a worker ends after its document: the next one's peak (and the cause
        # of a death the parent reads from it) would mix in this one's
        conn.send(Done(msg, lim.peak_memory(), grown, peak_is_this_documents))


def _reserve_arrow() -> None:
    """pyarrow's allocator (mimalloc) reserves 1 GiB of address space on its first allocation. Made before the
    worker's limit is set, that reservation is part of what the worker starts with: its first document and
    its tenth have the same room under --max-memory."""
    import pyarrow as pa

    pa.allocate_buffer(1)


def _document(conn: Connection, job: Job, batch: Batch, since: int) -> Read | NotRead:
    """One document in a worker, under its time limit: Read or NotRead, never an exception. `since`: the
    worker's resident memory as the document began."""
    limits = batch.limits
    try:
        with lim.deadline(limits.seconds(None), limits.timeout_reason(None)) as budget:

            def on_pages(pages: int, ocr_pages: int = 0) -> None:
                pages = plausible_pages(pages, job.path)
                ocr_pages = min(ocr_pages, pages)
                _send(conn, PagesFound(pages, ocr_pages))
                budget.move(limits.seconds(pages, ocr_pages), limits.timeout_reason(pages, ocr_pages))

            watch = lim.WorkerWatch(limits.page_stall(), on_pages, lambda page: _send(conn, PageRead(page)))
            if (pages := count_pages(job.path)) is not None:
                watch.pages_known(pages)
            return _work(job, batch, watch, since)
    except LimitExceeded as e:
        return NotRead(str(e))
    except MemoryError as e:
        return NotRead(limits.memory_reason(f"MemoryError: {e}" if str(e) else "MemoryError"))
    except BaseException as e:  # noqa: BLE001 - even a failure to write is reported, never raised into the batch
        return NotRead(f"{type(e).__name__}: {e}")


def _work(job: Job, batch: Batch, watch: lim.WorkerWatch, since: int) -> Read | NotRead:
    from poa.outputs import write_report

    out, limits = batch.out, batch.limits
    report = pipeline.process(job.path, document=job.document, options=batch.options, corrections=list(job.corrections),
                     watch=watch)
    doc = report.document
    if doc.status == "failed" and lim.looks_out_of_memory(limits.max_memory, doc.error, since):
        doc = replace(doc, error=limits.memory_reason(doc.error))
        report = replace(report, document=doc)
    clock = time.monotonic()
    try:
        write_report(report, out, review=batch.review)
    except OSError as e:  # a full or unwritable DIR, found out mid-batch
        return NotRead(f"cannot write its outputs in {out}: {e.strerror or e}")
    stages = {**report.timings, "write": round(time.monotonic() - clock, 3)}
    return Read(doc, len(report.results), len(report.deviations), len(report.findings),
                sum(f.severity == "error" for f in report.findings), stages)


def _fork(batch: Batch) -> _Worker:
    """Start a worker for the batch (idle: documents are sent to it one at a time)."""
    ours, theirs = Pipe()
    parent = os.getpid()
    shared = lim.resident_memory()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the batch's code, never runs the parent's exit handlers
        code = 0
        try:
            ours.close()
            _serve(theirs, batch, parent)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    theirs.close()
    return _Worker(pid, ours, shared)


@dataclass
class _Worker:
    """A worker process, and the document in its hands (job None: idle)."""

    pid: int
    conn: Connection
    shared: int  # the parent's resident memory when it forked the worker, which the worker starts with
    index: int = -1
    job: Job | None = None
    started: float = 0.0
    pages: int | None = None
    ocr_pages: int = 0  # of those, pages the worker said it recognises by OCR (each with a larger time allowance)
    read: int = 0  # of those, pages read so far

    def take(self, index: int, job: Job) -> None:
        """Hand the worker a document (OSError: the worker is gone)."""
        self.conn.send(job)
        self.index, self.job, self.started = index, job, time.monotonic()
        self.pages, self.ocr_pages, self.read = None, 0, 0


def _clear_private_tmp(run_tmp: Path) -> None:
    """What a document left in the worker's temp folder (camelot's files) goes, before the next one."""
    shutil.rmtree(run_tmp / str(os.getpid()), ignore_errors=True)
    with suppress(OSError):  # a folder that cannot be made again: the next document's temp files say so
        _private_tmp(run_tmp)


def _reap(pid: int) -> tuple[int, int]:
    """Wait for a worker; its wait status and its peak resident memory in bytes."""
    try:
        _, status, usage = os.wait4(pid, 0)
    except ChildProcessError:
        return 0, 0
    return status, usage.ru_maxrss * 1024


def _death(status: int, growth: int, limits: Limits) -> str:
    """Why a worker that sent nothing back is gone, in plain words."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            how = f"signal {sig}, {signal.Signals(sig).name}"
        except ValueError:
            how = f"signal {sig}"
    else:
        how = f"exit status {os.WEXITSTATUS(status) if os.WIFEXITED(status) else status}"
    if growth >= limits.max_memory // 2:  # a C library that cannot allocate aborts (PDFium does): the limit did it
        return limits.memory_reason(f"the worker was stopped ({how}) after taking {lim.format_size(growth)}")
    return f"the worker died while reading this document ({how})"


WORKER_MODULES = (
    "numpy", "pyarrow", "pyarrow.parquet", "pandas", "PIL.Image", "PIL.PngImagePlugin",
    "rapidfuzz.fuzz", "rapidfuzz.process", "pypdfium2", "pypdfium2.raw",
    "poa.extract", "poa.extract.engines.geometry", "poa.extract.readers.pdfium", "poa.extract.readers.plumber",
    "poa.normalize", "poa.normalize.corrections", "poa.validate", "poa.outputs.parquet", "poa.outputs.store",
    "poa.outputs.writer", "poa.outputs.audit",
    "poa.outputs.xlsx", "poa.outputs.review", "poa.outputs.pages",
)


def preload(options: Options | None = None) -> None:
    """Import what every document needs once, in the parent, so that forked children start warm (a module a
    worker imports itself costs every document). Where scans may be recognised, OpenCV too: its libraries
    map ~0.3 GiB of address space, which a worker would otherwise count against its --max-memory on the first
    scanned page."""

    options = options or Options()
    for name in WORKER_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional piece missing here: the worker will say so for its document
            pass
    pipeline_version()
    if options.engine == "camelot":
        importlib.import_module("camelot")
    if options.gx:
        from poa.validate.expectations import gx_context

        gx_context()
    if options.ocr != "never":
        import poa.extract.ocr.orient  # noqa: F401 - OpenCV and numpy


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
