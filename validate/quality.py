"""Whether a document was read well enough to be `ok`, or needs a person's look (`review`), and why.

Every measure of the read (`ReadQuality`, filled by the stages) is held to a limit; each one out of bounds is
a reason, in plain English in `documents.review_reasons`, and a `read_doubt` finding in Spanish for the
auditor. A document is `ok` only when no measure doubts the read: a wrong row must never look right.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from poa.core.numbers import half_up
from poa.core.records import Document, Finding, ReadQuality, Report, Severity, Status
from poa.core.vocab import page_list, plural

from .arithmetic import Tree


@dataclass(frozen=True)
class Bounds:
    """The bounds each measure of a read is held to (not `poa.limits.Limits`, a batch's time and memory)."""

    pct_blank_share: float = 0.2  # more results than this with no % at all: the % column was probably missed
    unit_agreement: float = 0.75  # fewer units than this whose printed % the rows give back…
    unit_agreement_min_units: int = 4  # …among at least this many units with a printed %
    linked_share: float = 0.8  # fewer deviation rows than this linked to a result
    unmapped_share: float = 0.005  # characters with no text, as a share of the table pages' characters
    ocr_confidence: float = 80.0  # OCR'd pages whose words Tesseract is this sure of, on average, or less


LIMITS = Bounds()


@dataclass(frozen=True)
class Doubt:
    code: str
    en: str  # for documents.review_reasons
    es: str  # for the auditor's finding


def doubts(q: ReadQuality, limits: Bounds = LIMITS, code_form: str = "a code") -> list[Doubt]:
    """Every measure out of bounds, worded for people (`code_form`: what a result code looks like, the
    profile's "NN-NN.NN.NN-NN")."""
    out: list[Doubt] = []

    def add(code: str, en: str, es: str, measure: str | None = None) -> None:
        """A doubt; where its measure saw what it counts on particular pages, the reason names them."""
        pages = q.measure_pages.get(measure or "")
        if pages:
            en, es = f"{en} ({page_list(pages)})", f"{es} ({page_list(pages, spanish=True)})"
        out.append(Doubt(code, en, es))

    if q.template_rivals:
        names = ", ".join(q.template_rivals)
        add("template_ambiguous", f"other templates fit the document as well as the one it was read as ({names}): "
                                  "run it again with --template to say which it is",
            f"otras plantillas se ajustan al documento tanto como la usada ({names}): repita con --template "
            "indicando cuál es")
    if q.entity_missing:
        add("entity_missing", "no line of the title block names the entity (its keys say «entidad-desconocida»): "
                              "a letterhead or a title may have been taken for another line, or lost",
            "ninguna línea del título nombra a la entidad (sus claves dicen «entidad-desconocida»): un membrete o un "
            "título pudo leerse como otra línea, o perderse")
    if q.result_rows == 0:
        add("no_results", "no result rows were read", "no se leyó ninguna fila de resultados")
    if q.missing_columns:
        names = ", ".join(q.missing_columns)
        add("columns_missing", f"the header names no column for: {names}",
            f"el encabezado no nombra estas columnas: {names}")
    if q.code_valid_share is not None and q.code_valid_share < 1:
        n = round((1 - q.code_valid_share) * q.result_rows)
        add("codes_unreadable", f"{n} of {q.result_rows} result codes do not read as {code_form}",
            f"{n} de {q.result_rows} códigos de resultado no se leen como {code_form}", "code_valid_share")
    if q.pct_unreadable:
        one = q.pct_unreadable == 1
        add("pct_unreadable", f"{q.pct_unreadable} {'row has' if one else 'rows have'} a % cell that holds something "
                              "that is not a percentage",
            f"{q.pct_unreadable} {'fila tiene' if one else 'filas tienen'} una celda de porcentaje que contiene algo "
            "que no es un porcentaje",
            "pct_unreadable")
    if q.deviation_codes_unreadable:
        add("deviation_codes_unreadable", f"{q.deviation_codes_unreadable} of {q.deviation_rows} deviation codes do not "
                                          "read as codes",
            f"{q.deviation_codes_unreadable} de {q.deviation_rows} códigos de desviación no se leen como códigos",
            "deviation_codes_unreadable")
    if q.pct_read_share is not None and q.result_rows and 1 - q.pct_read_share > limits.pct_blank_share:
        n = round((1 - q.pct_read_share) * q.result_rows)
        add("pct_mostly_blank", f"{n} of {q.result_rows} results have no physical %",
            f"{n} de {q.result_rows} resultados no tienen avance físico")
    if q.pct_in_text:
        n = q.pct_in_text
        add("pct_in_text", f"{plural(n, 'result has', 'results have')} no % of their own but a text cell ending in one",
            f"{plural(n, 'resultado no tiene', 'resultados no tienen')} avance físico propio pero una celda de texto "
            "termina en un porcentaje", "pct_in_text")
    if q.other_rows:
        n = q.other_rows
        add("other_rows", plural(n, "row of the results table is neither a result nor a section",
                                 "rows of the results table are neither results nor sections"),
            plural(n, "fila de la tabla de resultados no es resultado ni sección",
                   "filas de la tabla de resultados no son resultados ni secciones"), "other_rows")
    if q.empty_units:
        one = q.empty_units == 1
        add("empty_units", f"{q.empty_units} unit{'' if one else 's'} print{'s' if one else ''} a % but "
                           f"{'has' if one else 'have'} no result under {'it' if one else 'them'} (a section row "
                           "read as a unit, or its results lost?)",
            f"{q.empty_units} unidad{'' if one else 'es'} imprime{'' if one else 'n'} un porcentaje pero no "
            f"tiene{'' if one else 'n'} ningún resultado (¿una fila de sección leída como unidad, o sus resultados "
            "perdidos?)", "empty_units")
    if q.cells_outside_column:
        n = q.cells_outside_column
        add("cells_outside_column", plural(n, "word of result or deviation rows runs", "words of result or deviation "
                                              "rows run") + " across a column edge",
            plural(n, "palabra de filas de resultados o desviaciones cruza", "palabras de filas de resultados o "
                   "desviaciones cruzan") + " el borde de una columna", "cells_outside_column")
    if q.stray_chars:
        n = q.stray_chars
        add("stray_text", plural(n, "character inside a table's area is", "characters inside a table's area are")
            + " in no cell", plural(n, "carácter dentro del área de una tabla no quedó", "caracteres dentro del área "
                                    "de una tabla no quedaron") + " en ninguna celda", "stray_chars")
    if q.rows_misaligned:
        one = q.rows_misaligned == 1
        add("rows_misaligned", f"{q.rows_misaligned} row{'' if one else 's'} start{'s' if one else ''} lower in "
                               "their first cell than in their others (lines of the row above run into "
                               f"{'it' if one else 'them'}?)",
            f"{q.rows_misaligned} fila{'' if one else 's'} empieza{'' if one else 'n'} más abajo en su primera celda "
            f"que en las otras (¿líneas de la fila anterior unidas a {'ella' if one else 'ellas'}?)",
            "rows_misaligned")
    if q.hidden_chars:
        n = q.hidden_chars
        add("hidden_text", plural(n, "character inside a table's area is", "characters inside a table's area are")
            + " in the file but not on the page (invisible, or white on white): not read as cells; the file and what "
            "it shows differ",
            plural(n, "carácter dentro del área de una tabla está en el archivo pero no se ve", "caracteres dentro del "
                   "área de una tabla están en el archivo pero no se ven") + " en la página (invisibles, o blanco "
            "sobre blanco): no se leyeron como celdas; el archivo y lo que muestra difieren", "hidden_chars")
    if q.legend_unread:
        add("legend_unread", f"the list of texts above a table printed on its side lacks the text of a code, or "
                             f"holds a line no entry takes, {q.legend_unread} time{'s' if q.legend_unread > 1 else ''} "
                             "(a line of the list lost?)",
            f"la lista de textos sobre una tabla transpuesta no da el texto de un código, o tiene una línea que no "
            f"pertenece a ninguna entrada, {q.legend_unread} {'veces' if q.legend_unread > 1 else 'vez'} (¿una línea "
            "de la lista perdida?)", "legend_unread")
    if q.header_changes:
        add("header_changed", f"a table's header printed again on {page_list(q.header_changes)} reads otherwise than "
                              "where the table begins (a row's line taken into it, or one of its lines lost)",
            f"el encabezado de una tabla, repetido en {page_list(q.header_changes, spanish=True)}, no se lee igual "
            "que donde empieza la tabla (una línea de una fila tomada por encabezado, o una línea suya perdida)")
    if q.sequence_breaks:
        said = "; ".join(q.sequence_breaks)
        add("code_sequence", f"result codes of one unit and objective do not follow each other across a page break "
                             f"(a row lost, merged or filed under the wrong unit?): {said}",
            f"los códigos de resultado de una unidad y un objetivo no se siguen en un salto de página (¿una fila "
            f"perdida, unida a otra o asignada a otra unidad?): {said}")
    if q.pages_without_table:
        pages = ", ".join(map(str, q.pages_without_table))
        add("pages_without_table", f"pages {pages} hold result codes but no table was found on them",
            f"las páginas {pages} contienen códigos de resultado pero en ellas no se encontró la tabla")
    if q.chars_total and q.unmapped_chars > limits.unmapped_share * q.chars_total:
        add("unmapped_font", f"{q.unmapped_chars} characters have no readable text (a font with no Unicode map)",
            f"{q.unmapped_chars} caracteres no tienen texto legible (fuente sin correspondencia Unicode)")
    if q.damaged_streams:
        n = len(q.damaged_streams)
        first = q.damaged_streams[0]
        add("damaged_file", f"the file is damaged: {n} compressed stream{'s are' if n != 1 else ' is'} corrupt or cut "
                            f"short ({first}{', …' if n > 1 else ''}); a reader draws such a stream only up to the damage, so text "
                            "may be missing",
            f"el archivo está dañado: {n} flujo{'s' if n != 1 else ''} comprimido{'s' if n != 1 else ''} "
            f"{'están' if n != 1 else 'está'} corrupto{'s' if n != 1 else ''} o cortado{'s' if n != 1 else ''} "
            f"({first}{', …' if n > 1 else ''}); un lector muestra ese flujo solo hasta el daño, así que puede faltar "
            "texto")
    if q.unterminated:
        add("unterminated", "the results table runs off the end of the document with no closing row or note",
            "la tabla de resultados llega al final del documento sin su fila de cierre ni su nota")
    if q.unit_average_agreement is not None and q.unit_average_agreement < limits.unit_agreement:
        share = f"{q.unit_average_agreement:.0%}"
        add("unit_averages", f"only {share} of the units' printed averages are given back by the rows read",
            f"solo el {share} de los promedios impresos de las unidades coincide con las filas leídas")
    if q.ocr_confidence is not None and q.ocr_confidence < limits.ocr_confidence:
        n = len(q.ocr_pages)
        add("ocr_confidence", f"the {n} OCR'd page{'s' if n != 1 else ''} read with a mean word confidence of "
                              f"{q.ocr_confidence:.0f} of 100 (below {limits.ocr_confidence:.0f})",
            f"{'las' if n != 1 else 'la'} {n} página{'s' if n != 1 else ''} leída{'s' if n != 1 else ''} "
            f"por OCR tiene{'n' if n != 1 else ''} una confianza media de {q.ocr_confidence:.0f} de 100 "
            f"(menos de {limits.ocr_confidence:.0f})")
    if q.ocr_unsure_cells:
        add("ocr_unsure_cells", f"{q.ocr_unsure_cells} code or % cells were read by OCR with low confidence "
                                "(see the ocr_low_confidence findings)",
            f"{q.ocr_unsure_cells} celdas de código o porcentaje se leyeron por OCR con baja confianza "
            "(vea los hallazgos ocr_low_confidence)")
    if q.ocr_codes_unconfirmed:
        add("ocr_codes_unconfirmed", f"{q.ocr_codes_unconfirmed} result codes read by OCR were repaired and the unit's "
                                     "numbering does not bear the repair out",
            f"{q.ocr_codes_unconfirmed} códigos de resultado leídos por OCR se repararon y la numeración de su unidad "
            "no confirma la reparación")
    if q.deviations_linked_share is not None and q.deviations_linked_share < limits.linked_share:
        share = f"{q.deviations_linked_share:.0%}"
        add("deviations_unlinked", f"only {share} of the deviation rows could be linked to a result",
            f"solo el {share} de las filas de desviación se pudo vincular a un resultado")
    return out


def assess(report: Report, limits: Bounds = LIMITS) -> tuple[Document, list[Finding]]:
    """The report's document, new, with the validate stage's measures, its status (ok or review) and the
    reasons; and one read_doubt finding per reason."""
    q = report.document.quality.copy()
    tree = Tree(report)
    units = [(recomputed, n.reported_physical_pct) for n in report.nodes
             if n.level == tree.unit and n.reported_physical_pct is not None
             and (recomputed := n.recomputed_physical_pct) is not None and tree.results_of[n.node_id]]
    if len(units) >= limits.unit_agreement_min_units:
        d = report.template.arithmetic.decimals
        agree = sum(half_up(recomputed, d) == printed for recomputed, printed in units)
        q.unit_average_agreement = round(agree / len(units), 4)
    if report.deviations:
        q.deviations_linked_share = round(sum(d.result_id is not None for d in report.deviations) / len(report.deviations), 4)
    found = doubts(q, limits, report.template.code.example())
    q.reasons, q.review_codes = [d.en for d in found], [d.code for d in found]
    status = Status.REVIEW if found and report.document.status == Status.OK else report.document.status
    return (replace(report.document, quality=q, status=status),
            [Finding("read_doubt", Severity.WARNING, None, message=f"Lectura dudosa: {d.es}. Revise el documento contra el PDF.")
             for d in found])
