"""Why a document failed, as a stable code beside the message: an archivist running thousands of reports
overnight groups the failures by cause (`documents.error_code`) instead of reading prose.

The messages (`documents.error`) are plain English made where the failure is seen (the readers, the batch, the
limits); `classify` names each by the pattern of its message. A code never changes meaning: a new kind of
failure gets a new code. `REVIEW_CODES` are likewise the codes of the reasons a read is doubted
(`documents.review_codes`, `poa.validate.quality`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class PoaError(Exception):
    """The root of poa's own errors: a caller may catch them all."""


class UsageError(PoaError):
    """A command that cannot run: an input that names nothing (a missing file, a folder with no PDF, a glob
    with no match), an output folder that cannot be written, a limit that makes no sense. Nothing was written."""


@dataclass(frozen=True)
class Kind:
    code: str
    pattern: re.Pattern
    meaning: str  # what it means, for the data dictionary and the README


def _kind(code: str, pattern: str, meaning: str) -> Kind:
    return Kind(code, re.compile(pattern, re.DOTALL), meaning)


# In the order they are tried; the first whose pattern matches the whole message names it.
KINDS: tuple[Kind, ...] = (
    _kind("copy", r"(?P<rest>.+) \(the same bytes as (?P<path>.+)\)",
          "the same bytes as another input, which failed: its code is that one's"),
    _kind("not_recorded", r"(?P<rest>.+) \(not recorded in (?P<out>.+?): (?P<why>.+)\)",
          "failed, and the failure could not be written in the output folder either: its code is the failure's"),
    _kind("not_pdf", r"not a PDF \(no %PDF- signature at the start of the file\)", "the file is not a PDF"),
    _kind("encrypted", r"encrypted or password-protected PDF", "the PDF needs a password"),
    _kind("no_pages", r"the PDF has no pages", "the PDF has no pages"),
    _kind("damaged", r"damaged or truncated PDF: (?P<d>.*)", "the PDF cannot be opened: damaged or cut short"),
    _kind("page_damaged", r"damaged PDF: page (?P<n>\d+) cannot be read: (?P<d>.*)", "a page cannot be read"),
    _kind("ocr_failed", r"page (?P<n>\d+) could not be recognised by OCR: (?P<d>.*)",
          "a page with no text layer could not be recognised"),
    _kind("ocr_unavailable", r"page (?P<n>\d+) has no text layer and needs OCR: (?P<d>.*)",
          "a page needs OCR and Tesseract (with Spanish) is not installed"),
    _kind("ocr_no_text", r"no text layer \(a scanned or image-only PDF\), and OCR recognised no text on it: (?P<found>.*)",
          "a scan in which OCR recognised no text"),
    _kind("ocr_off", r"no text layer \(a scanned or image-only PDF\)(?P<never>; run without --ocr never to recognise "
                     r"its pages)?", "a scan read with --ocr never"),
    _kind("blank", r"nothing is printed on (?P<which>its page|any of its pages): no text, and no image with text in it",
          "nothing is printed on the pages"),
    _kind("unreadable_scan", r"no text found: (?P<found>.*) and nothing was recognised \(a blank or unreadable scan\)",
          "a scan in which nothing could be recognised"),
    _kind("no_table", r"no POA results or deviations table found \(no header with the column titles of the "
                      r"templates? (?P<names>[^)]*)\)(?P<camelot>; camelot's lattice reads ruled tables only, try "
                      r"--engine (?:geometry|pdfplumber))?(?:; (?P<found>.*))?",
          "no page has a table of a known template (another form: write its profile, `poa templates`)"),
    _kind("timeout", r"timed out after (?P<s>[\d.]+) s \(--timeout(?: (?P<base>[\d.]+) s \+ (?P<per>[\d.]+) s × "
                     r"(?P<n>\d+) pages?(?:, × (?P<f>\d+) for each of the (?P<o>\d+) OCR'd)?)?\)",
          "reading it took longer than --timeout allows"),
    _kind("memory", r"ran out of the memory limit \((?P<size>[^,]+), --max-memory\) while reading it(?:: (?P<d>.*))?",
          "reading it needed more memory than --max-memory allows"),
    _kind("worker_died", r"the worker died while reading this document \((?P<how>.*)\)",
          "the process reading it ended unexpectedly (a crash in a PDF library, or killed)"),
    _kind("write_failed", r"cannot write its outputs in (?P<out>.+?): (?P<d>.*)",
          "its outputs could not be written (a full disk, a read-only folder)"),
    _kind("not_regular_file", r"not a regular file(?:: (?P<kind>.*))?", "the input is a folder, a pipe or a device"),
    _kind("not_on_disk", r"not a regular file on disk: it reads more than its size \((?P<n>\d+) bytes\) says \(a /proc "
                         r"or /sys file\?\)", "the input reads more than its size says (a /proc or /sys file)"),
    _kind("file_changed", r"the file shrank while it was read", "the file changed while it was read"),
    _kind("read_too_slow", r"reading the file took more than (?P<s>[\d.]+) s",
          "reading the file's bytes took too long (a stalled network share)"),
    _kind("cannot_list", r"cannot list the folder: (?P<d>.*)", "a folder given as input cannot be listed"),
    _kind("cannot_read", r"cannot read the file: (?P<d>.*)", "the file cannot be read (permissions, a vanished file)"),
    _kind("internal", r"(?P<exc>[A-Z][A-Za-z]*(?:Error|Exception)): (?P<d>.*)",
          "an unexpected error in poa: please report it with the file"),
)
OTHER = "other"  # a message no pattern knows


def match(message: str | None) -> tuple[Kind, re.Match] | None:
    """The kind of a failure's message and the match of its pattern (its parts by name), or None."""
    for kind in KINDS:
        m = kind.pattern.fullmatch(message or "")
        if m:
            return kind, m
    return None


def classify(message: str | None) -> str | None:
    """A failure's stable code from its message (None for no failure): a copy's or an unrecorded failure's is
    the underlying one's."""
    if not message:
        return None
    found = match(message)
    if found is None:
        return OTHER
    kind, m = found
    return classify(m["rest"]) if kind.code in ("copy", "not_recorded") else kind.code
