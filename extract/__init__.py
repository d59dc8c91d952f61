"""Stage 1: a PDF's two tables as raw rows (text as printed, with pages and boxes), and how well they were read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from poa.core.errors import PoaError
from poa.core.profile import Profile
from poa.core.profiles import installed
from poa.core.records import Extraction, Leftover, RawCell, RawRow, ReadQuality
from poa.core.vocab import fold, page_list, squash
from poa.core.watch import NO_WATCH, PageWatch

from .assemble import stitch
from .engines import ENGINES, PageScan, PageTable, get_engine
from .integrity import damaged_streams
from .page import SourceError
from .readers import OCR_MODES, READERS

MIN_CODE_WORDS = 3  # a page with this many result codes holds table text
MAX_DAMAGE_LISTED = 20  # damaged streams named in the quality record (the count of a wrecked file says enough)


class NoTablesError(PoaError):
    """The PDF has pages but no POA table: a scan with no text layer, or another kind of document. `unclaimed`:
    the cells of the tables its pages print all the same (`extract.unclaimed`), kept for the archivist."""

    def __init__(self, message: str, unclaimed: list[RawCell] | None = None):
        super().__init__(message)
        self.unclaimed = unclaimed or []


def extract(path: str | Path, engine: str = ENGINES[0], reader: str = READERS[0], ocr: str = "auto",
            profile: Profile | None = None, watch: PageWatch = NO_WATCH) -> Extraction:
    """Read the tables of a report as `profile`'s family, or, where none is given, as the installed profile that
    fits its first pages best; `watch` hears of each page read. Raises SourceError / NoTablesError with a plain
    reason."""
    candidates = (profile,) if profile is not None else tuple(installed())
    eng = get_engine(engine, reader, ocr, candidates)
    eng.watch = watch
    scans = list(eng.scan(str(path)))
    fit = eng.fit
    profile = fit.profile if fit is not None else candidates[0]
    tables = [t for s in scans for t in s.tables]
    unclaimed = [c for s in scans for c in s.unclaimed]
    if not any(t.rows for t in tables):
        if sum(s.chars_total for s in scans) == 0:
            if all(s.blank for s in scans):
                raise NoTablesError(f"nothing is printed on {'its page' if len(scans) == 1 else 'any of its pages'}: "
                                    "no text, and no image with text in it")
            if any(s.ocr_confidence is not None for s in scans):
                raise NoTablesError(f"no text layer (a scanned or image-only PDF), and OCR recognised no text on it: "
                                    f"{what_was_found(scans)}")
            why = "; run without --ocr never to recognise its pages" if ocr == "never" else ""
            raise NoTablesError(f"no text layer (a scanned or image-only PDF){why}")
        hint = "; camelot's lattice reads ruled tables only, try --engine geometry" if engine == "camelot" else ""
        names = ", ".join(p.name for p in candidates)
        raise NoTablesError(f"no POA results or deviations table found (no header with the column titles of the "
                            f"template{'s' if len(candidates) > 1 else ''} {names}){hint}; {what_was_found(scans)}",
                            unclaimed)
    rows = stitch(tables, profile)
    headers: dict[str, str] = {}
    for t in tables:
        headers.setdefault(t.kind, t.header_text)
    leftovers = [lo for s in scans for lo in s.leftovers]
    table_pages = {t.page for t in tables}
    total = sum(s.chars_total for s in scans if s.page in table_pages)
    texts = [c for r in rows for c in r.cells.values()] + [t for r in rows for _, t in r.extra]
    texts += [lo.text for lo in leftovers if lo.page in table_pages and not lo.hidden]
    accounted = min(total, sum(len("".join(t.split())) for t in texts))  # non-space, as the pages count them
    quality = read_quality(scans, tables, rows, leftovers, profile)
    if quality.columns_expected:
        quality.template_fit = round(quality.columns_found / quality.columns_expected, 4)
    quality.template_rivals = list(fit.rivals) if fit is not None else []
    quality.chars_total = total
    quality.damaged_streams = [d.describe() for d in (damaged_streams(path) or [])][:MAX_DAMAGE_LISTED]
    return Extraction(
        profile=profile, source_path=str(path), pages=len(scans), engine=eng.name, reader=reader, header_texts=headers, rows=rows,
        leftovers=leftovers, chars_total=total, chars_accounted=accounted, quality=quality, unclaimed=unclaimed,
    )


def read_quality(scans: list[PageScan], tables: list[PageTable], rows: list[RawRow],
                 leftovers: list[Leftover], profile: Profile) -> ReadQuality:
    """What the extraction itself can tell about how well it read: columns found, words across column edges,
    text left inside a table's area, pages of table text where no table was found."""
    q = ReadQuality()
    strategies: dict[str, Counter] = {}
    for t in tables:
        strategies.setdefault(t.kind, Counter())[t.strategy or "?"] += 1
    q.strategy = "; ".join(f"{kind}: {', '.join(s for s, _ in c.most_common())}" for kind, c in strategies.items())
    q.pages_turned = {s.page: s.orientation for s in scans if s.orientation}
    q.ocr_pages = [s.page for s in scans if s.ocr_confidence is not None]
    q.ocr_confidence = ocr_confidence(scans)
    for spec in profile.tables:
        kind = spec.name
        pieces = [t for t in tables if t.kind == kind]
        found = {c for t in pieces for c in t.columns}
        wanted = list(spec.required)
        q.columns_expected += len(wanted)
        q.columns_found += sum(name in found for name in wanted)
        q.missing_columns += [f"{kind}: {name}" for name in wanted if name not in found]
        for t in pieces:
            q.extra_columns += [f"{kind}: {x}" for x in t.extras if f"{kind}: {x}" not in q.extra_columns]
    straddling = [r for r in rows if r.straddles and profile.code.opens(r.cells["code"])]
    q.cells_outside_column = sum(r.straddles for r in straddling)
    if straddling:
        q.measure_pages["cells_outside_column"] = sorted({p for r in straddling for p in r.pages})
    hidden = stray_chars(tables, [lo for lo in leftovers if lo.hidden])
    q.hidden_chars = sum(hidden.values())
    if hidden:
        q.measure_pages["hidden_chars"] = sorted(hidden)
    stray = stray_chars(tables, [lo for lo in leftovers if not lo.hidden])
    furniture = {s.page: s.furniture_in_cells for s in scans if s.furniture_in_cells}
    q.stray_chars = sum(stray.values()) + sum(furniture.values())
    if q.stray_chars:
        q.measure_pages["stray_chars"] = sorted(set(stray) | set(furniture))
    q.header_changes = header_changes(tables)
    low = misaligned(rows)
    q.rows_misaligned = len(low)
    if low:
        q.measure_pages["rows_misaligned"] = sorted({r.pages[0] for r in low})
    unread = [t for t in tables if t.legend_unread]
    q.legend_unread = sum(t.legend_unread for t in unread)
    if unread:
        q.measure_pages["legend_unread"] = sorted({t.page for t in unread})
    with_table = {t.page for t in tables}
    q.pages_without_table = [s.page for s in scans if s.code_words >= MIN_CODE_WORDS and s.page not in with_table]
    q.unmapped_chars = sum(s.unmapped for s in scans)
    results = [t for t in tables if profile.table(t.kind).kind == "results"]
    q.unterminated = bool(results) and not results[-1].closed and results[-1].page == scans[-1].page
    return q


