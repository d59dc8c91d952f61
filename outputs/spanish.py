"""The auditor's words: Spanish labels for checks, levels and severities; es-BO numbers and dates; the
document-level errors (plain English in `documents.error`) said in Spanish.

Bolivian documents write 49,65 % (comma decimal, a point between thousands) and 30/06/2016; the audit
pages and the workbook's text follow them. Only the auditor-facing text lives here; code stays English.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from poa.core import errors
from poa.core.profile import Profile
from poa.core.profiles import load
from poa.core.records import Report
from poa.core.vocab import date_es, plural

BOLIVIA = dt.timezone(dt.timedelta(hours=-4), "BOT")  # Bolivia keeps UTC-4 all year (no daylight saving)

SEVERITY_ES = {"error": "Error", "warning": "Advertencia", "info": "Información"}
SEVERITY_PLURAL_ES = {"error": ("error", "errores"), "warning": ("advertencia", "advertencias"),
                      "info": ("informativo", "informativos")}
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
METHOD_ES = {"code+text": "código y texto", "text": "texto", "code": "código (texto poco similar)"}
PART_ES = {"S": ("primer semestre", "segundo semestre"),
           "Q": ("primer trimestre", "segundo trimestre", "tercer trimestre", "cuarto trimestre")}
STATUS_ES = {"ok": "Lectura correcta", "review": "En revisión (lectura dudosa)", "failed": "No leído"}

# Each check: its label for the auditor, and the rule (criterion) it applies.
CHECK_ES: dict[str, tuple[str, str]] = {
    "average_mismatch": (
        "Promedio impreso distinto del recalculado",
        "El avance físico de cada fila de la jerarquía es el {average} de sus componentes (resultados, "
        "unidades, direcciones o grupos, sin redondear; en blanco excluidos), {rounding}; la cifra impresa debe "
        "ser igual."),
    "row_pct_mismatch": (
        "Avance del resultado distinto de su meta ejecutada entre la programada",
        "El avance físico de un resultado es su meta ejecutada entre su meta programada, por 100, {rounding}; la "
        "cifra impresa debe ser igual."),
    "budget_pct_mismatch": (
        "Avance presupuestario del resultado distinto de su ejecución",
        "El avance presupuestario de un resultado es su presupuesto ejecutado entre el vigente, por 100, "
        "{rounding}; la cifra impresa debe ser igual."),
    "budget_mismatch": (
        "Avance presupuestario impreso distinto del recalculado",
        "El avance presupuestario de un nivel es la suma del presupuesto ejecutado de sus filas entre la suma del "
        "vigente, por 100, {rounding}; la cifra impresa debe ser igual."),
    "cumulative_mismatch": (
        "Avance acumulado impreso distinto del recalculado",
        "El avance acumulado de cada fila de la jerarquía se calcula como su avance del período: {average} de sus "
        "componentes, {rounding}; la cifra impresa debe ser igual."),
    "band_mismatch": (
        "Calificación del cumplimiento inconsistente",
        "La banda que califica el cumplimiento debe dar la cifra del total recalculado, y esa cifra debe estar "
        "dentro del rango de la banda que nombra."),
    "budget_not_recomputable": (
        "Avance presupuestario no verificable",
        "El avance presupuestario solo se imprime en filas de grupo; el reporte no trae la ejecución de cada "
        "resultado para recalcularlo."),
    "deviation_missing": (
        "Resultado bajo {threshold} % sin causa de desviación",
        "Regla del propio reporte: todo resultado con avance físico menor al {threshold} % debe {explained}."),
    "deviation_unneeded": (
        "Desviación informada para un avance de {threshold} % o más",
        "Regla del propio reporte: las causas de desviación son para resultados con avance menor al {threshold} %."),
    "deviation_unmatched": (
        "Fila de desviación sin resultado vinculado",
        "Cada fila de la tabla de causas de desviación debe corresponder a un resultado de la tabla de "
        "resultados (por código y texto)."),
    "deviation_code_mismatch": (
        "Desviación vinculada a un resultado de otro código",
        "El código de la fila de desviación debe ser el del resultado que explica."),
    "unit_number_inconsistent": (
        "Unidad numerada distinto en las dos tablas",
        "Una unidad debe llevar el mismo número en la tabla de resultados y en la de causas de desviación."),
    "unit_number_duplicate": (
        "Número de unidad repetido",
        "Cada número de unidad debe identificar una sola unidad dentro de una tabla."),
    "unit_name_duplicate": (
        "Fila de la jerarquía repetida",
        "Cada unidad, dirección o grupo debe figurar una sola vez en la tabla de resultados."),
    "unit_name_variant": (
        "Nombre de unidad escrito de otra forma",
        "Una unidad debe escribirse igual en las dos tablas."),
    "unit_unmatched": (
        "Unidad de la tabla de desviaciones no encontrada",
        "Cada unidad de la tabla de causas de desviación debe existir en la tabla de resultados."),
    "pct_out_of_range": (
        "Avance físico fuera de 0–100 %",
        "Un avance físico es un porcentaje entre 0 y 100 %; fuera de ese rango se excluye de los promedios."),
    "pct_missing": (
        "Resultado sin avance físico",
        "Cada resultado debe tener su avance físico; uno en blanco se excluye del promedio de su unidad."),
    "pct_repaired": (
        "Porcentaje leído con corrección",
        "El porcentaje solo se lee como número tras corregir un signo mal leído; compárelo con el PDF."),
    "code_invalid": (
        "Código ilegible",
        "Todo código de resultado tiene la forma {code_form}."),
    "code_repaired": (
        "Código leído con corrección",
        "El código solo se lee tras cambiar letras por dígitos (O→0, l→1) o por la numeración de su unidad."),
    "duplicate_code": (
        "Código repetido en la misma unidad",
        "Un resultado se identifica por su unidad y su código: no puede repetirse dentro de una unidad."),
    "text_empty": (
        "Texto vacío",
        "El resultado esperado, la causa y la medida correctiva deben tener texto."),
    "placeholder_text": (
        "Texto de relleno en lugar de un dato",
        "Un marcador como «XX» no es un dato: el reporte debe dar la cifra o el texto."),
    "text_truncated": (
        "Texto cortado",
        "Una celda no debe terminar a mitad de frase."),
    "progress_text_conflict": (
        "Avance declarado sin resultado obtenido",
        "Un resultado con avance mayor a 0 % debe describir lo obtenido (no «Ninguno.» ni una celda vacía)."),
    "read_doubt": (
        "Lectura dudosa",
        "Las medidas de calidad de la lectura deben estar dentro de sus límites; si no, el documento queda en "
        "revisión y sus cifras deben compararse con el PDF."),
    "correction_applied": (
        "Valor corregido a mano",
        "Una cifra o un texto que una persona corrigió contra el PDF (archivo de correcciones) reemplaza al leído; "
        "los promedios y hallazgos se recalculan con él, y el valor leído queda registrado."),
    "correction_stale": (
        "Corrección no aplicada",
        "Cada corrección del archivo de correcciones debe encontrar su fila y columna en el documento leído."),
    "ocr_low_confidence": (
        "Celda leída por OCR con baja confianza",
        "Un código o porcentaje leído por OCR con poca confianza debe compararse con el PDF."),
}


def check_label(check: str, profile: Profile | None = None) -> str:
    """The Spanish label of a check (its id where poa has none yet), in the words of the document's profile
    (its threshold for a cause of deviation)."""
    return _worded(CHECK_ES.get(check, (check, ""))[0], profile)


def check_rule(check: str, profile: Profile | None = None) -> str:
    return _worded(CHECK_ES.get(check, ("", ""))[1], profile)


def criteria(profile: Profile) -> list[tuple[str, str]]:
    """The criteria a working paper applies, (title, text): the report's own arithmetic over its levels (the
    profile's), half-up rounding, the report's rule for causes of deviation, the budget % as printed."""
    unit = profile.unit_level
    above = [lv for lv in reversed(profile.levels[:profile.levels.index(unit)]) if lv.figures] if unit else []
    a = profile.arithmetic
    whole = profile.called(unit.name) if unit else profile.total_called
    outside = "" if a.top is None else " (y los fuera de 0–100 %)"
    arithmetic = (f"avance {'del ' + whole[3:] if whole.startswith('el ') else 'de ' + whole} = "
                  f"{average_words(profile)} del avance físico de sus resultados, excluidos los que no tienen avance "
                  f"impreso{outside}") if unit or profile.total else ""
    for lv in above:
        how = lv.operation or "Promedio de los valores sin redondear de sus componentes"
        arithmetic += f"; {lv.label} = {how[:1].lower()}{how[1:]}"
    if profile.group:
        arithmetic += "; promedio de grupo = promedio de las unidades que cierra"
    if profile.total:
        arithmetic += "; total = promedio de los promedios de grupo"
    if a.row_pct:
        arithmetic += "; avance de un resultado = meta ejecutada ÷ meta programada × 100"
    arithmetic = arithmetic.removeprefix("; ")
    rounding = ("Las cifras impresas son enteros redondeados mitad hacia arriba (62,5 → 63; 48,5 → 49)" if a.decimals == 0
                else f"Las cifras impresas llevan {a.decimals} decimales, redondeados mitad hacia arriba")
    out = [("Aritmética del propio reporte", arithmetic[:1].upper() + arithmetic[1:] + "."),
           ("Redondeo", f"{rounding}; se comparan con el recalculado redondeado de la misma forma.")]
    if profile.threshold is not None and profile.deviations != "none":
        out.append((f"Regla del {profile.threshold:g} %", _worded(
            "Según el propio reporte, todo resultado con avance físico menor al {threshold} % debe {explained}.",
            profile)))
    if a.budget_ratio:
        out.append(("Avance presupuestario", "Presupuesto ejecutado ÷ presupuesto vigente × 100, de cada fila y, para "
                                             "cada nivel, de las sumas de sus filas."))
    elif profile.has_column("results", "budget"):
        out.append(("Avance presupuestario", "Se transcribe como está impreso: el reporte no trae datos para recalcularlo."))
    return out


def average_words(profile: Profile) -> str:
    """The average the report uses, as a noun phrase."""
    return ("promedio ponderado por el peso (Pond.)" if profile.arithmetic.average == "weighted"
            else "promedio aritmético")


def _worded(text: str, profile: Profile | None) -> str:
    if "{" not in text:
        return text
    profile = profile or load()
    explained = ("tener su causa de desviación en la columna de causas" if profile.deviations == "column" else
                 "figurar en la tabla de causas de desviación y medidas correctivas")
    d = profile.arithmetic.decimals
    rounding = ("redondeado al entero mitad hacia arriba" if d == 0 else
                f"redondeado a {d} decimal{'es' if d > 1 else ''} mitad hacia arriba")
    return text.format(threshold=f"{profile.threshold or 0:g}", explained=explained, code_form=profile.code.example(),
                       average=average_words(profile), rounding=rounding)


# ------------------------------------------------------------------ numbers, dates, plurals


def number(x: float, digits: int | None = None) -> str:
    """es-BO: 1.234,5. `digits` fixed decimals; None: up to two, trailing zeros dropped (55, 62,5, 33,33)."""
    if round(x, 2 if digits is None else digits) == 0:
        x = 0.0  # no "-0,00"
    if digits is None:
        text = f"{x:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{x:,.{digits}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def pct(x: float | None, digits: int | None = None, empty: str = "—") -> str:
    """A percentage as Bolivian documents print it: 49,65 % (a no-break space before the sign)."""
    return empty if x is None else f"{number(x, digits)}\u00a0%"


def date(iso: str | dt.date | None, empty: str = "?") -> str:
    """dd/mm/aaaa."""
    return date_es(iso if isinstance(iso, str | None) else iso.isoformat(), empty)


def timestamp(when: dt.datetime) -> str:
    """dd/mm/aaaa hh:mm, in Bolivia's time."""
    return when.astimezone(BOLIVIA).strftime("%d/%m/%Y %H:%M") + " (hora de Bolivia)"


