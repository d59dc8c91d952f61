"""The pipeline: extract → normalize → validate → outputs, one document at a time.

`run` is what the CLI calls and what a notebook can call too; `process` is one document, in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import os
import re
import stat
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from poa.extract import NoTablesError, SourceError, extract
from poa.normalize import normalize
from poa.normalize.corrections import correct
from poa.validate import validate

from .core.corrections import Applied, fingerprint
from .core.errors import PoaError, UsageError
from .core.options import ENGINES, READERS, Options
from .core.records import Document, Report, Status
from .core.vocab import display_path
from .core.watch import NO_WATCH, PageWatch
from .limits import LimitExceeded, deadline
from .version import pipeline_version

if TYPE_CHECKING:
    pass


class NotReadable(OSError, PoaError):
    """An input that is not a file poa will read: a folder, a FIFO, a device, a /proc file, one that takes
    too long to read. The message is the plain reason its documents row gives."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    for test, kind in _KINDS:
        if test(mode):
            return f"not a regular file: {kind}"
    return None if stat.S_ISREG(mode) else "not a regular file"


def sha256_of(path: Path, max_seconds: float | None = None) -> str:
    """The file's SHA-256. Only a regular file is read (a FIFO or a device could block or never end), and
    only as many bytes as its size says (a /proc file says 0 and reads on for ever); `max_seconds` caps the
    time. Raises NotReadable (or OSError) with the reason."""

    if (kind := _not_regular(os.stat(path).st_mode)) is not None:  # before open(): opening a FIFO blocks
        raise NotReadable(kind)
    h, started = hashlib.sha256(), time.monotonic()
    what = f"reading the file took more than {max_seconds:g} s" if max_seconds else ""
    try:
        with deadline(max_seconds, what) if max_seconds else contextlib.nullcontext():
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
            with open(fd, "rb", buffering=0) as f:
                st = os.fstat(fd)
                if (kind := _not_regular(st.st_mode)) is not None:  # swapped since the stat above
                    raise NotReadable(kind)
                left = st.st_size
                while left > 0:
                    chunk = f.read(min(1 << 20, left))
                    if not chunk:
                        raise NotReadable("the file shrank while it was read")
                    h.update(chunk)
                    left -= len(chunk)
                    if max_seconds and time.monotonic() - started > max_seconds:
                        raise NotReadable(what)
                if f.read(1):
                    raise NotReadable(f"not a regular file on disk: it reads more than its size ({st.st_size} bytes) "
                                      "says (a /proc or /sys file?)")
    except LimitExceeded as e:
        raise NotReadable(str(e)) from None
    return h.hexdigest()


def _pdfs_in(folder: Path, skip: Path | None = None) -> list[Path]:
    """Every *.pdf under a folder, recursively (symlinked folders not followed, so no loop), whatever kind
    of file it is (identify refuses what is not a regular file, with its reason); a sub-folder that cannot
    be listed is returned too, so that it becomes a failed input instead of being skipped silently. The
    folder `skip` is not walked (poa's own output folder: its audit PDFs are no reports)."""
    found: list[Path] = []
    skipped = os.path.realpath(skip) if skip is not None else None

    def unlistable(e: OSError) -> None:
        found.append(Path(e.filename) if e.filename else folder)

    for root, dirs, files in os.walk(folder, onerror=unlistable):
        if skipped is not None:
            dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(root, d)) != skipped]
            if os.path.realpath(root) == skipped:
                continue
        found += [Path(root) / f for f in files if f.lower().endswith(".pdf")]
    return sorted(found)


def expand_inputs(inputs: Iterable[str | Path], out: Path | None = None) -> list[Path]:
    """Files, folders (recursively, every *.pdf, but never the output folder `out` inside one) and globs, in a
    stable order, each once."""
    found: list[Path] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            pdfs = _pdfs_in(p, out)
            if not pdfs:
                raise UsageError(f"{display_path(item)}: no PDF file in this folder")
            found += pdfs
        elif os.path.lexists(p):  # a file, or something that is not one: identify says which
            found.append(p)
        elif any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(item), recursive=True) if not Path(m).is_dir())
            if not matches:
                raise UsageError(f"{display_path(item)}: no file matches")
            found += matches
        else:
            raise UsageError(f"{display_path(item)}: no such file or folder")
    seen, unique = set(), []
    for p in found:
        key = os.path.realpath(p)  # never raises, even on a symlink loop
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _unreadable_reason(path: Path, e: OSError) -> str:
    if isinstance(e, NotReadable):
        return str(e)
    if os.path.isdir(path):
        return f"cannot list the folder: {e.strerror or e}"
    return f"cannot read the file: {e.strerror or e}"


