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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

from poa.validate.arithmetic import Tree

from poa.core.records import Report
from poa.core.vocab import runs

from .safe import FORMULA_START, xlsx_text
from .spanish import (
    BOLIVIA,
    METHOD_ES,
    SEVERITY_ES,
    STATUS_ES,
    check_label,
    check_rule,
    corrections_note,
    criteria,
    decimal_commas,
    number,
    period,
    plural,
)
from .working import Index, numbered, workings
from .xlsxfile import LINE_HEIGHT, Cell, Conditional, Sheet, Style, Value, column_letter, save, wrapped_lines

RESULTS, HIERARCHY = "Resultados", "Impreso vs recalculado"
SHEETS = ("Documento", "Hallazgos", HIERARCHY, RESULTS, "Vínculos")

HEADER_FILL = "E8E8E8"
MISMATCH_FILL = "FDE2E1"
EXPLAINED_FILL = "FFF4D6"
CORRECTED_FILL = "D2E3FC"  # a cell set by hand (corrections.csv), the review page's blue
SEVERITY_FILL = {"error": MISMATCH_FILL, "warning": EXPLAINED_FILL, "info": "E4EEFC"}

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


def cell_text(value: object) -> tuple[str, bool]:
    """What a string cell holds, and whether it needs the quote prefix (it starts the way a formula does)."""
    v = xlsx_text(str(value))
    return v, v.startswith(FORMULA_START)


def pct_format(x: float | None) -> str:
    return PCT_INT if x is None or float(x).is_integer() else PCT_2


def ranges(col: str, rows: Iterable[int], sheet: str | None = None) -> str:
    """Cells of one column as compact references: rows 2,3,4,7 → B2:B4,B7 (a sheet prefix if given)."""
    prefix = f"'{sheet}'!" if sheet and " " in sheet else f"{sheet}!" if sheet else ""
    return ",".join(f"{prefix}{col}{a}" if a == b else f"{prefix}{col}{a}:{col}{b}" for a, b in runs(rows))


@dataclass(slots=True)
class _Pending:
    """A table cell as it is written, before `Table.finish` gives it its column's style."""

    value: Value = None
    formula: bool = False
    fmt: str | None = None  # its own number format, over the column's
    fill: str | None = None
    quote: bool = False


class Table:
    """A table sheet: a header row, then a row per record. A cell is written once, its style settled when the
    sheet is finished: the column's alignment and number format, unless the cell has its own format."""

    def __init__(self, sheet: Sheet, columns: list[Column]):
        self.sheet, self.columns = sheet, columns
        sheet.header = True
        self.values: dict[tuple[int, int], _Pending] = {}
        header = Style(bold=True, fill=HEADER_FILL, wrap=True, vertical="top")
        for i, c in enumerate(columns, 1):
            sheet.cells[1, i] = Cell(c.title, header)
            sheet.widths[i] = c.width
        sheet.heights[1] = LINE_HEIGHT * max(wrapped_lines(c.title, c.width * 0.9) for c in columns)

    def _cell(self, row: int, col: int) -> _Pending:
        cell = self.values.get((row, col))
        if cell is None:
            cell = self.values[row, col] = _Pending()
        return cell

    def text(self, row: int, col: int, value: str | None) -> _Pending:
        """A string cell that never runs: see the module docstring."""
        cell = self._cell(row, col)
        if value is not None:
            cell.value, cell.quote = cell_text(value)
        return cell

    def put(self, row: int, col: int, value, fmt: str | None = None) -> _Pending:
        """A number, date or text cell (text always through `text`)."""
        cell = self.text(row, col, value) if value is None or isinstance(value, str) else self._cell(row, col)
        if value is not None and not isinstance(value, str):
            cell.value = value
        if fmt:
            cell.fmt = fmt
        return cell

    def formula(self, row: int, col: int, expr: str, fmt: str | None = None) -> _Pending:
        """One of poa's own formulas (cell references and functions only)."""
        cell = self._cell(row, col)
        cell.value, cell.formula = expr, True
        if fmt:
            cell.fmt = fmt
        return cell

    def fill(self, cell: _Pending, fill: str) -> None:
        cell.fill = fill

    def comment(self, col: int, note: str) -> None:
        """A note on a column's title."""
        self.sheet.notes[1, col] = note

    def finish(self, rows: int) -> None:
        """Every cell of the `rows` data rows, written or not, with its column's alignment and (unless it has
        one) number format; rows as high as their wrapped text (neither Excel nor LibreOffice sizes a row to
        it on opening)."""
        styles: dict[tuple, Style] = {}
        cells, values, empty = self.sheet.cells, self.values, _Pending()
        lines = [1] * (rows + 2)
        for i, c in enumerate(self.columns, 1):
            for r in range(2, rows + 2):
                p = values.get((r, i)) or empty
                key = (c.wrap, p.fmt or c.fmt or "General", p.fill, p.quote)
                style = styles.get(key)
                if style is None:
                    style = styles[key] = Style(fill=p.fill, wrap=c.wrap, vertical="top", number_format=key[1],
                                                quote=p.quote)
                cells[r, i] = Cell(p.value, style, p.formula)
                if c.wrap and isinstance(p.value, str) and not p.formula:
                    lines[r] = max(lines[r], wrapped_lines(p.value, c.width))
        for r in range(2, rows + 2):
            if lines[r] > 1:
                self.sheet.heights[r] = LINE_HEIGHT * min(lines[r], 40)

    def conditional(self, ref: str, formula: str, fill: str) -> None:
        self.sheet.conditionals.append(Conditional(ref, formula, fill))


