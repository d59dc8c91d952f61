"""Findings about the corrections a person made: each applied one is on the record (the auditor sees what was
changed by hand, from what, by whom), and one that no longer finds its row is never dropped silently."""

from __future__ import annotations

from poa.corrections import NO_ROW
from poa.records import Finding, Report

REASON_ES = {NO_ROW: "ninguna fila del documento, tal como se lee ahora, tiene esa clave"}
TABLE_ES = {"results": "la tabla de resultados", "deviations": "la tabla de causas de desviación",
            "units": "la tabla de resultados (fila de sección)"}


def correction_findings(report: Report) -> list[Finding]:
    out = []
    for a in report.corrections:
        c = a.correction
        who = ", ".join(x for x in (c.author, c.date) if x)
        note = f" Nota: «{c.note}»." if c.note else ""
        if a.status == "applied":
            out.append(Finding(
                "correction_applied", "info", a.subject_id,
                message=(f"Valor corregido a mano en {TABLE_ES[c.table]}: «{c.column}» de {c.key} se leyó "
                         f"«{a.original or ''}» y se corrigió a «{c.value}»" + (f" ({who})" if who else "") + f".{note}"),
            ))
        else:
            out.append(Finding(
                "correction_stale", "warning", None,
                message=(f"La corrección de «{c.column}» de {c.key} en {TABLE_ES.get(c.table, c.table)} no se pudo "
                         f"aplicar: {REASON_ES.get(a.reason, 'la corrección no es válida (' + str(a.reason) + ')')}. "
                         "Revise el archivo de correcciones." + note),
            ))
    return out
