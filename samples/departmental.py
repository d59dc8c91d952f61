"""A report of a family poa has no built-in profile for: a departmental government's quarterly POA evaluation.

Its results are the seed's (texts and figures), regrouped and recoded as such a report prints them:
- title "EVALUACIÓN DEL POA — TERCER TRIMESTRE GESTIÓN 2019", results obtained by 30/09/2019;
- columns retitled: CÓDIGO | RESULTADO PROGRAMADO | RESULTADO ALCANZADO AL 30/09/2019 | % EJECUCIÓN FÍSICA |
  CAUSAS DE DESVIACIÓN (the causes in a column of the results table, no table of their own);
- dotted codes `1.2.3.4`: Secretaría, Dirección, Unidad, result;
- three levels, each printing its figure: SECRETARÍA DEPARTAMENTAL → DIRECCIÓN → UNIDAD, and a total row;
- its own rule: a result under 50 % states its cause.

Every printed average follows the family's arithmetic (means of unrounded figures, half-up), but for the
faults planted (`PLANTED`): a unit's printed figure off, a result under 50 % with no cause, a cause given for a
result at 50 % or more. The expected rows and findings come from here, never from the pipeline.

    render("writer", path) / render("chromium", path)     # the PDF
    expected()                                             # what poa must read back
    PROFILE                                                # the profile a user would write for it (TOML)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from statistics import fmean

from samples.seed import read_seed

ENTITY = "GOBIERNO AUTÓNOMO DEPARTAMENTAL DE LA PAZ"
TITLE = "EVALUACIÓN DEL POA — TERCER TRIMESTRE GESTIÓN 2019"
TABLE_TITLE = "Ejecución física de resultados por Secretaría, Dirección y Unidad"
HEADER = ("CÓDIGO", "RESULTADO PROGRAMADO", "RESULTADO ALCANZADO AL 30/09/2019", "% EJECUCIÓN FÍSICA",
          "CAUSAS DE DESVIACIÓN")
WIDTHS = (9, 32, 32, 9, 26)
TOTAL = "TOTAL EJECUCIÓN FÍSICA DEL GOBIERNO DEPARTAMENTAL"
THRESHOLD = 50
SECRETARIAS = ("SECRETARÍA DEPARTAMENTAL DE PLANIFICACIÓN DEL DESARROLLO", "SECRETARÍA DEPARTAMENTAL DE MINERÍA")
DIRECCIONES = (("DIRECCIÓN DE PLANIFICACIÓN ESTRATÉGICA", "DIRECCIÓN DE GESTIÓN INSTITUCIONAL"),
               ("DIRECCIÓN DE POLÍTICA MINERA", "DIRECCIÓN DE FISCALIZACIÓN"))
UNIT_WORD = "UNIDAD"
# The faults planted: (unit index, result index) of the result whose cause is removed, and of the one given a
# cause it does not need; the unit whose printed figure is off by 3 points.
PLANTED = {"no_cause": (0, 2), "needless_cause": (1, 0), "unit_off": 3}

PROFILE = r'''# A departmental government's quarterly POA evaluation: results by Secretaría, Dirección and Unidad, codes
# 1.2.3.4, the causes of deviation in a column of the results table.
name = "evaluacion-departamental"
title = "Evaluación trimestral del POA departamental: Secretaría → Dirección → Unidad, códigos 1.2.3.4"

[code]
pattern = '(?P<objective>\d+\.\d+\.\d+)\.(?P<sequence>\d+)'
starts = '\d+\s*\.\s*\d+\s*\.\s*\d+\s*\.\s*\d+'

[header]
anchor = '^codigo'
words = ["codigo", "resultado", "programado", "alcanzado", "al", "%", "ejecucion", "fisica", "causas", "de",
         "desviacion"]
closing = '^(fuente\s*:|nota\s*:)'

[[tables]]
kind = "results"
named_by = ["alcanzad"]
columns = [
    { role = "code", titles = ['^codigo'] },
    { role = "expected", titles = ['^programad'] },
    { role = "obtained", titles = ['^alcanzad'] },
    { role = "physical", titles = ['^fisic'] },
    { role = "cause", titles = ['^(causa|desviac)'] },
]

[[levels]]
name = "secretaria"
label = "Secretaría Departamental"
starts = '^secretaria departamental\b'
called = "la Secretaría Departamental"

[[levels]]
name = "direccion"
label = "Dirección"
starts = '^direccion\b'
called = "la Dirección"

[[levels]]
name = "unidad"
label = "Unidad"
starts = '^unidad\b'
results = true
called = "la unidad"

[rows]
total = '^total ejecucion'
total_called = "el total departamental"

[deviations]
where = "column"
threshold = 50

[entity]
skip = ['^evaluacion', '^codigo', '^ejecucion fisica de resultados']
'''


def half_up(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Result:
    code: str
    expected: str
    obtained: str
    pct: float | None
    cause: str


@dataclass(frozen=True)
class Unit:
    name: str
    results: tuple[Result, ...]


def _pct(cell: str) -> float | None:
    cell = cell.strip().rstrip("%").strip()
    return float(cell) if cell else None


def units() -> list[list[list[Unit]]]:
    """Secretarías → Direcciones → Unidades, each unit with the results of one of the seed's units (the first
    eight with results), renamed and recoded; causes from the seed's deviation table where it has one."""
    seed = read_seed()
    causes = {(d.context["unit_name"], d.cells[0]): d.cells[2] for d in seed.deviations if d.kind == "deviation"}
    by_unit: dict[str, list] = {}
    for r in seed.results:
        if r.kind == "result" and r.context.get("unit_name"):
            by_unit.setdefault(r.context["unit_name"], []).append(r)
    picked = list(by_unit.items())[:8]
    tree, k = [], 0
    for s in range(2):
        secretaria = []
        for d in range(2):
            direccion = []
            for u in range(2):
                seed_name, rows = picked[k]
                results = []
                for i, r in enumerate(rows[:6]):
                    pct = _pct(r.cells[3])
                    cause = "" if pct is None or pct >= THRESHOLD else (
                        _cause_of(causes, seed_name, r) or "Demora en la aprobación del proceso de contratación.")
                    if (k, i) == PLANTED["no_cause"]:
                        cause = ""
                    if (k, i) == PLANTED["needless_cause"]:
                        cause = "Reprogramado por la Secretaría."
                    results.append(Result(f"{s + 1}.{d + 1}.{u + 1}.{i + 1}", r.cells[1], r.cells[2], pct, cause))
                direccion.append(Unit(f"{UNIT_WORD} DE {seed_name.upper().removeprefix('UNIDAD DE ')}", tuple(results)))
                k += 1
            secretaria.append(direccion)
        tree.append(secretaria)
    return tree


