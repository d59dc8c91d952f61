"""The records that pass between the stages. Each stage takes the previous stage's and returns its own.

extract   -> Extraction (RawRow, Leftover, the read's first measures in ReadQuality)
normalize -> Report (Document, Node, Result, Deviation; the rows' measures)
validate  -> Report with recomputed figures, links, Finding rows and the document's status (ok / review)
outputs   -> Parquet files
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .kinds import Severity, Status, Table
from .profile import DEFAULT, Profile
from .profiles import load

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom, in PDF points from the page's top-left
CellBox = tuple[str, int, float, float, float, float]  # column, page, x0, top, x1, bottom


@dataclass(frozen=True)
class RawRow:
    """One table row as printed: its cells' text (whitespace joined) and where it stands."""

    table: Table  # results or deviations
    cells: dict[str, str]  # column role (the profile's: code, expected, physical…) → text, every role of its table
    pages: tuple[int, ...]  # 1-based; more than one when the row continues on the next page
    bbox: BBox  # on the first page
    extra: tuple[tuple[str, str], ...] = ()  # (title, text) of the columns the tool has no name for
    straddles: int = 0  # words that ran across a column edge: a sign the columns were cut in the wrong place
    conf: tuple[tuple[str, float], ...] = ()  # (column, OCR confidence 0–100) of the cells read by OCR
    boxes: tuple[CellBox, ...] = ()  # where each cell stands: a cell broken across pages has a box on each
    part: str = ""  # which of the profile's tables of its kind (its name), where the family prints several


@dataclass(frozen=True)
class Leftover:
    """Text on a page that no table cell took: title block, footnotes, page furniture."""

    page: int
    bbox: BBox
    text: str
    hidden: str | None = None  # why the page does not show it, for text the file holds invisibly (never a cell)


@dataclass(frozen=True)
class RawCell:
    """A cell of a table no profile claims (`poa.extract.unclaimed`): kept as printed, so nothing on the page is
    lost where poa cannot interpret it."""

    page: int
    table: int  # the table's number on its page (1-based, top to bottom)
    row: int  # 1-based: each text line of the table is a row
    column: int  # 1-based, left to right
    text: str
    bbox: BBox


@dataclass
class ReadQuality:
    """How well a document's pages were read: the measures behind `status = review`. Each stage fills the
    ones it can see; the validate stage decides the status from all of them (`poa.validate.quality`)."""

    # extract
    template_fit: float | None = None  # share of its profile's required columns the document's headers name
    template_rivals: list[str] = field(default_factory=list)  # other profiles that fit as well: no choice made
    strategy: str = ""  # how each table's rows were cut, e.g. "results: rulings; deviations: text"
    pages_turned: dict[int, int] = field(default_factory=dict)  # page -> degrees its text was turned to read upright
    columns_expected: int = 0  # columns the two tables should have (the budget column is optional)
    columns_found: int = 0  # of those, found in the headers
    missing_columns: list[str] = field(default_factory=list)  # e.g. "results: physical"
    extra_columns: list[str] = field(default_factory=list)  # titles of the columns the tool has no name for
    cells_outside_column: int = 0  # words of result and deviation rows that run across a column edge
    stray_chars: int = 0  # characters inside a table's area that no cell took
    pages_without_table: list[int] = field(default_factory=list)  # pages with result codes but no table
    unmapped_chars: int = 0  # characters whose font gives no text
    chars_total: int = 0  # characters on the pages that hold the tables
    unterminated: bool = False  # the results table runs off the document's end with no closing row or note
    damaged_streams: list[str] = field(default_factory=list)  # the file's compressed streams that are cut or corrupt
    ocr_pages: list[int] = field(default_factory=list)  # pages recognised from their image (a scan has no text)
    ocr_confidence: float | None = None  # mean Tesseract confidence (0–100) of the words on those pages
    header_changes: list[int] = field(default_factory=list)  # pages where a table's repeated header reads otherwise
    rows_misaligned: int = 0  # rows whose first cell starts below their other cells, where rows start them together
    hidden_chars: int = 0  # characters inside a table's area that the file holds but the page does not show
    legend_unread: int = 0  # codes heading a transposed table's column that its legend gives no text for, and
    # lines amid the legend that no entry took (an entry's first line lost)
    # normalize
    entity_missing: bool = False  # no title line names the entity, where the family's reports name it
    result_rows: int = 0
    deviation_rows: int = 0
    code_valid_share: float | None = None  # result rows whose code reads as a code of the profile
    pct_read_share: float | None = None  # result rows whose physical % reads as a number
    pct_unreadable: int = 0  # rows (results and sections) with a % cell that holds something that is not a percentage
    deviation_codes_unreadable: int = 0  # deviation rows whose code does not read as a code
    pct_in_text: int = 0  # result rows with no % of their own but a % at the end of a text cell
    other_rows: int = 0  # results-table rows that are neither results nor sections
    empty_units: int = 0  # units printing a % with no result under them: a section row read as a unit, or results lost
    sequence_breaks: list[str] = field(default_factory=list)  # result codes of one unit and objective that do not
    # follow each other across a page break ("08-01.01.01-04 → 08-01.01.01-06 (p. 8)")
    # validate
    unit_average_agreement: float | None = None  # units whose printed % the rows read give back
    deviations_linked_share: float | None = None
    ocr_unsure_cells: int = 0  # OCR'd code and % cells of result and deviation rows read with low confidence
    ocr_codes_unconfirmed: int = 0  # OCR'd result codes repaired letter-for-digit that the unit's numbering does not bear out
    measure_pages: dict[str, list[int]] = field(default_factory=dict)  # the pages where a measure found what it
    # counts, by the measure's name ("stray_chars": [7, 8]): the reason for review names them
    reasons: list[str] = field(default_factory=list)  # why the document is in review; empty when ok
    review_codes: list[str] = field(default_factory=list)  # the same reasons as stable codes (`validate.quality`)

    def copy(self) -> ReadQuality:
        """A copy with lists and dicts of its own: a later stage's measures never change an earlier stage's record."""
        return copy.deepcopy(self)


