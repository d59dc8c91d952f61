"""Recompute every printed average from the rows upward, by the report's own arithmetic, over the hierarchy the
profile describes.

unit (the level results hang under, and a level within it: an area) = mean of its results' physical %
(blanks left out); a level above = mean of the unrounded figures of the nodes with figures right under it (in
the seed's family: a Dirección General of its units, a Viceministerio of its Direcciones and of units hung
directly under it); a group row = mean of the units it closes; the total = mean of the group averages. Printed figures are whole
percents rounded half-up. A result % outside 0–100 is no percentage: it is reported (pct_out_of_range) and
left out of the averages, like a blank. Where a printed figure does not hold, the other rules a report writer may have
used are tried so the auditor learns how the figure was probably made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean

from poa.normalize.numbers import half_up

from poa.records import Finding, Node, Report, Result


def _mean(xs: list[float]) -> float | None:
    return fmean(xs) if xs else None


def counts(pct: float | None) -> bool:
    """A result's % enters the averages when printed and a percentage (outside 0–100 it is pct_out_of_range)."""
    return pct is not None and 0 <= pct <= 100


@dataclass
class Tree:
    """The hierarchy as lookups: children of a node, results of a unit or area."""

    report: Report

    def __post_init__(self) -> None:
        profile = self.report.template
        self.unit = profile.unit_level.name
        inside = {lv.name for lv in profile.levels if lv.within}
        self.leaves = {self.unit} | inside  # the levels whose figure is their results' mean
        self.figures = {lv.name for lv in profile.levels if lv.figures}
        self.children: dict[str | None, list[Node]] = defaultdict(list)
        for n in self.report.units:
            self.children[n.parent_id].append(n)
        area_id = {(n.parent_id, n.name): n.node_id for n in self.report.units if n.level in inside}
        self.results_of: dict[str | None, list[Result]] = defaultdict(list)
        for r in self.report.results:
            self.results_of[r.unit_id].append(r)
            if r.area is not None:
                self.results_of[area_id.get((r.unit_id, r.area))].append(r)

    def parts(self, node: Node) -> list[Node]:
        """The nodes whose figures make this node's figure."""
        kids = self.children[node.node_id]
        if node.level in self.figures and node.level not in self.leaves:
            return [c for c in kids if c.level in self.figures]
        if node.is_group:
            return self.units_under(node)
        if node.level == "total":  # its groups' averages; in a report with no group rows, its outermost nodes'
            return [c for c in kids if c.is_group] or [c for c in kids if c.level in self.figures]
        return []

    def units_under(self, node: Node) -> list[Node]:
        out = []
        for c in self.children[node.node_id]:
            out += [c] if c.level == self.unit else self.units_under(c)
        return out

    def operands(self, node: Node) -> list[Node] | list[Result]:
        """What `recompute` averages for this node: a unit's or area's results (those that `counts` keeps),
        any other node's parts. For showing the working; `recompute` is the rule."""
        if node.level in self.leaves:
            return self.results_of[node.node_id]
        return self.parts(node)

    def results_under(self, node: Node) -> list[Result]:
        if node.level in self.leaves:
            return self.results_of[node.node_id]
        return [r for u in self.units_under(node) for r in self.results_of[u.node_id]]


def recompute(report: Report) -> dict[str, float | None]:
    """node_id → recomputed physical %, unrounded (None where there is nothing to average)."""
    tree = Tree(report)
    value: dict[str, float | None] = {}

    def of(node: Node) -> float | None:
        if node.node_id not in value:
            if node.level in tree.leaves:
                v = _mean([r.physical_pct for r in tree.results_of[node.node_id] if counts(r.physical_pct)])
            else:
                v = _mean([x for p in tree.parts(node) if (x := of(p)) is not None])
            value[node.node_id] = v
        return value[node.node_id]

    for n in report.units:
        of(n)
    return value


