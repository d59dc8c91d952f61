"""Link every deviation row to the result it explains, and check the report's own rule for causes of deviation
(the profile's: a result under 35 % needs one, in the seed's family).

Units are aligned between the two tables by name (case, accents, punctuation, "y de"/"y" and trailing colons
normalized), never by number alone: the two tables number units differently and a number can repeat. Within
an aligned unit a deviation row is linked by its normalized code, confirmed by the similarity of the expected
result's wording; where the code is missing, garbled or points elsewhere, by the wording alone. One deviation
row explains one result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache

from poa.core.keys import first_of, name_key
from poa.core.records import Deviation, Finding, Node, Report, Result, Severity
from poa.core.vocab import fold, squash

UNIT_MIN_SCORE = 85.0  # names this similar (after normalization) are the same unit
CONFIRM_MIN_SCORE = 60.0  # wording this similar confirms a code match
TEXT_MIN_SCORE = 85.0  # wording this similar links a row whose code does not


def spelling_key(name: str) -> str:
    """What a reader would call the same spelling: case, whitespace and a trailing colon aside."""
    return squash(name).rstrip(" :").casefold()


@lru_cache(maxsize=4096)
def folded(text: str) -> str:
    """A text as the wording comparison sees it (each row's text is compared with several others)."""
    return fold(squash(text))


def text_score(a: str, b: str) -> float:
    from rapidfuzz import fuzz

    return float(fuzz.token_sort_ratio(folded(a), folded(b)))


@dataclass
class DeviationUnit:
    """A unit as the deviation table prints it, with its rows."""

    number: str | None
    name: str | None
    rows: list[Deviation]


def deviation_units(devs: list[Deviation]) -> list[DeviationUnit]:
    out: list[DeviationUnit] = []
    for d in devs:
        if not out or (out[-1].number, out[-1].name) != (d.unit_number, d.unit_name):
            out.append(DeviationUnit(d.unit_number, d.unit_name, []))
        out[-1].rows.append(d)
    return out


def align_units(dunits: list[DeviationUnit], units: list[Node]) -> dict[int, Node]:
    """index in dunits → results-table unit, one to one, best name similarity first.

    Names that are the same once normalized pair first, in order (a dictionary look-up, so a report of
    hundreds of units costs no more than a few); only the rest are scored against each other, all at once
    with rapidfuzz's cdist."""
    from rapidfuzz import fuzz, process

    out: dict[int, Node] = {}
    free: dict[str, list[int]] = defaultdict(list)
    for j, u in enumerate(units):
        free[name_key(u.name)].append(j)
    taken_u: set[int] = set()
    rest: list[int] = []
    for i, du in enumerate(dunits):
        same = [j for j in free.get(name_key(du.name or ""), []) if j not in taken_u]
        if same:
            j = next((j for j in same if units[j].number == du.number), same[0])
            out[i] = units[j]
            taken_u.add(j)
        else:
            rest.append(i)
    left = [j for j in range(len(units)) if j not in taken_u]
    if not rest or not left:
        return out
    scores = process.cdist([name_key(dunits[i].name or "") for i in rest], [name_key(units[j].name) for j in left],
                           scorer=fuzz.ratio, score_cutoff=UNIT_MIN_SCORE)
    pairs = sorted(
        ((float(scores[a, b]), dunits[i].number == units[j].number, -i, -j, i, j)
         for a, i in enumerate(rest) for b in scores[a].nonzero()[0] for j in [left[b]]),
        reverse=True,
    )
    taken_d: set[int] = set()
    for _, _, _, _, i, j in pairs:
        if i in taken_d or j in taken_u:
            continue
        out[i] = units[j]
        taken_d.add(i)
        taken_u.add(j)
    return out


def _best(dev: Deviation, candidates: list[Result], used: set[str]) -> tuple[Result | None, float]:
    scored = [(text_score(dev.expected, r.expected), r) for r in candidates if r.result_id not in used]
    if not scored:
        return None, 0.0
    score, r = max(scored, key=lambda t: t[0])
    return r, score


def link(report: Report) -> tuple[list[Deviation], list[Finding]]:
    """The report's deviation rows, new, each with the result it explains (result_id, result_key, match_score,
    match_method) and its results-table unit (unit_key); and the findings."""
    findings: list[Finding] = []
    units = [n for n in report.nodes if n.level == report.template.unit_name]
    by_unit: dict[str | None, list[Result]] = defaultdict(list)
    for r in report.results:
        by_unit[r.unit_id].append(r)
    deviations = [replace(d) for d in report.deviations]  # filled below: the report's own stay as they were
    dunits = deviation_units(deviations)
    aligned = align_units(dunits, units)
    used: set[str] = set()

    for i, du in enumerate(dunits):
        unit = aligned.get(i)
        label = f"{du.number or ''} {du.name or ''}".strip()
        if unit is None:
            findings.append(Finding(
                "unit_unmatched", Severity.ERROR, du.rows[0].deviation_id, page=du.rows[0].page,
                message=(f"La unidad «{label}» de la tabla de causas de desviación no corresponde a ninguna "
                         f"unidad de la tabla de resultados; sus filas se vinculan por código y texto en todo "
                         f"el reporte. Página {du.rows[0].page}."),
            ))
        else:
            if du.number and unit.number and du.number != unit.number:
                findings.append(Finding(
                    "unit_number_inconsistent", Severity.WARNING, unit.node_id, page=du.rows[0].page,
                    message=(f"La unidad «{unit.name}» lleva el número {unit.number} en la tabla de resultados "
                             f"(página {unit.page}) y el número {du.number} en la tabla de causas de desviación "
                             f"(página {du.rows[0].page})."),
                ))
            if du.name and spelling_key(du.name) != spelling_key(unit.name):
                findings.append(Finding(
                    "unit_name_variant", Severity.INFO, unit.node_id, page=du.rows[0].page,
                    message=(f"La unidad se escribe «{unit.name}» en la tabla de resultados (página {unit.page}) "
                             f"y «{du.name}» en la tabla de causas de desviación (página {du.rows[0].page})."),
                ))
        candidates = by_unit[unit.node_id] if unit is not None else report.results
        for dev in du.rows:
            if unit is not None:
                dev.unit_key = unit.key  # the results table's unit, whatever the deviation table calls it
            findings += _link_row(dev, candidates, used)
    return deviations, findings


def _link_row(dev: Deviation, candidates: list[Result], used: set[str]) -> list[Finding]:
    same_code = [r for r in candidates if dev.code and r.code == dev.code and r.result_id not in used]
    by_code, code_score = _best(dev, same_code, used)
    by_text, score = _best(dev, candidates, used)
    findings: list[Finding] = []
    if by_code is not None and code_score >= CONFIRM_MIN_SCORE:
        target, method, score = by_code, "code+text", code_score
    elif by_text is not None and score >= TEXT_MIN_SCORE:
        target, method = by_text, "text"
        if dev.code:
            findings.append(Finding(
                "deviation_code_mismatch", Severity.WARNING, dev.deviation_id, page=dev.page,
                message=(f"La fila de desviación con código {dev.code_raw} (página {dev.page}) explica, por su "
                         f"texto, el resultado {by_text.code_raw} de la página {by_text.page_first}: el código no "
                         f"coincide."),
            ))
    elif by_code is not None:
        target, method, score = by_code, "code", code_score
    else:
        best = f"«{by_text.code_raw} {by_text.expected[:80]}» (similitud {score:.0f})" if by_text else "ninguno"
        findings.append(Finding(
            "deviation_unmatched", Severity.ERROR, dev.deviation_id, page=dev.page,
            message=(f"La fila de desviación {dev.code_raw or '(sin código)'} de la página {dev.page} no se pudo "
                     f"vincular a ningún resultado de su unidad. Candidato más cercano: {best}."),
        ))
        return findings
    dev.result_id, dev.match_score, dev.match_method = target.result_id, round(score, 1), method
    dev.unit_key, dev.result_key = target.unit_key, target.result_key
    used.add(target.result_id)
    return findings


def duplicate_numbers(report: Report) -> list[Finding]:
    """A unit number used for two different units within one table."""
    findings = []
    tables = (
        ("la tabla de resultados", [(n.number, n.name, n.node_id, n.page) for n in report.nodes
                                    if n.level == report.template.unit_name]),
        ("la tabla de causas de desviación",
         [(du.number, du.name, du.rows[0].deviation_id, du.rows[0].page) for du in deviation_units(report.deviations)]),
    )
    for where, units in tables:
        first: dict[str, tuple[str, int]] = {}
        for number, name, sid, page in units:
            if not number:
                continue
            if number in first and name_key(first[number][0]) != name_key(name or ""):
                other, other_page = first[number]
                findings.append(Finding(
                    "unit_number_duplicate", Severity.WARNING, sid, page=page,
                    message=(f"En {where} el número {number} se usa para dos unidades: «{other}» (página "
                             f"{other_page}) y «{name}» (página {page})."),
                ))
            first.setdefault(number, (name or "", page))
    return findings


def repeated_units(report: Report) -> list[Finding]:
    """A unit (or another row of the hierarchy) printed twice under one name: two rows the report does not tell
    apart, each with its own figures; the second's key carries its place (`keys.repeated`)."""
    first: dict[str, Node] = {}
    findings = []
    for n in report.nodes:
        if n.key is None:
            continue
        if (plain := first_of(n.key)) is None:
            first.setdefault(n.key, n)
            continue
        other = first.get(plain)
        where = f" (páginas {other.page} y {n.page})" if other is not None else f" (página {n.page})"
        findings.append(Finding(
            "unit_name_duplicate", Severity.WARNING, n.node_id, page=n.page,
            message=(f"La fila «{n.name}» aparece más de una vez en la tabla de resultados{where}: son dos filas que el "
                     f"reporte no distingue; la segunda se identifica con la clave «{n.key}».")))
    return findings


def deviation_rule(report: Report) -> list[Finding]:
    """The profile's rule: every result under its threshold needs a cause of deviation (a row of the
    deviation table, or its own cause cell); a cause for a result at the threshold or above is not needed."""
    profile = report.template
    limit = profile.threshold
    if limit is None or profile.deviations == "none":
        return []
    explained = {d.result_id: d for d in report.deviations if d.result_id}
    in_column = profile.deviations == "column"
    findings = []
    for r in report.results:
        if r.physical_pct is None:
            continue
        d = explained.get(r.result_id)
        has_cause = bool(r.cause.strip()) if in_column else d is not None
        unit = f"{r.unit_number} {r.unit_name}" if r.unit_number else f"{r.unit_name}"
        if r.physical_pct < limit and not has_cause:
            where = ("no tiene causa de desviación en su columna" if in_column
                     else "no figura en la tabla de causas de desviación y medidas correctivas")
            findings.append(Finding(
                "deviation_missing", Severity.WARNING, r.result_id, page=r.page_first, reported=r.physical_pct,
                message=(f"El resultado {r.code_raw} de la unidad «{unit}» (página {r.page_first}) tiene un avance "
                         f"físico de {r.physical_pct:g} %, menor al {limit:g} %, y {where}."),
            ))
        elif r.physical_pct >= limit and has_cause:
            if in_column or d is None:  # has_cause outside a column means d is the deviation row that explains it
                subject, page, said = r.result_id, r.page_first, "Su columna de causas de desviación explica"
            else:
                subject, page, said = d.deviation_id, d.page, f"La tabla de causas de desviación (página {d.page}) explica"
            findings.append(Finding(
                "deviation_unneeded", Severity.INFO, subject, page=page, reported=r.physical_pct,
                message=(f"{said} el resultado {r.code_raw} de la unidad «{unit}», cuyo avance físico es "
                         f"{r.physical_pct:g} % (página {r.page_first}), no menor al {limit:g} %."),
            ))
    return findings
