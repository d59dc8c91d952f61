"""A template profile: everything poa knows about one family of follow-up reports, as data a user can write.

    profile = load("seguimiento-poa")        # an installed profile (poa/templates/<name>.toml), or a file path
    profile.code.read("08-01.01.01- 09")     # → Code("08-01.01.01-09", objective "08-01.01.01", sequence 9)
    installed()                              # every installed profile

This module is the compiled profile and its parts; `poa.core.codes` a result code's pattern and repair;
`poa.core.profiles` reads and checks a profile file (`load`, `read`, `installed`, `parse`).

A profile is a TOML file (the format and every field: `poa/templates/README.md`). Loading it checks it: a field
missing, of the wrong type, a regular expression that does not compile, a role or a level no one knows, a rule
over a column the table does not have — each raises ProfileError naming the field and the problem, never a
traceback from deep in the pipeline. What the stages ask of a profile (is this a code, which column is this
title, which level opens here) they ask of the compiled profile, in the spirit of pdfplumber's TableSettings:
one object, made once, read everywhere, changed nowhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .codes import CodeSpec
from .errors import PoaError
from .vocab import DATE, fold

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

    def table(self, name: str) -> TableSpec:
        """A table by its name, or the first of a kind ("results"). KeyError for neither: the tables a page
        yields are named by the profile's own (`table_kind`), and every profile has a results table."""
        found = next((t for t in self.tables if t.name == name), None) or next(
            (t for t in self.tables if t.kind == name), None)
        if found is None:
            raise KeyError(f"the profile has no table {name!r}")
        return found

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


