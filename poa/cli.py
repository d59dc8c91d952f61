"""`poa`: the command line, a thin shell over `poa.batch.run` (and the library functions each command names)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from poa.core.corrections import CORRECTABLE, Correction, as_read
from poa.core.options import ENGINE_ALIASES, ENGINES, EXECUTORS, OCR_MODES, READERS, REVIEW_PAGES
from poa.core.profile import ProfileError
from poa.core.profiles import installed, read
from poa.terminal import Reporter, printable

from .limits import DEFAULT_MAX_MEMORY, DEFAULT_PAGE_TIMEOUT, DEFAULT_TIMEOUT, check_seconds, format_size, parse_size


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2), like poa's own."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {printable(message)} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:

    try:
        return check_seconds(text, "it")  # type: ignore[arg-type]  # it parses text too: its annotation says float
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("it ")) from None


def _size(text: str) -> int:

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class _Version(argparse.Action):
    """`poa --version`: the pipeline version a documents row records, and the readers' versions in it."""

    def __call__(self, parser, namespace, values, option_string=None):

        from .version import library_versions, pipeline_version  # importlib.metadata: only for --version

        libraries = ", ".join(f"{k} {v}" for k, v in library_versions().items())
        print(f"poa {pipeline_version()} ({libraries})")
        parser.exit()


