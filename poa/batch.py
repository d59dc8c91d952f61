"""Many documents at once: each under a time and a memory limit in a worker process, several at a time,
resumable.

A worker is a forked process that takes one document after another: it writes each document's Parquet
(atomically, the `documents` row last) and reports back a small summary. A worker that crashes, runs out of
its memory limit, goes past its time limit (which grows with the page count the worker reports as soon as it
knows it) or is killed takes only its own document down: the parent records it as failed, removes what that
worker left half-written, and starts a fresh worker for the next. So does a worker whose document failed. A
worker dies with its parent, so a killed batch leaves no orphan. A document whose `documents` row says it
was done by this pipeline version is skipped on the next run, so a killed batch resumes where it stopped.

Each batch has a run id, recorded in DIR/.poa/run-<id>.json while it runs and put in the names of the
temporary files it writes; at its start it removes the temporary files of dead runs only, at its end its own.

Two executors run the documents, with one code path for a document (`run_job`: a forked worker under its
limits, watched until it ends): `local` keeps `--jobs` workers busy from the batch's own process; `dask`
sends each document as a task to a Dask distributed cluster, where the task forks the worker from the Dask
worker (`run_task`). Everything else (hashing, skipping, copies, the run record, the summary) stays in the
batch's process either way.
"""

from __future__ import annotations

import gc
import json
import os
import re
import secrets
import shutil
import signal
import socket
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from . import limits as lim
from . import log
from .core import errors
from .core.options import EXECUTORS, READERS, Options
from .core.records import Document, Report
from .limits import LimitExceeded, Limits
from .pipeline import UsageError, expand_inputs, identify

if TYPE_CHECKING:  # imported for real only by --executor dask
    from distributed import Client, Future, LocalCluster

GRACE = 5.0  # seconds past its time limit the parent gives a worker to report it itself before killing it
MIN_PAGE_BYTES = 100  # a page counted for the time limit needs at least this much of the file (a lying page tree gets no hours)
CONNECT_TIMEOUT = 5.0  # seconds to reach a Dask scheduler before --dask is a usage error


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


def earlier(out: Path, doc: Document, statuses: tuple[str, ...] = ("ok", "review")) -> dict | None:
    """The documents row an earlier run wrote for this document, if it ended it so (default: finished it, ok
    or review)."""
    from poa.outputs.store import read_poa_file

    table = read_poa_file(out / "documents" / f"{doc.doc_id}.parquet")  # a foreign or corrupt file: not done
    try:
        row = table.to_pylist()[0] if table is not None else {}
    except Exception:  # noqa: BLE001 - a row that cannot be read was not written by this version
        return None
    return row if row.get("status") in statuses else None


def failed_before(out: Path, doc: Document, options: Options | None = None, corrections: str = "") -> Document | None:
    """The earlier run's document where it failed this document with this pipeline version, these options and
    these corrections: the same bytes would fail the same way (`--retry-failed` tries anyway: Tesseract
    installed since, higher limits). Its corrections changed, it is tried again, to say what became of them."""
    row = earlier(out, doc, ("failed",))
    if row is None or row.get("pipeline_version") != doc.pipeline_version or (row.get("corrections") or "") != corrections:
        return None
    if (options or Options()).differences(row.get("engine"), row.get("reader"), row.get("ocr"), row.get("gx"),
                                          row.get("template")):
        return None
    return _document_of(row)


def _document_of(row: dict) -> Document | None:
    """A documents row as the Document that wrote it; None for a row this version did not write."""
    try:
        fields = {k: v for k, v in row.items() if k in Document.__dataclass_fields__}
        for k in ("expected_date", "obtained_date"):
            fields[k] = fields[k].isoformat() if fields.get(k) else None
        if isinstance(fields.get("quality"), dict):
            fields.pop("quality")
        return Document(**fields)
    except Exception:  # noqa: BLE001 - a row that does not make a Document was not written by this version
        return None


def already_done(out: Path, doc: Document, options: Options | None = None,
                 corrections: str = "") -> tuple[Document | None, str | None]:
    """(the earlier run's document, None) when it finished this document with this pipeline version, these
    options and these corrections: nothing to do; else (None, why it must be read again), the reason None
    for a document never finished."""
    row = earlier(out, doc)
    if row is None:
        return None, None
    why = []
    if row.get("pipeline_version") != doc.pipeline_version:
        why.append(f"poa {row.get('pipeline_version')} before, now {doc.pipeline_version}")
    why += (options or Options()).differences(row.get("engine"), row.get("reader"), row.get("ocr"), row.get("gx"),
                                              row.get("template"))
    if (row.get("corrections") or "") != corrections:
        why.append("its corrections changed")
    if row.get("status") in ("ok", "review"):
        from poa.outputs.store import ORDER

        lost = [name for name in ORDER if not (out / name / f"{doc.doc_id}.parquet").is_file()]
        if lost:
            why.append(f"its {', '.join(lost)} table{'s are' if len(lost) > 1 else ' is'} missing")
    if why:
        return None, "; ".join(why)
    done = _document_of(row)
    return (done, None) if done is not None else (None, "its earlier outputs cannot be read back")


