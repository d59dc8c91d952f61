"""Stable keys: the same entity, unit and result carry the same key in every report, however spelled there."""

from __future__ import annotations

from collections import Counter

from conftest import processed

from poa.core import keys


def test_names_that_differ_in_case_accents_punctuation_and_y_de_share_a_key():
    spellings = ["Unidad Administrativa y de Recursos Humanos", "UNIDAD ADMINISTRATIVA Y RECURSOS HUMANOS:",
                 "Unidad  Administrativa y Recursos Humanos."]
    assert len({keys.unit_key("Ministerio de Minería", s) for s in spellings}) == 1
    assert keys.unit_key("MINISTERIO DE MINERÍA", "Auditoria") == keys.unit_key("Ministerio de Mineria", "Auditoría")
    assert keys.unit_key("M", "Unidad Financiera") != keys.unit_key("M", "Unidad Jurídica")


def test_a_result_with_no_readable_code_is_keyed_by_its_wording():
    a = keys.result_key("m/u", None, "Se elaboró el informe.")
    assert a.startswith("m/u/texto-") and a == keys.result_key("m/u", None, "Se  elaboró el informe")
    assert keys.result_key("m/u", "08-01.01.01-05") == "m/u/08-01.01.01-05"


def test_the_second_semester_joins_the_first_one_to_one_on_result_key_though_renamed_and_renumbered():
    s1, s2 = processed("mmm-2016-s1-ruled"), processed("mmm-2016-s2-renamed")
    one, two = Counter(r.result_key for r in s1.results), Counter(r.result_key for r in s2.results)
    assert len(s1.results) == len(s2.results) == 239
    assert max(one.values()) == max(two.values()) == 1  # one result per key in each report
    assert set(one) == set(two)  # and every result of one semester is in the other
    # the units were renumbered (+20) and respelled, so neither the numbers nor the names join
    assert not {r.unit_number for r in s1.results} & {r.unit_number for r in s2.results}
    assert {r.unit_name for r in s1.results} != {r.unit_name for r in s2.results}
    pairs = {(a.result_key, a.code) for a in s1.results} == {(b.result_key, b.code) for b in s2.results}
    assert pairs


def test_a_deviation_row_carries_the_keys_of_the_result_it_explains():
    report = processed("mmm-2016-s2-renamed")
    results = {r.result_id: r for r in report.results}
    for d in report.deviations:
        assert d.result_key == results[d.result_id].result_key and d.unit_key == results[d.result_id].unit_key


def test_every_node_has_a_key_and_areas_hang_under_their_unit():
    report = processed("mmm-2016-s1-ruled")
    assert all(n.key for n in report.nodes)
    areas = [n for n in report.nodes if n.level == "area"]
    by_id = {n.node_id: n for n in report.nodes}
    assert areas and all(n.key.startswith(by_id[n.parent_id].key + "/") for n in areas)
    assert report.document.entity_key == "ministerio-de-mineria-y-metalurgia"



def test_no_key_names_two_rows_a_repeated_code_or_unit_gets_its_place():
    """A report that prints a code twice in one unit, or a unit's name twice: each row its own key, the first
    the plain one, in print order (the same on every read), and a finding for each repetition."""
    from conftest import cells, seed_profile
    from poa.normalize import normalize
    from poa.validate import validate

    from poa.core.records import Document, Extraction, RawRow

    def row(*texts: str) -> RawRow:
        return RawRow("results", cells("results", *texts), (1,), (50, 300, 700, 320))

    rows = [row("01", "Unidad de Auditoría Interna", "", "50%"),
            row("08-01.01.01-01", "Una auditoría.", "Hecha.", "50%"),
            row("08-01.01.01-01", "Otra auditoría con el mismo código.", "Hecha.", "50%"),
            row("02", "Unidad de Auditoría Interna", "", "40%"),
            row("08-01.01.01-01", "Una auditoría más.", "A medias.", "40%")]
    ex = Extraction(seed_profile(), "x.pdf", 1, "geometry", "pdfium", {}, rows, [])
    once, twice = (validate(normalize(ex, Document(doc_id="d", source_path="x.pdf", sha256="0" * 64)))
                   for _ in range(2))
    unit = "entidad-desconocida/unidad-de-auditoria-interna"
    assert [u.key for u in once.nodes] == [unit, f"{unit}~2"]
    assert [r.result_key for r in once.results] == [f"{unit}/08-01.01.01-01", f"{unit}/08-01.01.01-01~2",
                                                    f"{unit}~2/08-01.01.01-01"]
    assert [r.result_key for r in twice.results] == [r.result_key for r in once.results]  # stable
    assert {f.check for f in once.findings} >= {"duplicate_code", "unit_name_duplicate"}
    (dup,) = [f for f in once.findings if f.check == "unit_name_duplicate"]
    assert dup.subject_id == once.nodes[1].node_id and "~2" in dup.message

    # a correction lands on the row its key names, the second as well as the first; a code corrected, a later
    # correction may name the row by the key the outputs then show
    from poa.normalize.corrections import correct

    from poa.core.corrections import Correction

    report = normalize(ex, Document(doc_id="d", source_path="x.pdf", sha256="0" * 64))
    second = f"{unit}/08-01.01.01-01~2"
    done = correct(report, [Correction("d", "results", second, "physical_pct", "30%"),
                            Correction("d", "results", second, "code", "08-01.01.01-02"),
                            Correction("d", "results", f"{unit}/08-01.01.01-02", "physical_pct", "35%")])
    assert [a.status for a in done.corrections] == ["applied"] * 3
    assert [(r.code, r.physical_pct) for r in done.results] == [
        ("08-01.01.01-01", 50.0), ("08-01.01.01-02", 35.0), ("08-01.01.01-01", 40.0)]
    report.results[2].result_key = report.results[0].result_key  # two rows under one key (never made by poa)
    refused = correct(report, [Correction("d", "results", report.results[0].result_key, "physical_pct", "10%")])
    (stale,) = refused.corrections
    assert stale.status == "stale" and "two rows" in stale.reason and refused.results[0].physical_pct == 50.0
