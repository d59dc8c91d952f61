"""What the working paper shows, as plain data: the findings numbered in a stable order, each with what it is
about and where on the PDF; for every hierarchy row the working that re-performs its figure.

Both the HTML and the workbook read these, so the two never disagree on a number or a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from poa.validate.arithmetic import Tree, counts, explaining

from poa.core.numbers import half_up
from poa.core.records import Deviation, Finding, Node, Report, Result

from .pages import Region
from .spanish import SEVERITY_RANK

NODE_BAND = 110.0  # points of a page shown around a section row (its own box is not kept): the row and its neighbours
UNIT_HEADING = 40.0  # points above a unit's first deviation row: its heading row in the deviation table


# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Numbered:
    """A finding with its number (H-001…), what it is about in words, and the region of the PDF to show."""

    number: str
    finding: Finding
    subject: str
    region: Region | None


@dataclass
class Index:
    """The report's rows by id."""

    report: Report
    results: dict[str, Result] = field(init=False)
    deviations: dict[str, Deviation] = field(init=False)
    nodes: dict[str, Node] = field(init=False)

    def __post_init__(self) -> None:
        self.results = {r.result_id: r for r in self.report.results}
        self.deviations = {d.deviation_id: d for d in self.report.deviations}
        self.nodes = {n.node_id: n for n in self.report.nodes}


def node_label(n: Node) -> str:
    """A hierarchy row as the report names it: its number and name (the total row by its own name)."""
    return f"{n.number} {n.name}" if n.number else n.name


def subject(f: Finding, ix: Index) -> str:
    """What a finding is about, in the report's own words (never an internal id)."""
    sid = f.subject_id
    if sid in ix.results:
        r = ix.results[sid]
        return f"Resultado {r.code_raw} — {r.unit_number or ''} {r.unit_name or ''}".replace("  ", " ").strip()
    if sid in ix.deviations:
        d = ix.deviations[sid]
        return (f"Fila de desviación {d.code_raw or '(sin código)'} — {d.unit_number or ''} "
                f"{d.unit_name or ''}").replace("  ", " ").strip()
    if sid in ix.nodes:
        n = ix.nodes[sid]
        return node_label(n) if n.level == "total" else f"{ix.report.template.label(n.level)} {node_label(n)}"
    return "Documento completo"


def _position(f: Finding, ix: Index) -> tuple[int, int]:
    """Where the subject stands in the report: document first, then the results table, then deviations."""
    sid = f.subject_id
    if sid in ix.results:
        return (0, ix.results[sid].seq)
    if sid in ix.nodes:
        return (0, ix.nodes[sid].seq)
    if sid in ix.deviations:
        return (1, ix.deviations[sid].seq)
    return (-1, 0)


def order_key(f: Finding, ix: Index) -> tuple:
    """Severity, page (document-level first), check, the subject's place in the report, the message: all
    content, so the same document and poa version always number their findings the same way."""
    return (SEVERITY_RANK.get(f.severity, 9), f.page or 0, f.check, _position(f, ix), f.message)


def node_band(n: Node, ix: Index) -> tuple[float, float, float, float] | None:
    """The strip of the page a section row stands in: between the result rows before and after it on its
    page (rows share one sequence), at most NODE_BAND points tall; None where its page has no result row."""
    on_page = sorted((r for r in ix.report.results if r.page_first == n.page), key=lambda r: r.seq)
    if not on_page:
        return None
    before = [r for r in on_page if r.seq < n.seq]
    after = [r for r in on_page if r.seq > n.seq]
    x0 = min(r.bbox[0] for r in on_page)
    x1 = max(r.bbox[2] for r in on_page)
    if before:
        top = before[-1].bbox[3]
        bottom = min(after[0].bbox[1], top + NODE_BAND) if after else top + NODE_BAND
    else:
        bottom = after[0].bbox[1]
        top = max(0.0, bottom - NODE_BAND)
    return (x0, top, x1, max(bottom, top + 12))


