"""A weighted follow-up of short-term actions with their budget, in the style of the Bolivian Ministry of Economy's
SIPP: `Cod. | Pond. | Acciones de Corto Plazo | Presupuesto Vigente (Bs.) | Presupuesto Ejecutado (Bs.) |
% Ejec. Ppto. | % Avance Físico | Resultado / Desviación`, actions grouped by areas with a subtotal row per group
("Sub Total Áreas Sustantivas" …) and a TOTAL, numbers as es-BO prints them ("2.114.698,00", "14,51%").

Its arithmetic (the built-in profile `seguimiento-acp-ponderado`): an action's budget % is executed ÷ current; a
subtotal's and the total's physical % the mean of the actions' weighted by Pond., its budget % the executed ÷
current of the actions' sums; two decimals, half-up. Every printed figure follows it but for the faults planted
(`PLANTED`): a subtotal's physical % no rule gives, and an action's budget % that is not its executed ÷ current.
The expected rows and findings come from here, never from the pipeline.

    render("writer", path) / render("chromium", path)     # the PDF
    expected()                                             # what poa must read back
    python -m samples.weighted                             # (re)print both into samples/forms/
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ENTITY = "MINISTERIO DE ECONOMÍA Y FINANZAS PÚBLICAS"
TITLE = "SEGUIMIENTO A LAS ACCIONES DE CORTO PLAZO — PRIMER TRIMESTRE GESTIÓN 2025"
TABLE_TITLE = "Ejecución física y presupuestaria de las Acciones de Corto Plazo por áreas"
HEADER = ("Cod.", "Pond.", "Acciones de Corto Plazo", "Presupuesto Vigente (Bs.)", "Presupuesto Ejecutado (Bs.)",
          "% Ejec. Ppto.", "% Avance Físico", "Resultado / Desviación")
WIDTHS = (6, 6, 30, 13, 13, 9, 9, 24)
TOTAL = "TOTAL"


@dataclass(frozen=True)
class Action:
    code: str
    weight: float  # Pond., in % of the whole
    text: str
    current: float  # Presupuesto Vigente (Bs.)
    executed: float
    physical: float  # % Avance Físico, as printed (two decimals)
    result: str


GROUPS: tuple[tuple[str, tuple[Action, ...]], ...] = (
    ("Sub Total Áreas Sustantivas", (
        Action("1.1", 15, "Formular el Presupuesto General del Estado de la gestión", 2_114_698.00, 306_843.08,
               25.00, "Anteproyecto remitido en plazo."),
        Action("1.2", 10, "Elaborar los informes de seguimiento fiscal trimestral", 845_120.50, 211_280.13,
               30.00, "Informe del primer trimestre publicado."),
        Action("1.3", 20, "Administrar el Sistema de Gestión Pública en las entidades", 5_310_402.75, 1_194_840.62,
               18.50, "Retraso en la contratación de consultores."),
        Action("1.4", 5, "Capacitar a servidores públicos en normas de administración", 398_760.00, 39_876.00,
               10.00, "Cursos reprogramados al segundo trimestre."),
        Action("1.5", 10, "Registrar la deuda pública interna y externa", 1_250_000.00, 437_500.00,
               35.00, "Registro al día."),
    )),
    ("Sub Total Áreas de Apoyo", (
        Action("2.1", 10, "Gestionar la contratación de bienes y servicios", 3_402_115.40, 680_423.08,
               22.00, "Procesos en curso."),
        Action("2.2", 10, "Mantener la infraestructura tecnológica del Ministerio", 2_750_300.00, 1_100_120.00,
               40.00, "Servidores renovados."),
        Action("2.3", 10, "Atender los procesos judiciales y administrativos", 612_450.25, 91_867.54,
               15.00, "Audiencias suspendidas por el órgano judicial."),
        Action("2.4", 10, "Gestionar el talento humano y la planilla salarial", 9_875_640.10, 2_468_910.03,
               25.00, "Planillas pagadas en término."),
    )),
)
# The faults: the first subtotal's physical % printed 4 points above what any rule gives; action 2.3's budget %
# printed as if it had executed 25 % of its budget.
PLANTED = {"subtotal_off": 0, "subtotal_by": 4.0, "budget_pct_off": "2.3", "budget_pct_printed": 25.00}


def half_up(x: float, decimals: int = 2) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def es(x: float) -> str:
    """es-BO, two decimals: 2.114.698,00."""
    return f"{x:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(x: float) -> str:
    return f"{es(x)}%"


def budget_pct(a: Action) -> float:
    return PLANTED["budget_pct_printed"] if a.code == PLANTED["budget_pct_off"] else half_up(a.executed / a.current * 100)


def weighted(actions) -> float:
    return sum(a.physical * a.weight for a in actions) / sum(a.weight for a in actions)


def ratio(actions) -> float:
    return sum(a.executed for a in actions) / sum(a.current for a in actions) * 100


def nodes() -> list[dict]:
    """Each subtotal and the total: the figures recomputed (unrounded) and as printed."""
    out = []
    for i, (name, actions) in enumerate(GROUPS):
        physical = weighted(actions)
        printed = half_up(physical) + (PLANTED["subtotal_by"] if i == PLANTED["subtotal_off"] else 0)
        out.append(dict(level="section", name=name, physical=physical, physical_printed=printed,
                        current=sum(a.current for a in actions), executed=sum(a.executed for a in actions),
                        budget=ratio(actions), budget_printed=half_up(ratio(actions))))
    every = [a for _, actions in GROUPS for a in actions]
    out.append(dict(level="total", name=TOTAL, physical=weighted(every), physical_printed=half_up(weighted(every)),
                    current=sum(a.current for a in every), executed=sum(a.executed for a in every),
                    budget=ratio(every), budget_printed=half_up(ratio(every))))
    return out


def rows() -> list[tuple[str, tuple[str, ...]]]:
    """The table's body in print order: (kind, eight cells)."""
    figures = {n["name"]: n for n in nodes()}
    out = []
    for name, actions in GROUPS:
        for a in actions:
            out.append(("result", (a.code, f"{a.weight:g}", a.text, es(a.current), es(a.executed), pct(budget_pct(a)),
                                   pct(a.physical), a.result)))
        n = figures[name]
        out.append(("group", (name, "", "", es(n["current"]), es(n["executed"]), pct(n["budget_printed"]),
                              pct(n["physical_printed"]), "")))
    n = figures[TOTAL]
    out.append(("total", (TOTAL, "", "", es(n["current"]), es(n["executed"]), pct(n["budget_printed"]),
                          pct(n["physical_printed"]), "")))
    return out


