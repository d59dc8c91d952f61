"""Stable keys: the same entity, unit and result carry the same key in every report, however spelled there."""

from __future__ import annotations

from collections import Counter

from conftest import processed

from poa import keys


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
    assert all(n.key for n in report.units)
    areas = [n for n in report.units if n.level == "area"]
    by_id = {n.node_id: n for n in report.units}
    assert areas and all(n.key.startswith(by_id[n.parent_id].key + "/") for n in areas)
    assert report.document.entity_key == "ministerio-de-mineria-y-metalurgia"
