"""`poa inspect`: how poa reads one document, for whoever writes or mends a template profile — which profile
fits it (and how well every installed one does), which header line named which column, the hierarchy found,
the first rows read — whatever its status, failed included. The debugging view camelot's `plot` and
pdfplumber's `debug_tablefinder` give their users.

    report = inspection("report.pdf", template="my-profile.toml")
    print(describe(report))
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from poa.extract import layout
from poa.extract.engines.base import choose
from poa.extract.header import find_headers
from poa.extract.readers import open_source
from poa.outputs.review import render_review

from .core.options import READERS
from .core.profile import Profile, ProfileError
from .core.profiles import installed, load, read
from .core.records import Report
from .pipeline import process


@dataclass
class HeaderSeen:
    page: int
    kind: str
    text: str
    columns: list[tuple[str | None, str]]  # (role, or None for an extra column; title as printed)


@dataclass
class Inspection:
    path: str
    report: Report  # the document read through the pipeline
    fits: list[tuple[str, float]] = field(default_factory=list)  # every profile tried, with its fit on the whole document
    headers: list[HeaderSeen] = field(default_factory=list)  # the headers the chosen profile finds, page by page


def inspection(path: str | Path, template: str | None = None, reader: str | None = None) -> Inspection:
    """Read a document as `process` does (with `template`, or as its best fit) and gather what shows how."""

    reader = reader or READERS[0]
    report = process(path, reader=reader, template=template)
    out = Inspection(str(path), report)
    profiles = [load(template)] if template else installed()
    try:
        source = open_source(path, reader)
    except Exception:  # noqa: BLE001 - a file no reader opens: the report says why
        return out
    try:
        pages = [(p.number, layout.text_lines(p.words), p.rulings) for p in source]
    except Exception:  # noqa: BLE001 - a page no reader reads: the report says which
        return out
    finally:
        source.close()
    for p in profiles:
        out.fits.append((p.name, choose([p], [(lines, rulings) for _, lines, rulings in pages], layout.DEFAULT).score))
    chosen = report.profile or (profiles[0] if template else None)
    if chosen is not None:
        for number, lines, rulings in pages:
            for h in find_headers(lines, chosen, rulings):
                out.headers.append(HeaderSeen(number, h.kind, h.text, [(c.key, c.title) for c in h.columns]))
    return out


def describe(x: Inspection, rows: int = 8) -> str:
    """The inspection in plain words, for a terminal."""
    doc, report = x.report.document, x.report
    said = [f"{x.path}", f"  status: {doc.status}" + (f" — {doc.error}" if doc.error else "")]
    said += [f"  review: {reason}" for reason in doc.quality.reasons]
    if x.fits:
        said.append("  templates (share of their tables' required columns the document's headers name):")
        said += [f"    {name:28} {score:.2f}{'  ← read as this one' if name == doc.template else ''}"
                 for name, score in sorted(x.fits, key=lambda t: -t[1])]
    by_page: dict[tuple[str, str], list[int]] = {}
    for h in x.headers:
        by_page.setdefault((h.kind, h.text), []).append(h.page)
    for (kind, text), pages in by_page.items():
        first = next(h for h in x.headers if (h.kind, h.text) == (kind, text))
        said.append(f"  {kind} header on page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}: {text!r}")
        said += [f"    {title!r:48} → {role or 'extra column'}" for role, title in first.columns]
    if report.nodes:
        levels = Counter(n.level for n in report.nodes)
        said.append("  hierarchy: " + ", ".join(f"{n} {report.template.label(level)}" for level, n in levels.items()))
    if report.results:
        said.append(f"  results: {len(report.results)}; the first {min(rows, len(report.results))}:")
        for r in report.results[:rows]:
            where = " › ".join(r.levels.values())
            said.append(f"    {r.code_raw!r:18} {r.physical_raw!r:8} {where[:60]!r}  {r.expected[:50]!r}")
    if report.deviations:
        said.append(f"  deviation rows: {len(report.deviations)}")
    return "\n".join(said)


def review_page(x: Inspection, out: str | Path) -> Path | None:
    """The document's review page in OUT/review/ (every page, the cells read drawn over it), whatever its status."""
    from poa.outputs.parquet import rows_of

    return render_review(rows_of(x.report), Path(out), every_page=True)


def check_profile(path: str | Path) -> Profile:
    """A profile file, checked as the pipeline reads it (ProfileError names the field and the problem)."""

    return read(path)


__all__ = ["HeaderSeen", "Inspection", "ProfileError", "check_profile", "describe", "inspection", "review_page"]