def locate(f: Finding, ix: Index) -> Region | None:
    """The region of the PDF a finding points at: its row's box; for a section row, the strip it stands in;
    for a unit named on a deviation-table page, its first row there with the heading above it."""
    turns = ix.report.document.quality.pages_turned  # page -> the turn its boxes are measured in

    def at(page: int, box) -> Region:
        return Region(page, None if box is None else tuple(box), turns.get(page, 0))

    sid = f.subject_id
    if sid in ix.results:
        r = ix.results[sid]
        return at(r.page_first, r.bbox) if f.page in (None, r.page_first) else Region(f.page)
    if sid in ix.deviations:
        d = ix.deviations[sid]
        return at(d.page, d.bbox) if f.page in (None, d.page) else Region(f.page)
    if sid in ix.nodes:
        n = ix.nodes[sid]
        if f.page in (None, n.page):
            return at(n.page, node_band(n, ix))
        rows = sorted((d for d in ix.report.deviations if d.page == f.page and d.result_id in ix.results
                       and ix.results[d.result_id].unit_id == n.node_id), key=lambda d: d.seq)
        if rows:
            x0, top, x1, bottom = rows[0].bbox
            return at(f.page, (x0, max(0.0, top - UNIT_HEADING), x1, bottom))
        return Region(f.page)
    return Region(f.page) if f.page else None


def numbered(report: Report) -> list[Numbered]:
    """Every finding, ordered by severity then page, numbered H-001…"""
    ix = Index(report)
    found = sorted(report.findings, key=lambda f: order_key(f, ix))
    width = max(3, len(str(len(found))))
    return [Numbered(f"H-{i:0{width}d}", f, subject(f, ix), locate(f, ix)) for i, f in enumerate(found, 1)]


# ------------------------------------------------------------------ the working of each hierarchy row


@dataclass(frozen=True)
class Operand:
    """One value that enters (or is left out of) a row's average."""

    label: str
    page: int
    value: float | None  # a result's % as printed, or a part's unrounded recomputed %
    printed: float | None  # a part's printed %, for comparison
    counted: bool
    why_not: str = ""  # why it is left out
    seq: int | None = None  # a part: its row, to link to its own working
    weight: float | None = None  # what it weighs in the average, where the profile weights it (Pond.)
    corrected: bool = False  # its % (a result's, or a part's printed one) was set by hand, not read from the PDF


@dataclass(frozen=True)
class Working:
    node: Node
    label: str  # the row's level as the report names it ("Unidad", "Promedio de grupo")
    leaf: bool  # its figure is its results' mean (a unit, an area), not its parts'
    style: str  # how the working paper sets its row: lvl-0 / lvl-1 (the two outermost levels), lvl-within
    operation: str  # the rule, in words
    operands: tuple[Operand, ...]
    total: float  # sum of the counted values (each times its weight, where the average is weighted)
    count: int
    value: float | None  # the mean: node.recomputed_physical_pct
    rounded: float | None
    printed: float | None
    holds: bool | None  # None where there is nothing to compare
    alternatives: tuple[tuple[str, float], ...]  # rules that give the printed figure where the report's does not
    weighted: bool = False  # the average weights its values (total ÷ weights, not ÷ count)
    weights: float = 0.0  # the sum of the counted values' weights
    decimals: int = 0  # the printed figures' decimals (the profile's)

    @property
    def kind(self) -> str:
        return "results" if self.leaf else "parts"


def rounding_words(decimals: int) -> str:
    """How the report rounds its figures, in words."""
    if decimals == 0:
        return "redondeado al entero, mitad hacia arriba (62,5 → 63)"
    return f"redondeado a {decimals} decimal{'es' if decimals > 1 else ''}, mitad hacia arriba"


def structure_operation(level: str, tree: Tree) -> str:
    """How a group row's or the total's figure is made, in words."""
    a = tree.report.template.arithmetic
    mean = "Promedio ponderado por el peso (Pond.)" if a.average == "weighted" else "Promedio"
    closes = "las unidades" if tree.report.template.levels else "los resultados"
    said = {"section": f"{mean} de los valores sin redondear de {closes} que cierra este grupo",
            "total": f"{mean} de los promedios de grupo sin redondear"}
    return f"{said.get(level, f'{mean} de sus componentes')}; {rounding_words(a.decimals)}."


