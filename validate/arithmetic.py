"""Recompute every printed average from the rows upward, by the report's own arithmetic, over the hierarchy the
profile describes.

unit (the level results hang under, and a level within it: an area) = mean of its results' physical %
(blanks left out); a level above = mean of the unrounded figures of the nodes with figures right under it (in
the seed's family: a Dirección General of its units, a Viceministerio of its Direcciones and of units hung
directly under it); a group row = mean of the units it closes; the total = mean of the group averages. Printed
figures are rounded half-up, to whole percents in the seed's family (the profile's `arithmetic.decimals`). A
profile whose `arithmetic.average` is `weighted` weights each result by its weight column (Pond.) and each node
by the weights under it. Where the profile says so, a result's own % is its achieved / target × 100
(`row_pct`), and a row's and a level's budget % the executed / current budget of the rows under it
(`budget_ratio`, a ratio of sums). A result % outside 0–100 is no percentage: it is reported (pct_out_of_range) and
left out of the averages, like a blank. Where a printed figure does not hold, the other rules a report writer may have
used are tried so the auditor learns how the figure was probably made.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from statistics import fmean
from typing import TypeGuard

from poa.core.numbers import half_up
from poa.core.records import Finding, Leftover, Node, Report, Result, Severity


def _mean(xs: list[float]) -> float | None:
    return fmean(xs) if xs else None


def counts(pct: float | None, top: float | None = 100.0) -> TypeGuard[float]:
    """A result's % enters the averages when printed and a percentage (outside 0–100, or below 0 where the
    profile lets a % pass 100, it is pct_out_of_range)."""
    return pct is not None and 0 <= pct and (top is None or pct <= top)


@dataclass
class Tree:
    """The hierarchy as lookups: children of a node, results of a unit or area."""

    report: Report

    def __post_init__(self) -> None:
        profile = self.report.template
        self.unit = profile.unit_name  # None where results stand under no level
        self.top = profile.arithmetic.top
        inside = {lv.name for lv in profile.levels if lv.within}
        self.leaves = {self.unit} | inside  # the levels whose figure is their results' mean
        self.figures = {lv.name for lv in profile.levels if lv.figures}
        self.children: dict[str | None, list[Node]] = defaultdict(list)
        for n in self.report.nodes:
            self.children[n.parent_id].append(n)
        area_id = {(n.parent_id, n.name): n.node_id for n in self.report.nodes if n.level in inside}
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

    def rows_of(self, node: Node) -> list[Result] | None:
        """The results this node's figure is made of, where it is made of results: a unit's or an area's, and
        the total's where the results stand under no level (an ACP evaluation's list of actions); else None."""
        if node.level in self.leaves:
            return self.results_of[node.node_id]
        if node.level == "total" and not self.parts(node):
            return [r for r in self.results_of[None] if r.part == node.part]
        if node.is_group and not self.units_under(node):  # a subtotal of results under no level
            return [r for r in self.results_of[None] if r.part == node.part and r.group == node.name]
        return None

    def operands(self, node: Node) -> list[Node] | list[Result]:
        """What `recompute` averages for this node: a unit's or area's results (those that `counts` keeps),
        any other node's parts. For showing the working; `recompute` is the rule."""
        rows = self.rows_of(node)
        return rows if rows is not None else self.parts(node)

    def results_under(self, node: Node) -> list[Result]:
        rows = self.rows_of(node)
        if rows is not None:
            return rows
        if units := self.units_under(node):
            return [r for u in units for r in self.results_of[u.node_id]]
        return [r for p in self.parts(node) for r in self.results_under(p)]  # a total of subtotals of results


