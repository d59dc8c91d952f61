"""The Parquet contract: every table's columns, types and meaning, in one place.

`docs/data-dictionary.md` is generated from this module (`python -m poa.outputs.schema > docs/data-dictionary.md`)
and a test keeps the two in step.
"""

from __future__ import annotations

import json

import pyarrow as pa

from poa.core.keys import ID_COLUMN
from poa.core.kinds import Table

S, F, I32, B, D = pa.string(), pa.float64(), pa.int32(), pa.bool_(), pa.date32()
LS, LI, MSS = pa.list_(pa.string()), pa.list_(pa.int32()), pa.map_(pa.string(), pa.string())
MSF = pa.map_(pa.string(), pa.float64())
CELL_FIELDS = ("column", "page", "x0", "top", "x1", "bottom")
CELLS = pa.list_(pa.struct([("column", S), ("page", I32), ("x0", F), ("top", F), ("x1", F), ("bottom", F)]))
CELLS_DOC = ("Where each cell of the row stands: column (key, or an extra column's title), page, and box in PDF "
             "points from the page's top-left; a cell broken across pages has a box on each.")



def corrected(example: str) -> tuple[str, pa.DataType, str]:
    return ("corrected", LS, f"The columns of this row set by hand (`corrections.csv`: `poa correct`, `poa review "
                             f"--serve`), e.g. `[{example}]`; empty for a row as read. The `corrections` table says "
                             "from what, to what, by whom and why.")


BBOX = [
    ("x0", F, "Left edge of the row on its first page, PDF points from the left."),
    ("top", F, "Top edge of the row on its first page, PDF points from the top."),
    ("x1", F, "Right edge of the row on its first page."),
    ("bottom", F, "Bottom edge of the row on its first page."),
]

# On every table but documents: what a filter needs without a join.
DOC = [
    ("doc_id", S, "Document key."),
    ("entity", S, "The document's entity, as printed in its title block."),
    ("entity_key", S, "The entity's stable key (see `documents.entity_key`)."),
    ("year", I32, "Year of the plan (GESTIÓN)."),
    ("period", S, "The period the report follows up: `2016-S1`, `2019-Q3`, `2018` (see `documents.period`)."),
]

