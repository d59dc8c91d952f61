"""What a run says on the terminal: its progress bars while it reads, a line for each document in review or
failed, and the summary it ends with (this run's figures beside the folder's, at any terminal width). File names
and messages are printed as text, never as markup or control characters (`printable`)."""

from __future__ import annotations

import sys
import time
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from .core.vocab import display_path

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def printable(text: object, limit: int = 2000) -> str:
    """Text from a file name or an error message, safe to print: control characters (ANSI escapes, newlines),
    invisible format characters (bidi overrides) and undecodable bytes shown as backslash escapes; cut at
    `limit` characters. (Printed with rich as Text, never as markup: `a[/b].pdf` is a name, not a tag.)"""
    text = str(text)
    if len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


SUMMARY = ("documents", "ok", "review", "failed", "skipped", "redone", "pages", "results", "deviations", "findings",
           "error findings")
WIDE_SUMMARY = 110  # columns the summary needs a row per run: narrower, a row per measure


def summary_table(title: str, rows: dict[str, list], width: int):
    """The run's and the folder's figures (`rows`: label → one value per SUMMARY measure): a row each where the
    screen is wide, a row per measure where it is not (at 80 columns, twelve columns would cut every title)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=Text(title), show_edge=False)
    if width >= WIDE_SUMMARY:
        t.add_column("")
        for measure in SUMMARY:
            t.add_column(measure, justify="right")
        for label, values in rows.items():
            t.add_row(label, *map(str, values))
        return t
    t.add_column("")
    for label in rows:
        t.add_column(label, justify="right")
    for i, measure in enumerate(SUMMARY):
        t.add_row(measure, *(str(values[i]) for values in rows.values()))
    return t


class Reporter:
    """Progress while the batch runs and a summary at its end, on a terminal or as plain lines."""

    task: TaskID  # the bars' tasks, added by start()
    pages_task: TaskID | None

    def __init__(self, quiet: bool):
        from rich.console import Console

        self.quiet = quiet
        self.console = Console(stderr=False)
        if not self.console.is_terminal:
            self.console = Console(stderr=False, width=120)  # a log file: wide enough for the summary table
        self.live = not quiet and self.console.is_terminal
        self.outcomes: list = []
        self.pages = 0
        self.t0 = time.monotonic()
        self.progress: Progress | None = None  # the bars, on a terminal once the run starts

    def start(self, total: int, todo: int) -> None:
        if not self.live:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[status]}"), TimeRemainingColumn(), console=self.console)
        self.task = self.progress.add_task("documents", total=total, status="")
        self.pages_task = None  # shown once pages are heard of (a Dask run reports documents only)
        self.progress.start()

    def pages_read(self, read: int, found: int) -> None:
        """The pages bar: pages found in the documents started so far, and pages read (OCR'd ones included)."""
        if self.progress is None:
            return
        if self.pages_task is None:
            self.pages_task = self.progress.add_task("pages", total=0, status="")
        task = next(t for t in self.progress.tasks if t.id == self.pages_task)
        assert task.total is not None  # added with a total, never unset
        self.progress.update(self.pages_task, advance=read, total=task.total + found)

    def done(self, o) -> None:
        self.outcomes.append(o)
        d = o.document
        if not o.skipped and d.pages:
            self.pages += d.pages
        if d.status == "review" and not o.skipped:
            line = f"review  {printable(d.source_path)}: {printable('; '.join(d.quality.reasons))}"
            if self.progress is not None:
                from rich.text import Text

                self.progress.console.print(Text.assemble(("review", "yellow"), line[6:]), highlight=False)
            elif not self.quiet:
                print(line, flush=True)
        elif not d.read:
            why = ("failed before, not retried (--retry-failed tries again): " if o.skipped else "") + (d.error or d.status)
            if self.progress is not None:
                from rich.text import Text

                self.progress.console.print(Text.assemble(("FAILED", "red"), f"  {printable(d.source_path)}: "
                                                                             f"{printable(why)}"), highlight=False)
            else:
                print(f"FAILED  {printable(d.source_path)}: {printable(why)}", file=sys.stderr, flush=True)
        elif not self.quiet and not self.live:
            what = "skipped (done before)" if o.skipped else (
                f"{o.results} results, {o.deviations} deviations, {o.findings} findings, {d.pages} pages")
            print(f"ok      {printable(d.source_path)}: {what}", flush=True)
        if o.redone and not self.quiet:
            line = f"redone  {printable(d.source_path)}: {printable(o.redone)}"
            if self.progress is not None:
                self.progress.console.print(line, highlight=False, markup=False)
            else:
                print(line, flush=True)
        if self.progress is not None:
            ok = sum(x.document.status == "ok" for x in self.outcomes)
            review = sum(x.document.status == "review" for x in self.outcomes)
            failed = len(self.outcomes) - ok - review
            rate = self.pages / max(time.monotonic() - self.t0, 1e-9)
            self.progress.update(self.task, advance=1,
                                 status=f"{ok} ok · {review} review · {failed} failed · {rate:.1f} pages/s")

    def summary(self, out: str) -> None:
        if self.quiet:
            return

        from rich.table import Table
        from rich.text import Text

        from poa.outputs.store import folder_totals

        read = [o for o in self.outcomes if o.document.read]
        review = [o for o in read if o.document.status == "review"]
        failed = [o for o in self.outcomes if not o.document.read]
        elapsed = time.monotonic() - self.t0
        rows = {"this run": [len(self.outcomes), len(read) - len(review), len(review), len(failed),
                             sum(o.skipped for o in read), sum(bool(o.redone) for o in self.outcomes), self.pages,
                             sum(o.results for o in read if not o.skipped),
                             sum(o.deviations for o in read if not o.skipped),
                             sum(o.findings for o in read if not o.skipped), sum(o.errors for o in read if not o.skipped)]}
        try:
            f = folder_totals(Path(out))
            rows["the folder"] = [f["documents"], f["documents_ok"], f["documents_review"], f["documents_failed"], "",
                                  "", f["pages"], f["results"], f["deviations"], f["findings"], f["error_findings"]]
        except Exception:  # noqa: BLE001 - the run's own figures are what matters
            f = None
        self.console.print(summary_table(f"poa run → {printable(display_path(out))}/", rows, self.console.width))
        notes = [f"{elapsed:.1f} s"]
        if not_retried := sum(o.skipped for o in failed):
            notes.append(f"{not_retried} failed before, not retried (--retry-failed tries again)")
        if f and f["duplicates"]:
            notes.append(f"{f['duplicates']} documents repeat another's entity and period (documents.duplicate_of)")
        if f and f["superseded"]:
            notes.append(f"{f['superseded']} earlier edition{'s' if f['superseded'] > 1 else ''} of a file saved over "
                         "since, left out of the folder's figures (documents.superseded_by)")
        if f and (f["corrections_applied"] or f["corrections_stale"]):
            notes.append(f"corrections: {f['corrections_applied']} applied, {f['corrections_stale']} stale "
                         "(see the corrections table)")
        if f and f["corrections_unmatched"]:
            from poa.outputs.store import unmatched_corrections

            ids = unmatched_corrections(Path(out))
            notes.append(f"{len(ids)} doc_id{'s' if len(ids) > 1 else ''} of corrections.csv match no document of the "
                         f"folder ({', '.join(printable(i, 40) for i in ids[:5])}{'…' if len(ids) > 5 else ''}): "
                         "their corrections are not applied")
        base = Path(out)
        notes.append(f"audit: {printable(base / 'audit' / 'index.html')}")
        if (base / "review").is_dir():
            notes.append(f"review pages: {printable(base / 'review')}/")
        if read:
            notes.append(f"to check a page and correct a cell: poa review {printable(out)} --serve")
        self.console.print(Text(" · ".join(notes)))
        fresh = [o for o in review if not o.skipped]
        if fresh:
            r = Table(title="documents to review (read, but the read is doubtful)", show_edge=False)
            r.add_column("file")
            r.add_column("why")
            for o in fresh:
                r.add_row(Text(printable(o.document.source_path)), Text(printable("; ".join(o.document.quality.reasons))))
            self.console.print(r)
        if failed:
            ft = Table(title="failed documents", show_edge=False)
            ft.add_column("file")
            ft.add_column("reason")
            for o in failed:
                ft.add_row(Text(printable(o.document.source_path)), Text(printable(o.document.error or "")))
            self.console.print(ft)