def recompute(report: Report, figure: str = "physical_pct") -> dict[str, float | None]:
    """node_id → recomputed physical % (or the results' `figure`: the cumulative %), unrounded (None where
    there is nothing to average)."""
    tree = Tree(report)
    weighted = report.template.arithmetic.average == "weighted"
    value: dict[str, tuple[float | None, float]] = {}  # node_id → (figure, the weight it carries up)

    def of(node: Node) -> tuple[float | None, float]:
        if node.node_id not in value:
            if (leaf := tree.rows_of(node)) is not None:
                rows = [(x, r.weight) for r in leaf if counts(x := getattr(r, figure), tree.top)]
                if weighted:
                    pairs = [(x, w) for x, w in rows if w is not None]
                else:
                    pairs = [(x, 1.0) for x, _ in rows]
            else:
                pairs = [(x, w) for x, w in map(of, tree.parts(node)) if x is not None]
            value[node.node_id] = _weighted(pairs) if weighted else (_mean([x for x, _ in pairs]), float(len(pairs)))
        return value[node.node_id]

    for n in report.nodes:
        of(n)
    return {k: v for k, (v, _) in value.items()}


def _weighted(pairs: list[tuple[float, float]]) -> tuple[float | None, float]:
    total = sum(w for _, w in pairs)
    return (sum(x * w for x, w in pairs) / total if total > 0 else None), total


def ratio(executed: float | None, current: float | None) -> float | None:
    """executed / current × 100: a budget %, or a result's achieved / target (None where the base is 0 or absent)."""
    return executed / current * 100 if executed is not None and current else None


def recompute_budget(report: Report) -> dict[str, float | None]:
    """node_id → budget % as the ratio of the sums of executed and current budget of the results under it, where
    the profile's `budget_ratio` says the report makes it so (else empty)."""
    if not report.template.arithmetic.budget_ratio:
        return {}
    tree = Tree(report)
    out = {}
    for n in report.nodes:
        budgets = [(r.budget_executed, r.budget_current) for r in tree.results_under(n)
                   if r.budget_current is not None and r.budget_executed is not None]
        out[n.node_id] = ratio(sum(e for e, _ in budgets), sum(c for _, c in budgets)) if budgets else None
    return out


def called(node: Node, report: Report) -> str:
    """How a Spanish sentence names a row of this kind: "la unidad", "el Viceministerio" (the profile's words)."""
    return report.template.called(node.level)


def alternatives(node: Node, tree: Tree) -> list[tuple[str, float]]:
    """Other ways the printed figure could have been made: (description in Spanish, unrounded value)."""
    out: list[tuple[str, float]] = []
    if (rows := tree.rows_of(node)) is not None:
        if any(r.physical_pct is None for r in rows):
            blanks_zero = [0.0 if r.physical_pct is None else r.physical_pct
                           for r in rows if r.physical_pct is None or counts(r.physical_pct, tree.top)]
            out.append(("contando como 0 % los resultados sin avance impreso", fmean(blanks_zero)))
        if any(r.physical_pct is not None and not counts(r.physical_pct, tree.top) for r in rows):
            out.append(("incluyendo los avances fuera del rango 0–100 %",
                        fmean([r.physical_pct for r in rows if r.physical_pct is not None])))
        return out + other_average(node, tree)
    parts = tree.parts(node)
    printed = [p.reported_physical_pct for p in parts if p.reported_physical_pct is not None]
    if parts and len(printed) == len(parts):
        out.append(("promediando las cifras impresas de sus componentes en lugar de las recalculadas", fmean(printed)))
    computed = [p.recomputed_physical_pct for p in parts if p.recomputed_physical_pct is not None]
    if parts and len(computed) == len(parts):
        d = tree.report.template.arithmetic.decimals
        out.append(("promediando las cifras ya redondeadas de sus componentes", fmean([half_up(x, d) for x in computed])))
    pooled = [pct for r in tree.results_under(node) if counts(pct := r.physical_pct, tree.top)]
    if pooled and node.level != tree.unit and tree.report.template.arithmetic.average == "mean":
        out.append(("ponderando por el número de resultados (promedio directo de todos sus resultados)", fmean(pooled)))
    return out + other_average(node, tree)


def other_average(node: Node, tree: Tree) -> list[tuple[str, float]]:
    """The average the profile does not use, over the same results: the plain mean where it weights them, the
    mean weighted by their weight column where it does not (and the rows print one)."""
    rows = [(pct, r.weight) for r in tree.results_under(node) if counts(pct := r.physical_pct, tree.top)]
    if tree.report.template.arithmetic.average == "weighted":
        return [("con el promedio simple de sus resultados, sin ponderar", fmean([pct for pct, _ in rows]))] if rows else []
    pairs = [(pct, weight) for pct, weight in rows if weight is not None]
    if pairs and len(pairs) == len(rows) and (w := _weighted(pairs))[0] is not None:
        return [("ponderando sus resultados por su peso (Pond.)", w[0])]
    return []


