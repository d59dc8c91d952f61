"""`poa run --executor dask`: the documents as tasks on a Dask cluster, with the local batch's outputs, resume
and isolation: a bad file, a child that crashes and a Dask worker killed under its task cost only their own
document, and the Parquet is byte-identical to a local run's."""

from __future__ import annotations

import faulthandler
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from test_batch import copies, parquet_bytes

import poa.batch
from poa.batch import run
from poa.cli import main
from poa.pipeline import UsageError

distributed = pytest.importorskip("distributed")


# ------------------------------------------------------------------ documents that misbehave on a Dask worker


def fragile(real):
    """`poa.pipeline.process`, but by file name: crash.pdf makes its forked child segfault (as in
    test_batch); kill-worker.pdf makes its child SIGKILL the Dask worker that forked it, every time, and
    kill-worker-once.pdf only the first time (the marker file beside it, holding the dead worker's pid, says
    it did). Elsewhere the real thing."""

    def process(path, *args, **kwargs):
        name = Path(path).name
        if name == "crash.pdf":
            faulthandler.disable()  # a handler would print the child's stack; the crash is the point
            os.kill(os.getpid(), signal.SIGSEGV)
        if name in ("kill-worker.pdf", "kill-worker-once.pdf"):
            try:
                with open(f"{path}.killed", "x") as marker:
                    marker.write(str(os.getppid()))
                first = True
            except FileExistsError:
                first = False
            if first or name == "kill-worker.pdf":
                os.kill(os.getppid(), signal.SIGKILL)  # the Dask worker; the child follows it (PDEATHSIG)
                time.sleep(60)
        return real(path, *args, **kwargs)

    process.fragile = True
    return process


class Fragile(distributed.WorkerPlugin):
    """Installs `fragile` in every Dask worker, those the nanny starts again after a kill included; the
    children the worker forks inherit it."""

    name = "poa-fragile"

    def setup(self, worker) -> None:
        import poa.pipeline

        if not getattr(poa.pipeline.process, "fragile", False):
            poa.pipeline.process = fragile(poa.pipeline.process)


@pytest.fixture(scope="module")
def scheduler():
    """A LocalCluster of two worker processes with `Fragile` installed; its scheduler's address. Dask gives up
    on a task after two dead workers (allowed-failures 1, default 3), to keep the test short."""
    import cloudpickle
    import dask

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                           scheduler_kwargs=poa.batch.cluster.LOCAL_SCHEDULER, silence_logs=logging.CRITICAL)
    client = distributed.Client(cluster, set_as_default=False)
    client.register_plugin(Fragile())
    yield cluster.scheduler_address
    client.close()
    cluster.close()