def _parser() -> argparse.ArgumentParser:

    parser = _Parser(prog="poa", description="POA follow-up reports (PDF) → Parquet datasets.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="print poa's version (the release, the code's fingerprint) and the PDF libraries'")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="extract, normalize, validate and write Parquet for each report",
                       description="Process PDF reports into DIR/<table>/<doc_id>.parquet, the audit report in "
                                   "DIR/audit/. Exit status: 0 all ok, 1 some documents failed, 2 usage error, "
                                   "3 none failed but some are in review (read, with doubts: see the summary).")
    r.add_argument("inputs", nargs="+", help="PDF files, folders (searched recursively) or globs")
    r.add_argument("--out", default="out", help="output folder (default: out)")
    r.add_argument("--engine", choices=(*ENGINES, *ENGINE_ALIASES), default=ENGINES[0], metavar="{geometry,camelot}",
                   help="table engine: geometry (default: poa's own geometry, any layout) or camelot (lattice, ruled); "
                        "'pdfplumber' is the geometry engine's earlier name")
    r.add_argument("--reader", choices=READERS, default=READERS[0],
                   help="page reader: pdfium (default) or pdfplumber, which reads the same words and rulings, slower")
    r.add_argument("--ocr", choices=OCR_MODES, default="auto",
                   help="recognise pages from their image with Tesseract: auto (default) the pages with no text "
                        "layer (scans), always every page, never none (a scan then fails)")
    r.add_argument("--template", metavar="NAME|FILE", default=None,
                   help="read every document as this template profile (an installed one's name, see `poa templates`, "
                        "or a profile file); default: each document as the installed profile that fits it best")
    r.add_argument("--jobs", type=int, default=None, help=f"documents in parallel (default: all {os.cpu_count()} cores)")
    r.add_argument("--executor", choices=EXECUTORS, default=None,
                   help="where documents run: local (default: forked workers on this machine) or dask (tasks on a Dask "
                        "cluster: --dask's scheduler, or a local cluster of --jobs processes); needs poa[cluster]")
    r.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="the Dask scheduler to send documents to, e.g. tcp://10.0.0.5:8786 (implies --executor dask); "
                        "--out must then be a folder every worker sees")
    r.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT,
                   help=f"seconds one document may take, plus {DEFAULT_PAGE_TIMEOUT:g} s for each of its pages "
                        f"(default: {DEFAULT_TIMEOUT:g})")
    r.add_argument("--max-memory", type=_size, default=DEFAULT_MAX_MEMORY, metavar="SIZE",
                   help="memory (address space) one worker may add to what it shares with the batch, e.g. 2G or "
                        f"1536M (default: {format_size(DEFAULT_MAX_MEMORY)})")
    r.add_argument("--gx", action="store_true",
                   help="also validate the rows with great-expectations (OUT/validation/<doc_id>.json); seconds to start")
    r.add_argument("--review", choices=REVIEW_PAGES, default="doubtful",
                   help="which documents get a review page in OUT/review/: doubtful (default: in review, read by "
                        "OCR, or corrected), all, none")
    r.add_argument("--force", action="store_true", help="redo documents an earlier run already finished or failed")
    r.add_argument("--retry-failed", action="store_true",
                   help="try again the documents that failed with this poa version and these options (by default "
                        "they are not retried: the same bytes fail the same way, unless Tesseract or higher limits "
                        "are there now)")
    r.add_argument("--quiet", action="store_true", help="no progress and no summary; failures still go to stderr")
    r.add_argument("--log-file", metavar="FILE", default=None,
                   help="append the run's events to FILE as JSON lines: run_start, one `document` line per input "
                        "(status, error_code, review_codes, pages, seconds, each stage's duration), run_end, warnings")
    r.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="warning",
                   help="the events also said on stderr, from this level up (default: warning)")
    a = sub.add_parser("audit", help="the auditors' working papers of an output folder; --pdf prints them",
                       description="List the working papers `poa run` wrote in OUT/audit/ (every document's, or "
                                   "those named), or with --pdf print each OUT/audit/<doc_id>.html to "
                                   "OUT/audit/<doc_id>.pdf with headless Chromium. Exit status: 0 done, 1 a paper "
                                   "could not be printed (or Chromium is missing), 2 usage error.")
    a.add_argument("out", metavar="OUT", help="the output folder of `poa run`")
    a.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to take (default: all); a unique prefix will do")
    a.add_argument("--pdf", action="store_true", help="print each working paper to OUT/audit/<doc_id>.pdf")
    a.add_argument("--paper", choices=("carta", "a4", "oficio"), default="carta",
                   help="with --pdf: the paper size (default: carta)")
    v = sub.add_parser("review", help="the review pages of an output folder: each page beside the rows read from it",
                       description="Write OUT/review/<doc_id>.html for the documents named (default: every one read): "
                                   "each page of its tables as the PDF prints it, every cell read drawn over it and "
                                   "coloured by what became of it, beside the rows with their keys. Needs the PDFs "
                                   "where `poa run` read them. Exit status: 0 done, 1 a page could not be made, 2 usage.")
    v.add_argument("out", metavar="OUT", help="the output folder of `poa run`")
    v.add_argument("doc_ids", nargs="*", metavar="DOC_ID", help="documents to take (default: all); a unique prefix will do")
    v.add_argument("--serve", action="store_true",
                   help="open the review app instead: the folder's documents in the browser, where a click on a cell "
                        "and the right value typed correct it (written to OUT/corrections.csv, as poa correct does) "
                        "and the document is read again; on 127.0.0.1 only, with a token in the URL; Ctrl-C ends it")
    v.add_argument("--port", type=int, default=0, help="with --serve: the port (default: a free one)")
    v.add_argument("--no-browser", action="store_true", help="with --serve: print the URL, do not open a browser")
    v.add_argument("--author", default=os.environ.get("USER", ""),
                   help="with --serve: who corrects, for corrections.csv (default: $USER)")
    c = sub.add_parser("correct", help="correct a misread cell; the next `poa run` applies it",
                       description="Add a correction to OUT/corrections.csv (a file you may also edit): the cell "
                                   "COLUMN of the row KEY (its result_key, deviation_key or units key, as the "
                                   "review page and the Parquet show it) of table TABLE in document DOC_ID is VALUE. "
                                   "The next `poa run` on OUT reads that document again with the correction: the "
                                   "averages, findings, audit and review pages follow it; the original value is kept "
                                   "in OUT/corrections/. Exit status: 0 added, 2 usage error.")
    c.add_argument("out", metavar="OUT", help="the output folder of `poa run`")
    c.add_argument("doc_id", metavar="DOC_ID", help="the document (its doc_id; a unique prefix will do)")
    c.add_argument("table", metavar="TABLE", choices=tuple(CORRECTABLE),
                   help=f"the table of the row: {', '.join(CORRECTABLE)}")
    c.add_argument("key", metavar="KEY", help="the row's stable key as read: results.result_key, "
                                              "deviations.deviation_key or units.key (a click on its cell in the "
                                              "review page shows it); a key no row has is refused")
    c.add_argument("column", metavar="COLUMN", help="the cell: " + "; ".join(
        f"{t}: {', '.join(cols)}" for t, cols in CORRECTABLE.items()))
    c.add_argument("value", metavar="VALUE", help="what the PDF really says: text as printed, a code in the "
                                                  "template's form, a %% as 50, 50%% or 50,5 %%; '' for a blank cell")
    c.add_argument("--note", default="", help="why: what the PDF says")
    c.add_argument("--author", default=os.environ.get("USER", ""), help="who corrects (default: $USER)")
    t = sub.add_parser("templates", help="the template profiles poa reads reports as; `check FILE` checks one",
                       description="List the installed template profiles, a line each; or check a profile file "
                                   "(`poa templates check FILE`) as the pipeline reads it, naming the field at fault "
                                   "and why. Exit status: 0 listed or valid, 1 the profile is not valid, 2 usage.")
    t.add_argument("action", nargs="?", choices=("check",), help="check a profile file")
    t.add_argument("file", nargs="?", metavar="FILE", help="the profile file to check")
    i = sub.add_parser("inspect", help="how poa reads one document: its template, headers, hierarchy, first rows",
                       description="Read one document and say how: which template profile fits it (every installed "
                                   "one's fit), which header line named which column, the hierarchy found and the "
                                   "first rows read, and why it is in review or failed; with --out, its review "
                                   "page (every page, the cells read drawn over it), whatever its status. Exit "
                                   "status: 0 ok, 1 failed, 2 usage, 3 review.")
    i.add_argument("pdf", metavar="PDF")
    i.add_argument("--template", metavar="NAME|FILE", default=None, help="read it as this profile (default: best fit)")
    i.add_argument("--reader", choices=READERS, default=READERS[0], help="page reader (default: pdfium)")
    i.add_argument("--out", metavar="DIR", default=None, help="also write DIR/review/<doc_id>.html")
    i.add_argument("--rows", type=int, default=8, help="how many of the first rows to show (default: 8)")
    return parser


