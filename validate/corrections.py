"""Findings about the corrections a person made: each applied one is on the record (the auditor sees what was
changed by hand, from what, to what, by whom, when and why), and one that no longer finds its row is never
dropped silently."""

from __future__ import annotations

from poa.core.corrections import COLUMN_ES, NO_ROW, SHARED_KEY, Applied
from poa.core.records import Finding, Report, Severity
from poa.core.vocab import date_es

REASON_ES = {NO_ROW: "ninguna fila del documento, tal como se lee ahora, tiene esa clave",
             SHARED_KEY: "dos filas del documento tienen esa clave y no se puede saber a cuál se refiere"}
TABLE_ES = {"results": "la tabla de resultados", "deviations": "la tabla de causas de desviación",
            "units": "la tabla de resultados (fila de sección)"}


def _row(report: Report, a: Applied) -> str:
    """The row a correction changed, as an auditor finds it on the page: a result or deviation by its code as
    printed, a section row by its name."""
    table = a.correction.table
    if table == "units":
        node = next((n for n in report.nodes if n.node_id == a.subject_id), None)
        return f"de la fila «{node.name}»" if node else f"de la fila {a.correction.key}"
    rows, id_ = (report.results, "result_id") if table == "results" else (report.deviations, "deviation_id")
    row = next((r for r in rows if getattr(r, id_) == a.subject_id), None)
    what = "del resultado" if table == "results" else "de la fila de desviación"
    return f"{what} {(row.code_raw or row.code or a.correction.key) if row else a.correction.key}"


def _quoted(value: str | None) -> str:
    return f"«{value}»" if value not in (None, "") else "en blanco"


def correction_findings(report: Report) -> list[Finding]:
    out = []
    for a in report.corrections:
        c = a.correction
        column = COLUMN_ES.get(c.column, c.column)
        who = " ".join(x for x in ((f"por {c.author}" if c.author else ""), (f"el {date_es(c.date)}" if c.date else "")) if x)
        note = f" Nota: «{c.note}»." if c.note else ""
        if a.status == "applied":
            out.append(Finding(
                "correction_applied", Severity.INFO, a.subject_id,
                message=(f"Corregido a mano en {TABLE_ES[c.table]}: {column} {_row(report, a)}. En el PDF se leyó "
                         f"{_quoted(a.original)}; se fijó {_quoted(c.value)}" + (f" ({who})" if who else "")
                         + f".{note}"),
            ))
        else:
            out.append(Finding(
                "correction_stale", Severity.WARNING, None,
                message=(f"La corrección de {column} de {c.key} en {TABLE_ES.get(c.table, c.table)} no se pudo "
                         f"aplicar: {REASON_ES.get(a.reason, 'la corrección no es válida (' + str(a.reason) + ')')}. "
                         "Revise el archivo de correcciones." + note),
            ))
    return out