# ------------------------------------------------------------------ the run record and temporary files


def _proc_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), to tell it from a later process with its pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(record: dict) -> bool:
    """Whether the run a record describes may still be writing (when in doubt: yes)."""
    if record.get("host") != socket.gethostname():
        return True  # another machine's run on a shared folder: its processes cannot be checked from here
    pid = record.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = _proc_start(pid)
    return started is None or started == record.get("started")


class Run:
    """One batch's identity in DIR: its record, its temporary files, its workers' private temp folders."""

    def __init__(self, out: Path):
        from poa.outputs.store import set_run_id

        self.out = out
        self.id = secrets.token_hex(6)
        self.record = out / ".poa" / f"run-{self.id}.json"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"poa-{self.id}-"))  # workers' TMPDIR: camelot's files etc.
        set_run_id(self.id)

    def start(self) -> None:
        """Take DIR for this run (UsageError while another run writes in it), record the run, then clean what
        dead runs left."""
        self.record.parent.mkdir(exist_ok=True)
        self._lock = _take(self.out / ".poa" / LOCK)
        self.record.write_text(json.dumps({"run_id": self.id, "pid": os.getpid(), "host": socket.gethostname(),
                                           "started": _proc_start(os.getpid()), "tmp": str(self.tmp)}),
                               encoding="utf-8")
        clean_dead_runs(self.out, keep=self.id)

    def end(self) -> None:
        """Remove this run's temporary files, temp folder and record (what cannot be removed now, the next
        run will: the record says the run is over once its process is gone)."""
        from poa.outputs.store import remove_temporaries

        remove_temporaries(self.out, self.id)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if getattr(self, "_lock", None) is not None:  # the file first, then the lock: see `_take`
            with suppress(OSError):
                (self.out / ".poa" / LOCK).unlink()
            os.close(self._lock)  # the lock goes with its last descriptor (a worker still ending holds a copy)
            self._lock = None
        try:
            self.record.unlink(missing_ok=True)
            self.record.parent.rmdir()  # only if no other run's record is there
        except OSError:
            pass


_RECORD = re.compile(r"^run-([0-9a-f]{12})\.json$")
LOCK = "lock"  # DIR/.poa/lock: held (flock) by the one run writing in DIR; the kernel lets it go with its process


def _take(path: Path) -> int:
    """The lock on DIR, as an open descriptor to keep: one run writes in a folder at a time, so that no
    interleaving of two leaves a document `ok` without its tables. UsageError naming the run that holds it."""
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                owner = json.loads(os.pread(fd, 4096, 0) or b"{}")
            except ValueError:
                owner = {}
            os.close(fd)
            who = f"pid {owner.get('pid', '?')} on {owner.get('host', '?')}" if owner else "another process"
            raise UsageError(f"--out {path.parent.parent}: another poa run ({who}) is writing in this folder: wait "
                             "for it to end, or give another --out") from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the run that held it removes the file as it ends: a lock on a file no longer there is none
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname()}).encode(), 0)
    return fd


