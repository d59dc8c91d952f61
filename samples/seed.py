"""The seed report's text, read into rows: the ground truth the samples are rendered from.

This is the test oracle, written independently of the pipeline on purpose: it reads the tab-separated
text extraction of the one real report we have, where every row is one line and every cell is a tab field,
so it needs none of the geometry the pipeline has to solve.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

SEED = Path(__file__).parent / "seed" / "mmm-poa-2016-s1.txt"

CODE = re.compile(r"^[\dOl]{2}-[\dOl]{2}\.[\dOl]{2}\.[\dOl]{2}-[\dOl]{2}$")  # a planted fault garbles one
UNIT = re.compile(r"^(\d{2})\s+(\S.*)$")


def fold(text: str) -> str:
    """Lower case without accents, for recognising section keywords."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class SeedRow:
    """One printed row of a table, its cells exactly as the seed has them."""

    cells: list[str]
    kind: str  # result | unit | direction | viceministry | area | group | total | deviation | dev_unit
    number: str | None = None
    name: str | None = None
    context: dict = field(default_factory=dict)

    @property
    def pct(self) -> float | None:
        return parse_pct(self.cells[3]) if len(self.cells) > 4 else None

    @property
    def budget(self) -> float | None:
        return parse_pct(self.cells[4]) if len(self.cells) > 4 else None


@dataclass
class Seed:
    entity: str
    period: str
    results_title: str
    deviations_title: str
    mission: str
    vision: str
    expected_date: str
    obtained_date: str
    results: list[SeedRow]
    deviations: list[SeedRow]
    results_footer: str
    deviations_note: str
    deviations_footer: str


def parse_pct(cell: str) -> float | None:
    cell = cell.strip().rstrip("%").strip()
    return float(cell) if cell else None


def _classify_results(rows: list[list[str]]) -> list[SeedRow]:
    out = []
    ctx = dict(viceministry=None, direction=None, unit_number=None, unit_name=None, area=None)
    for cells in rows:
        code, text = cells[0], " ".join(c for c in cells[:3] if c)
        low = fold(text)
        if CODE.match(code):
            out.append(SeedRow(cells, "result", context=dict(ctx)))
            continue
        if low.startswith("ejecucion fisica promedio"):
            kind = "total" if "nivel operativo central" in low else "group"
            out.append(SeedRow(cells, kind, name=text))
            ctx.update(viceministry=None, direction=None, unit_number=None, unit_name=None, area=None)
        elif low.startswith("viceministerio"):
            out.append(SeedRow(cells, "viceministry", name=text))
            ctx.update(viceministry=text, direction=None, unit_number=None, unit_name=None, area=None)
        elif low.startswith("direccion general"):
            out.append(SeedRow(cells, "direction", name=text))
            ctx.update(direction=text, unit_number=None, unit_name=None, area=None)
        elif low.startswith("area"):
            out.append(SeedRow(cells, "area", name=text))
            ctx.update(area=text)
        elif re.fullmatch(r"\d{2}", code):
            name = cells[1]
            out.append(SeedRow(cells, "unit", number=code, name=name))
            if fold(name).startswith("direccion general"):
                ctx.update(direction=name)
            ctx.update(unit_number=code, unit_name=name, area=None)
        else:
            raise ValueError(f"unclassified seed row: {cells}")
    return out


def _classify_deviations(rows: list[list[str]]) -> list[SeedRow]:
    out = []
    ctx = dict(unit_number=None, unit_name=None)
    for cells in rows:
        if CODE.match(cells[0]):
            out.append(SeedRow(cells, "deviation", context=dict(ctx)))
            continue
        number, name = cells[0], cells[1]
        if not name:  # "09 Unidad Financiera" in one cell
            number, name = UNIT.match(cells[0]).groups()
        out.append(SeedRow(cells, "dev_unit", number=number, name=name))
        ctx.update(unit_number=number, unit_name=name)
    return out