def corrections_note(report: Report) -> str | None:
    """The working paper's line on corrections by hand: how many values a person set against the PDF, by whom,
    and where each is told; None where the paper holds only what was read."""
    if not report.corrections:
        return None
    applied = [a for a in report.corrections if a.status == "applied"]
    cells = {(a.subject_id, a.correction.column) for a in applied}
    who = sorted({a.correction.author for a in applied if a.correction.author})
    text = (f"Este papel incluye {plural(len(cells), 'valor corregido', 'valores corregidos')} a mano"
            + (f" por {', '.join(who)}" if who else "") + " contra el PDF; cada uno figura en los hallazgos "
            "«Valor corregido a mano», con el valor leído y el fijado." if cells else "Ninguna corrección a mano se aplicó.")
    if stale := len(report.corrections) - len(applied):
        text += f" {plural(stale, 'corrección no aplicada', 'correcciones no aplicadas')}: véanse los hallazgos."
    return text


def period(value: str | None) -> str:
    """`2016-S1` → "primer semestre de la gestión 2016"; `2019-Q3` → "tercer trimestre de la gestión 2019";
    `2018` → "gestión 2018"."""
    if not value:
        return "periodo no identificado"
    year = value.partition("-")[0]
    return f"{period_part(value)} de la gestión {year}" if "-" in value else f"gestión {year}"