def clean_dead_runs(out: Path, keep: str = "") -> None:
    """The temporary files (and temp folders) of runs recorded in DIR/.poa/ whose process is gone. A file
    is removed only if its name carries a dead run's id in poa's pattern, in one of poa's folders: never a
    user's `notes/.draft.tmp`, never a live run's file."""
    from poa.outputs.store import remove_temporaries

    try:
        entries = list(os.scandir(out / ".poa"))
    except OSError:
        return
    for e in entries:
        m = _RECORD.match(e.name)
        if not m or m[1] == keep:
            continue
        try:
            record = json.loads(Path(e.path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict) or record.get("run_id") != m[1] or _alive(record):
            continue
        remove_temporaries(out, m[1])
        tmp = Path(str(record.get("tmp", "")))
        if tmp.name.startswith(f"poa-{m[1]}-") and tmp.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(tmp, ignore_errors=True)
        Path(e.path).unlink(missing_ok=True)


# ------------------------------------------------------------------ the worker


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


def _send(conn: Connection, msg: tuple) -> None:
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
    with one final message: ("end", outcome, its peak resident memory, how far the worker's address space and
    resident memory have grown since it started, whether it may take another). A None, or the parent gone,
    ends it."""
    lim.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops its workers
    try:
        _reserve_arrow()
        lim.limit_memory(batch.limits.max_memory)
        _private_tmp(batch.tmp)
        _settle(batch)
        broken = None
    except BaseException as e:  # noqa: BLE001 - said for the first document, and the worker is replaced
        broken = ("error", f"{type(e).__name__}: {e}")
    born = lim.address_space(), lim.resident_memory()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        peak_is_this_documents = lim.reset_peak_memory()
        msg = broken or _document(conn, job, batch)
        _clear_private_tmp(batch.tmp)
        grown = max(0, lim.address_space() - born[0]), max(0, lim.resident_memory() - born[1])
        # where the peak cannot be reset, a worker ends after its document: the next one's peak (and the cause
        # of a death the parent reads from it) would mix in this one's
        conn.send(("end", msg, lim.peak_memory(), grown, peak_is_this_documents))


def _reserve_arrow() -> None:
    """pyarrow's allocator (mimalloc) reserves 1 GiB of address space on its first allocation. Made before the
    worker's limit is set, that reservation is part of what the worker starts with: its first document and
    its tenth have the same room under --max-memory."""
    import pyarrow as pa

    pa.allocate_buffer(1)


def _document(conn: Connection, job: Job, batch: Batch) -> tuple:
    """One document in a worker, under its time limit: ("ok", …) or ("error", reason), never an exception."""
    limits = batch.limits
    try:
        with lim.deadline(limits.seconds(None), limits.timeout_reason(None)) as budget:

            def on_pages(pages: int, ocr_pages: int = 0) -> None:
                pages = plausible_pages(pages, job.path)
                ocr_pages = min(ocr_pages, pages)
                _send(conn, ("pages", pages, ocr_pages))
                budget.move(limits.seconds(pages, ocr_pages), limits.timeout_reason(pages, ocr_pages))

            lim.watch_pages(limits.page_stall(), on_pages, lambda page: _send(conn, ("read", page)))
            if (pages := count_pages(job.path)) is not None:
                lim.pages_known(pages)
            return _work(job, batch)
    except LimitExceeded as e:
        return ("error", str(e))
    except MemoryError as e:
        return ("error", limits.memory_reason(f"MemoryError: {e}" if str(e) else "MemoryError"))
    except BaseException as e:  # noqa: BLE001 - even a failure to write is reported, never raised into the batch
        return ("error", f"{type(e).__name__}: {e}")


def _work(job: Job, batch: Batch) -> tuple:
    from poa.outputs import write_report

    from .pipeline import process

    out, limits = batch.out, batch.limits
    report = process(job.path, document=job.document, options=batch.options, corrections=list(job.corrections))
    doc = report.document
    if doc.status == "failed" and lim.looks_out_of_memory(limits.max_memory, doc.error):
        doc.error = limits.memory_reason(doc.error)
    clock = time.monotonic()
    try:
        write_report(report, out, review=batch.review)
    except OSError as e:  # a full or unwritable DIR, found out mid-batch
        return ("error", f"cannot write its outputs in {out}: {e.strerror or e}")
    stages = {**report.timings, "write": round(time.monotonic() - clock, 3)}
    return ("ok", doc, len(report.results), len(report.deviations), len(report.findings),
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


# ------------------------------------------------------------------ the parent


def _failed(out: Path, doc: Document, reason: str) -> Outcome:
    """A failed documents row. If DIR cannot take even that, the outcome still says failed, and why."""
    from poa.outputs import write_report

    doc = replace(doc, status="failed", error=reason)
    try:
        write_report(Report(doc), out)
    except Exception as e:  # noqa: BLE001 - a full disk must not end the batch in a traceback
        doc = replace(doc, error=f"{reason} (not recorded in {out}: {getattr(e, 'strerror', None) or e})")
    return Outcome(doc)


# What a worker imports to read, check and write a document. Imported once in the parent, before the workers
# are forked, so that no worker pays for them: an import left to the workers is paid by each worker, and a
# worker is started for every failed document (a second or so, a 20-page report's whole time).
WORKER_MODULES = (
    "numpy", "pyarrow", "pyarrow.parquet", "pandas", "PIL.Image", "PIL.PngImagePlugin",
    "rapidfuzz.fuzz", "rapidfuzz.process", "pypdfium2", "pypdfium2.raw",
    "poa.extract", "poa.extract.engines.plumber", "poa.extract.readers.pdfium", "poa.extract.readers.plumber",
    "poa.normalize", "poa.normalize.corrections", "poa.validate", "poa.outputs.parquet", "poa.outputs.store",
    "poa.outputs.writer", "poa.outputs.audit",
    "poa.outputs.xlsx", "poa.outputs.review", "poa.outputs.pages",
)


def preload(options: Options | None = None) -> None:
    """Import what every document needs once, in the parent, so that forked children start warm (a module a
    worker imports itself costs every document). Where scans may be recognised, OpenCV too: its libraries
    map ~0.3 GiB of address space, which a worker would otherwise count against its --max-memory on the first
    scanned page."""
    import importlib

    from .version import pipeline_version

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


def check_limits(timeout: float, page_timeout: float, max_memory: int | str) -> Limits:
    """The limits, or UsageError saying which one makes no sense."""
    try:
        seconds = lim.check_seconds(timeout, "--timeout"), lim.check_seconds(page_timeout, "page_timeout")
    except ValueError as e:
        raise UsageError(str(e)) from None
    try:
        limits = Limits(*seconds, lim.parse_size(max_memory))
    except ValueError as e:
        raise UsageError(f"--max-memory: {e}") from None
    if limits.max_memory < lim.MIN_MAX_MEMORY:
        raise UsageError(f"--max-memory {lim.format_size(limits.max_memory)} is too small: a report takes about "
                         f"0.2 GiB, camelot's engine 0.7 GiB; give at least {lim.format_size(lim.MIN_MAX_MEMORY)}")
    return limits


def check_options(options: Options, review: str) -> None:
    """Options poa knows, or UsageError."""
    from .core.options import REVIEW_PAGES

    try:
        options.check()
    except ValueError as e:
        raise UsageError(str(e)) from None
    if review not in REVIEW_PAGES:
        raise UsageError(f"--review {review!r}: choose one of {', '.join(REVIEW_PAGES)}")


def check_out(out: Path) -> None:
    """DIR can hold the outputs (it is a folder, or can be made one, and can be written), or UsageError."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file, not a folder")
    if out.is_symlink() and not out.exists():
        raise UsageError(f"--out {out}: is a link to {os.readlink(out)}, which does not exist (make that folder, or "
                         "give another)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {out}: cannot create the folder: {e.strerror or e}") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".poa-write-test-", suffix=".tmp", dir=out)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UsageError(f"--out {out}: cannot write in the folder: {e.strerror or e}") from None