TABLES: dict[str, list[tuple[str, pa.DataType, str]]] = {
    "documents": [
        ("doc_id", S, "Document key: the first 16 hex digits of the file's SHA-256 (same bytes, same id)."),
        ("source_path", S, "Path of the PDF as given on the command line."),
        ("sha256", S, "SHA-256 of the file's bytes."),
        ("entity", S, "Entity named in the title block, as printed (e.g. MINISTERIO DE MINERÍA Y METALURGIA)."),
        ("entity_key", S, "Stable key of the entity: its name without case, accents or punctuation, as a slug "
                          "(`ministerio-de-mineria-y-metalurgia`); the same in every report of the entity."),
        ("year", I32, "Year of the plan (GESTIÓN)."),
        ("semester", I32, "1 or 2: the semester the report follows up; null for a quarter, a whole year, or where "
                          "the report does not say."),
        ("period", S, "The period the report follows up, as it states it: `2016-S1`, `2019-Q3` (a quarter), "
                      "`2018` (the whole gestión: a title naming no part of the year, results obtained by 31 "
                      "December); null where the report does not say."),
        ("band", S, "The line that states the band the total falls in, as printed (`CUMPLIMIENTO : 58.43% -> REGULAR "
                    "(51% - 75%)`), where the template reads one (`band.line`); its figure and range are checked "
                    "(`band_mismatch`)."),
        ("duplicate_of", S, "doc_id of the latest document of the folder with the same entity and period (by the "
                            "date the PDF states; where the dates tie, the first by file name), set after each batch; "
                            "null for that latest one. Keep `duplicate_of` and `superseded_by` null for one report per "
                            "entity and period."),
        ("superseded_by", S, "doc_id of a later edition saved under the same path (the file's bytes changed between "
                             "runs), set after each batch: this document is the earlier edition, left out of the "
                             "folder's totals; null for the current one."),
        ("file_modified", S, "The file's modification time when it was read, ISO in UTC: which of two editions is later."),
        ("pdf_modified", S, "The date the PDF states for itself (its /ModDate, else /CreationDate), ISO, as written "
                            "(its time zone left aside); null where it states none."),
        ("expected_date", D, "Date of the expected-results column (RESULTADOS ESPERADOS AL …)."),
        ("obtained_date", D, "Date of the obtained-results column (RESULTADOS OBTENIDOS AL …): the cut-off."),
        ("mission", S, "The entity's Misión as printed in the title block."),
        ("vision", S, "The entity's Visión as printed in the title block."),
        ("pages", I32, "Number of pages in the PDF."),
        ("engine", S, ("Table engine used: geometry (poa's own, any layout) or camelot (lattice, ruled tables); "
                      "'pdfplumber' in rows of earlier versions is the geometry engine's earlier name.")),
        ("reader", S, "Page source the engine read words and rulings with: pdfium or pdfplumber."),
        ("template", S, "The template profile the document was read as (`poa templates`): its name, e.g. "
                        "`seguimiento-poa`. Levels, codes, columns and rules are that profile's."),
        ("ocr", S, "OCR mode it was read with: auto (pages with no text layer recognised), always, never."),
        ("gx", B, "Whether great-expectations validated its rows too (`validation/<doc_id>.json`)."),
        ("corrections", S, "Fingerprint of the corrections (`corrections.csv`) applied to it; empty for none. A run "
                           "redoes a document whose corrections changed."),
        ("status", S, "ok: read and checked, every measure of the read within bounds; review: read, but some "
                      "measure doubts the read (`review_reasons` says which; check those rows against the PDF); "
                      "failed: not read (`error` says why; no other table has rows for it but `tables`, the raw cells "
                      "of the tables its pages print)."),
        ("error", S, "Why the document failed, in plain words; null when ok."),
        ("error_code", S, "Why the document failed, as a stable code to group failures by (`not_pdf`, `encrypted`, "
                          "`damaged`, `no_table`, `timeout`, `memory`, `ocr_unavailable`…: the list and their meaning "
                          "in README, \"Why a document failed\"); `other` for a message poa does not know; null "
                          "when read."),
        ("text_coverage", F, "Share (0–1) of the characters on the tables' pages found again in a cell or a leftover."),
        ("pipeline_version", S, "Version of poa that wrote the row: release + fingerprint of the stages' code "
                                "and of the PDF-reading libraries' versions."),
        ("review_reasons", LS, "Why the document is in review, one plain sentence per measure out of bounds; empty when ok."),
        ("review_codes", LS, "The same reasons as stable codes, one per sentence of `review_reasons`, in its order "
                             "(`stray_text`, `code_sequence`, `template_ambiguous`…: `poa.validate.quality`)."),
        ("template_fit", F, "Share (0–1) of the template's required columns that the document's headers name: how "
                            "well the profile it was read as fits it (1.0: every column found; below, `missing_columns` "
                            "says which are not, and the document is in review)."),
        ("template_rivals", LS, "Other installed templates that fit the document as well as the one it was read as; "
                                "any puts the document in review (read it again with --template)."),
        ("strategy", S, "How each table's rows were cut: rulings (drawn lines or shading) or text (where codes "
                        "and sections start), e.g. `results: rulings; deviations: text`."),
        ("pages_turned", pa.map_(I32, I32), "Pages whose text ran sideways or upside down: page → degrees "
                                            "(counter-clockwise, as the text ran) it was turned before reading."),
        ("columns_expected", I32, "Columns the two tables must have (code, expected, obtained, physical; code, "
                                  "expected, cause, measure); the budget column is optional."),
        ("columns_found", I32, "Of those, how many the headers name."),
        ("missing_columns", LS, "The expected columns no header names, as `table: column`."),
        ("extra_columns", LS, "Columns the tool has no name for (RESPONSABLE, INDICADOR…), as `table: title`; their "
                              "cells are in `results.extra` / `deviations.extra`."),
        ("cells_outside_column", I32, "Words of result and deviation rows that run across a column edge."),
        ("stray_chars", I32, "Characters inside a table's area that no cell took, and lines set aside as a page's "
                             "header or footer that line up with a cell's own lines."),
        ("header_changes", LI, "Pages where a table's header, printed again, reads otherwise than where the table "
                               "begins (a row's line taken into it, or one of its own lines lost); any puts the "
                               "document in review."),
        ("rows_misaligned", I32, "Rows whose first cell (code, unit number, section name) starts lower than their "
                                 "other cells, in a table whose rows otherwise start every cell on one line: lines "
                                 "of the row above run into them (the rest of a row broken across a page). Not "
                                 "measured where a table centres its cells vertically."),
        ("hidden_chars", I32, "Characters inside a table's area that the file holds but the page does not show "
                              "(invisible text, white on white): not read as cells, kept in leftovers with why; any "
                              "puts the document in review."),
        ("legend_unread", I32, "In a table printed on its side (a result per column, its texts listed above it: "
                               "\"OPE 1.- …\"), the codes the list gives no text for, and the lines amid the list "
                               "no entry took (an entry's first line lost)."),
        ("entity_missing", B, "No line of the title block names the entity, in a family whose reports name it "
                              "(`entity.printed`): a review reason."),
        ("pages_without_table", LI, "Pages that hold result codes but where no table was found."),
        ("unmapped_chars", I32, "Characters whose font gives no readable text."),
        ("chars_total", I32, "Characters on the pages that hold the tables: what `unmapped_chars` is a share of."),
        ("unterminated", B, "The results table runs off the end of the document with no closing row or note."),
        ("damaged_streams", LS, "The file's compressed streams that are corrupt or cut short (`object N (byte B): "
                                "why`, the first 20): a PDF reader draws such a page up to the damage and says "
                                "nothing, so any puts the document in review."),
        ("ocr_pages", LI, "Pages recognised by OCR from their image (pages with no text layer: a scan), in order; "
                          "empty for a document read from its text."),
        ("ocr_confidence", F, "Mean Tesseract confidence (0–100) of the words on the OCR'd pages; null when no page "
                              "was OCR'd. Below 80 the document is in review."),
        ("result_rows", I32, "Result rows read."),
        ("deviation_rows", I32, "Deviation rows read."),
        ("code_valid_share", F, "Share (0–1) of result rows whose code reads as a code of the template."),
        ("pct_read_share", F, "Share (0–1) of result rows whose physical % reads as a number."),
        ("pct_unreadable", I32, "Rows (results, and section rows' physical and budget %) whose % cell holds "
                                "something that is not a percentage."),
        ("deviation_codes_unreadable", I32, "Deviation rows whose code does not read as a code (two rows' codes "
                                            "run together, say); any puts the document in review."),
        ("pct_in_text", I32, "Result rows with no % of their own but a text cell ending in one (a misplaced column edge)."),
        ("other_rows", I32, "Results-table rows that are neither results nor sections (`units.level = other`)."),
        ("empty_units", I32, "Units that print a physical % but have no result under them: a section row read as "
                             "a unit (its name cut apart), or its results lost; any puts the document in review."),
        ("sequence_breaks", LS, "Result codes of one unit and one objective that do not follow each other across a "
                                "page break (`08-01.01.01-04 → 08-01.01.01-06 (p. 8)`: a row lost, merged into "
                                "another or filed under the wrong unit where a page ends); any puts the document in "
                                "review."),
        ("unit_average_agreement", F, "Share (0–1) of units whose printed % the rows read give back (half-up)."),
        ("deviations_linked_share", F, "Share (0–1) of deviation rows linked to a result."),
        ("ocr_unsure_cells", I32, "OCR'd code and % cells of result and deviation rows whose confidence is below 80 "
                                  "(each an `ocr_low_confidence` finding); any puts the document in review."),
        ("ocr_codes_unconfirmed", I32, "OCR'd result codes that read only once a letter was taken for a digit and "
                                       "that the unit's numbering (the results before and after) does not bear out "
                                       "(each a `code_repaired` finding); any puts the document in review."),
        ("measure_pages", pa.map_(S, LI), "The pages where a measure found what it counts, by the measure's column "
                                          "name (`stray_chars` → [7, 8]); the review reasons name them."),
    ],
    "units": [
        *DOC,
        ("node_id", S, "Node key, unique across documents (`<doc_id>-Nnnn`, in reading order)."),
        ("key", S, "Stable key of the node across semesters, years and spellings: entity key / name slug "
                   "(`…/unidad-de-auditoria-interna`); an area's hangs under its unit's. Numbers never enter it."),
        ("level", S, "The row's level, by its name in the document's template profile (the seed's family: "
                     "viceministry | direction | unit | area), or section (a group closed by an 'Ejecución Física "
                     "Promedio de las Unidades …' row) | total (the report's closing row) | other."),
        ("depth", I32, "The level's depth in the template's hierarchy: 0 for the outermost (a Viceministerio in the "
                       "seed's family), one more for each level in; null for section, total and other rows."),
        ("part", S, "The results table the row stands in, by the template's name for it, where the family prints "
                    "several (`acciones-estrategicas`, `actividades`); empty where it prints one."),
        ("level_label", S, "The level as the report names it (the template's label: `Dirección General`, `Unidad`, "
                           "`Promedio de grupo`, `Total`)."),
        ("number", S, "Unit number as printed (`07`); null for other levels. Not a key: numbers repeat."),
        ("name", S, "Name as printed (whitespace joined)."),
        ("parent_id", S, "node_id of the enclosing node, up the profile's levels (the seed's family: area → unit → "
                         "direction → viceministry), then section → total."),
        ("reported_physical_pct", F, "Physical progress % printed on the row."),
        ("reported_budget_pct", F, "Budget (PPTARIO.) % printed on the row."),
        ("recomputed_physical_pct", F, "Physical % recomputed from the results (filled by the validate stage)."),
        ("reported_cumulative_pct", F, "Cumulative % printed on the row beside its period's, where the template "
                                       "prints one ((%) CUMP. ACUMULADO)."),
        ("reported_cumulative_raw", S, "The cumulative % cell as printed."),
        ("recomputed_cumulative_pct", F, "Cumulative % recomputed from the results' by the template's rule."),
        ("recomputed_budget_pct", F, "Budget % recomputed as the executed over the current budget of the results "
                                     "under the row, where the template makes it so (`arithmetic.budget_ratio`); "
                                     "else null."),
        ("reported_physical_raw", S, "The physical % cell as printed."),
        ("reported_budget_raw", S, "The budget % cell as printed."),
        ("is_group", B, "True for the rows that close a group of units."),
        ("page", I32, "Page (1-based) where the row is printed."),
        ("page_last", I32, "Page where the row ends: its page, or the next where it goes on past a page break."),
        ("seq", I32, "Position of the row in the results table (1-based, all row kinds counted)."),
        corrected("reported_physical_pct"),
        ("cells", CELLS, CELLS_DOC),
    ],
    "results": [
        *DOC,
        ("result_id", S, "Result key, unique across documents (`<doc_id>-Rnnnn`, in reading order)."),
        ("unit_id", S, "node_id of the unit the result belongs to."),
        ("unit_key", S, "Stable key of the result's unit (`units.key`): joins a unit across reports."),
        ("result_key", S, "Stable key of the result: unit key / code (`…/08-01.01.01-05`), or unit key / "
                          "`texto-<hash of its wording>` where the code cannot be read. Joins a result across "
                          "semesters and across the two tables (`deviations.result_key`)."),
        ("viceministry", S, "Name of the outermost level above the result's unit, if any (a Viceministerio in the "
                            "seed's family; `levels` has every level by its name)."),
        ("direction", S, "Name of the level right above the result's unit, where the profile has two or more "
                         "above it (a Dirección General in the seed's family)."),
        ("unit_number", S, "Number of the unit (the level results hang under) as printed in the results table."),
        ("unit_name", S, "Name of the unit as printed in the results table."),
        ("area", S, "Name of the level within the unit, if any (an Área in the seed's family)."),
        ("levels", MSS, "Every level open above the result, by the template profile's level name → the name "
                        "printed (`{viceministry: …, direction: …, unit: …}`): the hierarchy of any depth."),
        ("group", S, "The 'Ejecución Física Promedio de las Unidades …' row that closes the result's group."),
        ("code", S, "Normalized code (`NN-NN.NN.NN-NN` in the seed's family: the profile's code pattern); null "
                    "when the printed code cannot be read as one."),
        ("code_raw", S, "Code as printed (a code wrapped in its cell keeps the space where it wrapped)."),
        ("objective", S, "The code's part its results share, before the result's number (`08-01.01.01`)."),
        ("sequence", I32, "The code's last part, the result's number within the objective (`14`)."),
        ("expected", S, "Expected result, as printed."),
        ("obtained", S, "Obtained result, as printed."),
        ("physical_pct", F, "Physical progress %; null when blank."),
        ("physical_raw", S, "Physical progress cell as printed."),
        ("budget_pct", F, "Budget progress % on the result row (reports leave it blank)."),
        ("budget_raw", S, "Budget cell as printed."),
        ("cause", S, "Cause of deviation printed in the results table's own column, where the template has one "
                     "(`deviations.cause` where it prints a table of them)."),
        ("part", S, "The results table the result stands in, by the template's name for it, where the family prints "
                    "several (each with its own total); empty where it prints one. Its rows' keys hang under it."),
        ("target", F, "The goal programmed for the period (meta programada: an amount, a count or a percentage), "
                      "where the template prints one; null when blank, a mark such as `NP` (not programmed) or `-`, "
                      "or unreadable. Read with the template's decimal mark (`2.114.698,00`, `1,250.5`)."),
        ("target_raw", S, "The target cell as printed."),
        ("achieved", F, "What was achieved of the target (meta ejecutada); null as for `target`."),
        ("achieved_raw", S, "The achieved cell as printed."),
        ("weight", F, "The result's weight in its level's average (Pond.), where the template prints one."),
        ("weight_raw", S, "The weight cell as printed."),
        ("budget_current", F, "Current budget of the result (presupuesto vigente, PIM), in the report's currency."),
        ("budget_current_raw", S, "The current budget cell as printed (`S/ 1,250`, `2.114.698,00`)."),
        ("budget_executed", F, "Budget executed (presupuesto ejecutado, devengado)."),
        ("budget_executed_raw", S, "The executed budget cell as printed."),
        ("cumulative_pct", F, "Progress % accumulated since the year began, where the template prints it beside the "
                              "period's own (`physical_pct`)."),
        ("cumulative_raw", S, "The cumulative % cell as printed."),
        ("page_first", I32, "Page where the row starts."),
        ("page_last", I32, "Page where the row ends (greater than page_first for a row broken across pages)."),
        ("seq", I32, "Position of the row in the results table."),
        corrected("physical_pct"),
        ("extra", MSS, "Cells of the columns the tool has no name for (RESPONSABLE, INDICADOR…): title → text as printed."),
        ("ocr_confidence", MSF, "For cells read by OCR from a scan: column → Tesseract's confidence (0–100) of its least "
                                "sure word; null for a row read from the PDF's text."),
        ("cells", CELLS, CELLS_DOC),
        *BBOX,
    ],
    "deviations": [
        *DOC,
        ("deviation_id", S, "Deviation key, unique across documents (`<doc_id>-Dnnn`)."),
        ("deviation_key", S, "Stable key of the row: its unit's key as this table names it / its code as printed / its "
                              "place among that unit's rows with that code (`…/08-01.01.01-05/1`)."),
        ("unit_key", S, "Stable key of the results-table unit the row's unit was aligned with (else its own name's)."),
        ("result_key", S, "Stable key of the result the row explains; null when it could not be linked."),
        ("unit_number", S, "Unit number as printed in the deviation table (may differ from the results table)."),
        ("unit_name", S, "Unit name as printed in the deviation table (trailing colon kept)."),
        ("code", S, "Normalized code; null when unreadable."),
        ("code_raw", S, "Code as printed."),
        ("expected", S, "Expected result, as printed in the deviation table."),
        ("cause", S, "Cause of the deviation (Causas de Desviación), as printed."),
        ("corrective_measure", S, "Corrective measure (Medidas Correctivas), as printed."),
        ("result_id", S, "The result this row explains (filled by the match stage)."),
        ("match_score", F, "0–100 confidence of the link (filled by the match stage)."),
        ("match_method", S, "How the link was made (filled by the match stage)."),
        ("page", I32, "Page where the row starts."),
        ("page_last", I32, "Page where the row ends."),
        ("seq", I32, "Position of the row in the deviation table."),
        corrected("cause"),
        ("extra", MSS, "Cells of the columns the tool has no name for (OBSERVACIONES…): title → text as printed."),
        ("ocr_confidence", MSF, "For cells read by OCR: column → confidence (0–100) of its least sure word; null otherwise."),
        ("cells", CELLS, CELLS_DOC),
        *BBOX,
    ],
    "findings": [
        *DOC,
        ("check", S, "Stable id of the check that raised the finding."),
        ("severity", S, "error | warning | info."),
        ("subject_type", S, "What `subject_id` names: result, unit (a `units` row), deviation, or document."),
        ("subject_id", S, "result_id, node_id or deviation_id the finding is about (doc_id for the whole document)."),
        ("reported", F, "The printed figure, where one applies."),
        ("recomputed", F, "The recomputed figure, where one applies."),
        ("message", S, "What is wrong, in Spanish, for the auditor."),
        ("page", I32, "Page of the subject."),
    ],
    "corrections": [
        *DOC,
        ("table", S, "The table the correction sets a cell of: results, deviations or units."),
        ("key", S, "The row's stable key as read (`results.result_key`, `deviations.deviation_key`, `units.key`)."),
        ("column", S, "The column it sets."),
        ("original", S, "The value as read, before the correction; null for a stale one."),
        ("value", S, "The value the correction sets, as written in `corrections.csv`."),
        ("status", S, "applied, or stale: the row or column it names is not in the document as read now."),
        ("reason", S, "Why a stale correction was not applied."),
        ("subject_id", S, "The row it changed (result_id, deviation_id or node_id)."),
        ("note", S, "The corrector's note."),
        ("author", S, "Who made the correction."),
        ("date", S, "When (ISO date)."),
        ("line", I32, "Its line in `corrections.csv` (a malformed one's reason names it too)."),
    ],
    "tables": [
        *DOC,
        ("page", I32, "Page of the cell."),
        ("table", I32, "The table's number on its page (1-based, top to bottom)."),
        ("row", I32, "The cell's row in its table (1-based): each text line is a row, so a cell whose text wraps "
                     "gives a row for each of its lines."),
        ("column", I32, "The cell's column (1-based, left to right): cut at the vertical rulings through the table, "
                        "or else where two lines or more leave a gap."),
        ("text", S, "The cell's text as printed (whitespace joined)."),
        ("x0", F, "Left edge, PDF points."),
        ("top", F, "Top edge, PDF points from the top."),
        ("x1", F, "Right edge."),
        ("bottom", F, "Bottom edge."),
    ],
    "leftovers": [
        *DOC,
        ("page", I32, "Page of the text."),
        ("x0", F, "Left edge, PDF points."),
        ("top", F, "Top edge, PDF points from the top."),
        ("x1", F, "Right edge."),
        ("bottom", F, "Bottom edge."),
        ("text", S, "A line of text no table cell took: title block, repeated headers, footnotes."),
        ("hidden", S, "Why the page does not show this text, for text the file holds but draws invisibly (render "
                      "mode 3, white or transparent ink on no filled shape): never read as a cell. Null for text the "
                      "page shows."),
    ],
}


