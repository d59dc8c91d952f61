"""The layouts whose producers take seconds a print (LibreOffice Writer and Calc, Chromium, fpdf2), printed once
and committed beside this module (`samples/layouts/prints/NAME.pdf`), as the page-break sweep's are: the tests
read them instead of printing them again on every run (a minute of the suite's time), and a producer's next
version cannot change what the tests see without a change here. reportlab's layouts print in a fraction of a
second and are printed by the tests themselves. Chromium prints untagged here (no structure tree: a fifth of the
size, the same page). The rows each must yield come from the seed (`expected(name)`), never from a file.

    python -m samples.layouts.prints            # (re)print every committed layout
    python -m samples.layouts.prints NAME …     # only these
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from samples.seed import read_seed

from . import LAYOUTS, html
from .common import expected_rows, missing_tool

FOLDER = Path(__file__).resolve().parent / "prints"
SLOW = ("writer", "calc", "chromium", "fpdf2")  # the producers whose layouts are committed
COMMITTED = [name for name, layout in LAYOUTS.items() if layout.producer in SLOW]


def committed(name: str) -> Path | None:
    """The layout's committed print, if it has one."""
    path = FOLDER / f"{name}.pdf"
    return path if name in COMMITTED and path.exists() else None


def expected(name: str) -> dict:
    """The rows layout `name` must yield: its variant of the seed's, with its extra columns."""
    layout = LAYOUTS[name]
    return expected_rows(layout.variant(read_seed()), layout.extras)


def draw(name: str, path: Path) -> None:
    layout = LAYOUTS[name]
    seed = layout.variant(read_seed())
    if layout.producer == "chromium":
        html.render_chromium(seed, path, style=html.STYLES[name], tagged=False)
    else:
        layout.draw(seed, path)


def main(argv: list[str]) -> int:
    names = argv or COMMITTED
    unknown = [n for n in names if n not in COMMITTED]
    if unknown:
        print(f"not a committed layout: {', '.join(unknown)} (committed: {' '.join(COMMITTED)})", file=sys.stderr)
        return 2
    FOLDER.mkdir(exist_ok=True)
    for name in names:
        if (why := missing_tool(LAYOUTS[name].tools)) is not None:
            print(f"{name}: skipped ({why})")
            continue
        started = time.perf_counter()
        draw(name, FOLDER / f"{name}.pdf")
        print(f"{name}: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