def read_seed(path: Path = SEED) -> Seed:
    lines = path.read_text(encoding="utf-8").splitlines()
    nonblank = [squash(x) for x in lines if x.strip() and "\t" not in x]
    entity, period, results_title = nonblank[0], nonblank[1], nonblank[2]
    mission = next(x for x in nonblank if x.startswith("Misión:"))
    vision = next(x for x in nonblank if x.startswith("Visión:"))
    deviations_title = next(x for x in nonblank if "CAUSAS DE DESVIACIÓN" in x)
    footers = [x for x in nonblank if x.startswith("Fuente:")]
    note = next(x for x in nonblank if x.startswith("*/"))

    res_rows, dev_rows, section = [], [], None
    header = next(x for x in lines if x.startswith("Cód.\tRESULTADOS"))
    dates = re.findall(r"\d{2}/\d{2}/\d{4}", header)
    for line in lines:
        if line.startswith("Cód.\tRESULTADOS"):
            section = "results"
            continue
        if line.startswith("Cód.\tResultados"):
            section = "deviations"
            continue
        if line.startswith("Fuente:") or line.startswith("*/"):
            section = None
        if section is None or not line.strip() or line.strip() in ("FÍSICO\tPPTARIO.",):
            continue
        cells = [squash(c) for c in line.split("\t")]
        width = 5 if section == "results" else 4
        cells = (cells + [""] * width)[:width]
        (res_rows if section == "results" else dev_rows).append(cells)
    return Seed(
        entity=entity, period=period, results_title=results_title, deviations_title=deviations_title,
        mission=mission, vision=vision, expected_date=dates[0], obtained_date=dates[1],
        results=_classify_results(res_rows), deviations=_classify_deviations(dev_rows),
        results_footer=footers[0], deviations_note=note, deviations_footer=footers[1],
    )