TABLE_VERSION = "2"  # changes when a table's columns change meaning or type
PRIMARY_KEYS = {"documents": ["doc_id"], "units": [ID_COLUMN[Table.UNITS]], "results": [ID_COLUMN[Table.RESULTS]],
                "deviations": [ID_COLUMN[Table.DEVIATIONS]], "findings": [], "tables": [], "leftovers": [],
                "corrections": []}
FOREIGN_KEYS = {  # column -> (table, column) it points at
    "units": {"doc_id": ("documents", "doc_id"), "parent_id": ("units", "node_id")},
    "results": {"doc_id": ("documents", "doc_id"), "unit_id": ("units", "node_id")},
    "deviations": {"doc_id": ("documents", "doc_id"), "result_id": ("results", "result_id")},
    "findings": {"doc_id": ("documents", "doc_id")},
    "tables": {"doc_id": ("documents", "doc_id")},
    "leftovers": {"doc_id": ("documents", "doc_id")},
    "corrections": {"doc_id": ("documents", "doc_id")},
}
# Columns whose values are a closed set: stored dictionary-encoded, read by pandas as categories.
CATEGORIES = {
    "documents": {"status", "engine", "reader", "ocr"},
    "units": {"level"},
    "deviations": {"match_method"},
    "findings": {"check", "severity", "subject_type"},
    "corrections": {"table", "status"},
}
CATEGORY = pa.dictionary(pa.int32(), pa.string())


