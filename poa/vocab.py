"""The report's own vocabulary: the words that mark headers, sections and codes.

Shared by the stages so that "what a section row looks like" is decided in one place.
"""

from __future__ import annotations

import re
import unicodedata

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, accents removed: for recognising keywords, never for stored text."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def squash(text: str) -> str:
    """Whitespace joined: the only change made to printed text."""
    return " ".join(text.split())


# A result code as printed, tolerant of the confusions a PDF or OCR introduces (O/0, l/1, spaces).
CODE_LIKE = re.compile(r"^[\dOoIl]{2}\s*-\s*[\dOoIl]{2}\s*\.\s*[\dOoIl]{2}")
# A printed word that is a result code, or its first part where a narrow column wrapped it ("08-01.01.01-").
CODE_WORD = re.compile(r"^\d{2}-\d{2}\.\d{2}\.\d{2}-(\d{2})?$")
# A whole result code anywhere in a text, wrapped or not ("08-01.01.01- 02"): in a section row's text, the sign
# of a result run into it.
CODE_IN_TEXT = re.compile(r"(?<![\d.-])\d{2}\s*-\s*\d{2}\.\d{2}\.\d{2}\s*-\s*\d{2}(?![\d.-])")
DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")

# Words a table header is made of (folded). A line made only of these is a header line.
HEADER_WORDS = {
    "cod", "cod.", "codigo", "resultados", "resultado", "esperados", "esperado", "obtenidos", "obtenido",
    "al", "a", "avance", "%", "(%)", "fisico", "fisica", "fis.", "pptario", "pptario.", "ppto.",
    "presupuestario", "presupuestaria", "financiero", "causas", "causa", "de", "la", "desviacion",
    "medidas", "medida", "correctivas", "correctiva", "por", "unidad", "organizacional", "*/", "*", "/",
    "n°", "nro.", "no.", "ejecucion", "ejec.", "ejecutado", "programado", "acumulado", "gestion", "primer",
    "segundo", "semestre", "trimestre", "meta", "metas", "y", "del", "el", "(*)",
}

# Which header word marks which column, per table kind.
COLUMNS = {
    "results": (
        ("code", re.compile(r"^cod")),
        ("expected", re.compile(r"^esperad")),
        ("obtained", re.compile(r"^obtenid")),
        ("physical", re.compile(r"^fis")),
        ("budget", re.compile(r"^(pptar|presup|ppto|financ)")),
    ),
    "deviations": (
        ("code", re.compile(r"^cod")),
        ("expected", re.compile(r"^esperad")),
        ("cause", re.compile(r"^(causa|desviac)")),
        ("measure", re.compile(r"^(medida|correctiv)")),
    ),
}


def is_header_word(word: str) -> bool:
    """A header word, or a piece of one that a narrow column broke ("PPTARI" / "O.")."""
    w = fold(word)
    if w in HEADER_WORDS or DATE.fullmatch(w) or (len(w) <= 2 and w.endswith(".")):
        return True
    return len(w) >= 4 and any(h.startswith(w) for h in HEADER_WORDS)


def table_kind(header_text: str) -> str | None:
    """Which table a header belongs to, from its words."""
    h = fold(header_text)
    if "obtenid" in h:
        return "results"
    if "causa" in h or "desviac" in h or "correctiv" in h:
        return "deviations"
    return None


SECTION = {
    "total": re.compile(r"^ejecucion fisica promedio del nivel"),
    "group": re.compile(r"^ejecucion fisica promedio"),
    "viceministry": re.compile(r"^viceministerio\b"),
    "direction": re.compile(r"^direccion general\b"),
    "area": re.compile(r"^area\b"),
}


def section_kind(text: str) -> str | None:
    """The kind of section a row's text opens, if it opens one (units are recognised by their number)."""
    t = fold(text).strip()
    for kind, pattern in SECTION.items():
        if pattern.match(t):
            return kind
    return None


# Lines that close a table on its page: footnotes and sources printed under it.
TERMINATOR = re.compile(r"^(fuente\s*:|\*/|nota\s*:|elaborado por|pagina \d|pag\. \d)")


def runs(numbers) -> list[tuple[int, int]]:
    """Numbers as runs of consecutive ones, first and last: [1, 2, 3, 5] → [(1, 3), (5, 5)] (pages for a
    reason, rows for a formula's cell references)."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return [(a, b) for a, b in out]


def page_list(pages, spanish: bool = False) -> str:
    """[1, 2, 3, 5] → "pages 1–3, 5" ("páginas 1–3, 5"); [4] → "page 4" ("página 4")."""
    listed = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs(pages))
    word = ("página" if spanish else "page") + ("" if len(set(pages)) == 1 else "s")
    return f"{word} {listed}"
