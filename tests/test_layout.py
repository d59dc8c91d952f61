"""The table finder's geometry on hand-placed words: headers, column edges, merged cells, stitching."""

from __future__ import annotations

from conftest import cells, seed_profile
from poa.extract import header as headers
from poa.extract import layout
from poa.extract.assemble import stitch
from poa.extract.engines.rows import GridRow, PageTable
from poa.extract.page import Ruling, Word

SEED = seed_profile()


def words(line: str, top: float, x: float = 10.0, size: float = 8.0) -> list[Word]:
    """Words of one line, each 4.5 pt per character and one space apart, starting at x."""
    out = []
    for w in line.split():
        out.append(Word(w, x, top, x + 4.5 * len(w), top + size))
        x += 4.5 * len(w) + 3
    return out


def at(text: str, x: float, top: float) -> list[Word]:
    return words(text, top, x)


def test_header_with_a_title_broken_by_a_narrow_column_is_still_a_header():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 80, 100) + at("RESULTADOS OBTENIDOS", 300, 100) \
        + at("AVANCE %", 520, 100) + at("FÍSICO", 500, 110) + at("PPTARI", 560, 110) + at("O.", 560, 120) \
        + at("01", 10, 140) + at("Asesoría de Despacho", 80, 140)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.kind == "results"
    assert header.keys == ("code", "expected", "obtained", "physical", "budget")
    assert header.bottom == 128  # "O." belongs to the header; the unit row does not


def test_header_dates_do_not_matter():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS AL 31/12/2017", 80, 100) \
        + at("RESULTADOS OBTENIDOS AL 31/12/2017", 300, 100) + at("FÍSICO", 500, 100)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.kind == "results" and "31/12/2017" in header.text


def test_column_edge_falls_in_the_emptiest_gap_between_titles():
    body = at("08-01.01.01-01", 10, 0) + at("Se elaboró el documento", 90, 0) + at("08-01.01.01-02", 10, 12)
    assert 73 < layout.emptiest_gap(40, 95, body) < 90


def test_a_vertical_ruling_between_titles_is_the_edge():
    columns = (headers.HeaderColumn("code", "Cód.", 10, 30), headers.HeaderColumn("expected", "RESULTADOS", 120, 180))
    assert layout.column_edges(columns, [], [75.0]) == [75.0]


def test_text_running_across_a_column_edge_stays_one_cell():
    ws = at("DIRECCIÓN GENERAL DE ASUNTOS JURÍDICOS", 10, 0) + at("42%", 500, 0)
    cells = layout.cells_of(ws, [60, 300, 480])
    assert cells == ["DIRECCIÓN GENERAL DE ASUNTOS JURÍDICOS", "", "", "42%"]


def test_a_missing_vertical_ruling_marks_a_merged_cell_even_without_a_straddling_word():
    ws = at("Ejecución Física Promedio de las Unidades", 10, 0) + at("MAE", 10, 10) + at("45%", 500, 0)
    rulings = [Ruling(300, -2, 300, 20), Ruling(480, -2, 480, 20)]  # no ruling at x=60 on this row
    merged = layout.unruled_edges(ws, layout.edge_spans(rulings, [60, 300, 480]), [True, True, True])
    assert merged == [True, False, False]
    assert layout.cells_of(ws, [60, 300, 480], merged=merged)[0] == "Ejecución Física Promedio de las Unidades MAE"


def test_rows_without_any_rulings_start_at_codes_and_sections_not_at_wrapped_code_ends():
    lines = layout.text_lines(
        at("08-01.01.01-", 10, 0) + at("Se hizo algo", 80, 0) + at("09", 10, 10) + at("más.", 80, 10)
        + at("Área de Sistemas", 80, 20) + at("08-01.01.01-10", 10, 30) + at("Otro.", 80, 30))
    rows = layout.rows_by_text(lines, [75, 300], SEED)
    assert [layout.cells_of(r, [75, 300])[:2] for r in rows] == [
        ["08-01.01.01- 09", "Se hizo algo más."], ["", "Área de Sistemas"], ["08-01.01.01-10", "Otro."]]


