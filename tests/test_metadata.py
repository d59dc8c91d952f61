"""What the title block and the headers state about a report, and nothing they do not: entity, year and period."""

from __future__ import annotations

import pytest
from conftest import cells, seed_profile
from poa.normalize.metadata import metadata

from poa.core.records import Extraction, Leftover, RawRow

SEED = seed_profile()


def report(*title: str, expected: str = "31/12/2016", obtained: str = "30/06/2016") -> Extraction:
    """A one-row report whose first page prints `title` above the results table."""
    header = f"Cód. RESULTADOS ESPERADOS AL {expected} RESULTADOS OBTENIDOS AL {obtained} AVANCE % FÍSICO PPTARIO."
    lines = [Leftover(1, (50, 20 + 14 * i, 500, 30 + 14 * i), text) for i, text in enumerate(title)]
    row = RawRow("results", cells("results", "08-01.01.01-01", "Un resultado.", "Hecho.", "50%"), (1,), (50, 300, 700, 320))
    return Extraction(SEED, "x.pdf", 1, "geometry", "pdfium", {"results": header}, [row], lines)


@pytest.mark.parametrize("title, obtained, period, semester", [
    (("SEGUIMIENTO AL AVANCE DEL POA - PRIMER SEMESTRE GESTIÓN 2016",), "30/06/2016", "2016-S1", 1),
    (("SEGUIMIENTO AL AVANCE DEL POA - SEGUNDO SEMESTRE GESTIÓN 2016",), "31/12/2016", "2016-S2", 2),
    (("Seguimiento al POA, II Semestre, gestión 2016",), "31/12/2016", "2016-S2", 2),
    (("EVALUACIÓN POA TERCER TRIMESTRE GESTIÓN 2019",), "30/09/2019", "2019-Q3", None),
    (("EVALUACIÓN DEL POA - IV TRIMESTRE - GESTIÓN 2021",), "31/12/2021", "2021-Q4", None),
    # an annual evaluation: no part of the year named, results by its 31 December — never a guessed S2
    (("EVALUACIÓN POA GESTIÓN 2018",), "31/12/2018", "2018", None),
    # results obtained by 30 June: the first half, even where the title does not say so
    (("SEGUIMIENTO AL AVANCE DEL POA GESTIÓN 2016",), "30/06/2016", "2016-S1", 1),
    # a cut-off the title does not explain: no period rather than a guess
    (("SEGUIMIENTO AL AVANCE DEL POA GESTIÓN 2017",), "31/10/2017", None, None),
])
def test_the_period_is_what_the_report_states(title, obtained, period, semester):
    year = obtained[-4:]
    meta = metadata(report("MINISTERIO DE MINERÍA Y METALURGIA", *title, expected=f"31/12/{year}", obtained=obtained),
                    SEED)
    assert (meta.get("period"), meta.get("semester"), meta.get("year")) == (period, semester, int(year))


def test_no_year_no_period():
    ex = report("MINISTERIO DE MINERÍA Y METALURGIA", "SEGUIMIENTO AL AVANCE DEL POA")
    ex = Extraction(SEED, ex.source_path, 1, ex.engine, ex.reader, {}, ex.rows, ex.leftovers)
    meta = metadata(ex, SEED)
    assert meta.get("period") is None and meta.get("year") is None


def test_the_spanish_period_names_the_part_of_the_year():
    from poa.outputs.spanish import period

    assert [period(p) for p in ("2016-S1", "2019-Q3", "2018", None)] == [
        "primer semestre de la gestión 2016", "tercer trimestre de la gestión 2019", "gestión 2018",
        "periodo no identificado"]


@pytest.mark.parametrize("ministry", ["MINISTERIO DE MINERÍA Y METALURGIA", "MINISTERIO DE SALUD Y DEPORTES"])
@pytest.mark.parametrize("letterhead", ["ESTADO PLURINACIONAL DE BOLIVIA", "REPÚBLICA DE BOLIVIA"])
def test_a_letterhead_naming_the_state_is_never_the_entity(letterhead, ministry):
    """Bolivian documents print the State above the entity: two ministries' reports must not share it as their
    entity (one would be marked a duplicate of the other, and their keys collide)."""
    title = (letterhead, ministry, "SEGUIMIENTO AL AVANCE DEL POA - PRIMER SEMESTRE GESTIÓN 2016")
    assert metadata(report(*title), SEED)["entity"] == ministry


def test_an_entity_printed_in_mixed_case_is_kept_as_printed():
    meta = metadata(report("Estado Plurinacional de Bolivia", "Ministerio de Minería y Metalurgia",
                           "Seguimiento al POA, I Semestre, gestión 2016"), SEED)
    assert meta["entity"] == "Ministerio de Minería y Metalurgia"


def test_a_mixed_case_title_line_that_names_no_entity_is_not_taken_for_one():
    assert "entity" not in metadata(report("Seguimiento al POA, I Semestre, gestión 2016",
                                           "Unidad de Planificación"), SEED)


def read(*title: str):
    from poa.normalize import normalize
    from poa.validate import validate

    from poa.core.records import Document

    return validate(normalize(report(*title), Document(doc_id="d", source_path="x.pdf", sha256="0" * 64)))


def test_a_report_whose_title_names_no_entity_is_in_review_saying_so():
    """Never a silent null in an ok document: its keys would say «entidad-desconocida» and mix with others'."""
    doc = read("ESTADO PLURINACIONAL DE BOLIVIA", "SEGUIMIENTO AL AVANCE DEL POA - PRIMER SEMESTRE GESTIÓN 2016").document
    assert doc.entity is None and doc.quality.entity_missing and doc.status == "review"
    assert any("names the entity" in r for r in doc.quality.reasons)
    named = read("MINISTERIO DE MINERÍA Y METALURGIA", "SEGUIMIENTO AL AVANCE DEL POA - PRIMER SEMESTRE GESTIÓN 2016")
    assert not named.document.quality.entity_missing


def test_a_family_whose_reports_print_no_entity_is_not_doubted_for_it():
    from poa.core.profiles import load

    assert not load("evaluacion-acp").entity_printed and load("seguimiento-poa").entity_printed
