"""What every producer of the layout corpus shares: the tables as a report prints them (columns, header
rows, body rows, merged section cells, percentage forms, extra columns), the rows the pipeline must read
back, the registry's `Layout`, and the external programs some producers run.

The expected rows are computed from the seed alone, never from the pipeline: they are the oracle.
"""

from __future__ import annotations

import inspect
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable

from samples.seed import Seed, SeedRow, fold, parse_pct

RESULTS_HEADER = ("Cód.", "RESULTADOS ESPERADOS AL {exp}", "RESULTADOS OBTENIDOS AL {obt}", "AVANCE %")
DEVIATIONS_HEADER = ("Cód.", "Resultados Esperados al {exp} por Unidad Organizacional",
                     "Causas de Desviación al {obt} */", "Medidas Correctivas al {exp} */")
PCT_SUBHEADER = ("FÍSICO", "PPTARIO.")
ADDRESS = "Av. Mariscal Santa Cruz N° 1092, Edificio ex COMIBOL, La Paz – Bolivia"
COVER_TITLE = "SEGUIMIENTO AL AVANCE DEL POA"

PctForm = Callable[[float], str]


def es_bo_2(value: float) -> str:
    """'50,00%': the Bolivian (es-BO) form with two decimals, as Excel prints a percentage cell."""
    return f"{value:.2f}".replace(".", ",") + "%"


def es_bo_1(value: float) -> str:
    """'50,5 %': comma decimal, one decimal, a space before the sign (the typographic style)."""
    return f"{value:.1f}".replace(".", ",") + " %"


# ---------------------------------------------------------------- extra columns


@dataclass(frozen=True)
class Extra:
    """A column the seed does not have, printed after one of its columns. Only result and deviation rows
    fill it; section rows leave it empty."""

    title: str
    after: int  # the seed column it follows (0-based)
    text: Callable[[SeedRow], str]
    width: float  # relative, in the units of the base widths


@dataclass(frozen=True)
class Extras:
    results: tuple[Extra, ...] = ()
    deviations: tuple[Extra, ...] = ()


NO_EXTRAS = Extras()


def _code(printed: str) -> str:
    return printed.replace("O", "0").replace("l", "1")


def _keys(row: SeedRow) -> tuple[int, int]:
    """The row's unit number and result sequence: what makes an extra cell's text differ row to row
    (codes repeat across units, so the sequence alone would not)."""
    return int(row.context.get("unit_number") or 0), int(_code(row.cells[0])[-2:])


def _pick(templates: tuple[str, ...], row: SeedRow) -> str:
    unit, seq = _keys(row)
    return templates[(unit + seq) % len(templates)].format(u=f"{unit:02d}", s=f"{seq:02d}")


INDICATORS = (
    "Informes técnicos emitidos por la unidad {u}",
    "Porcentaje de actividades del resultado {s} cumplidas según el cronograma aprobado de la unidad {u}",
    "",
    "Documentos aprobados, resultado {s}",
    "Número de reuniones, talleres y eventos registrados en actas para el resultado {s} de la unidad {u}",
    "Informe de avance {s} presentado",
)
RESPONSIBLES = (
    "Jefe de la Unidad {u}",
    "Profesional Técnico {s} de la Unidad {u}",
    "Responsable de Seguimiento y Evaluación del POA de la Unidad {u} (resultado {s})",
    "Técnico {s} de la Unidad {u}",
    "",
)
OBSERVATIONS = (
    "Reprogramado para el segundo semestre (resultado {s})",
    "",
    "Pendiente del informe de la unidad {u}",
    "Sujeto a la reformulación del POA y a su aprobación por la Máxima Autoridad Ejecutiva; la unidad {u} "
    "informará en el siguiente seguimiento",
)


def cause(row: SeedRow) -> str:
    """A result's cause of deviation as the deviation table gives it (that row's code and wording), for a
    results table that prints the causes in a column of its own; "" for a result the table does not explain."""
    key = (_code(row.cells[0]), fold(row.cells[1])[:40])
    return _causes().get(key, "")


@lru_cache(maxsize=1)
def _causes() -> dict[tuple[str, str], str]:
    from samples.seed import read_seed

    return {(_code(d.cells[0]), fold(d.cells[1])[:40]): d.cells[2] for d in read_seed().deviations
            if d.kind == "deviation"}


def indicator(row: SeedRow) -> str:
    return _pick(INDICATORS, row)


def responsible(row: SeedRow) -> str:
    return _pick(RESPONSIBLES, row)


def observation(row: SeedRow) -> str:
    return _pick(OBSERVATIONS, row)


# ---------------------------------------------------------------- the expected rows


