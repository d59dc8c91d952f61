"""Text from a PDF made safe for the audit files: what XML refuses replaced, HTML escaped, and for the
workbook cut to what a cell holds (its formula-like starts are handled where cells are written, in xlsx.py)."""

from __future__ import annotations

import re
from html import escape as _html_escape

# Characters XML 1.0 does not allow (C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF): a workbook holding one does not open, an HTML file holding a surrogate cannot be
# written. They show as U+FFFD in the audit files; the Parquet keeps the text as printed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Leading characters that make a spreadsheet read text as a formula (OWASP, "CSV injection"); the full-width
# forms too, which some spreadsheets fold to them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
XLSX_CELL_MAX = 32767  # characters Excel holds in one cell; a longer one makes it "repair" the workbook


def xml_text(v: str) -> str:
    """Text with the characters XML 1.0 refuses replaced by U+FFFD."""
    return NOT_XML.sub("\ufffd", v)


def escape(v: object) -> str:
    """HTML-escaped text from the PDF (or a file name), with what XML refuses replaced."""
    return _html_escape(xml_text(str(v)))


def xlsx_text(v: str) -> str:
    """Text for one workbook cell: what XML refuses replaced, cut to what Excel holds."""
    v = xml_text(v)
    return v if len(v) <= XLSX_CELL_MAX else v[: XLSX_CELL_MAX - 12] + "… [truncado]"
