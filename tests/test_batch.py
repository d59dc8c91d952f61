"""Archive batches: bad files isolated, crashes and hangs contained, resumable, deterministic."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SAMPLES, mini_seed, pdf_of

from poa.batch import run, run_batch


@pytest.fixture(scope="module")
def plain_pdf(tmp_path_factory) -> Path:
    """The mini report with uncompressed page streams: flipped bytes land in text and drawing operators,
    so many mutants still open and reach every stage."""
    from samples.generate import render_fpdf

    path = tmp_path_factory.mktemp("plain") / "plain.pdf"
    render_fpdf(mini_seed(), path, compress=False)
    return path


def copies(src: Path, folder: Path, n: int) -> list[Path]:
    """n files with the same report and different bytes (a comment after %%EOF), so different doc_ids."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"copy-{i:02d}.pdf"
        p.write_bytes(src.read_bytes() + f"\n% copy {i}\n".encode())
        out.append(p)
    return out


def parquet_bytes(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*.parquet"))}


# ------------------------------------------------------------------ bad inputs


def _image_only_pdf(path: Path) -> None:
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(img)
    for y in range(100, 1000, 40):
        draw.line((60, y, 790, y), fill=0, width=2)
        draw.rectangle((70, y + 8, 70 + (y * 7) % 600, y + 24), fill=60)  # "text" as ink, no text layer
    c = canvas.Canvas(str(path), pagesize=letter)
    c.drawImage(ImageReader(img), 0, 0, *letter)
    c.showPage()
    c.save()


def _prose_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter)
    c.drawString(72, 700, "Acta de reunión: no es un seguimiento del POA.")
    c.showPage()
    c.save()


def _encrypted_pdf(src: Path, path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter, encrypt=pdfencrypt.StandardEncryption("secreto", canPrint=0))
    c.drawString(72, 700, "Cód. RESULTADOS ESPERADOS AL 31/12/2016 RESULTADOS OBTENIDOS AL 30/06/2016")
    c.showPage()
    c.save()


