"""Stage 3: link deviations to results, recompute every printed figure, check every row, and judge the read
(ok or review); findings in Spanish."""

from __future__ import annotations

from poa.core.records import Report

from .arithmetic import (
    average_findings,
    band_findings,
    budget_findings,
    cumulative_findings,
    recompute,
    recompute_budget,
    row_findings,
)
from .corrections import correction_findings
from .expectations import check_rows, run_expectations
from .match import deviation_rule, duplicate_numbers, link, repeated_units
from .ocr import ocr_findings
from .quality import assess
from .text import code_findings, text_findings

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def validate(report: Report, *, expectations: bool = False) -> Report:
    """Fill recomputed figures and deviation links, add every finding; returns the same report.

    The row checks run in plain Python; `expectations=True` also runs them as great-expectations suites
    (seconds to import) and keeps GX's own validation result in `report.validation`.
    """
    values, budgets = recompute(report), recompute_budget(report)
    cumulative = recompute(report, "cumulative_pct") if report.template.has_column("results", "cumulative") else {}
    for n in report.units:
        n.recomputed_physical_pct, n.recomputed_budget_pct = values.get(n.node_id), budgets.get(n.node_id)
        n.recomputed_cumulative_pct = cumulative.get(n.node_id)
    findings = average_findings(report) + budget_findings(report) + row_findings(report) + cumulative_findings(report)
    findings += band_findings(report)
    findings += link(report) + duplicate_numbers(report) + repeated_units(report)
    findings += deviation_rule(report)
    findings += code_findings(report)
    findings += text_findings(report)
    findings += ocr_findings(report)  # after code_findings: a code filled in from the unit's numbering is its own finding
    findings += check_rows(report)
    findings += correction_findings(report)
    if expectations:
        _, report.validation = run_expectations(report)
    findings += assess(report)
    report.findings += sorted(findings, key=lambda f: (f.page or 0, SEVERITY_ORDER[f.severity], f.check, f.subject_id or ""))
    return report


__all__ = ["validate"]
