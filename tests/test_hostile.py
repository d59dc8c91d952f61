"""Hostile inputs: names and messages that are not what a printer expects, formulas and non-XML text for
the workbook, a decompression bomb, a document that makes no progress, files that are not files, a killed
parent, a full disk, foreign files in the output folder. Every hostile PDF is generated here."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from conftest import ROOT, SAMPLES, mini_seed, pdf_of

from poa import limits as lim
from poa.batch import run
from poa.cli import main
from poa.pipeline import identify

# ------------------------------------------------------------------ hostile PDFs, made here


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<<" + entries + b"/Length %d>>stream\n" % len(data) + data + b"\nendstream"


def _one_page(contents: bytes, resources: bytes = b"<<>>", *more: bytes) -> list[bytes]:
    return [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources " + resources + b">>",
            contents, *more]


def bomb_pdf(gib: int = 4) -> bytes:
    """A page whose content stream inflates to `gib` GiB of zeros: Flate over Flate, about 10 KB. The inner
    stream is built by repeating one fully-flushed deflate block of 1 MiB of zeros, so it costs nothing."""
    c = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    head = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    inner = head + block * (gib * 1024 - 1) + c.flush()
    return pdf_of(_one_page(_stream(b"/Filter[/FlateDecode/FlateDecode]", zlib.compress(inner, 9))))


def busy_pdf(depth: int = 30) -> bytes:
    """Form XObjects that each draw the next twice: 2**30 drawings from 4 KB, which keep pdfminer busy with
    no end in sight (no cycle for it to refuse: each form is drawn from its own resources)."""
    first = 5
    forms = [_stream(b"/Subtype/Form/BBox[0 0 9 9]/Resources<</XObject<</X %d 0 R>>>>" % (first + k + 1), b"/X Do/X Do")
             for k in range(depth - 1)] + [_stream(b"/Subtype/Form/BBox[0 0 9 9]", b"0 0 m 1 1 l S")]
    return pdf_of(_one_page(_stream(b"", b"/X Do"), b"<</XObject<</X %d 0 R>>>>" % first, *forms))


def cycle_pdf() -> bytes:
    """A real reference cycle in /Resources: the page's resources (object 5) name a form XObject whose own
    /Resources is that same dictionary, and the form draws itself (`/X Do`)."""
    form = _stream(b"/Type/XObject/Subtype/Form/BBox[0 0 9 9]/Resources 5 0 R", b"0 0 m 9 9 l S /X Do")
    return pdf_of(_one_page(_stream(b"", b"/X Do"), b"5 0 R", b"<</XObject<</X 6 0 R>>>>", form))


def cycle_pair_pdf() -> bytes:
    """Two form XObjects, each in the other's /Resources, each drawing the other twice: a cycle through two
    streams (A → B → A …), in some 700 bytes. pdfminer refuses the cycle; PDFium's page loading
    takes memory until the limit stops it."""
    a = _stream(b"/Type/XObject/Subtype/Form/BBox[0 0 9 9]/Resources<</XObject<</B 6 0 R>>>>", b"/B Do /B Do")
    b = _stream(b"/Type/XObject/Subtype/Form/BBox[0 0 9 9]/Resources<</XObject<</A 5 0 R>>>>", b"/A Do /A Do")
    return pdf_of(_one_page(_stream(b"", b"/A Do"), b"<</XObject<</A 5 0 R>>>>", a, b))


def huge_page_pdf(points: int = 14400) -> bytes:
    """A page of `points` × `points` (200 inches square, the largest MediaBox the PDF spec allows) with a word
    and a ruled box on it: 60000 × 60000 pixels for a reader that renders it at 300 dpi."""
    ink = b"BT /F1 12 Tf 100 100 Td (Hola) Tj ET 50 50 m 500 50 l 500 150 l 50 150 l h S"
    objs = _one_page(_stream(b"", ink), b"<</Font<</F1 5 0 R>>>>", b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>")
    objs[2] = objs[2].replace(b"/MediaBox[0 0 612 792]", b"/MediaBox[0 0 %d %d]" % (points, points))
    return pdf_of(objs)


def bad_dictionary_pdf() -> bytes:
    """A catalog with an odd dictionary: pdfminer's message quotes it, `[/'Type', /'Catalog', …]`, which rich
    would take for a closing markup tag."""
    objs = _one_page(_stream(b"", b""))
    objs[0] = b"<</Type/Catalog/Pages 2 0 R/Font>>"
    return pdf_of(objs)




FORMULA = '=HYPERLINK("http://x","click")'
# Texts of the PDF that start like a formula (OWASP's list: = + - @), each where the xlsx has it alone in a
# cell, and how the workbook must keep it (¤ is printed as U+FFFE, which the workbook holds as U+FFFD).
LIKE_FORMULAS = {"=cmd|' /C calc'!A0": "=cmd|' /C calc'!A0",
                 "+591 2 2110000 es la línea de consultas habilitada.": "+591 2 2110000 es la línea de consultas habilitada.",
                 "-Se elaboraron tres informes técnicos.": "-Se elaboraron tres informes técnicos.",
                 "@SUM(1+1) opinión ¤ sobre": "@SUM(1+1) opinión \ufffd sobre"}


def _cell(row, i: int, text: str):
    cells = list(row.cells)
    cells[i] = text
    return replace(row, cells=cells)


@pytest.fixture(scope="module")
def formula_pdf(tmp_path_factory) -> Path:
    """The mini report with texts a spreadsheet would run and characters XML refuses: a unit named
    `=HYPERLINK(…) ¤`, result texts starting with `=cmd|…` (DDE), `+`, `-` and `@` (LIKE_FORMULAS), markup in
    another unit's name, and U+FFFE wherever ¤ was printed (the font's ToUnicode
    map is edited in place: same length, so the cross-reference table stays right)."""
    from samples.generate import render_fpdf

    seed = mini_seed()
    results = list(seed.results)
    units = {r.number: i for i, r in enumerate(results) if r.kind == "unit"}
    results[units["02"]] = _cell(results[units["02"]], 1, f"{FORMULA} ¤")
    results[units["01"]] = _cell(results[units["01"]], 1, "Asesoría <script>alert(1)</script> & <b>Despacho</b>")
    dde, phone, dash, at = LIKE_FORMULAS
    results[1] = _cell(results[1], 1, at)
    results[2] = _cell(results[2], 2, dde)
    results[3] = _cell(_cell(results[3], 1, phone), 2, dash)
    path = tmp_path_factory.mktemp("formula") / "formula.pdf"
    render_fpdf(replace(seed, results=results), path, compress=False)
    data, n = re.subn(rb"(<[0-9A-F]{4}> )<00A4>", rb"\1<FFFE>", path.read_bytes())
    assert n >= 1
    path.write_bytes(data)
    return path


def _copy(src: Path, dest: Path | bytes, tag: str) -> None:
    """The same report with other bytes (a comment after %%EOF): another document."""
    data = src.read_bytes() + f"\n% {tag}\n".encode()
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _ok_results(path: Path) -> int:
    from poa.pipeline import process

    report = process(path)
    assert report.document.status == "ok"
    return len(report.results)


def _deny(monkeypatch, folder: Path) -> None:
    """Make a folder unlistable: chmod 000, or (as root, whom permissions do not stop) the calls that list it."""
    if os.geteuid() != 0:
        folder.chmod(0)
        return
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(real):
        def call(path=".", *a):
            if not isinstance(path, int) and os.fsencode(path) == os.fsencode(folder):
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
            return real(path, *a)
        return call

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))


# What a formula poa writes may hold: its functions, cell references (on its own results sheet too), "" and
# numbers. No text of the PDF can fit this.
POA_FORMULA = re.compile(r'(?:IFERROR|AVERAGE|ROUND|IF|AND|ISNUMBER|(?:Resultados!)?[A-Z]{1,3}[0-9]+|""|[0-9]+|[(),:<>=+-])+')


def _xlsx_formulas_and_xml(path: Path) -> list[str]:
    """Every sheet of the workbook parses as XML; the formulas it holds (none allowed)."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                root = ElementTree.fromstring(z.read(name))  # raises on a character XML refuses
                found += [f.text or "" for f in root.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}f")]
    return found


