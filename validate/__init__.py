"""Stage 3: recompute every printed figure and record what does not hold as findings."""

from __future__ import annotations

from poa.records import Report

from .arithmetic import average_findings, recompute


def validate(report: Report) -> Report:
    """Fill `recomputed_physical_pct` on every node and add the findings; returns the same report."""
    values = recompute(report)
    for n in report.nodes:
        n.recomputed_physical_pct = values.get(n.node_id)
    report.findings += average_findings(report)
    return report


__all__ = ["validate"]
