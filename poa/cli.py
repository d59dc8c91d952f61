"""`poa`: the command line, a thin shell over `poa.pipeline.run`."""

from __future__ import annotations

import argparse
import os
import sys
import time
import unicodedata

from poa.extract.engines import ENGINES
from poa.extract.readers import OCR_MODES, READERS


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2), like poa's own."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {printable(message)} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:
    from .limits import check_seconds

    try:
        return check_seconds(text, "it")
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("it ")) from None


def _size(text: str) -> int:
    from .limits import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


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


def _parser() -> argparse.ArgumentParser:
    from .limits import DEFAULT_MAX_MEMORY, DEFAULT_PAGE_TIMEOUT, DEFAULT_TIMEOUT, format_size

    parser = _Parser(prog="poa", description="POA follow-up reports (PDF) → Parquet datasets.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="extract, normalize, validate and write Parquet for each report",
                       description="Process PDF reports into DIR/<table>/<doc_id>.parquet, the audit report in "
                                   "DIR/audit/. Exit status: 0 all ok, 1 some documents failed, 2 usage error, "
                                   "3 none failed but some are in review (read, with doubts: see the summary).")
    r.add_argument("inputs", nargs="+", help="PDF files, folders (searched recursively) or globs")
    r.add_argument("--out", default="out", help="output folder (default: out)")
    r.add_argument("--engine", choices=ENGINES, default="pdfplumber", help="table engine (default: pdfplumber)")
    r.add_argument("--reader", choices=READERS, default="pdfplumber",
                   help="page reader: pdfplumber (default) or pdfium, which reads the same words and rulings ~9x faster")
    r.add_argument("--ocr", choices=OCR_MODES, default="auto",
                   help="recognise pages from their image with Tesseract: auto (default) the pages with no text "
                        "layer (scans), always every page, never none (a scan then fails)")
    r.add_argument("--jobs", type=int, default=None, help=f"documents in parallel (default: all {os.cpu_count()} cores)")
    r.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT,
                   help=f"seconds one document may take, plus {DEFAULT_PAGE_TIMEOUT:g} s for each of its pages "
                        f"(default: {DEFAULT_TIMEOUT:g})")
    r.add_argument("--max-memory", type=_size, default=DEFAULT_MAX_MEMORY, metavar="SIZE",
                   help="memory (address space) one worker may add to what it shares with the batch, e.g. 2G or "
                        f"1536M (default: {format_size(DEFAULT_MAX_MEMORY)})")
    r.add_argument("--force", action="store_true", help="redo documents an earlier run already finished")
    r.add_argument("--quiet", action="store_true", help="no progress and no summary; failures still go to stderr")
    a = sub.add_parser("audit", help="the auditors' working papers of an output folder; --pdf prints them",
                       description="List the working papers `poa run` wrote in OUT/audit/ (every document's, or "
                                   "those named), or with --pdf print each OUT/audit/<doc_id>.html to "
                                   "OUT/audit/<doc_id>.pdf with headless Chromium. Exit status: 0 done, 1 a paper "
                                   "could not be printed (or Chromium is missing), 2 usage error.")
    a.add_argument("out", metavar="OUT", help="the output folder of `poa run`")
    a.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to take (default: all); a unique prefix will do")
    a.add_argument("--pdf", action="store_true", help="print each working paper to OUT/audit/<doc_id>.pdf")
    return parser


def audit(args: argparse.Namespace) -> int:
    """`poa audit`: the work lives in poa.outputs.printing."""
    from pathlib import Path

    from poa.outputs import write_index
    from poa.outputs.printing import PrintError, find_chromium, print_pdf, working_papers

    out = Path(args.out)
    try:
        ids = working_papers(out, args.doc_ids)
    except ValueError as e:
        print(f"poa: {printable(e)}", file=sys.stderr)
        return 2
    if not args.pdf:
        for doc_id in ids:
            print(f"{doc_id}  {printable(out / 'audit' / f'{doc_id}.html')}")
        return 0
    chromium = find_chromium()
    if chromium is None:
        print("poa: --pdf needs headless Chromium, which is not installed (Debian: apt-get install chromium); the "
              f"HTML working papers in {printable(out / 'audit')} also print to PDF from any browser", file=sys.stderr)
        return 1
    failed = 0
    for doc_id in ids:
        html, pdf = out / "audit" / f"{doc_id}.html", out / "audit" / f"{doc_id}.pdf"
        try:
            print_pdf(html, pdf, chromium=chromium)
        except (PrintError, OSError) as e:
            failed += 1
            print(f"FAILED  {doc_id}: {printable(e)}", file=sys.stderr, flush=True)
            continue
        print(f"pdf     {printable(pdf)}", flush=True)
    try:
        write_index(out)  # links the new PDFs
    except OSError:
        pass
    return 1 if failed else 0


