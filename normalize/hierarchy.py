"""The results table's rows, read in order, build the hierarchy the profile describes (the seed's family:
Viceministerio → Dirección General → unit → Área → result). A group row ("Ejecución Física Promedio de las
Unidades …") closes the units above it, and the total row closes the groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poa.core.numbers import parse_pct, read_amount
from poa.core.profile import TEXT_ROLES, LevelSpec, Profile
from poa.core.records import Deviation, Node, RawRow, Result
from poa.core.vocab import squash

UNIT = re.compile(r"^(\d{1,3})\s*[.:\-)]?\s+(\S.*)$")


def texts_of(row: RawRow) -> list[str]:
    """A row's text cells in the order printed, the code's first: what a section row's name is made of; where
    they are all empty, its extra columns' (a "TOTAL" printed in a cell merged from a column of no role, a N°)."""
    texts = [t for role, t in row.cells.items() if role in TEXT_ROLES]
    return texts if any(texts) else [t for _, t in row.extra if t] or texts


def split_unit(texts: list[str]) -> tuple[str, str] | None:
    """("07", "Unidad de Análisis Jurídico") from a unit row's text cells, whether its number has a cell of its
    own or not."""
    first = texts[0].strip()
    rest = squash(" ".join(c for c in texts[1:3] if c))
    if first.isdigit() and len(first) <= 3 and rest:
        return first, rest
    m = UNIT.match(squash(" ".join(c for c in texts[:3] if c)))
    return (m.group(1), m.group(2)) if m else None


AMOUNTS = ("target", "achieved", "weight", "budget_current", "budget_executed")


def figures(cells: dict[str, str], profile: Profile) -> dict:
    """A result row's figures beside its %s, typed and as printed: amounts in the report's decimal mark, the
    cumulative % as a percentage; a blank mark ("NP") or a cell the template lacks is None."""
    a = profile.arithmetic
    out: dict = {}
    for role in AMOUNTS:
        raw = cells.get(role, "")
        out[role], out[f"{role}_raw"] = read_amount(raw, a.decimal_mark, a.blank), raw
    raw = cells.get("cumulative", "")
    out["cumulative_pct"], out["cumulative_raw"] = (None if a.is_blank(raw) else parse_pct(raw, a.top)), raw
    return out


@dataclass
class _Context:
    """The nodes open at a point of the table, one per level (outermost first), and what waits to be closed."""

    levels: tuple[LevelSpec, ...]
    open: dict[str, Node | None] = field(default_factory=dict)
    open_top: list[Node] = field(default_factory=list)  # top-level nodes waiting for their group row
    groups: list[Node] = field(default_factory=list)  # group rows waiting for the total row

    def index(self, name: str) -> int:
        return next(i for i, lv in enumerate(self.levels) if lv.name == name)

    def above(self, name: str) -> Node | None:
        """The deepest open node of a level above `name`'s."""
        return next((self.open.get(lv.name) for lv in reversed(self.levels[:self.index(name)])
                     if self.open.get(lv.name) is not None), None)

    def deepest(self) -> Node | None:
        return next((self.open[lv.name] for lv in reversed(self.levels) if self.open.get(lv.name) is not None), None)

    def close_from(self, name: str) -> None:
        """Close the level `name` and every level below it."""
        for lv in self.levels[self.index(name):]:
            self.open[lv.name] = None

    def close_all(self) -> None:
        self.open = {}


