"""Text helpers every stage shares: folding for recognising words, whitespace joined for keeping text, dates,
runs of numbers, page lists. What a report family's words are (its codes, headers, sections) is its profile's
(`poa.core.profile`), never this module's."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, accents removed: for recognising keywords, never for stored text."""
    if text.isascii():
        return text.casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def squash(text: str) -> str:
    """Whitespace joined: the only change made to printed text."""
    return " ".join(text.split())


DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def date_es(iso: str | None, empty: str = "?") -> str:
    """An ISO date as the reports write one, dd/mm/aaaa ("2016-06-30" → "30/06/2016"); text that is no ISO
    date (a hand-edited corrections.csv) as it is."""
    if not iso:
        return empty
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(iso)[:10])
    return f"{m[3]}/{m[2]}/{m[1]}" if m else str(iso)


def plural(n: int, one: str, many: str) -> str:
    """"1 documento", "2 documentos", "0 documentos" (the words may carry their verb: "fila tiene" / "filas
    tienen")."""
    return f"{n} {one if n == 1 else many}"


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


def display_path(path: str | Path) -> str:
    """A path as text that can always be printed and stored: a name that is not valid UTF-8 (which the OS
    hands over as surrogate escapes) shows its undecodable bytes as backslash escapes, e.g. `caf\\xe9.pdf`."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")
