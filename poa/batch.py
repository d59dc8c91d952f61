"""Many documents at once: each in its own process under a time limit, several at a time, resumable.

A document runs in a forked child that writes its own Parquet (atomically, the `documents` row last) and
reports back a small summary. A child that crashes, hangs past the time limit or is killed takes only its
own document down: the parent records it as failed and goes on. A document whose `documents` row says it
was done by this pipeline version is skipped on the next run, so a killed batch resumes where it stopped.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable

from .pipeline import identify
from .records import Document


@dataclass
class Outcome:
    document: Document
    results: int = 0
    deviations: int = 0
    findings: int = 0
    errors: int = 0  # findings of severity error
    skipped: bool = False  # done by an earlier run of this pipeline version
    seconds: float = 0.0


@dataclass(frozen=True)
class Job:
    path: Path
    document: Document  # doc_id and hash known before the work starts


def already_done(out: Path, doc: Document) -> Document | None:
    """The documents row of an earlier run of this pipeline version that finished this document."""
    f = out / "documents" / f"{doc.doc_id}.parquet"
    if not f.exists():
        return None
    import pyarrow.parquet as pq

    try:
        row = pq.read_table(f).to_pylist()[0]
    except Exception:
        return None
    if row.get("status") != "ok" or row.get("pipeline_version") != doc.pipeline_version:
        return None
    fields = {k: v for k, v in row.items() if k in Document.__dataclass_fields__}
    for k in ("expected_date", "obtained_date"):
        fields[k] = fields[k].isoformat() if fields.get(k) else None
    return Document(**fields)


def clean_temporaries(out: Path) -> None:
    """Temporary files a killed run left beside its outputs (never read: their names start with a dot)."""
    if out.is_dir():
        for tmp in out.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)


def _child(conn, job: Job, out: Path, engine: str, reader: str) -> None:
    from poa.outputs import write_report

    from .pipeline import process

    try:
        report = process(job.path, engine=engine, document=job.document, reader=reader)
        write_report(report, out)
        conn.send(_summary(report))
    except BaseException as e:  # even a failure to write is reported, never raised into the batch
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def _summary(report) -> tuple:
    return ("ok", report.document, len(report.results), len(report.deviations), len(report.findings),
            sum(f.severity == "error" for f in report.findings))


def _failed(out: Path, doc: Document, reason: str) -> Outcome:
    from dataclasses import replace

    from poa.outputs import write_report

    from .records import Report

    doc = replace(doc, status="failed", error=reason)
    write_report(Report(doc), out)
    return Outcome(doc)


def preload() -> None:
    """Import what every document needs once, in the parent, so that forked children start warm."""
    import poa.extract.engines.plumber  # noqa: F401
    import poa.normalize  # noqa: F401
    import poa.outputs.audit  # noqa: F401
    from poa.validate.expectations import gx_context

    gx_context()


def run_batch(
    paths: Iterable[Path],
    out: Path,
    *,
    engine: str = "pdfplumber",
    reader: str = "pdfplumber",
    jobs: int | None = None,
    timeout: float = 600.0,
    force: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process every path; return one Outcome per path, in the order given."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clean_temporaries(out)
    jobs = max(1, jobs or os.cpu_count() or 1)
    outcomes: dict[int, Outcome] = {}
    pending: list[tuple[int, Job]] = []
    seen: dict[str, int] = {}
    for i, path in enumerate(paths):
        doc = identify(Path(path))
        if doc.status == "failed":
            outcomes[i] = _failed(out, doc, doc.error)
        elif doc.sha256 in seen:
            outcomes[i] = Outcome(doc, skipped=True)  # the same bytes under another name: done once
        elif not force and (done := already_done(out, doc)) is not None:
            outcomes[i] = Outcome(done, skipped=True)
        else:
            pending.append((i, Job(Path(path), doc)))
        seen.setdefault(doc.sha256, i)
    if on_start:
        on_start(len(outcomes) + len(pending), len(pending))
    for o in outcomes.values():
        if on_done:
            on_done(o)
    if pending:
        preload()
    ctx = mp.get_context("fork")
    running: dict = {}  # connection -> (index, job, process, started)
    pending.reverse()
    while pending or running:
        while pending and len(running) < jobs:
            i, job = pending.pop()
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(send, job, out, engine, reader), daemon=True)
            proc.start()
            send.close()
            running[recv] = (i, job, proc, time.monotonic())
        for conn in wait(list(running), timeout=0.2):
            i, job, proc, started = running.pop(conn)
            try:
                msg = conn.recv()
            except EOFError:
                msg = None
            conn.close()
            proc.join()
            outcomes[i] = _outcome(out, job, msg, proc, time.monotonic() - started)
            if on_done:
                on_done(outcomes[i])
        now = time.monotonic()
        for conn, (i, job, proc, started) in list(running.items()):
            if now - started > timeout:
                proc.kill()
                proc.join()
                conn.close()
                del running[conn]
                outcomes[i] = _failed(out, job.document, f"timed out after {timeout:g} s")
                outcomes[i].seconds = now - started
                if on_done:
                    on_done(outcomes[i])
    from poa.outputs import write_index

    write_index(out)
    return [outcomes[i] for i in sorted(outcomes)]


def _outcome(out: Path, job: Job, msg, proc, seconds: float) -> Outcome:
    if msg is None:
        code = proc.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        o = _failed(out, job.document, f"the worker died while reading this document ({how})")
    elif msg[0] == "error":
        o = _failed(out, job.document, msg[1])
    else:
        _, doc, n_results, n_devs, n_findings, n_errors = msg
        o = Outcome(doc, n_results, n_devs, n_findings, n_errors)
    o.seconds = seconds
    return o
