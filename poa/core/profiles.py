"""Reading a template profile: a TOML file (poa/templates/<name>.toml, or any path) into a checked `Profile`.
A field missing, of the wrong type, a regular expression that does not compile, a role or a level no one knows —
each raises ProfileError naming the field and the problem."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .codes import CodeSpec
from .profile import (
    AVERAGES,
    DEFAULT,
    DEVIATION_PLACES,
    ROLES,
    TABLE_KINDS,
    TEMPLATES,
    TEXT_ROLES,
    Arithmetic,
    ColumnSpec,
    LevelSpec,
    Profile,
    ProfileError,
    TableSpec,
)
from .vocab import fold


def _get(d: dict, key: str, kind: type | tuple[type, ...], where: str, default: Any = ..., source: str | None = None) -> Any:
    if key not in d:
        if default is ...:
            raise ProfileError(f"{where}{key}", "missing", source)
        return default
    value = d[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind in (int, float, (int, float)):
        want = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise ProfileError(f"{where}{key}", f"must be a {want}, not {type(value).__name__} {value!r}", source)
    return value


def _regex(value: str, where: str, source: str | None) -> str:
    try:
        re.compile(value)
    except re.error as e:
        raise ProfileError(where, f"the regular expression {value!r} does not compile ({e})", source) from None
    return value


def _strings(d: dict, key: str, where: str, source: str | None, regex: bool = False, default: Any = ...) -> tuple[str, ...]:
    items = _get(d, key, list, where, default, source)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise ProfileError(f"{where}{key}[{i}]", f"must be a string, not {type(item).__name__} {item!r}", source)
        out.append(_regex(item, f"{where}{key}[{i}]", source) if regex else item)
    return tuple(out)


def _unknown(d: dict, known: set[str], where: str, source: str | None) -> None:
    extra = sorted(set(d) - known)
    if extra:
        raise ProfileError(f"{where}{extra[0]}", f"unknown field (known here: {', '.join(sorted(known))})", source)


def parse(data: dict, source: str | None = None) -> Profile:
    """A profile from its TOML data, checked field by field (ProfileError names the first problem)."""
    _unknown(data, {"name", "title", "code", "tables", "levels", "header", "rows", "deviations", "entity", "arithmetic",
                    "band", "period"}, "", source)
    name = _get(data, "name", str, "", source=source)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise ProfileError("name", f"{name!r} is not a name of lower-case letters, digits and hyphens", source)
    title = _get(data, "title", str, "", source=source)

    c = _get(data, "code", dict, "", source=source)
    _unknown(c, {"pattern", "starts", "template"}, "code.", source)
    pattern = _regex(_get(c, "pattern", str, "code.", source=source), "code.pattern", source)
    groups = re.compile(pattern).groupindex
    for g in ("objective", "sequence"):
        if g not in groups:
            raise ProfileError("code.pattern", f"has no group named {g!r} (write it as (?P<{g}>…))", source)
    template = _get(c, "template", str, "code.", None, source)
    if template is not None and not re.fullmatch(pattern, template.replace("9", "0")):
        raise ProfileError("code.template", f"{template!r} (9 for a digit) does not match code.pattern", source)
    code = CodeSpec(pattern, _regex(_get(c, "starts", str, "code.", source=source), "code.starts", source), template)

    h = _get(data, "header", dict, "", source=source)
    _unknown(h, {"anchor", "words", "closing"}, "header.", source)
    anchor = _regex(_get(h, "anchor", str, "header.", source=source), "header.anchor", source)
    words = frozenset(fold(w) for w in _strings(h, "words", "header.", source))
    closing = _regex(_get(h, "closing", str, "header.", source=source), "header.closing", source)

    tables = []
    raw_tables = _get(data, "tables", list, "", source=source)
    if not raw_tables:
        raise ProfileError("tables", "lists no table", source)
    for i, t in enumerate(raw_tables):
        where = f"tables[{i}]."
        if not isinstance(t, dict):
            raise ProfileError(f"tables[{i}]", "must be a table of fields", source)
        _unknown(t, {"kind", "name", "named_by", "columns", "transposed", "legend"}, where, source)
        transposed = _get(t, "transposed", bool, where, False, source)
        legend = _get(t, "legend", str, where, None, source)
        if legend is not None and not transposed:
            raise ProfileError(f"{where}legend", "only a transposed table lists its texts in a legend", source)
        if legend is not None:
            _regex(legend, f"{where}legend", source)
        kind = _get(t, "kind", str, where, source=source)
        table_name = _get(t, "name", str, where, kind, source)
        if kind not in TABLE_KINDS:
            raise ProfileError(f"{where}kind", f"{kind!r} is not one of {', '.join(TABLE_KINDS)}", source)
        named_by = tuple(fold(w) for w in _strings(t, "named_by", where, source))
        columns: list[ColumnSpec] = []
        for j, col in enumerate(_get(t, "columns", list, where, source=source)):
            cw = f"{where}columns[{j}]."
            if not isinstance(col, dict):
                raise ProfileError(f"{where}columns[{j}]", "must be a table of fields", source)
            _unknown(col, {"role", "titles", "optional", "inside"}, cw, source)
            role = _get(col, "role", str, cw, source=source)
            if role not in ROLES:
                raise ProfileError(f"{cw}role", f"{role!r} is not a role poa knows ({', '.join(ROLES)})", source)
            if role in (c.role for c in columns):
                raise ProfileError(f"{cw}role", f"{role!r} is given twice in this table", source)
            inside = _get(col, "inside", str, cw, None, source)
            if inside is not None and role != "code":
                raise ProfileError(f"{cw}inside", "only a code stands inside another column", source)
            if inside is not None and inside not in TEXT_ROLES[1:]:
                raise ProfileError(f"{cw}inside", f"{inside!r} is not a text role ({', '.join(TEXT_ROLES[1:])})", source)
            columns.append(ColumnSpec(role, _strings(col, "titles", cw, source, regex=True, default=[] if inside else ...),
                                      _get(col, "optional", bool, cw, False, source), inside))
        if transposed:  # its codes head its columns and its texts stand in the legend: no row of theirs
            if any(c.role in ("code", "expected") for c in columns):
                raise ProfileError(f"{where}columns", "a transposed table's codes head its columns and its texts "
                                                      "stand in its legend: list only the rows its labels name", source)
            if any(c.inside for c in columns):
                raise ProfileError(f"{where}columns", "a transposed table has no column a code stands inside", source)
            implicit = [ColumnSpec("code", ())] + ([ColumnSpec("expected", ())] if legend else [])
            columns = implicit + columns
        if "code" not in (c.role for c in columns):
            raise ProfileError(f"{where}columns", "has no column with the role 'code'", source)
        holder = next((c.inside for c in columns if c.inside), None)
        if holder is not None and holder not in (c.role for c in columns):
            raise ProfileError(f"{where}columns", f"the code stands inside {holder!r}, a column the table does not have",
                               source)
        tables.append(TableSpec(kind, named_by, tuple(columns), code, table_name, transposed, legend))
    kinds = [t.kind for t in tables]
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise ProfileError("tables", "lists one kind of table twice: name each (name = \"cuadro-1\")", source)
    results = next((t for t in tables if t.kind == "results"), None)
    if results is None:
        raise ProfileError("tables", "has no results table", source)

    levels: list[LevelSpec] = []
    for i, lv in enumerate(_get(data, "levels", list, "", [], source)):
        where = f"levels[{i}]."
        if not isinstance(lv, dict):
            raise ProfileError(f"levels[{i}]", "must be a table of fields", source)
        _unknown(lv, {"name", "label", "starts", "numbered", "figures", "results", "within", "called", "operation"},
                 where, source)
        starts = _get(lv, "starts", str, where, None, source)
        level = LevelSpec(_get(lv, "name", str, where, source=source), _get(lv, "label", str, where, source=source),
                          _regex(starts, f"{where}starts", source) if starts else None,
                          _get(lv, "numbered", bool, where, False, source), _get(lv, "figures", bool, where, True, source),
                          _get(lv, "results", bool, where, False, source), _get(lv, "within", str, where, None, source),
                          _get(lv, "called", str, where, None, source), _get(lv, "operation", str, where, None, source))
        if level.name in ("section", "total", "other", "group") or level.name in (x.name for x in levels):
            raise ProfileError(f"{where}name", f"{level.name!r} is taken", source)
        if not level.starts and not level.numbered:
            raise ProfileError(f"levels[{i}]", "is recognised neither by words (starts) nor by a number (numbered)",
                               source)
        if level.within is not None and level.within not in (x.name for x in levels):
            raise ProfileError(f"{where}within", f"{level.within!r} is no level above this one", source)
        levels.append(level)
    if levels and sum(lv.results for lv in levels) != 1:
        raise ProfileError("levels", "must name exactly one level that results hang under (results = true)", source)

    r = _get(data, "rows", dict, "", {}, source)
    _unknown(r, {"group", "total", "group_called", "total_called"}, "rows.", source)
    group, total = (_get(r, k, str, "rows.", None, source) for k in ("group", "total"))
    for k, v in (("group", group), ("total", total)):
        if v:
            _regex(v, f"rows.{k}", source)

    d = _get(data, "deviations", dict, "", {}, source)
    _unknown(d, {"where", "threshold"}, "deviations.", source)
    place = _get(d, "where", str, "deviations.", "none", source)
    if place not in DEVIATION_PLACES:
        raise ProfileError("deviations.where", f"{place!r} is not one of {', '.join(DEVIATION_PLACES)}", source)
    if place == "table" and "deviations" not in kinds:
        raise ProfileError("deviations.where", "says 'table' but tables lists no deviations table", source)
    def has(role: str) -> bool:  # a column some results table has
        return any(t.column(role) is not None for t in tables if t.kind == "results")

    if place == "column" and not has("cause"):
        raise ProfileError("deviations.where", "says 'column' but the results table has no column with the role "
                                               "'cause'", source)
    threshold = _get(d, "threshold", (int, float), "deviations.", None, source)
    if threshold is not None and not 0 < threshold <= 100:
        raise ProfileError("deviations.threshold", f"{threshold} is not a percentage above 0 and up to 100", source)
    if threshold is not None and not has("physical"):
        raise ProfileError("deviations.threshold", "applies to the physical %, but the results table has no column "
                                                   "with the role 'physical'", source)

    e = _get(data, "entity", dict, "", {}, source)
    _unknown(e, {"skip", "names", "printed"}, "entity.", source)
    skip = _strings(e, "skip", "entity.", source, regex=True, default=[])
    entity_names = _strings(e, "names", "entity.", source, regex=True, default=[])
    return Profile(name, title, code, tuple(tables), tuple(levels), words, anchor, group, total, closing, place,
                   float(threshold) if threshold is not None else None, skip,
                   _get(r, "group_called", str, "rows.", "el grupo", source),
                   _get(r, "total_called", str, "rows.", "el total", source), source,
                   _arithmetic(_get(data, "arithmetic", dict, "", {}, source), has, source),
                   _band(_get(data, "band", dict, "", {}, source), total, source),
                   _year(_get(data, "period", dict, "", {}, source), source), entity_names,
                   _get(e, "printed", bool, "entity.", True, source))


def _year(p: dict, source: str | None) -> str:
    """The [period] section: a folded regular expression whose first group is the plan's year."""
    _unknown(p, {"year"}, "period.", source)
    year = _regex(_get(p, "year", str, "period.", Profile.year, source), "period.year", source)
    if re.compile(year).groups < 1:
        raise ProfileError("period.year", "has no group: write the year's digits as (\\d{4})", source)
    return year


