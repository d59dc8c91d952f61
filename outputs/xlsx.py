"""The audit workbook: the working paper's tables for Excel or LibreOffice, recomputing itself.

Sheets: Documento (provenance, criteria, sign-off), Hallazgos (numbered as in the HTML, with a column for the
auditor's disposition), Impreso vs recalculado (every hierarchy row; its recomputed figures are live formulas
over the cells of their components, so the arithmetic can be re-performed in the spreadsheet), Resultados
(every result row, the cells those formulas average) and Vínculos (deviation rows and their results).

The only formulas are poa's own, built from cell references (no text of the PDF ever reaches one). Every text
cell is a string cell; text starting the way a formula does (=, +, -, @, tab, CR) also gets Excel's quote
prefix (what typing a leading ' gives: shown as printed, still text when edited or exported to CSV), the xlsx
form of OWASP's advice for CSV. Characters XML refuses show as U+FFFD; the Parquet keeps the text as printed.
Numbers are numbers with number formats, so Excel shows them in the reader's locale (49,65 % in es-BO).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from poa.validate.arithmetic import Tree

from poa.records import Report
from poa.vocab import runs

from .safe import FORMULA_START, xlsx_text
from .spanish import BOLIVIA, LEVEL_ES, METHOD_ES, SEVERITY_ES, STATUS_ES, check_label, check_rule, decimal_commas, period, plural
from .working import Index, numbered, workings

RESULTS, HIERARCHY = "Resultados", "Impreso vs recalculado"
SHEETS = ("Documento", "Hallazgos", HIERARCHY, RESULTS, "Vínculos")

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8E8E8")
MISMATCH_FILL = PatternFill("solid", fgColor="FDE2E1")
EXPLAINED_FILL = PatternFill("solid", fgColor="FFF4D6")
SEVERITY_FILL = {"error": MISMATCH_FILL, "warning": EXPLAINED_FILL, "info": PatternFill("solid", fgColor="E4EEFC")}
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

PCT_INT = '0" %"'
PCT_2 = '0.00" %"'
PCT_4 = '0.0000" %"'
DIFF = '+0;-0;0'
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

ROUND_NOTE = ("ROUND(x; 0) de Excel y LibreOffice redondea la mitad alejándose de cero; para porcentajes, que no son "
              "negativos, es lo mismo que redondear mitad hacia arriba, la regla del reporte (62,5 → 63; 48,5 → 49).")
AVERAGE_NOTE = ("Promedio (AVERAGE/PROMEDIO) de los componentes sin redondear: para una unidad, la columna «Entra en "
                "el promedio» de sus resultados en la hoja Resultados (vacía si el resultado no tiene avance o está "
                "fuera de 0–100 %: AVERAGE no cuenta las celdas vacías ni el texto); para las demás filas, esta misma "
                "columna de sus unidades, direcciones o grupos.")


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 12
    fmt: str | None = None
    wrap: bool = False


# ------------------------------------------------------------------ cells


def text(ws: Worksheet, row: int, col: int, value: str | None):
    """A string cell that never runs: see the module docstring."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    cell.value, quote = cell_text(value)
    cell.data_type = "s"
    if quote:
        cell.quotePrefix = True
    return cell


def cell_text(value: object) -> tuple[str, bool]:
    """What a string cell holds, and whether it needs the quote prefix (it starts the way a formula does)."""
    v = xlsx_text(str(value))
    return v, v.startswith(FORMULA_START)


def put(ws: Worksheet, row: int, col: int, value, fmt: str | None = None):
    """A number, date or text cell (text always through `text`)."""
    if value is None or isinstance(value, str):
        cell = text(ws, row, col, value)
    else:
        cell = ws.cell(row=row, column=col, value=value)
    if fmt:
        cell.number_format = fmt
    return cell


def pct_format(x: float | None) -> str:
    return PCT_INT if x is None or float(x).is_integer() else PCT_2


def ranges(col: str, rows: Iterable[int], sheet: str | None = None) -> str:
    """Cells of one column as compact references: rows 2,3,4,7 → B2:B4,B7 (a sheet prefix if given)."""
    prefix = f"'{sheet}'!" if sheet and " " in sheet else f"{sheet}!" if sheet else ""
    return ",".join(f"{prefix}{col}{a}" if a == b else f"{prefix}{col}{a}:{col}{b}" for a, b in runs(rows))


LINE_HEIGHT = 15.0  # points per line of 11-point text