def _of(called: str) -> str:
    """"de" before how a row is named, contracted as Spanish does: de la unidad, del área."""
    return f"del {called[3:]}" if called.startswith("el ") else f"de {called}"


def operation(level: str, tree: Tree) -> str:
    """How a row's figure is made, in words: its results' mean for a unit or an area, its parts' for a level
    above (the profile may say which parts), the groups' for the structure's rows."""
    profile = tree.report.template
    a = profile.arithmetic
    rounding = rounding_words(a.decimals)
    mean = "Promedio ponderado por el peso (Pond.)" if a.average == "weighted" else "Promedio aritmético"
    spec = profile.level(level)
    out_of_range = "fuera de 0–100 %" if a.top is not None else "negativos"
    if spec is None and level == "total" and not profile.levels:  # the total of a list of results under no level
        return (f"{mean} del avance físico de los resultados de la tabla; se excluyen los resultados sin avance "
                f"impreso y los avances {out_of_range}; {rounding}.")
    if spec is None:
        if level == "total" and profile.group is None:
            return f"{mean} de los valores sin redondear de sus componentes, no de sus cifras impresas; {rounding}."
        return structure_operation(level, tree)
    called = profile.called(level)
    if level in tree.leaves:
        said = (f"{mean} del avance físico de los resultados {_of(called)}; se excluyen los resultados "
                f"sin avance impreso y los avances {out_of_range}; {rounding}.")
        return said if spec.figures else f"{said} ({called[:1].upper()}{called[1:]} no imprime cifra propia.)"
    parts = spec.operation or f"{mean} de los valores sin redondear de sus componentes, no de sus cifras impresas"
    return f"{parts}; {rounding}."


def _result_operand(r: Result, weighted: bool, top: float | None = 100.0) -> Operand:
    why = ("sin avance impreso" if r.physical_pct is None else
           ("fuera de 0–100 %" if top is not None else "negativo") if not counts(r.physical_pct, top) else
           "sin peso (Pond.) impreso" if weighted and r.weight is None else "")
    return Operand(r.code_raw or "(sin código)", r.page_first, r.physical_pct, None, not why, why,
                   weight=r.weight if weighted else None, corrected="physical_pct" in r.corrected)


def _part_operand(p: Node, tree: Tree, weighted: bool) -> Operand:
    v = p.recomputed_physical_pct
    weight = sum(r.weight for r in tree.results_under(p) if counts(r.physical_pct, tree.top) and r.weight is not None) \
        if weighted else None
    return Operand(node_label(p), p.page, v, p.reported_physical_pct, v is not None,
                   "" if v is not None else "sin valor recalculado", p.seq, weight,
                   corrected="reported_physical_pct" in p.corrected)


def working(node: Node, tree: Tree) -> Working:
    """How the node's recomputed figure is made, step by step, from the same rows `recompute` uses."""
    profile = tree.report.template
    a = profile.arithmetic
    weighted = a.average == "weighted"
    rows = tree.rows_of(node)  # what tree.operands gives: the results, or else the parts
    leaf = rows is not None
    if rows is not None:
        ops = tuple(_result_operand(r, weighted, tree.top) for r in rows)
    else:
        ops = tuple(_part_operand(p, tree, weighted) for p in tree.parts(node))
    used = [o for o in ops if o.counted]
    values = [(o.value, o.weight or 0) for o in used if o.value is not None]  # all of them: a counted one has a value
    value = node.recomputed_physical_pct
    rounded = half_up(value, a.decimals) if value is not None else None
    printed = node.reported_physical_pct
    holds = None if printed is None or rounded is None else rounded == printed
    depth = profile.depth(node.level)
    within = depth is not None and profile.levels[depth].within is not None
    style = "lvl-within" if within else f"lvl-{depth}" if depth is not None and depth < 2 else ""
    total = sum(v * w for v, w in values) if weighted else sum(v for v, _ in values)
    return Working(node, profile.label(node.level), leaf, style, operation(node.level, tree), ops,
                   total, len(used), value, rounded, printed, holds, tuple(explaining(node, tree)),
                   weighted, sum(o.weight or 0 for o in used), a.decimals)


def workings(report: Report) -> list[Working]:
    tree = Tree(report)
    return [working(n, tree) for n in report.nodes]
