"""Recompute every printed average from the rows upward, by the report's own arithmetic.

unit = mean of its results' physical % (blanks left out); Dirección General = mean of its units' unrounded
means; Viceministerio = mean of its Direcciones (or units hung directly under it); a group row = mean of the
units it closes; the central-level total = mean of the group averages. Printed figures are whole percents
rounded half-up.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

from normalize.numbers import half_up
from poa.records import Finding, Node, Report


def _mean(xs: list[float]) -> float | None:
    return fmean(xs) if xs else None


def recompute(report: Report) -> dict[str, float | None]:
    """node_id → recomputed physical %, unrounded (None where there is nothing to average)."""
    children: dict[str | None, list[Node]] = defaultdict(list)
    for n in report.nodes:
        children[n.parent_id].append(n)
    by_unit: dict[str | None, list[float]] = defaultdict(list)
    by_area: dict[str | None, list[float]] = defaultdict(list)
    area_of = {}
    for n in report.nodes:
        if n.level == "area":
            area_of[(n.parent_id, n.name)] = n.node_id
    for r in report.results:
        if r.physical_pct is not None:
            by_unit[r.unit_id].append(r.physical_pct)
            if r.area is not None:
                by_area[area_of.get((r.unit_id, r.area))].append(r.physical_pct)

    value: dict[str, float | None] = {}

    def units_under(node: Node) -> list[Node]:
        out = []
        for c in children[node.node_id]:
            out += [c] if c.level == "unit" else units_under(c)
        return out

    def of(node: Node) -> float | None:
        if node.node_id in value:
            return value[node.node_id]
        if node.level == "unit":
            v = _mean(by_unit[node.node_id])
        elif node.level == "area":
            v = _mean(by_area[node.node_id])
        elif node.level in ("direction", "viceministry"):
            v = _mean([x for c in children[node.node_id] if c.level in ("unit", "direction")
                       if (x := of(c)) is not None])
        elif node.is_group:
            v = _mean([x for u in units_under(node) if (x := of(u)) is not None])
        elif node.level == "total":
            v = _mean([x for c in children[node.node_id] if c.is_group if (x := of(c)) is not None])
        else:
            v = None
        value[node.node_id] = v
        return v

    for n in report.nodes:
        of(n)
    return value


LEVEL_ES = {
    "unit": "la unidad", "direction": "la Dirección General", "viceministry": "el Viceministerio",
    "section": "el grupo", "total": "el nivel operativo central",
}


def average_findings(report: Report) -> list[Finding]:
    findings = []
    for n in report.nodes:
        if n.reported_physical_pct is None or n.recomputed_physical_pct is None:
            continue
        printed, recomputed = n.reported_physical_pct, n.recomputed_physical_pct
        if half_up(recomputed) != printed:
            label = f"{n.number} {n.name}" if n.number else n.name
            findings.append(Finding(
                check="average_mismatch", severity="error", subject_id=n.node_id, page=n.page,
                reported=printed, recomputed=round(recomputed, 4),
                message=(f"El promedio impreso para {LEVEL_ES.get(n.level, 'la fila')} «{label}» es "
                         f"{printed:g} %, pero el recalculado a partir de sus filas es {recomputed:.2f} % "
                         f"(redondeado: {half_up(recomputed)} %). Página {n.page}."),
            ))
    return findings