def explaining(node: Node, tree: Tree) -> list[tuple[str, float]]:
    """The alternative rules whose value rounds to the printed figure where the report's own rule does not
    (empty where the figure holds, is missing, or no rule gives it)."""
    printed, recomputed = node.reported_physical_pct, node.recomputed_physical_pct
    d = tree.report.template.arithmetic.decimals
    if printed is None or recomputed is None or half_up(recomputed, d) == printed:
        return []
    return [(desc, v) for desc, v in alternatives(node, tree) if half_up(v, d) == printed]


def _label(n: Node) -> str:
    return f"{n.number} {n.name}" if n.number else n.name


def printed_as(x: float, d: int) -> str:
    """A printed figure as the report's decimals show it (58.40, not 58.4; 55, not 55.00)."""
    return f"{x:.{d}f}" if d else f"{x:g}"


def rounding(recomputed: float, d: int) -> str:
    """"49.65 %, que redondeado es 50 %": a recomputed figure, and what the report's rounding makes of it."""
    to = f" a {d} decimales" if d else ""
    return f"{recomputed:.{d + 2}f} %, que redondeado{to} es {printed_as(half_up(recomputed, d), d)} %"


def average_findings(report: Report) -> list[Finding]:
    """average_mismatch for every printed figure that the recomputed one does not round to."""
    tree = Tree(report)
    d = report.template.arithmetic.decimals
    findings = []
    for n in report.nodes:
        printed, recomputed = n.reported_physical_pct, n.recomputed_physical_pct
        if printed is None or recomputed is None or half_up(recomputed, d) == printed:
            continue
        explained = [desc for desc, v in alternatives(n, tree) if half_up(v, d) == printed]
        msg = (f"El avance físico impreso para {called(n, report)} «{_label(n)}» (página {n.page}) "
               f"es {printed_as(printed, d)} %, pero el recalculado a partir de sus filas es {rounding(recomputed, d)}.")
        if explained:
            msg += " La cifra impresa se obtiene " + "; o ".join(explained) + "."
        else:
            msg += " Ninguna regla de cálculo alternativa explica la cifra impresa."
        findings.append(Finding(
            "average_mismatch", Severity.WARNING if explained else Severity.ERROR, n.node_id, page=n.page,
            reported=printed, recomputed=round(recomputed, 4), message=msg,
        ))
    return findings


def node_mismatches(report: Report, check: str, figure: str, what: str, how: str) -> list[Finding]:
    """`check` for every row whose printed `figure` % (its `reported_<figure>_pct`) the recomputed one (its
    `recomputed_<figure>_pct`) does not round to; `what` names the figure and `how` the recomputation, in Spanish."""
    d = report.template.arithmetic.decimals
    out = []
    for n in report.nodes:
        printed, recomputed = getattr(n, f"reported_{figure}_pct"), getattr(n, f"recomputed_{figure}_pct")
        if printed is None or recomputed is None or half_up(recomputed, d) == printed:
            continue
        out.append(Finding(
            check, Severity.ERROR, n.node_id, page=n.page, reported=printed, recomputed=round(recomputed, 4),
            message=(f"El {what} impreso para {called(n, report)} «{_label(n)}» (página {n.page}) es "
                     f"{printed_as(printed, d)} %, pero {how} es {rounding(recomputed, d)}.")))
    return out


def cumulative_findings(report: Report) -> list[Finding]:
    """cumulative_mismatch for every printed cumulative % (beside a level's period %) that the same rule over
    its results' cumulative % does not round to."""
    return node_mismatches(report, "cumulative_mismatch", "cumulative", "avance acumulado",
                           "el recalculado a partir de sus filas")


def band_line(report: Report) -> tuple[Leftover, re.Match] | None:
    """The line that states the band the total falls in, where the profile reads one, and its match."""
    profile = report.template
    return next(((lo, m) for lo in report.leftovers if (m := profile.band_of(lo.text)) is not None), None)


