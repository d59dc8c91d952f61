"""The two engines agree, and the camelot engine reads a ruled report end to end."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, processed

from poa.core.vocab import squash


@pytest.fixture
def both():
    from poa.extract import extract

    pdf = SAMPLES / "mmm-2016-s1-ruled.pdf"
    return extract(pdf, engine="pdfplumber"), extract(pdf, engine="camelot")


@pytest.mark.slow
def test_camelot_and_pdfplumber_give_the_same_rows_and_results_on_the_ruled_sample(both):
    """The same rows from both engines; and the report camelot's rows make, the same results as the default's
    (one camelot read of the sample: it takes a dozen seconds)."""
    from poa.normalize import normalize
    from poa.validate import validate

    from poa.pipeline import identify

    plumber, camelot = both
    rows = lambda ex: [(r.table, tuple(squash(c) for c in r.cells), r.pages) for r in ex.rows]  # noqa: E731
    assert len(plumber.rows) == 368
    assert rows(camelot) == rows(plumber)
    a = processed("mmm-2016-s1-ruled")
    b = validate(normalize(camelot, identify(SAMPLES / "mmm-2016-s1-ruled.pdf")))
    key = lambda r: (r.code, r.unit_number, r.physical_pct, squash(r.expected), squash(r.obtained))  # noqa: E731
    assert [key(r) for r in b.results] == [key(r) for r in a.results]
    assert b.document.entity == a.document.entity and b.document.obtained_date == a.document.obtained_date
    # the title block kept, as leftovers
    assert any(lo.text.startswith("MINISTERIO DE MINER") for lo in camelot.leftovers if lo.page == 1)
    assert camelot.header_texts["results"].startswith("Cód. RESULTADOS ESPERADOS AL 31/12/2016")


def test_unknown_engine_is_refused():
    from poa.extract.engines import get_engine

    with pytest.raises(ValueError, match="unknown engine"):
        get_engine("tabula")


@pytest.mark.slow
def test_camelot_on_a_borderless_report_says_to_use_the_default_engine():
    from poa.extract import NoTablesError, extract

    with pytest.raises(NoTablesError, match="try --engine pdfplumber"):
        extract(SAMPLES / "mmm-2016-s1-borderless.pdf", engine="camelot")