def piece(page, *rows):
    return PageTable("results", page, "", ("code", "expected", "obtained", "physical", "budget"),
                     [GridRow(cells("results", *r), page, (0, 0, 1, 1)) for r in rows], closed=False)


def test_a_row_broken_across_pages_is_stitched_back():
    rows = stitch([
        piece(1, ("08-01.01.01-01", "Se emitió", "Se hizo", "50%", "")),
        piece(2, ("", "opinión.", "y se concluyó.", "", ""), ("08-01.01.01-02", "Otro.", "Nada.", "0%", "")),
    ], SEED)
    assert [(tuple(r.cells.values())[:4], r.pages) for r in rows] == [
        (("08-01.01.01-01", "Se emitió opinión.", "Se hizo y se concluyó.", "50%"), (1, 2)),
        (("08-01.01.01-02", "Otro.", "Nada.", "0%"), (2,)),
    ]


def test_a_section_row_at_the_top_of_a_page_is_not_a_continuation():
    rows = stitch([piece(1, ("08-01.01.01-01", "a", "b", "50%", "")),
                   piece(2, ("", "Área de Presupuestos", "", "", ""), ("DIRECCIÓN GENERAL X", "", "", "40%", ""))], SEED)
    assert [r.pages for r in rows] == [(1,), (2,), (2,)]


def test_a_code_wrapped_right_at_the_page_break_is_joined():
    rows = stitch([piece(1, ("08-01.01.01-", "a", "b", "50%", "")), piece(2, ("14", "", "", "", ""))], SEED)
    assert len(rows) == 1 and rows[0].cells["code"] == "08-01.01.01- 14" and rows[0].pages == (1, 2)


def test_a_title_with_a_word_of_its_own_is_still_a_header_but_a_body_row_is_not():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS AL 31/12/2016", 80, 100) \
        + at("RESULTADOS OBTENIDOS (según reportes)", 300, 100) + at("FÍSICO", 500, 100) \
        + at("Ejecución Física Promedio de las Unidades Sustantivas", 10, 112) + at("30%", 500, 112)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.kind == "results" and len(header.lines) == 1


def test_a_unit_name_wrapped_across_the_page_break_is_one_row():
    def dev(page, *rows):
        return PageTable("deviations", page, "", ("code", "expected", "cause", "measure"),
                         [GridRow(cells("deviations", *r), page, (0, 0, 1, 1)) for r in rows], closed=False)

    rows = stitch([dev(1, ("11 Unidad de Control y", "", "", "")),
                   dev(2, ("Fiscalización", "", "", ""), ("03-01.03.01-01", "a", "b", "c"))], SEED)
    assert [r.cells["code"] for r in rows] == ["11 Unidad de Control y Fiscalización", "03-01.03.01-01"]


def test_a_column_the_tool_has_no_name_for_is_its_own_column_not_part_of_a_neighbour():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 80, 100) + at("INDICADOR", 200, 100) \
        + at("RESULTADOS OBTENIDOS", 300, 100) + at("FÍSICO", 420, 100) + at("RESPONSABLE", 480, 100)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.keys == ("code", "expected", None, "obtained", "physical", None)
    assert header.extras == ("INDICADOR", "RESPONSABLE")


def test_a_title_over_two_columns_is_a_group_title_not_a_column():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 80, 100) + at("RESULTADOS OBTENIDOS", 250, 100) \
        + at("AVANCE %", 415, 100) + at("FÍSICO", 400, 112) + at("PPTARIO.", 445, 112)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.keys == ("code", "expected", "obtained", "physical", "budget")
    assert [c.title for c in header.columns][-2:] == ["FÍSICO", "PPTARIO."]


def test_a_header_word_broken_by_a_narrow_column_names_its_column():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 80, 100) + at("RESULTADOS OBTENIDOS", 250, 100) \
        + at("FÍSIC", 400, 112) + at("PPTA", 440, 112) + at("O", 400, 122) + at("RIO.", 440, 122)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert header.keys == ("code", "expected", "obtained", "physical", "budget")
    assert header.bottom == 130


