"""Tables no profile claims, kept as raw cells: what a page prints in columns outside the tables poa reads (a
summary, a budget annex, every page of a report no installed profile fits) cut into rows and columns by its
own rulings and gaps, as stream readers cut a table they know nothing about. Each text line is a row; a
column edge is a vertical ruling through the block, or else a gap no multi-cell line prints across. A run of
lines becomes a table only where two or more of its lines break into cells: title lines and paragraphs stay
leftovers only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence

from poa.core.records import RawCell

from . import layout
from .page import Ruling, Word


@dataclass(frozen=True)
class StreamSettings:
    """The two tolerances of the cutter, in line heights."""

    cell_gap: float = 0.9  # words further apart than this on one line stand in two cells
    block_gap: float = 1.6  # lines further apart than this are two tables


DEFAULT = StreamSettings()


def pieces(line: layout.Line, gap: float) -> list[list[Word]]:
    """A line's words, cut where the space between two words is wider than `gap` points."""
    out: list[list[Word]] = []
    for w in line.words:
        if out and w.x0 - out[-1][-1].x1 <= gap:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def blocks(lines: Sequence[layout.Line], unit: float, settings: StreamSettings = DEFAULT) -> list[list[layout.Line]]:
    """Runs of lines no wider apart than `block_gap` line heights, in reading order."""
    out: list[list[layout.Line]] = []
    for ln in lines:
        if out and layout.line_gap(out[-1][-1], ln) <= settings.block_gap * unit:
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


def gap_edges(cut: Sequence[Sequence[Sequence[Word]]]) -> list[float]:
    """Column edges from the lines cut into two or more cells: the middle of each stretch of x no cell covers,
    where two lines or more, and half the lines cut into cells, leave a gap between cells (a column runs down the
    table; the wide spaces of justified lines fall each elsewhere)."""
    multi = [line for line in cut if len(line) > 1]
    spans = sorted((ws[0].x0, ws[-1].x1) for line in multi for ws in line)
    edges: list[float] = []
    right = None
    for x0, x1 in spans:
        if right is not None and x0 > right:
            edges.append((right + x0) / 2)
        right = x1 if right is None else max(right, x1)
    gaps = [(a[-1].x1, b[0].x0) for line in multi for a, b in zip(line, line[1:])]
    enough = max(2, len(multi) / 2)
    return [x for x in edges if sum(lo < x < hi for lo, hi in gaps) >= enough]


def ruled_edges(block: Sequence[layout.Line], rulings: Sequence[Ruling]) -> list[float]:
    """The vertical rulings that run down the block, inside it."""
    top, bottom = block[0].top, block[-1].bottom
    x0, x1 = min(ln.words[0].x0 for ln in block), max(ln.words[-1].x1 for ln in block)
    return [x for x in layout.vertical_edges(rulings, top, bottom) if x0 < x < x1]


def unclaimed_cells(page: int, words: Sequence[Word], rulings: Sequence[Ruling] = (),
                    settings: StreamSettings = DEFAULT) -> list[RawCell]:
    """The raw cells of the tables among `words` (a page's words that no table of the profile took)."""
    lines = layout.text_lines(words)
    heights = [ln.height for ln in lines if ln.height > 0]
    if not heights:
        return []
    unit = statistics.median(heights)
    out: list[RawCell] = []
    table = 0
    for block in blocks(lines, unit, settings):
        cut = [pieces(ln, settings.cell_gap * unit) for ln in block]
        if sum(len(c) > 1 for c in cut) < 2:
            continue
        edges = ruled_edges(block, rulings) or gap_edges(cut)
        if not edges:
            continue
        table += 1
        for row, ln in enumerate(block, 1):
            cells: dict[int, list[Word]] = {}
            for w in ln.words:
                cells.setdefault(layout.column_of(w.xc, edges), []).append(w)
            out += [RawCell(page, table, row, column + 1, " ".join(w.text for w in ws), layout.bbox_of(ws))
                    for column, ws in sorted(cells.items())]
    return out