def run_batch(
    paths: Iterable[Path],
    out: Path,
    options: Options | None = None,
    *,
    review: str = "doubtful",
    jobs: int | None = None,
    timeout: float = lim.DEFAULT_TIMEOUT,
    page_timeout: float = lim.DEFAULT_PAGE_TIMEOUT,
    max_memory: int | str = lim.DEFAULT_MAX_MEMORY,
    force: bool = False,
    retry_failed: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_pages: Progress | None = None,
    executor: str | None = None,
    dask: str | None = None,
) -> list[Outcome]:
    """Process every path; return one Outcome per path, in the order given. Usage errors (UsageError) are
    raised before anything is written. A document done before is skipped only when it was done by this
    pipeline version with these options and its current corrections (OUT/corrections.csv); otherwise it is
    read again and its Outcome says why. A document that failed with this pipeline version and these options
    is not tried again unless `retry_failed` (or `force`): its Outcome is that failure, skipped. Skipped documents
    get the review page `review` asks for where they have none. After the batch: the audit index, the duplicate marks and
    datapackage.json describe the whole folder.

    `executor`: "local" (forked workers, `jobs` at a time) or "dask" (tasks on the Dask scheduler at the
    address `dask`, or on a LocalCluster of `jobs` worker processes started for the batch); default: "dask"
    when an address is given, else "local". With Dask, OUT must be a folder every worker sees."""
    options = options or Options()
    limits = check_limits(timeout, page_timeout, max_memory)
    check_options(options, review)
    out = Path(out)
    jobs = max(1, jobs or os.cpu_count() or 1)
    with executor_for(executor, dask, jobs, on_pages) as execute:  # a scheduler that cannot be reached: nothing written
        check_out(out)
        return _batch([Path(p) for p in paths], out, options, review, limits, (force, retry_failed), execute,
                      on_start, on_done)


def run(
    inputs: Iterable[str | Path],
    out: str | Path = "out",
    engine: str = "pdfplumber",
    *,
    reader: str = READERS[0],
    ocr: str = "auto",
    gx: bool = False,
    template: str | None = None,
    review: str = "doubtful",
    jobs: int | None = None,
    timeout: float = lim.DEFAULT_TIMEOUT,
    page_timeout: float = lim.DEFAULT_PAGE_TIMEOUT,
    max_memory: int | str = lim.DEFAULT_MAX_MEMORY,
    force: bool = False,
    retry_failed: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    on_pages: Callable[[int, int], None] | None = None,
    executor: str | None = None,
    dask: str | None = None,
) -> list[Outcome]:
    """Process every input (files, folders, globs) and write its tables under `out`; one Outcome per
    document. A document already done by this pipeline version, with the same options and corrections, is
    skipped unless `force`; one done otherwise is read again, and its Outcome says why. A document that failed
    with this pipeline version and these options is not tried again (its Outcome is the failure, skipped) unless
    `retry_failed` or `force`: a re-run after a correction does not spend minutes failing the same scan again.

    `engine`, `reader`, `ocr`, `gx`, `template`: how documents are read and checked (`poa.core.options`). `review`: which
    documents get a review page (doubtful: in review, read by OCR or corrected; all; none).
    Each document runs in a worker limited to `timeout` seconds plus `page_timeout` for each of its pages
    (more for pages read by OCR) and to `max_memory` bytes of address space (an int, or a size such as
    "2G"). Corrections come from `out/corrections.csv`. Raises UsageError, having written nothing, for inputs
    that name nothing, an output folder that cannot be written, and options or limits that make no sense.

    `on_start(documents, to_do)`, `on_done(outcome)` and `on_pages(read, found)` (pages read and pages found,
    each a change since the last call) follow the batch, e.g. for a progress bar.

    `executor`: "local" (the default without `dask`): forked workers, `jobs` at a time, on this machine;
    "dask" (the default with `dask`): each document a task on the Dask scheduler at the address `dask`
    ("tcp://host:8786"), or with no address on a LocalCluster of `jobs` processes started for the run. The
    outputs, the skipping and the limits are the same; with Dask, `out` (and the inputs) must be folders every
    worker sees at the same path. Dask not installed, or a scheduler out of reach, is a UsageError."""
    return run_batch(expand_inputs(inputs, Path(out)), Path(out), Options(engine, reader, ocr, gx, template),
                     review=review, jobs=jobs, timeout=timeout, page_timeout=page_timeout, max_memory=max_memory, force=force,
                     retry_failed=retry_failed, on_start=on_start, on_done=on_done, on_pages=on_pages, executor=executor, dask=dask)


