"""Row checks declared as great-expectations expectations, evaluated two ways.

`CHECKS` is the one declaration. Every document is checked against it by `check_rows`, a plain evaluation
of those five kinds of expectation over the rows (no DataFrame, no import: a few milliseconds, so a batch of
thousands of pages does not pay great-expectations' seconds per document). Asked for (`poa run --gx`,
`validate(…, expectations=True)`), great-expectations itself runs the same suites — offline, in an ephemeral
context with analytics and progress bars off — and its validation result is kept as JSON beside the Parquet;
the tests hold both evaluations to the same findings. Each unexpected row becomes one finding.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from poa.core.keys import ID_COLUMN
from poa.core.records import Finding, Report, Severity


@dataclass(frozen=True)
class Check:
    check: str
    severity: Severity
    table: str
    expectation: str
    kwargs: tuple
    message: str  # Spanish; formatted with code, page, value, form (what a code looks like: the profile's)


CHECKS = (
    Check("pct_out_of_range", Severity.ERROR, "results", "ExpectColumnValuesToBeBetween",
          (("column", "physical_pct"), ("min_value", 0), ("max_value", 100)),
          "El avance físico del resultado {code} (página {page}) es {value:g} %, fuera del rango de 0 a 100 %."),
    Check("pct_missing", Severity.WARNING, "results", "ExpectColumnValuesToNotBeNull", (("column", "physical_stated"),),
          "El resultado {code} (página {page}) no tiene avance físico impreso; queda fuera del promedio de su unidad."),
    Check("code_invalid", Severity.ERROR, "results", "ExpectColumnValuesToNotBeNull", (("column", "code"),),
          "El código «{code}» de la tabla de resultados (página {page}) no se puede leer como {form}."),
    Check("text_empty", Severity.ERROR, "results", "ExpectColumnValueLengthsToBeBetween",
          (("column", "expected"), ("min_value", 1)),
          "El resultado {code} (página {page}) no tiene texto de resultado esperado."),
    Check("duplicate_code", Severity.ERROR, "results", "ExpectCompoundColumnsToBeUnique",
          (("column_list", ["unit_id", "part", "code"]),),
          "El código {code} aparece más de una vez en la misma unidad de la tabla de resultados (página {page})."),
    Check("code_invalid", Severity.ERROR, "deviations", "ExpectColumnValuesToNotBeNull", (("column", "code"),),
          "El código «{code}» de la tabla de causas de desviación (página {page}) no se puede leer como "
          "{form}."),
    Check("text_empty", Severity.WARNING, "deviations", "ExpectColumnValueLengthsToBeBetween",
          (("column", "cause"), ("min_value", 1)),
          "La fila de desviación {code} (página {page}) no indica la causa de la desviación."),
    Check("text_empty", Severity.WARNING, "deviations", "ExpectColumnValueLengthsToBeBetween",
          (("column", "corrective_measure"), ("min_value", 1)),
          "La fila de desviación {code} (página {page}) no indica la medida correctiva."),
    Check("duplicate_code", Severity.ERROR, "deviations", "ExpectCompoundColumnsToBeUnique",
          (("column_list", ["unit_name", "code"]),),
          "El código {code} aparece más de una vez en la misma unidad de la tabla de causas de desviación "
          "(página {page})."),
)


@lru_cache(maxsize=1)
def gx_context():
    """great-expectations, imported once per process, offline and quiet."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

    import great_expectations as gx
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(  # in memory only: no project folder, no temporary docs site
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False), analytics_enabled=False,
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return gx, context


def _frames(report: Report):
    import pandas as pd

    rows = _rows(report)["results"]
    results = pd.DataFrame(rows, columns=list(rows[0]) if rows else [
        "result_id", "unit_id", "part", "code", "code_raw", "expected", "physical_pct", "physical_stated", "page"])
    deviations = pd.DataFrame([
        dict(deviation_id=d.deviation_id, unit_name=d.unit_name, code=d.code, code_raw=d.code_raw,
             cause=d.cause, corrective_measure=d.corrective_measure, page=d.page) for d in report.deviations
    ], columns=["deviation_id", "unit_name", "code", "code_raw", "cause", "corrective_measure", "page"])
    return {"results": results, "deviations": deviations}


def _rows(report: Report) -> dict[str, list[dict]]:
    """The columns the checks read, per table, as the DataFrames give them to great-expectations."""
    blank = report.template.arithmetic.is_blank
    frames: dict[str, list[dict]] = {
        "results": [dict(result_id=r.result_id, unit_id=r.unit_id, part=r.part or None, code=r.code, code_raw=r.code_raw,
                         expected=r.expected, physical_pct=r.physical_pct,
                         # a % printed, or a mark the report gives for none ("NP": not programmed): stated either way
                         physical_stated=r.physical_pct if r.physical_pct is not None or not blank(r.physical_raw)
                         else r.physical_raw.strip(), page=r.page_first) for r in report.results],
        "deviations": [dict(deviation_id=d.deviation_id, unit_name=d.unit_name, code=d.code, code_raw=d.code_raw,
                            cause=d.cause, corrective_measure=d.corrective_measure, page=d.page)
                       for d in report.deviations],
    }
    return frames


