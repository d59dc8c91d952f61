"""python -m samples.layouts OUTDIR [NAME ...]: render the layouts (all, or those named) into OUTDIR as
NAME.pdf beside NAME.expected.json, and say how long each took and how many pages it has."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from . import LAYOUTS, missing, render, write_expected


def page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("layouts:", " ".join(LAYOUTS))
        return 0 if argv else 2
    out, names = Path(argv[0]), argv[1:] or list(LAYOUTS)
    unknown = [n for n in names if n not in LAYOUTS]
    if unknown:
        print(f"unknown layout(s): {', '.join(unknown)}; known: {' '.join(LAYOUTS)}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if reason := missing(name):
            print(f"{name:28} skipped: {reason}")
            continue
        pdf, start = out / f"{name}.pdf", time.perf_counter()
        expected = render(name, pdf)
        seconds = time.perf_counter() - start
        write_expected(out / f"{name}.expected.json", expected)
        print(f"{name:28} {seconds:6.1f} s {page_count(pdf):3d} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