def identify(path: Path, max_seconds: float | None = None) -> Document:
    """A document's identity before any work: its content hash and the id made from it. A file that cannot
    be read (or is no regular file, or takes more than `max_seconds` to hash) comes back already failed,
    its id then made from its path."""

    path = Path(path)
    try:
        if os.path.isdir(path):
            os.listdir(path)  # a folder among the inputs is one that could not be listed: say why
        sha = sha256_of(path, max_seconds)
    except OSError as e:
        return Document(doc_id=hashlib.sha256(os.fsencode(path)).hexdigest()[:16], source_path=display_path(path),
                        sha256="", status=Status.FAILED, error=_unreadable_reason(path, e),
                        pipeline_version=pipeline_version())
    return Document(doc_id=sha[:16], source_path=display_path(path), sha256=sha, pipeline_version=pipeline_version(),
                    file_modified=file_time(path))


def file_time(path: Path) -> str | None:
    """The file's modification time, ISO in UTC to the second (which of two editions of a path is the later)."""

    try:
        return dt.datetime.fromtimestamp(os.stat(path).st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    except (OSError, OverflowError, ValueError):
        return None


_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")


def pdf_date(path: Path) -> str | None:
    """The date the PDF states for itself (its /ModDate, else its /CreationDate: "D:20220315101010-04'00'"), ISO
    to the second as written (its time zone left aside), or None."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except Exception:  # noqa: BLE001 - a file PDFium refuses states no date
        return None
    try:
        info = pdf.get_metadata_dict()
    except Exception:  # noqa: BLE001
        return None
    finally:
        pdf.close()
    for key in ("ModDate", "CreationDate"):
        m = _PDF_DATE.match((info.get(key) or "").strip())
        if m and m.group(1):
            y, mo, d, h, mi, sec = (int(g) if g else default for g, default in zip(m.groups(), (0, 1, 1, 0, 0, 0)))
            if 1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and sec < 60:
                return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
    return None


def process(path: str | Path, engine: str = ENGINES[0], document: Document | None = None,
            reader: str = READERS[0], ocr: str = "auto", *, corrections: list | None = None,
            gx: bool = False, template: str | None = None, options: Options | None = None,
            watch: PageWatch = NO_WATCH) -> Report:
    """One document through every stage, in memory. Never raises for a bad document: it comes back with
    status "failed" and the reason. `engine`, `reader`, `ocr`, `gx`, `template` (or `options`, all at once): how
    it is read and checked (see `poa.core.options`; `template`: an installed profile's name or a profile file, by
    default the one that fits it best). `corrections`: the document's corrections (`poa.core.corrections`), applied
    between normalize and validate. `poa.tables(report)` gives its tables as DataFrames."""

    opts = options or Options(engine, reader, ocr, gx, template)
    path = Path(path)
    doc = replace(document or identify(path), engine=opts.engine, reader=opts.reader, ocr=opts.ocr, gx=opts.gx,
                  corrections=fingerprint(corrections or []))
    if doc.status == "failed":
        return _failed(doc, doc.error or "not read", corrections)
    try:
        clock = time.monotonic()
        try:
            extraction = extract(path, engine=opts.engine, reader=opts.reader, ocr=opts.ocr, profile=opts.profile(),
                                 watch=watch)
        except NoTablesError as e:  # the tables its pages print are kept all the same, as raw cells
            return replace(_failed(doc, str(e), corrections), unclaimed=e.unclaimed)
        except SourceError as e:
            return _failed(doc, str(e), corrections)
        except OSError as e:
            return _failed(doc, f"cannot read the file: {e.strerror or e}", corrections)
        doc = replace(doc, pdf_modified=pdf_date(path))
        timings = {"extract": time.monotonic() - clock}
        clock = time.monotonic()
        report = normalize(extraction, doc)
        doc = report.document  # a later stage's failure keeps what normalize found: entity, period, pages, template…
        report = correct(report, corrections or [])
        timings["normalize"], clock = time.monotonic() - clock, time.monotonic()
        report = validate(report, expectations=opts.gx)
        timings["validate"] = time.monotonic() - clock
        return replace(report, timings={k: round(v, 3) for k, v in timings.items()})
    except Exception as e:  # a bug, or a file that breaks a library: recorded, the batch goes on
        return _failed(doc, f"{type(e).__name__}: {e}", corrections)


def _failed(doc: Document, reason: str, corrections: list | None = None) -> Report:
    """A document not read, and its corrections, each stale for it: never dropped without a word."""

    stale = [Applied(c, "stale", reason=f"its document was not read: {reason}") for c in corrections or []]
    return Report(replace(doc, status=Status.FAILED, error=reason), corrections=stale)
