"""`poa`: the command line, a thin shell over `poa.pipeline.run`."""

from __future__ import annotations

import argparse
import sys

from extract.engines import ENGINES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="poa", description="POA follow-up reports (PDF) → Parquet datasets.")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="extract, normalize, validate and write Parquet for each report")
    r.add_argument("inputs", nargs="+", help="PDF files, folders (searched recursively) or globs")
    r.add_argument("--out", default="out", help="output folder (default: out)")
    r.add_argument("--engine", choices=ENGINES, default="pdfplumber", help="table engine (default: pdfplumber)")
    r.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)

    from .pipeline import UsageError, run

    def show(o) -> None:
        d = o.document
        if d.status == "ok":
            if not args.quiet:
                print(f"ok      {d.source_path}: {o.results} results, {o.deviations} deviations, "
                      f"{o.findings} findings, {d.pages} pages")
        else:
            print(f"FAILED  {d.source_path}: {d.error}", file=sys.stderr)

    try:
        outcomes = run(args.inputs, out=args.out, engine=args.engine, on_done=show)
    except UsageError as e:
        print(f"poa: {e}", file=sys.stderr)
        return 2
    failed = sum(o.document.status != "ok" for o in outcomes)
    if not args.quiet:
        print(f"{len(outcomes) - failed} ok, {failed} failed → {args.out}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