@dataclass
class Extraction:
    profile: Profile  # the report family it was read as
    source_path: str
    pages: int
    engine: str
    reader: str  # the page source: pdfplumber or pdfium
    header_texts: dict[str, str]  # table -> its header as printed (first occurrence)
    rows: list[RawRow]
    leftovers: list[Leftover]
    chars_total: int = 0  # characters on the pages that hold the tables
    chars_accounted: int = 0  # of those, characters found again in a row's cells or in a leftover
    unclaimed: list[RawCell] = field(default_factory=list)  # cells of the tables no profile claims
    quality: ReadQuality = field(default_factory=ReadQuality)


@dataclass
class Document:
    doc_id: str
    source_path: str
    sha256: str
    template: str | None = None  # the profile it was read with (`poa.core.profile`): its name
    entity: str | None = None
    entity_key: str | None = None  # the entity's name reduced to what identifies it (`poa.core.keys`)
    year: int | None = None
    semester: int | None = None
    period: str | None = None  # as the report states it: 2016-S1, 2019-Q3, 2018 (the whole year)
    band: str | None = None  # the line that states the band the total falls in, as printed (a profile's `band`)
    expected_date: str | None = None  # ISO date of the "RESULTADOS ESPERADOS AL …" column
    obtained_date: str | None = None  # ISO date of the "RESULTADOS OBTENIDOS AL …" column
    mission: str | None = None
    vision: str | None = None
    pages: int | None = None
    engine: str | None = None
    reader: str | None = None
    ocr: str | None = None  # the OCR mode it was read with: auto, always, never
    gx: bool = False  # great-expectations ran too
    corrections: str = ""  # fingerprint of the corrections applied to it ("" for none)
    file_modified: str | None = None  # the file's modification time when it was read (ISO, UTC)
    pdf_modified: str | None = None  # the PDF's own date (its /ModDate, else /CreationDate; ISO), if it states one
    superseded_by: str | None = None  # the doc_id of a later edition saved under the same path (set after a batch)
    status: Status = Status.OK

    @property
    def read(self) -> bool:
        """Its tables were read and written (ok or review), as opposed to failed."""
        return self.status != Status.FAILED
    error: str | None = None
    text_coverage: float | None = None
    pipeline_version: str | None = None
    quality: ReadQuality = field(default_factory=ReadQuality)


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
    page_last: int | None = None  # the page its row ends on, where it goes on past a page break (else its page)
    reported_physical_raw: str = ""
    reported_budget_raw: str = ""
    is_group: bool = False  # an "Ejecución Física Promedio de las Unidades …" row
    recomputed_physical_pct: float | None = None
    recomputed_budget_pct: float | None = None  # where the profile makes it of the rows' budgets (budget_ratio)
    reported_cumulative_pct: float | None = None  # the cumulative % printed beside the period's, where the form has one
    reported_cumulative_raw: str = ""
    recomputed_cumulative_pct: float | None = None
    cells: list[CellBox] = field(default_factory=list)  # where each of its cells stands on the page
    key: str | None = None  # stable across semesters, years and spellings (`poa.core.keys`); areas under their unit
    depth: int | None = None  # 0 for the profile's outermost level, one more for each level in; None for rows of no level
    part: str = ""  # the table it stands in, where the family prints several results tables (the profile's name)
    level_label: str = ""  # the level's name as the report calls it (the profile's label): "Dirección General"
    corrected: list[str] = field(default_factory=list)  # its columns set by hand (`poa.core.corrections`), e.g. ["name"]