def _band(b: dict, total: str | None, source: str | None) -> str | None:
    """The [band] section: a folded regular expression with the groups value, name, low and high."""
    _unknown(b, {"line"}, "band.", source)
    line = _get(b, "line", str, "band.", None, source)
    if line is None:
        return None
    groups = re.compile(_regex(line, "band.line", source)).groupindex
    for g in ("value", "name", "low", "high"):
        if g not in groups:
            raise ProfileError("band.line", f"has no group named {g!r} (write it as (?P<{g}>…))", source)
    if total is None:
        raise ProfileError("band.line", "states the band of the total, but rows.total says no row is the total", source)
    return line


def _arithmetic(a: dict, has: Callable[[str], bool], source: str | None) -> Arithmetic:
    """The [arithmetic] section, each rule checked against the columns the results table has."""
    w = "arithmetic."
    _unknown(a, {"average", "decimals", "row_pct", "budget_ratio", "decimal_mark", "blank", "over_100"}, w, source)
    average = _get(a, "average", str, w, "mean", source)
    if average not in AVERAGES:
        raise ProfileError(f"{w}average", f"{average!r} is not one of {', '.join(AVERAGES)}", source)
    needs = {"average": ("weight",) if average == "weighted" else (),
             "row_pct": ("target", "achieved", "physical") if _get(a, "row_pct", bool, w, False, source) else (),
             "budget_ratio": ("budget_current", "budget_executed") if _get(a, "budget_ratio", bool, w, False, source)
             else ()}
    for rule, roles in needs.items():
        if (lacking := [r for r in roles if not has(r)]):
            raise ProfileError(f"{w}{rule}", f"is a rule over the column {lacking[0]!r}, which the results table "
                                             f"does not have", source)
    decimals = _get(a, "decimals", int, w, 0, source)
    if not 0 <= decimals <= 4:
        raise ProfileError(f"{w}decimals", f"{decimals} is not a number of decimals from 0 to 4", source)
    mark = _get(a, "decimal_mark", str, w, ",", source)
    if mark not in (",", "."):
        raise ProfileError(f"{w}decimal_mark", f"{mark!r} is neither ',' nor '.'", source)
    return Arithmetic(average, decimals, bool(needs["row_pct"]), bool(needs["budget_ratio"]), mark,
                      _strings(a, "blank", w, source, default=[]), _get(a, "over_100", bool, w, False, source))


def read(path: str | Path) -> Profile:
    """A profile file, checked. Raises ProfileError (a bad file names the line TOML stumbled on)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ProfileError("(file)", f"cannot be read: {e.strerror or e}", str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError("(file)", f"is not valid TOML: {e}", str(path)) from None
    return parse(data, str(path))


@lru_cache(maxsize=None)
def load(name_or_path: str = DEFAULT) -> Profile:
    """An installed profile by name, or a profile file by path."""
    candidate = TEMPLATES / f"{name_or_path}.toml"
    if candidate.is_file():
        return read(candidate)
    if Path(name_or_path).is_file():
        return read(name_or_path)
    names = ", ".join(p.name for p in installed())
    raise ProfileError("(name)", f"{name_or_path!r} is neither an installed profile ({names}) nor a file")


def installed() -> list[Profile]:
    """Every profile installed with poa, by name."""
    return [read(p) for p in sorted(TEMPLATES.glob("*.toml"))]
