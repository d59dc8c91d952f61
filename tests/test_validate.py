"""Linking and recomputing on small hand-made reports: the cases the samples do not show."""

from __future__ import annotations

import re

from poa.validate import validate
from poa.validate.arithmetic import recompute
from poa.validate.match import text_score
from poa.validate.text import looks_cut_off

from poa.core.keys import name_key
from poa.core.records import Deviation, Document, Node, Report, Result


def node(i, level, name, parent=None, number=None, pct=None, group=False):
    return Node(f"N{i}", level, number, name, parent, pct, None, 1, i, is_group=group)


def result(i, unit, code, expected, pct, obtained="Se hizo."):
    return Result(f"R{i}", unit.node_id, None, None, unit.number, unit.name, None, None, code, code,
                  code[:11], int(code[-2:]), expected, obtained, pct, f"{pct}%", None, "", 2, 2, i, (0, 0, 1, 1))


def deviation(i, number, name, code, expected):
    return Deviation(f"D{i}", number, name, code, code or "", expected, "Causa.", "Medida.", 5, 5, i, (0, 0, 1, 1))


def report(nodes, results, deviations):
    return Report(Document("doc", "x.pdf", "0" * 64), nodes=nodes, results=results, deviations=deviations)


UNIT = node(1, "unit", "Unidad de Auditoría Interna", number="04", pct=10)
RESULTS = [
    result(1, UNIT, "08-01.01.01-01", "Se elaboró un Informe de Auditoría sobre los Estados Financieros.", 0),
    result(2, UNIT, "08-01.01.01-02", "Se dio seguimiento a las recomendaciones de los informes.", 20),
]


def test_unit_names_are_compared_without_case_accents_colons_or_y_de():
    assert name_key("Unidad Administrativa y de Recursos Humanos") == name_key("UNIDAD ADMINISTRATIVA Y RECURSOS HUMANOS:")
    assert name_key("Unidad de Auditoria Interna") == name_key("Unidad de Auditoría Interna")


def test_a_row_whose_code_is_unreadable_links_by_its_wording():
    devs = [deviation(1, "4", "Unidad de Auditoria Interna:", None,
                      "Se dio seguimiento a las recomendaciones de los Informes de Auditoría.")]
    r = validate(report([UNIT], list(RESULTS), devs), expectations=False)
    assert (r.deviations[0].result_id, r.deviations[0].match_method) == ("R2", "text")
    checks = {f.check for f in r.findings}
    assert {"unit_number_inconsistent", "unit_name_variant", "deviation_missing"} <= checks  # R1 at 0 % unexplained


def test_a_row_with_the_wrong_code_links_by_wording_and_says_so():
    devs = [deviation(1, "04", "Unidad de Auditoría Interna", "08-01.01.01-01",
                      "Se dio seguimiento a las recomendaciones de los informes.")]
    r = validate(report([UNIT], list(RESULTS), devs), expectations=False)
    assert r.deviations[0].result_id == "R2"
    assert [f.check for f in r.findings if f.subject_id == "D1"] == ["deviation_code_mismatch"]


def test_a_row_that_explains_nothing_is_unmatched_and_names_its_closest_candidate():
    devs = [deviation(1, "04", "Unidad de Auditoría Interna", "08-01.01.01-09", "Se compró un vehículo.")]
    r = validate(report([UNIT], list(RESULTS), devs), expectations=False)
    (f,) = [f for f in r.findings if f.check == "deviation_unmatched"]
    assert f.subject_id == "D1" and "Candidato más cercano" in f.message and r.deviations[0].result_id is None


def test_a_unit_found_nowhere_is_reported_and_its_rows_searched_everywhere():
    devs = [deviation(1, "30", "Unidad de Logística", "08-01.01.01-01",
                      "Se elaboró un Informe de Auditoría sobre los Estados Financieros.")]
    r = validate(report([UNIT], list(RESULTS), devs), expectations=False)
    assert "unit_unmatched" in {f.check for f in r.findings} and r.deviations[0].result_id == "R1"


def test_one_deviation_explains_one_result():
    devs = [deviation(i, "04", "Unidad de Auditoría Interna", "08-01.01.01-01",
                      "Se elaboró un Informe de Auditoría sobre los Estados Financieros.") for i in (1, 2)]
    r = validate(report([UNIT], list(RESULTS), devs), expectations=False)
    assert r.deviations[0].result_id == "R1" and r.deviations[1].result_id != "R1"


def test_direction_averages_unrounded_unit_means():
    d = node(1, "direction", "DIRECCIÓN GENERAL X", pct=50)
    a, b = node(2, "unit", "A", parent="N1", number="01"), node(3, "unit", "B", parent="N1", number="02")
    rows = [result(1, a, "08-01.01.01-01", "x", 50), result(2, a, "08-01.01.01-02", "y", 25),
            result(3, b, "08-01.01.01-01", "z", 62)]
    values = recompute(report([d, a, b], rows, []))
    assert values["N2"] == 37.5 and values["N1"] == (37.5 + 62) / 2  # not (38 + 62) / 2


def test_text_score_ignores_accents_and_case():
    assert text_score("Se dió seguimiento", "SE DIO SEGUIMIENTO") == 100


def test_cut_off_text_needs_evidence():
    assert looks_cut_off("con la asistencia de 468 personas que")
    assert looks_cut_off("para el Archivo", fuller="para el Archivo Central.")
    assert not looks_cut_off("contiene el avance acumulado")
    assert not looks_cut_off("Ninguno.")


def test_review_reasons_agree_with_their_count_in_both_languages():
    from poa.validate.quality import doubts

    from poa.core.records import ReadQuality

    one = {d.code: d for d in doubts(ReadQuality(result_rows=10, stray_chars=1, other_rows=1, cells_outside_column=1,
                                                 pct_in_text=1, hidden_chars=1, rows_misaligned=1, empty_units=1))}
    many = {d.code: d for d in doubts(ReadQuality(result_rows=10, stray_chars=2, other_rows=2, cells_outside_column=2,
                                                  pct_in_text=2, hidden_chars=2, rows_misaligned=2, empty_units=2))}
    assert one["stray_text"].es.startswith("1 carácter dentro del área de una tabla no quedó")
    assert many["stray_text"].es.startswith("2 caracteres dentro del área de una tabla no quedaron")
    assert one["other_rows"].es.startswith("1 fila de la tabla de resultados no es resultado ni sección")
    assert one["cells_outside_column"].en.startswith("1 word of result or deviation rows runs")
    assert one["pct_in_text"].es.startswith("1 resultado no tiene") and many["pct_in_text"].es.startswith("2 resultados no tienen")
    assert one["hidden_text"].es.startswith("1 carácter") and " se ve " in one["hidden_text"].es
    for d in one.values():  # no plural noun after a 1, in either language
        assert not re.match(r"1 (caracteres|filas|palabras|resultados|unidades|characters|rows|words|results|units)\b",
                            d.es + " | " + d.en), d
