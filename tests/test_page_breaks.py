"""Rows that break across pages: read exactly on every page break, and a read that lost, moved or merged a
line at one is never `ok`.

The sweep (`samples/sweep/`, made by `python -m samples.layouts.sweep`) is the seed printed by Word
(LibreOffice Writer) at thirteen page heights and by Chromium on six paper sizes and margins; each print must
read back exactly with every reader, rows from the seed. Then reads are damaged on purpose at every page
break where the damage applies — a continuation line dropped, a unit row dropped, two rows merged — and each
must come out `review` with a reason that names the page. The measures that catch them (the table's area on
each page, repeated headers, code sequences across page breaks, section rows holding codes, % cells) are
tested one by one first, on hand-made records.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pytest
from conftest import ROOT, cells, pages_of, reading_from, seed_profile
from poa.extract import assemble, header, layout, stray_chars
from poa.extract import header_changes as headers_changed
from poa.extract.engines import geometry
from poa.extract.engines.rows import GridRow, PageTable
from poa.extract.page import Ruling
from poa.normalize import row_quality, sequence_breaks
from poa.normalize.hierarchy import build_deviations, build_results
from poa.validate.quality import doubts
from test_layout import at
from test_layout_matrix import got_deviations, got_results, want_deviations, want_results

from poa.core.options import READERS
from poa.core.records import Leftover, RawRow, ReadQuality

SWEEP = ROOT / "samples" / "sweep"
SEED = seed_profile()


# ---------------------------------------------------------------- the measures, one by one


def table(page: int, area, *rows: tuple[str, ...], kind: str = "results", header_text: str = "Cód. RESULTADOS") -> PageTable:
    return PageTable(kind, page, header_text, (), [GridRow(cells(kind, *r), page, (0, 0, 1, 1)) for r in rows], False,
                     area=area)


def test_a_line_no_cell_took_inside_a_tables_area_is_stray_text_on_its_page():
    """The first line under a repeated header lost to the leftovers: above the page's first row, but inside
    the table's area (from its header down, across its columns), where the rows' own boxes would miss it."""
    pieces = [table(1, (50, 80, 700, 560), ("08-01.01.01-01",)), table(2, (50, 60, 700, 540), ("08-01.01.01-02",))]
    lost = Leftover(2, (120, 62, 300, 70), "cooperativas mineras.")
    title = Leftover(2, (120, 20, 600, 30), "SISTEMATIZACIÓN DE RESULTADOS")  # above the table: not its text
    beside = Leftover(2, (720, 100, 760, 108), "Pág. 2")  # beside it
    assert stray_chars(pieces, [lost, title, beside]) == {2: len("cooperativasmineras.")}


def test_a_repeated_header_that_reads_otherwise_is_named_by_its_page():
    h = "Cód. RESULTADOS ESPERADOS AL 31/12/2016 RESULTADOS OBTENIDOS AL 30/06/2016 AVANCE % FÍSICO PPTARIO."
    pieces = [table(1, None, header_text=h), table(2, None, header_text=h),
              table(3, None, header_text=h + " 19 Unidad de Fortalecimiento Institucional 45%"),
              table(4, None, kind="deviations", header_text="Cód. Causas de Desviación")]
    assert headers_changed(pieces) == [3]


def results(*rows: tuple[str, int]) -> list:
    """Result records from (code, page) pairs, all in one unit."""
    raw = [RawRow("results", cells("results", "01", "Unidad de Prueba", "", "50%"), (1,), (0, 0, 1, 1))]
    raw += [RawRow("results", cells("results", code, "Se hizo.", "Hecho.", "50%"), (page,), (0, 0, 1, 1))
            for code, page in rows]
    return build_results("d", raw, SEED)[1]


def test_codes_that_stop_numbering_on_at_a_page_break_are_a_sequence_break():
    said, pages = sequence_breaks(results(("08-01.01.01-01", 1), ("08-01.01.01-02", 1), ("08-01.01.01-04", 2)))
    assert said == ["08-01.01.01-02 → 08-01.01.01-04 (p. 2)"] and pages == [2]


@pytest.mark.parametrize("rows", [
    (("08-01.01.01-01", 1), ("08-01.01.01-03", 1)),  # within a page: the report's own numbering, not the read's
    (("08-01.01.01-05", 1), ("08-01.01.02-01", 2)),  # a new objective starts again at 01
    (("08-01.01.01-05", 1), ("08-01.01.01-06", 2)),
    (("08-01.01.01-05", 1), ("08-01.01.01- 0?", 2)),  # an unreadable code says nothing about the numbering
])
def test_numbering_that_goes_on_or_restarts_is_no_break(rows):
    assert sequence_breaks(results(*rows)) == ([], [])


def test_a_result_filed_under_the_unit_before_it_breaks_the_sequence():
    """The unit row at a page top lost: its results (01, 02…) go on under the unit above, whose results of the
    same objective had reached 05."""
    said, _ = sequence_breaks(results(("08-01.01.01-04", 1), ("08-01.01.01-05", 1), ("08-01.01.01-01", 2)))
    assert said == ["08-01.01.01-05 → 08-01.01.01-01 (p. 2)"]


def test_a_section_row_holding_a_result_code_is_neither_section_nor_result():
    """A result run into the unit row above it at a page break: its text is no unit's name."""
    raw = [RawRow("results", cells("results", "11 08-01.01.01- 01", "Unidad de Control Se hizo.", "Hecho.", "45% 50%"), (10, 11),
                  (0, 0, 1, 1))]
    nodes, _ = build_results("d", raw, SEED)
    assert [n.level for n in nodes] == ["other"]
    q = row_quality(ReadQuality(), nodes, [], [], SEED)
    assert (q.other_rows, q.pct_unreadable, q.measure_pages["other_rows"]) == (1, 1, [10, 11])


