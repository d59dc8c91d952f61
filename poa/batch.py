"""Many documents at once: each in its own process under a time and a memory limit, several at a time,
resumable.

A document runs in a forked worker that writes its own Parquet (atomically, the `documents` row last) and
reports back a small summary. A worker that crashes, runs out of its memory limit, goes past its time limit
(which grows with the page count the worker reports as soon as it knows it) or is killed takes only its own
document down: the parent records it as failed, removes what that worker left half-written, and goes on. A
worker dies with its parent, so a killed batch leaves no orphan. A document whose `documents` row says it
was done by this pipeline version is skipped on the next run, so a killed batch resumes where it stopped.

Each batch has a run id, recorded in DIR/.poa/run-<id>.json while it runs and put in the names of the
temporary files it writes; at its start it removes the temporary files of dead runs only, at its end its own.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, Pipe, wait
from pathlib import Path
from typing import Callable, Iterable

from . import limits as lim
from .limits import LimitExceeded, Limits
from .options import Options
from .pipeline import UsageError, identify
from .records import Document, Report

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


@dataclass(frozen=True)
class Job:
    path: Path
    document: Document  # doc_id and hash known before the work starts
    corrections: tuple = ()  # the document's corrections (`poa.corrections.Correction`)
    redone: str | None = None  # why it is read again, when it was done before


def earlier(out: Path, doc: Document) -> dict | None:
    """The documents row an earlier run wrote for this document, if it finished it (ok or review)."""
    from poa.outputs.parquet import read_poa_file

    table = read_poa_file(out / "documents" / f"{doc.doc_id}.parquet")  # a foreign or corrupt file: not done
    try:
        row = table.to_pylist()[0] if table is not None else {}
    except Exception:  # noqa: BLE001 - a row that cannot be read was not written by this version
        return None
    return row if row.get("status") in ("ok", "review") else None


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
    why += (options or Options()).differences(row.get("engine"), row.get("reader"), row.get("ocr"), row.get("gx"))
    if (row.get("corrections") or "") != corrections:
        why.append("its corrections changed")
    if why:
        return None, "; ".join(why)
    try:
        fields = {k: v for k, v in row.items() if k in Document.__dataclass_fields__}
        for k in ("expected_date", "obtained_date"):
            fields[k] = fields[k].isoformat() if fields.get(k) else None
        if isinstance(fields.get("quality"), dict):
            fields.pop("quality")
        return Document(**fields), None
    except Exception:  # noqa: BLE001 - a row that does not make a Document was not written by this version
        return None, "its earlier outputs cannot be read back"


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
        from poa.outputs.parquet import set_run_id

        self.out = out
        self.id = secrets.token_hex(6)
        self.record = out / ".poa" / f"run-{self.id}.json"
        self.tmp = Path(tempfile.mkdtemp(prefix=f"poa-{self.id}-"))  # workers' TMPDIR: camelot's files etc.
        set_run_id(self.id)

    def start(self) -> None:
        """Record this run, then clean what dead runs left."""
        self.record.parent.mkdir(exist_ok=True)
        self.record.write_text(json.dumps({"run_id": self.id, "pid": os.getpid(), "host": socket.gethostname(),
                                           "started": _proc_start(os.getpid()), "tmp": str(self.tmp)}),
                               encoding="utf-8")
        clean_dead_runs(self.out, keep=self.id)

    def worker_gone(self, pid: int, cleanly: bool) -> None:
        """A worker ended: its temp folder goes; if it did not end cleanly, so do its half-written files."""
        shutil.rmtree(self.tmp / str(pid), ignore_errors=True)
        if not cleanly:
            from poa.outputs.parquet import remove_temporaries

            remove_temporaries(self.out, self.id, pid)

    def end(self) -> None:
        """Remove this run's temporary files, temp folder and record (what cannot be removed now, the next
        run will: the record says the run is over once its process is gone)."""
        from poa.outputs.parquet import remove_temporaries

        remove_temporaries(self.out, self.id)
        shutil.rmtree(self.tmp, ignore_errors=True)
        try:
            self.record.unlink(missing_ok=True)
            self.record.parent.rmdir()  # only if no other run's record is there
        except OSError:
            pass


_RECORD = re.compile(r"^run-([0-9a-f]{12})\.json$")


def clean_dead_runs(out: Path, keep: str = "") -> None:
    """The temporary files (and temp folders) of runs recorded in DIR/.poa/ whose process is gone. A file
    is removed only if its name carries a dead run's id in poa's pattern, in one of poa's folders: never a
    user's `notes/.draft.tmp`, never a live run's file."""
    from poa.outputs.parquet import remove_temporaries

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


def _child(conn: Connection, job: Job, out: Path, options: Options, review: str, limits: Limits, parent: int,
           run_tmp: Path) -> None:
    """One document in a worker, under its limits; whatever happens, one final message goes back."""
    lim.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops its workers
    lim.reset_peak_memory()
    try:
        lim.limit_memory(limits.max_memory)
        _private_tmp(run_tmp)
        with lim.deadline(limits.seconds(None), limits.timeout_reason(None)) as budget:

            def on_pages(pages: int, ocr_pages: int = 0) -> None:
                pages = plausible_pages(pages, job.path)
                ocr_pages = min(ocr_pages, pages)
                _send(conn, ("pages", pages, ocr_pages))
                budget.move(limits.seconds(pages, ocr_pages), limits.timeout_reason(pages, ocr_pages))

            lim.watch_pages(limits.page_stall(), on_pages)
            if (pages := count_pages(job.path)) is not None:
                lim.pages_known(pages)
            msg = _work(job, out, options, review, limits)
    except LimitExceeded as e:
        msg = ("error", str(e))
    except MemoryError as e:
        msg = ("error", limits.memory_reason(f"MemoryError: {e}" if str(e) else "MemoryError"))
    except BaseException as e:  # noqa: BLE001 - even a failure to write is reported, never raised into the batch
        msg = ("error", f"{type(e).__name__}: {e}")
    try:
        conn.send(msg)
    finally:
        conn.close()


def _work(job: Job, out: Path, options: Options, review: str, limits: Limits) -> tuple:
    from poa.outputs import write_report

    from .pipeline import process

    report = process(job.path, document=job.document, options=options, corrections=list(job.corrections))
    doc = report.document
    if doc.status == "failed" and lim.looks_out_of_memory(limits.max_memory, doc.error):
        doc.error = limits.memory_reason(doc.error)
    try:
        write_report(report, out, review=review)
    except OSError as e:  # a full or unwritable DIR, found out mid-batch
        return ("error", f"cannot write its outputs in {out}: {e.strerror or e}")
    return ("ok", doc, len(report.results), len(report.deviations), len(report.findings),
            sum(f.severity == "error" for f in report.findings))


def _fork(job: Job, out: Path, options: Options, review: str, limits: Limits, run_tmp: Path) -> tuple[int, Connection]:
    """Start a worker on `job`; its pid and the end of the pipe it reports on."""
    recv, send = Pipe(duplex=False)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the worker: never returns into the batch's code, never runs the parent's exit handlers
        code = 0
        try:
            recv.close()
            _child(send, job, out, options, review, limits, parent, run_tmp)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    send.close()
    return pid, recv


@dataclass
class _Worker:
    index: int
    job: Job
    pid: int
    conn: Connection
    started: float
    shared: int  # the parent's resident memory when it forked the worker, which the worker starts with
    pages: int | None = None
    ocr_pages: int = 0  # of those, pages the worker said it recognises by OCR (each with a larger time allowance)


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


def preload(options: Options | None = None) -> None:
    """Import what every document needs once, in the parent, so that forked children start warm. Where scans
    may be recognised, OpenCV too: its libraries map ~0.3 GiB of address space, which a worker would otherwise
    count against its --max-memory on the first scanned page."""
    import pypdfium2  # noqa: F401 - count_pages

    import poa.extract.engines.plumber  # noqa: F401
    import poa.normalize  # noqa: F401
    import poa.outputs.audit  # noqa: F401
    options = options or Options()
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
    from .options import REVIEW_PAGES

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
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process every path; return one Outcome per path, in the order given. Usage errors (UsageError) are
    raised before anything is written. A document done before is skipped only when it was done by this
    pipeline version with these options and its current corrections (OUT/corrections.csv); otherwise it is
    read again and its Outcome says why. After the batch: the audit index, the duplicate marks and
    datapackage.json describe the whole folder."""
    from . import corrections as fixes

    options = options or Options()
    limits = check_limits(timeout, page_timeout, max_memory)
    check_options(options, review)
    out = Path(out)
    check_out(out)
    jobs = max(1, jobs or os.cpu_count() or 1)
    paths = [Path(p) for p in paths]
    outcomes: dict[int, Outcome] = {}
    pending: list[tuple[int, Job]] = []
    first: dict[str, int] = {}  # sha256 -> index of the first input with those bytes
    copies: dict[int, list[int]] = {}  # that index -> the later inputs with the same bytes
    docs = [identify(p, limits.timeout) for p in paths]
    try:
        corrections = fixes.load(out)
    except (OSError, ValueError, TypeError) as e:
        raise UsageError(f"{out / fixes.FILE}: cannot be read as a corrections file: {e}") from None
    run = _start_run(out)
    try:

        def done(i: int, o: Outcome) -> None:
            outcomes[i] = o
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
            if prior is not None and not force:
                known.append((i, Outcome(prior, skipped=True)))
            else:
                pending.append((i, Job(path, doc, mine, "--force" if prior is not None else why)))
        if on_start:
            on_start(len(paths), len(pending))
        for i, o in known:
            done(i, o)
        if pending:
            preload(options)
        _work_through(pending, out, options, review, jobs, limits, run, done)
        describe_folder(out)
    finally:
        run.end()
    return [outcomes[i] for i in sorted(outcomes)]