def _zero_pages_pdf() -> bytes:
    """A well-formed PDF (catalog, empty page tree, cross-reference table) with no page at all."""
    return pdf_of([b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>"])


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory, mini_pdf) -> tuple[Path, dict[str, str]]:
    """One file of each kind of bad input, with the reason the documents row must give."""
    d = tmp_path_factory.mktemp("bad")
    good = mini_pdf.read_bytes()
    (d / "notes.pdf").write_text("Informe en texto plano, no PDF.\n", encoding="utf-8")
    (d / "truncated.pdf").write_bytes(good[: len(good) // 3])
    (d / "zero-pages.pdf").write_bytes(_zero_pages_pdf())
    (d / "empty.pdf").write_bytes(b"")
    _encrypted_pdf(mini_pdf, d / "encrypted.pdf")
    _image_only_pdf(d / "scanned.pdf")
    _prose_pdf(d / "minutes.pdf")
    shutil.copy(mini_pdf, d / "good.pdf")
    reasons = {
        "notes.pdf": "not a PDF", "empty.pdf": "not a PDF", "truncated.pdf": "damaged or truncated PDF",
        "zero-pages.pdf": "the PDF has no pages", "encrypted.pdf": "encrypted or password-protected PDF",
        "scanned.pdf": "no text layer", "minutes.pdf": "no POA results or deviations table found",
    }
    return d, reasons


@pytest.mark.parametrize("reader", [pytest.param("pdfplumber", marks=pytest.mark.slow), "pdfium"])  # slow: 2.3 s
def test_each_kind_of_bad_input_is_a_failed_row_with_its_reason_and_the_rest_goes_on(bad_corpus, tmp_path, reader):
    folder, reasons = bad_corpus
    outcomes = run([folder], out=tmp_path, jobs=2, reader=reader)
    got = {Path(o.document.source_path).name: o.document for o in outcomes}
    assert got["good.pdf"].status == "ok"
    for name, reason in reasons.items():
        assert got[name].status == "failed", name
        assert reason in got[name].error, (name, got[name].error)
    docs = pd.read_parquet(tmp_path / "documents")
    assert sorted(docs.status) == ["failed"] * len(reasons) + ["ok"]
    codes = dict(zip(docs.source_path.map(lambda p: Path(p).name), docs.error_code.fillna("")))  # failures by cause
    scanned = codes.pop("scanned.pdf")  # a page with no text: recognised by OCR, or Tesseract missing
    assert scanned in ("ocr_no_text", "ocr_unavailable"), scanned
    assert codes == {"notes.pdf": "not_pdf", "empty.pdf": "not_pdf", "truncated.pdf": "damaged",
                     "zero-pages.pdf": "no_pages", "encrypted.pdf": "encrypted", "minutes.pdf": "no_table", "good.pdf": ""}
    assert set(pd.read_parquet(tmp_path / "results").doc_id) == {got["good.pdf"].doc_id}
    index = (tmp_path / "audit" / "index.html").read_text(encoding="utf-8")  # the auditors' way in
    assert index.count("<tr") == 1 + 1 + len(reasons) and f"href='{got['good.pdf'].doc_id}.html'" in index
    assert index.count("No leído") == len(reasons)


def test_progress_counts_pages_as_workers_read_them_and_every_page_of_a_failed_document_ends_done(bad_corpus, tmp_path):
    folder, _ = bad_corpus
    events: list[tuple[str, int, int]] = []
    outcomes = run([folder, SAMPLES / "mmm-2016-s1-ruled.pdf"], out=tmp_path, jobs=2, reader="pdfium",
                   on_pages=lambda read, found: events.append(("pages", read, found)),
                   on_done=lambda o: events.append(("done", o.document.pages or 0, 0)))
    read, found = sum(e[1] for e in events if e[0] == "pages"), sum(e[2] for e in events if e[0] == "pages")
    assert read == found >= 24  # the 24-page report and the small ones; every page found is done by the end
    big = next(o for o in outcomes if o.document.pages == 24)
    before = events[: events.index(("done", 24, 0))]
    assert sum(e[1] for e in before if e[0] == "pages") >= 24  # its pages were counted one by one, before it ended
    assert sum(1 for e in before if e[0] == "pages" and e[1] == 1) >= 24
    assert big.document.status == "ok"


def test_a_file_that_vanishes_or_turns_into_a_folder_is_a_failed_row(mini_pdf, tmp_path):
    from poa.pipeline import identify, process

    gone = tmp_path / "gone.pdf"
    shutil.copy(mini_pdf, gone)
    doc = identify(gone)
    gone.unlink()
    report = process(gone, document=doc)
    assert report.document.status == "failed" and "cannot read the file" in report.document.error
    swapped = tmp_path / "swapped.pdf"
    shutil.copy(mini_pdf, swapped)
    doc = identify(swapped)
    swapped.unlink()
    swapped.mkdir()
    assert "cannot read the file" in process(swapped, document=doc).document.error


@pytest.mark.slow
def test_a_crashing_or_hanging_worker_takes_down_only_its_own_document(mini_pdf, tmp_path, monkeypatch):
    import poa.pipeline

    real = poa.pipeline.process

    def fragile(path, engine="geometry", document=None, **options):
        if Path(path).name == "crash.pdf":
            import faulthandler

            faulthandler.disable()  # pytest's handler would print the child's stack; the crash is the point
            os.kill(os.getpid(), signal.SIGSEGV)
        if Path(path).name == "hang.pdf":
            time.sleep(300)
        return real(path, engine=engine, document=document, **options)

    monkeypatch.setattr(poa.pipeline, "process", fragile)  # the forked workers inherit it
    folder = tmp_path / "in"
    paths = copies(mini_pdf, folder, 3)
    paths[0].rename(folder / "crash.pdf")
    paths[1].rename(folder / "hang.pdf")
    outcomes = run([folder], out=tmp_path / "out", jobs=2, timeout=5, page_timeout=1)
    got = {Path(o.document.source_path).name: o.document for o in outcomes}
    assert got["copy-02.pdf"].status == "ok"
    assert got["crash.pdf"].status == "failed" and "signal 11" in got["crash.pdf"].error
    pages = got["copy-02.pdf"].pages  # the time limit grows with the page count: 5 s + 1 s per page
    assert got["hang.pdf"].status == "failed"
    assert got["hang.pdf"].error == f"timed out after {5 + pages} s (--timeout 5 s + 1 s × {pages} pages)"
    assert sorted(pd.read_parquet(tmp_path / "out" / "documents").status) == ["failed", "failed", "ok"]


@pytest.mark.slow
@pytest.mark.long
@pytest.mark.parametrize("reader", ["pdfplumber", "pdfium"])
def test_mutated_pdfs_end_as_results_or_recorded_failures_never_a_crash(plain_pdf, tmp_path, reader):
    rng = random.Random(20160630)
    base = plain_pdf.read_bytes()
    folder = tmp_path / "fuzz"
    folder.mkdir()
    n = 30  # a fixed seed, and a size that fits the suite's time (a third of the cases cut short, the rest bytes changed)
    for i in range(n):
        data = bytearray(base)
        if i % 3 == 0:
            data = data[: rng.randrange(len(data))]
        else:
            for _ in range(rng.randint(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        data += f"\n% case {i}\n".encode()  # every case its own document
        (folder / f"case-{i:03d}.pdf").write_bytes(bytes(data))
    outcomes = run([folder], out=tmp_path / "out", jobs=2, timeout=60, reader=reader)
    assert len(outcomes) == n
    plain = ("damaged or truncated PDF", "damaged PDF", "not a PDF", "the PDF has no pages", "no text layer",
             "nothing is printed on",
             "no POA results or deviations table found", "encrypted")
    for o in outcomes:
        assert o.document.status in ("ok", "review", "failed")
        assert o.document.read == (o.document.error is None), o.document
        if o.document.error:  # a failure is the file's fault, said plainly; never a bug's traceback text
            assert o.document.error.startswith(plain), o.document.error
    docs = pd.read_parquet(tmp_path / "out" / "documents")
    assert len(docs) == n and docs.doc_id.is_unique
    # The mutations both break files and leave many readable enough to go through every stage.
    assert (docs.status != "failed").sum() >= n // 5 and (docs.status == "failed").sum() >= n // 5


# ------------------------------------------------------------------ resumable, deterministic


@pytest.mark.slow  # kills a batch and runs it again: 4 s
def test_killed_batch_leaves_no_partial_parquet_and_the_next_run_completes_it(mini_pdf, tmp_path):
    folder = tmp_path / "in"
    paths = copies(mini_pdf, folder, 6)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "poa.cli", "run", str(folder), "--out", str(out), "--jobs", "1", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("documents/*.parquet")):
        assert time.monotonic() < deadline and proc.poll() is None, "the batch ended before it could be killed"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for f in out.glob("*/*.parquet"):
        pq.read_table(f)  # every visible file is whole
    finished = {p.stem for p in (out / "documents").glob("*.parquet")}
    assert 1 <= len(finished) < len(paths)
    again = subprocess.run(cmd[:-1], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("skipped (done before)") == len(finished)
    assert not list(out.glob("*/.*.tmp"))
    fresh = tmp_path / "fresh"
    run([folder], out=fresh, jobs=2)
    assert parquet_bytes(out) == parquet_bytes(fresh)


@pytest.mark.slow  # three batches: 4 s
def test_rerun_gives_byte_identical_parquet_and_jobs_do_not_change_the_output(mini_pdf, tmp_path):
    folder = tmp_path / "in"
    copies(mini_pdf, folder, 3)
    shutil.copy(SAMPLES / "mmm-2016-s1-borderless.pdf", folder)
    one, two = tmp_path / "one", tmp_path / "two"
    run([folder], out=one, jobs=1)
    first = parquet_bytes(one)
    outcomes = run([folder], out=one, jobs=1)
    assert all(o.skipped for o in outcomes)
    run([folder], out=one, jobs=1, force=True)
    assert parquet_bytes(one) == first
    run([folder], out=two, jobs=2)
    assert parquet_bytes(two) == first
    assert len(first) == 4 * 8  # every table, corrections and unclaimed tables included, for each of the four documents


def test_same_bytes_under_two_names_are_processed_once(mini_pdf, tmp_path):
    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    shutil.copy(mini_pdf, tmp_path / "b.pdf")
    outcomes = run_batch([tmp_path / "a.pdf", tmp_path / "b.pdf"], tmp_path / "out", jobs=2)
    assert [o.skipped for o in outcomes] == [False, True]
    assert len(list((tmp_path / "out" / "documents").glob("*.parquet"))) == 1


def test_every_character_of_the_table_pages_is_in_a_cell_or_a_leftover(tmp_path):
    from poa.pipeline import process

    report = process(SAMPLES / "mmm-2016-s1-ruled.pdf")
    texts = " ".join(lo.text for lo in report.leftovers)
    assert report.document.text_coverage == 1.0
    assert "Fuente: Dirección General de Planificación" in texts and "Misión:" in texts


def test_documents_done_by_another_pipeline_version_are_redone(mini_pdf, tmp_path):
    import pyarrow as pa

    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    (first,) = run([tmp_path / "a.pdf"], out=tmp_path / "out")
    assert "+" in first.document.pipeline_version  # release + fingerprint of the code
    f = tmp_path / "out" / "documents" / f"{first.document.doc_id}.parquet"
    table = pq.read_table(f)
    old = table.set_column(table.schema.get_field_index("pipeline_version"), "pipeline_version",
                           pa.array(["0.0.1+feedbeef0000"]))
    pq.write_table(old, f)
    (again,) = run([tmp_path / "a.pdf"], out=tmp_path / "out")
    assert not again.skipped and again.document.pipeline_version == first.document.pipeline_version


def test_a_failed_document_is_not_retried_unless_asked_and_skipped_ones_get_the_review_pages_asked_for(
        mini_pdf, tmp_path):
    """A re-run (after a correction, say) does not fail the same bytes again with the same version and options:
    the failure stands, said as not retried; --retry-failed tries again, saying why. `--review all` after a run
    that wrote no review page gives the skipped documents theirs."""
    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    _prose_pdf(tmp_path / "minutes.pdf")
    out = tmp_path / "out"
    first = run([tmp_path / "a.pdf", tmp_path / "minutes.pdf"], out=out, review="none")
    assert [o.document.status for o in first] == ["ok", "failed"] and not (out / "review").exists()
    failed_row = out / "documents" / f"{first[1].document.doc_id}.parquet"
    written = failed_row.stat().st_mtime_ns
    again = run([tmp_path / "a.pdf", tmp_path / "minutes.pdf"], out=out, review="all")
    assert [(o.skipped, o.document.status) for o in again] == [(True, "ok"), (True, "failed")]
    assert again[1].document.error == first[1].document.error and failed_row.stat().st_mtime_ns == written
    assert (out / "review" / f"{first[0].document.doc_id}.html").is_file()  # the skipped document's page
    retried = run([tmp_path / "minutes.pdf"], out=out, retry_failed=True)
    assert not retried[0].skipped and retried[0].redone == "it failed before (--retry-failed)"
    assert run([tmp_path / "minutes.pdf"], out=out, ocr="never")[0].skipped is False  # other options: tried


def test_a_document_past_its_time_limit_is_recorded_so_and_not_tried_again(mini_pdf, tmp_path):
    """A failure the batch writes itself (a limit, a crash) carries the options it was tried with and its
    corrections, as a worker's would: a re-run does not spend its time limit on it again."""
    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    (first,) = run([tmp_path / "a.pdf"], out=tmp_path / "out", timeout=0.01, page_timeout=0.001, jobs=1)
    assert first.document.status == "failed" and "timed out" in first.document.error
    row = pd.read_parquet(tmp_path / "out" / "documents").iloc[0]
    assert (row.engine, row.reader, row.ocr, row.error_code) == ("geometry", "pdfium", "auto", "timeout")
    (again,) = run([tmp_path / "a.pdf"], out=tmp_path / "out", timeout=0.01, page_timeout=0.001, jobs=1)
    assert again.skipped and again.document.status == "failed"


@pytest.mark.slow
def test_a_worker_that_reads_documents_in_turn_writes_what_a_worker_per_document_writes(tmp_path):
    """A worker takes one document after another: nothing of one document carries over into the next. One
    worker through five different samples writes the very bytes five batches of one document each write."""
    names = ["mmm-2016-s1-ruled", "mmm-2016-s1-borderless", "mmm-2016-s2-renamed", "mmm-2016-s1-fpdf",
             "mmm-2016-s1-planted"]
    paths = [SAMPLES / f"{n}.pdf" for n in names]
    together = run(paths, out=tmp_path / "together", jobs=1, reader="pdfium")
    assert [o.document.status for o in together] == ["ok"] * 5
    for p in paths:
        run([p], out=tmp_path / "apart", jobs=1, reader="pdfium")
    assert parquet_bytes(tmp_path / "together") == parquet_bytes(tmp_path / "apart")
    assert len(parquet_bytes(tmp_path / "together")) == 5 * 8


def test_a_worker_has_the_same_room_under_its_limit_for_its_second_document():
    """pyarrow's allocator reserves 1 GiB of address space on its first allocation, the first document's
    outputs: inside a worker's --max-memory, it left the documents after the first 1 GiB short. The worker
    reserves it before its limit is set, so a later document's 1.3 GiB still fits under 2 GiB."""
    code = (
        "import io, numpy as np, pyarrow as pa, pyarrow.parquet as pq\n"
        "from poa import limits as lim\n"
        "from poa.batch.worker import _reserve_arrow\n"
        "_reserve_arrow()\n"
        "lim.limit_memory(2 * lim.GiB)\n"
        "pq.write_table(pa.table({'a': [1]}), io.BytesIO())  # a first document's outputs\n"
        "np.empty(int(1.3 * lim.GiB) // 8)  # the next document's 1.3 GiB of address space\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]


@contextmanager
def recording_forks():
    """The pids of the workers the batch forks while inside."""
    import poa.batch.pool as batch  # where the pool forks its workers

    forked: list[int] = []
    fork = batch._fork

    def recording_fork(b):
        w = fork(b)
        forked.append(w.pid)
        return w

    batch._fork = recording_fork
    try:
        yield forked
    finally:
        batch._fork = fork


def test_a_worker_killed_while_it_waits_costs_no_document(mini_pdf, tmp_path):
    """A worker takes documents in turn: killed between two (by the system's out-of-memory killer, say), the
    next document goes to a fresh worker and is read, not failed for a death that was not its doing."""
    paths = copies(mini_pdf, tmp_path / "in", 3)

    def kill_the_idle_worker(_outcome):
        os.kill(forked[-1], signal.SIGKILL)
        time.sleep(0.2)  # dead and its end of the pipe closed before the next document is sent

    with recording_forks() as forked:
        outcomes = run(paths, out=tmp_path / "out", jobs=1, on_done=kill_the_idle_worker)
    assert [o.document.status for o in outcomes] == ["ok"] * 3, [o.document.error for o in outcomes]
    assert len(forked) == 3  # one worker per document: each was killed once its document was done


def test_a_worker_that_dies_as_it_is_handed_a_document_costs_no_document(mini_pdf, tmp_path, monkeypatch):
    """The worker dies right after the document is sent to it, before it could count its pages: the document
    is tried once more on a fresh worker. One that kills its worker twice is failed, with the reason."""
    import poa.batch.worker as batch

    paths = copies(mini_pdf, tmp_path / "in", 3)
    take = batch._Worker.take
    kills: list[int] = []

    def take_then_die(self, index, job):
        if index == 1 and len(kills) < 1:
            kills.append(index)
            os.kill(self.pid, signal.SIGSTOP)  # it cannot count the pages between the hand-over and the kill
            take(self, index, job)
            os.kill(self.pid, signal.SIGKILL)
        else:
            take(self, index, job)

    monkeypatch.setattr(batch._Worker, "take", take_then_die)
    outcomes = run(paths, out=tmp_path / "once", jobs=1)
    assert kills == [1] and [o.document.status for o in outcomes] == ["ok"] * 3, [o.document.error for o in outcomes]

    def always_die(self, index, job):
        take(self, index, job)
        if index == 1:
            os.kill(self.pid, signal.SIGKILL)

    monkeypatch.setattr(batch._Worker, "take", always_die)
    outcomes = run(paths, out=tmp_path / "twice", jobs=1)
    assert [o.document.status for o in outcomes] == ["ok", "failed", "ok"]
    assert "the worker died while reading this document (signal 9, SIGKILL)" in outcomes[1].document.error


def test_a_worker_whose_document_was_unreadable_takes_the_next_one(mini_pdf, tmp_path):
    """Documents the pipeline finds unreadable (no table, not a PDF) leave their worker as it was: one worker
    reads a folder of them and a good report, instead of a fork per failed file."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"notes{i}.pdf").write_bytes(f"%PDF-1.4\nnot a report {i}\n".encode())
    shutil.copy(mini_pdf, folder / "z.pdf")
    with recording_forks() as forked:
        outcomes = run([folder], out=tmp_path / "out", jobs=1)
    assert [o.document.status for o in outcomes] == ["failed"] * 4 + ["ok"]
    assert len(forked) == 1


def test_a_run_logs_each_document_as_a_json_line_with_its_code_and_stage_times(mini_pdf, tmp_path, capsys):
    """`--log-file`: what an archivist greps after a night's batch: one line per document with its status, the
    failure's code and what each stage took; the run's start and end around them."""
    import json

    from poa.cli import main

    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    _prose_pdf(tmp_path / "minutes.pdf")
    log = tmp_path / "run.jsonl"
    assert main(["run", str(tmp_path / "a.pdf"), str(tmp_path / "minutes.pdf"), "--out", str(tmp_path / "out"),
                 "--quiet", "--log-file", str(log)]) == 1
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [x["event"] for x in lines] == ["run_start", "document", "document", "run_end"]
    docs = {Path(x["path"]).name: x for x in lines if x["event"] == "document"}
    assert (docs["a.pdf"]["status"], docs["a.pdf"]["error_code"]) == ("ok", None)
    assert set(docs["a.pdf"]["stages"]) == {"extract", "normalize", "validate", "write"}
    assert (docs["minutes.pdf"]["status"], docs["minutes.pdf"]["error_code"]) == ("failed", "no_table")
    assert lines[-1]["failed"] == 1 and lines[-1]["ok"] == 1 and all(x["time"].endswith("Z") for x in lines)
    assert main(["run", str(tmp_path / "a.pdf"), "--out", str(tmp_path / "out"), "--log-file",
                 str(tmp_path / "no" / "such" / "dir.jsonl")]) == 2
    assert "--log-file" in capsys.readouterr().err