def test_a_unit_heading_run_into_a_deviation_is_a_deviation_whose_code_does_not_read():
    raw = [RawRow("deviations", cells("deviations", "06 08-01.01.01- 02", "Dirección General de Planificación Se elaboró…",
                                      "c", "m"),
                  (34, 35), (0, 0, 1, 1))]
    devs = build_deviations("d", raw, SEED)
    assert len(devs) == 1 and devs[0].code is None
    q = row_quality(ReadQuality(), [], [], devs, SEED)
    assert q.deviation_codes_unreadable == 1 and q.measure_pages["deviation_codes_unreadable"] == [34, 35]


def test_every_reason_that_can_names_its_pages_in_english_and_spanish():
    q = ReadQuality(result_rows=10, stray_chars=21, header_changes=[8], sequence_breaks=["a → b (p. 9)"],
                    measure_pages={"stray_chars": [7, 8, 9, 12]})
    said = {d.code: (d.en, d.es) for d in doubts(q)}
    assert said["stray_text"][0].endswith("(pages 7–9, 12)") and said["stray_text"][1].endswith("(páginas 7–9, 12)")
    assert "page 8" in said["header_changed"][0] and "página 8" in said["header_changed"][1]
    assert "(p. 9)" in said["code_sequence"][0] and "(p. 9)" in said["code_sequence"][1]


def test_a_row_of_titles_under_a_drawn_header_border_is_still_the_header():
    """A sheet printed with gridlines draws a border under every row, the header's first included: the row of
    "FÍSICO PPTARIO." under it still belongs to the header; the first body row does not."""
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS AL 31/12/2016", 60, 100) \
        + at("RESULTADOS OBTENIDOS AL 30/06/2016", 260, 100) + at("AVANCE %", 460, 100) \
        + at("FÍSICO", 460, 114) + at("PPTARIO.", 505, 114) + at("01", 10, 128) + at("Asesoría de Despacho", 60, 128)
    grid = [Ruling(5, y, 560, y) for y in (98, 111, 125, 139)] + [Ruling(x, 98, x, 139) for x in (5, 55, 255, 455, 500, 560)]
    (h,) = header.find_headers(layout.text_lines(ws), SEED, grid)
    assert [c.key for c in h.columns] == ["code", "expected", "obtained", "physical", "budget"]
    assert [ln.text for ln in h.lines][-1] == "FÍSICO PPTARIO."


def test_the_other_tables_title_in_a_results_header_is_an_extra_column():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 60, 100) + at("RESULTADOS OBTENIDOS", 200, 100) \
        + at("FÍSICO", 340, 100) + at("CAUSAS DE DESVIACIÓN", 400, 100)
    (h,) = header.find_headers(layout.text_lines(ws), SEED)
    assert h.keys == ("code", "expected", "obtained", "physical", None) and h.extras == ("CAUSAS DE DESVIACIÓN",)


def test_a_page_with_nothing_printed_on_it_is_blank_not_an_unreadable_scan():
    """A page a word processor left empty at a page break, inside a frame: nothing to recognise (its mean
    confidence of no word would otherwise be 0 and doubt the whole read), and no text to take a skew from."""
    from poa.extract.ocr import is_blank, read_image

    page = np.full((1100, 850), 255, dtype=np.uint8)
    page[60:63, 60:790] = page[1037:1040, 60:790] = 0  # a frame
    page[60:1040, 60:63] = page[60:1040, 787:790] = 0
    reading = read_image(page, 100)
    assert reading.blank and reading.words == [] and reading.quarter == 0
    assert len(reading.lines) == 4  # the frame's sides, found straight
    text = page.copy()
    text[300:310, 100:400] = 0  # a line of "text"
    assert not is_blank(text, 100)


# ---------------------------------------------------------------- the sweep


