"""Every layout of the corpus, through every page reader, read back exactly: the seed's rows, whole tables.

`samples.layouts` prints the seed report in 23 layouts through five unrelated producers (reportlab, fpdf2,
Chromium, LibreOffice Writer and Calc); the rows each must yield come from the seed, never from the pipeline.
Texts are compared with whitespace removed (a producer breaking a line after a hyphen leaves no trace of
whether a space stood there); codes, percentages, units, hierarchy and extra columns exactly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from conftest import made_once, pages_of, reading_from, shared_folder
from poa.extract import READERS

from samples.layouts import LAYOUTS, missing, prints, render

pytestmark = pytest.mark.slow


def bare(text: str | None) -> str | None:
    return None if text is None else "".join(text.split())


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """The layouts' PDFs and reads, one folder for every worker of `pytest -n`: a layout's tests (a read with
    each reader, and the readers' comparison) may run on different workers."""
    return shared_folder(tmp_path_factory, "corpus")


@lru_cache(maxsize=None)
def rendered(folder: Path, name: str) -> tuple[Path, dict]:
    """The layout's PDF — its committed print (`samples/layouts/prints/`), or printed once in the run — and the
    rows it must yield (from the seed)."""
    if (path := prints.committed(name)) is not None:
        return path, prints.expected(name)
    path = folder / f"{name}.pdf"
    return path, made_once(folder, f"print-{name}", lambda: render(name, path))


@lru_cache(maxsize=None)
def pages(folder: Path, name: str, reader: str) -> list:
    """The layout's pages as `reader` gives them, read once in the run (pdfplumber's reader takes seconds)."""
    path, _ = rendered(folder, name)
    return made_once(folder, f"pages-{name}-{reader}", lambda: pages_of(path, reader))


@lru_cache(maxsize=None)
def read(folder: Path, name: str, reader: str):
    """The layout through `poa.process` with `reader` (over the pages `pages` read), once in the run."""
    from poa import process

    path, want = rendered(folder, name)

    def make():
        with reading_from(path, pages(folder, name, reader)):
            return process(path, reader=reader)

    return made_once(folder, f"read-{name}-{reader}", make), want


CASES = [pytest.param(name, reader, id=f"{name}-{reader}") for name in LAYOUTS for reader in READERS]


def got_results(report) -> list[dict]:
    return [dict(unit_number=r.unit_number, unit_name=r.unit_name, viceministry=r.viceministry,
                 direction=r.direction, area=r.area, code=r.code, expected=bare(r.expected),
                 obtained=bare(r.obtained), physical_pct=r.physical_pct,
                 extra={k: bare(v) for k, v in r.extra.items()}) for r in report.results]


def want_results(want: dict) -> list[dict]:
    return [dict(unit_number=w["unit_number"], unit_name=w["unit_name"], viceministry=w["viceministry"],
                 direction=w["direction"], area=w["area"], code=w["code"], expected=bare(w["expected"]),
                 obtained=bare(w["obtained"]), physical_pct=w["physical_pct"],
                 extra={k: bare(v) for k, v in w.get("extra", {}).items()}) for w in want["results"]]


def got_deviations(report) -> list[dict]:
    return [dict(unit_number=d.unit_number, unit_name=d.unit_name, code=d.code, expected=bare(d.expected),
                 cause=bare(d.cause), corrective_measure=bare(d.corrective_measure),
                 extra={k: bare(v) for k, v in d.extra.items()}) for d in report.deviations]


def want_deviations(want: dict) -> list[dict]:
    return [dict(unit_number=w["unit_number"], unit_name=w["unit_name"], code=w["code"], expected=bare(w["expected"]),
                 cause=bare(w["cause"]), corrective_measure=bare(w["corrective_measure"]),
                 extra={k: bare(v) for k, v in w.get("extra", {}).items()}) for w in want["deviations"]]


LEVELS = {"group": "section"}


def same_rulings(a, b, tol: float) -> bool:
    """The same segments, each within `tol` points of its counterpart."""
    key = lambda r: (round(r.top), round(r.x0), round(r.bottom), round(r.x1))  # noqa: E731
    left = sorted(a, key=key)
    right = sorted(b, key=key)
    if len(left) != len(right):
        return False
    unmatched = list(right)
    for r in left:
        hit = next((i for i, q in enumerate(unmatched) if max(abs(r.x0 - q.x0), abs(r.top - q.top), abs(r.x1 - q.x1),
                                                               abs(r.bottom - q.bottom)) <= tol), None)
        if hit is None:
            return False
        unmatched.pop(hit)
    return True


@pytest.mark.parametrize("name,reader", CASES)
def test_every_layout_reads_back_the_seed_exactly(corpus, name, reader):
    if prints.committed(name) is None and (why := missing(name)) is not None:
        pytest.skip(why)
    report, want = read(corpus, name, reader)
    doc = report.document
    assert doc.status == "ok", (doc.error, doc.quality.reasons)
    assert got_results(report) == want_results(want)
    assert got_deviations(report) == want_deviations(want)
    nodes = [dict(level=n.level, number=n.number, name=bare(n.name), physical_pct=n.reported_physical_pct,
                  budget_pct=n.reported_budget_pct) for n in report.nodes]
    assert nodes == [dict(level=LEVELS.get(w["level"], w["level"]), number=w["number"], name=bare(w["name"]),
                          physical_pct=w["physical_pct"], budget_pct=w["budget_pct"]) for w in want["nodes"]]
    d, m, y = want["obtained_date"].split("/")
    assert (doc.entity, doc.year, doc.semester, doc.period, doc.obtained_date) == (
        want["entity"], want["year"], want["semester"], want["period"], f"{y}-{m}-{d}")
    extras = [f"results: {t}" for t in want.get("results_extra", [])] + [
        f"deviations: {t}" for t in want.get("deviations_extra", [])]
    assert doc.quality.extra_columns == extras
    assert doc.text_coverage == 1.0


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_readers_agree_on_every_layout(corpus, name):
    """Every reader gives the same words (boxes within a point), rulings, rows and findings."""
    if prints.committed(name) is None and (why := missing(name)) is not None:
        pytest.skip(why)
    first, *others = READERS
    for reader in others:
        for a, b in zip(pages(corpus, name, first), pages(corpus, name, reader), strict=True):
            assert (a.width, a.height, a.orientation) == pytest.approx((b.width, b.height, b.orientation), abs=0.01)
            assert [w.text for w in a.words] == [w.text for w in b.words]
            for wa, wb in zip(a.words, b.words):
                assert max(abs(wa.x0 - wb.x0), abs(wa.x1 - wb.x1), abs(wa.top - wb.top), abs(wa.bottom - wb.bottom)) < 1.0
            assert same_rulings(a.rulings, b.rulings, tol=0.5)
        ra, _ = read(corpus, name, first)
        rb, _ = read(corpus, name, reader)
        assert [(f.check, f.subject_id, f.page, f.message) for f in rb.findings] == [
            (f.check, f.subject_id, f.page, f.message) for f in ra.findings]


def test_the_slow_producers_layouts_are_committed_as_printed():
    """Every layout of LibreOffice, Chromium and fpdf2 has its print in samples/layouts/prints/ (`python -m
    samples.layouts.prints` prints them again), and nothing else is there."""
    assert sorted(p.stem for p in prints.FOLDER.glob("*.pdf")) == sorted(prints.COMMITTED)
    assert {LAYOUTS[n].producer for n in prints.COMMITTED} == {"writer", "calc", "chromium", "fpdf2"}