# ------------------------------------------------------------------ the whole batch


@pytest.fixture
def quiet_faults(request):
    """pytest's fault handler off while the test runs: the batch's forked workers inherit it, and a worker that
    PDFium aborts at its memory limit (SIGABRT) would print "Fatal Python error: Aborted" and its stack straight
    to the terminal, past the captured output (`poa run` itself has no fault handler)."""
    import faulthandler

    from _pytest import faulthandler as pytest_faults

    was = faulthandler.is_enabled()
    faulthandler.disable()
    yield
    if was:
        faulthandler.enable(file=request.config.stash.get(pytest_faults.fault_handler_stderr_fd_key, sys.stderr))


@pytest.mark.slow
def test_a_batch_of_every_hostile_input_and_good_reports_finishes_and_records_everything(
        mini_pdf, formula_pdf, tmp_path, monkeypatch, capfd, quiet_faults):
    src = tmp_path / "in"
    src.mkdir()
    _copy(mini_pdf, src / "good.pdf", "good")
    (src / "a[").mkdir()
    _copy(mini_pdf, src / "a[" / "b].pdf", "markup name")  # the path reads a[/b].pdf: a closing tag to rich
    _copy(mini_pdf, os.fsencode(src) + b"/caf\xe9.pdf", "latin-1 name")  # not valid UTF-8
    shutil.copy(formula_pdf, src / "formula.pdf")
    (src / "bomb.pdf").write_bytes(bomb_pdf())
    (src / "busy.pdf").write_bytes(busy_pdf())
    (src / "dictionary.pdf").write_bytes(bad_dictionary_pdf())
    (src / "cycle.pdf").write_bytes(cycle_pdf())
    (src / "cycle-pair.pdf").write_bytes(cycle_pair_pdf())
    (src / "\x1b[31mred\x1b[0m\nline.pdf").write_bytes(b"not a pdf at all")
    (src / "notes.pdf").write_bytes(b"Acta en texto plano.\n")
    (src / "notes2.pdf").write_bytes(b"Acta en texto plano.\n")  # the same bytes: failed too, same reason
    os.mkfifo(src / "pipe.pdf")
    (src / "zero.pdf").symlink_to("/dev/zero")
    (src / "pagemap.pdf").symlink_to("/proc/self/pagemap")
    locked = src / "locked"
    locked.mkdir()
    _deny(monkeypatch, locked)
    out = tmp_path / "out"
    import poa.cli

    reporters = []

    class Keep(poa.cli.Reporter):  # the CLI's own reporter, kept to read the outcomes (and their memory) after
        def __init__(self, quiet: bool):
            super().__init__(quiet)
            reporters.append(self)

    monkeypatch.setattr(poa.cli, "Reporter", Keep)
    # pdfplumber's reader: pdfminer quotes a damaged file's own dictionaries in its messages ("[/'Type', …]"),
    # the markup-like text this batch must print safely (PDFium opens that file without a word)
    code = main(["run", str(src), "--out", str(out), "--jobs", "2", "--timeout", "5", "--max-memory", "1G",
                 "--reader", "pdfplumber"])
    printed = capfd.readouterr()

    assert code == 1
    assert "Traceback" not in printed.out + printed.err and "MarkupError" not in printed.out + printed.err
    docs = pd.read_parquet(out / "documents").set_index("source_path")
    name = lambda p: str(src / p)  # noqa: E731
    expected = {"good.pdf", "a[/b].pdf", "caf\\xe9.pdf", "formula.pdf", "bomb.pdf", "busy.pdf", "dictionary.pdf",
                "cycle.pdf", "cycle-pair.pdf", "\x1b[31mred\x1b[0m\nline.pdf", "notes.pdf", "pipe.pdf", "zero.pdf",
                "pagemap.pdf", "locked"}
    assert set(docs.index) == {name(p) for p in expected}  # every input (the copy shares its doc_id)
    ok = {"good.pdf", "a[/b].pdf", "caf\\xe9.pdf", "formula.pdf"}
    assert set(docs.index[docs.status == "ok"]) == {name(p) for p in ok}
    reason = docs.error.to_dict()
    # the bomb inflates until a limit stops it: memory, or time on a loaded machine — seconds either way
    assert reason[name("bomb.pdf")].startswith(("ran out of the memory limit (1 GiB, --max-memory)", "timed out after"))
    # 2**30 drawings: pdfplumber works at them until the time limit, PDFium takes memory until the limit
    assert reason[name("busy.pdf")] in ("timed out after 10 s (--timeout 5 s + 5 s × 1 page)",) or reason[
        name("busy.pdf")].startswith("ran out of the memory limit (1 GiB, --max-memory)")
    assert reason[name("dictionary.pdf")].startswith("damaged or truncated PDF: Invalid dictionary construct: [/'Type'")
    # The cycles: a plain reason within the limits. The form that draws itself through the page's own
    # resources is refused by both libraries (no text, no image: nothing read); the pair that draws each other
    # twice keeps PDFium's page loading busy until a limit stops it.
    assert docs.status[name("cycle.pdf")] == "failed" and reason[name("cycle.pdf")].startswith(
        ("nothing is printed on its page", "timed out after", "page 1 of 1 made no progress")), reason[name("cycle.pdf")]
    assert docs.status[name("cycle-pair.pdf")] == "failed" and reason[name("cycle-pair.pdf")].startswith(
        ("timed out after", "page 1 of 1 made no progress", "ran out of the memory limit (1 GiB, --max-memory)",
         "nothing is printed on its page")), reason[name("cycle-pair.pdf")]
    assert reason[name("pipe.pdf")] == "not a regular file: a named pipe (FIFO)"
    assert reason[name("zero.pdf")] == "not a regular file: a character device"
    assert reason[name("pagemap.pdf")].startswith(("cannot read the file", "not a regular file on disk"))
    assert reason[name("locked")] == "cannot list the folder: Permission denied"

    # The good reports are complete.
    n = _ok_results(mini_pdf)
    results = pd.read_parquet(out / "results")
    ids = docs.doc_id.to_dict()
    for p in ("good.pdf", "a[/b].pdf", "caf\\xe9.pdf"):
        assert (results.doc_id == ids[name(p)]).sum() == n

    # Printed safely: names as they are, control characters escaped, no markup interpreted.
    everything = printed.out + printed.err
    assert f"ok      {src}/a[/b].pdf: " in printed.out
    assert f"ok      {src}/caf\\xe9.pdf: " in printed.out
    assert "\x1b" not in everything and f"{src}/\\x1b[31mred\\x1b[0m\\x0aline.pdf" in everything
    assert "Invalid dictionary construct: [/'Type', /'Catalog'" in printed.err
    assert "FAILED" in printed.err and "notes2.pdf: not a PDF" in printed.err
    assert "(the same bytes as" in printed.err

    # The workbook of the report with formulas and U+FFFE: valid XML, no formula, the text kept as text.
    import openpyxl

    xlsx = out / "audit" / f"{ids[name('formula.pdf')]}.xlsx"
    formulas = _xlsx_formulas_and_xml(xlsx)
    # The only formulas are poa's own recomputation (issue 11): functions over cell references, nothing else.
    assert formulas and all(POA_FORMULA.fullmatch(f) for f in formulas), formulas
    cells = [c for ws in openpyxl.load_workbook(xlsx) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(FORMULA)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert all(c.value == f"{FORMULA} \ufffd" for c in cells)
    workbook = openpyxl.load_workbook(xlsx)
    for planted, kept in LIKE_FORMULAS.items():  # DDE, +, -, @: text, marked as text (quote prefix), kept whole
        cells = [c for ws in workbook for row in ws.iter_rows() for c in row if isinstance(c.value, str)
                 and c.value.startswith(kept[:12])]
        assert cells and any(c.value == kept for c in cells), (planted, [c.value for c in cells])
        assert all(c.data_type == "s" and c.quotePrefix for c in cells), [(c.coordinate, c.data_type) for c in cells]
    assert not any(c.data_type == "f" and not POA_FORMULA.fullmatch(str(c.value).removeprefix("="))
                   for ws in workbook for row in ws.iter_rows() for c in row)
    html = (out / "audit" / f"{ids[name('formula.pdf')]}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Despacho&lt;/b&gt;" in html and "<script>" not in html
    assert "\ufffe" not in html
    index = (out / "audit" / "index.html").read_text(encoding="utf-8")
    assert "red\ufffd[0m" in index and "\x1b" not in index

    # Under the memory limit: no worker's resident memory grew past what it shares with the parent + 1 GiB.
    (reporter,) = reporters
    assert len(reporter.outcomes) == len(expected) + 1
    bomb = next(o for o in reporter.outcomes if o.document.source_path == name("bomb.pdf"))
    assert all(o.memory <= lim.address_space() + lim.GiB for o in reporter.outcomes) and bomb.memory > 0

    # Nothing of poa's own is left behind.
    assert not [p for p in out.rglob("*.tmp")] and not (out / ".poa").exists()


# ------------------------------------------------------------------ limits, one at a time


def test_a_worker_dies_with_its_killed_parent(tmp_path):
    (tmp_path / "busy.pdf").write_bytes(busy_pdf())
    cmd = [sys.executable, "-m", "poa.cli", "run", str(tmp_path / "busy.pdf"), "--out", str(tmp_path / "out"),
           "--quiet", "--timeout", "600"]
    parent = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children")
    deadline = time.monotonic() + 120
    worker = None
    while worker is None:
        assert time.monotonic() < deadline and parent.poll() is None, "no worker started"
        pids = children.read_text().split()
        worker = int(pids[0]) if pids else None
        time.sleep(0.05)
    parent.kill()
    parent.wait()

    def gone(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        return state in ("Z", "X")  # dead, waiting for init to reap it

    deadline = time.monotonic() + 30
    while not gone(worker):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.05)

    # The killed run's record lets the next one clean up after it: its workers' temp folder goes too.
    from poa.batch import clean_dead_runs

    (record,) = (tmp_path / "out" / ".poa").glob("run-*.json")
    worker_tmp = Path(json.loads(record.read_text())["tmp"])
    assert worker_tmp.is_dir()
    clean_dead_runs(tmp_path / "out")
    assert not worker_tmp.exists() and not record.exists()


def test_a_page_that_makes_no_progress_fails_with_the_page_guard(mini_pdf, tmp_path, monkeypatch):
    """What a page source does around each page (`reading_page`), here without the extractor: the page count
    reaches the parent, a stuck page fails on its own limit."""
    import poa.pipeline

    def stuck(path, engine="geometry", document=None, *, watch, **options):  # the watch the worker hands the reader
        with watch.reading_page(1, 3):
            pass
        with watch.reading_page(2, 3):
            time.sleep(600)

    monkeypatch.setattr(poa.pipeline, "process", stuck)
    shutil.copy(mini_pdf, tmp_path / "a.pdf")
    (o,) = run([tmp_path / "a.pdf"], out=tmp_path / "out", timeout=60, page_timeout=0.2)
    assert o.document.status == "failed"
    assert o.document.error == "page 2 of 3 made no progress in 1.2 s"


def test_deadlines_nest_and_name_what_ran_out():
    with pytest.raises(lim.LimitExceeded, match="inner"):
        with lim.deadline(60, "outer"):
            with lim.deadline(0.05, "inner"):
                time.sleep(30)
    with pytest.raises(lim.LimitExceeded, match="outer"):
        with lim.deadline(0.05, "outer") as d:
            with lim.deadline(60, "inner"):
                d.move(0.1)
                time.sleep(30)
    from poa.core.watch import NO_WATCH

    with NO_WATCH.reading_page(1, 1):  # outside a worker: nothing
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_sizes_and_seconds_are_parsed_or_refused():
    assert lim.parse_size("2G") == lim.parse_size("2GiB") == 2 * lim.GiB
    assert lim.parse_size("1536m") == 1536 * lim.MiB and lim.parse_size("1.5g") == 3 * lim.GiB // 2
    assert lim.format_size(2 * lim.GiB) == "2 GiB" and lim.format_size(768 * lim.MiB) == "768 MiB"
    for bad in ("lots", "-1G", "0", "", "2 GB extra", "nan", "9999999999T", 1 << 63):
        with pytest.raises(ValueError):
            lim.parse_size(bad)
    for bad in (0, -5, float("nan"), float("inf"), "x", 1e10):
        with pytest.raises(ValueError):
            lim.check_seconds(bad)
    assert lim.parse_size("128T") == lim.MAX_SIZE and lim.check_seconds(604800) == 604800


@pytest.mark.parametrize("flag,value", [("--timeout", "1e10"), ("--max-memory", "9999999999T")])
def test_a_limit_beyond_its_real_range_is_a_usage_error_not_a_traceback(tmp_path, flag, value):
    done = subprocess.run([sys.executable, "-m", "poa.cli", "run", str(SAMPLES / "mmm-2016-s1-ruled.pdf"),
                           "--out", str(tmp_path / "out"), flag, value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr and flag in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_hashing_is_bounded(tmp_path):
    big = tmp_path / "sparse.pdf"
    with open(big, "wb") as f:
        f.truncate(64 << 30)  # 64 GiB of holes: reading it all would take minutes
    doc = identify(big, max_seconds=0.2)
    assert doc.status == "failed" and doc.error == "reading the file took more than 0.2 s"
    os.mkfifo(tmp_path / "fifo.pdf")
    assert identify(tmp_path / "fifo.pdf").error == "not a regular file: a named pipe (FIFO)"


# ------------------------------------------------------------------ usage errors


@pytest.mark.parametrize("args, says", [
    (["--timeout", "0"], "--timeout: must be a positive number of seconds, not 0"),
    (["--timeout", "-3"], "--timeout: must be a positive number of seconds, not -3"),
    (["--timeout", "nan"], "--timeout: must be a positive number of seconds, not nan"),
    (["--max-memory", "lots"], "--max-memory: 'lots' is not a size"),
    (["--max-memory", "-1"], "--max-memory: '-1' is not a size"),
    (["--max-memory", "100M"], "--max-memory 100 MiB is too small"),
])
def test_nonsense_limits_are_usage_errors(mini_pdf, tmp_path, capsys, args, says):
    out = tmp_path / "out"
    try:
        code = main(["run", str(mini_pdf), "--out", str(out), *args])
    except SystemExit as e:  # argparse's way out
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1
    assert not out.exists()


def test_output_folder_and_input_usage_errors_write_nothing(mini_pdf, tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("no pdf here")
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    cases = [
        (["run", str(mini_pdf), "--out", str(dangling)], "is a link to"),
        (["run", str(mini_pdf), "--out", str(a_file)], "is a file, not a folder"),
        (["run", str(mini_pdf), "--out", str(a_file / "out")], "cannot create the folder"),
        (["run", str(mini_pdf), "--out", "/proc/poa-out"], "cannot create the folder"),
        (["run", str(mini_pdf), "--out", "/proc"], "cannot write in the folder"),
        (["run", str(empty), "--out", str(tmp_path / "out")], "no PDF file in this folder"),
    ]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for argv, says in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1 and err.startswith("poa: "), err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert a_file.read_text() == "mine"


def test_a_full_disk_mid_batch_fails_the_documents_without_a_traceback(mini_pdf, tmp_path, monkeypatch, capfd):
    import poa.outputs.store as parquet

    def full(table, where, **kw):
        Path(where).write_bytes(b"PAR1 half")  # a half-written temporary, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parquet.pq, "write_table", full)
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "a.pdf"), "--out", str(out), "--quiet"]) == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "cannot write its outputs in" in err and "No space left on device" in err
    assert not list(out.rglob("*.tmp"))


# ------------------------------------------------------------------ what poa removes, and what it reads back


def test_poa_removes_only_its_own_temporary_files(mini_pdf, tmp_path, monkeypatch):
    from poa.outputs.store import FOLDERS

    out = tmp_path / "out"
    for folder in FOLDERS:
        (out / folder).mkdir(parents=True)
    theirs = [out / "notes" / ".draft.tmp", out / ".git" / ".lock.tmp", out / "documents" / ".mine.tmp",
              out / "audit" / ".x.html.poa-0123456789ab-1.abc.tmp"]  # poa's pattern, but no record: unproven
    dead, live = "deaddeaddead", "a1a1a1a1a1a1"
    dead_tmp = out / "units" / f".0123456789abcdef.parquet.poa-{dead}-4242.k3j4h5.tmp"
    live_tmp = out / "units" / f".0123456789abcdef.parquet.poa-{live}-4243.k3j4h5.tmp"
    for p in theirs + [dead_tmp, live_tmp]:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    gone = subprocess.Popen(["true"])  # a pid no process has any more
    gone.wait()
    (out / ".poa").mkdir()
    (out / ".poa" / f"run-{dead}.json").write_text(json.dumps({"run_id": dead, "pid": gone.pid,
                                                                 "host": socket.gethostname(), "started": "1"}))
    from poa.batch.runrecord import _proc_start

    (out / ".poa" / f"run-{live}.json").write_text(json.dumps({"run_id": live, "pid": os.getpid(), "host": socket.gethostname(),
                                                               "started": _proc_start(os.getpid())}))

    # A worker killed while writing leaves a half-written temporary file: the parent removes it.
    import poa.outputs.store as parquet

    real, parent = parquet.pq.write_table, os.getpid()

    def killed_mid_write(table, where, **kw):
        if os.getpid() != parent and "units" in str(where):
            Path(where).write_bytes(b"PAR1 half")
            os.kill(os.getpid(), signal.SIGKILL)
        return real(table, where, **kw)

    monkeypatch.setattr(parquet.pq, "write_table", killed_mid_write)
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    (o,) = run([tmp_path / "a.pdf"], out=out)
    assert o.document.error == "the worker died while reading this document (signal 9, SIGKILL)"
    assert all(p.exists() for p in theirs + [live_tmp]) and not dead_tmp.exists()
    assert sorted(p.name for p in out.rglob("*.tmp")) == sorted(p.name for p in theirs + [live_tmp])
    assert [p.name for p in (out / ".poa").iterdir()] == [f"run-{live}.json"]


def test_foreign_files_in_the_output_folder_are_ignored(mini_pdf, tmp_path):
    out = tmp_path / "out"
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    (first,) = run([tmp_path / "a.pdf"], out=out)
    docs = out / "documents"
    (docs / "notes.txt").write_text("mine")
    (docs / "0123456789abcdef.parquet").write_bytes(b"PAR1 not really")
    (docs / "fedcba9876543210.parquet").mkdir()
    os.mkfifo(docs / "00000000000000aa.parquet")  # reading it would block for ever
    (out / "findings" / "stray.parquet").write_bytes(b"junk")
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A real Parquet file named as poa names its own, without poa's columns (an older or a foreign one)
    pq.write_table(pa.table({"x": [1]}), out / "findings" / "00000000000000bb.parquet")
    pq.write_table(pa.table({"doc_id": ["00000000000000cc"]}), docs / "00000000000000cc.parquet")
    (again,) = run([tmp_path / "a.pdf"], out=out)
    assert again.skipped and again.document.status == "ok"
    index = (out / "audit" / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr") == 2 and "1 documento en" in index  # issue 11: no more "1 documentos"
    from poa.outputs.store import read_poa_file

    assert read_poa_file(docs / "00000000000000cc.parquet", ["doc_id", "status"]) is None
    own = docs / f"{first.document.doc_id}.parquet"
    own.write_bytes(b"corrupt")  # the document's own row, damaged: done again, not skipped, not a crash
    (third,) = run([tmp_path / "a.pdf"], out=out)
    assert not third.skipped and third.document.status == "ok"


def test_markup_in_names_and_messages_is_printed_as_text_on_a_terminal(capsys):
    import io

    from rich.console import Console

    from poa.batch import Outcome
    from poa.core.records import Document
    from poa.terminal import Reporter

    r = Reporter(quiet=False)
    r.console = Console(file=io.StringIO(), force_terminal=True, width=200)
    r.live = True
    r.start(1, 1)
    bad = Document(doc_id="0" * 16, source_path="in/a[/b].pdf\x1b[2J", sha256="", status="failed",
                   error="damaged or truncated PDF: Invalid dictionary construct: [/'Font', /'F1']")
    r.done(Outcome(bad))
    r.progress.stop()
    r.summary("out[/x]")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", r.console.file.getvalue())  # rich's own colours
    assert "in/a[/b].pdf\\x1b[2J: damaged or truncated PDF: Invalid dictionary construct: [/'Font', /'F1']" in shown
    assert "poa run → out[/x]/" in shown


# ------------------------------------------------------------------ camelot on a page it cannot render


def test_camelot_on_a_page_too_large_to_render_fails_in_plain_words(tmp_path, capfd):
    """`--engine camelot` renders each page at 300 dpi: a 14400 pt page would be 60000 × 60000 pixels (camelot
    took 9 GB, then said "Ghostscript is not installed"). It is refused before any pixel is drawn."""
    (tmp_path / "huge.pdf").write_bytes(huge_page_pdf())
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "huge.pdf"), "--out", str(out), "--engine", "camelot", "--quiet"]) == 1
    printed = capfd.readouterr()
    assert "Traceback" not in printed.out + printed.err
    (error,) = pd.read_parquet(out / "documents").error
    assert error == ("camelot could not render page 1 to an image (14400 × 14400 pt is 60000 × 60000 pixels at 300 dpi, "
                     "more than 100 million): try --engine geometry")