def templates(args: argparse.Namespace) -> int:
    """`poa templates [check FILE]`: the work lives in poa.core.profiles."""

    if args.action == "check":
        if not args.file:
            print("poa: templates check needs a FILE", file=sys.stderr)
            return 2
        try:
            p = read(args.file)
        except ProfileError as e:
            print(f"invalid {printable(e)}", file=sys.stderr)
            return 1
        print(f"valid   {printable(args.file)}: {p.name} — {printable(p.title)}")
        return 0
    for p in installed():
        print(f"{p.name:24} {printable(p.title)}")
    return 0


def inspect(args: argparse.Namespace) -> int:
    """`poa inspect`: the work lives in poa.inspect."""

    from poa.inspect import describe, inspection, review_page

    if not Path(args.pdf).is_file():
        print(f"poa: {printable(args.pdf)}: no such file", file=sys.stderr)
        return 2
    try:
        x = inspection(args.pdf, args.template, args.reader)
    except ProfileError as e:
        print(f"poa: --template: {printable(e)}", file=sys.stderr)
        return 2
    for line in describe(x, args.rows).splitlines():
        print(printable(line))
    if args.out:
        page = review_page(x, args.out)
        print(f"review  {printable(page)}" if page else "review  none: the PDF cannot be drawn")
    return {"ok": 0, "review": 3}.get(x.report.document.status, 1)


def review(args: argparse.Namespace) -> int:
    """`poa review`: the work lives in poa.outputs.review."""

    from poa.correcting import doc_ids
    from poa.outputs.review import render_review, rows_from

    out = Path(args.out)
    try:
        ids = doc_ids(out, args.doc_ids)
    except ValueError as e:
        print(f"poa: {printable(e)}", file=sys.stderr)
        return 2
    if args.serve:
        return _serve(out, args)
    missing = 0
    for doc_id in ids:
        rows = rows_from(out, doc_id)
        if not rows["documents"] or rows["documents"][0]["status"] == "failed":
            if args.doc_ids:
                print(f"skipped {doc_id}: not read (failed)", file=sys.stderr)
            continue
        try:
            path = render_review(rows, out)
        except OSError as e:  # a full or read-only folder: said, and the other documents go on
            print(f"FAILED  {doc_id}: cannot write its review page in {printable(out / 'review')}: "
                  f"{printable(e.strerror or e)}", file=sys.stderr, flush=True)
            missing += 1
            continue
        print(f"review  {printable(path)}", flush=True)
        if not (out / "review" / doc_id).is_dir():
            missing += 1
            print(f"        its PDF ({printable(rows['documents'][0]['source_path'])}) is not where it was, with the "
                  "same bytes: the page shows the rows without the page images", file=sys.stderr)
    return 1 if missing else 0