def _batch(paths: list[Path], out: Path, options: Options, review: str, limits: Limits, again: tuple[bool, bool],
           execute: Execute, on_start: Callable[[int, int], None] | None,
           on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
    """run_batch once its arguments are checked: identify, skip, run the rest with `execute`, describe."""
    from .core import corrections as fixes

    outcomes: dict[int, Outcome] = {}
    pending: list[tuple[int, Job]] = []
    first: dict[str, int] = {}  # sha256 -> index of the first input with those bytes
    copies: dict[int, list[int]] = {}  # that index -> the later inputs with the same bytes
    force, retry_failed = again
    started = time.monotonic()
    docs = [identify(p, limits.timeout) for p in paths]
    try:
        corrections = fixes.load(out)
    except (OSError, ValueError, TypeError) as e:
        raise UsageError(f"{out / fixes.FILE}: cannot be read as a corrections file: {e}") from None
    run = _start_run(out)
    try:

        def done(i: int, o: Outcome) -> None:
            outcomes[i] = o
            log_outcome(o)
            if on_done:
                on_done(o)
            for k in copies.pop(i, []):
                done(k, _copy_outcome(o, docs[k]))

        known: list[tuple[int, Outcome]] = []
        for i, (path, doc) in enumerate(zip(paths, docs)):
            if doc.status == "failed":
                known.append((i, _failed(out, doc, doc.error)))
                continue
            if doc.sha256 in first:
                copies.setdefault(first[doc.sha256], []).append(i)  # the same bytes under another name: done once
                continue
            first[doc.sha256] = i
            mine = tuple(fixes.for_document(corrections, doc.doc_id))
            prior, why = already_done(out, doc, options, fixes.fingerprint(list(mine)))
            failed = failed_before(out, doc, options, fixes.fingerprint(list(mine))) if prior is None and why is None else None
            if prior is not None and not force:
                known.append((i, Outcome(prior, skipped=True)))
            elif failed is not None and not (force or retry_failed):
                known.append((i, Outcome(replace(failed, source_path=doc.source_path), skipped=True)))
            else:
                again = "--force" if prior is not None else "it failed before (--retry-failed)" if failed else why
                pending.append((i, Job(path, doc, mine, again)))
        log.event("run_start", out=str(out), inputs=len(paths), to_do=len(pending), engine=options.engine,
                  reader=options.reader, ocr=options.ocr, template=options.template, run=run.id)
        if on_start:
            on_start(len(paths), len(pending))
        for i, o in known:
            done(i, o)
        if pending:
            execute(pending, Batch(out, options, review, limits, run.id, run.tmp), done)
        skipped = [o.document.doc_id for o in outcomes.values() if o.skipped and o.document.read]
        if review != "none" and skipped:
            from poa.outputs.review import missing_pages

            missing_pages(out, skipped, review)
        describe_folder(out)
    finally:
        run.end()
        states = [o.document.status for o in outcomes.values()]
        log.event("run_end", out=str(out), documents=len(states), ok=states.count("ok"), review=states.count("review"),
                  failed=states.count("failed"), skipped=sum(o.skipped for o in outcomes.values()),
                  seconds=round(time.monotonic() - started, 3))
    return [outcomes[i] for i in sorted(outcomes)]


def log_outcome(o: Outcome) -> None:
    """A document's line in the run's log: what it came to, why, and what it took."""
    d = o.document
    log.event("document", doc_id=d.doc_id, path=d.source_path, status=d.status, error_code=errors.classify(d.error),
              error=d.error, review_codes=d.quality.review_codes, pages=d.pages, results=o.results,
              findings=o.findings, skipped=o.skipped, redone=o.redone, seconds=round(o.seconds, 3),
              memory=o.memory, stages=o.stages)


def describe_folder(out: Path) -> None:
    """What a batch leaves about the whole folder: the audit index, the marks of reports seen twice, and
    datapackage.json. A full disk here costs these, not the documents' own outputs."""
    from poa.outputs import write_index
    from poa.outputs.datapackage import write_datapackage
    from poa.outputs.duplicates import mark_duplicates

    from .version import pipeline_version

    for name, step in (("duplicates", mark_duplicates), ("index", write_index),
                       ("datapackage", lambda o: write_datapackage(o, pipeline_version()))):
        try:
            step(out)
        except Exception as e:  # noqa: BLE001 - the documents rows say what matters
            log.warning("folder_not_described", out=str(out), step=name, error=f"{type(e).__name__}: {e}")


def _start_run(out: Path) -> Run:
    """This batch's record in DIR, or UsageError if DIR (or the temp folder) cannot take even that."""
    run = None
    try:
        run = Run(out)
        run.start()
    except OSError as e:
        if run is not None:
            run.end()
        raise UsageError(f"--out {out}: cannot write in the folder: {e.strerror or e}") from None
    except UsageError:
        run.end()
        raise
    return run


def _copy_outcome(o: Outcome, doc: Document) -> Outcome:
    """The outcome of an input with the same bytes as another: that one's, under its own name."""
    original = o.document
    if original.read:
        return Outcome(replace(original, source_path=doc.source_path), skipped=True)
    return Outcome(replace(original, source_path=doc.source_path,
                           error=f"{original.error} (the same bytes as {original.source_path})"))


# The batch's progress in pages: progress(pages read, pages found), each a change since the last call.
Progress = Callable[[int, int], None]



def worn(grown: tuple[int, int], limits: Limits) -> bool:
    """Whether a worker has kept so much after its documents that the next one would start short of its
    --max-memory: a quarter of it, in address space or held resident (a worker keeps some 10 and 40 MiB)."""
    address_space, resident = grown
    return address_space > limits.max_memory // 4 or resident > limits.max_memory // 4


def _work_through(pending: list[tuple[int, Job]], batch: Batch, jobs: int, done: Callable[[int, Outcome], None],
                  progress: Progress | None = None) -> None:
    """Run the pending jobs, `jobs` workers at a time, each document under its limits; `progress` hears of
    pages as the workers read them.

    A worker takes one document after another: a fork per document cost each one its copy-on-write faults
    (some 7,000 pages of the parent's memory touched again) and its exit, about a tenth of a 20-page report's
    time. A worker that ran into a limit or an error of its own, or that has grown large, is replaced by a
    fresh one (a document the pipeline itself found unreadable leaves its worker as it was: 5,000 tiny failing
    files are not 5,000 forks); one that dies or overruns takes only its own document down."""
    busy: dict[Connection, _Worker] = {}
    idle: list[_Worker] = []
    alive: dict[int, _Worker] = {}  # every worker not yet reaped, whatever happens in between
    retried: set[int] = set()  # documents handed to a fresh worker after theirs died before starting them
    pending = list(reversed(pending))
    out, limits = batch.out, batch.limits
    tell = progress or (lambda read, found: None)
    gc.collect()
    gc.freeze()  # what the parent holds now (the modules every worker uses) out of the collector's sight: a
    # collection in a worker would touch, and so copy, every one of those objects. Once a batch, and undone at
    # its end: what the parent makes later, and after, is collected as usual.

    def start() -> _Worker:
        w = _fork(batch)
        alive[w.pid] = w
        return w

    def stop(w: _Worker) -> None:
        """End an idle worker: it exits when told, its temp folder goes."""
        alive.pop(w.pid, None)
        with suppress(OSError):
            w.conn.send(None)
        w.conn.close()
        _reap(w.pid)
        batch.worker_gone(w.pid, cleanly=True)

    def lost(w: _Worker, reason: str | None = None) -> None:
        """A worker gone before its final message (dead, cut off mid-message, or past its time: `reason`);
        killed first, should it still be running."""
        alive.pop(w.pid, None)
        busy.pop(w.conn, None)
        _kill(w.pid)
        w.conn.close()
        status, peak = _reap(w.pid)
        batch.worker_gone(w.pid, cleanly=False)
        if w.job is None:
            return
        if reason is None and w.pages is None and w.index not in retried:
            # dead before it so much as counted the document's pages (killed while it waited for it, say): the
            # document is not the likely cause, and a fresh worker tries it once more
            retried.add(w.index)
            pending.append((w.index, w.job))
            return
        end(w, _failed(out, w.job.document, reason or _death(status, peak - w.shared, limits)), peak)

    def end(w: _Worker, o: Outcome, memory: int) -> None:
        o.seconds, o.memory, o.redone = time.monotonic() - w.started, memory, w.job.redone
        tell((w.pages or 0) - w.read, 0)  # a document that ended early: its pages are done with all the same
        w.job = None
        done(w.index, o)

    def finish(w: _Worker, msg: tuple) -> None:
        del busy[w.conn]
        _, result, memory, grown, reusable = msg
        if result[0] == "error":
            o = _failed(out, w.job.document, result[1])
        else:
            _, doc, n_results, n_devs, n_findings, n_errors, stages = result
            o = Outcome(doc, n_results, n_devs, n_findings, n_errors, stages=stages)
        idle.append(w)  # until its outcome is recorded: a worker is always somewhere the batch's end finds it
        end(w, o, memory)
        if result[0] == "error" or worn(grown, limits) or not reusable:
            idle.remove(w)
            stop(w)  # a fresh worker for the next document: nothing of this one's trouble carries over

    try:
        while pending or busy:
            while pending and len(busy) < jobs:
                i, job = pending.pop()
                fresh = not idle
                w = idle.pop() if idle else start()
                try:
                    w.take(i, job)
                except OSError:
                    lost(w)
                    if fresh:  # not even a new worker takes it
                        done(i, _failed(out, job.document, "no worker could be started for it"))
                    else:  # the worker died while idle: the document goes to another
                        pending.append((i, job))
                    continue
                busy[w.conn] = w
            for conn in wait(list(busy), timeout=0.2):
                w = busy[conn]
                try:
                    msg = conn.recv()
                except Exception:  # noqa: BLE001 - the worker died (EOF) or was cut off mid-message
                    msg = None
                if isinstance(msg, tuple) and msg and msg[0] == "pages":
                    tell(0, msg[1] - (w.pages or 0))
                    w.pages, w.ocr_pages = msg[1], msg[2]
                elif isinstance(msg, tuple) and msg and msg[0] == "read":
                    if w.read < (w.pages or 0):
                        w.read += 1
                        tell(1, 0)
                elif isinstance(msg, tuple) and len(msg) == 5 and msg[0] == "end":
                    finish(w, msg)
                else:
                    lost(w)
            now = time.monotonic()
            for w in list(busy.values()):
                if now - w.started > limits.seconds(w.pages, w.ocr_pages) + GRACE:  # stuck where its own deadline cannot reach
                    _kill(w.pid)
                    lost(w, limits.timeout_reason(w.pages, w.ocr_pages))
    finally:
        for w in list(alive.values()):  # interrupted (Ctrl-C, a callback's error): no worker outlives the batch
            if w.job is None and any(x is w for x in idle):
                stop(w)
            else:
                alive.pop(w.pid, None)
                _kill(w.pid)
                _reap(w.pid)
                batch.worker_gone(w.pid, cleanly=False)
                w.conn.close()
        gc.unfreeze()


def largest_first(pending: list[tuple[int, Job]]) -> list[tuple[int, Job]]:
    """The jobs by file size, largest first: the batch does not end on one long document started last while
    the other workers wait (the outcomes are reported by their index, in the inputs' order, all the same)."""

    def size(item: tuple[int, Job]) -> int:
        try:
            return os.stat(item[1].path).st_size
        except OSError:
            return 0

    return sorted(pending, key=size, reverse=True)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_job(job: Job, batch: Batch) -> Outcome:
    """One document start to end, as the local batch runs each of its documents: in a forked child under its
    limits, watched until it reports, dies or overruns. What a Dask task does with its document."""
    got: list[Outcome] = []
    _work_through([(0, job)], batch, 1, lambda _i, o: got.append(o))
    return got[0]


# ------------------------------------------------------------------ executors: local workers or a Dask cluster

# How a batch runs its pending jobs: execute(pending, batch, done), calling done(index, outcome) as each ends.
Execute = Callable[[list[tuple[int, Job]], Batch, Callable[[int, Outcome], None]], None]


@contextmanager
def executor_for(executor: str | None, address: str | None, jobs: int,
                 progress: Progress | None = None) -> Iterator[Execute]:
    """The executor named (default: dask when a scheduler address is given, else local), open for the batch
    and closed after it; UsageError, before anything is written, for one that cannot run. `progress` hears
    of pages as they are read (local workers only: a Dask task reports its document when it ends)."""
    executor = executor or ("dask" if address else "local")
    if executor not in EXECUTORS:
        raise UsageError(f"--executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    if executor == "local":
        if address:
            raise UsageError(f"--dask {address}: a Dask scheduler is for --executor dask, not local")

        def local(pending: list[tuple[int, Job]], batch: Batch, done: Callable[[int, Outcome], None]) -> None:
            preload(batch.options)
            _work_through(largest_first(pending), batch, jobs, done, progress)

        yield local
        return
    dask = DaskExecutor(address, jobs)
    try:
        yield dask.execute
    finally:
        dask.close()


class DaskExecutor:
    """The Dask side of a batch: a client of the scheduler at `address` (reached at once, so that a wrong
    address is a usage error), or, with none, a LocalCluster of `jobs` worker processes with one thread each,
    started only when there is work and closed with the batch."""

    def __init__(self, address: str | None, jobs: int):
        _need_dask()
        self.jobs = jobs
        self.cluster = None
        self.client = _connect(address) if address else None

    def execute(self, pending: list[tuple[int, Job]], batch: Batch, done: Callable[[int, Outcome], None]) -> None:
        """Every pending job as a task; each outcome recorded as it comes back (in completion order)."""
        if self.client is None:
            self.cluster, self.client = _local_cluster(self.jobs)
        # Tasks run elsewhere, in another working folder: they get absolute paths, and the batch's folder to
        # resolve relative names in (the documents keep the names as given, so the outputs are the same).
        batch = replace(batch, out=batch.out.absolute(), cwd=os.getcwd())
        pending = [(i, replace(job, path=job.path.absolute())) for i, job in pending]
        _through_dask(self.client, pending, batch, done)

    def close(self) -> None:
        """Let go of the scheduler, and stop the LocalCluster if the batch started one (its workers with it)."""
        for thing in (self.client, self.cluster):
            if thing is not None:
                with suppress(Exception):  # a scheduler already gone: nothing left to close
                    thing.close()


def _need_dask() -> None:
    """UsageError unless Dask's distributed scheduler can be imported (only `--executor dask` imports it)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError("--executor dask needs Dask's distributed scheduler, which is not installed "
                         "(pip install 'poa[cluster]')") from None


def _connect(address: str) -> Client:
    """A client of the scheduler at `address`, or UsageError when it cannot be reached in CONNECT_TIMEOUT."""
    from distributed import Client
    from distributed.comm.addressing import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:
        scheme, _ = parse_address(address)  # a malformed address before a client (which then hangs on closing)
        get_backend(scheme)
        if scheme != "inproc":
            get_address_host_port(address)
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except Exception as e:  # noqa: BLE001 - refused, timed out, not an address: all the same to the user
        why = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise UsageError(f"--dask {address}: cannot reach the Dask scheduler ({why})") from None


# The scheduler's HTTP server (health and metrics; no dashboard) on a free local port: the default, 8787, may
# be another cluster's, which Dask would warn about.
LOCAL_SCHEDULER = {"dashboard_address": "127.0.0.1:0"}


def _local_cluster(jobs: int) -> tuple[LocalCluster, Client]:
    """A LocalCluster for one batch: `jobs` worker processes, one thread each, no dashboard; and its client."""
    import logging

    from distributed import Client, LocalCluster

    try:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               scheduler_kwargs=LOCAL_SCHEDULER, silence_logs=logging.ERROR)
    except Exception as e:  # noqa: BLE001 - no sockets, no processes: the run cannot go on this way
        raise UsageError(f"--executor dask: cannot start a local Dask cluster: {e}") from None
    return cluster, Client(cluster, set_as_default=False)


def _through_dask(client: Client, pending: list[tuple[int, Job]], batch: Batch, done: Callable[[int, Outcome], None]) -> None:
    """Submit every job as a task and record each outcome as it comes back. Interrupted, the tasks not
    finished are cancelled (those running end on their workers, each within its document's limits)."""
    from distributed import as_completed

    jobs: dict[str, tuple[int, Job]] = {}
    futures = {}
    for i, job in pending:
        key = f"poa-{batch.run_id}-{job.document.doc_id}"  # one task per document: copies were set aside
        jobs[key] = (i, job)
        futures[key] = client.submit(run_task, job, batch, key=key, pure=False)
    try:
        for future in as_completed(list(futures.values()), loop=client.loop):
            del futures[future.key]  # nothing holds its result any more: the cluster lets it go
            i, job = jobs.pop(future.key)
            done(i, _task_outcome(future, job, batch.out))
    except BaseException:
        with suppress(Exception):
            client.cancel(list(futures.values()))
        raise


def _task_outcome(future: Future, job: Job, out: Path) -> Outcome:
    """What a finished task says; a task that could not run is a failed document with a plain reason: Dask
    gives up on a task whose workers keep dying under it (the scheduler's allowed-failures), and a worker
    without poa, or that lost its scheduler, cannot run one."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as e:
        last = getattr(e.last_worker, "address", e.last_worker)
        reason = (f"the Dask worker running it died, on each of its {e.allowed_failures + 1} tries (the last on "
                  f"{last}): a worker killed from outside, e.g. by the system running out of memory")
    except Exception as e:  # noqa: BLE001 - whatever the cluster says, the batch goes on
        why = (str(e).strip().splitlines() or [""])[0]
        reason = f"the Dask cluster could not run it: {type(e).__name__}" + (f": {why}" if why else "")
    o = _failed(out, job.document, reason)
    o.redone = job.redone
    return o


def run_task(job: Job, batch: Batch) -> Outcome:
    """A document as a Dask task, on a Dask worker: checked to be the file the batch hashed, then run exactly
    as the local batch runs it (`run_job`: a child forked from the Dask worker, under the same limits), so
    that a PDF that hangs, blows its memory or crashes takes down that child, never the worker."""
    preload(batch.options)  # once per worker process: its children then start warm
    if (reason := _cannot_run(job, batch.limits)) is not None:
        o = _failed(batch.out, job.document, reason)
        o.redone = job.redone
        return o
    with _task_tmp(batch) as tmp:
        return run_job(job, replace(batch, tmp=tmp))


def _cannot_run(job: Job, limits: Limits) -> str | None:
    """Why this worker must not run the document (None: it may). Another poa than the batch's would write
    outputs that the batch, and its re-runs, would take for its own version's; and a worker on another
    machine sees the batch's files only through a shared folder mounted at the same path."""
    from .pipeline import sha256_of
    from .version import pipeline_version

    worker = f"the Dask worker on {socket.gethostname()}"
    if (mine := pipeline_version()) != job.document.pipeline_version:
        return (f"{worker} runs poa {mine}, the batch {job.document.pipeline_version}: install the same poa (and PDF "
                "libraries) on every worker")
    try:
        if sha256_of(job.path, limits.timeout) == job.document.sha256:
            return None
        why = "finds other bytes"
    except OSError as e:
        why = f"cannot read the file ({e.strerror or e})"
    return f"{worker} {why} at {job.path}: the inputs must be in a folder every worker sees at the same path"


@contextmanager
def _task_tmp(batch: Batch) -> Iterator[Path]:
    """Where a task's child keeps its temp folder: under the batch's own on the batch's machine (the batch
    removes it at its end, whatever a killed worker left there); elsewhere in a folder of the task's own,
    removed when the task ends."""
    if batch.tmp.is_dir():
        yield batch.tmp
        return
    tmp = Path(tempfile.mkdtemp(prefix=f"poa-{batch.run_id}-"))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