# ------------------------------------------------------------------ sheets


def hierarchy_labels(profile) -> tuple[str, str, str, str]:
    """The names of the results' hierarchy columns as the report names its levels: the outermost level above
    the unit, the one right above it, the unit, the one within it ("Nivel superior" where there is none)."""
    levels = profile.levels
    if profile.unit_level is None:  # results under no level
        return "Nivel superior", "Nivel intermedio", "Unidad", "Subnivel"
    u = levels.index(profile.unit_level)
    outer = levels[0].label if u >= 1 else "Nivel superior"
    inner = levels[u - 1].label if u >= 2 else "Nivel intermedio"
    within = levels[u + 1].label if u + 1 < len(levels) else "Subnivel"
    return outer, inner, profile.unit_level.label, within


AMOUNT = "#,##0.00"
# The figure columns a profile may print beside a result's %: (role, Result attribute, title, number format; PCT_2
# for a % shown with its own decimals)
FIGURES = (("weight", "weight", "Ponderación", None), ("target", "target", "Meta programada", None),
           ("achieved", "achieved", "Meta ejecutada", None), ("cumulative", "cumulative_pct", "Avance acumulado %", PCT_2),
           ("budget_current", "budget_current", "Presupuesto vigente", AMOUNT),
           ("budget_executed", "budget_executed", "Presupuesto ejecutado", AMOUNT),
           ("budget", "budget_pct", "Avance pptario. impreso %", PCT_2))


HAND_COLUMNS = {7: "code", 9: "expected", 10: "obtained"}  # Resultados' columns a correction may set, by number