def expected_rows(seed: Seed, extras: Extras = NO_EXTRAS) -> dict:
    """What the pipeline must read back: every row with its hierarchy, as the seed prints it; with extra
    columns, their titles and each result's or deviation's extra cells (only the non-empty ones)."""
    results = [
        dict(code=_code(r.cells[0]), code_raw=r.cells[0], expected=r.cells[1], obtained=r.cells[2],
             physical_pct=r.pct, **r.context, **_extra_cells(r, extras.results))
        for r in seed.results if r.kind == "result"
    ]
    nodes = [
        dict(level=r.kind, number=r.number, name=r.name, physical_pct=r.pct, budget_pct=r.budget)
        for r in seed.results if r.kind != "result"
    ]
    deviations = [
        dict(code=_code(r.cells[0]), code_raw=r.cells[0], expected=r.cells[1], cause=r.cells[2],
             corrective_measure=r.cells[3], **r.context, **_extra_cells(r, extras.deviations))
        for r in seed.deviations if r.kind == "deviation"
    ]
    year = int(seed.period[-4:])
    semester = 1 if "PRIMER SEMESTRE" in seed.period else 2 if "SEGUNDO SEMESTRE" in seed.period else None
    out = dict(
        entity=seed.entity, year=year, semester=semester,
        period=f"{year}-S{semester}" if semester else str(year),  # no semester named: the whole gestión
        expected_date=seed.expected_date, obtained_date=seed.obtained_date,
        results=results, nodes=nodes, deviations=deviations,
    )
    if extras.results:
        out["results_extra"] = [x.title for x in extras.results]
    if extras.deviations:
        out["deviations_extra"] = [x.title for x in extras.deviations]
    return out


def _extra_cells(row: SeedRow, extras: tuple[Extra, ...]) -> dict:
    if not extras:
        return {}
    return {"extra": {x.title: text for x in extras if (text := x.text(row))}}


def write_expected(path: Path, expected: dict) -> None:
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the tables as printed


def reprinted(seed: Seed, pct: PctForm | None) -> Seed:
    """The seed with its percentages (results, section rows, budget) printed in another form."""
    if pct is None:
        return seed

    def form(cell: str) -> str:
        value = parse_pct(cell)
        return cell if value is None else pct(value)

    rows = [replace(r, cells=r.cells[:3] + [form(c) for c in r.cells[3:]]) for r in seed.results]
    return replace(seed, results=rows)


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # relative
    group: str = ""  # a title printed above this column and its neighbours of the same group
    pct: bool = False


@dataclass(frozen=True)
class Head:
    """One header cell, placed as HTML places it (a cell spanning rows appears in its first row only)."""

    text: str
    cols: int = 1
    rows: int = 1


@dataclass(frozen=True)
class Row:
    kind: str  # the SeedRow kind
    cells: tuple[str, ...]
    merge: tuple[int, int] | None = None  # first..last column printed as one cell, the text in the first

    @property
    def section(self) -> bool:
        return self.kind not in ("result", "deviation")


@dataclass(frozen=True)
class Table:
    key: str  # results | deviations
    titles: tuple[str, ...]  # headings above the table: entity, period, table title
    prose: tuple[str, ...]  # paragraphs between the headings and the table: Misión, Visión
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]  # lines under the table: footnote, "Fuente: …"

    @property
    def pct_cols(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.columns) if c.pct)

    @property
    def head(self) -> list[list[Head]]:
        """One header row, or two when columns are grouped (AVANCE % over FÍSICO and PPTARIO.)."""
        if not any(c.group for c in self.columns):
            return [[Head(c.title) for c in self.columns]]
        top, sub, i = [], [], 0
        while i < len(self.columns):
            col = self.columns[i]
            if not col.group:
                top.append(Head(col.title, rows=2))
                i += 1
                continue
            n = next((j for j in range(i, len(self.columns)) if self.columns[j].group != col.group),
                     len(self.columns)) - i
            top.append(Head(col.group, cols=n))
            sub += [Head(c.title) for c in self.columns[i:i + n]]
            i += n
        return [top, sub]

    def head_grid(self) -> list[tuple[int, int, Head]]:
        """The header cells with their (row, column) on the grid, for producers that merge cells."""
        placed, taken = [], set()
        for r, cells in enumerate(self.head):
            c = 0
            for h in cells:
                while (r, c) in taken:
                    c += 1
                placed.append((r, c, h))
                taken |= {(r + i, c + j) for i in range(h.rows) for j in range(h.cols)}
                c += h.cols
        return placed


