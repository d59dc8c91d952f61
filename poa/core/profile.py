"""A template profile: everything poa knows about one family of follow-up reports, as data a user can write.

    profile = load("seguimiento-poa")        # an installed profile (poa/templates/<name>.toml), or a file path
    profile.code.read("08-01.01.01- 09")     # → Code("08-01.01.01-09", objective "08-01.01.01", sequence 9)
    installed()                              # every installed profile

A profile is a TOML file (the format and every field: `poa/templates/README.md`). Loading it checks it: a field
missing, of the wrong type, a regular expression that does not compile, a role or a level no one knows, a rule
over a column the table does not have — each raises ProfileError naming the field and the problem, never a
traceback from deep in the pipeline. What the stages ask of a profile (is this a code, which column is this
title, which level opens here) they ask of the compiled profile, in the spirit of pdfplumber's TableSettings:
one object, made once, read everywhere, changed nowhere.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .errors import PoaError
from .vocab import fold

DEFAULT = "seguimiento-poa"  # the seed's family: what a document read before profiles existed was read as
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # poa/templates/

# The columns a table can have, by role. Text roles hold words; figure roles hold a number each.
TEXT_ROLES = ("code", "expected", "obtained", "cause", "measure")
FIGURE_ROLES = ("physical", "budget", "target", "achieved", "weight", "budget_current", "budget_executed",
                "cumulative")
ROLES = TEXT_ROLES + FIGURE_ROLES
TABLE_KINDS = ("results", "deviations")
STRUCTURE_ES = {"section": "Promedio de grupo", "total": "Total", "other": "Otra fila"}  # rows of no level
DEVIATION_PLACES = ("table", "column", "none")
WORDS_SEEN = 50_000  # distinct words a profile remembers its answers for (is_anchor, is_header_word)
AVERAGES = ("mean", "weighted")


class ProfileError(ValueError, PoaError):
    """A profile that cannot be used, with the field at fault: `tables[0].columns[2].titles[1]: … does not
    compile (…)`."""

    def __init__(self, where: str, problem: str, source: str | None = None):
        self.where, self.problem, self.source = where, problem, source
        super().__init__(f"{source + ': ' if source else ''}{where}: {problem}")


# ---------------------------------------------------------------- the profile's parts


@dataclass(frozen=True)
class Code:
    """A code as read: normalized (None where it cannot be read), its objective (the part before its number)
    and its number in that objective, and whether reading it took more than removing whitespace."""

    code: str | None
    objective: str | None
    sequence: int | None
    repaired: bool


# What OCR and damaged fonts put where a digit stands, and the digit it resembles.
DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "Q": "0", "D": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "]": "1", "[": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "B": "8",
    "g": "9", "q": "9",
})
# Where a separator stands: dashes of every width for the hyphen, a comma or a middle dot for the dot.
SEPARATOR_LOOKALIKES = {"-": "-‐‑‒–—―−~_", ".": ".,·"}
_FEW_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})  # a code whose length is off
TRAILING_MARKS = ":;,.'`\"·"  # a speck of a scan read after the code, or before it


@dataclass(frozen=True)
class CodeSpec:
    """How a family numbers its results. `pattern` matches a whole code, whitespace removed, with the groups
    `objective` and `sequence` (the result's number within its objective); `starts` matches the start of a
    cell that holds one, as printed (tolerant of the spaces and look-alike letters a PDF or OCR gives);
    `template`, where every code has one length, says which places hold a digit (9) and which a separator, so
    that a look-alike letter in a digit's place is read as that digit."""

    pattern: str
    starts: str
    template: str | None = None
    whole: re.Pattern = field(init=False, repr=False, compare=False)
    start: re.Pattern = field(init=False, repr=False, compare=False)
    anywhere: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "whole", re.compile(self.pattern))
        set_(self, "start", re.compile(self.starts))
        set_(self, "anywhere", re.compile(rf"(?<![\w.-])(?:{self.pattern})(?![\w.-])"))

    def opens(self, cell: str) -> bool:
        """Whether a cell starts with a code (a result's or a deviation's row)."""
        return bool(self.start.match(cell))

    def is_word(self, word: str) -> bool:
        """Whether a printed word is a code, or its first part where a narrow column wrapped it
        ("08-01.01.01-"): a word ending on a separator that a number after it would make whole."""
        if self.whole.fullmatch(word):
            return True
        return bool(word) and not word[-1].isalnum() and any(self.whole.fullmatch(word + "0" * n) for n in (1, 2))

    def in_text(self, text: str) -> bool:
        """Whether a whole code stands anywhere in a text, wrapped or not ("08-01.01.01- 02")."""
        return bool(self.anywhere.search(_SEPARATED.sub(r"\1", text)))

    def wrapped(self, code_text: str) -> bool:
        """Whether a code cell's text is a piece of a code that a narrow column, or a page break, cut at a
        separator, the rest to come ("08-", "08-01.01.01-", "01.01.01-" on the next page): it has the shape of
        some stretch of the template ending on a separator (a digit, or a look-alike, where a digit stands),
        or, with no template, a number broken after a separator."""
        compact = "".join(code_text.split())
        if not compact or compact[-1].isalnum():
            return False
        if self.template is None:
            return compact[0].isdigit()
        n = len(compact)
        for at in range(len(self.template) - n):
            stretch = self.template[at:at + n]
            if all(ch.isdigit() if want == "9" else ch == want
                   for ch, want in zip(self.by_template(compact, stretch), stretch)):
                return True
        return False

    def read(self, raw: str) -> Code:
        """`08-01.01.01- 09`, `O8-01.0l.01-09`, `08-01,01.01-0S` → `08-01.01.01-0X`; the raw text is the
        caller's to keep."""
        compact = "".join(raw.split())
        fixed = compact
        if self.template is not None:
            n = len(self.template)
            fixed = self.by_template(compact.strip(TRAILING_MARKS) if len(compact) > n else compact)
        if not self.whole.fullmatch(fixed):
            fixed = compact.translate(_FEW_DIGITS)
        m = self.whole.fullmatch(fixed)
        if not m:
            return Code(None, None, None, False)
        return Code(fixed, m.group("objective"), int(m.group("sequence")), fixed != compact)

    def by_template(self, compact: str, template: str | None = None) -> str:
        """Each place of a text as long as the template read as the template says it must be: a look-alike
        letter in a digit's place as that digit, a look-alike mark in a separator's place as that separator."""
        template = template or self.template
        if template is None or len(compact) != len(template):
            return compact
        out = []
        for ch, want in zip(compact, template):
            if want == "9":
                out.append(ch.translate(DIGIT_LOOKALIKES))
            else:
                out.append(want if ch in SEPARATOR_LOOKALIKES.get(want, want) else ch)
        return "".join(out)

    def objective_of(self, raw: str) -> str | None:
        """The code's objective where that part reads (repaired by the template) though its number does not
        ("08-01.01.01-(0)" → "08-01.01.01")."""
        if self.template is None:
            return None
        n = max(i for i, ch in enumerate(self.template) if ch != "9")  # the separator before the number
        sep, compact = self.template[n], "".join(raw.split())
        head, rest = compact[:n], compact[n:]
        if not rest or rest[0] not in SEPARATOR_LOOKALIKES.get(sep, sep):
            return None
        head = self.by_template(head, self.template[:n])
        m = self.whole.fullmatch(head + sep + self.template[n + 1:].replace("9", "0"))
        return head if m is not None and m.group("objective") == head else None

    def between(self, raw: str, before: Code | None, after: Code | None) -> Code:
        """A code whose number cannot be read, from the results printed just before and after it in its unit:
        both of its objective, numbered n - 1 and n + 1 (the template gives the number's form). A code that
        reads nothing where the neighbours do not say."""
        objective = self.objective_of(raw)
        if objective is None or before is None or after is None or before.sequence is None or after.sequence is None:
            return Code(None, None, None, False)
        if before.objective != objective or after.objective != objective or after.sequence - before.sequence != 2:
            return Code(None, None, None, False)
        n, cut = before.sequence + 1, max(i for i, ch in enumerate(self.template) if ch != "9")
        return Code(f"{objective}{self.template[cut]}{n:0{len(self.template) - cut - 1}d}", objective, n, True)

    @staticmethod
    def follows(code: Code, before: Code | None, after: Code | None) -> bool:
        """Whether the unit's numbering bears a code out: the result before it (or after it) has its objective
        and the number just below (or above) it."""
        if code.sequence is None:
            return False
        return any(n is not None and n.objective == code.objective and n.sequence == code.sequence + step
                   for n, step in ((before, -1), (after, 1)))

    def example(self) -> str:
        """What a code looks like, for messages ("NN-NN.NN.NN-NN")."""
        return self.template.replace("9", "N") if self.template else self.pattern


