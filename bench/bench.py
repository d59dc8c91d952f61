"""Throughput and memory of `poa run` on a batch of N copies of the samples, beside pdfplumber's bare
`extract_tables` on the same files.

    .venv/bin/python bench/bench.py --copies 4        # or: make bench

A benchmark, not a test: it asserts nothing, it measures. Each copy gets a distinct byte suffix so the
pipeline treats it as its own document (no skipping, no de-duplication).
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=4, help="copies of each sample (default 4)")
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


if __name__ == "__main__":
    main()
