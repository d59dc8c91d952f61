"""Stage 3: link deviations to results, recompute every printed figure, check every row, and judge the read
(ok or review); findings in Spanish."""

from __future__ import annotations

from dataclasses import replace

from poa.core.records import Report, Severity

from .arithmetic import (
    average_findings,
    band_findings,
    band_line,
    budget_findings,
    cumulative_findings,
    recompute,
    recompute_budget,
    row_findings,
)
from .corrections import correction_findings
from .expectations import check_rows, run_expectations
from .match import deviation_rule, duplicate_numbers, link, repeated_units
from .ocr import ocr_findings, unconfirmed_repairs, unsure_key_cells
from .quality import assess
from .text import code_findings, text_findings

SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}  # heaviest first


def validate(report: Report, *, expectations: bool = False) -> Report:
    """The report checked: a new Report whose section rows carry their recomputed figures, whose deviation rows
    are linked to the results they explain, whose document has its status (ok or review) and measures, with
    every finding added. The report given is left as it was.

    The row checks run in plain Python; `expectations=True` also runs them as great-expectations suites
    (seconds to import) and keeps GX's own validation result in `validation`.
    """
    values, budgets = recompute(report), recompute_budget(report)
    cumulative = recompute(report, "cumulative_pct") if report.template.has_column("results", "cumulative") else {}
    units = [replace(n, recomputed_physical_pct=values.get(n.node_id), recomputed_budget_pct=budgets.get(n.node_id),
                     recomputed_cumulative_pct=cumulative.get(n.node_id)) for n in report.nodes]
    report = replace(report, nodes=units)
    deviations, linked = link(report)
    band = band_line(report)
    unconfirmed = unconfirmed_repairs(report)  # OCR'd codes repaired that the numbering does not bear out: counted, said
    quality = replace(report.document.quality, ocr_unsure_cells=unsure_key_cells(report),
                      ocr_codes_unconfirmed=len(unconfirmed))
    document = replace(report.document, band=band[0].text if band else report.document.band, quality=quality)
    report = replace(report, deviations=deviations, document=document)
    findings = average_findings(report) + budget_findings(report) + row_findings(report) + cumulative_findings(report)
    findings += band_findings(report, band)
    findings += linked + duplicate_numbers(report) + repeated_units(report)
    findings += deviation_rule(report)
    findings += code_findings(report)
    findings += text_findings(report)
    findings += ocr_findings(report, unconfirmed)  # after code_findings: a code filled from the unit's numbering is its own
    findings += check_rows(report)
    findings += correction_findings(report)
    validation = run_expectations(report)[1] if expectations else report.validation
    document, doubts = assess(report)
    findings += doubts
    ordered = sorted(findings, key=lambda f: (f.page or 0, SEVERITY_ORDER[f.severity], f.check, f.subject_id or ""))
    return replace(report, document=document, findings=[*report.findings, *ordered], validation=validation)


__all__ = ["validate"]
