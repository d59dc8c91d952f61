"""The xlsx file itself: SpreadsheetML written directly, for the few parts the audit workbook uses.

A workbook of a 20-page report has some 6,000 cells; through openpyxl's cell objects and its XML writer they
cost more than reading the report (about 5 ms a page). Here a sheet is a dict of plain cells and each part is
one string. What a part holds, and in which order, follows ECMA-376 (Part 1, §18): sheet views with a frozen
header row, column widths, row heights, inline strings, formulas without cached values (the workbook is
computed on opening), number formats, fonts, fills, alignment, the quote prefix, an autofilter, conditional
fills, print titles and page setup, and notes on header cells (their comments part and the legacy VML
drawing Excel shows them from).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import zipfile
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Union

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

EPOCH = dt.datetime(1899, 12, 30)  # day 0 of the 1900 date system, as Excel counts (its leap 1900 included)
# Number formats every spreadsheet knows by id (ECMA-376 §18.8.30); any other gets an id from 164 on.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}

Value = Union[str, int, float, dt.date, dt.datetime, None]


@dataclass(frozen=True)
class Style:
    """How a cell looks: one of the workbook's cell formats (`xf`)."""

    bold: bool = False
    fill: str | None = None  # solid fill, RRGGBB
    wrap: bool = False
    vertical: str | None = None  # top, center, bottom
    horizontal: str | None = None  # left, center, right
    number_format: str = "General"
    quote: bool = False  # Excel's quote prefix: text that looks like a formula shown and kept as text


PLAIN = Style()


@dataclass
class Cell:
    """A value and its style. `formula` cells hold poa's own expression, without the leading `=`."""

    value: Value = None
    style: Style = PLAIN
    formula: bool = False


@dataclass
class Conditional:
    """A fill a formula turns on (the formula reads from the range's top-left cell, as Excel's do)."""

    ref: str
    formula: str
    fill: str  # RRGGBB


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, column), both from 1
    widths: dict[int, float] = field(default_factory=dict)  # column → width in characters
    heights: dict[int, float] = field(default_factory=dict)  # row → height in points
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → a note's text
    conditionals: list[Conditional] = field(default_factory=list)
    header: bool = False  # row 1 is a table's header: frozen, filtered, repeated on every printed page
    landscape: bool = True  # printed on Carta, landscape, as wide as the page

    def cell(self, row: int, col: int) -> Cell:
        """The cell at row, col (made if new)."""
        c = self.cells.get((row, col))
        if c is None:
            c = self.cells[row, col] = Cell()
        return c

    def extent(self) -> tuple[int, int]:
        """The last row and column used (at least 1, 1)."""
        if not self.cells:
            return 1, 1
        return max(self.cells)[0], max(map(itemgetter(1), self.cells))


# ------------------------------------------------------------------ text and references

_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                               "\n": "&#10;", "\t": "&#9;"})
_NEEDS_ESCAPE = re.compile('[&<>\r"\n\t]')