class Reporter:
    """Progress while the batch runs and a summary at its end, on a terminal or as plain lines."""

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
        self.progress = None

    def start(self, total: int, todo: int) -> None:
        if not self.live:
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[status]}"), TimeRemainingColumn(), console=self.console)
        self.task = self.progress.add_task("documents", total=total, status="")
        self.progress.start()

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
            if self.progress is not None:
                from rich.text import Text

                self.progress.console.print(Text.assemble(("FAILED", "red"), f"  {printable(d.source_path)}: "
                                                                             f"{printable(d.error or d.status)}"), highlight=False)
            else:
                print(f"FAILED  {printable(d.source_path)}: {printable(d.error or d.status)}", file=sys.stderr, flush=True)
        elif not self.quiet and not self.live:
            what = "skipped (done before)" if o.skipped else (
                f"{o.results} results, {o.deviations} deviations, {o.findings} findings, {d.pages} pages")
            print(f"ok      {printable(d.source_path)}: {what}", flush=True)
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

        from .pipeline import display_path

        read = [o for o in self.outcomes if o.document.read]
        review = [o for o in read if o.document.status == "review"]
        failed = [o for o in self.outcomes if not o.document.read]
        elapsed = time.monotonic() - self.t0
        t = Table(title=Text(f"poa run → {printable(display_path(out))}/"), show_edge=False)
        for col in ("documents", "ok", "review", "skipped", "failed", "pages", "results", "deviations", "findings",
                    "errors", "seconds"):
            t.add_column(col, justify="right")
        t.add_row(str(len(self.outcomes)), str(len(read) - len(review)), str(len(review)),
                  str(sum(o.skipped for o in read)), str(len(failed)), str(self.pages),
                  str(sum(o.results for o in read)), str(sum(o.deviations for o in read)),
                  str(sum(o.findings for o in read)), str(sum(o.errors for o in read)), f"{elapsed:.1f}")
        self.console.print(t)
        fresh = [o for o in review if not o.skipped]
        if fresh:
            r = Table(title="documents to review (read, but the read is doubtful)", show_edge=False)
            r.add_column("file")
            r.add_column("why")
            for o in fresh:
                r.add_row(Text(printable(o.document.source_path)), Text(printable("; ".join(o.document.quality.reasons))))
            self.console.print(r)
        if failed:
            f = Table(title="failed documents", show_edge=False)
            f.add_column("file")
            f.add_column("reason")
            for o in failed:
                f.add_row(Text(printable(o.document.source_path)), Text(printable(o.document.error or "")))
            self.console.print(f)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "audit":
        return audit(args)
    if args.jobs is not None and args.jobs < 1:
        print("poa: --jobs must be at least 1", file=sys.stderr)
        return 2
    from .pipeline import UsageError, run

    reporter = Reporter(args.quiet)
    try:
        outcomes = run(args.inputs, out=args.out, engine=args.engine, reader=args.reader, jobs=args.jobs,
                       timeout=args.timeout, max_memory=args.max_memory, force=args.force, on_start=reporter.start,
                       on_done=reporter.done, ocr=args.ocr)
    except UsageError as e:
        print(f"poa: {printable(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("poa: interrupted; a re-run resumes where this one stopped", file=sys.stderr)
        return 130
    finally:
        if reporter.progress is not None:
            reporter.progress.stop()
    reporter.summary(args.out)
    if any(not o.document.read for o in outcomes):
        return 1
    return 3 if any(o.document.status == "review" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
