"""The results table's rows, read in order, build the hierarchy: Viceministerio → Dirección General → unit →
Área → result. A group row ("Ejecución Física Promedio de las Unidades …") closes the units above it, and the
central-level row closes the groups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poa.records import Deviation, Node, RawRow, Result
from poa.vocab import CODE_IN_TEXT, CODE_LIKE, section_kind, squash

from .codes import normalize_code
from .numbers import parse_pct

UNIT = re.compile(r"^(\d{1,3})\s*[.:\-)]?\s+(\S.*)$")


def split_unit(cells: tuple[str, ...]) -> tuple[str, str] | None:
    """("07", "Unidad de Análisis Jurídico") from a unit row, whether its number has a cell of its own or not."""
    first = cells[0].strip()
    rest = squash(" ".join(c for c in cells[1:3] if c))
    if first.isdigit() and len(first) <= 3 and rest:
        return first, rest
    m = UNIT.match(squash(" ".join(c for c in cells[:3] if c)))
    return (m.group(1), m.group(2)) if m else None


@dataclass
class _Context:
    viceministry: Node | None = None
    direction: Node | None = None
    unit: Node | None = None
    area: Node | None = None
    open_top: list[Node] = field(default_factory=list)  # top-level nodes waiting for their group row
    groups: list[Node] = field(default_factory=list)  # group rows waiting for the total row

    def parent(self, *levels: str) -> Node | None:
        for level in levels:
            node = getattr(self, level)
            if node is not None:
                return node
        return None


def build_results(doc_id: str, rows: list[RawRow]) -> tuple[list[Node], list[Result]]:
    nodes: list[Node] = []
    results: list[Result] = []
    ctx = _Context()

    def add(level: str, number: str | None, name: str, row: RawRow, parent: Node | None, seq: int) -> Node:
        node = Node(
            node_id=f"{doc_id}-N{len(nodes) + 1:03d}", level=level, number=number, name=name,
            parent_id=parent.node_id if parent else None,
            reported_physical_pct=parse_pct(row.cells[3]), reported_budget_pct=parse_pct(row.cells[4]),
            reported_physical_raw=row.cells[3], reported_budget_raw=row.cells[4], page=row.pages[0], seq=seq,
            page_last=row.pages[-1], cells=list(row.boxes),
        )
        nodes.append(node)
        if parent is None and level not in ("section", "total"):
            ctx.open_top.append(node)
        return node

    pending: list[Result] = []  # results not yet closed by a group row
    for seq, row in enumerate(rows, 1):
        cells = row.cells
        if CODE_LIKE.match(cells[0]):
            code = normalize_code(cells[0])
            unit = ctx.unit
            result = Result(
                result_id=f"{doc_id}-R{len(results) + 1:04d}", unit_id=unit.node_id if unit else None,
                viceministry=ctx.viceministry.name if ctx.viceministry else None,
                direction=ctx.direction.name if ctx.direction else None,
                unit_number=unit.number if unit else None, unit_name=unit.name if unit else None,
                area=ctx.area.name if ctx.area else None, group=None,
                code=code.code, code_raw=cells[0], objective=code.objective, sequence=code.sequence,
                expected=cells[1], obtained=cells[2], physical_pct=parse_pct(cells[3]), physical_raw=cells[3],
                budget_pct=parse_pct(cells[4]), budget_raw=cells[4],
                page_first=row.pages[0], page_last=row.pages[-1], seq=seq, bbox=row.bbox,
                extra={title: text for title, text in row.extra if text},
                ocr_confidence=dict(row.conf) or None, cells=list(row.boxes),
            )
            results.append(result)
            pending.append(result)
            continue
        text = squash(" ".join(c for c in cells[:3] if c))
        kind = section_kind(text)
        if CODE_IN_TEXT.search(text):  # a result run into a section row (a row merged at a page break): neither
            add("other", None, text, row, ctx.parent("area", "unit", "direction", "viceministry"), seq)
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
            ctx.viceministry = ctx.direction = ctx.unit = ctx.area = None
        elif kind == "total":
            node = add("total", None, text, row, None, seq)
            for child in ctx.groups + ctx.open_top:
                child.parent_id = node.node_id
            ctx.groups, ctx.open_top = [], []
            ctx.viceministry = ctx.direction = ctx.unit = ctx.area = None
        elif kind == "viceministry":
            ctx.viceministry = add("viceministry", None, text, row, None, seq)
            ctx.direction = ctx.unit = ctx.area = None
        elif kind == "direction":
            ctx.direction = add("direction", None, text, row, ctx.viceministry, seq)
            ctx.unit = ctx.area = None
        elif kind == "area":
            ctx.area = add("area", None, text, row, ctx.parent("unit", "direction", "viceministry"), seq)
        elif (unit := split_unit(cells)) is not None or parse_pct(cells[3]) is not None:
            # A numbered row opens a unit; so does an unnumbered one that prints its own physical %.
            number, name = unit if unit is not None else (None, text)
            if ctx.direction is not None and ctx.direction.level == "unit":
                ctx.direction = None  # the previous unit was a Dirección General of its own
            node = add("unit", number, name, row, ctx.parent("direction", "viceministry"), seq)
            if section_kind(name) == "direction":
                ctx.direction = node  # a Dirección General that is itself a unit with results
            ctx.unit, ctx.area = node, None
        else:
            add("other", None, text, row, ctx.parent("area", "unit", "direction", "viceministry"), seq)
    return nodes, results


def build_deviations(doc_id: str, rows: list[RawRow]) -> list[Deviation]:
    out: list[Deviation] = []
    number = name = None
    for seq, row in enumerate(rows, 1):
        cells = row.cells
        # a row holding a result's code anywhere is a deviation, its code unreadable where it does not start
        # the row (a unit heading and a deviation run together at a page break): never a unit's name
        if CODE_LIKE.match(cells[0]) or CODE_IN_TEXT.search(" ".join(cells)):
            code = normalize_code(cells[0])
            out.append(Deviation(
                deviation_id=f"{doc_id}-D{len(out) + 1:03d}", unit_number=number, unit_name=name,
                code=code.code, code_raw=cells[0], expected=cells[1], cause=cells[2],
                corrective_measure=cells[3], page=row.pages[0], page_last=row.pages[-1], seq=seq, bbox=row.bbox,
                extra={title: text for title, text in row.extra if text},
                ocr_confidence=dict(row.conf) or None, cells=list(row.boxes),
            ))
        elif (unit := split_unit(cells)) is not None:
            number, name = unit
        else:
            number, name = None, squash(" ".join(c for c in cells if c))
    return out
