"""Document metadata from the title block and the table headers."""

from __future__ import annotations

import datetime as dt
import re

from poa.core.profile import Profile, TableSpec
from poa.core.records import Extraction
from poa.core.vocab import DATE, fold, squash

PERIOD = re.compile(r"(primer|segundo|1er\.?|2do\.?|i|ii)\s+semestre", re.I)
QUARTER = re.compile(r"\b(primer|segundo|tercer|cuarto|1er\.?|2do\.?|3er\.?|4to\.?|i|ii|iii|iv)\s+trimestre", re.I)
ORDINALS = {"primer": 1, "1er": 1, "i": 1, "segundo": 2, "2do": 2, "ii": 2, "tercer": 3, "3er": 3, "iii": 3,
            "cuarto": 4, "4to": 4, "iv": 4}


def iso(d: str, m: str, y: str) -> str | None:
    """dd/mm/yyyy as an ISO date; None for a date that does not exist (the header text stays in leftovers)."""
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def title_text(ex: Extraction, profile: Profile) -> list[str]:
    """Lines printed above the first table on the first page that holds a table."""
    if not ex.rows:
        return []
    first_page = ex.rows[0].pages[0]
    first_top = min(r.bbox[1] for r in ex.rows if r.pages[0] == first_page)
    lines = [lo for lo in ex.leftovers if lo.page == first_page and lo.bbox[1] < first_top]
    title = []
    for lo in sorted(lines, key=lambda lo: lo.bbox[1]):
        if profile.is_anchor(lo.text.split(" ", 1)[0]):
            break  # the table's header: the title block ends above it
        title.append(lo.text)
    return title


def period(year: int | None, semester: int | None, quarter: re.Match | None, obtained: str | None) -> str | None:
    """The period the report follows up, as it states it: `2016-S1`, `2019-Q3`, or `2018` for the whole
    gestión (a title that names no part of the year, results obtained by its 31 December: an annual
    evaluation, never a guessed second semester). None where the report does not say."""
    if year is None:
        return None
    if semester is not None:
        return f"{year}-S{semester}"
    if quarter is not None:
        return f"{year}-Q{ORDINALS[quarter.group(1).lower().rstrip('.')]}"
    if obtained == f"{year}-12-31":
        return str(year)
    return None


def column_dates(header_text: str, spec: TableSpec) -> list[tuple[str, str]]:
    """(role, ISO date) of the expected and obtained columns whose titles give their date: "RESULTADOS
    OBTENIDOS AL 30/06/2016" (a title word of the column, then "al" and the date)."""
    words = fold(header_text).split()
    out = []
    for role in ("expected", "obtained"):
        column = spec.column(role)
        for i, word in enumerate(words[:-2]):
            if column is not None and column.names([word]) and words[i + 1] == "al" and (m := DATE.match(words[i + 2])):
                if (date := iso(*m.groups())) is not None:
                    out.append((role, date))
    return out


def metadata(ex: Extraction, profile: Profile) -> dict:
    lines = title_text(ex, profile)
    blob = squash(" ".join(lines))
    folded = fold(blob)
    out: dict = {}
    for ln in lines:
        if profile.is_entity_name(ln) and profile.names_entity(ln):
            out["entity"] = squash(ln)
            break
    m = PERIOD.search(folded)
    if m:
        out["semester"] = ORDINALS[m.group(1).lower().rstrip(".")]
    quarter = QUARTER.search(folded)
    if (year := profile.year_in(folded)) is not None:
        out["year"] = year
    for spec in profile.tables:
        for role, date in column_dates(ex.header_texts.get(spec.name, ""), spec):
            out.setdefault(f"{role}_date", date)
    if "semester" not in out and not quarter and out.get("obtained_date", "")[5:] == "06-30":
        out["semester"] = 1  # results obtained by 30 June: the first half of the year, whatever the title says
    if "year" not in out and out.get("expected_date"):
        out["year"] = int(out["expected_date"][:4])
    out["period"] = period(out.get("year"), out.get("semester"), quarter, out.get("obtained_date"))
    for key, word in (("mission", "Misión:"), ("vision", "Visión:")):
        m = re.search(rf"{word}\s*(.*?)\s*(?=Misión:|Visión:|$)", blob)
        if m:
            out[key] = m.group(1)
    return out
