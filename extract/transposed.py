"""Tables printed on their side: each result a column headed by its code (`OPE 1 … OPE 15`), each figure a row
named by its label in the first column (`META`, `EVAL.`, `% EFI.`), the results' texts listed above the table, a
line each that opens with the code (the profile's `legend`: "OPE 1.- Elaborar …").

Read into the rows any table gives, one per result column, so that nothing after the engine knows a table was
turned. A line of codes is a heading only where rows named by the profile's labels stand under it: a chart's
axis ("OPE 1 OPE 2 …" under its bars) is not a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from poa.core.codes import CodeSpec
from poa.core.profile import Profile, TableSpec
from poa.core.vocab import fold

from .engines.rows import GridRow, PageTable
from .layout import DEFAULT, Line, TableSettings, bbox_of, column_of, confidence, line_gap, vertical_edges
from .page import Ruling, Word

ROW_GAP_LINES = 2.5  # a gap of this many line heights under a figure row ends the table
CODE_WORDS = 3  # a code is printed in at most this many words ("OPE", "1"; "OPE", "1", "0" from a loose reader)


@dataclass(frozen=True)
class Heading:
    """The line that heads a transposed table: its label words (DETALLE) and, left to right, its codes."""

    line: Line
    label: tuple[Word, ...]
    codes: tuple[tuple[Word, ...], ...]

    @property
    def texts(self) -> list[str]:
        return [" ".join(w.text for w in ws) for ws in self.codes]

    @property
    def centres(self) -> list[float]:
        return [(ws[0].x0 + ws[-1].x1) / 2 for ws in self.codes]


def code_runs(words: Sequence[Word], code: CodeSpec) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of words that prints one whole code ("OPE", "7"), left to right."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        for k in range(min(CODE_WORDS, len(words) - i), 0, -1):
            text = " ".join(w.text for w in words[i:i + k])
            if code.start.fullmatch(text) and code.whole.fullmatch("".join(text.split())):
                runs.append((i, i + k))
                i += k
                break
        else:
            i += 1
    return runs


def heading(line: Line, profile: Profile) -> Heading | None:
    """The line as a transposed table's heading: two codes or more, nothing between them, and before them only
    header words (a label such as DETALLE)."""
    runs = code_runs(line.words, profile.code)
    if len(runs) < 2 or any(b[0] != a[1] for a, b in zip(runs, runs[1:])) or runs[-1][1] != len(line.words):
        return None
    label = line.words[:runs[0][0]]
    if not all(profile.is_header_word(w.text) for w in label):
        return None
    return Heading(line, tuple(label), tuple(tuple(line.words[a:b]) for a, b in runs))


def column_bounds(head: Heading, rulings: Sequence[Ruling], top: float, bottom: float,
                  settings: TableSettings) -> list[float]:
    """Edges between the label column and each code's column: a drawn ruling between two codes where there is
    one, else halfway between them (the first edge as far left of the first code as the second is right)."""
    xs = head.centres
    drawn = vertical_edges(rulings, top, bottom, settings)
    label_x1 = max((w.x1 for w in head.label), default=None)
    step = xs[1] - xs[0]
    pairs = [(label_x1 if label_x1 is not None else xs[0] - step, xs[0])] + list(zip(xs, xs[1:]))
    edges = []
    for i, (a, b) in enumerate(pairs):
        between = [x for x in drawn if a < x < b]
        middle = xs[0] - step / 2 if i == 0 else (a + b) / 2
        if i == 0 and label_x1 is not None:
            middle = max(middle, label_x1 + 0.5)
        edges.append(min(between, key=lambda x: abs(x - middle)) if between else middle)
    return edges


@dataclass(frozen=True)
class FigureRow:
    label: str  # as printed
    role: str | None  # the profile's role its label names, or None (kept as an extra row)
    cells: tuple[tuple[Word, ...], ...]  # per code column


def figure_rows(below: Sequence[Line], edges: Sequence[float], spec: TableSpec, profile: Profile
                ) -> tuple[list[FigureRow], bool]:
    """The rows under a heading, each cut into the code columns, down to a line that closes the table, a wide
    gap, or a line that is no row (no figure under the codes, a label the profile has no row for); and whether a
    line closed it."""
    rows: list[FigureRow] = []
    taken: set[str] = set()
    previous: Line | None = None
    for ln in below:
        if profile.closes(ln.text):
            return rows, True
        if previous is not None and line_gap(previous, ln) > ROW_GAP_LINES * max(previous.height, 1.0):
            break
        cols: list[list[Word]] = [[] for _ in range(len(edges) + 1)]
        for w in ln.words:
            cols[column_of(w.xc, edges)].append(w)
        label = " ".join(w.text for w in cols[0])
        folded = [fold(w.text) for w in cols[0]]
        role = next((c.role for c in spec.columns if c.titles and c.role not in taken and c.names(folded)), None)
        if role is None and sum(bool(c) for c in cols[1:]) * 2 < len(edges):
            break  # neither a row the profile names nor one with figures under most codes
        if role is not None:
            taken.add(role)
        rows.append(FigureRow(label, role, tuple(tuple(c) for c in cols[1:])))
        previous = ln
    return rows, False


@dataclass
class _Entry:
    key: str  # the code, whitespace removed
    first: str  # the first line's text after the legend mark
    marked: tuple[Word, ...]  # the first line's words after the mark
    lines: list[Line]

    @property
    def text(self) -> str:
        return " ".join(t for t in [self.first, *(ln.text for ln in self.lines[1:])] if t)

    @property
    def words(self) -> tuple[Word, ...]:
        return self.marked + tuple(w for ln in self.lines[1:] for w in ln.words)


def _opening(ln: Line, spec: TableSpec, code: CodeSpec) -> _Entry | None:
    """A legend line: the code and the mark ("OPE 1.-"), then the text."""
    m = spec.legend_start.match(ln.text) if spec.legend_start is not None else None
    c = code.start.match(ln.text) if m else None
    key = "".join(c.group(0).split()) if c else ""
    if m is None or not key or not code.whole.fullmatch(key):
        return None
    marked, at = [], 0
    for w in ln.words:  # the words after the mark (a word the mark runs into, whole)
        at = ln.text.index(w.text, at) + len(w.text)
        if at > m.end():
            marked.append(w)
    return _Entry(key, ln.text[m.end():].strip(), tuple(marked), [ln])


def legend(above: Sequence[Line], spec: TableSpec, code: CodeSpec
           ) -> tuple[dict[str, tuple[str, tuple[Word, ...]]], int]:
    """Each result's text as the list above the table prints it, by its code (whitespace removed): a line that
    opens with the code and the profile's legend mark, and the lines that wrap it: those right under it, no
    farther apart than the list's entries are (a line farther off is no part of it: a title over the table, or
    the rest of an entry whose first line is lost, which must not lengthen the entry above); and how many lines
    amid the list no entry took."""
    entries: list[_Entry] = []
    loose: list[Line] = []
    for ln in above:
        if (entry := _opening(ln, spec, code)) is not None:
            entries.append(entry)
        elif entries:
            loose.append(ln)
    if not entries:
        return {}, 0
    firsts = [e.lines[0] for e in entries]
    spacing = [line_gap(a, b) for a, b in zip(firsts, firsts[1:]) if line_gap(a, b) > -1]
    # wrapped lines stand as close as the list's lines do, or closer (entries spaced apart as paragraphs)
    limit = max(min(spacing), 0.0) + 0.5 if spacing else 0.5 * max(firsts[0].height, 1.0)
    apart = 0
    for ln in loose:
        owner = max((e for e in entries if e.lines[-1].bottom <= ln.top + 1), key=lambda e: e.lines[-1].bottom,
                    default=None)
        if owner is not None and line_gap(owner.lines[-1], ln) <= limit:
            owner.lines.append(ln)
        elif ln.bottom <= entries[-1].lines[0].top + 1:
            apart += 1  # between two entries, yet no part of the one above
    return {e.key: (e.text, e.words) for e in entries}, apart


def read(page: int, lines: Sequence[Line], rulings: Sequence[Ruling], spec: TableSpec, profile: Profile,
         settings: TableSettings = DEFAULT) -> list[tuple[PageTable, set[int]]]:
    """Every transposed table of the profile's kind on a page, as rows (one per code column), with the words
    each took."""
    out: list[tuple[PageTable, set[int]]] = []
    used_lines: set[int] = set()
    for i, ln in enumerate(lines):
        if i in used_lines or (head := heading(ln, profile)) is None:
            continue
        edges, rows, closed = _under(lines, i, head, rulings, spec, profile, settings)
        if not any(r.role for r in rows):
            continue  # a line of codes with no row the profile names under it: a chart's axis, a list
        used_lines.update(range(i, i + 1 + len(rows)))
        texts, apart = legend([x for x in lines[:i] if x.bottom <= ln.top + 1], spec, profile.code)
        table, used = _table(page, head, rows, closed, texts, edges, spec)
        if spec.legend is not None:
            table.legend_unread = apart + sum("".join(c.split()) not in texts for c in head.texts)
        out.append((table, used))
    return out


def _table(page: int, head: Heading, rows: list[FigureRow], closed: bool,
           texts: dict[str, tuple[str, tuple[Word, ...]]], edges: list[float], spec: TableSpec
           ) -> tuple[PageTable, set[int]]:
    found = ("code",) + (("expected",) if texts else ()) + tuple(r.role for r in rows if r.role)
    extras = tuple(r.label for r in rows if r.role is None)
    table = PageTable(spec.name, page, head.line.text, found, [], closed, extras, "transposed")
    used: set[int] = {id(w) for ws in head.codes for w in ws}
    for k, code_words in enumerate(head.codes):
        code = " ".join(w.text for w in code_words)
        text, legend_words = texts.get("".join(code.split()), ("", ()))
        cells = {role: "" for role in spec.roles}
        cells["code"] = code
        if "expected" in cells:
            cells["expected"] = text
        parts: list[tuple[str, tuple[Word, ...]]] = [("code", code_words), ("expected", legend_words)]
        extra = []
        for r in rows:
            words = r.cells[k]
            value = " ".join(w.text for w in words)
            if r.role is not None:
                cells[r.role] = value
            else:
                extra.append((r.label, value))
            parts.append((r.role or r.label, words))
        column = [w for _, ws in parts[:1] + parts[2:] for w in ws]
        used |= {id(w) for _, ws in parts for w in ws}
        boxes = tuple((key, page, *bbox_of(ws)) for key, ws in parts if ws)
        conf = tuple((key, x) for key, ws in parts if ws and (x := confidence(ws)) is not None)
        table.rows.append(GridRow(cells, page, bbox_of(column), tuple(extra), 0, conf, boxes))
    last = max((w.bottom for r in rows for ws in r.cells for w in ws), default=head.line.bottom)
    right = max((w.x1 for r in rows for ws in r.cells for w in ws), default=head.line.words[-1].x1)
    table.area = (edges[0], head.line.bottom, max(right, head.line.words[-1].x1), last + 0.5)
    return table, used


def _under(lines: Sequence[Line], i: int, head: Heading, rulings: Sequence[Ruling], spec: TableSpec,
           profile: Profile, settings: TableSettings) -> tuple[list[float], list[FigureRow], bool]:
    """The column edges of the heading on line `i`, the figure rows under it, and whether a line closed them."""
    ln = lines[i]
    below = [x for x in lines[i + 1:] if x.top >= ln.bottom - 1]
    bottom = below[min(len(below), 4) - 1].bottom if below else ln.bottom
    edges = column_bounds(head, rulings, ln.top, bottom, settings)
    return (edges, *figure_rows(below, edges, spec, profile))


def rows_named(lines: Sequence[Line], rulings: Sequence[Ruling], profile: Profile, spec: TableSpec,
               settings: TableSettings = DEFAULT) -> int:
    """How many of the table's required rows a heading on these lines has under it (how well the profile fits
    a page, where it chooses among profiles): the rows `read` would find."""
    best = 0
    for i, ln in enumerate(lines):
        if (head := heading(ln, profile)) is not None:
            _, rows, _ = _under(lines, i, head, rulings, spec, profile, settings)
            best = max(best, sum(r.role in spec.required for r in rows))
    return best