def _dead(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# ------------------------------------------------------------------ the cluster runs


@pytest.mark.slow
def test_a_bad_file_a_crash_and_a_killed_worker_cost_only_their_documents_and_the_parquet_is_a_local_runs(
        scheduler, mini_pdf, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    paths = copies(mini_pdf, folder, 5)
    paths[3].rename(folder / "crash.pdf")
    paths[4].rename(folder / "kill-worker-once.pdf")
    (folder / "notes.pdf").write_text("Informe en texto plano, no PDF.\n", encoding="utf-8")
    seen = []
    outcomes = run([folder], out=tmp_path / "dask", dask=scheduler, on_done=seen.append)
    got = {Path(o.document.source_path).name: o.document for o in outcomes}
    assert len(got) == 6 and len(seen) == 6  # every input recorded, each reported as it came back
    assert [got[f"copy-0{i}.pdf"].status for i in range(3)] == ["ok"] * 3, [d.error for d in got.values()]
    assert got["notes.pdf"].status == "failed" and "not a PDF" in got["notes.pdf"].error
    # The crash took down the forked child only: the task came back from its worker with the reason.
    assert got["crash.pdf"].error == "the worker died while reading this document (signal 11, SIGSEGV)"
    # The Dask worker that ran kill-worker-once.pdf is dead; Dask ran the task again on another, to the end.
    killed = int((folder / "kill-worker-once.pdf.killed").read_text())
    assert _dead(killed) and got["kill-worker-once.pdf"].status == "ok"
    assert not list((tmp_path / "dask").glob("*/.*.tmp"))

    import poa.pipeline

    monkeypatch.setattr(poa.pipeline, "process", fragile(poa.pipeline.process))  # the local children inherit it
    local = run([folder], out=tmp_path / "local", jobs=2)
    assert [o.document for o in local] == [o.document for o in outcomes]
    assert parquet_bytes(tmp_path / "dask") == parquet_bytes(tmp_path / "local")
    assert len(parquet_bytes(tmp_path / "local")) == 4 * 8 + 2  # four documents read, two failed rows


@pytest.mark.slow
def test_a_document_whose_dask_workers_keep_dying_is_a_failed_row_and_the_batch_goes_on(scheduler, mini_pdf, tmp_path):
    folder = tmp_path / "in"
    copies(mini_pdf, folder, 2)[1].rename(folder / "kill-worker.pdf")
    outcomes = run([folder], out=tmp_path / "out", executor="dask", dask=scheduler)
    got = {Path(o.document.source_path).name: o.document for o in outcomes}
    assert got["copy-00.pdf"].status == "ok", got["copy-00.pdf"].error
    assert got["kill-worker.pdf"].status == "failed"
    assert got["kill-worker.pdf"].error.startswith("the Dask worker running it died, on each of its 2 tries")


@pytest.mark.slow
def test_a_second_dask_run_skips_what_the_first_did(scheduler, mini_pdf, tmp_path):
    folder = tmp_path / "in"
    copies(mini_pdf, folder, 2)
    out = tmp_path / "out"
    first = run([folder], out=out, executor="dask", jobs=1)  # no address: a LocalCluster for the run
    assert [o.document.status for o in first] == ["ok", "ok"], [o.document.error for o in first]
    assert not any(o.skipped for o in first)
    before = parquet_bytes(out)
    shutil.copy(folder / "copy-00.pdf", folder / "same-bytes.pdf")
    (folder / "new.pdf").write_bytes(mini_pdf.read_bytes() + b"\n% new\n")
    again = {Path(o.document.source_path).name: o for o in run([folder], out=out, dask=scheduler)}
    assert again["copy-00.pdf"].skipped and again["copy-01.pdf"].skipped and again["same-bytes.pdf"].skipped
    assert not again["new.pdf"].skipped and again["new.pdf"].document.status == "ok", again["new.pdf"].document.error
    after = parquet_bytes(out)
    assert {k: after[k] for k in before} == before and len(after) == len(before) + 8


# ------------------------------------------------------------------ usage errors, and no Dask unless asked


def test_a_scheduler_out_of_reach_is_a_one_line_usage_error_and_nothing_is_written(mini_pdf, tmp_path, monkeypatch,
                                                                                    capsys):
    monkeypatch.setattr(poa.batch.cluster, "CONNECT_TIMEOUT", 1.0)
    out = tmp_path / "out"
    for address in ("tcp://127.0.0.1:9", "no-port-here"):
        assert main(["run", str(mini_pdf), "--out", str(out), "--dask", address, "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"poa: --dask {address}: cannot reach the Dask scheduler") and err.count("\n") == 1
    assert not out.exists()
    with pytest.raises(UsageError, match="for --executor dask, not local"):
        run([mini_pdf], out=out, executor="local", dask="tcp://127.0.0.1:9")


def test_dask_asked_for_but_not_installed_is_a_usage_error(mini_pdf, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now raises ImportError
    with pytest.raises(UsageError, match=r"not installed \(pip install 'poa\[cluster\]'\)"):
        run([mini_pdf], out=tmp_path / "out", executor="dask")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # a batch in a fresh interpreter: 2 s
def test_a_local_run_does_not_import_dask(tmp_path):
    (tmp_path / "notes.pdf").write_text("no PDF\n", encoding="utf-8")
    code = ("import sys; from poa.cli import main; "
            f"rc = main(['run', {str(tmp_path / 'notes.pdf')!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']); "
            "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == "1 []", done.stderr


def test_a_worker_that_sees_other_bytes_or_runs_another_poa_refuses_the_document(mini_pdf, tmp_path):
    from dataclasses import replace

    from poa.batch import Batch, Job
    from poa.batch.cluster import run_task
    from poa.core.options import Options
    from poa.limits import Limits
    from poa.pipeline import identify

    path = tmp_path / "report.pdf"
    shutil.copy(mini_pdf, path)
    doc = identify(path)
    batch = Batch(tmp_path / "out", Options(), "none", Limits(), "0123456789ab", tmp_path)
    path.write_bytes(mini_pdf.read_bytes() + b"\n% changed under the batch\n")
    o = run_task(Job(path, replace(doc), redone="--force"), batch)
    assert o.document.status == "failed" and o.redone == "--force"
    assert o.document.error.endswith(f"finds other bytes at {path}: the inputs must be in a folder every worker "
                                     "sees at the same path")
    o = run_task(Job(path, replace(doc, pipeline_version="0.0.1+feedbeef0000")), batch)
    assert " runs poa " in o.document.error and "the batch 0.0.1+feedbeef0000" in o.document.error