@lru_cache(maxsize=None)
def read(name: str, reader: str):
    from poa import process

    return process(SWEEP / f"{name}.pdf", reader=reader)


def sweep_cases() -> list:
    from samples.layouts.sweep import SWEEP as PRINTS

    return [pytest.param(name, reader, id=f"{name}-{reader}") for name in PRINTS for reader in READERS]


@pytest.mark.slow
@pytest.mark.parametrize("name,reader", sweep_cases())
def test_every_print_of_the_sweep_reads_back_exactly_and_ok(name, reader):
    from samples.layouts.sweep import expected

    report, want = read(name, reader), expected(name)
    doc = report.document
    assert doc.status == "ok", doc.quality.reasons
    assert got_results(report) == want_results(want)
    assert got_deviations(report) == want_deviations(want)
    assert [(n.level, n.number, "".join(n.name.split()), n.reported_physical_pct) for n in report.nodes] == [
        ({"group": "section"}.get(w["level"], w["level"]), w["number"], "".join(w["name"].split()), w["physical_pct"])
        for w in want["nodes"]]
    assert doc.text_coverage == 1.0 and doc.period == want["period"]


def test_the_sweep_is_committed_and_breaks_pages_in_many_places():
    from samples.layouts.sweep import SWEEP as PRINTS

    assert sorted(p.stem for p in SWEEP.glob("*.pdf")) == sorted(PRINTS)
    assert sum(p.producer == "writer" for p in PRINTS.values()) >= 10
    assert sum(p.producer == "chromium" for p in PRINTS.values()) >= 5


# ---------------------------------------------------------------- damaged on purpose at every page break


class NotApplied(Exception):
    """The damage found nothing to damage on its page: the rest of the read is not worth making."""


@contextmanager
def damaged_table(page_no: int, damage):
    """The engine's table on one page read with `damage`: its body lines changed before the table is cut
    (`damage.before`), or its cutting changed while it is (`damage.during`). Where the page offers nothing to
    damage, the read stops there (NotApplied, taken as `hit` staying empty)."""
    real, real_scan, hit = geometry._table, geometry.scan_page, []

    def table_(page, head, body, closed_at, settings, profile, carry=None, start=None):
        if page.number != page_no or hit:
            return real(page, head, body, closed_at, settings, profile, carry, start)
        with damage.during(hit):
            return real(page, head, damage.before(body, hit), closed_at, settings, profile, carry, start)

    def scan_page_(page, *args, **kw):
        out = real_scan(page, *args, **kw)
        if page.number == page_no and not hit:
            raise NotApplied
        return out

    geometry._table, geometry.scan_page = table_, scan_page_
    try:
        yield hit
    except NotApplied:
        pass
    finally:
        geometry._table, geometry.scan_page = real, real_scan


class Damage:
    """One way to misread a page break; `hit` gets what was damaged (nothing where the damage does not apply)."""

    def before(self, body, hit):
        return body

    @contextmanager
    def during(self, hit):
        yield


class DropContinuation(Damage):
    """The first line on the page, the rest of the row above, lost (to the leftovers)."""

    def before(self, body, hit):
        if body and not layout.opens_row(body[0], SEED):
            hit.append(body[0].text)
            return body[1:]
        return body


class DropUnitRow(Damage):
    """A unit row that opens the page ("19 Unidad de …") lost."""

    def before(self, body, hit):
        first = body[0].words if body else ()
        if first and first[0].text.isdigit() and len(first[0].text) <= 3 and layout.opens_row(body[0], SEED) \
                and len(first) > 1 and first[1].text[:1].isupper():
            hit.append(body[0].text)
            return body[1:]
        return body


class MergeTopRows(Damage):
    """The rest of a row broken across the page and the row under it read as one band (the ruling or fill
    edge between them missed): the engine then cuts the band into cells as it would any other."""

    @contextmanager
    def during(self, hit):
        def merged(real):
            def first_two_as_one(*args, **kw):
                out = real(*args, **kw)
                if len(out) >= 2 and not hit and not layout.opens_row(layout.text_lines(out[0])[0], SEED):
                    hit.append(" ".join(w.text for w in out[1])[:40])
                    return [list(out[0]) + list(out[1]), *out[2:]]
                return out
            return first_two_as_one

        saved = layout.rows_by_rulings, layout.rows_by_text
        layout.rows_by_rulings, layout.rows_by_text = merged(saved[0]), merged(saved[1])
        try:
            yield
        finally:
            layout.rows_by_rulings, layout.rows_by_text = saved


@contextmanager
def joined_to_the_page_before(page_no: int):
    """The first row of the page, a row of its own (it has a code or a unit number), joined to the last row of
    the page before as if it went on with it."""
    real, hit = assemble.continues, []

    def continues(previous, row, profile):
        if row.page == page_no and previous is not None and not hit and not real(previous, row, profile) \
                and row.cells["code"][:1].isdigit():
            hit.append(row.cells["code"])
            return True
        return real(previous, row, profile)

    assemble.continues = continues
    try:
        yield hit
    finally:
        assemble.continues = real