def xml(text: str) -> str:
    """Element text (characters XML refuses must already be gone: `outputs.safe.xlsx_text`); a carriage
    return is written as a reference, which a parser keeps where it would turn a literal one into a newline."""
    return text.translate(_XML_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def attr(text: str) -> str:
    return text.translate(_ATTR_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def quoted(sheet: str) -> str:
    """A sheet's name as a formula or defined name refers to it."""
    return "'" + sheet.replace("'", "''") + "'"


def serial(value: dt.date | dt.datetime) -> float | int:
    """A date as the number a spreadsheet stores (days since 1899-12-30, the time as a fraction)."""
    if isinstance(value, dt.datetime):
        days = (value.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
        return int(days) if days.is_integer() else days
    return (value - EPOCH.date()).days


# ------------------------------------------------------------------ styles


class Styles:
    """The workbook's style sheet, built as cells ask for their styles: each distinct style is one `xf`."""

    def __init__(self) -> None:
        self.xfs: dict[Style, int] = {PLAIN: 0}
        self.seen: dict[int, tuple[Style, int]] = {}  # id(style) → (style, xf): cells share their style objects
        self.formats: dict[str, int] = {}  # custom number formats → id
        self.fills: dict[str, int] = {}  # RRGGBB → fill id (0 and 1 are the two fills every file has)
        self.dxfs: dict[str, int] = {}  # RRGGBB → differential format id (conditional fills)

    def xf(self, style: Style) -> int:
        known = self.seen.get(id(style))
        if known is not None and known[0] is style:
            return known[1]
        i = self.xfs.get(style)
        if i is None:
            i = self.xfs[style] = len(self.xfs)
            if style.fill is not None:
                self.fills.setdefault(style.fill, len(self.fills) + 2)
            if style.number_format not in BUILTIN_FORMATS:
                self.formats.setdefault(style.number_format, len(self.formats) + 164)
        self.seen[id(style)] = (style, i)  # the style is kept: its id is not reused while the workbook is written
        return i

    def dxf(self, fill: str) -> int:
        return self.dxfs.setdefault(fill, len(self.dxfs))

    def _format_id(self, fmt: str) -> int:
        return BUILTIN_FORMATS.get(fmt, self.formats.get(fmt, 0))

    def part(self) -> str:
        fonts = ('<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
                 '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>')
        fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
        fills += [f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/>'
                  f"</patternFill></fill>" for rgb in self.fills]
        xfs = []
        for s in self.xfs:  # in id order: dicts keep insertion order
            a = (f'<xf numFmtId="{self._format_id(s.number_format)}" fontId="{int(s.bold)}" '
                 f'fillId="{self.fills[s.fill] if s.fill else 0}" borderId="0" xfId="0"')
            a += ' applyNumberFormat="1"' if s.number_format != "General" else ""
            a += ' applyFont="1"' if s.bold else ""
            a += ' applyFill="1"' if s.fill else ""
            a += ' quotePrefix="1"' if s.quote else ""
            align = "".join((f' horizontal="{s.horizontal}"' if s.horizontal else "",
                             f' vertical="{s.vertical}"' if s.vertical else "", ' wrapText="1"' if s.wrap else ""))
            xfs.append(f'{a} applyAlignment="1"><alignment{align}/></xf>' if align else f"{a}/>")
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{attr(f)}"/>' for f, i in self.formats.items())
        dxfs = "".join(f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor rgb="FF{rgb}"/>'
                       f"</patternFill></fill></dxf>" for rgb in self.dxfs)
        return (f'{XML_HEAD}<styleSheet xmlns="{MAIN}">'
                + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
                + f'<fonts count="2">{fonts}</fonts><fills count="{len(fills)}">{"".join(fills)}</fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                f'<dxfs count="{len(self.dxfs)}">{dxfs}</dxfs></styleSheet>')


# ------------------------------------------------------------------ parts


def _cell(ref: str, cell: Cell, styles: Styles) -> str:
    s = styles.xf(cell.style)
    sa = f' s="{s}"' if s else ""
    v = cell.value
    if type(v) is str and v and not cell.formula:  # most cells: text
        space = ' xml:space="preserve"' if v[0].isspace() or v[-1].isspace() else ""
        return f'<c r="{ref}"{sa} t="inlineStr"><is><t{space}>{xml(v)}</t></is></c>'
    if cell.formula:
        return f"<c r=\"{ref}\"{sa}><f>{xml(str(v))}</f></c>"
    if v is None or v == "":  # an empty text is an empty cell, as a spreadsheet keeps one
        return f'<c r="{ref}"{sa}/>'
    if isinstance(v, str):
        return _cell(ref, Cell(str(v), cell.style), styles)  # a str subclass: as its text
    if isinstance(v, (dt.date, dt.datetime)):
        v = serial(v)
    if isinstance(v, bool) or not isinstance(v, numbers.Real):  # numpy's bool is not one either
        raise TypeError(f"a workbook cell holds text, a number or a date, not {type(v).__name__}")
    v = int(v) if isinstance(v, numbers.Integral) else float(v)  # numpy's numbers as Python's: their repr is not XML
    if not math.isfinite(v):
        return f'<c r="{ref}"{sa}/>'  # Excel has no NaN or infinity; the Parquet keeps the value
    return f'<c r="{ref}"{sa}><v>{v!r}</v></c>' if isinstance(v, float) else f'<c r="{ref}"{sa}><v>{v}</v></c>'


def sheet_part(sheet: Sheet, styles: Styles, first: bool) -> str:
    rows: dict[int, list[tuple[int, Cell]]] = {}
    for (r, c), cell in sheet.cells.items():
        rows.setdefault(r, []).append((c, cell))
    letters: dict[int, str] = {}
    body = []
    for r in sorted(rows.keys() | sheet.heights.keys()):
        h = sheet.heights.get(r)
        body.append(f'<row r="{r}" ht="{h:g}" customHeight="1">' if h else f'<row r="{r}">')
        cells = rows.get(r, [])
        cells.sort(key=itemgetter(0))
        for c, cell in cells:
            letter = letters.get(c) or letters.setdefault(c, column_letter(c))
            body.append(_cell(f"{letter}{r}", cell, styles))
        body.append("</row>")
    last_row, last_col = sheet.extent()
    end = f"{column_letter(last_col)}{last_row}"
    selected = ' tabSelected="1"' if first else ""
    view = (f'<sheetView{selected} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
            if sheet.header else f'<sheetView{selected} workbookViewId="0"/>')
    cols = "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>' for c, w in sorted(sheet.widths.items()))
    out = [XML_HEAD, f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if sheet.landscape else "",
           f'<dimension ref="A1:{end}"/><sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>',
           f"<cols>{cols}</cols>" if cols else "", "<sheetData>", *body, "</sheetData>"]
    if sheet.header:
        out.append(f'<autoFilter ref="A1:{end}"/>')
    for k, cf in enumerate(sheet.conditionals, 1):
        out.append(f'<conditionalFormatting sqref="{cf.ref}"><cfRule type="expression" dxfId="{styles.dxf(cf.fill)}" '
                   f'priority="{k}"><formula>{xml(cf.formula)}</formula></cfRule></conditionalFormatting>')
    out.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    if sheet.landscape:
        out.append('<pageSetup paperSize="1" fitToWidth="1" fitToHeight="0" orientation="landscape"/>')
    if sheet.notes:
        out.append('<legacyDrawing r:id="rId2"/>')
    out.append("</worksheet>")
    return "".join(out)


def comments_part(sheet: Sheet) -> str:
    notes = "".join(f'<comment ref="{column_letter(c)}{r}" authorId="0"><text><t xml:space="preserve">{xml(t)}</t>'
                    "</text></comment>" for (r, c), t in sorted(sheet.notes.items()))
    return (f'{XML_HEAD}<comments xmlns="{MAIN}"><authors><author>poa</author></authors>'
            f"<commentList>{notes}</commentList></comments>")


def vml_part(sheet: Sheet, number: int) -> str:
    """The legacy drawing Excel shows notes from: a hidden yellow box per note (shape ids in block `number`)."""
    shapes = "".join(
        f'<v:shape id="_x0000_s{1024 * number + k}" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;'
        f'margin-top:1.5pt;width:216pt;height:110pt;z-index:{k};visibility:hidden" fillcolor="#ffffe1" '
        'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False'
        f"</x:AutoFill><x:Row>{r - 1}</x:Row><x:Column>{c - 1}</x:Column></x:ClientData></v:shape>"
        for k, (r, c) in enumerate(sorted(sheet.notes), 1))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{number}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
            'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            f'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>{shapes}</xml>')


def _rels(targets: list[tuple[str, str]]) -> str:
    rels = "".join(f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
                   for i, (kind, target) in enumerate(targets, 1))
    return f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'


def workbook_part(sheets: list[Sheet]) -> str:
    entries = "".join(f'<sheet name="{attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
    names = []
    for i, s in enumerate(sheets):
        if s.header:
            last_row, last_col = s.extent()
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                         f"{attr(quoted(s.name))}!$A$1:${column_letter(last_col)}${last_row}</definedName>")
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{attr(quoted(s.name))}!$1:$1'
                         "</definedName>")
    defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
    return (f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr/><bookViews><workbookView activeTab="0"/>'
            f'</bookViews><sheets>{entries}</sheets>{defined}<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')


def core_part(created: dt.datetime) -> str:
    when = created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (f'{XML_HEAD}<cp:coreProperties xmlns:cp="{PKG_REL.rsplit("/", 1)[0]}/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>poa</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>')


def save(sheets: list[Sheet], path: Path, created: dt.datetime) -> None:
    """The workbook of `sheets` at `path` (written whole: the caller makes the write atomic)."""
    styles = Styles()
    parts: dict[str, str] = {}
    overrides = [("/xl/workbook.xml", f"{CT}.sheet.main+xml"), ("/xl/styles.xml", f"{CT}.styles+xml"),
                 ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                 ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml")]
    for i, sheet in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_part(sheet, styles, first=i == 1)
        overrides.append((f"/xl/worksheets/sheet{i}.xml", f"{CT}.worksheet+xml"))
        if sheet.notes:
            parts[f"xl/comments{i}.xml"] = comments_part(sheet)
            parts[f"xl/drawings/vmlDrawing{i}.vml"] = vml_part(sheet, i)
            parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = _rels([
                (f"{REL}/comments", f"../comments{i}.xml"), (f"{REL}/vmlDrawing", f"../drawings/vmlDrawing{i}.vml")])
            overrides.append((f"/xl/comments{i}.xml", f"{CT}.comments+xml"))
    types = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
    head = {
        "[Content_Types].xml": (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            f"{types}</Types>"),
        "_rels/.rels": _rels([(f"{REL}/officeDocument", "xl/workbook.xml"),
                              (f"{PKG_REL}/metadata/core-properties", "docProps/core.xml"),
                              (f"{REL}/extended-properties", "docProps/app.xml")]),
        "docProps/app.xml": (f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                             'extended-properties"><Application>poa</Application></Properties>'),
        "docProps/core.xml": core_part(created),
        "xl/workbook.xml": workbook_part(sheets),
        "xl/_rels/workbook.xml.rels": _rels([(f"{REL}/worksheet", f"worksheets/sheet{i}.xml")
                                             for i in range(1, len(sheets) + 1)]
                                            + [(f"{REL}/styles", "styles.xml")]),
        "xl/styles.xml": styles.part(),  # after the sheets: they register the styles they use
    }
    stamp = created.astimezone(dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(path, "w") as z:
        for name, text in {**head, **parts}.items():
            info = zipfile.ZipInfo(name, date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            # level 1: level 6 takes twice the time for a file some 15 % smaller
            z.writestr(info, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


LINE_HEIGHT = 15.0  # points per line of 11-point text


def wrapped_lines(value: str, width: float) -> int:
    """About how many lines a text takes in a wrapped column `width` characters wide."""
    per_line = int(max(1.0, width * 1.1))
    if "\n" not in value:
        return max(1, -(-len(value) // per_line))
    return sum(max(1, -(-len(part) // per_line)) for part in value.split("\n"))
