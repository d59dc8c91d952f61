"""The review page: each page of the tables as the PDF prints it, the cells read drawn over it, the rows beside."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import SAMPLES
from poa.outputs.parquet import rows_of
from poa.outputs.review import render_review, rows_from, statuses

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from poa.core.corrections import Correction
    from poa.pipeline import process

    out = tmp_path_factory.mktemp("review")
    pdf = SAMPLES / "mmm-2016-s1-planted.pdf"
    first = process(pdf)
    wrong = next(r for r in first.results if r.physical_pct == 150)
    report = process(pdf, corrections=[Correction(first.document.doc_id, "results", wrong.result_key, "physical_pct", "15")])
    path = render_review(rows_of(report), out)
    return out, report, path


def test_every_table_page_gets_its_image_and_every_cell_read_its_box(page):
    out, report, path = page
    html = path.read_text(encoding="utf-8")
    pages = sorted({c[1] for r in report.results + report.deviations + report.nodes for c in r.cells})
    images = sorted(int(n) for n in re.findall(r"p(\d+)\.png", html))
    assert sorted(set(images)) == pages
    assert all((out / "review" / report.document.doc_id / f"p{n}.png").stat().st_size > 5_000 for n in pages)
    cells = sum(len(r.cells) for r in report.results + report.deviations + report.nodes)
    blank = sum(r.physical_pct is None and r.physical_raw == "" for r in report.results)
    assert html.count("class='cell'") == cells and html.count("class='cell blank'") >= blank > 0


def test_cells_are_coloured_by_what_became_of_them(page):
    _, report, path = page
    status = statuses(rows_of(report))
    corrected = [k for k, v in status.items() if v == "corrected"]
    assert len(corrected) == 1 and corrected[0][1] == "physical"
    flagged = {f.subject_id for f in report.findings if f.severity in ("error", "warning")}
    assert {sid for (sid, _), v in status.items() if v == "finding"} <= flagged
    assert sum(v == "ok" for v in status.values()) > 1000


def test_findings_link_to_their_cells_and_rows_show_their_keys(page):
    """A finding about a % or a code links to that cell drawn over the page image (or, the cell empty and so not
    drawn, to its row); any other finding to its row."""
    import re

    from poa.outputs.review import CELL_OF_CHECK

    _, report, path = page
    html = path.read_text(encoding="utf-8")
    listed = html.split("<h2>Hallazgos</h2>", 1)[1].split("</ul>", 1)[0]
    links = re.findall(r"<li class='st-finding'><a href='#([^']+)' data-check='([a-z_]+)'>[^<a-z_]", listed)
    subjects = {f.subject_id for f in report.findings if f.severity in ("error", "warning")}
    assert links and all(t in subjects or t.rsplit("-", 1)[0] in subjects for t, _ in links)
    cells = 0
    for target, check in links:
        assert f"id='{target}'" in html  # every link lands on something
        if check in CELL_OF_CHECK:
            sid = target.removesuffix("-" + CELL_OF_CHECK[check])
            drawn = f"id='{sid}-{CELL_OF_CHECK[check]}'" in html
            assert target == (f"{sid}-{CELL_OF_CHECK[check]}" if drawn else sid)
            cells += drawn
    assert cells  # the planted sample's findings on printed % cells
    assert all(r.result_key in html for r in report.results[:20])


def test_the_cli_writes_review_pages_from_an_output_folder(tmp_path):
    from poa.cli import main

    out = tmp_path / "out"
    assert main(["run", str(SAMPLES / "mmm-2016-s2-ruled.pdf"), "--out", str(out), "--review", "none", "--quiet"]) == 0
    assert not (out / "review").exists()
    assert main(["review", str(out)]) == 0
    (doc,) = rows_from(out, next(p.stem for p in (out / "documents").glob("*.parquet")))["documents"]
    assert (out / "review" / f"{doc['doc_id']}.html").is_file()


def test_the_rows_beside_the_page_are_in_spanish_and_show_a_correction_over_the_value_read(page):
    """Each table under its own headings (no 'Otra columna'), findings by their Spanish label with decimal commas,
    and the corrected % (150 % read, 15 set) shown struck through beside the value set, on the page too."""
    _, report, path = page
    html = path.read_text(encoding="utf-8")
    assert "Otra columna" not in html and "<h3>Resultados</h3>" in html and "<th>Avance físico</th>" in html
    listed = html.split("<h2>Hallazgos</h2>", 1)[1].split("</ul>", 1)[0]
    assert not re.search(r"\d\.\d+\s?%", listed) and "Promedio impreso distinto del recalculado" in listed
    fixed = next(r for r in report.results if r.corrected)
    row = re.search(rf"<tr id='{fixed.result_id}'.*?</tr>", html, re.S).group(0)
    assert "class='st-corrected'" in row and "<s>150%</s> <ins>15</ins>" in row
    assert f"id='{fixed.result_id}-physical'" in html and "<span class='fix'>15</span>" in html