def build_results(doc_id: str, rows: list[RawRow], profile: Profile) -> tuple[list[Node], list[Result]]:
    nodes: list[Node] = []
    results: list[Result] = []
    ctx = _Context(profile.levels)
    unit_name = profile.unit_name
    top = profile.arithmetic.top  # the highest % a row may print (None: no bound)
    numbered = next((lv for lv in profile.levels if lv.numbered), None)
    u = ctx.index(unit_name) if unit_name is not None else -1  # no levels: results in one list
    outer = profile.levels[0].name if u >= 1 else None  # results.viceministry: the outermost level above the unit
    inner = profile.levels[u - 1].name if u >= 2 else None  # results.direction: the level right above the unit
    below = profile.levels[u + 1].name if u + 1 < len(profile.levels) else None  # results.area: the one within it

    def add(level: str, number: str | None, name: str, row: RawRow, parent: Node | None, seq: int) -> Node:
        physical, budget, cumulative = (row.cells.get(role, "") for role in ("physical", "budget", "cumulative"))
        node = Node(
            node_id=f"{doc_id}-N{len(nodes) + 1:03d}", level=level, number=number, name=name,
            parent_id=parent.node_id if parent else None,
            reported_physical_pct=parse_pct(physical, top), reported_budget_pct=parse_pct(budget, top),
            reported_physical_raw=physical, reported_budget_raw=budget, page=row.pages[0], seq=seq,
            page_last=row.pages[-1], cells=list(row.boxes),
            depth=profile.depth(level),
            level_label=profile.label(level), reported_cumulative_raw=cumulative, part=row.part,
            reported_cumulative_pct=None if profile.arithmetic.is_blank(cumulative) else parse_pct(cumulative, top),
        )
        nodes.append(node)
        if parent is None and level not in ("section", "total"):
            ctx.open_top.append(node)
        return node

    def name_of(level: str | None) -> str | None:
        node = ctx.open.get(level) if level else None
        return node.name if node is not None else None

    pending: list[Result] = []  # results not yet closed by a group row
    part = rows[0].part if rows else ""
    for seq, row in enumerate(rows, 1):
        cells, texts = row.cells, texts_of(row)
        if row.part != part:  # another of the family's results tables: a hierarchy of its own
            part, pending = row.part, []
            ctx.close_all()
            ctx.open_top, ctx.groups = [], []
        if profile.code.opens(cells["code"]):
            code = profile.code.read(cells["code"])
            unit = ctx.open.get(unit_name) if unit_name is not None else None
            physical, budget = cells.get("physical", ""), cells.get("budget", "")
            result = Result(
                result_id=f"{doc_id}-R{len(results) + 1:04d}", unit_id=unit.node_id if unit else None,
                viceministry=name_of(outer), direction=name_of(inner),
                unit_number=unit.number if unit else None, unit_name=unit.name if unit else None,
                area=name_of(below), group=None,
                code=code.code, code_raw=cells["code"], objective=code.objective, sequence=code.sequence,
                expected=cells.get("expected", ""), obtained=cells.get("obtained", ""), physical_pct=parse_pct(physical, top),
                physical_raw=physical, budget_pct=parse_pct(budget, top), budget_raw=budget,
                page_first=row.pages[0], page_last=row.pages[-1], seq=seq, bbox=row.bbox,
                extra={title: text for title, text in row.extra if text},
                ocr_confidence=dict(row.conf) or None, cells=list(row.boxes),
                levels={lv.name: n.name for lv in profile.levels if (n := ctx.open.get(lv.name)) is not None},
                cause=cells.get("cause", ""), part=row.part, **figures(cells, profile),
            )
            results.append(result)
            pending.append(result)
            continue
        text = squash(" ".join(c for c in texts if c))
        kind = profile.section_kind(text)
        if profile.code.in_text(text):  # a result run into a section row (a row merged at a page break): neither
            add("other", None, text, row, ctx.deepest(), seq)
        elif kind == "group":
            node = add("section", None, text, row, None, seq)
            node.is_group = True
            for child in ctx.open_top:
                child.parent_id = node.node_id
            ctx.open_top = []
            ctx.groups.append(node)
            for r in pending:
                r.group = text
            pending = []
            ctx.close_all()
        elif kind == "total":
            node = add("total", None, text, row, None, seq)
            for child in ctx.groups + ctx.open_top:
                child.parent_id = node.node_id
            ctx.groups, ctx.open_top = [], []
            ctx.close_all()
        elif kind is not None:  # a level its words open
            node = add(kind, None, text, row, ctx.above(kind), seq)
            ctx.close_from(kind)
            ctx.open[kind] = node
        elif numbered is not None and ((numbered_as := split_unit(texts)) is not None or parse_pct(cells.get("physical", ""))
                                       is not None):
            # A numbered row opens the numbered level; so does an unnumbered one that prints its own figure.
            number, name = numbered_as if numbered_as is not None else (None, text)
            for lv in profile.levels[:ctx.index(numbered.name)]:
                if (held := ctx.open.get(lv.name)) is not None and held.level == numbered.name:
                    ctx.open[lv.name] = None  # the previous unit stood in for a level of its own
            node = add(numbered.name, number, name, row, ctx.above(numbered.name), seq)
            ctx.close_from(numbered.name)
            ctx.open[numbered.name] = node
            named = profile.section_kind(name)
            if named is not None and named in (lv.name for lv in profile.levels[:ctx.index(numbered.name)]):
                ctx.open[named] = node  # a unit that is itself of a level above (a Dirección General with results)
        else:
            add("other", None, text, row, ctx.deepest(), seq)
    return nodes, results


def build_deviations(doc_id: str, rows: list[RawRow], profile: Profile) -> list[Deviation]:
    out: list[Deviation] = []
    number = name = None
    for seq, row in enumerate(rows, 1):
        cells, texts = row.cells, texts_of(row)
        # a row holding a result's code anywhere is a deviation, its code unreadable where it does not start
        # the row (a unit heading and a deviation run together at a page break): never a unit's name
        if profile.code.opens(cells["code"]) or profile.code.in_text(" ".join(texts)):
            code = profile.code.read(cells["code"])
            out.append(Deviation(
                deviation_id=f"{doc_id}-D{len(out) + 1:03d}", unit_number=number, unit_name=name,
                code=code.code, code_raw=cells["code"], expected=cells.get("expected", ""), cause=cells.get("cause", ""),
                corrective_measure=cells.get("measure", ""), page=row.pages[0], page_last=row.pages[-1], seq=seq,
                bbox=row.bbox, extra={title: text for title, text in row.extra if text},
                ocr_confidence=dict(row.conf) or None, cells=list(row.boxes),
            ))
        elif (unit := split_unit(texts)) is not None:
            number, name = unit
        else:
            number, name = None, squash(" ".join(c for c in texts if c))
    return out