def period_part(value: str | None) -> str:
    """`2016-S1` → "primer semestre"; `2019-Q3` → "tercer trimestre"; a whole year, or none: ""."""
    part = (value or "").partition("-")[2]
    return PART_ES[part[0]][int(part[1:]) - 1] if part else ""


# ------------------------------------------------------------------ document-level errors


def _n(text: str) -> str:
    """A number as poa's English messages print it (2.5), as Spanish writes it (2,5)."""
    return text.replace(".", ",")


def _pages_es(text: str) -> str:
    return re.sub(r"\bpages? ", lambda m: "páginas " if m.group(0) == "pages " else "página ", text)


_KIND_ES = {"a folder": "una carpeta", "a named pipe (FIFO)": "una tubería con nombre (FIFO)",
            "a character device": "un dispositivo de caracteres", "a block device": "un dispositivo de bloques",
            "a socket": "un socket"}


def _found_es(text: str) -> str:
    """extract.what_was_found's pieces in Spanish (a piece it does not know stays as it is)."""
    pieces = []
    for piece in text.split("; "):
        m = re.fullmatch(r"(\d+) of (\d+) pages OCR'd \((.*), mean word confidence (\d+)\)", piece)
        if m:
            pieces.append(f"{m[1]} de {m[2]} páginas leídas por OCR ({_pages_es(m[3])}, confianza media {m[4]})")
        elif m := re.fullmatch(r"table-like text \(a drawn grid\) on (.*), none under a POA header", piece):
            pieces.append(f"texto en forma de tabla (una cuadrícula dibujada) en {_pages_es(m[1])}, ninguna bajo un "
                          "encabezado de POA")
        elif piece == "no drawn table on any page":
            pieces.append("ninguna tabla dibujada en ninguna página")
        elif m := re.fullmatch(r"result-code-like words on (.*)", piece):
            pieces.append(f"palabras con forma de código de resultado en {_pages_es(m[1])}")
        else:
            pieces.append(piece)
    return "; ".join(pieces)