def results_sheet(sheet: Sheet, report: Report) -> dict[str, int]:
    """Every result row; returns result_id → its row. Column L is the value a unit's average takes. After the
    seed's columns, the figures the profile's tables print (targets, weights, budgets…) and, where its rule makes
    a result's % of them (achieved ÷ target, executed ÷ current), that % recomputed by a live formula, shaded
    where the printed one differs."""
    outer, inner, unit, within = hierarchy_labels(report.template)
    cols = [Column("Fila", 6), Column(outer, 24, wrap=True), Column(inner, 24, wrap=True),
            Column(f"N° {unit.lower()}", 8), Column(unit, 28, wrap=True), Column(within, 18, wrap=True),
            Column("Código", 15), Column("Código impreso", 15), Column("Resultado esperado", 50, wrap=True),
            Column("Resultado obtenido", 50, wrap=True), Column("Avance físico %", 10),
            Column("Entra en el promedio %", 11), Column("Avance impreso (texto)", 10),
            Column("Pág.", 6), Column("Pág. final", 6), Column("Fila de desviación", 10),
            Column("Otras columnas", 30, wrap=True)]
    profile, a = report.template, report.template.arithmetic
    figures = []
    for role, attr, title, fmt in FIGURES:
        if profile.has_column("results", role):
            cols.append(Column(title, 11 if fmt == PCT_2 else 14, None if fmt == PCT_2 else fmt))
            figures.append((attr, len(cols), fmt == PCT_2))
    at = {attr: column_letter(col) for attr, col, _ in figures}
    rounded = PCT_INT if a.decimals == 0 else PCT_2
    recomputed = []  # (column, the figure over, the figure under, the printed % column it is checked against)
    if a.row_pct and {"target", "achieved"} <= at.keys():
        cols.append(Column("Avance recalculado %", 12, rounded))
        recomputed.append((len(cols), "achieved", "target", "K"))
    if a.budget_ratio and {"budget_current", "budget_executed", "budget_pct"} <= at.keys():
        cols.append(Column("Avance pptario. recalculado %", 12, rounded))
        recomputed.append((len(cols), "budget_executed", "budget_current", at["budget_pct"]))
    t = Table(sheet, cols)
    t.comment(12, (
        "El avance si entra en el promedio de su unidad (número entre 0 y 100); vacío si no tiene avance impreso "
        "o está fuera de 0–100 %, como en el reporte."))
    linked = {d.result_id for d in report.deviations if d.result_id}
    where: dict[str, int] = {}

    def bound(i: int) -> str:  # a % above 100 enters the averages where the profile allows it (over_100)
        return "" if a.top is None else f",K{i}<={a.top:g}"

    for i, r in enumerate(report.results, 2):
        where[r.result_id] = i
        t.put(i, 1, r.seq)
        for col, v in enumerate((r.viceministry, r.direction, r.unit_number, r.unit_name, r.area, r.code, r.code_raw,
                                 r.expected, r.obtained), 2):
            cell = t.text(i, col, v)
            if HAND_COLUMNS.get(col) in r.corrected:
                t.fill(cell, CORRECTED_FILL)
        cell = t.put(i, 11, r.physical_pct, pct_format(r.physical_pct))
        if "physical_pct" in r.corrected:
            t.fill(cell, CORRECTED_FILL)
        t.formula(i, 12, f'IF(AND(ISNUMBER(K{i}),K{i}>=0{bound(i)}),K{i},"")', pct_format(r.physical_pct))
        t.text(i, 13, r.physical_raw)
        t.put(i, 14, r.page_first)
        t.put(i, 15, r.page_last)
        t.text(i, 16, "Sí" if r.result_id in linked else "No")
        t.text(i, 17, "; ".join(f"{k}: {v}" for k, v in r.extra.items()) or None)
        for attr, col, is_pct in figures:
            value = getattr(r, attr)
            t.put(i, col, value, pct_format(value) if is_pct else None)
        for col, over_attr, under_attr, _ in recomputed:
            over, under = f"{at[over_attr]}{i}", f"{at[under_attr]}{i}"
            t.formula(i, col, f'IF(AND(ISNUMBER({over}),ISNUMBER({under}),{under}<>0),'
                              f'ROUND({over}/{under}*100,{a.decimals}),"")')
    n = len(report.results)
    t.finish(n)
    for col, _, _, printed in recomputed:  # the printed % that the live one does not give
        here = column_letter(col)
        t.conditional(f"{here}2:{here}{n + 1}", f'AND(ISNUMBER(${here}2),ISNUMBER(${printed}2),${here}2<>${printed}2)',
                      MISMATCH_FILL)
    if n:
        if (limit := report.template.threshold) is not None and report.template.deviations == "table":
            # The report's own rule, live: under its threshold with no row in the deviation table.
            t.conditional(f"A2:Q{n + 1}", f'AND(ISNUMBER($K2),$K2<{limit:g},$P2="No")', EXPLAINED_FILL)
        t.conditional(f"K2:K{n + 1}", f"OR(ISBLANK($K2),$K2<0{'' if a.top is None else f',$K2>{a.top:g}'})",
                      MISMATCH_FILL)
    return where