def band_findings(report: Report, found: tuple[Leftover, re.Match] | None) -> list[Finding]:
    """Where the profile reads a band line (`found`, the report's `band_line`: "CUMPLIMIENTO : 58.43% -> REGULAR
    (51% - 75%)", kept in `documents.band`), band_mismatch says where its figure is not the total's (recomputed,
    rounded) or lies outside the band it names."""
    d = report.template.arithmetic.decimals
    total = next((n for n in report.nodes if n.level == "total"), None)
    if found is None:
        return []
    line, m = found
    value, low, high = (float(m.group(g).replace(",", ".")) for g in ("value", "low", "high"))
    name = m.group("name").strip().upper()
    out = []
    recomputed = total.recomputed_physical_pct if total is not None else None
    if total is not None and recomputed is not None and half_up(recomputed, d) != value:
        out.append(Finding(
            "band_mismatch", Severity.ERROR, total.node_id, page=line.page, reported=value, recomputed=round(recomputed, 4),
            message=(f"La banda de la página {line.page} («{line.text}») califica un cumplimiento de "
                     f"{printed_as(value, d)} %, pero el total recalculado a partir de sus filas es "
                     f"{rounding(recomputed, d)}.")))
    if not low <= value <= high:
        out.append(Finding(
            "band_mismatch", Severity.ERROR, total.node_id if total is not None else None, page=line.page, reported=value,
            message=(f"La banda de la página {line.page} («{line.text}») llama {name} a un cumplimiento de "
                     f"{value:g} %, fuera del rango que ella misma da ({low:g} % – {high:g} %).")))
    return out


def row_findings(report: Report) -> list[Finding]:
    """Where the profile makes a result's % of its own figures: row_pct_mismatch for a printed physical % that
    achieved / target × 100 does not round to, and budget_pct_mismatch for a printed budget % that executed /
    current budget does not (rows missing either figure are left alone)."""
    a = report.template.arithmetic
    out = []
    for r in report.results:
        checks = []
        if a.row_pct:
            checks.append(("row_pct_mismatch", "avance físico", r.physical_pct, ratio(r.achieved, r.target),
                           f"la meta ejecutada ({r.achieved_raw}) entre la programada ({r.target_raw})"))
        if a.budget_ratio:
            checks.append(("budget_pct_mismatch", "avance presupuestario", r.budget_pct,
                           ratio(r.budget_executed, r.budget_current),
                           f"el presupuesto ejecutado ({r.budget_executed_raw}) entre el vigente ({r.budget_current_raw})"))
        for check, what, printed, recomputed, how in checks:
            if printed is None or recomputed is None or half_up(recomputed, a.decimals) == printed:
                continue
            out.append(Finding(
                check, Severity.ERROR, r.result_id, page=r.page_first, reported=printed, recomputed=round(recomputed, 4),
                message=(f"El {what} impreso del resultado «{r.code_raw}» (página {r.page_first}) es "
                         f"{printed_as(printed, a.decimals)} %, pero {how} × 100 es {rounding(recomputed, a.decimals)}.")))
    return out


def budget_findings(report: Report) -> list[Finding]:
    """Where the rows carry their budgets (`budget_ratio`), budget_mismatch for every printed budget % that the
    ratio of the sums under it does not round to; elsewhere the budget % appears on group rows only and no row
    carries what it averages: budget_not_recomputable."""
    if report.template.arithmetic.budget_ratio:
        return node_mismatches(report, "budget_mismatch", "budget", "avance presupuestario",
                               "el presupuesto ejecutado entre el vigente de sus filas, sumados,")
    return [
        Finding("budget_not_recomputable", Severity.INFO, n.node_id, page=n.page, reported=n.reported_budget_pct,
                message=(f"El avance presupuestario impreso para {called(n, report)} «{_label(n)}» "
                         f"({n.reported_budget_pct:g} %, página {n.page}) no se puede verificar: el reporte no "
                         f"incluye la ejecución presupuestaria de sus resultados."))
        for n in report.nodes if n.reported_budget_pct is not None
    ]