# Each kind of failure (`poa.core.errors.KINDS`, matched by its English message) in Spanish, from the parts its
# pattern names. A part named `rest` is translated again.
_ERRORS_ES: dict[str, Callable[[re.Match], str]] = {
    "copy": lambda m: f"{error_es(m['rest']) or m['rest']} (los mismos bytes que {m['path']})",
    "not_recorded": lambda m: f"{error_es(m['rest']) or m['rest']} (no se pudo registrar en {m['out']}: {m['why']})",
    "not_pdf": lambda m: "no es un PDF (el archivo no empieza con la firma %PDF-)",
    "encrypted": lambda m: "PDF cifrado o protegido con contraseña",
    "no_pages": lambda m: "el PDF no tiene páginas",
    "damaged": lambda m: f"PDF dañado o truncado: {m['d']}",
    "page_damaged": lambda m: f"PDF dañado: la página {m['n']} no se puede leer: {m['d']}",
    "ocr_failed": lambda m: f"la página {m['n']} no se pudo reconocer por OCR: {m['d']}",
    "ocr_unavailable": lambda m: f"la página {m['n']} no tiene capa de texto y necesita OCR: {m['d']}",
    "ocr_no_text": lambda m: f"sin capa de texto (PDF escaneado o solo de imágenes), y el OCR no reconoció texto en él: "
                             f"{_found_es(m['found'])}",
    "ocr_off": lambda m: "sin capa de texto (PDF escaneado o solo de imágenes)"
                         + ("; ejecute sin --ocr never para reconocer sus páginas" if m["never"] else ""),
    "blank": lambda m: f"no hay nada impreso en {'su página' if m['which'] == 'its page' else 'ninguna de sus páginas'}: "
                       "ni texto ni imagen con texto",
    "unreadable_scan": lambda m: f"no se encontró texto: {_found_es(m['found'])}, y no se reconoció nada (un escaneo "
                                 "en blanco o ilegible)",
    "no_table": lambda m: ("no se encontró la tabla de resultados ni la de causas de desviación del POA (ningún "
                           f"encabezado con los títulos de columna de la{'s' if ',' in m['names'] else ''} plantilla"
                           f"{'s' if ',' in m['names'] else ''} {m['names']})"
                           + ("; el modo lattice de camelot solo lee tablas con líneas, pruebe --engine geometry"
                              if m["camelot"] else "")
                           + (f"; {_found_es(m['found'])}" if m["found"] else "")),
    "timeout": lambda m: (f"superó el tiempo límite de {_n(m['s'])} s (--timeout"
                          + (f" {_n(m['base'])} s + {_n(m['per'])} s × {m['n']} página{'s' if m['n'] != '1' else ''}"
                             if m["base"] else "")
                          + (f", × {m['f']} por cada una de las {m['o']} leídas por OCR" if m["f"] else "") + ")"),
    "memory": lambda m: f"agotó el límite de memoria ({m['size']}, --max-memory) al leerlo" + (f": {m['d']}" if m["d"] else ""),
    "worker_died": lambda m: f"el proceso de lectura terminó de forma inesperada al leer este documento ({m['how']})",
    "write_failed": lambda m: f"no se pudieron escribir sus resultados en {m['out']}: {m['d']}",
    "not_regular_file": lambda m: "no es un archivo regular" + (f": {_KIND_ES.get(m['kind'], m['kind'])}" if m["kind"] else ""),
    "not_on_disk": lambda m: (f"no es un archivo regular en disco: se lee más de lo que dice su tamaño ({m['n']} bytes) "
                              "(¿un archivo de /proc o /sys?)"),
    "file_changed": lambda m: "el archivo se achicó mientras se leía",
    "read_too_slow": lambda m: f"leer el archivo tomó más de {_n(m['s'])} s",
    "cannot_list": lambda m: f"no se puede listar la carpeta: {m['d']}",
    "cannot_read": lambda m: f"no se puede leer el archivo: {m['d']}",
    "internal": lambda m: f"error inesperado de poa al leer el documento ({m['exc']}: {m['d']})",
}


def error_es(text: str | None) -> str | None:
    """A document's error (plain English, as `documents.error` keeps it) in Spanish; None for a message
    poa does not know (the page then shows the English as it is)."""
    found = errors.match(text)
    if found is None:
        return None
    kind, m = found
    return _ERRORS_ES[kind.code](m)


_DECIMAL_PCT = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?=\s?%)")


def decimal_commas(message: str) -> str:
    """A finding's message with its percentages written the Bolivian way (49.65 % → 49,65 %). The validate
    stage formats some figures with a decimal point; the Parquet keeps its message as written."""
    return _DECIMAL_PCT.sub(r"\1,\2", message)