def hierarchy_sheet(sheet: Sheet, report: Report, result_row: dict[str, int]) -> None:
    """Every hierarchy row, printed vs recomputed; columns G and H are formulas that re-perform poa's
    recomputation (G unrounded, H rounded), I the difference from the printed figure."""
    cols = [Column("Fila", 6), Column("Nivel", 16), Column("N°", 5), Column("Nombre", 46, wrap=True),
            Column("Página", 7), Column("Impreso %", 10), Column("Recalculado sin redondear %", 13, PCT_4),
            Column("Recalculado %", 13, PCT_INT), Column("Diferencia (recalculado − impreso)", 13, DIFF),
            Column("Estado", 16, wrap=True), Column("Regla alternativa que da la cifra impresa", 44, wrap=True),
            Column("Pptario. impreso %", 10), Column("Cálculo", 46, wrap=True)]
    t = Table(sheet, cols)
    t.comment(7, AVERAGE_NOTE)
    t.comment(8, ROUND_NOTE)
    tree = Tree(report)
    row_of = {n.node_id: i for i, n in enumerate(report.nodes, 2)}
    for i, w in enumerate(workings(report), 2):
        n = w.node
        t.put(i, 1, n.seq)
        t.text(i, 2, w.label)
        t.text(i, 3, n.number)
        t.text(i, 4, n.name)
        t.put(i, 5, n.page)
        t.put(i, 6, n.reported_physical_pct, pct_format(n.reported_physical_pct))
        if w.kind == "results":  # what tree.operands gives: the node's results, or else its parts
            rows = [result_row[r.result_id] for r in tree.rows_of(n) or () if r.result_id in result_row]
            refs = ranges("L", rows, RESULTS)
            how = (f"Promedio de {refs} ({plural(len(rows), 'resultado', 'resultados')}, "
                   f"{w.count} {'entra' if w.count == 1 else 'entran'})")
        else:
            rows = [row_of[p.node_id] for p in tree.parts(n)]
            refs = ranges("G", rows)
            how = f"Promedio de {refs} ({plural(len(rows), 'fila', 'filas')} de esta hoja, sin redondear)"
        if rows and w.weighted:  # a weighted mean over scattered cells has no plain formula: poa's figure, said so
            t.put(i, 7, w.value, PCT_4)
            how = (f"Promedio ponderado por el peso (Pond.): {number(w.total, 4)} ÷ {number(w.weights, 4)} "
                   f"(calculado por poa; véase la memoria de cálculo)")
        elif rows:
            t.formula(i, 7, f'IFERROR(AVERAGE({refs}),"")', PCT_4)
        if rows:
            t.formula(i, 8, f'IF(ISNUMBER(G{i}),ROUND(G{i},{w.decimals}),"")', PCT_INT if w.decimals == 0 else PCT_2)
            t.formula(i, 9, f'IF(AND(ISNUMBER(F{i}),ISNUMBER(H{i})),H{i}-F{i},"")', DIFF)
        t.text(i, 10, "—" if w.holds is None else "Coincide" if w.holds else
             "No coincide (regla alternativa)" if w.alternatives else "No coincide")
        t.text(i, 11, "; ".join(f"{d}: {v:.4f}".replace(".", ",") for d, v in w.alternatives) or None)
        t.put(i, 12, n.reported_budget_pct, pct_format(n.reported_budget_pct))
        t.text(i, 13, how if rows else "Sin componentes")
    n_rows = len(report.nodes)
    t.finish(n_rows)
    if n_rows:
        t.conditional(f"A2:M{n_rows + 1}", "AND(ISNUMBER($I2),$I2<>0)", MISMATCH_FILL)