def column_type(table: str, name: str, typ: pa.DataType) -> pa.DataType:
    return CATEGORY if name in CATEGORIES.get(table, ()) else typ


def schema(table: str) -> pa.Schema:
    """The table's Arrow schema, self-describing: each field carries its description; the schema carries the
    table's name, version and keys, and pandas metadata that reads integer columns as nullable integers
    (Int32: a document with no year stays an integer column) and closed sets as categories."""

    fields = [pa.field(name, column_type(table, name, typ), metadata={"description": doc})
              for name, typ, doc in TABLES[table]]
    pandas = {
        "index_columns": [], "column_indexes": [], "creator": {"library": "poa"}, "pandas_version": "2",
        "columns": [{"name": name, "field_name": name, "metadata": None,
                     "pandas_type": "int32" if typ == I32 else "categorical" if column_type(table, name, typ) == CATEGORY
                     else "mixed",
                     "numpy_type": "Int32" if typ == I32 else "category" if column_type(table, name, typ) == CATEGORY
                     else "object"}
                    for name, typ, _ in TABLES[table] if typ == I32 or column_type(table, name, typ) == CATEGORY],
    }
    meta = {"poa.table": table, "poa.table_version": TABLE_VERSION,
            "poa.primary_key": json.dumps(PRIMARY_KEYS[table]),
            "poa.foreign_keys": json.dumps({k: list(v) for k, v in FOREIGN_KEYS.get(table, {}).items()}),
            "pandas": json.dumps(pandas)}
    return pa.schema(fields, metadata=meta)