def _cause_of(causes: dict, unit: str, row) -> str:
    """The seed's cause for a result (its deviation table names units as it pleases: by code and name start)."""
    return next((c for (name, code), c in causes.items() if code == row.cells[0] and name[:12] == unit[:12]), "")


def figures() -> dict:
    """Every node's recomputed (unrounded) figure and printed one (half-up, but the planted fault)."""
    tree = units()
    out: dict = {"units": [], "direcciones": [], "secretarias": []}
    k = 0
    sec_values = []
    for s, secretaria in enumerate(tree):
        dir_values = []
        for d, direccion in enumerate(secretaria):
            unit_values = []
            for unit in direccion:
                value = fmean([r.pct for r in unit.results if r.pct is not None])
                printed = half_up(value) + (3 if k == PLANTED["unit_off"] else 0)
                out["units"].append((unit.name, value, printed))
                unit_values.append(value)
                k += 1
            dv = fmean(unit_values)
            out["direcciones"].append((DIRECCIONES[s][d], dv, half_up(dv)))
            dir_values.append(dv)
        sv = fmean(dir_values)
        out["secretarias"].append((SECRETARIAS[s], sv, half_up(sv)))
        sec_values.append(sv)
    tv = fmean(sec_values)
    out["total"] = (TOTAL, tv, half_up(tv))
    return out