def expected() -> dict:
    """What poa must read back: every action with its figures, every subtotal and the total with their printed
    and recomputed figures, and the findings the planted faults make (check, subject) — no others."""
    results = [dict(code=a.code, weight=a.weight, expected=a.text, budget_current=a.current, budget_executed=a.executed,
                    budget_pct=budget_pct(a), physical_pct=a.physical, obtained=a.result, group=name)
               for name, actions in GROUPS for a in actions]
    off = GROUPS[PLANTED["subtotal_off"]][0]
    findings = {("average_mismatch", off), ("budget_pct_mismatch", PLANTED["budget_pct_off"])}
    return dict(entity=ENTITY, period="2025-Q1", results=results, nodes=nodes(), findings=sorted(findings))


# ---------------------------------------------------------------- the producers


def _table():
    from samples.layouts.common import Column, Row, Table

    columns = tuple(Column(t, w, pct=(i in (5, 6))) for i, (t, w) in enumerate(zip(HEADER, WIDTHS)))
    body = tuple(Row(kind, cells, (0, 2) if kind != "result" else None) for kind, cells in rows())
    return Table("results", (ENTITY, TITLE, TABLE_TITLE), (), columns, body,
                 ("Fuente: Sistema de Planificación y Presupuesto (SIPP).",))


def render(producer: str, path: str | Path) -> None:
    """The report as Word (LibreOffice Writer) or HTML (Chromium) prints it, landscape: a ruled table whose header
    repeats on every page, the subtotal and total labels merged across the first three columns."""
    from samples.layouts import print_table

    print_table(_table(), producer, path)


FOLDER = Path(__file__).resolve().parent / "forms"


def prints() -> dict[str, Path]:
    """The committed prints, by producer."""
    return {p: FOLDER / f"mefp-acp-ponderado-2025-q1-{p}.pdf" for p in ("writer", "chromium")}


if __name__ == "__main__":
    from samples.efficacy import print_all

    sys.exit(print_all(render, prints(), sys.argv[1:]))
