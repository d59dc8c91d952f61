"""How the current pipeline reads each rendered layout, against the rows the layout must yield.

    python -m samples.layouts.compare OUTDIR [NAME ...] [--reader pdfplumber|pdfium] [--jobs N] [--json FILE]

OUTDIR holds NAME.pdf beside NAME.expected.json (as `python -m samples.layouts OUTDIR` writes them). Texts
are compared with all whitespace removed (producers break lines where no PDF says whether a space stood);
a row differs when any of its compared fields differs. Rows are aligned with difflib, so a missing or an
extra row counts once rather than shifting every row after it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from poa.core.options import READERS  # noqa: E402

RESULT_FIELDS = ("unit_number", "code", "expected", "obtained", "physical_pct")
DEVIATION_FIELDS = ("unit_number", "code", "expected", "cause", "corrective_measure")


def bare(value):
    return "".join(value.split()) if isinstance(value, str) else value


def key(row, fields: tuple[str, ...]) -> tuple:
    get = row.get if isinstance(row, dict) else lambda f: getattr(row, f)
    return tuple(bare(get(f)) for f in fields)


@dataclass
class TableDiff:
    read: int
    expected: int
    differ: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    layout: str
    reader: str
    status: str
    error: str | None
    seconds: float
    results: TableDiff | None = None
    deviations: TableDiff | None = None


def _clip(value, other) -> str:
    """A field for the eye: short values whole, a long text cut to where it parts from `other`."""
    text = repr(value)
    if not isinstance(value, str) or len(text) <= 60:
        return text
    if not isinstance(other, str):
        return repr(value[:50]) + "…"
    k = next((i for i, (a, b) in enumerate(zip(value, other)) if a != b), min(len(value), len(other)))
    return ("…" if k > 20 else "") + repr(value[max(0, k - 20):k + 40]) + ("…" if k + 40 < len(value) else "")


def _short(row: tuple | None, fields: tuple[str, ...], other: tuple | None) -> str:
    """A row's fields; against `other`, only those that differ from it (the others shown as "=")."""
    if row is None:
        return "(none)"
    parts = []
    for i, (f, v) in enumerate(zip(fields, row)):
        theirs = other[i] if other is not None else None
        parts.append(f"{f}=" + ("=" if other is not None and theirs == v else _clip(v, theirs)))
    return ", ".join(parts)


def diff(got: list[tuple], want: list[tuple], fields: tuple[str, ...], n_examples: int = 2) -> TableDiff:
    matcher = difflib.SequenceMatcher(None, got, want, autojunk=False)
    matched = sum(b.size for b in matcher.get_matching_blocks())
    examples = []
    for op, g0, g1, w0, w1 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(g1 - g0, w1 - w0)):
            if len(examples) == n_examples:
                break
            g = got[g0 + k] if g0 + k < g1 else None
            w = want[w0 + k] if w0 + k < w1 else None
            examples.append(f"expected #{w0 + k}: {_short(w, fields, g)}\n              read: {_short(g, fields, w)}")
    return TableDiff(len(got), len(want), max(len(got), len(want)) - matched, examples)


def compare(pdf: Path, reader: str) -> Outcome:
    import time

    from poa.pipeline import process

    want = json.loads(pdf.with_name(pdf.stem + ".expected.json").read_text(encoding="utf-8"))
    start = time.perf_counter()
    rep = process(pdf, reader=reader)
    out = Outcome(pdf.stem, reader, rep.document.status, rep.document.error, round(time.perf_counter() - start, 1))
    out.results = diff([key(r, RESULT_FIELDS) for r in rep.results],
                       [key(r, RESULT_FIELDS) for r in want["results"]], RESULT_FIELDS)
    out.deviations = diff([key(d, DEVIATION_FIELDS) for d in rep.deviations],
                          [key(d, DEVIATION_FIELDS) for d in want["deviations"]], DEVIATION_FIELDS)
    return out


def _import_pipeline(retries: int = 5, wait: float = 60) -> None:
    """Other people change the pipeline while this runs: a broken import is waited out a few times."""
    import importlib
    import time

    for _ in range(retries):
        try:
            importlib.import_module("poa.pipeline")
            importlib.import_module("poa.extract")
            return
        except Exception as e:  # noqa: BLE001 - any import failure is worth a retry
            print(f"pipeline import failed ({type(e).__name__}: {e}); retrying in {wait:.0f} s", file=sys.stderr)
            for name in [m for m in sys.modules if m == "poa" or m.startswith("poa.")]:
                del sys.modules[name]
            time.sleep(wait)
    raise SystemExit("the pipeline does not import")


def report(o: Outcome) -> str:
    head = f"{o.layout:28} {o.reader:10} {o.status:6} {o.seconds:5.1f}s"
    if o.status != "ok":
        return f"{head}  {o.error}"
    r, d = o.results, o.deviations
    lines = [f"{head}  results {r.read}/{r.expected} differ {r.differ}  deviations {d.read}/{d.expected} differ {d.differ}"]
    lines += [f"    result    {x}" for x in r.examples] + [f"    deviation {x}" for x in d.examples]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.layouts.compare", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("names", nargs="*")
    parser.add_argument("--reader", choices=READERS, action="append", help="default: both")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    args = parser.parse_args(argv)
    _import_pipeline()
    from . import LAYOUTS

    names = args.names or [n for n in LAYOUTS if (args.outdir / f"{n}.pdf").exists()]
    jobs = [(args.outdir / f"{n}.pdf", r) for n in names for r in (args.reader or READERS)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        outcomes = list(pool.map(compare, *zip(*jobs)))
    for o in outcomes:
        print(report(o))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