def rows() -> list[tuple[str, tuple[str, ...]]]:
    """The results table's body in print order: (kind, five cells)."""
    tree, figs = units(), figures()
    printed = {name: p for name, _, p in figs["units"] + figs["direcciones"] + figs["secretarias"]}
    out = []
    for s, secretaria in enumerate(tree):
        out.append(("secretaria", (SECRETARIAS[s], "", "", f"{printed[SECRETARIAS[s]]}%", "")))
        for d, direccion in enumerate(secretaria):
            out.append(("direccion", (DIRECCIONES[s][d], "", "", f"{printed[DIRECCIONES[s][d]]}%", "")))
            for unit in direccion:
                out.append(("unidad", (unit.name, "", "", f"{printed[unit.name]}%", "")))
                for r in unit.results:
                    out.append(("result", (r.code, r.expected, r.obtained,
                                           "" if r.pct is None else f"{r.pct:g}%", r.cause)))
    out.append(("total", (TOTAL, "", "", f"{figs['total'][2]}%", "")))
    return out


def expected() -> dict:
    """What poa must read back: every result with its levels, every node with its printed and recomputed
    figure, and the findings the planted faults make (check, subject) — no others."""
    tree, figs = units(), figures()
    results = []
    for s, secretaria in enumerate(tree):
        for d, direccion in enumerate(secretaria):
            for unit in direccion:
                for r in unit.results:
                    results.append(dict(code=r.code, expected=r.expected, obtained=r.obtained, physical_pct=r.pct,
                                        cause=r.cause, levels={"secretaria": SECRETARIAS[s],
                                                               "direccion": DIRECCIONES[s][d], "unidad": unit.name}))
    nodes = []
    for level, name, value, printed in (
            [("secretaria", n, v, p) for n, v, p in figs["secretarias"]] + [("direccion", n, v, p) for n, v, p in
                                                                             figs["direcciones"]]
            + [("unidad", n, v, p) for n, v, p in figs["units"]] + [("total", *figs["total"])]):
        nodes.append(dict(level=level, name=name, recomputed=round(value, 4), printed=printed))
    flat = [(k, i, r) for k, unit in enumerate(u for sec in tree for d in sec for u in d) for i, r in enumerate(unit.results)]
    findings = {("average_mismatch", figs["units"][PLANTED["unit_off"]][0])}
    findings |= {("deviation_missing", r.code) for k, i, r in flat if r.pct is not None and r.pct < THRESHOLD and not r.cause}
    findings |= {("deviation_unneeded", r.code) for k, i, r in flat if r.pct is not None and r.pct >= THRESHOLD and r.cause}
    findings |= {("pct_missing", r.code) for k, i, r in flat if r.pct is None}
    return dict(entity=ENTITY, period="2019-Q3", obtained_date="2019-09-30", results=results,
                nodes=sorted(nodes, key=lambda n: (n["level"], n["name"])), findings=sorted(findings))


# ---------------------------------------------------------------- the producers


def _table():
    from samples.layouts.common import Column, Row, Table

    columns = tuple(Column(t, w, pct=(i == 3)) for i, (t, w) in enumerate(zip(HEADER, WIDTHS)))
    body = tuple(Row(kind, cells, (0, 2) if kind != "result" else None) for kind, cells in rows())
    return Table("results", (ENTITY, TITLE, TABLE_TITLE), (), columns, body,
                 ("Fuente: Sistema de seguimiento del POA departamental.",))


def render(producer: str, path: str | Path) -> None:
    """The report as Word (LibreOffice Writer) or HTML (Chromium) prints it: a ruled table whose header repeats
    on every page, section rows merged across the text columns."""
    from samples.layouts import print_table

    print_table(_table(), producer, path, page_height=8.5)
