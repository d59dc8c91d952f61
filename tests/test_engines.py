"""The two engines agree, and the camelot engine reads a ruled report end to end."""

from __future__ import annotations

import pytest
from conftest import SAMPLES, processed

from poa.core.vocab import squash


@pytest.fixture
def both():
    from poa.extract import extract

    pdf = SAMPLES / "mmm-2016-s1-ruled.pdf"
    return extract(pdf, engine="geometry"), extract(pdf, engine="camelot")


@pytest.mark.slow
def test_camelot_and_the_geometry_engine_give_the_same_rows_and_results_on_the_ruled_sample(both):
    """The same rows from both engines; and the report camelot's rows make, the same results as the default's
    (one camelot read of the sample: it takes a dozen seconds)."""
    from poa.normalize import normalize
    from poa.validate import validate

    from poa.pipeline import identify

    ours, camelot = both
    rows = lambda ex: [(r.table, tuple(squash(c) for c in r.cells), r.pages) for r in ex.rows]  # noqa: E731
    assert len(ours.rows) == 368
    assert rows(camelot) == rows(ours)
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

    with pytest.raises(NoTablesError, match="try --engine geometry"):
        extract(SAMPLES / "mmm-2016-s1-borderless.pdf", engine="camelot")


def test_the_geometry_engines_earlier_name_is_accepted_with_a_warning_and_redoes_nothing(mini_pdf, tmp_path, capsys):
    """It was called "pdfplumber" though it never used pdfplumber: the old name still reads (saying until when),
    documents are recorded under the new one, and a folder read under the old one is not read again for it."""
    import pyarrow.parquet as pq

    from poa.cli import main
    from poa.core.options import Options

    with pytest.warns(FutureWarning, match="now called 'geometry'.*until poa 0.3"):
        assert Options(engine="pdfplumber").engine == "geometry"
    assert Options().differences("pdfplumber", "pdfium", "auto", False) == []
    assert Options().differences("camelot", "pdfium", "auto", False) == ["engine camelot before, now geometry"]

    out = tmp_path / "out"
    assert main(["run", str(mini_pdf), "--out", str(out), "--engine", "pdfplumber", "--quiet"]) == 0
    assert "--engine pdfplumber is now --engine geometry" in capsys.readouterr().err
    assert pq.read_table(out / "documents").column("engine").to_pylist() == ["geometry"]
    table = pq.read_table(out / "documents")  # as a folder of an earlier poa holds it
    for f in (out / "documents").glob("*.parquet"):
        pq.write_table(table.set_column(table.schema.get_field_index("engine"), "engine",
                                        pa_strings(["pdfplumber"])), f)
    assert main(["run", str(mini_pdf), "--out", str(out), "--quiet"]) == 0
    assert pq.read_table(out / "documents").column("engine").to_pylist() == ["pdfplumber"]  # skipped, not redone


def pa_strings(values):
    import pyarrow as pa

    return pa.array(values, pa.string())