def wrapped_lines(value: str, width: float) -> int:
    """About how many lines a text takes in a wrapped column `width` characters wide."""
    per_line = max(1.0, width * 1.1)
    return sum(max(1, -(-len(part) // int(per_line))) for part in value.split("\n"))


def print_setup(ws: Worksheet) -> None:
    """Carta, landscape, as wide as the page: a sheet prints as the working paper's annex."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


class StyleIds:
    """The workbook's ids of a font, fill, alignment and number format, looked up once: openpyxl hashes the
    style object on every assignment, which made styling a few thousand cells most of a workbook's cost.
    Setting the ids on the cell's style array is what openpyxl's assignment does in the end (openpyxl < 4).
    Each is registered the first time it is used, as the assignment would: the workbook's style lists keep
    the same order, so the file is the same."""

    def __init__(self, ws: Worksheet):
        self.wb = ws.parent
        self.ids: dict[tuple[str, int], int] = {}  # (list, id of the style object) → its index in the list
        self.formats: dict[str, int] = {}

    def _id(self, collection: str, style: object) -> int:
        key = (collection, id(style))
        if key not in self.ids:
            self.ids[key] = getattr(self.wb, collection).add(style)
        return self.ids[key]

    def font(self, style: StyleArray, font: Font) -> None:
        style.fontId = self._id("_fonts", font)

    def fill(self, style: StyleArray, fill: PatternFill) -> None:
        style.fillId = self._id("_fills", fill)

    def alignment(self, style: StyleArray, alignment: Alignment) -> None:
        style.alignmentId = self._id("_alignments", alignment)

    def number_format(self, style: StyleArray, fmt: str) -> None:
        if fmt not in self.formats:
            builtin = BUILTIN_FORMATS_REVERSE.get(fmt)
            self.formats[fmt] = builtin if builtin is not None else self.wb._number_formats.add(fmt) + 164
        style.numFmtId = self.formats[fmt]


class Table:
    """A table sheet: a header row, then a row per record. Its cells are made directly, each with its own
    style array: openpyxl's cell API (ws.cell, the value and style descriptors) cost as much as writing the
    file. The cells are the ones that API makes."""

    def __init__(self, ws: Worksheet, columns: list[Column]):
        self.ws, self.columns, self.ids = ws, columns, StyleIds(ws)
        self.cells: dict[tuple[int, int], Cell] = ws._cells
        for i, c in enumerate(columns, 1):
            cell = self.text(1, i, c.title)
            self.ids.font(cell._style, BOLD)
            self.ids.fill(cell._style, HEADER_FILL)
            self.ids.alignment(cell._style, WRAP)
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.row_dimensions[1].height = LINE_HEIGHT * max(wrapped_lines(c.title, c.width * 0.9) for c in columns)

    def _cell(self, row: int, col: int) -> Cell:
        """The cell at row, col (made, and given a style array, if new)."""
        cell = self.cells.get((row, col))
        if cell is None:
            cell = self.cells[row, col] = Cell(self.ws, row=row, column=col)
            cell._style = StyleArray()
        return cell

    def text(self, row: int, col: int, value: str | None) -> Cell:
        """A string cell that never runs: see the module docstring. (`cell_text` does what openpyxl's value
        check would: the text is cut to a cell's size and holds no character XML refuses.)"""
        cell = self._cell(row, col)
        if value is not None:
            cell._value, quote = cell_text(value)
            cell.data_type = "s"
            if quote:
                cell._style.quotePrefix = True
        return cell

    def put(self, row: int, col: int, value, fmt: str | None = None) -> Cell:
        """A number, date or text cell (text always through `text`)."""
        if value is None or isinstance(value, str):
            cell = self.text(row, col, value)
        else:
            cell = self._cell(row, col)
            if type(value) in (int, float):
                cell._value = value  # data type "n", as made
            else:  # anything else is typed (and a date formatted) by openpyxl itself
                cell.value = value
        if fmt:
            self.ids.number_format(cell._style, fmt)
        return cell

    def formula(self, row: int, col: int, expr: str, fmt: str | None = None) -> Cell:
        """One of poa's own formulas (cell references and functions only)."""
        cell = self._cell(row, col)
        cell._value, cell.data_type = f"={expr}", "f"
        if fmt:
            self.ids.number_format(cell._style, fmt)
        return cell

    def fill(self, cell: Cell, fill: PatternFill) -> None:
        self.ids.fill(cell._style, fill)

    def comment(self, col: int, note: str) -> None:
        """A note on a column's title."""
        self._cell(1, col).comment = Comment(note, "poa")

    def finish(self, rows: int) -> None:
        """Formats, wrapping, filter, frozen header and print setup of the sheet with `rows` data rows."""
        lines = self._style_rows(rows)
        ws = self.ws
        for r in range(2, rows + 2):
            if lines[r] > 1:  # neither Excel nor LibreOffice sizes a row to its wrapped text on opening
                ws.row_dimensions[r].height = LINE_HEIGHT * min(lines[r], 40)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{rows + 1}"
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        print_setup(ws)

    def _style_rows(self, rows: int) -> list[int]:
        """Every cell of the data rows, written or not, gets its column's alignment and (unless it has one)
        number format; returns how many lines each row's wrapped text takes."""
        lines = [1] * (rows + 2)
        for i, c in enumerate(self.columns, 1):
            alignment = WRAP if c.wrap else TOP
            for r in range(2, rows + 2):
                cell = self._cell(r, i)
                if c.fmt and cell._style.numFmtId == 0:  # General
                    self.ids.number_format(cell._style, c.fmt)
                self.ids.alignment(cell._style, alignment)
                if c.wrap and isinstance(cell._value, str):
                    lines[r] = max(lines[r], wrapped_lines(cell.value, c.width))
        return lines


# ------------------------------------------------------------------ sheets


def results_sheet(ws: Worksheet, report: Report) -> dict[str, int]:
    """Every result row; returns result_id → its row. Column L is the value a unit's average takes."""
    cols = [Column("Fila", 6), Column("Viceministerio", 24, wrap=True), Column("Dirección General", 24, wrap=True),
            Column("N° unidad", 8), Column("Unidad", 28, wrap=True), Column("Área", 18, wrap=True),
            Column("Código", 15), Column("Código impreso", 15), Column("Resultado esperado", 50, wrap=True),
            Column("Resultado obtenido", 50, wrap=True), Column("Avance físico %", 10),
            Column("Entra en el promedio %", 11), Column("Avance impreso (texto)", 10),
            Column("Pág.", 6), Column("Pág. final", 6), Column("Fila de desviación", 10),
            Column("Otras columnas", 30, wrap=True)]
    t = Table(ws, cols)
    t.comment(12, (
        "El avance si entra en el promedio de su unidad (número entre 0 y 100); vacío si no tiene avance impreso "
        "o está fuera de 0–100 %, como en el reporte."))
    linked = {d.result_id for d in report.deviations if d.result_id}
    where: dict[str, int] = {}
    for i, r in enumerate(report.results, 2):
        where[r.result_id] = i
        t.put(i, 1, r.seq)
        for col, v in enumerate((r.viceministry, r.direction, r.unit_number, r.unit_name, r.area, r.code, r.code_raw,
                                 r.expected, r.obtained), 2):
            t.text(i, col, v)
        t.put(i, 11, r.physical_pct, pct_format(r.physical_pct))
        t.formula(i, 12, f'IF(AND(ISNUMBER(K{i}),K{i}>=0,K{i}<=100),K{i},"")', pct_format(r.physical_pct))
        t.text(i, 13, r.physical_raw)
        t.put(i, 14, r.page_first)
        t.put(i, 15, r.page_last)
        t.text(i, 16, "Sí" if r.result_id in linked else "No")
        t.text(i, 17, "; ".join(f"{k}: {v}" for k, v in r.extra.items()) or None)
    n = len(report.results)
    t.finish(n)
    if n:
        # The report's own rule, live: under 35 % with no row in the deviation table.
        ws.conditional_formatting.add(f"A2:Q{n + 1}", FormulaRule(
            formula=['AND(ISNUMBER($K2),$K2<35,$P2="No")'], fill=EXPLAINED_FILL))
        ws.conditional_formatting.add(f"K2:K{n + 1}", FormulaRule(
            formula=["OR(ISBLANK($K2),$K2<0,$K2>100)"], fill=MISMATCH_FILL))
    return where


def hierarchy_sheet(ws: Worksheet, report: Report, result_row: dict[str, int]) -> None:
    """Every hierarchy row, printed vs recomputed; columns G and H are formulas that re-perform poa's
    recomputation (G unrounded, H rounded), I the difference from the printed figure."""
    cols = [Column("Fila", 6), Column("Nivel", 16), Column("N°", 5), Column("Nombre", 46, wrap=True),
            Column("Página", 7), Column("Impreso %", 10), Column("Recalculado sin redondear %", 13, PCT_4),
            Column("Recalculado %", 13, PCT_INT), Column("Diferencia (recalculado − impreso)", 13, DIFF),
            Column("Estado", 16, wrap=True), Column("Regla alternativa que da la cifra impresa", 44, wrap=True),
            Column("Pptario. impreso %", 10), Column("Cálculo", 46, wrap=True)]
    t = Table(ws, cols)
    t.comment(7, AVERAGE_NOTE)
    t.comment(8, ROUND_NOTE)
    tree = Tree(report)
    row_of = {n.node_id: i for i, n in enumerate(report.units, 2)}
    for i, w in enumerate(workings(report), 2):
        n = w.node
        t.put(i, 1, n.seq)
        t.text(i, 2, LEVEL_ES.get(n.level, n.level))
        t.text(i, 3, n.number)
        t.text(i, 4, n.name)
        t.put(i, 5, n.page)
        t.put(i, 6, n.reported_physical_pct, pct_format(n.reported_physical_pct))
        if w.kind == "results":
            rows = [result_row[r.result_id] for r in tree.operands(n) if r.result_id in result_row]
            refs = ranges("L", rows, RESULTS)
            how = (f"Promedio de {refs} ({plural(len(rows), 'resultado', 'resultados')}, "
                   f"{w.count} {'entra' if w.count == 1 else 'entran'})")
        else:
            rows = [row_of[p.node_id] for p in tree.operands(n)]
            refs = ranges("G", rows)
            how = f"Promedio de {refs} ({plural(len(rows), 'fila', 'filas')} de esta hoja, sin redondear)"
        if rows:
            t.formula(i, 7, f'IFERROR(AVERAGE({refs}),"")', PCT_4)
            t.formula(i, 8, f'IF(ISNUMBER(G{i}),ROUND(G{i},0),"")', PCT_INT)
            t.formula(i, 9, f'IF(AND(ISNUMBER(F{i}),ISNUMBER(H{i})),H{i}-F{i},"")', DIFF)
        t.text(i, 10, "—" if w.holds is None else "Coincide" if w.holds else
             "No coincide (regla alternativa)" if w.alternatives else "No coincide")
        t.text(i, 11, "; ".join(f"{d}: {v:.4f}".replace(".", ",") for d, v in w.alternatives) or None)
        t.put(i, 12, n.reported_budget_pct, pct_format(n.reported_budget_pct))
        t.text(i, 13, how if rows else "Sin componentes")
    n_rows = len(report.units)
    t.finish(n_rows)
    if n_rows:
        ws.conditional_formatting.add(f"A2:M{n_rows + 1}", FormulaRule(
            formula=["AND(ISNUMBER($I2),$I2<>0)"], fill=MISMATCH_FILL))


def findings_sheet(ws: Worksheet, report: Report) -> None:
    cols = [Column("N°", 8), Column("Severidad", 12), Column("Verificación", 30, wrap=True),
            Column("Id de verificación", 18), Column("Página", 7), Column("Asunto", 36, wrap=True),
            Column("Impreso %", 10), Column("Recalculado %", 12), Column("Detalle", 70, wrap=True),
            Column("Criterio", 50, wrap=True), Column("Disposición del auditor", 30, wrap=True)]
    t = Table(ws, cols)
    for i, h in enumerate(numbered(report), 2):
        f = h.finding
        t.text(i, 1, h.number)
        t.fill(t.text(i, 2, SEVERITY_ES.get(f.severity, f.severity)), SEVERITY_FILL.get(f.severity, HEADER_FILL))
        t.text(i, 3, check_label(f.check))
        t.text(i, 4, f.check)
        t.put(i, 5, f.page)
        t.text(i, 6, h.subject)
        if f.check != "ocr_low_confidence":  # its figure is a confidence, said in the message
            t.put(i, 7, f.reported, pct_format(f.reported))
            t.put(i, 8, f.recomputed, PCT_2)
        t.text(i, 9, decimal_commas(f.message))
        t.text(i, 10, check_rule(f.check))
    t.finish(len(report.findings))


def links_sheet(ws: Worksheet, report: Report) -> None:
    cols = [Column("Página", 7), Column("Unidad (tabla de desviaciones)", 34, wrap=True), Column("Código", 15),
            Column("Resultado vinculado", 15), Column("Unidad del resultado", 34, wrap=True),
            Column("Pág. del resultado", 9), Column("Avance físico %", 10), Column("Método", 22),
            Column("Similitud (0–100)", 10, "0")]
    t = Table(ws, cols)
    ix = Index(report)
    for i, d in enumerate(report.deviations, 2):
        r = ix.results.get(d.result_id)
        t.put(i, 1, d.page)
        t.text(i, 2, f"{d.unit_number or ''} {d.unit_name or ''}".strip())
        t.text(i, 3, d.code_raw)
        t.text(i, 4, r.code_raw if r else "sin vincular")
        t.text(i, 5, f"{r.unit_number or ''} {r.unit_name or ''}".strip() if r else None)
        t.put(i, 6, r.page_first if r else None)
        t.put(i, 7, r.physical_pct if r else None, pct_format(r.physical_pct if r else None))
        t.text(i, 8, METHOD_ES.get(d.match_method or "", None))
        t.put(i, 9, d.match_score)
    t.finish(len(report.deviations))


CRITERIA = (
    "Aritmética del propio reporte: avance de una unidad = promedio de los avances físicos de sus resultados (en "
    "blanco excluidos); Dirección General = promedio de sus unidades sin redondear; Viceministerio = promedio de sus "
    "direcciones; promedio de grupo = promedio de las unidades que cierra; total = promedio de los grupos.",
    "Las cifras impresas son enteros redondeados mitad hacia arriba (62,5 → 63); se comparan con el recalculado "
    "redondeado de la misma forma.",
    "Regla del 35 % (nota de la tabla de causas de desviación): todo resultado con avance físico menor al 35 % debe "
    "figurar con su causa y medida correctiva.",
    "El avance presupuestario solo se transcribe: el reporte no trae datos para recalcularlo.",
)


def document_sheet(ws: Worksheet, report: Report, generated: dt.datetime) -> None:
    """Provenance, criteria, notes and the sign-off cells."""
    doc = report.document
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 30, 100
    print_setup(ws)
    rows: list[tuple[str, object, str | None]] = [
        ("Papel de trabajo", "Seguimiento al avance del POA: impreso frente a recalculado", None),
        ("Entidad", doc.entity or "entidad no identificada", None),
        ("Periodo", period(doc.semester, doc.year), None),
        ("Resultados esperados al", dt.date.fromisoformat(doc.expected_date) if doc.expected_date else None, DATE),
        ("Resultados obtenidos al", dt.date.fromisoformat(doc.obtained_date) if doc.obtained_date else None, DATE),
        ("Archivo", Path(doc.source_path).name, None),
        ("Ruta del archivo", doc.source_path, None),
        ("SHA-256 del archivo", doc.sha256, None),
        ("Id del documento", doc.doc_id, None),
        ("Páginas", doc.pages, None),
        ("Lectura", f"lector {doc.reader or '?'}, motor {doc.engine or '?'}", None),
        ("Estado de la lectura", STATUS_ES.get(doc.status, doc.status), None),
        ("Versión de poa", doc.pipeline_version, None),
        ("Generado el (hora de Bolivia)", generated.astimezone(BOLIVIA).replace(tzinfo=None), DATETIME),
        ("Hallazgos", len(report.findings), None),
    ]
    doubts = [f.message for f in report.findings if f.check == "read_doubt"]  # documents.review_reasons, in Spanish
    if doubts:
        rows.insert(12, ("Razones de la revisión", " ".join(doubts), None))
    r = 1
    for label, value, fmt in rows:
        text(ws, r, 1, label).font = BOLD
        put(ws, r, 2, value, fmt).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        r += 1
    r += 1
    text(ws, r, 1, "Criterios").font = BOLD
    for line in CRITERIA:
        text(ws, r, 2, line).alignment = WRAP
        r += 1
    r += 1
    text(ws, r, 1, "Notas").font = BOLD
    for line in (AVERAGE_NOTE, ROUND_NOTE):
        text(ws, r, 2, line).alignment = WRAP
        r += 1
    r += 1
    for label in ("Preparado por", "Fecha", "Revisado por", "Fecha"):
        text(ws, r, 1, label).font = BOLD
        ws.cell(row=r, column=2).number_format = DATE if label == "Fecha" else "General"
        r += 1


def write_xlsx(report: Report, path: Path, *, generated: dt.datetime | None = None) -> None:
    """The workbook of one document (see the module docstring)."""
    generated = generated or dt.datetime.now(BOLIVIA)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    document_sheet(sheets["Documento"], report, generated)
    findings_sheet(sheets["Hallazgos"], report)
    result_row = results_sheet(sheets[RESULTS], report)
    hierarchy_sheet(sheets[HIERARCHY], report, result_row)
    links_sheet(sheets["Vínculos"], report)
    wb.calculation.fullCalcOnLoad = True  # no cached values are written: the spreadsheet computes on opening
    wb.save(path)
