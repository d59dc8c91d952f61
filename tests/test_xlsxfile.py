"""The xlsx writer (outputs/xlsxfile.py): what a cell holds comes back as written, read by openpyxl."""

import datetime as dt

from poa.outputs.xlsxfile import Cell, Conditional, Sheet, Style, column_letter, save, serial


def test_cells_come_back_as_written(tmp_path):
    from openpyxl import load_workbook

    sheet = Sheet("Hoja 'uno'", header=True)
    texts = ["  leading and trailing  ", "a\r\nb\rc", "<b>&amp;</b> \"x\"", "=1+1", "ñandú — 49,65 %"]
    for r, t in enumerate(texts, 1):
        sheet.cells[r, 1] = Cell(t, Style(quote=t.startswith("=")))
    sheet.cells[1, 2] = Cell(49.65, Style(number_format='0.00" %"'))
    sheet.cells[2, 2] = Cell(dt.date(2016, 6, 30), Style(number_format="dd/mm/yyyy"))
    sheet.cells[3, 2] = Cell(dt.datetime(2026, 11, 26, 10, 30), Style(number_format="dd/mm/yyyy hh:mm"))
    sheet.cells[4, 2] = Cell(float("nan"))
    sheet.cells[5, 2] = Cell("ROUND(B1,0)", formula=True)
    sheet.cells[1, 30] = Cell(7, Style(bold=True, fill="FDE2E1", wrap=True, vertical="top"))
    sheet.notes[1, 2] = "una nota"
    sheet.conditionals.append(Conditional("A2:B5", "$B2<35", "FFF4D6"))
    save([sheet, Sheet("Otra")], tmp_path / "t.xlsx", created=dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))

    wb = load_workbook(tmp_path / "t.xlsx")
    ws = wb["Hoja 'uno'"]
    assert [ws.cell(r, 1).value for r in range(1, 6)] == texts
    assert ws.cell(4, 1).quotePrefix and ws.cell(4, 1).data_type == "s"
    assert ws.cell(1, 2).value == 49.65 and ws.cell(1, 2).number_format == '0.00" %"'
    assert ws.cell(2, 2).value == dt.datetime(2016, 6, 30) and ws.cell(3, 2).value == dt.datetime(2026, 11, 26, 10, 30)
    assert ws.cell(4, 2).value is None  # no NaN in a spreadsheet
    assert ws.cell(5, 2).value == "=ROUND(B1,0)" and ws.cell(5, 2).data_type == "f"
    big = ws.cell(1, 30)
    assert big.font.b and big.fill.fgColor.rgb.endswith("FDE2E1") and big.alignment.wrap_text
    assert ws.cell(1, 2).comment.text == "una nota"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:AD5" and ws.print_title_rows == "$1:$1"
    assert [str(r.sqref) for r in ws.conditional_formatting] == ["A2:B5"]
    assert wb.sheetnames == ["Hoja 'uno'", "Otra"]


def test_column_letters_and_date_serials_are_excels():
    assert [column_letter(c) for c in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert serial(dt.date(1900, 3, 1)) == 61 and serial(dt.date(2016, 6, 30)) == 42551
    assert serial(dt.datetime(2016, 6, 30, 12)) == 42551.5


def test_numpy_numbers_are_written_as_numbers_and_bools_are_refused(tmp_path):
    import numpy as np
    import pytest
    from openpyxl import load_workbook

    sheet = Sheet("a")
    sheet.cells[1, 1] = Cell(np.float64(49.65))
    sheet.cells[1, 2] = Cell(np.int64(7))
    sheet.cells[1, 3] = Cell(np.float32(0.5))
    save([sheet], tmp_path / "n.xlsx", created=dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))
    ws = load_workbook(tmp_path / "n.xlsx")["a"]
    assert [ws.cell(1, c).value for c in (1, 2, 3)] == [49.65, 7, 0.5]
    for bad in (True, np.bool_(True), object()):
        with pytest.raises(TypeError):
            save([Sheet("b", cells={(1, 1): Cell(bad)})], tmp_path / "b.xlsx",
                 created=dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))
