"""Stable keys: the same entity, unit and result get the same key across semesters, years and the two tables
of a report, however its name is spelled there.

A name is reduced to what identifies it — no case, accents, punctuation, trailing colon, or the "de" of
"y de" — and written as a slug. Unit numbers never enter a key: reports reuse and renumber them. A result is
its unit and its code; a result whose code cannot be read is its unit and its wording.

    entity_key  ministerio-de-mineria-y-metalurgia
    unit_key    ministerio-de-mineria-y-metalurgia/unidad-de-auditoria-interna
    result_key  ministerio-de-mineria-y-metalurgia/unidad-de-auditoria-interna/08-01.01.01-05
"""

from __future__ import annotations

import hashlib
import re

from .kinds import Table
from .vocab import fold, squash

_NOT_WORD = re.compile(r"[^\w\s]")
_Y_DE = re.compile(r"\by de\b")


def name_key(name: str) -> str:
    """A name reduced to what identifies it, words separated by single spaces."""
    t = _NOT_WORD.sub(" ", fold(name))
    return squash(_Y_DE.sub("y", t))


def slug(name: str) -> str:
    return name_key(name).replace(" ", "-")


def entity_key(entity: str | None) -> str | None:
    return slug(entity) if entity else None


def unit_key(entity: str | None, name: str | None) -> str | None:
    """The key of a unit (or of any section of the hierarchy) of an entity."""
    if not name:
        return None
    return f"{entity_key(entity) or 'entidad-desconocida'}/{slug(name)}"


def result_key(unit: str | None, code: str | None, expected: str = "") -> str:
    """The key of a result: its unit's and its code; where the code cannot be read, its wording's hash."""
    base = unit or "unidad-desconocida"
    if code:
        return f"{base}/{code}"
    wording = hashlib.sha256(name_key(expected).encode()).hexdigest()[:12]
    return f"{base}/texto-{wording}"


def deviation_key(unit: str | None, code: str, nth: int) -> str:
    """A deviation row's key: its unit's (as the deviation table names it), its code as printed, and its
    place among that unit's rows with that code (a unit may list one code twice)."""
    return f"{unit or 'unidad-desconocida'}/{code or 'sin-codigo'}/{nth}"


# The stable key of each table's rows: the attribute of its records and the column of its Parquet
KEY_COLUMN: dict[str, str] = {Table.RESULTS: "result_key", Table.DEVIATIONS: "deviation_key", Table.UNITS: "key"}
# The id of each table's rows within its document (its Parquet primary key): the attribute and the column
ID_COLUMN: dict[str, str] = {Table.RESULTS: "result_id", Table.DEVIATIONS: "deviation_id", Table.UNITS: "node_id"}


def repeated(key: str, nth: int) -> str:
    """The key of the `nth` row of a document that has one another row of it already has (a code printed twice in
    one unit, a unit's name twice): `…~2`, `…~3` in print order, so that no key names two rows and each is the same
    on every read of the document. The first keeps the plain key."""
    return key if nth == 1 else f"{key}~{nth}"


def first_of(key: str) -> str | None:
    """The key a repeated one repeats (`…/x~2` → `…/x`); None for a key that repeats none."""
    plain, mark, nth = key.rpartition("~")
    return plain if mark and nth.isdigit() else None
