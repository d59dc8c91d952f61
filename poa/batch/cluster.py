"""The executors: the local pool, or a Dask distributed cluster where each document is a task that forks its
worker from the Dask worker (`run_task`). Dask is imported only when asked for."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..core.options import EXECUTORS
from ..limits import Limits
from ..pipeline import UsageError, sha256_of
from ..version import pipeline_version
from .pool import _failed, _work_through, largest_first, run_job
from .records import Batch, Job, Outcome, Progress
from .worker import preload

if TYPE_CHECKING:  # imported for real only by --executor dask
    from distributed import Client, Future, LocalCluster

CONNECT_TIMEOUT = 5.0  # seconds to reach a Dask scheduler before --dask is a usage error


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
    o = _failed(out, job.document, reason, job)
    o.redone = job.redone
    return o


def run_task(job: Job, batch: Batch) -> Outcome:
    """A document as a Dask task, on a Dask worker: checked to be the file the batch hashed, then run exactly
    as the local batch runs it (`run_job`: a child forked from the Dask worker, under the same limits), so
    that a PDF that hangs, blows its memory or crashes takes down that child, never the worker."""
    preload(batch.options)  # once per worker process: its children then start warm
    if (reason := _cannot_run(job, batch.limits)) is not None:
        o = _failed(batch.out, job.document, reason, job, batch.options)
        o.redone = job.redone
        return o
    with _task_tmp(batch) as tmp:
        return run_job(job, replace(batch, tmp=tmp))


def _cannot_run(job: Job, limits: Limits) -> str | None:
    """Why this worker must not run the document (None: it may). Another poa than the batch's would write
    outputs that the batch, and its re-runs, would take for its own version's; and a worker on another
    machine sees the batch's files only through a shared folder mounted at the same path."""

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