def describe_folder(out: Path) -> None:
    """What a batch leaves about the whole folder: the audit index, the marks of reports seen twice, and
    datapackage.json. A full disk here costs these, not the documents' own outputs."""
    from poa.outputs import write_index
    from poa.outputs.datapackage import write_datapackage
    from poa.outputs.duplicates import mark_duplicates

    from .version import pipeline_version

    for step in (mark_duplicates, write_index, lambda o: write_datapackage(o, pipeline_version())):
        try:
            step(out)
        except Exception:  # noqa: BLE001 - the documents rows say what matters
            pass


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
    return run


def _copy_outcome(o: Outcome, doc: Document) -> Outcome:
    """The outcome of an input with the same bytes as another: that one's, under its own name."""
    original = o.document
    if original.read:
        return Outcome(replace(original, source_path=doc.source_path), skipped=True)
    return Outcome(replace(original, source_path=doc.source_path,
                           error=f"{original.error} (the same bytes as {original.source_path})"))


def _work_through(pending: list[tuple[int, Job]], out: Path, options: Options, review: str, jobs: int, limits: Limits,
                  run: Run, done: Callable[[int, Outcome], None]) -> None:
    """Run the pending jobs, `jobs` workers at a time, each under its limits."""
    running: dict[Connection, _Worker] = {}
    pending = list(reversed(pending))

    def finish(w: _Worker, msg, *, killed: bool = False) -> None:
        del running[w.conn]
        w.conn.close()
        status, peak = _reap(w.pid)
        final = isinstance(msg, tuple) and msg and msg[0] in ("ok", "error")
        run.worker_gone(w.pid, cleanly=final and not killed)
        if not final:
            o = _failed(out, w.job.document, _death(status, peak - w.shared, limits))
        elif msg[0] == "error":
            o = _failed(out, w.job.document, msg[1])
        else:
            _, doc, n_results, n_devs, n_findings, n_errors = msg
            o = Outcome(doc, n_results, n_devs, n_findings, n_errors)
        o.seconds, o.memory, o.redone = time.monotonic() - w.started, peak, w.job.redone
        done(w.index, o)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                i, job = pending.pop()
                pid, conn = _fork(job, out, options, review, limits, run.tmp)
                running[conn] = _Worker(i, job, pid, conn, time.monotonic(), lim.resident_memory())
            for conn in wait(list(running), timeout=0.2):
                w = running[conn]
                try:
                    msg = conn.recv()
                except Exception:  # noqa: BLE001 - the worker died (EOF) or was cut off mid-message
                    msg = None
                if isinstance(msg, tuple) and msg and msg[0] == "pages":
                    w.pages, w.ocr_pages = msg[1], msg[2]
                    continue
                finish(w, msg)
            now = time.monotonic()
            for w in list(running.values()):
                if now - w.started > limits.seconds(w.pages, w.ocr_pages) + GRACE:  # stuck where its own deadline cannot reach
                    _kill(w.pid)
                    finish(w, ("error", limits.timeout_reason(w.pages, w.ocr_pages)), killed=True)
    finally:
        for w in list(running.values()):  # interrupted (Ctrl-C): no worker outlives the batch
            _kill(w.pid)
            _reap(w.pid)
            run.worker_gone(w.pid, cleanly=False)
            w.conn.close()


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
