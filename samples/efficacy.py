"""The efficacy evaluation of a quarter, transposed, in the style of the Caja Nacional de Salud's "EVAL. FORMULARIO
POA N° 2": the unit's operations listed first ("OPE 1.- Elaborar …"), then one table whose columns are the
operations (`OPE 1 … OPE 15`) and whose rows are `META`, `EVAL.` and `% EFI.`; the same % drawn again as a bar
chart (Chromium's print) whose labels repeat the table's figures. One page, landscape.

Its arithmetic (the built-in profile `evaluacion-eficacia`): an operation's % EFI is EVAL ÷ META × 100, two
decimals, half-up; an operation may pass its target (112,50 %). Every printed figure follows it but for the fault
planted (`PLANTED`): one % EFI that is not EVAL ÷ META. The expected rows and findings come from here, never from
the pipeline.

    render("writer", path) / render("chromium", path)     # the PDF
    expected()                                             # what poa must read back
    python -m samples.efficacy                             # (re)print both into samples/forms/
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

ENTITY = "CAJA NACIONAL DE SALUD"
TITLES = (ENTITY, "EVAL. FORMULARIO POA N° 2 — EVALUACIÓN DE EFICACIA — PRIMER TRIMESTRE GESTIÓN 2022",
          "UNIDAD: DEPARTAMENTO NACIONAL DE PLANIFICACIÓN")
NOTE = "Fuente: Sistema de Planificación CNS. % EFI. = EVAL. / META × 100"
FOLDER = Path(__file__).resolve().parent / "forms"
PRODUCERS = ("writer", "chromium")


@dataclass(frozen=True)
class Operation:
    number: int
    text: str
    target: int  # META
    achieved: int  # EVAL.

    @property
    def code(self) -> str:
        return f"OPE {self.number}"


OPERATIONS = tuple(Operation(i, text, meta, ev) for i, (text, meta, ev) in enumerate((
    ("Elaborar el Plan Operativo Anual de la gestión 2023", 1, 1),
    ("Consolidar los informes trimestrales de seguimiento de las regionales", 4, 3),
    ("Evaluar el cumplimiento de las Acciones de Corto Plazo institucionales", 4, 4),
    ("Capacitar al personal de planificación de las administraciones regionales", 12, 7),
    ("Actualizar los indicadores del Plan Estratégico Institucional", 8, 9),
    ("Realizar talleres de formulación presupuestaria con las unidades", 6, 5),
    ("Emitir informes técnicos sobre reformulaciones del POA", 10, 6),
    ("Supervisar la ejecución de proyectos de inversión en salud", 9, 5),
    ("Elaborar la memoria institucional de la gestión", 1, 0),
    ("Atender las solicitudes de información de la Contraloría General del Estado, del Ministerio de Salud y "
     "Deportes, de la Autoridad de Supervisión de la Seguridad Social de Corto Plazo y de otras entidades externas, "
     "en los plazos de la normativa vigente y con sus respaldos técnicos", 20, 17),
    ("Revisar los manuales de organización y funciones", 3, 1),
    ("Coordinar la reunión nacional de planificadores", 1, 1),
    ("Publicar el boletín estadístico de prestaciones de salud", 4, 2),
    ("Validar las estadísticas de producción de servicios", 24, 19),
    ("Elaborar el anteproyecto de presupuesto institucional", 1, 1),
), start=1))
# The fault: OPE 7's % EFI printed ten points above its EVAL ÷ META (6 ÷ 10 = 60,00 %).
PLANTED = {"code": "OPE 7", "printed": 70.00}


def half_up(x: float, decimals: int = 2) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def efficacy(op: Operation) -> float:
    """% EFI as printed."""
    return PLANTED["printed"] if op.code == PLANTED["code"] else half_up(op.achieved / op.target * 100)


def expected() -> dict:
    """What poa must read back: every operation with its text, META, EVAL. and % EFI as printed, and the one
    finding the planted fault makes (check, code) — no others."""
    results = [dict(code=op.code, expected=op.text, target=float(op.target), achieved=float(op.achieved),
                    physical_pct=efficacy(op)) for op in OPERATIONS]
    return dict(entity=ENTITY, period="2022-Q1", results=results, findings=[("row_pct_mismatch", PLANTED["code"])])


# ---------------------------------------------------------------- the producers


def _table():
    from samples.layouts.common import Column, Row, Table

    columns = (Column("DETALLE", 9),) + tuple(Column(op.code, 5, pct=True) for op in OPERATIONS)
    body = (Row("total", ("META",) + tuple(str(op.target) for op in OPERATIONS)),
            Row("total", ("EVAL.",) + tuple(str(op.achieved) for op in OPERATIONS)),
            Row("total", ("% EFI.",) + tuple(f"{efficacy(op):.2f}" for op in OPERATIONS)))
    prose = tuple(f"{op.code}.- {op.text}" for op in OPERATIONS)
    return Table("results", TITLES, prose, columns, body, (NOTE,))


def chart_html() -> str:
    """The bar chart under the table: one bar per operation, its % above it and its code below (labels that
    repeat the table's figures, in a line of codes as the table's own header is)."""
    bars = "".join(
        f"<div class=bar><span>{efficacy(op):.2f}%</span><i style='height:{min(efficacy(op), 120) * 0.5:.1f}px'></i>"
        f"<b>{escape(op.code)}</b></div>" for op in OPERATIONS)
    return f"<div class=chart><p>GRÁFICO: % DE EFICACIA POR OPERACIÓN</p><div class=bars>{bars}</div></div>"


CHART_CSS = (".chart p{margin:6pt 0 2pt}.bars{display:flex;align-items:flex-end;gap:6pt}"
             ".bar{display:flex;flex-direction:column;align-items:center;width:40pt;font-size:7pt}"
             ".bar i{display:block;width:22pt;background:#5b7db1}.bar b{font-weight:normal}")


def render(producer: str, path: str | Path) -> None:
    """The form as Word (LibreOffice Writer) or HTML (Chromium, with its chart) prints it, landscape: the list of
    operations, then the ruled transposed table."""
    from samples.layouts import print_table

    if producer == "chromium":
        print_table(_table(), producer, path, after_html=chart_html(), css=CHART_CSS)
    else:
        print_table(_table(), producer, path)


def prints() -> dict[str, Path]:
    """The committed prints, by producer."""
    return {p: FOLDER / f"cns-eficacia-2022-q1-{p}.pdf" for p in PRODUCERS}


def print_all(draw, paths: dict[str, Path], only: list[str]) -> int:
    """Print a form through each producer (or those named) into its committed path, skipping a producer this
    machine lacks."""
    from samples.layouts.common import missing_tool

    tools = {"writer": ("soffice",), "chromium": ("chromium",)}
    for producer, path in paths.items():
        if only and producer not in only:
            continue
        if (why := missing_tool(tools[producer])) is not None:
            print(f"{producer}: skipped ({why})")
            continue
        path.parent.mkdir(exist_ok=True)
        draw(producer, path)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(print_all(render, prints(), sys.argv[1:]))