def type_text(typ: pa.DataType) -> str:
    """A column's Arrow type as the data dictionary states it: `string (category)` for a dictionary-encoded one,
    `list<string>` and `map<int32, int32>` for lists and maps (whatever their parts are called: Parquet reads a
    list's items back as `element`, a map with its column's name)."""
    if pa.types.is_dictionary(typ):
        return f"{typ.value_type} (category)"
    if pa.types.is_list(typ):
        return f"list<{type_text(typ.value_type)}>"
    if pa.types.is_map(typ):
        return f"map<{type_text(typ.key_type)}, {type_text(typ.item_type)}>"
    return str(typ)


def dictionary_markdown() -> str:
    out = [
        "# Data dictionary",
        "",
        "`poa run … --out DIR` writes one Parquet file per document and table: `DIR/<table>/<doc_id>.parquet`.",
        "`pandas.read_parquet('DIR/results')` (or `polars.read_parquet('DIR/results/*.parquet')`, or duckdb's",
        "`read_parquet('DIR/results/*.parquet')`) loads every document at once. Join on `doc_id` plus the keys below.",
        "",
        "Generated from `outputs/schema.py`; do not edit by hand.",
    ]
    for table, cols in TABLES.items():
        out += ["", f"## {table}", "", "| column | type | meaning |", "| --- | --- | --- |"]
        out += [f"| `{name}` | {type_text(column_type(table, name, typ))} | {doc} |" for name, typ, doc in cols]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(dictionary_markdown(), end="")
