"""Stage 3: link deviations to results, recompute every printed figure, check every row; findings in Spanish."""

from __future__ import annotations

from poa.records import Report

from .arithmetic import average_findings, budget_findings, recompute
from .expectations import run_expectations
from .match import duplicate_numbers, link, rule_35
from .text import code_findings, text_findings

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def validate(report: Report, *, expectations: bool = True) -> Report:
    """Fill recomputed figures and deviation links, add every finding; returns the same report.

    `expectations=False` skips the great-expectations suites (and their import) for quick in-memory use.
    """
    values = recompute(report)
    for n in report.nodes:
        n.recomputed_physical_pct = values.get(n.node_id)
    findings = average_findings(report) + budget_findings(report)
    findings += link(report) + duplicate_numbers(report)
    findings += rule_35(report)
    findings += code_findings(report)
    findings += text_findings(report)
    if expectations:
        gx_findings, report.validation = run_expectations(report)
        findings += gx_findings
    report.findings += sorted(findings, key=lambda f: (f.page or 0, SEVERITY_ORDER[f.severity], f.check, f.subject_id or ""))
    return report


__all__ = ["validate"]
