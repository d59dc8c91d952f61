"""How fast poa is, beside the tools it is measured against, on the same documents in the same run.

    make bench                      # or: .venv/bin/python bench/bench.py [--docs 40] [--curves] [--ocr-pages 8]

A benchmark, not a test: it asserts nothing, it measures, and prints ratios as well as times. Every
measurement runs in a fresh interpreter (its peak memory is its own):

- the corpus: 40 distinct reports (~800 pages): the seed's four variants (first semester, second semester,
  planted faults, renamed and renumbered units) printed through ten layouts (reportlab and fpdf2);
- the floors and the other tools: pypdfium2 reading every page's text (the floor: nothing is extracted),
  tablers' table finder (a Rust extractor; `pip install tablers`, skipped if absent), pdfplumber's
  `extract_tables` and camelot's lattice (on a part of the corpus: it is slow), all serial;
- poa: the whole pipeline (PDF → Parquet, audit working paper and workbook) with `--jobs 1` and `--jobs 2`,
  with each reader; the peak memory of a worker; one 20-page report from the command line, start-up
  included; the read status of every document (ok / review: the read-quality record);
- with `--curves`: time and memory per page for one document of 20 to 2,000 pages and for batches of 1 to
  400 documents, to show the cost is linear;
- OCR: poa on a scan beside `ocrmypdf -l spa` (`--ocr-pages 0` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LAYOUTS = ("reportlab-grid", "reportlab-zebra", "reportlab-nolines", "reportlab-hrules", "reportlab-header-once",
           "reportlab-deviations-first", "reportlab-rotate90", "fpdf-grid", "fpdf-zebra", "fpdf-hrules-esbo")


def corpus(folder: Path, n: int) -> list[Path]:
    """n distinct reports: the seed's variants through the layouts, in turn."""
    from samples.layouts import LAYOUTS as ALL
    from samples.seed import planted, read_seed, renamed, second_semester

    seed = read_seed()
    variants = {"s1": seed, "s2": second_semester(seed), "planted": planted(seed), "renamed": renamed(seed)}
    paths = []
    for i in range(n):
        layout = LAYOUTS[i % len(LAYOUTS)]
        name, variant = list(variants.items())[(i // len(LAYOUTS)) % len(variants)]
        path = folder / f"{i:03d}-{name}-{layout}.pdf"
        ALL[layout].draw(variant, path)
        if i >= len(LAYOUTS) * len(variants):  # more than 40: the same report again, with other bytes
            path.write_bytes(path.read_bytes() + f"\n% copy {i}\n".encode())
        paths.append(path)
    return paths


def pages_of(paths: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for p in paths:
        doc = pdfium.PdfDocument(str(p))
        total += len(doc)
        doc.close()
    return total


# Runs the measured code in a child and reports that child's peak RSS: ru_maxrss of RUSAGE_CHILDREN is a
# running maximum, so each measurement gets a fresh wrapper of its own.
WRAP = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", *sys.argv[1:]], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(code: str, args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, the peak RSS (MiB) of the largest process, and what the code printed, running `code` in a
    fresh interpreter."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAP, code, *args], check=True, cwd=ROOT, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - t
    lines = done.stdout.split("\n")
    return seconds, int(lines[-2]) / 1024, "\n".join(lines[:-2])


TEXT_FLOOR = """
import sys, pypdfium2 as pdfium
for p in sys.argv[1:]:
    doc = pdfium.PdfDocument(p)
    for page in doc:
        page.get_textpage().get_text_range()
    doc.close()
"""

TABLERS = """
import sys
from tablers import Document, find_tables
for p in sys.argv[1:]:
    doc = Document(p)
    for page in doc.pages():
        find_tables(page, extract_text=True)
    doc.close()
"""

PDFPLUMBER = """
import sys, pdfplumber
for p in sys.argv[1:]:
    with pdfplumber.open(p) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()
"""

CAMELOT = """
import sys, camelot
for p in sys.argv[1:]:
    camelot.read_pdf(p, pages="all", flavor="lattice", suppress_stdout=True)
"""

POA = """
import json, sys
from poa.batch import run
out = run(sys.argv[4:], out=sys.argv[1], jobs=int(sys.argv[2]), reader=sys.argv[3], force=True)
print(json.dumps({"worker_mib": max((o.memory for o in out), default=0) / 2**20,
                  "status": {s: sum(o.document.status == s for o in out) for s in ("ok", "review", "failed")}}))
"""


def poa_cli(args: list[str]) -> float:
    """Wall seconds of the `poa` command, start-up included."""
    t = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "poa"), *args], check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - t


def table(rows: list[tuple], pages: int, docs: int, base: float) -> None:
    print(f"{'':46} {'seconds':>8} {'pages/s':>8} {'docs/s':>7} {'peak MiB':>9} {'vs pdfplumber':>14}")
    for name, s, mem, n_pages, n_docs in rows:
        rate = n_pages / s
        print(f"{name:46} {s:8.1f} {rate:8.1f} {n_docs / s:7.2f} {mem:9.0f} {rate / base:13.2f}x")


def throughput(folder: Path, paths: list[Path], pages: int) -> dict:
    """The corpus through every tool, in the same run."""
    files = [str(p) for p in paths]
    rows, out = [], {}
    s, mem, _ = measure(TEXT_FLOOR, files)
    rows.append(("pypdfium2 page text (floor, nothing extracted)", s, mem, pages, len(paths)))
    try:
        import tablers  # noqa: F401

        s, mem, _ = measure(TABLERS, files)
        rows.append(("tablers find_tables (Rust, bare)", s, mem, pages, len(paths)))
        out["tablers"] = pages / s
    except ImportError:
        print("tablers is not installed (pip install tablers): skipped")
    s, mem, _ = measure(PDFPLUMBER, files)
    base = pages / s
    out["pdfplumber"] = base
    rows.append(("pdfplumber extract_tables (bare, serial)", s, mem, pages, len(paths)))
    part = paths[:4]
    part_pages = pages_of(part)
    s, mem, _ = measure(CAMELOT, [str(p) for p in part])
    rows.append((f"camelot lattice (bare, first {len(part)} documents)", s, mem, part_pages, len(part)))
    for reader, jobs in (("pdfium", 1), ("pdfium", 2), ("pdfplumber", 2)):
        s, mem, printed = measure(POA, [str(folder / f"out-{reader}-{jobs}"), str(jobs), reader, *files])
        info = json.loads(printed.strip().splitlines()[-1])
        rows.append((f"poa run --reader {reader} --jobs {jobs}", s, mem, pages, len(paths)))
        out[f"poa-{reader}-{jobs}"] = pages / s
        out[f"worker-{reader}-{jobs}"] = info["worker_mib"]
        out["status"] = info["status"]
    table(rows, pages, len(paths), base)
    one = next(p for p in paths if 19 <= pages_of([p]) <= 24)
    single = min(poa_cli(["run", str(one), "--out", str(folder / f"one-{i}"), "--quiet", "--force"]) for i in range(3))
    print(f"\none report of {pages_of([one])} pages, `poa run` from the command line, start-up included: {single:.2f} s")
    print(f"peak memory of one worker (--jobs 2): {out['worker-pdfium-2']:.0f} MiB")
    print(f"read status of the {len(paths)} documents: {out['status']} (ok: every read-quality measure within bounds)")
    poa2 = out["poa-pdfium-2"]
    print(f"poa --jobs 2: {poa2:.0f} pages/s = {poa2 / base:.1f}x pdfplumber's bare extract_tables"
          + (f", {out['tablers'] / poa2:.1f}x slower than tablers' bare extraction" if "tablers" in out else ""))
    return out


# The read's own checks at page breaks and elsewhere (extract.stray_chars, header_changes, misaligned;
# normalize.row_quality with sequence_breaks; validate.quality.doubts), timed inside the whole pipeline of each
# document, serial, in one interpreter; a page's time is that of poa.process (reading to checks, no writing: the
# share printed is an upper bound of their share of `poa run`).
INVARIANTS = """
import json, sys, time
import poa.extract as ex, poa.normalize as nz, poa.validate.quality as vq
from poa.pipeline import process
spent = [0.0]
def timed(module, name):
    real = getattr(module, name)
    def wrapper(*a, **kw):
        t = time.perf_counter()
        try:
            return real(*a, **kw)
        finally:
            spent[0] += time.perf_counter() - t
    setattr(module, name, wrapper)
for module, name in ((ex, "stray_chars"), (ex, "header_changes"), (ex, "misaligned"), (nz, "row_quality"),
                     (vq, "doubts")):
    timed(module, name)
process(sys.argv[1])  # warm: imports and first-call costs are nobody's page
spent[0], total = 0.0, 0.0
for p in sys.argv[1:]:
    t = time.perf_counter()
    process(p)
    total += time.perf_counter() - t
print(json.dumps({"checks": spent[0], "total": total}))
"""


def invariants(paths: list[Path], pages: int) -> None:
    """The read-quality checks' share of a page's time."""
    _, _, printed = measure(INVARIANTS, [str(p) for p in paths])
    got = json.loads(printed.strip().splitlines()[-1])
    print(f"read-quality checks (stray text in a table's area, repeated headers, rows' alignment, code sequences "
          f"across page breaks, % cells, doubts): {1000 * got['checks'] / pages:.3f} ms a page of "
          f"{1000 * got['total'] / pages:.1f} ms (poa.process, serial) = {100 * got['checks'] / got['total']:.2f} %")


def concatenated(source: Path, pages: int, path: Path) -> Path:
    """A document of `pages` pages: the source's pages over and over (pypdfium2)."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(src, list(range(min(len(src), pages - len(out)))))
    out.save(str(path))
    out.close()
    src.close()
    return path


def curves(folder: Path) -> None:
    """Time and memory per page as a document grows and as a batch grows: flat means linear."""
    base = ROOT / "samples" / "mmm-2016-s1-ruled.pdf"
    print("\none document, growing (poa run --jobs 1):")
    print(f"{'pages':>7} {'seconds':>8} {'ms/page':>8} {'peak MiB':>9}")
    for n in (20, 200, 2000):
        doc = concatenated(base, n, folder / f"long-{n}.pdf")
        s, mem, _ = measure(POA, [str(folder / f"out-long-{n}"), "1", "pdfium", str(doc)])
        print(f"{n:7d} {s:8.1f} {1000 * s / n:8.1f} {mem:9.0f}")
    print("\na batch, growing (poa run --jobs 2, copies of a 3-page report with other bytes):")
    print(f"{'docs':>7} {'pages':>7} {'seconds':>8} {'ms/page':>8} {'peak MiB':>9}")
    mini = folder / "mini.pdf"
    from dataclasses import replace

    from samples.layouts import render_reportlab
    from samples.seed import read_seed

    seed = read_seed()
    cut = next(i for i, r in enumerate(seed.results) if r.kind == "unit" and r.number == "03")
    render_reportlab(replace(seed, results=seed.results[:cut], deviations=seed.deviations[:4]), mini, landscape_ruled=True)
    per = pages_of([mini])
    for n in (1, 10, 100, 400):
        batch = folder / f"batch-{n}"
        batch.mkdir()
        for i in range(n):
            (batch / f"{i:04d}.pdf").write_bytes(mini.read_bytes() + f"\n% {i}\n".encode())
        s, mem, _ = measure(POA, [str(folder / f"out-batch-{n}"), "2", "pdfium", str(batch)])
        print(f"{n:7d} {n * per:7d} {s:8.1f} {1000 * s / (n * per):8.1f} {mem:9.0f}")


# ------------------------------------------------------------------ OCR: poa's recogniser beside ocrmypdf


def image_only_copy(source: Path, out: Path, pages: int, dpi: int = 300) -> int:
    """The first `pages` pages of a PDF as a scanner hands them over: grey images at `dpi` in a PDF with no
    text layer. Returns the page count."""
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(str(source))
    try:
        images = [Image.fromarray(pdf[i].render(scale=dpi / 72, grayscale=True).to_numpy().squeeze())
                  for i in range(min(pages, len(pdf)))]
    finally:
        pdf.close()
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return len(images)


POA_OCR = """
import sys
from poa import process
report = process(sys.argv[1])
assert report.document.quality.ocr_pages, report.document.error
"""


def bench_ocr(folder: Path, pages: int = 8) -> list[tuple[str, float, float | None]]:
    """OCR pages per second on one scan (the ruled sample's first pages as images): `poa`'s whole pipeline
    (render, deskew, rulings, Tesseract on every core, then the tables) beside `ocrmypdf -l spa` on the same
    file, in the same run. ocrmypdf is skipped, with a message, where it is not installed."""
    import shutil

    scan = folder / "scan.pdf"
    n = image_only_copy(ROOT / "samples" / "mmm-2016-s1-ruled.pdf", scan, pages)
    print(f"OCR: one scan of {n} pages (300 dpi, no text layer); {os.cpu_count()} cores")
    rows = []
    s, mem, _ = measure(POA_OCR, [str(scan)])
    rows.append(("poa (process, --ocr auto)", s, mem))
    if shutil.which("ocrmypdf") is None:
        print("ocrmypdf is not installed (apt-get install ocrmypdf): skipped")
    else:
        t = time.perf_counter()
        subprocess.run(["ocrmypdf", "-l", "spa", "--jobs", str(os.cpu_count() or 1), "--force-ocr", "--quiet",
                        str(scan), str(folder / "ocrmypdf.pdf")], check=True)
        rows.append(("ocrmypdf -l spa", time.perf_counter() - t, None))
    print(f"{'':40} {'seconds':>8} {'pages/s':>8} {'peak MiB':>9}")
    for name, s, mem in rows:
        print(f"{name:40} {s:8.1f} {n / s:8.2f} {'—' if mem is None else f'{mem:.0f}':>9}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=40, help="distinct reports in the corpus (default 40)")
    ap.add_argument("--curves", action="store_true", help="also the growth curves (20 to 2,000 pages; 1 to 400 documents)")
    ap.add_argument("--ocr-pages", type=int, default=8, help="pages of the OCR benchmark's scan (default 8; 0: skip it)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        t = time.perf_counter()
        paths = corpus(folder / "in", args.docs)
        pages = pages_of(paths)
        print(f"corpus: {len(paths)} distinct reports, {pages} pages (rendered in {time.perf_counter() - t:.0f} s); "
              f"{os.cpu_count()} cores")
        throughput(folder, paths, pages)
        invariants(paths, pages)
        if args.curves:
            curves(folder)
        if args.ocr_pages:
            bench_ocr(folder, args.ocr_pages)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