def called(node: Node, report: Report) -> str:
    """How a Spanish sentence names a row of this kind: "la unidad", "el Viceministerio" (the profile's words)."""
    return report.template.called(node.level)


def alternatives(node: Node, tree: Tree) -> list[tuple[str, float]]:
    """Other ways the printed figure could have been made: (description in Spanish, unrounded value)."""
    out: list[tuple[str, float]] = []
    if node.level == tree.unit:
        rows = tree.results_of[node.node_id]
        if any(r.physical_pct is None for r in rows):
            blanks_zero = [0.0 if r.physical_pct is None else r.physical_pct
                           for r in rows if r.physical_pct is None or counts(r.physical_pct)]
            out.append(("contando como 0 % los resultados sin avance impreso", fmean(blanks_zero)))
        if any(r.physical_pct is not None and not counts(r.physical_pct) for r in rows):
            out.append(("incluyendo los avances fuera del rango 0–100 %",
                        fmean([r.physical_pct for r in rows if r.physical_pct is not None])))
        return out
    parts = tree.parts(node)
    if parts and all(p.reported_physical_pct is not None for p in parts):
        out.append(("promediando las cifras impresas de sus componentes en lugar de las recalculadas",
                    fmean([p.reported_physical_pct for p in parts])))
    computed = [p.recomputed_physical_pct for p in parts]
    if parts and all(x is not None for x in computed):
        out.append(("promediando las cifras ya redondeadas de sus componentes", fmean([half_up(x) for x in computed])))
    pooled = [r.physical_pct for r in tree.results_under(node) if counts(r.physical_pct)]
    if pooled and node.level != tree.unit:
        out.append(("ponderando por el número de resultados (promedio directo de todos sus resultados)", fmean(pooled)))
    return out


def explaining(node: Node, tree: Tree) -> list[tuple[str, float]]:
    """The alternative rules whose value rounds to the printed figure where the report's own rule does not
    (empty where the figure holds, is missing, or no rule gives it)."""
    printed, recomputed = node.reported_physical_pct, node.recomputed_physical_pct
    if printed is None or recomputed is None or half_up(recomputed) == printed:
        return []
    return [(desc, v) for desc, v in alternatives(node, tree) if half_up(v) == printed]


def _label(n: Node) -> str:
    return f"{n.number} {n.name}" if n.number else n.name


def average_findings(report: Report) -> list[Finding]:
    """average_mismatch for every printed figure that the recomputed one does not round to."""
    tree = Tree(report)
    findings = []
    for n in report.units:
        printed, recomputed = n.reported_physical_pct, n.recomputed_physical_pct
        if printed is None or recomputed is None or half_up(recomputed) == printed:
            continue
        explained = [desc for desc, v in alternatives(n, tree) if half_up(v) == printed]
        msg = (f"El avance físico impreso para {called(n, report)} «{_label(n)}» (página {n.page}) "
               f"es {printed:g} %, pero el recalculado a partir de sus filas es {recomputed:.2f} %, que "
               f"redondeado es {half_up(recomputed)} %.")
        if explained:
            msg += " La cifra impresa se obtiene " + "; o ".join(explained) + "."
        else:
            msg += " Ninguna regla de cálculo alternativa explica la cifra impresa."
        findings.append(Finding(
            "average_mismatch", "warning" if explained else "error", n.node_id, page=n.page,
            reported=printed, recomputed=round(recomputed, 4), message=msg,
        ))
    return findings


def budget_findings(report: Report) -> list[Finding]:
    """Budget % appears on group rows only and no row of the report carries what it averages."""
    return [
        Finding("budget_not_recomputable", "info", n.node_id, page=n.page, reported=n.reported_budget_pct,
                message=(f"El avance presupuestario impreso para {called(n, report)} «{_label(n)}» "
                         f"({n.reported_budget_pct:g} %, página {n.page}) no se puede verificar: el reporte no "
                         f"incluye la ejecución presupuestaria de sus resultados."))
        for n in report.units if n.reported_budget_pct is not None
    ]