def tables(seed: Seed, extras: Extras = NO_EXTRAS, pct: PctForm | None = None) -> tuple[Table, Table]:
    """The results and deviation tables with the layout's extra columns and percentage form."""
    s = reprinted(seed, pct)
    exp, obt = s.expected_date, s.obtained_date
    h = [c.format(exp=exp, obt=obt) for c in RESULTS_HEADER]
    res_cols = [Column(h[0], 9), Column(h[1], 36), Column(h[2], 43),
                Column(PCT_SUBHEADER[0], 6, h[3], True), Column(PCT_SUBHEADER[1], 6, h[3], True)]
    dev_cols = [Column(c.format(exp=exp, obt=obt), w) for c, w in zip(DEVIATIONS_HEADER, (9, 35, 28, 28))]
    results = Table("results", (s.entity, s.period, s.results_title), (s.mission, s.vision),
                    *_body(res_cols, s.results, extras.results), (s.results_footer,))
    deviations = Table("deviations", (s.entity, s.period, s.deviations_title), (),
                       *_body(dev_cols, s.deviations, extras.deviations), (s.deviations_note, s.deviations_footer))
    return results, deviations


def _body(columns: list[Column], rows: list[SeedRow], extras: tuple[Extra, ...]) -> tuple[tuple, tuple]:
    columns = list(columns)
    for x in sorted(extras, key=lambda x: -x.after):
        columns.insert(x.after + 1, Column(x.title, x.width))
    body = []
    for r in rows:
        cells = list(r.cells)
        for x in sorted(extras, key=lambda x: -x.after):
            cells.insert(x.after + 1, "" if r.kind not in ("result", "deviation") else x.text(r))
        body.append(Row(r.kind, tuple(cells), _merge(cells, columns, r.kind)))
    return tuple(columns), tuple(body)


def _merge(cells: list[str], columns: list[Column], kind: str) -> tuple[int, int] | None:
    """A section row whose only text before the figures is one cell prints it merged with the empty cells
    after it, as a Word user merges them."""
    if kind in ("result", "deviation"):
        return None
    end = next((i for i, c in enumerate(columns) if c.pct), len(columns)) - 1
    filled = [i for i in range(end + 1) if cells[i]]
    return (filled[0], end) if len(filled) == 1 and filled[0] < end else None


# ---------------------------------------------------------------- the registry's entries


@dataclass(frozen=True)
class Layout:
    """One way the seed report is printed. `draw` writes the PDF; its docstring says what the layout shows
    and where the producer could not do what was asked."""

    name: str
    producer: str  # reportlab | fpdf2 | chromium | writer | calc (+ pypdfium2 for the turned pages)
    draw: Callable[[Seed, Path], None]
    tools: tuple[str, ...] = ()  # external programs it runs
    extras: Extras = field(default=NO_EXTRAS)
    variant: Callable[[Seed], Seed] = lambda seed: seed  # the report it prints: the seed, or a variant of it

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.draw) or ""


TOOLS = {
    "chromium": "Debian's chromium is not installed (apt-get install chromium)",
    "soffice": "LibreOffice's soffice is not installed (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)",
}


def missing_tool(tools: tuple[str, ...]) -> str | None:
    gone = [TOOLS[t] for t in tools if shutil.which(t) is None]
    return "; ".join(gone) or None


def soffice_to_pdf(source: Path, pdf: Path, soffice: str = "soffice") -> None:
    """Convert an office file with LibreOffice, headless, in a profile of its own (a shared one locks)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=300,
        )
        made = Path(tmp) / (source.stem + ".pdf")
        if not made.exists():
            raise RuntimeError(f"soffice made no PDF from {source.name}")
        shutil.move(made, pdf)


def page_of(pdf: Path, text: str, first: int = 1) -> int:
    """The 1-based page, from `first` on, whose text holds `text` (whitespace ignored); 0 if none."""
    import pypdfium2 as pdfium

    needle = "".join(text.split())
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in range(first - 1, len(doc)):
            page_text = doc[i].get_textpage().get_text_range()
            if needle in "".join(page_text.split()):
                return i + 1
        return 0
    finally:
        doc.close()


def with_index(draw: Callable[[dict[str, int]], None], pdf: Path, titles: list[str], first: int) -> None:
    """Draw a report whose index page gives the page each table starts on: draw with a guess, read where
    the tables landed, and draw again until the index is right (the index page does not move them)."""
    pages = {t: first + i for i, t in enumerate(titles)}
    for _ in range(4):
        draw(pages)
        found = {t: page_of(pdf, t, first) for t in titles}
        if found == pages:
            return
        pages = found
    raise RuntimeError(f"the index of {pdf.name} does not settle: {pages}")