def test_a_page_camelot_cannot_render_is_named_and_leaves_no_temp_folder(mini_pdf, tmp_path, monkeypatch):
    """A render that fails (here PDFium refusing page 2, both ways camelot asks for it) ends the document with
    a plain reason naming the page and PDFium's own words; camelot does not fall back to Ghostscript (not
    installed: "Ghostscript is not installed") nor leave the temp folder it makes for that fallback."""
    import tempfile

    import pypdfium2 as pdfium
    from camelot.backends.pdfium_backend import PdfiumBackend

    from poa.pipeline import process

    def refuse(real):
        def render(self, pdf_path, *a, page=1, **kw):
            if page == 2:
                raise pdfium.PdfiumError("Failed to fill bitmap rectangle.")
            return real(self, pdf_path, *a, page=page, **kw)
        return render

    monkeypatch.setattr(PdfiumBackend, "to_array", refuse(PdfiumBackend.to_array))
    monkeypatch.setattr(PdfiumBackend, "convert", refuse(PdfiumBackend.convert))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    doc = process(mini_pdf, engine="camelot").document
    assert doc.status == "failed"
    assert doc.error == "camelot could not render page 2 to an image (Failed to fill bitmap rectangle.): try --engine geometry"
    assert list(temp.iterdir()) == []


