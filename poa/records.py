"""The records that pass between the stages. Each stage takes the previous stage's and returns its own.

extract   -> Extraction (RawRow, Leftover)
normalize -> Report (Document, Node, Result, Deviation)
validate  -> Report with recomputed figures, links and Finding rows
outputs   -> Parquet files
"""

from __future__ import annotations

from dataclasses import dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom, in PDF points from the page's top-left


@dataclass(frozen=True)
class RawRow:
    """One table row as printed: its cells' text (whitespace joined) and where it stands."""

    table: str  # "results" | "deviations"
    cells: tuple[str, ...]
    pages: tuple[int, ...]  # 1-based; more than one when the row continues on the next page
    bbox: BBox  # on the first page
    extra: tuple[tuple[str, str], ...] = ()  # (title, text) of the columns the tool has no name for
    straddles: int = 0  # words that ran across a column edge: a sign the columns were cut in the wrong place


@dataclass(frozen=True)
class Leftover:
    """Text on a page that no table cell took: title block, footnotes, page furniture."""

    page: int
    bbox: BBox
    text: str


@dataclass
class Extraction:
    source_path: str
    pages: int
    engine: str
    reader: str  # the page source: pdfplumber or pdfium
    header_texts: dict[str, str]  # table -> its header as printed (first occurrence)
    rows: list[RawRow]
    leftovers: list[Leftover]
    chars_total: int = 0  # characters on the pages that hold the tables
    chars_accounted: int = 0  # of those, characters found again in a row's cells or in a leftover


@dataclass
class Document:
    doc_id: str
    source_path: str
    sha256: str
    entity: str | None = None
    year: int | None = None
    semester: int | None = None
    expected_date: str | None = None  # ISO date of the "RESULTADOS ESPERADOS AL …" column
    obtained_date: str | None = None  # ISO date of the "RESULTADOS OBTENIDOS AL …" column
    mission: str | None = None
    vision: str | None = None
    pages: int | None = None
    engine: str | None = None
    reader: str | None = None
    status: str = "ok"  # ok | failed
    error: str | None = None
    text_coverage: float | None = None
    pipeline_version: str | None = None


@dataclass
class Node:
    """A section row of the results table: viceministry, direction, unit, area, group average or total."""

    node_id: str
    level: str  # viceministry | direction | unit | area | section | total
    number: str | None
    name: str
    parent_id: str | None
    reported_physical_pct: float | None
    reported_budget_pct: float | None
    page: int
    seq: int  # position in the table
    reported_physical_raw: str = ""
    reported_budget_raw: str = ""
    is_group: bool = False  # an "Ejecución Física Promedio de las Unidades …" row
    recomputed_physical_pct: float | None = None


@dataclass
class Result:
    result_id: str
    unit_id: str | None
    viceministry: str | None
    direction: str | None
    unit_number: str | None
    unit_name: str | None
    area: str | None
    group: str | None
    code: str | None
    code_raw: str
    objective: str | None  # the code's part before the last hyphen, e.g. "08-01.01.01"
    sequence: int | None  # the code's last part, e.g. 14
    expected: str
    obtained: str
    physical_pct: float | None
    physical_raw: str
    budget_pct: float | None
    budget_raw: str
    page_first: int
    page_last: int
    seq: int
    bbox: BBox


@dataclass
class Deviation:
    deviation_id: str
    unit_number: str | None
    unit_name: str | None
    code: str | None
    code_raw: str
    expected: str
    cause: str
    corrective_measure: str
    page: int
    page_last: int
    seq: int
    bbox: BBox
    result_id: str | None = None
    match_score: float | None = None
    match_method: str | None = None


@dataclass
class Finding:
    check: str
    severity: str  # error | warning | info
    subject_id: str | None
    message: str  # Spanish: auditors read it
    page: int | None = None
    reported: float | None = None
    recomputed: float | None = None


@dataclass
class Report:
    """Everything the pipeline knows about one document."""

    document: Document
    nodes: list[Node] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    validation: dict | None = None  # great-expectations' own validation results, JSON-ready
