"""The page-break sweep: the seed printed again by Word (LibreOffice Writer) at many page heights and by
Chromium on many paper sizes and margins, so that rows, unit rows and single lines break across pages at
places no other layout puts them. Every print must read back exactly, with every reader, and `ok`.

    python -m samples.layouts.sweep samples/sweep        # (re)print every sweep PDF into samples/sweep/
    python -m samples.layouts.sweep OUTDIR NAME …         # only these

The prints are committed beside this module (`samples/sweep/NAME.pdf`): LibreOffice takes seconds a
print, and a producer's next version may break its pages elsewhere, which would change what the tests see
without a change to poa. The rows each must yield come from the seed (`expected(name)`), never from a file.
Chromium prints untagged here (no structure tree: a fifth of the size, the same page).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from samples.seed import read_seed

from . import html, writer
from .common import expected_rows, missing_tool

FOLDER = Path(__file__).resolve().parent.parent / "sweep"


@dataclass(frozen=True)
class Print:
    """One print of a registry layout with its page changed: Writer's page height (inches), or Chromium's
    paper size and margin (CSS)."""

    layout: str
    height: float | None = None
    size: str | None = None
    margin: str | None = None

    @property
    def name(self) -> str:
        if self.height is not None:
            return f"{self.layout}-h{self.height:g}"
        return f"{self.layout}-{self.size.replace(' ', '-').lower()}-{self.margin}"

    @property
    def producer(self) -> str:
        return "writer" if self.layout in writer.STYLES else "chromium"

    @property
    def extras(self):
        return (writer.STYLES.get(self.layout) or html.STYLES[self.layout]).extras

    def draw(self, path: Path) -> None:
        seed = read_seed()
        if self.producer == "writer":
            writer.render_writer(seed, path, replace(writer.STYLES[self.layout], page_height=self.height))
        else:
            style = replace(html.STYLES[self.layout], size=self.size, margin=self.margin)
            html.render_chromium(seed, path, style=style, tagged=False)


PRINTS = [Print(layout, height=h) for layout, heights in (
    ("writer-grid", (6.9, 7.8, 9.3, 11.0)),
    ("writer-hrules", (7.3, 8.0, 10.0)),
    ("writer-zebra", (7.6, 8.5, 9.6)),
    ("writer-framed", (8.0,)),  # a blank page after the results table, inside its frame
    ("writer-letterhead-extra", (8.2, 10.5)),
) for h in heights] + [
    Print("chromium-grid", size="letter portrait", margin="10mm"),
    Print("chromium-grid", size="A3 portrait", margin="25mm"),
    Print("chromium-hrules", size="legal landscape", margin="8mm"),
    Print("chromium-nolines-esbo", size="A5 landscape", margin="6mm"),
    Print("chromium-zebra", size="B5 portrait", margin="12mm"),
    Print("chromium-letterhead", size="letter landscape", margin="18mm"),
]
SWEEP = {p.name: p for p in PRINTS}


def expected(name: str) -> dict:
    """The rows print `name` must yield: the seed's, with its layout's extra columns."""
    return expected_rows(read_seed(), SWEEP[name].extras)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("prints:", " ".join(SWEEP))
        return 0 if argv else 2
    out, names = Path(argv[0]), argv[1:] or list(SWEEP)
    if unknown := [n for n in names if n not in SWEEP]:
        print(f"unknown print(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        p = SWEEP[name]
        if why := missing_tool(("soffice",) if p.producer == "writer" else ("chromium",)):
            print(f"{name:36} skipped: {why}")
            continue
        start = time.perf_counter()
        p.draw(out / f"{name}.pdf")
        print(f"{name:36} {time.perf_counter() - start:5.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