def test_a_line_of_prose_under_a_header_is_not_part_of_it_even_when_full_of_small_words():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS AL 31/12/2016", 80, 100) \
        + at("RESULTADOS OBTENIDOS AL 30/06/2016", 300, 100) + at("FÍSICO", 500, 100) \
        + at("organización del SENARECOM y la AJAM en el marco de la Ley", 300, 112)
    (header,) = headers.find_headers(layout.text_lines(ws), SEED)
    assert len(header.lines) == 1


def test_a_drawn_header_ends_at_its_lower_border():
    ws = at("Cód.", 10, 100) + at("RESULTADOS ESPERADOS", 80, 100) + at("RESULTADOS OBTENIDOS", 250, 100) \
        + at("FÍSICO", 400, 100) + at("de la Ley", 250, 112) + at("y del", 250, 124)
    border = [Ruling(5, 121, 460, 121)]
    (header,) = headers.find_headers(layout.text_lines(ws), SEED, border)
    assert header.bottom == 120  # "de la Ley" stands above the border, "y del" below it


def test_page_furniture_repeats_on_pages_with_the_page_number_running():
    from poa.extract.furniture import Furniture

    f = Furniture(SEED)
    page = {n: layout.text_lines(at(f"Av. Mariscal Santa Cruz · Página {n} de 9", 100, 760)
                                 + at(f"{12 + n} Unidad de Metalurgia", 10, 740)
                                 + at(f"{n * 2} servidores capacitados", 300, 730)) for n in (3, 4)}
    for n, lines in page.items():
        f.learn(n, lines, 792)
    cell, unit, footer = page[4]
    assert footer.text.startswith("Av.") and f.is_furniture(4, footer, 792)
    assert not f.is_furniture(4, unit, 792)  # a unit's row: it opens a row, whatever its number
    assert not f.is_furniture(4, cell, 792)  # 6 and 8 do not run with the pages 3 and 4


def test_a_band_between_shadings_holding_several_rows_is_cut_where_codes_start():
    band = at("01 Asesoría de Despacho", 10, 0) + at("08-01.01.01-01", 10, 12) + at("Se emitió", 80, 12) \
        + at("opinión.", 80, 22) + at("08-01.01.01-02", 10, 32) + at("Se apoyó.", 80, 32)
    rows, cut = layout.split_bands([band], [75, 300], SEED)
    assert cut and [layout.cells_of(r, [75, 300])[:2] for r in rows] == [
        ["01 Asesoría de Despacho", ""], ["08-01.01.01-01", "Se emitió opinión."], ["08-01.01.01-02", "Se apoyó."]]


def test_a_ruled_band_is_not_cut_at_a_line_that_merely_begins_like_a_section():
    band = at("08-01.01.01-01", 10, 0) + at("Se coordinó con la", 80, 0) + at("Dirección General de Planificación.", 80, 10)
    rows, cut = layout.split_bands([band], [75, 300], SEED)
    assert not cut and len(rows) == 1


def test_a_line_in_a_cell_of_a_drawn_grid_is_enclosed_and_a_boxed_footer_is_not():
    """Text repeated at the foot of every page inside a ruled cell is the table's; a footer printed under the
    grid, beside it, or in a box (or page frame) of its own is furniture's to take."""
    grid = [Ruling(40, 100, 40, 500), Ruling(300, 100, 300, 500), Ruling(560, 100, 560, 500)]
    inside = layout.Line((Word("el", 60, 480, 70, 490), Word("mismo", 74, 480, 100, 490)))
    below = layout.Line((Word("Ministerio", 60, 520, 120, 530),))
    through = layout.Line((Word("una", 200, 480, 220, 490), Word("fila", 320, 480, 340, 490)))
    beside = layout.Line((Word("nota", 570, 480, 600, 490),))
    assert layout.enclosed(inside, grid)
    assert not layout.enclosed(below, grid) and not layout.enclosed(beside, grid) and not layout.enclosed(through, grid)
    box = [Ruling(40, 510, 40, 540), Ruling(560, 510, 560, 540)] * 2  # a box drawn (twice) around the footer
    frame = [Ruling(20, 20, 20, 770), Ruling(590, 20, 590, 770)]  # a frame around the whole page
    assert not layout.enclosed(below, box) and not layout.enclosed(below, frame)
    assert not layout.enclosed(inside, [Ruling(40, 470, 560, 470)])  # a horizontal rule alone encloses nothing
