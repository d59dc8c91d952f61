"""The local pool: `--jobs` workers kept busy from the batch's own process, each watched until its document
reports, dies or overruns; one code path for a document (`run_job`) that the Dask tasks use too."""

from __future__ import annotations

import gc
import os
import time
from contextlib import suppress
from dataclasses import replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, cast

from ..core.corrections import fingerprint
from ..core.options import Options
from ..core.records import Document
from ..limits import Limits
from ..pipeline import _failed as not_read
from .records import GRACE, Batch, Done, Job, NotRead, Outcome, PageRead, PagesFound, Progress
from .worker import _death, _fork, _kill, _reap, _Worker


def _failed(out: Path, doc: Document, reason: str, job: Job | None = None, options: Options | None = None) -> Outcome:
    """A failed documents row, written by the batch where no worker could (a limit, a crash): with the options
    it was tried with and its corrections' fingerprint, so that a re-run knows it failed so (and does not try
    it again unless asked), and each of its corrections said stale. If DIR cannot take even that, the outcome
    still says failed, and why."""
    from poa.outputs import write_report

    corrections = list(job.corrections) if job is not None else []
    if options is not None:
        doc = replace(doc, engine=options.engine, reader=options.reader, ocr=options.ocr, gx=options.gx,
                      template=options.profile().name if options.template is not None else doc.template)
    report = not_read(replace(doc, corrections=fingerprint(corrections)), reason, corrections)
    doc = report.document
    try:
        write_report(report, out)
    except Exception as e:  # noqa: BLE001 - a full disk must not end the batch in a traceback
        doc = replace(doc, error=f"{reason} (not recorded in {out}: {getattr(e, 'strerror', None) or e})")
    return Outcome(doc)


# What a worker imports to read, check and write a document. Imported once in the parent, before the workers
# are forked, so that no worker pays for them: an import left to the workers is paid by each worker, and a
# worker is started for every failed document (a second or so, a 20-page report's whole time).


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
        end(w, _failed(out, w.job.document, reason or _death(status, peak - w.shared, limits), w.job, batch.options),
            peak)

    def end(w: _Worker, o: Outcome, memory: int) -> None:
        assert w.job is not None  # a busy worker's document that ended
        o.seconds, o.memory, o.redone = time.monotonic() - w.started, memory, w.job.redone
        tell((w.pages or 0) - w.read, 0)  # a document that ended early: its pages are done with all the same
        w.job = None
        done(w.index, o)

    def finish(w: _Worker, msg: Done) -> None:
        del busy[w.conn]
        r = msg.result
        assert w.job is not None  # a busy worker has a document
        if isinstance(r, NotRead):
            o = _failed(out, w.job.document, r.reason, w.job, batch.options)
        else:
            o = Outcome(r.document, r.results, r.deviations, r.findings, r.errors, stages=r.stages)
        idle.append(w)  # until its outcome is recorded: a worker is always somewhere the batch's end finds it
        end(w, o, msg.peak)
        if isinstance(r, NotRead) or worn(msg.grown, limits) or not msg.reusable:
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
                        done(i, _failed(out, job.document, "no worker could be started for it", job, batch.options))
                    else:  # the worker died while idle: the document goes to another
                        pending.append((i, job))
                    continue
                busy[w.conn] = w
            for conn in cast(list[Connection], wait(list(busy), timeout=0.2)):  # some of those it was given
                w = busy[conn]
                try:
                    msg = conn.recv()
                except Exception:  # noqa: BLE001 - the worker died (EOF) or was cut off mid-message
                    msg = None
                if isinstance(msg, PagesFound):
                    tell(0, msg.pages - (w.pages or 0))
                    w.pages, w.ocr_pages = msg.pages, msg.ocr_pages
                elif isinstance(msg, PageRead):
                    if w.read < (w.pages or 0):
                        w.read += 1
                        tell(1, 0)
                elif isinstance(msg, Done):
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


def run_job(job: Job, batch: Batch) -> Outcome:
    """One document start to end, as the local batch runs each of its documents: in a forked child under its
    limits, watched until it reports, dies or overruns. What a Dask task does with its document."""
    got: list[Outcome] = []
    _work_through([(0, job)], batch, 1, lambda _i, o: got.append(o))
    return got[0]
