"""Throughput and memory of `poa run` on a batch of N copies of the samples, beside pdfplumber's bare
`extract_tables` on the same files.

    .venv/bin/python bench/bench.py --copies 4        # or: make bench

A benchmark, not a test: it asserts nothing, it measures. Each copy gets a distinct byte suffix so the
pipeline treats it as its own document (no skipping, no de-duplication). Then OCR pages per second on one
scan, `poa` beside `ocrmypdf -l spa` (`bench_ocr`; `--ocr-pages 0` skips it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_batch(folder: Path, copies: int) -> list[Path]:
    paths = []
    for pdf in sorted((ROOT / "samples").glob("*.pdf")):
        for i in range(copies):
            p = folder / f"{pdf.stem}-{i:03d}.pdf"
            p.write_bytes(pdf.read_bytes() + f"\n% bench copy {i}\n".encode())
            paths.append(p)
    return paths


def pages_of(paths: list[Path]) -> int:
    import pdfplumber

    total = 0
    for p in paths:
        with pdfplumber.open(p) as pdf:
            total += len(pdf.pages)
    return total


BARE = """
import sys, pdfplumber
for p in sys.argv[1:]:
    with pdfplumber.open(p) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()
"""

POA = """
import sys
from poa.pipeline import run
run(sys.argv[4:], out=sys.argv[1], jobs=int(sys.argv[2]), reader=sys.argv[3], force=True)
"""


# Runs the measured code in a child and reports that child's peak RSS: ru_maxrss of RUSAGE_CHILDREN is a
# running maximum, so each measurement gets a fresh wrapper of its own.
WRAP = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", *sys.argv[1:]], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def measure(code: str, args: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MiB) of the largest process, running `code` in a fresh interpreter."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAP, code, *args], check=True, cwd=ROOT,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t
    return seconds, int(done.stdout.split()[-1]) / 1024


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
    s, mem = measure(POA_OCR, [str(scan)])
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
    ap.add_argument("--copies", type=int, default=4, help="copies of each sample (default 4)")
    ap.add_argument("--ocr-pages", type=int, default=8, help="pages of the OCR benchmark's scan (default 8; 0: skip it)")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = make_batch(folder, args.copies)
        pages = pages_of(paths)
        print(f"batch: {len(paths)} documents, {pages} pages ({args.copies} copies of each sample); {cores} cores")
        bare_s, bare_mem = measure(BARE, [str(p) for p in paths])
        rows = [("pdfplumber extract_tables (bare)", 1, bare_s, bare_mem)]
        for reader in ("pdfplumber", "pdfium"):
            for jobs in sorted({1, cores}):
                s, mem = measure(POA, [str(Path(tmp) / f"out-{reader}-{jobs}"), str(jobs), reader, str(folder)])
                rows.append((f"poa run --reader {reader} --jobs {jobs}", jobs, s, mem))
    print(f"{'':40} {'seconds':>8} {'pages/s':>8} {'docs/s':>7} {'peak MiB':>9} {'vs bare':>8}")
    for name, _, s, mem in rows:
        print(f"{name:40} {s:8.1f} {pages / s:8.1f} {len(paths) / s:7.2f} {mem:9.0f} {bare_s / s:7.2f}x")
    print("peak MiB: the largest single process (for poa, one worker or the parent, whichever is larger);"
          " 'vs bare' is the speed relative to bare extract_tables")
    if args.ocr_pages:
        with tempfile.TemporaryDirectory() as tmp:
            bench_ocr(Path(tmp), args.ocr_pages)


if __name__ == "__main__":
    main()
