"""Findings on what OCR read: cells it was unsure of, percentages read only once a misread sign was undone,
codes whose last part only the unit's numbering gives, or that a letter-for-digit repair gave and the unit's
numbering does not bear out. Each names the cell, so a reviewer knows where to look.

Tesseract's confidence (0–100) is its own estimate that a word is right; a cell carries its least sure word's.
A code or % cell under LOW_KEY_CELL is an `ocr_low_confidence` finding and counts in
`ReadQuality.ocr_unsure_cells` (any puts the document in review: a wrong code or % must never look right);
a text cell is a finding only under LOW_TEXT_CELL, a misread letter there being a typo, not a wrong figure.
"""

from __future__ import annotations

from typing import Callable

from poa.normalize import neighbours

from poa.core.numbers import read_pct
from poa.core.records import Deviation, Finding, Report, Result, Severity
from poa.core.vocab import squash

LOW_KEY_CELL = 80.0  # code and % cells
LOW_TEXT_CELL = 50.0  # expected, obtained, cause, measure and extra cells
KEY_COLUMNS = ("code", "physical", "budget")
COLUMNS_ES = {"code": "código", "expected": "resultado esperado", "obtained": "resultado obtenido",
              "physical": "avance físico", "budget": "avance presupuestario", "cause": "causa de desviación",
              "measure": "medida correctiva"}
CELL_TEXT = {"code": "code_raw", "expected": "expected", "obtained": "obtained", "physical": "physical_raw",
             "budget": "budget_raw", "cause": "cause", "measure": "corrective_measure"}


def ocr_findings(report: Report, unconfirmed: list[Finding]) -> list[Finding]:
    """Every OCR finding of the report; `unconfirmed`: its `unconfirmed_repairs`, made once by the validate stage,
    which also counts them (`ReadQuality.ocr_codes_unconfirmed`)."""
    return sequence_repairs(report) + unconfirmed + pct_repairs(report) + low_confidence(report)


def unsure_key_cells(report: Report) -> int:
    """OCR'd code and % cells of result and deviation rows read with less than LOW_KEY_CELL confidence."""
    rows: list[Result | Deviation] = [*report.results, *report.deviations]
    return sum(conf < LOW_KEY_CELL for r in rows for column, conf in (r.ocr_confidence or {}).items()
               if column in KEY_COLUMNS)


def _label(row: Result | Deviation) -> str:
    return row.code or squash(row.code_raw) or "sin código"


def low_confidence(report: Report) -> list[Finding]:
    """One finding per OCR'd cell read with low confidence: which cell, its column, page and confidence."""
    rows: list[tuple[Result | Deviation, str, int, str]] = [
        (r, r.result_id, r.page_first, "la tabla de resultados") for r in report.results]
    rows += [(d, d.deviation_id, d.page, "la tabla de causas de desviación") for d in report.deviations]
    out = []
    for row, sid, page, where in rows:
        for column, conf in (row.ocr_confidence or {}).items():
            limit = LOW_KEY_CELL if column in KEY_COLUMNS else LOW_TEXT_CELL
            if conf >= limit:
                continue
            text = getattr(row, CELL_TEXT[column], None) if column in CELL_TEXT else row.extra.get(column, "")
            name = COLUMNS_ES.get(column, column)
            out.append(Finding(
                "ocr_low_confidence", Severity.WARNING, sid, page=page, reported=round(conf, 1),
                message=(f"La celda «{name}» de {_label(row)} en {where} (página {page}) se leyó por OCR con "
                         f"confianza {conf:.0f} de 100: «{squash(text or '')[:80]}». Compárela con el PDF."),
            ))
    return out


def pct_repairs(report: Report) -> list[Finding]:
    """Percentages that read only once a misread percent sign (or a letter for a digit) was undone."""
    out, top = [], report.template.arithmetic.top
    for r in report.results:
        for raw, value, what in ((r.physical_raw, r.physical_pct, "avance físico"), (r.budget_raw, r.budget_pct,
                                                                                      "avance presupuestario")):
            if value is not None and read_pct(raw, top).repaired:
                out.append(Finding(
                    "pct_repaired", Severity.WARNING, r.result_id, page=r.page_first, reported=value,
                    message=(f"El {what} de {_label(r)} (página {r.page_first}) se leyó «{squash(raw)}», que no es un "
                             f"porcentaje posible; se tomó como {value:g} % (el signo % mal leído)."),
                ))
    for n in report.nodes:
        for raw, value, what in ((n.reported_physical_raw, n.reported_physical_pct, "avance físico"),
                                 (n.reported_budget_raw, n.reported_budget_pct, "avance presupuestario")):
            if value is not None and read_pct(raw, top).repaired:
                out.append(Finding(
                    "pct_repaired", Severity.WARNING, n.node_id, page=n.page, reported=value,
                    message=(f"El {what} de «{squash(n.name)[:60]}» (página {n.page}) se leyó «{squash(raw)}», que no "
                             f"es un porcentaje posible; se tomó como {value:g} % (el signo % mal leído)."),
                ))
    return out


def _neighbours(report: Report, wanted: Callable[[Result], bool]):
    return neighbours(report.results, report.template, wanted)


def unconfirmed_repairs(report: Report) -> list[Finding]:
    """OCR'd result codes that read only once a letter was taken for a digit, where the unit's numbering does
    not bear the repaired code out (neither the result before it nor the one after it is its neighbour in
    number): the repair may have picked the wrong digit."""
    out = []
    for r, before, after in _neighbours(report, lambda r: r.ocr_confidence is not None):
        code = report.template.code.read(r.code_raw)
        if not code.repaired or code.code != r.code or report.template.code.follows(code, before, after):
            continue
        out.append(Finding(
            "code_repaired", Severity.WARNING, r.result_id, page=r.page_first,
            message=(f"El código «{squash(r.code_raw)}» de la tabla de resultados (página {r.page_first}), leído por OCR, "
                     f"se reparó como {code.code}, pero la numeración de su unidad no lo confirma "
                     f"({before.code if before else 'nada'} antes, {after.code if after else 'nada'} después)."),
        ))
    return out


def sequence_repairs(report: Report) -> list[Finding]:
    """Result codes whose last part cannot be read, that normalize filled in from the unit's numbering
    (`normalize.fill_codes`): each is said, with the codes that bracket it. The row keeps its printed code."""
    out = []
    filled = lambda r: r.code is not None and report.template.code.read(r.code_raw).code is None  # noqa: E731
    for r, before, after in list(_neighbours(report, filled)):
        code = report.template.code.between(r.code_raw, before, after)
        if code.code != r.code:
            continue  # set otherwise (a correction by hand)
        out.append(Finding(
            "code_repaired", Severity.WARNING, r.result_id, page=r.page_first,
            message=(f"El código «{squash(r.code_raw)}» de la tabla de resultados (página {r.page_first}) no se "
                     f"lee entero; por la numeración de su unidad ({before.code} antes, {after.code} después) "
                     f"se tomó como {code.code}."),
        ))
    return out