@dataclass
class Result:
    result_id: str
    unit_id: str | None
    viceministry: str | None
    direction: str | None
    unit_number: str | None
    unit_name: str | None
    area: str | None
    group: str | None  # the group row that closes its unit's group
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
    extra: dict[str, str] = field(default_factory=dict)  # column title -> text, for columns the tool has no name for
    ocr_confidence: dict[str, float] | None = None  # column -> OCR confidence (0–100) of cells read by OCR
    cells: list[CellBox] = field(default_factory=list)  # where each of its cells stands (a review page draws them)
    unit_key: str | None = None  # stable keys (`poa.core.keys`): the same unit and result in every report of the entity
    result_key: str | None = None
    levels: dict[str, str] = field(default_factory=dict)  # every level above it (the profile's), level → name
    cause: str = ""  # its cause of deviation, where the results table prints them in a column of their own
    # The figures other templates print beside the %s (None where blank, not printed, or unreadable; raw beside):
    target: float | None = None  # the goal programmed for the period (meta programada): an amount or a count
    target_raw: str = ""
    achieved: float | None = None  # what was achieved of it (meta ejecutada)
    achieved_raw: str = ""
    weight: float | None = None  # its weight in its level's average (Pond.)
    weight_raw: str = ""
    budget_current: float | None = None  # current budget (presupuesto vigente, PIM)
    budget_current_raw: str = ""
    budget_executed: float | None = None  # budget executed (presupuesto ejecutado, devengado)
    budget_executed_raw: str = ""
    cumulative_pct: float | None = None  # the % accumulated since the year began, beside the period's own
    cumulative_raw: str = ""
    part: str = ""  # the table it stands in, where the family prints several results tables (the profile's name)
    corrected: list[str] = field(default_factory=list)  # its columns set by hand (`poa.core.corrections`), e.g. ["physical_pct"]


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
    extra: dict[str, str] = field(default_factory=dict)
    ocr_confidence: dict[str, float] | None = None
    cells: list[CellBox] = field(default_factory=list)
    unit_key: str | None = None  # the results-table unit it belongs to (set when the units are aligned)
    result_key: str | None = None  # the result it explains (set when it is linked)
    deviation_key: str | None = None  # stable key of the row itself: its own unit's, its code, its place
    corrected: list[str] = field(default_factory=list)  # its columns set by hand (`poa.core.corrections`), e.g. ["cause"]


@dataclass
class Finding:
    check: str
    severity: Severity
    subject_id: str | None
    message: str  # Spanish: auditors read it
    page: int | None = None
    reported: float | None = None
    recomputed: float | None = None


@dataclass
class Report:
    """Everything the pipeline knows about one document."""

    document: Document
    nodes: list[Node] = field(default_factory=list)  # the results table's section rows, every level of them, and its
    # group averages and totals (the Parquet table keeps its name of old, `units`)
    results: list[Result] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    unclaimed: list[RawCell] = field(default_factory=list)  # cells of the tables no profile claims (the `tables` table)
    validation: dict | None = None  # great-expectations' own validation results, JSON-ready
    corrections: list = field(default_factory=list)  # what became of each correction (`poa.core.corrections.Applied`)
    profile: Profile | None = None  # the report family it was read as (None for a document not read)
    timings: dict[str, float] = field(default_factory=dict)  # seconds each stage took (the log's; never written)

    @property
    def template(self) -> Profile:
        """The profile its checks and working papers follow: the one it was read as, or the one its document
        names, or the seed's family's."""
        return self.profile or load(self.document.template or DEFAULT)
