"""Each stage takes the previous stage's records and returns new ones: what it was given is left as it was, so a
notebook can keep the normalized report beside the validated one, and run a stage twice with the same answer."""

from __future__ import annotations

import copy
from dataclasses import fields
from pathlib import Path

from poa.extract import extract
from poa.normalize import normalize
from poa.normalize.corrections import correct
from poa.validate import validate

from poa.core.corrections import Correction
from poa.core.records import Document, Report

PLANTED = Path(__file__).resolve().parent.parent / "samples" / "mmm-2016-s1-planted.pdf"


def records(report: Report) -> dict:
    """Everything a report holds but its profile (the profile object keeps memos of the words it was asked)."""
    return {f.name: copy.deepcopy(getattr(report, f.name)) for f in fields(report) if f.name != "profile"}


def test_no_stage_changes_the_records_it_is_given():
    ex = extract(PLANTED)
    before_extract = (copy.deepcopy(ex.rows), copy.deepcopy(ex.leftovers), copy.deepcopy(ex.quality))
    doc = Document(doc_id="d", source_path=str(PLANTED), sha256="0" * 64)
    given_doc = copy.deepcopy(doc)

    normalized = normalize(ex, doc)
    assert doc == given_doc and (ex.rows, ex.leftovers, ex.quality) == before_extract
    assert normalized.document is not doc and normalized.document.quality is not ex.quality

    first, low = normalized.results[0], next(r for r in normalized.results if r.physical_pct is not None)
    fixes = [Correction("d", "results", first.result_key, "code", "08-01.01.01-99", note="a code set by hand"),
             Correction("d", "results", low.result_key, "physical_pct", "99%"),
             Correction("d", "units", normalized.nodes[0].key, "name", "Otro nombre")]
    kept = records(normalized)
    corrected = correct(normalized, fixes)
    assert records(normalized) == kept, "the corrections stage changed the report it was given"
    assert [a.status for a in corrected.corrections] == ["applied"] * 3
    assert corrected.results[0].code == "08-01.01.01-99" and normalized.results[0].code != "08-01.01.01-99"

    kept = records(corrected)
    checked = validate(corrected)
    assert records(corrected) == kept, "validate changed the report it was given"
    assert not corrected.findings and "correction_applied" in {f.check for f in checked.findings}
    assert any(d.result_id for d in checked.deviations) and not any(d.result_id for d in corrected.deviations)
    assert any(n.recomputed_physical_pct is not None for n in checked.nodes)
    assert all(n.recomputed_physical_pct is None for n in corrected.nodes)

    again = validate(corrected)  # the same records in, the same answer out
    assert records(again) == records(checked)


def test_a_document_a_later_stage_fails_on_keeps_what_normalize_found(monkeypatch):
    """A stage after normalize that breaks on a document (a bug, a library's error) fails it, and its documents row
    still says what normalize found: its entity, period, pages and template. A later run with a forced template
    then knows it failed so, rather than reading it again as a document of unknown template."""
    import poa.pipeline

    def broken(report, **_):
        raise ZeroDivisionError("a bug in a check")

    monkeypatch.setattr(poa.pipeline, "validate", broken)
    doc = poa.pipeline.process(PLANTED, template="seguimiento-poa").document
    assert (doc.status, doc.error) == ("failed", "ZeroDivisionError: a bug in a check")
    assert (doc.entity, doc.period, doc.pages, doc.template) == ("MINISTERIO DE MINERÍA Y METALURGIA", "2016-S1", 24,
                                                                 "seguimiento-poa")