def ocr_confidence(scans: list[PageScan]) -> float | None:
    """The mean confidence of every word recognised on the OCR'd pages (None where no page was OCR'd)."""
    ocr = [(s.ocr_confidence, s.ocr_words) for s in scans if s.ocr_confidence is not None]
    words = sum(n for _, n in ocr)
    if not ocr:
        return None
    return round(sum(conf * n for conf, n in ocr) / words, 2) if words else 0.0


def what_was_found(scans: list[PageScan]) -> str:
    """What the pages hold, for a document with no POA table: which were OCR'd (and how surely), which hold
    a drawn table or result codes, in plain words."""
    said = []
    ocr = [s.page for s in scans if s.ocr_confidence is not None]
    if ocr:
        conf = f", mean word confidence {ocr_confidence(scans):.0f}" if any(s.ocr_words for s in scans) else ""
        said.append(f"{len(ocr)} of {len(scans)} pages OCR'd ({page_list(ocr)}{conf})")
    ruled = [s.page for s in scans if s.ruled]
    said.append(f"table-like text (a drawn grid) on {page_list(ruled)}, none under a POA header" if ruled
                else "no drawn table on any page")
    codes = [s.page for s in scans if s.code_words]
    if codes:
        said.append(f"result-code-like words on {page_list(codes)}")
    return "; ".join(said)


def stray_chars(tables: list[PageTable], leftovers: list[Leftover]) -> dict[int, int]:
    """Per page, the characters of leftover lines that stand inside a table's area there (below its header or
    where it goes on, across its columns, down to its last row or ruling): text of the table no cell took, a
    line lost at a page break as much as one lost mid-page."""
    areas: dict[int, list[tuple[float, float, float, float]]] = {}
    for t in tables:
        if t.area is not None and t.rows:
            areas.setdefault(t.page, []).append(t.area)
    stray: dict[int, int] = {}
    for lo in leftovers:
        xc, yc = (lo.bbox[0] + lo.bbox[2]) / 2, (lo.bbox[1] + lo.bbox[3]) / 2
        if any(a[0] < xc < a[2] and a[1] < yc < a[3] for a in areas.get(lo.page, ())):
            stray[lo.page] = stray.get(lo.page, 0) + sum(not c.isspace() for c in lo.text)
    return stray


def misaligned(rows: list[RawRow], top_share: float = 0.9, slack: float = 4.0) -> list[RawRow]:
    """Rows whose first cell (a code, a unit's number, a section's name) starts lower than their other cells
    do, by more than `slack` points, in a table whose rows otherwise start every cell on one line: lines of the
    row above (the rest of a row broken across a page) run into the row below. Where a table centres its
    cells vertically (`top_share` of its rows or fewer start together), the measure says nothing."""
    out: list[RawRow] = []
    for kind in ("results", "deviations"):
        offsets = []
        for r in rows:
            if r.table != kind:
                continue
            first = [b[3] for b in r.boxes if b[1] == r.pages[0] and b[0] == "code"]
            others = [b[3] for b in r.boxes if b[1] == r.pages[0] and b[0] != "code"]
            if first and others:
                offsets.append((r, first[0] - min(others)))
        if offsets and sum(off <= 1.0 for _, off in offsets) >= top_share * len(offsets):
            out += [r for r, off in offsets if off > slack]
    return out


def header_changes(tables: list[PageTable]) -> list[int]:
    """Pages where a table's header, printed again, reads otherwise than where the table began: a line of the
    body taken into it (or one of its own lines lost) at the top of a page. A report repeats its header word
    for word."""
    first: dict[str, str] = {}
    changed = []
    for t in tables:
        text = fold(squash(t.header_text))
        if first.setdefault(t.kind, text) != text:
            changed.append(t.page)
    return sorted(set(changed))


__all__ = ["ENGINES", "OCR_MODES", "READERS", "NoTablesError", "SourceError", "extract"]