DAMAGES = {"continuation-dropped": lambda p: damaged_table(p, DropContinuation()),
           "unit-row-dropped": lambda p: damaged_table(p, DropUnitRow()),
           "top-rows-merged": lambda p: damaged_table(p, MergeTopRows()),
           "row-joined-across-the-break": joined_to_the_page_before}
DAMAGED = ["chromium-nolines-esbo-a5-landscape-6mm",  # borderless: rows cut by their text alone
           "writer-letterhead-extra-h10.5"]  # ruled, with a running head and foot around every break


def rows(report) -> tuple:
    return ([(r.code_raw, r.expected, r.obtained, r.physical_raw, r.unit_id, r.area) for r in report.results],
            [(n.level, n.name, n.reported_physical_raw) for n in report.nodes],
            [(d.code_raw, d.expected, d.cause, d.corrective_measure, d.unit_name) for d in report.deviations])


def names_page(reasons: list[str], page: int) -> bool:
    """Whether a reason names the page: "page 8", "pages 7–9", "(p. 8)"."""
    import re

    for r in reasons:
        for m in re.finditer(r"\bpages? ([\d–, ]+)|\(p\. (\d+)\)", r):
            listed = m.group(1) or m.group(2)
            for part in listed.replace(" ", "").split(","):
                a, _, b = part.partition("–")
                if a.isdigit() and int(a) <= page <= int(b or a):
                    return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("name", DAMAGED)
def test_a_read_damaged_at_any_page_break_is_review_naming_the_page(name):
    from poa import process

    path = SWEEP / f"{name}.pdf"
    with reading_from(path, pages_of(path)):  # each damaged read costs the geometry and checks, not the reading
        clean = process(path)
        assert clean.document.status == "ok", clean.document.quality.reasons
        tried, missed = {}, []
        for page in range(2, clean.document.pages + 1):
            for what, damage in DAMAGES.items():
                report = None
                with damage(page) as hit:
                    report = process(path)
                if not hit or report is None or rows(report) == rows(clean):
                    continue  # nothing to damage there, or the engine read the damage back right (two codes in a band)
                tried[what] = tried.get(what, 0) + 1
                q = report.document.quality
                if report.document.status != "review" or not names_page(q.reasons, page):
                    missed.append((what, page, hit[0][:40], report.document.status, q.reasons))
    assert missed == []
    assert tried.keys() == DAMAGES.keys()  # every damage found a page break to apply to


@pytest.mark.slow  # reads the ruled sample a dozen times
def test_a_damage_applied_changes_the_rows():
    """The damages are damages: each makes rows that differ from the clean read's (else the test above would
    prove nothing)."""
    from poa.extract import extract

    from poa import process

    path = ROOT / "samples" / "mmm-2016-s1-ruled.pdf"
    clean = process(path)
    for what, damage in DAMAGES.items():
        page = next(p for p in range(2, 25) if _applies(damage, p, lambda: extract(path)))
        with damage(page) as hit:
            report = process(path)
        assert hit and rows(report) != rows(clean), what


def _applies(damage, page: int, read) -> bool:
    with damage(page) as hit:
        read()
    return bool(hit)


def test_a_section_name_cut_at_column_edges_no_word_crosses_is_read_whole():
    """A borderless table's merged cell: where no word of the name crosses an edge, the name would be cut into
    cells and read back out of order ("Ejecución Despacho Física Promedio …"), a group row taken for a unit."""
    from test_layout import words

    edges = [80.0, 235.0]
    ws = words("Ejecución Física Promedio de las Unidades de Asesoramiento y Apoyo al", 200, x=42.8) \
        + words("Despacho de la MAE", 209, x=42.8)
    merged = layout.section_merged(ws, edges, 3, SEED)
    assert merged == [True, True]
    cells = layout.cells_of(ws, edges, merged=merged)
    assert cells[0] == "Ejecución Física Promedio de las Unidades de Asesoramiento y Apoyo al Despacho de la MAE"


def test_cells_side_by_side_with_padding_between_them_stay_apart():
    """The rest of a code wrapped at a page break ("09"), then the rest of its texts in their own cells: no
    section, whatever the words; and a unit's number alone keeps its cell."""
    from test_layout import words

    edges = [80.0, 235.0, 400.0]
    rest = words("09", 100, x=10) + words("de Organización y Funciones.", 100, x=88) + words("MOF.", 100, x=243)
    assert layout.section_merged(rest, edges, 4, SEED) is None
    unit = words("09", 120, x=10) + words("Unidad Financiera", 120, x=88)
    assert layout.section_merged(unit, edges, 4, SEED) is None  # one cell: nothing to merge
