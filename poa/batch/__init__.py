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

import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from poa.outputs.review import missing_pages

from .. import limits as lim
from .. import log
from ..core import corrections as fixes
from ..core import errors
from ..core.options import ENGINES, READERS, REVIEW_PAGES, Options
from ..core.records import Document, Status
from ..limits import Limits
from ..pipeline import UsageError, expand_inputs, identify
from ..version import pipeline_version
from .cluster import Execute, executor_for
from .pool import _failed
from .records import Batch, Job, Outcome, Progress
from .resume import already_done, earlier, failed_before
from .runrecord import LOCK, Run, _start_run, clean_dead_runs
from .worker import WORKER_MODULES, preload


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
    engine: str = ENGINES[0],
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
                assert doc.error is not None  # identify says why it could not read the file
                known.append((i, _failed(out, doc, doc.error, options=options)))
                continue
            if doc.sha256 in first:
                copies.setdefault(first[doc.sha256], []).append(i)  # the same bytes under another name: done once
                continue
            first[doc.sha256] = i
            mine = tuple(fixes.for_document(corrections, doc.doc_id))
            row, fingerprint = earlier(out, doc), fixes.fingerprint(list(mine))  # the documents row, read once
            prior, why = already_done(out, doc, row, options, fingerprint)
            failed = failed_before(doc, row, options, fingerprint)
            if prior is not None and not force:
                known.append((i, Outcome(prior, skipped=True)))
            elif failed is not None and not (force or retry_failed):
                known.append((i, Outcome(replace(failed, source_path=doc.source_path), skipped=True)))
            else:
                redone = "--force" if prior is not None else "it failed before (--retry-failed)" if failed else why
                pending.append((i, Job(path, doc, mine, redone)))
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

            missing_pages(out, skipped, review)
        describe_folder(out)
    finally:
        run.end()
        states = [o.document.status for o in outcomes.values()]
        log.event("run_end", out=str(out), documents=len(states), ok=states.count(Status.OK),
                  review=states.count(Status.REVIEW), failed=states.count(Status.FAILED),
                  skipped=sum(o.skipped for o in outcomes.values()),
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

    for name, step in (("duplicates", mark_duplicates), ("index", write_index),
                       ("datapackage", lambda o: write_datapackage(o, pipeline_version()))):
        try:
            step(out)
        except Exception as e:  # noqa: BLE001 - the documents rows say what matters
            log.warning("folder_not_described", out=str(out), step=name, error=f"{type(e).__name__}: {e}")


def _copy_outcome(o: Outcome, doc: Document) -> Outcome:
    """The outcome of an input with the same bytes as another: that one's, under its own name."""
    original = o.document
    if original.read:
        return Outcome(replace(original, source_path=doc.source_path), skipped=True)
    return Outcome(replace(original, source_path=doc.source_path,
                           error=f"{original.error} (the same bytes as {original.source_path})"))


__all__ = ["LOCK", "WORKER_MODULES", "Batch", "Execute", "Job", "Outcome", "Progress", "Run", "already_done", "check_limits",
           "check_options", "check_out", "clean_dead_runs", "describe_folder", "earlier", "failed_before", "preload", "run",
           "run_batch"]