# ------------------------------------------------------------------ silent partial reads (the read-quality record)


def _strip_to_unicode(pdf: bytes, font: bytes) -> bytes:
    """The PDF with the /ToUnicode map of the fpdf2 font `font` (Roman: the table's body; Bold: titles and
    headers) blanked out in place (same length, so the cross-reference table stays right). The font is an
    Identity-H subset: with no map, its glyphs decode to `(cid:N)`."""
    pattern = rb"(/BaseFont /\w+\+BitstreamVeraSans" + font + rb"\s*/DescendantFonts \[\d+ 0 R\]\s*/Encoding /Identity-H\s*" \
              rb"/Subtype /Type0\s*)(/ToUnicode \d+ 0 R)"
    out, n = re.subn(pattern, lambda m: m.group(1) + b" " * len(m.group(2)), pdf)
    assert n == 1
    return out


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
@pytest.mark.parametrize("font", [b"Roman", b"Bold"], ids=["body-font-unmapped", "header-font-unmapped"])
def test_a_font_that_decodes_to_cid_numbers_is_never_ok(tmp_path, font, reader):
    """Issue 12 case 8: fonts that decode to `(cid:N)` came back `ok` with 0 results. The body font with no
    map gives header words and garbled cells; the header font with no map gives no header at all."""
    import pdfplumber

    from poa.pipeline import process
    from samples.generate import render_fpdf

    path = tmp_path / "cid.pdf"
    render_fpdf(mini_seed(), path, compress=False)
    path.write_bytes(_strip_to_unicode(path.read_bytes(), font))
    with pdfplumber.open(path) as pdf:
        assert "(cid:" in pdf.pages[0].extract_text()  # the PDF is what this test claims it is
    report = process(path, reader=reader, ocr="never")  # its text layer alone (auto reads such pages by OCR)
    doc = report.document
    assert doc.status in ("failed", "review")
    if doc.status == "failed":
        assert doc.error.startswith("no POA results or deviations table found"), doc.error
        assert not report.results and not report.deviations
    else:
        reasons = " ".join(doc.quality.reasons)
        assert "characters have no readable text (a font with no Unicode map)" in reasons, reasons
    assert doc.text_coverage is None or 0 <= doc.text_coverage <= 1