def _unexpected(c: Check, rows: list[dict]) -> list[dict]:
    """The rows an expectation finds unexpected, with great-expectations' semantics: missing values pass every
    column check but the not-null one; in a compound uniqueness check, rows with every value missing are
    left out and every row of a repeated combination is unexpected."""
    kw = dict(c.kwargs)
    if c.expectation == "ExpectColumnValuesToNotBeNull":
        return [r for r in rows if r[kw["column"]] is None]
    if c.expectation == "ExpectColumnValuesToBeBetween":
        col = kw["column"]
        top = kw.get("max_value")
        return [r for r in rows if r[col] is not None and not (kw["min_value"] <= r[col] and (top is None or r[col] <= top))]
    if c.expectation == "ExpectColumnValueLengthsToBeBetween":
        col = kw["column"]
        return [r for r in rows if r[col] is not None and len(r[col]) < kw["min_value"]]
    if c.expectation == "ExpectCompoundColumnsToBeUnique":
        key = lambda r: tuple(r[col] for col in kw["column_list"])  # noqa: E731
        counts = Counter(key(r) for r in rows if any(v is not None for v in key(r)))
        return [r for r in rows if counts.get(key(r), 0) > 1]
    raise ValueError(f"no plain evaluation for {c.expectation}")


def _finding(c: Check, table: str, row: dict, form: str) -> Finding:
    value = row.get("physical_pct") if table == "results" else None
    return Finding(c.check, c.severity, row[ID_COLUMN[table]], page=int(row["page"]),
                   reported=float(value) if value is not None else None,
                   message=c.message.format(code=row["code_raw"] or "(vacío)", page=int(row["page"]),
                                            value=value if value is not None else 0, form=form))


def checks(report: Report) -> tuple[Check, ...]:
    """The checks for the report's family: a % may pass 100 where its profile says so (`arithmetic.over_100`)."""
    if report.template.arithmetic.top is not None:
        return CHECKS
    return tuple(replace(c, kwargs=(("column", "physical_pct"), ("min_value", 0), ("max_value", None)),
                         message="El avance físico del resultado {code} (página {page}) es {value:g} %, negativo.")
                 if c.check == "pct_out_of_range" else c for c in CHECKS)


def check_rows(report: Report) -> list[Finding]:
    """Every check of `checks` over the report's rows: one finding per unexpected row."""
    findings = []
    form = report.template.code.example()
    for table, rows in _rows(report).items():
        for c in (c for c in checks(report) if c.table == table):
            findings += [_finding(c, table, row, form) for row in _unexpected(c, rows)]
    return _dedupe(findings)


def run_expectations(report: Report) -> tuple[list[Finding], dict]:
    """Run every suite; return the findings and GX's validation results (JSON-ready, no clock values)."""
    gx, context = gx_context()
    frames = _frames(report)
    rows_of = _rows(report)
    findings: list[Finding] = []
    account: dict = {}
    for table, df in frames.items():
        of_table = [c for c in checks(report) if c.table == table]
        suite = gx.ExpectationSuite(name=f"poa_{table}")
        for i, c in enumerate(of_table):
            cls = getattr(gx.expectations, c.expectation)
            suite.add_expectation(cls(**dict(c.kwargs), meta={"check": c.check, "index": i}))
        name = f"{report.document.doc_id}_{table}"
        source = context.data_sources.add_or_update_pandas(name)
        asset = source.add_dataframe_asset(table)
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [ID_COLUMN[table]],
        })
        context.data_sources.delete(name)
        by_id = {row[ID_COLUMN[table]]: row for row in rows_of[table]}
        for r in result.results:
            if r.success:
                continue
            c = of_table[r.expectation_config.meta["index"]]
            for hit in r.result.get("unexpected_index_list") or []:
                findings.append(_finding(c, table, by_id[hit[ID_COLUMN[table]]], report.template.code.example()))
        account[table] = _without_clock(result.to_json_dict())
    return _dedupe(findings), account


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Two expectations can name the same row for the same check (a code both null and off-format)."""
    seen, out = set(), []
    for f in findings:
        if (f.check, f.subject_id) not in seen:
            seen.add((f.check, f.subject_id))
            out.append(f)
    return out


def _without_clock(d: dict) -> dict:
    """Drop run ids and timestamps so the same report gives the same JSON."""
    meta = d.get("meta", {})
    for key in ("run_id", "validation_time", "batch_markers", "active_batch_definition", "checkpoint_id",
                "validation_id"):
        meta.pop(key, None)
    return d
