"""Checks on what the cells say: placeholders, cut-off sentences, progress that contradicts its text, codes
that needed repair."""

from __future__ import annotations

import re

from poa.core.records import Deviation, Finding, Report, Result, Severity
from poa.core.vocab import fold, squash

# "XX" where a figure should be; not the Roman numeral of a name ("Siglo XX", the mine).
PLACEHOLDER = re.compile(r"(?<![Ss]iglo )(?<!\w)(?:X{2,}|x{3,})(?!\w)|_{3,}|\.{4,}|\?{2,}")
NOTHING = re.compile(r"^(ninguno|ninguna|nada|sin avance|no se (realizo|ejecuto)|-+)\.?$")
ENDS_SENTENCE = re.compile(r"[.!?)\]\"»”']$")
# A sentence does not end on these: a cell ending on one was cut off.
FUNCTION_WORDS = {
    "a", "al", "ante", "con", "de", "del", "desde", "e", "el", "en", "entre", "hacia", "hasta", "la", "las", "lo",
    "los", "mediante", "o", "para", "por", "que", "se", "según", "sin", "sobre", "su", "sus", "u", "un", "una",
    "y", "cuyo", "cuya", "donde", "cual", "cuales",
}
FIELDS_ES = {"expected": "resultado esperado", "obtained": "resultado obtenido", "cause": "causa de desviación",
             "corrective_measure": "medida correctiva"}


def _may_hold_placeholder(text: str) -> bool:
    """What PLACEHOLDER cannot match without (substring tests: the regex's look-behinds made it the checks' cost)."""
    return "XX" in text or "xxx" in text or "___" in text or "...." in text or "??" in text


def looks_cut_off(text: str, fuller: str | None = None) -> bool:
    """No closing punctuation, and either the last word cannot end a sentence or the same text appears
    longer elsewhere (the other table's wording of the same result)."""
    t = squash(text)
    if not t or ENDS_SENTENCE.search(t):
        return False
    last = fold(t.split()[-1])
    if last in FUNCTION_WORDS:
        return True
    if fuller:
        f = squash(fuller)
        return len(f) > len(t) + 1 and fold(f).startswith(fold(t))
    return False


def text_findings(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    results = {r.result_id: r for r in report.results}
    twin: dict[str, str] = {}  # a linked pair's other wording of the same expected result
    for d in report.deviations:
        if d.result_id in results:
            twin[d.deviation_id], twin[d.result_id] = results[d.result_id].expected, d.expected
    subjects: list[tuple[Result | Deviation, str, int, tuple[str, ...]]]
    subjects = [(r, r.result_id, r.page_first, ("expected", "obtained")) for r in report.results]
    subjects += [(d, d.deviation_id, d.page, ("expected", "cause", "corrective_measure")) for d in report.deviations]
    for row, sid, page, fields in subjects:
        for field in fields:
            text = getattr(row, field)
            m = PLACEHOLDER.search(text) if _may_hold_placeholder(text) else None
            if m:
                findings.append(Finding(
                    "placeholder_text", Severity.WARNING, sid, page=page,
                    message=(f"El {FIELDS_ES[field]} de {row.code_raw} (página {page}) contiene el marcador "
                             f"«{m.group(0)}» en lugar de un dato: «…{_around(text, m.start())}…»."),
                ))
            other = twin.get(sid) if field == "expected" else None
            if looks_cut_off(text, other):
                findings.append(Finding(
                    "text_truncated", Severity.WARNING, sid, page=page,
                    message=(f"El {FIELDS_ES[field]} de {row.code_raw} (página {page}) parece cortado a mitad de "
                             f"frase: termina en «…{squash(text)[-60:]}»."
                             + (f" La otra tabla lo escribe completo: «…{squash(other)[-60:]}»." if other and
                                len(squash(other)) > len(squash(text)) else "")),
                ))
    has_obtained = report.template.has_column("results", "obtained")
    for r in report.results if has_obtained else ():  # a form with no obtained column says nothing of it
        obtained = fold(squash(r.obtained))
        if r.physical_pct is not None and r.physical_pct > 0 and (not obtained or NOTHING.match(obtained)):
            said = f"«{squash(r.obtained)}»" if obtained else "nada (celda vacía)"
            findings.append(Finding(
                "progress_text_conflict", Severity.WARNING, r.result_id, page=r.page_first, reported=r.physical_pct,
                message=(f"El resultado {r.code_raw} (página {r.page_first}) declara un avance físico de "
                         f"{r.physical_pct:g} % pero como resultado obtenido dice {said}."),
            ))
    return findings


def code_findings(report: Report) -> list[Finding]:
    """Codes that only read as codes once letters were taken for digits (O → 0, l → 1)."""
    findings = []
    rows: list[tuple[Result | Deviation, str, int, str]]
    rows = [(r, r.result_id, r.page_first, "la tabla de resultados") for r in report.results]
    rows += [(d, d.deviation_id, d.page, "la tabla de causas de desviación") for d in report.deviations]
    for row, sid, page, where in rows:
        if row.code and row.code != "".join(row.code_raw.split()):
            findings.append(Finding(
                "code_repaired", Severity.WARNING, sid, page=page,
                message=(f"El código «{squash(row.code_raw)}» de {where} (página {page}) tiene letras en lugar de "
                         f"dígitos; se leyó como {row.code}."),
            ))
    return findings


def _around(text: str, at: int, width: int = 40) -> str:
    return squash(text[max(0, at - width): at + width])
