"""Render the seed report into the sample PDFs, each beside the JSON of the rows it must yield.

    python samples/generate.py            # all samples into samples/

Layouts (the README's "Samples" section says what each exercises):
- ``mmm-2016-s1-ruled``:      landscape, fully ruled grid, rows split across pages (reportlab).
- ``mmm-2016-s1-borderless``: portrait, zebra shading and one header rule only, narrow code column whose
                              codes wrap inside the cell (reportlab).
- ``mmm-2016-s2-ruled``:      the second-semester variant, ruled landscape (reportlab).
- ``mmm-2016-s1-fpdf``:       the seed through a second, unrelated PDF writer (fpdf2), used to show the
                              extractor is not tuned to reportlab's output.
- ``mmm-2016-s1-planted``:    the seed with the faults listed in ``samples.seed.PLANTED`` (ruled, reportlab).

The renderers live in ``samples.layouts``, which also renders the seed in many more layouts and producers
(``python -m samples.layouts OUTDIR``); they are re-exported here for the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from samples.layouts import (  # noqa: E402, F401  (re-exported: the tests import the renderers from here)
    DEVIATIONS_HEADER,
    HTML_CSS,
    RESULTS_HEADER,
    expected_rows,
    render_chromium,
    render_fpdf,
    render_reportlab,
    seed_html,
    write_expected,
)
from samples.seed import planted, read_seed, renamed, second_semester  # noqa: E402

SAMPLES = {
    "mmm-2016-s1-ruled": (lambda s: s, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
    "mmm-2016-s1-borderless": (lambda s: s, lambda s, p: render_reportlab(s, p, landscape_ruled=False)),
    "mmm-2016-s2-ruled": (second_semester, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
    "mmm-2016-s1-fpdf": (lambda s: s, render_fpdf),
    "mmm-2016-s1-planted": (planted, lambda s, p: render_reportlab(s, p, landscape_ruled=True)),
    "mmm-2016-s2-renamed": (renamed, lambda s, p: render_reportlab(s, p, landscape_ruled=False)),
}


def generate(out: Path = HERE, names: list[str] | None = None) -> list[Path]:
    seed = read_seed()
    made = []
    for name, (variant, render) in SAMPLES.items():
        if names and name not in names:
            continue
        s = variant(seed)
        pdf = out / f"{name}.pdf"
        render(s, pdf)
        write_expected(out / f"{name}.expected.json", expected_rows(s))
        made.append(pdf)
    return made


if __name__ == "__main__":
    for p in generate(names=sys.argv[1:] or None):
        print(p)
