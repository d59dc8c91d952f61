"""Layouts the committed samples do not cover, rendered on the fly from the seed: a table drawn with no
lines or shading at all, and tables whose header is printed on their first page only."""

from __future__ import annotations

import shutil

import pytest
from conftest import expected

from poa.core.vocab import squash


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    from samples.generate import render_reportlab
    from samples.seed import read_seed

    def make(**style):
        path = tmp_path_factory.mktemp("layout") / "report.pdf"
        render_reportlab(read_seed(), path, **style)
        from poa.pipeline import process

        return process(path)

    return make


def rows(report):
    return [(r.unit_number, r.code, squash(r.expected), squash(r.obtained), r.physical_pct) for r in report.results]


def want_rows():
    return [(w["unit_number"], w["code"], w["expected"], w["obtained"], w["physical_pct"])
            for w in expected("mmm-2016-s1-ruled")["results"]]


def test_a_table_with_no_lines_at_all_is_split_into_rows_by_where_codes_and_sections_start(render):
    report = render(landscape_ruled=False, shading=False)
    assert rows(report) == want_rows()
    assert len(report.deviations) == 69
    assert [n.name for n in report.nodes][:3] == ["Asesoría de Despacho", "Jefatura de Gabinete",
                                                 "Unidad de Comunicación Social"]


@pytest.mark.parametrize("style", [dict(landscape_ruled=True), dict(landscape_ruled=False)])
def test_header_printed_once_the_table_goes_on_across_pages(render, style):
    report = render(repeat_header=False, **style)
    assert rows(report) == want_rows()
    assert len(report.deviations) == 69
    assert report.document.text_coverage == 1.0


@pytest.mark.slow
def test_camelot_reads_a_ruled_table_whose_header_is_printed_once(tmp_path):
    from poa.extract import extract

    from samples.generate import render_reportlab
    from samples.seed import read_seed

    path = tmp_path / "once.pdf"
    render_reportlab(read_seed(), path, landscape_ruled=True, repeat_header=False)
    ours, camelot = extract(path), extract(path, engine="camelot")
    key = lambda ex: [(r.table, {k: squash(c) for k, c in r.cells.items()}, r.pages) for r in ex.rows]  # noqa: E731
    assert key(camelot) == key(ours)
    assert sum(r.table == "results" and r.cells["code"][:2].isdigit() and "-" in r.cells["code"] for r in camelot.rows) == 239


CHROMIUM = shutil.which("chromium")


@pytest.mark.slow  # headless Chromium
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_a_browser_printed_report_reads_the_same_whitespace_aside(tmp_path):
    """A third producer: HTML printed to PDF by Chromium. Its layout breaks lines after hyphens too
    ("2015-" / "2016"), where no PDF says whether a space stood: so texts are compared without whitespace."""
    from poa.pipeline import process
    from samples.generate import render_chromium
    from samples.seed import read_seed

    path = tmp_path / "browser.pdf"
    render_chromium(read_seed(), path, CHROMIUM)
    report = process(path)
    bare = lambda t: "".join(t.split())  # noqa: E731
    got = [(r.unit_number, r.code, bare(r.expected), bare(r.obtained), r.physical_pct) for r in report.results]
    assert got == [(u, c, bare(e), bare(o), p) for u, c, e, o, p in want_rows()]
    devs = [(d.unit_number, d.code, bare(d.cause)) for d in report.deviations]
    assert devs == [(w["unit_number"], w["code"], bare(w["cause"])) for w in expected("mmm-2016-s1-ruled")["deviations"]]
    assert [n.name for n in report.nodes] == [n["name"] for n in expected("mmm-2016-s1-ruled")["nodes"]]