def findings_sheet(sheet: Sheet, report: Report) -> None:
    cols = [Column("N°", 8), Column("Severidad", 12), Column("Verificación", 30, wrap=True),
            Column("Id de verificación", 18), Column("Página", 7), Column("Asunto", 36, wrap=True),
            Column("Impreso %", 10), Column("Recalculado %", 12), Column("Detalle", 70, wrap=True),
            Column("Criterio", 50, wrap=True), Column("Disposición del auditor", 30, wrap=True)]
    t = Table(sheet, cols)
    for i, h in enumerate(numbered(report), 2):
        f = h.finding
        t.text(i, 1, h.number)
        t.fill(t.text(i, 2, SEVERITY_ES.get(f.severity, f.severity)), SEVERITY_FILL.get(f.severity, HEADER_FILL))
        t.text(i, 3, check_label(f.check, report.template))
        t.text(i, 4, f.check)
        t.put(i, 5, f.page)
        t.text(i, 6, h.subject)
        if f.check != "ocr_low_confidence":  # its figure is a confidence, said in the message
            t.put(i, 7, f.reported, pct_format(f.reported))
            t.put(i, 8, f.recomputed, PCT_2)
        t.text(i, 9, decimal_commas(f.message))
        t.text(i, 10, check_rule(f.check, report.template))
    t.finish(len(report.findings))


def links_sheet(sheet: Sheet, report: Report) -> None:
    cols = [Column("Página", 7), Column("Unidad (tabla de desviaciones)", 34, wrap=True), Column("Código", 15),
            Column("Resultado vinculado", 15), Column("Unidad del resultado", 34, wrap=True),
            Column("Pág. del resultado", 9), Column("Avance físico %", 10), Column("Método", 22),
            Column("Similitud (0–100)", 10, "0")]
    t = Table(sheet, cols)
    ix = Index(report)
    for i, d in enumerate(report.deviations, 2):
        r = ix.results.get(d.result_id) if d.result_id is not None else None
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


def document_sheet(sheet: Sheet, report: Report, generated: dt.datetime) -> None:
    """Provenance, criteria, notes and the sign-off cells."""
    doc = report.document
    sheet.widths.update({1: 30, 2: 100})
    label, wrap = Style(bold=True), Style(wrap=True, vertical="top")
    value = Style(wrap=True, vertical="top", horizontal="left")
    rows: list[tuple[str, Value, str | None]] = [
        ("Papel de trabajo", "Seguimiento al avance del POA: impreso frente a recalculado", None),
        ("Entidad", doc.entity or "entidad no identificada", None),
        ("Periodo", period(doc.period), None),
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
    if note := corrections_note(report):
        rows.insert(12, ("Correcciones a mano", note + " En la hoja Resultados, en azul.", None))
    doubts = [f.message for f in report.findings if f.check == "read_doubt"]  # documents.review_reasons, in Spanish
    if doubts:
        rows.insert(12, ("Razones de la revisión", " ".join(doubts), None))

    def put(row: int, col: int, v: Value, style: Style) -> None:
        if isinstance(v, str):
            v, quote = cell_text(v)
            style = replace(style, quote=True) if quote else style
        sheet.cells[row, col] = Cell(v, style)

    r = 1
    for name, v, fmt in rows:
        put(r, 1, name, label)
        put(r, 2, v, replace(value, number_format=fmt) if fmt else value)
        r += 1
    said = [f"{title}: {text}" for title, text in criteria(report.template)]
    for title, lines in (("Criterios", said), ("Notas", (AVERAGE_NOTE, ROUND_NOTE))):
        r += 1
        put(r, 1, title, label)
        for line in lines:
            put(r, 2, line, wrap)
            r += 1
    r += 1
    for name in ("Preparado por", "Fecha", "Revisado por", "Fecha"):
        put(r, 1, name, label)
        put(r, 2, None, Style(number_format=DATE if name == "Fecha" else "General"))
        r += 1


def write_xlsx(report: Report, path: Path, *, generated: dt.datetime | None = None) -> None:
    """The workbook of one document (see the module docstring)."""
    generated = generated or dt.datetime.now(BOLIVIA)
    sheets = {name: Sheet(name) for name in SHEETS}
    document_sheet(sheets["Documento"], report, generated)
    findings_sheet(sheets["Hallazgos"], report)
    result_row = results_sheet(sheets[RESULTS], report)
    hierarchy_sheet(sheets[HIERARCHY], report, result_row)
    links_sheet(sheets["Vínculos"], report)
    save(list(sheets.values()), path, created=generated)  # no cached values: the spreadsheet computes on opening