def _serve(out, args: argparse.Namespace) -> int:
    """`poa review OUT --serve`: the work lives in poa.serve."""

    from poa.serve import can_open_browser, server

    try:
        httpd, url = server(out, args.port, args.author)
    except OSError as e:
        print(f"poa: --port {args.port}: {printable(e.strerror or e)}", file=sys.stderr)
        return 2
    print(f"review app for {printable(out)}: {url}\n(Ctrl-C ends it; corrections go to "
          f"{printable(out / 'corrections.csv')})", flush=True)
    if not args.no_browser and can_open_browser():
        import webbrowser  # only where a browser is opened

        webbrowser.open(url)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


def correct(args: argparse.Namespace) -> int:
    """`poa correct`: the work lives in poa.correcting."""

    from poa.correcting import submit

    out = Path(args.out)
    try:
        c, row = submit(out, Correction(args.doc_id, args.table, args.key, args.column, args.value, args.note,
                                        args.author))
    except ValueError as e:  # a CorrectionError among them
        print(f"poa: {printable(e)}", file=sys.stderr)
        return 2
    except OSError as e:  # a full or read-only folder: nothing written, no temp file left
        print(f"poa: cannot write {printable(out / 'corrections.csv')}: {printable(e.strerror or e)}", file=sys.stderr)
        return 1
    if row is None:
        now = "its document was not read: reported stale on every run until it is"
    else:
        read = as_read(row, c.column)
        now = "the PDF reads it blank" if read is None else f"the PDF reads {printable(read, 80)!r}"
    print(f"added   {c.doc_id} {c.table} {printable(c.key)} {c.column} = {printable(c.value)!r} ({now}); "
          f"`poa run` on {printable(out)} applies it", flush=True)
    return 0


def audit(args: argparse.Namespace) -> int:
    """`poa audit`: the work lives in poa.outputs.printing."""

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
            print_pdf(html, pdf, chromium=chromium, paper=args.paper)
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the batch stands, so that it ends as Ctrl-C ends it: workers stopped, the run's
    record and temporary files removed, what was done kept for the next run."""


def _terminated(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command != "run":
        return {"audit": audit, "review": review, "correct": correct, "templates": templates,
                "inspect": inspect}[args.command](args)
    if args.jobs is not None and args.jobs < 1:
        print("poa: --jobs must be at least 1", file=sys.stderr)
        return 2
    from .batch import run
    from .log import configure
    from .pipeline import UsageError

    try:
        configure(args.log_file, args.log_level)
    except OSError as e:
        print(f"poa: --log-file {printable(args.log_file)}: {printable(e.strerror or e)}", file=sys.stderr)
        return 2
    if args.engine in ENGINE_ALIASES:  # said once, plainly, where a library user gets a FutureWarning
        new, until = ENGINE_ALIASES[args.engine]
        print(f"poa: --engine {args.engine} is now --engine {new} (the old name is accepted until poa {until})",
              file=sys.stderr)
        args.engine = new
    reporter = Reporter(args.quiet)
    signal.signal(signal.SIGTERM, _terminated)  # stopped by a scheduler or `kill`: ended as Ctrl-C ends it
    try:
        outcomes = run(args.inputs, out=args.out, engine=args.engine, reader=args.reader, ocr=args.ocr, gx=args.gx,
                       review=args.review, jobs=args.jobs, timeout=args.timeout, max_memory=args.max_memory,
                       force=args.force, retry_failed=args.retry_failed, on_start=reporter.start,
                       on_done=reporter.done, on_pages=reporter.pages_read,
                       executor=args.executor, dask=args.dask, template=args.template)
    except UsageError as e:
        print(f"poa: {printable(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        how = "terminated (SIGTERM)" if isinstance(e, Terminated) else "interrupted"
        print(f"poa: {how}; a re-run resumes where this one stopped", file=sys.stderr)
        return 143 if isinstance(e, Terminated) else 130
    finally:
        if reporter.progress is not None:
            reporter.progress.stop()
    reporter.summary(args.out)
    if any(not o.document.read for o in outcomes):
        return 1
    return 3 if any(o.document.status == "review" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