@pytest.mark.slow  # OCR
def test_under_ocr_auto_a_page_in_a_font_with_no_unicode_map_is_read_from_its_image(tmp_path):
    """The body font's glyphs say nothing (no ToUnicode): the default reader sees it and, under --ocr auto,
    reads the page from its image, as --ocr always would (before: failed, 'no header with Cód.')."""
    from poa.pipeline import process
    from samples.generate import render_fpdf

    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed (make test installs it with apt-get)")
    path, clean = tmp_path / "cid.pdf", tmp_path / "clean.pdf"
    render_fpdf(mini_seed(), clean, compress=False)
    path.write_bytes(_strip_to_unicode(clean.read_bytes(), b"Roman"))
    report = process(path)  # PDFium, --ocr auto
    doc = report.document
    assert doc.quality.ocr_pages == list(range(1, doc.pages + 1)) and doc.status != "failed"
    read = [r.code for r in process(clean).results]  # the same report with its text layer whole
    assert len(read) >= 10 and sum(r.code in read for r in report.results) >= len(read) - 2


BIG_CELL = 1 << 20  # characters


def _big_text(size: int, repeated: bool) -> str:
    """`size` characters of plain Spanish report text: one sentence over and over, or words in no repeating
    order (numbered, so that no two lines of the cell print alike)."""
    if repeated:
        sentence = "Se realizaron reuniones de coordinación con las entidades bajo tuición del ministerio. "
        return (sentence * (size // len(sentence) + 1))[:size].strip()
    import random

    rng = random.Random(12)
    vocab = ("reunión coordinación entidades tuición ministerio informe técnico seguimiento minería cooperativas "
             "planta evaluación proyecto convenio gestión recursos").split()
    words, n = [], 0
    while n < size:
        words.append(f"{rng.choice(vocab)} {len(words)}")
        n += len(words[-1]) + 1
    return " ".join(words)[:size].strip()


def _bare(text: str) -> str:
    return "".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("repeated", [False, True], ids=["varied-text", "one-sentence-repeated"])
def test_a_one_megabyte_cell_is_read_whole_or_the_document_is_not_ok(tmp_path, repeated):
    """Issue 12 case 8: a 1 MB cell pushed pages of the table into leftovers and the document was `ok`. The
    mini report with 1 MiB of text in one result's obtained cell, printed by Chromium (a row split over some
    220 pages; reportlab re-wraps the rest of a split paragraph at each page, minutes for 1 MB): either every
    result of the seed is read, in order, with that cell whole and none of its text left over, or the
    document is not `ok`."""
    from poa.pipeline import process
    from samples.generate import render_chromium
    from samples.layouts import missing

    if missing("chromium-grid"):
        pytest.skip(missing("chromium-grid"))
    seed = mini_seed()
    results = list(seed.results)
    big = next(i for i, r in enumerate(results) if r.kind == "result") + 1  # the unit's second result
    text = _big_text(BIG_CELL, repeated)
    results[big] = _cell(results[big], 2, text)
    path = tmp_path / "big-cell.pdf"
    render_chromium(replace(seed, results=results), path)
    report = process(path)
    doc = report.document
    if doc.status != "ok":
        assert doc.status == "review" and doc.quality.reasons, doc.error
        return
    want = [r.cells[0] for r in results if r.kind == "result"]
    assert [r.code for r in report.results] == want  # every result, in order
    (read,) = [r for r in report.results if _bare(r.expected) == _bare(results[big].cells[1])]
    assert len(_bare(read.obtained)) == len(_bare(text)) and _bare(read.obtained) == _bare(text)
    pushed = [lo for lo in report.leftovers if len(_bare(lo.text)) >= 30 and _bare(lo.text) in _bare(text)]
    assert not pushed, f"{len(pushed)} lines of the cell left over, on pages {sorted({lo.page for lo in pushed})[:10]}…"


@pytest.mark.slow
@pytest.mark.parametrize("repeated", [False, True], ids=["varied-text", "one-sentence-repeated"])
def test_a_long_cell_in_a_borderless_table_is_read_whole_or_the_document_is_not_ok(tmp_path, repeated):
    """A cell of 100,000 characters in a table with no line drawn (Chromium, 22 pages): one sentence repeated
    prints the same line at the same place near the top and bottom of pages, as a running head does, and
    with no ruling to say otherwise those lines were set aside as furniture while the document stayed `ok`
    with a tenth of the cell gone. Either the cell is read whole, or the document is not `ok`."""
    from poa.pipeline import process
    from samples.layouts import missing
    from samples.layouts.html import HtmlStyle, render_chromium

    if missing("chromium-nolines-esbo"):
        pytest.skip(missing("chromium-nolines-esbo"))
    seed = mini_seed()
    results = list(seed.results)
    big = next(i for i, r in enumerate(results) if r.kind == "result") + 1
    text = _big_text(100_000, repeated)
    results[big] = _cell(results[big], 2, text)
    path = tmp_path / "long-cell.pdf"
    render_chromium(replace(seed, results=results), path, style=HtmlStyle(lines="none"))
    report = process(path)
    doc = report.document
    if doc.status != "ok":
        assert doc.status == "review" and doc.quality.reasons, doc.error
        return
    assert [r.code for r in report.results] == [r.cells[0] for r in results if r.kind == "result"]
    (read,) = [r for r in report.results if _bare(r.expected) == _bare(results[big].cells[1])]
    assert _bare(read.obtained) == _bare(text)


def test_a_huge_page_is_drawn_for_review_within_a_bounded_picture(tmp_path):
    """A 14,400 pt page at the review page's 1.5 px/pt would be 21,600 pixels a side (466 million): drawn smaller,
    within MAX_PIXELS, and the cells drawn over it at the scale it was drawn at."""
    import pypdfium2
    from poa.outputs import pages

    (tmp_path / "huge.pdf").write_bytes(huge_page_pdf())
    pdf = pypdfium2.PdfDocument(str(tmp_path / "huge.pdf"))
    try:
        image = pages.render_page(pdf, 1, scale=1.5, grayscale=True)
        scale = pages.fitted(1.5, *pdf[0].get_size())
    finally:
        pdf.close()
    assert image.width * image.height <= pages.MAX_PIXELS and abs(image.width - 14400 * scale) <= 1
    assert pages.fitted(1.5, 612, 792) == 1.5  # a letter page as before


def test_an_output_folder_inside_the_input_folder_is_never_read_as_input(mini_pdf, tmp_path):
    """`poa run reports --out reports/out` twice: the second run must not take the audit's printed working
    papers (out/audit/*.pdf) for reports."""
    from poa import run

    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(mini_pdf, folder / "a.pdf")
    assert len(run([folder], out=folder / "out", jobs=1)) == 1
    (folder / "out" / "audit").mkdir(parents=True, exist_ok=True)
    shutil.copy(mini_pdf, folder / "out" / "audit" / "printed-paper.pdf")  # as `poa audit --pdf` leaves one
    again = run([folder], out=folder / "out", jobs=1)
    assert [Path(o.document.source_path).name for o in again] == ["a.pdf"]


def test_a_second_run_on_a_folder_in_use_is_refused_naming_the_first(mini_pdf, tmp_path):
    """One writer per output folder: while a run holds DIR, another `poa run` there is a usage error (exit 2)
    that names the run holding it, and writes nothing; once the first is gone (even killed), runs go on."""
    out = tmp_path / "out"
    out.mkdir()
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from poa.batch import Run\n"
        f"run = Run(Path({str(out)!r})); run.start(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = subprocess.run([sys.executable, "-m", "poa.cli", "run", str(tmp_path / "a.pdf"), "--out", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and f"pid {holder.pid}" in done.stderr and "another poa run" in done.stderr
        assert not (out / "documents").exists()
    finally:
        holder.kill()
        holder.wait()
    (o,) = run([tmp_path / "a.pdf"], out=out)  # the kernel let the lock go with the killed process
    assert o.document.read


def test_a_document_whose_tables_went_missing_is_read_again_not_skipped(mini_pdf, tmp_path):
    """An interleaving that left a document's row `ok` but its tables gone (a second run's clean-up, a hand's
    rm): the next run reads it again, saying why, instead of skipping it for good."""
    out = tmp_path / "out"
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    (first,) = run([tmp_path / "a.pdf"], out=out)
    (out / "results" / f"{first.document.doc_id}.parquet").unlink()
    (again,) = run([tmp_path / "a.pdf"], out=out)
    assert not again.skipped and (out / "results" / f"{first.document.doc_id}.parquet").is_file()


def test_sigterm_ends_a_run_as_ctrl_c_does(tmp_path):
    """A scheduler's `kill`: the batch stops, says so, leaves no run record nor temp folder, exits 143."""
    pdfs = tmp_path / "in"
    pdfs.mkdir()
    for i in range(6):
        shutil.copy(SAMPLES / "mmm-2016-s1-ruled.pdf", pdfs / f"r{i}.pdf")
        with open(pdfs / f"r{i}.pdf", "ab") as f:
            f.write(f"% copy {i}\n".encode())  # other bytes: each read, none a copy of another
    proc = subprocess.Popen([sys.executable, "-m", "poa.cli", "run", str(pdfs), "--out", str(tmp_path / "out"),
                             "--jobs", "1", "--quiet"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out" / ".poa").glob("run-*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err, err
    assert not list((tmp_path / "out" / ".poa").glob("run-*.json"))


def _with_text(src: Path, dst: Path, planted: list[tuple[str, float, float, int, tuple]] = (),
               all_invisible: bool = False) -> None:
    """`src` with text objects planted on its first page ((text, x, y, render mode, fill RGBA)), or with every
    text object of every page drawn in render mode 3 (invisible: what an OCR layer over a scan is)."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    pdf = pypdfium2.PdfDocument(str(src))
    try:
        for n, page in enumerate(pdf):
            if all_invisible:
                for k in range(raw.FPDFPage_CountObjects(page.raw)):
                    obj = raw.FPDFPage_GetObject(page.raw, k)
                    if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_TEXT:
                        raw.FPDFTextObj_SetTextRenderMode(obj, 3)
            for text, x, y, mode, rgba in planted if n == 0 else ():
                obj = raw.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(8.0))
                buf = ctypes.create_string_buffer((text + "\x00").encode("utf-16-le"))
                raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
                raw.FPDFTextObj_SetTextRenderMode(obj, mode)
                raw.FPDFPageObj_SetFillColor(obj, *rgba)
                raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
                raw.FPDFPage_InsertObject(page.raw, obj)
            raw.FPDFPage_GenerateContent(page.raw)
        pdf.save(str(dst))
    finally:
        pdf.close()


@pytest.mark.parametrize("reader", ["pdfium", "pdfplumber"])
def test_text_the_page_does_not_show_is_never_read_as_a_cell(mini_pdf, tmp_path, reader):
    """A white "100%" in a blank % cell, and (PDFium) a whole result row drawn in render mode 3: the page shows
    neither. Not read as cells (the blank stays blank, no result 13), kept in leftovers with why, and review."""
    from poa import process

    clean = process(mini_pdf, reader=reader)
    blank = next(r for r in clean.results if r.physical_pct is None)
    x = next(r for r in clean.results if r.physical_pct is not None).cells
    px = next(c for c in x if c[0] == "physical")[2]  # the % column's left edge
    (_, page, _, top, _, bottom) = next(c for c in blank.cells if c[0] == "code")
    height = 612.0  # the mini report is landscape letter: y from the bottom for PDFium
    planted = [("100%", px + 2, height - bottom + 2, 0, (255, 255, 255, 255))]
    if reader == "pdfium":
        planted.append(("08-01.01.01-09 Resultado que no se ve", 60, 60, 3, (0, 0, 0, 255)))
    planted.append(("08-01.01.01-10 Fuera de la hoja 100%", 60, -40, 0, (0, 0, 0, 255)))  # below the page's edge
    _with_text(mini_pdf, tmp_path / "hidden.pdf", planted)
    report = process(tmp_path / "hidden.pdf", reader=reader)
    assert [(r.code, r.physical_pct) for r in report.results] == [(r.code, r.physical_pct) for r in clean.results]
    kept = {lo.text: lo.hidden for lo in report.leftovers if lo.hidden}
    assert kept.get("100%", "").startswith("text in white")
    if reader == "pdfium":
        assert any(why.startswith("invisible text") and "Resultado que no se ve" in text for text, why in kept.items())
    assert any(why == "text outside the page's box" and "Fuera de la hoja" in text for text, why in kept.items())
    doc = report.document
    assert doc.status == "review" and doc.quality.hidden_chars > 0
    assert any("not on the page" in r for r in doc.quality.reasons)


def test_a_report_whose_text_is_all_invisible_is_never_ok(mini_pdf, tmp_path):
    """Every text object in render mode 3 (the page shows an empty grid): its text is no text layer, the page is
    recognised from its image (or the document fails), never 239 results read from what no one can see."""
    from poa import process

    _with_text(mini_pdf, tmp_path / "invisible.pdf", all_invisible=True)
    report = process(tmp_path / "invisible.pdf", ocr="never")
    assert report.document.status == "failed" and not report.results


def _cli_in_child(argv: list[str], err: str) -> None:
    """`poa ARGV` in a forked child, its stderr to `err`, its exit status the CLI's (no interpreter to start)."""
    fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stderr, sys.stdout = open(2, "w", closefd=False), open(1, "w", closefd=False)  # not pytest's capture
    from poa.cli import main

    code = main(argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@pytest.mark.slow  # 12 rounds of ten processes
def test_concurrent_corrections_and_runs_on_one_folder_lose_nothing(mini_pdf, tmp_path):
    """8 `poa correct` and 2 `poa run` at once on one folder, 12 rounds: every correction stays in the file, a
    second run at the same time is refused (never interleaved), and no document is ok without its tables."""
    import multiprocessing

    import pyarrow.parquet as pq
    from poa.outputs.store import ORDER

    from poa.core.corrections import load

    out = tmp_path / "out"
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    (first,) = run([tmp_path / "a.pdf"], out=out)
    doc_id = first.document.doc_id
    key = pq.read_table(out / "results" / f"{doc_id}.parquet").column("result_key")[0].as_py()
    ctx = multiprocessing.get_context("fork")
    written = 0
    for round_ in range(12):
        argvs = [["correct", str(out), doc_id, "results", key, "physical_pct", f"{(round_ * 8 + k) % 100}%",
                  "--note", f"round {round_} writer {k}"] for k in range(8)]
        argvs += [["run", str(tmp_path / "a.pdf"), "--out", str(out), "--quiet", "--jobs", "1"]] * 2
        errs = [str(tmp_path / f"err{k}") for k in range(len(argvs))]
        procs = [ctx.Process(target=_cli_in_child, args=(argv, err)) for argv, err in zip(argvs, errs)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(300)
        codes = [(proc.exitcode, Path(err).read_text()) for proc, err in zip(procs, errs)]
        assert all(code == 0 for code, _ in codes[:8]), codes[:8]
        written += 8
        assert all(code in (0, 3) or (code == 2 and "another poa run" in err) for code, err in codes[8:]), codes[8:]
        assert any(code in (0, 3) for code, _ in codes[8:]), codes[8:]  # never both refused: no third run holds it
        assert len(load(out)) == written
        for row in pq.read_table(out / "documents").to_pylist():
            if row["status"] in ("ok", "review"):
                assert all((out / name / f"{row['doc_id']}.parquet").is_file() for name in ORDER), round_


def test_poa_correct_and_poa_review_on_a_full_disk_say_so_in_one_line(mini_pdf, tmp_path, monkeypatch, capsys):
    """A full (or read-only) output folder: no traceback, one line naming what could not be written, and no temp
    file left behind for no run to remove."""
    import poa.outputs.review as review_page
    import pyarrow.parquet as pq

    import poa.core.corrections as corrections
    from poa.cli import main

    out = tmp_path / "out"
    _copy(mini_pdf, tmp_path / "a.pdf", "a")
    (o,) = run([tmp_path / "a.pdf"], out=out)
    capsys.readouterr()

    def full(*args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(corrections.os, "replace", full)
    key = pq.read_table(out / "results" / f"{o.document.doc_id}.parquet").column("result_key")[0].as_py()
    assert main(["correct", str(out), o.document.doc_id, "results", key, "physical_pct", "50%"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("poa: cannot write") and "No space left on device" in err and err.count("\n") == 1
    assert not list(out.glob(".corrections.csv.*")) and not (out / "corrections.csv").exists()
    monkeypatch.setattr(review_page, "render_review", full)
    assert main(["review", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cannot write its review page" in err and "Traceback" not in err


@pytest.mark.parametrize("trouble", ["no Tesseract", "page cannot be drawn"])
def test_a_page_in_an_unreadable_font_whose_image_cannot_be_read_keeps_its_text_layer(tmp_path, monkeypatch, trouble):
    """Under --ocr auto, a page in a font with no Unicode map is sent to OCR; where there is no recogniser, or its
    image cannot be drawn (a damaged file), it is read from its own text layer, as before, never failed for it."""
    import poa.extract.ocr as ocr
    from poa.extract.page import SourceError

    from poa.pipeline import process
    from samples.generate import render_fpdf

    path = tmp_path / "cid.pdf"
    render_fpdf(mini_seed(), path, compress=False)
    path.write_bytes(_strip_to_unicode(path.read_bytes(), b"Roman"))

    def no_tesseract(number):
        raise SourceError("page 1 is a scan and Tesseract is not installed")

    def cannot_draw(*args, **kw):
        raise RuntimeError("Failed to load page.")

    if trouble == "no Tesseract":
        monkeypatch.setattr(ocr, "check", no_tesseract)
    else:
        monkeypatch.setattr(ocr, "check", lambda number: None)
        monkeypatch.setattr(ocr, "recognise", cannot_draw)
    doc = process(path).document
    assert doc.status == "review" and not doc.quality.ocr_pages
    assert "characters have no readable text (a font with no Unicode map)" in " ".join(doc.quality.reasons)