def half_up(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def second_semester(seed: Seed) -> Seed:
    """The variant: the same plan at year end, with its own figures and dates.

    Results at 35 % or more move on (+50, capped at 100); those below stay, so the deviation table still
    explains exactly the results that need it. Every average is recomputed by the ministry's arithmetic,
    half-up, so the variant's printed figures are consistent by construction.
    """
    results: list[SeedRow] = []
    for row in seed.results:
        cells = list(row.cells)
        if row.kind == "result" and row.pct is not None and row.pct >= 35:
            cells[3] = f"{min(100, int(row.pct) + 50)}%"
        results.append(replace(row, cells=cells))
    _reprint_averages(results)
    period = seed.period.replace("PRIMER SEMESTRE", "SEGUNDO SEMESTRE")
    return replace(seed, period=period, obtained_date="31/12/2016", results=results,
                   results_footer=seed.results_footer.replace("30/06/2016", "31/12/2016"),
                   deviations_note=seed.deviations_note.replace("30/06/2016", "31/12/2016"),
                   deviations_footer=seed.deviations_footer.replace("30/06/2016", "31/12/2016"))


def annual(seed: Seed) -> Seed:
    """The year-end figures (`second_semester`) under an annual evaluation's title, which names no semester:
    "EVALUACIÓN POA GESTIÓN 2016", results obtained by 31/12/2016. Its period is the whole gestión."""
    s = second_semester(seed)
    return replace(s, period=f"EVALUACIÓN POA GESTIÓN {seed.period[-4:]}")


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _reprint_averages(rows: list[SeedRow]) -> None:
    """Rewrite the printed % of every section row from the (new) result figures."""
    unit_means: dict[int, float] = {}
    pending: dict[int, list[float]] = {}
    current_unit = None
    for i, row in enumerate(rows):
        if row.kind == "unit":
            current_unit = i
            pending[i] = []
        elif row.kind == "result" and row.pct is not None and current_unit is not None:
            pending[current_unit].append(row.pct)
        elif row.kind in ("group", "total", "viceministry", "direction"):
            current_unit = None
    unit_means = {i: _mean(v) for i, v in pending.items()}

    def set_pct(i: int, value: float | None, budget_shift: int = 0) -> None:
        cells = rows[i].cells
        cells[3] = "" if value is None else f"{half_up(value)}%"
        if budget_shift and cells[4]:
            cells[4] = f"{min(100, int(parse_pct(cells[4])) + budget_shift)}%"

    for i, m in unit_means.items():
        set_pct(i, m)
    # directions: mean of the unit means that follow until the next direction/vm/group
    group_units: list[float] = []
    group_children: list[float] = []
    vm_idx, vm_dirs = None, []
    dir_idx, dir_units = None, []

    def close_dir() -> None:
        nonlocal dir_idx, dir_units
        if dir_idx is not None:
            m = _mean(dir_units)
            set_pct(dir_idx, m)
            vm_dirs.append(m)
        dir_idx, dir_units = None, []

    def close_vm() -> None:
        nonlocal vm_idx, vm_dirs
        close_dir()
        if vm_idx is not None:
            set_pct(vm_idx, _mean(vm_dirs), budget_shift=40)
        vm_idx, vm_dirs = None, []

    for i, row in enumerate(rows):
        if row.kind == "viceministry":
            close_vm()
            vm_idx = i
        elif row.kind == "direction":
            close_dir()
            dir_idx = i
        elif row.kind == "unit":
            m = unit_means[i]
            if fold(row.name).startswith("direccion general"):
                close_dir()
                vm_dirs.append(m)
            elif dir_idx is not None:
                dir_units.append(m)
            group_units.append(m)
        elif row.kind == "group":
            close_vm()
            g = _mean(group_units)
            set_pct(i, g, budget_shift=40)
            group_children.append(g)
            group_units = []
        elif row.kind == "total":
            set_pct(i, _mean(group_children), budget_shift=40)


# Each planted fault: what is changed, and the finding (check, subject) the pipeline must raise for it.
PLANTED = (
    ("unit 02 prints 58 % instead of its 50 %", "average_mismatch", "02 Jefatura de Gabinete"),
    ("result 09 08-01.01.01-07 prints 150 %", "pct_out_of_range", "09 08-01.01.01-07"),
    ("result 09 08-01.01.01-08 says 'Ninguno.' at 50 %", "progress_text_conflict", "09 08-01.01.01-08"),
    ("deviation row for 05 08-01.01.01-05 (0 %) dropped", "deviation_missing", "05 08-01.01.01-05"),
    ("deviation row 05 08-01.01.01-07 printed as O8-01.0l.01-07", "code_repaired", "05 08-01.01.01-07"),
    ("deviation table names unit 04 'Unidad de Auditoria Interna:'", "unit_name_variant", "04 Unidad de Auditoría Interna"),
    ("deviation table numbers unit 07 as 27", "unit_number_inconsistent", "07 Unidad de Análisis Jurídico"),
)


def planted(seed: Seed) -> Seed:
    """The seed with the faults in PLANTED: each must be found, and nothing else beyond the seed's own."""
    results, deviations = [], []
    unit = None
    for row in seed.results:
        cells = list(row.cells)
        if row.kind == "unit":
            unit = row.number
            if unit == "02":
                cells[3] = "58%"
        elif row.kind == "result" and unit == "09" and cells[0] == "08-01.01.01-07":
            cells[3] = "150%"
        elif row.kind == "result" and unit == "09" and cells[0] == "08-01.01.01-08":
            cells[2] = "Ninguno."
        results.append(replace(row, cells=cells))
    for row in seed.deviations:
        cells, unit = list(row.cells), row.context.get("unit_number") if row.kind == "deviation" else row.number
        if row.kind == "deviation" and unit == "05" and cells[0] == "08-01.01.01-05":
            continue
        if row.kind == "deviation" and unit == "05" and cells[0] == "08-01.01.01-07":
            cells[0] = "O8-01.0l.01-07"
        if row.kind == "dev_unit" and row.number == "04":
            cells[1] = "Unidad de Auditoria Interna:"
        if row.kind == "dev_unit" and row.number == "07":
            cells[0] = "27"
        deviations.append(replace(row, cells=cells))
    return replace(seed, results=_classify_results([r.cells for r in results]),
                   deviations=_classify_deviations([r.cells for r in deviations]))


def _respelled(name: str, k: int) -> str:
    """One of the ways a later report spells the same unit: accents dropped, a trailing colon, upper case,
    "y de" as "y" — taken in turn."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return [plain, name + ":", name.upper(), name.replace(" y de ", " y "), plain.upper() + ":"][k % 5]


def renamed(seed: Seed) -> Seed:
    """A holdout-like second semester: the same plan, its units spelled otherwise (accents, punctuation,
    case) and renumbered (every unit number moves on by 20), in both tables. Keys must join it to the first
    semester result for result."""
    s = second_semester(seed)
    names: dict[str, str] = {}
    k = 0

    def respell(row: SeedRow) -> SeedRow:
        nonlocal k
        if row.kind not in ("unit", "dev_unit"):
            return row
        if row.name not in names:
            names[row.name] = _respelled(row.name, k)
            k += 1
        cells = list(row.cells)
        number = f"{int(row.number) + 20:02d}"
        if row.cells[1]:
            cells[0], cells[1] = number, names[row.name]
        else:  # "09 Unidad Financiera" in one cell
            cells[0] = f"{number} {names[row.name]}"
        return replace(row, cells=cells)

    return replace(s, results=_classify_results([respell(r).cells for r in s.results]),
                   deviations=_classify_deviations([respell(r).cells for r in s.deviations]))