_SEPARATED = re.compile(r"\s*([-.])\s*")


@dataclass(frozen=True)
class ColumnSpec:
    """A column by the role it plays, recognised by its title: `titles` are regular expressions over the
    folded words of a title (any of them matching one word names the column)."""

    role: str
    titles: tuple[str, ...]
    optional: bool = False
    inside: str | None = None  # the code only: the role of the column whose cells it opens, untitled ("ACP.- 3 TEXT")
    patterns: tuple[re.Pattern, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "patterns", tuple(re.compile(t) for t in self.titles))

    def names(self, folded_words) -> bool:
        return any(p.match(w) for w in folded_words for p in self.patterns)


@dataclass(frozen=True)
class TableSpec:
    """One table of the family: which words of its header say it is this table, and its columns left to
    right (a title the profile has no role for is kept as an extra column)."""

    kind: str
    named_by: tuple[str, ...]  # folded pieces of the header's words, any of which names the table
    columns: tuple[ColumnSpec, ...]
    code: CodeSpec | None = None  # the family's codes, where they stand inside another column (`lift_code`)
    name: str = ""  # which of the family's tables of its kind ("cuadro-1"); its kind where it has one of a kind
    transposed: bool = False  # printed on its side: a result per column, headed by its code; `columns` its rows
    legend: str | None = None  # a transposed table's texts: lines above it that open so ("OPE 1.- Elaborar …")
    legend_start: re.Pattern | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.kind)
        object.__setattr__(self, "legend_start", re.compile(self.legend, re.I) if self.legend else None)

    def column(self, role: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.role == role), None)

    def lift_code(self, cells: dict[str, str]) -> dict[str, str]:
        """A row's cells with its code taken out of the column it is printed in ("ACP.- 3 CONTROLAR AL 85% …"
        → code "ACP.- 3", expected "CONTROLAR AL 85% …"), where the profile says codes stand inside a column:
        the first stretch of the cell, starting a word, that `code.starts` matches whole (a code printed beside
        a wrapped text, halfway down the cell, included)."""
        spec = self.column("code")
        if spec is None or spec.inside is None or self.code is None or cells.get("code"):
            return cells
        text = cells.get(spec.inside, "")
        m = next((m for m in self.code.start.finditer(text) if m.start() == 0 or text[m.start() - 1] == " "), None)
        if m is None:
            return cells
        rest = " ".join((text[:m.start()] + " " + text[m.end():]).split())
        return {**cells, "code": m.group(0).strip(), spec.inside: rest}

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The roles a header must name: every column but the optional ones and a code printed inside another;
        a transposed table's rows, which their labels name (its codes head its columns, its texts stand in the
        legend)."""
        return tuple(c.role for c in self.columns if not c.optional and c.inside is None
                     and not (self.transposed and not c.titles))


@dataclass(frozen=True)
class LevelSpec:
    """A level of the hierarchy, outermost first. A row opens it when its text starts as `starts` says
    (folded), or, for a `numbered` level, when it starts with a number ("07 Unidad de …"), or prints a figure
    of its own where no other level claims it. `results`: the level results hang under (the unit);
    `within`: a level that only ever stands inside another (an area inside its unit)."""

    name: str
    label: str
    starts: str | None = None
    numbered: bool = False
    figures: bool = True
    results: bool = False
    within: str | None = None
    called: str | None = None  # how a Spanish sentence names one ("la unidad"); default: el nivel «label»
    operation: str | None = None  # how its figure is made from its parts, in Spanish, for the memoria de cálculo
    pattern: re.Pattern | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.starts) if self.starts else None)


@dataclass(frozen=True)
class Arithmetic:
    """How the report makes its figures, for the validate stage to make them again: a level's physical % from
    its parts (the mean, or the mean weighted by the results' `weight` column), rounded half-up to `decimals`
    places; a result's own physical % as achieved / target × 100 (`row_pct`); a row's and a level's budget % as
    executed / current budget, the sums of the rows under it (`budget_ratio`). Numbers in amount columns use
    `decimal_mark` ("2.114.698,00": ","), and cells reading one of `blank` ("NP": not programmed, "-") stand
    for nothing: blanks, never zeros."""

    average: str = "mean"
    decimals: int = 0
    row_pct: bool = False
    budget_ratio: bool = False
    decimal_mark: str = ","
    blank: tuple[str, ...] = ()
    over_100: bool = False  # a result's % may pass 100 (achieved above its target): then it is no misprint

    @property
    def top(self) -> float | None:
        """The highest % a result may print (None: no bound)."""
        return None if self.over_100 else 100.0

    def is_blank(self, raw: str) -> bool:
        return raw.strip() in self.blank


@dataclass(frozen=True)
class Profile:
    """A report family, compiled. See the module's docstring and `poa/templates/README.md`."""

    name: str
    title: str
    code: CodeSpec
    tables: tuple[TableSpec, ...]
    levels: tuple[LevelSpec, ...]
    header_words: frozenset[str]  # folded words a table's header is made of
    anchor: str  # the title a header line must hold (folded), e.g. "^cod"
    group: str | None  # a row that closes a group of units with their average
    total: str | None  # the row that closes the report with the average of its groups
    closing: str  # a line under a table that closes it on its page (a footnote, a source)
    deviations: str = "table"  # where the causes of deviation stand: table | column | none
    threshold: float | None = None  # results under this physical % need a cause (None: no such rule)
    entity_skip: tuple[str, ...] = ()  # title lines never taken for the entity (letterheads, the report's title)
    group_called: str = "el grupo"  # how a Spanish sentence names a group row
    total_called: str = "el total"  # …and the total row ("el nivel operativo central")
    source: str | None = None  # the file it was read from
    arithmetic: Arithmetic = field(default_factory=Arithmetic)
    band: str | None = None  # folded: the line that states the band the total falls in (groups value, name, low, high)
    year: str = r"gestion\s+(\d{4})"  # folded: how the title block states the plan's year (its first group)
    entity_names: tuple[str, ...] = ()  # folded: title lines that name an entity in any case ("Ministerio de …")
    entity_printed: bool = True  # the family's reports name their entity in their title (a review reason where not)
    _anchor: re.Pattern = field(init=False, repr=False, compare=False)
    _group: re.Pattern | None = field(init=False, repr=False, compare=False)
    _total: re.Pattern | None = field(init=False, repr=False, compare=False)
    _closing: re.Pattern = field(init=False, repr=False, compare=False)
    _skip: tuple[re.Pattern, ...] = field(init=False, repr=False, compare=False)
    _entity_names: tuple[re.Pattern, ...] = field(init=False, repr=False, compare=False)
    _band: re.Pattern | None = field(init=False, repr=False, compare=False)
    _year: re.Pattern = field(init=False, repr=False, compare=False)
    _words_seen: tuple[dict, dict] = field(init=False, repr=False, compare=False)  # is_anchor's, is_header_word's

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_anchor", re.compile(self.anchor))
        set_(self, "_group", re.compile(self.group) if self.group else None)
        set_(self, "_total", re.compile(self.total) if self.total else None)
        set_(self, "_closing", re.compile(self.closing))
        set_(self, "_skip", tuple(re.compile(s) for s in self.entity_skip))
        set_(self, "_entity_names", tuple(re.compile(s) for s in self.entity_names))
        set_(self, "_band", re.compile(self.band) if self.band else None)
        set_(self, "_year", re.compile(self.year))
        set_(self, "_words_seen", ({}, {}))

    def year_in(self, folded: str) -> int | None:
        """The plan's year as the title block states it ("GESTIÓN 2016"; folded text)."""
        m = self._year.search(folded)
        return int(m.group(1)) if m else None

    def band_of(self, line: str) -> re.Match | None:
        """The band a line states ("CUMPLIMIENTO : 58.43% -> REGULAR (51% - 75%)"), read by the profile's `band`."""
        return self._band.match(fold(line).strip()) if self._band is not None else None

    # -- tables and their headers

    def table(self, name: str) -> TableSpec | None:
        """A table by its name, or the first of a kind ("results")."""
        return next((t for t in self.tables if t.name == name), None) or next(
            (t for t in self.tables if t.kind == name), None)

    def table_kind(self, header_text: str) -> str | None:
        """Which of the profile's tables a header belongs to, from its words: its name (the first table, in the
        profile's order, that its words name)."""
        h = fold(header_text)
        return next((t.name for t in self.tables if not t.transposed and any(w in h for w in t.named_by)), None)

    def has_column(self, kind: str, role: str) -> bool:
        """Whether any table of the kind has a column with the role."""
        return any(t.column(role) is not None for t in self.tables if t.kind == kind)

    def is_anchor(self, word: str) -> bool:
        """Whether a word is the title every header line of the family holds ("Cód.")."""
        seen = self._words_seen[0]
        if word not in seen:  # asked of every word of every line of every page: each text answered once
            if len(seen) > WORDS_SEEN:
                seen.clear()  # a worker reads document after document: the memo stays small
            seen[word] = len(word) <= 12 and bool(self._anchor.match(fold(word)))
        return seen[word]

    def is_header_word(self, word: str) -> bool:
        """A header word, or a piece of one that a narrow column broke ("PPTARI" / "O.")."""
        seen = self._words_seen[1]
        if word not in seen:
            from .vocab import DATE

            if len(seen) > WORDS_SEEN:
                seen.clear()
            w = fold(word)
            seen[word] = (w in self.header_words or bool(DATE.fullmatch(w)) or (len(w) <= 2 and w.endswith("."))
                          or len(w) >= 4 and any(h.startswith(w) for h in self.header_words))
        return seen[word]

    def closes(self, line_text: str) -> bool:
        """Whether a line under a table closes it on its page (a footnote, a source, a page number)."""
        return bool(self._closing.match(fold(line_text)))

    # -- rows

    def section_kind(self, text: str) -> str | None:
        """The kind of row a text opens, if it opens a section by its words: the total, a group, or a level
        recognised by its words (numbered levels are recognised by their number, not here)."""
        t = fold(text).strip()
        if self._total is not None and self._total.match(t):
            return "total"
        if self._group is not None and self._group.match(t):
            return "group"
        for level in self.levels:
            if level.pattern is not None and level.pattern.match(t):
                return level.name
        return None

    def level(self, name: str) -> LevelSpec | None:
        return next((lv for lv in self.levels if lv.name == name), None)

    def depth(self, level: str) -> int | None:
        """0 for the outermost level, one more for each level in; None for a row of no level (group, total)."""
        return next((i for i, lv in enumerate(self.levels) if lv.name == level), None)

    def label(self, level: str) -> str:
        """A row kind's name for auditors: the level's label as the report names it, or the structural rows'."""
        lv = self.level(level)
        return lv.label if lv is not None else STRUCTURE_ES.get(level, level)

    def called(self, level: str) -> str:
        """How a Spanish sentence names a row of this kind: "la unidad", "el Viceministerio", "el grupo"."""
        lv = self.level(level)
        if lv is not None:
            return lv.called or f"el nivel «{lv.label}»"
        return {"section": self.group_called, "total": self.total_called}.get(level, "la fila")

    @property
    def unit_level(self) -> LevelSpec | None:
        """The level results hang under (None for a family whose results stand in one list, under no level)."""
        return next((lv for lv in self.levels if lv.results), None)

    @property
    def unit_name(self) -> str | None:
        return self.unit_level.name if self.unit_level is not None else None

    def is_entity_name(self, line: str) -> bool:
        """Whether a title line names an entity: by its words ("Ministerio de Minería y Metalurgia", whatever its
        case) where the profile says which words do (`entity.names`: a slogan or a letterhead in capitals is no
        entity); else any line in capitals."""
        if self._entity_names:
            return any(p.match(fold(line).strip()) for p in self._entity_names)
        return line.isupper()

    def names_entity(self, line: str) -> bool:
        """Whether a title line may name the entity: not one of the lines the profile says never do, nor a line
        of a table's header (its words all header words), nor one that holds a code (a chart's label)."""
        f = fold(line)
        if any(p.match(f) for p in self._skip) or self.code.opens(line) or self.code.in_text(line):
            return False
        return not all(self.is_header_word(w) for w in line.split())


# ---------------------------------------------------------------- reading a profile file


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
        columns = []
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

    levels = []
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
