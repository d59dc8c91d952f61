"""The review page: each page of a report's tables beside the rows read from it, for an archivist to check.

`DIR/review/<doc_id>.html` shows every page that holds table rows as the PDF prints it, with every cell poa
read drawn over it and coloured by what became of it — read without remark, subject of a finding, corrected
by hand, read by OCR with low confidence — and, beside the page, the rows read from it with their keys (what
`poa correct` takes). Findings link to their row and its cells. The page images live beside the HTML in
`DIR/review/<doc_id>/p<N>.png`.

It is built from the rows as the Parquet holds them (`rows_of`, or the files of DIR), so `poa run` and
`poa review DIR` make the same page; the PDF is found again by its path and SHA-256.
"""

from __future__ import annotations

import json
import logging
import shlex
from collections import defaultdict
from html import escape
from pathlib import Path

from poa.core.corrections import COLUMN_ES, as_read
from poa.core.keys import ID_COLUMN, KEY_COLUMN
from poa.core.vocab import date_es, plural

from .pages import find_source, fitted, open_pdf, render_page, to_pixels
from .review_page import CSS, PANEL, SCRIPT
from .safe import xml_text
from .spanish import STATUS_ES, check_label, decimal_commas, pct
from .store import atomic

SCALE = 1.5  # pixels per point: 108 dpi, small print still legible, ~70 kB a page in grey
LOW_CONFIDENCE = 80.0  # an OCR'd cell below this is marked for a look
STATUS = {  # status -> (colour, Spanish label)
    "ok": ("#1e8e3e", "leída sin observaciones"),
    "finding": ("#d93025", "con hallazgo"),
    "ocr": ("#8e24aa", "OCR con baja confianza"),
    "corrected": ("#1a73e8", "corregida a mano"),
    "blank": ("#9aa0a6", "en blanco"),
}
# A cell's column on the page → the column a correction sets, per table (`poa.core.corrections.CORRECTABLE`): a
# section row's number stands in the code column and its name in the expected result's.
CORRECTS = {
    "results": {"code": "code", "expected": "expected", "obtained": "obtained", "physical": "physical_pct",
                "budget": "budget_pct"},
    "deviations": {"code": "code", "expected": "expected", "cause": "cause", "measure": "corrective_measure"},
    "units": {"code": "number", "expected": "name", "physical": "reported_physical_pct", "budget": "reported_budget_pct"},
}
BLANKABLE = ("physical", "budget")  # a blank % cell gets a box where its column stands, to be seen and corrected
HEADS = {  # each table's rows beside the page: (title, the columns shown)
    "units": ("Filas de la jerarquía", ("Nº", "Nombre", "Avance impreso", "Recalculado")),
    "results": ("Resultados", ("Código", "Resultado esperado", "Resultado obtenido", "Avance físico")),
    "deviations": ("Causas de desviación", ("Código", "Resultado esperado", "Causa", "Medida correctiva")),
}
def read_mark(doc: dict) -> str:
    """Which read of the document a page shows: the pipeline version and the corrections applied (a page of
    an earlier read, or from before a correction, is made again by the review app)."""
    return escape(f"{doc.get('pipeline_version') or ''}/{doc.get('corrections') or ''}/{doc.get('status') or ''}")


def _cells(row: dict) -> list[dict]:
    return list(row.get("cells") or [])


def statuses(rows: dict[str, list[dict]], extents: dict[tuple[int, str], tuple[float, float]] | None = None
             ) -> dict[tuple[str, str], str]:
    """(subject id, column) -> status of each cell read, blank % cells included (`extents`: where the columns
    stand, `column_extents`): corrected, OCR with low confidence, subject of a finding (error or warning), or
    ok."""
    flagged = {f["subject_id"] for f in rows.get("findings", []) if f["severity"] in ("error", "warning")}
    fixed = {(c["subject_id"], c["column"]) for c in rows.get("corrections", []) if c.get("status") == "applied"}
    fixed |= {(sid, cell) for sid, col in set(fixed) for columns in CORRECTS.values()
              for cell, c in columns.items() if c == col}
    extents = column_extents(rows) if extents is None else extents
    out: dict[tuple[str, str], str] = {}
    for table, key in ID_COLUMN.items():
        for r in rows.get(table, []):
            sid, conf = r[key], dict(r.get("ocr_confidence") or {})
            for c in _cells(r) + _blank_cells(table, r, extents):
                col = c["column"]
                if (sid, col) in fixed:
                    out[(sid, col)] = "corrected"
                elif conf.get(col) is not None and conf[col] < LOW_CONFIDENCE:
                    out[(sid, col)] = "ocr"
                elif sid in flagged:
                    out[(sid, col)] = "finding"
                else:
                    out[(sid, col)] = "ok"
    return out


def column_extents(rows: dict[str, list[dict]]) -> dict[tuple[int, str], tuple[float, float]]:
    """(page, column) -> the left and right edges of the results table's column on that page, as far as its
    cells read show them (where a blank cell of that column would stand)."""
    out: dict[tuple[int, str], tuple[float, float]] = {}
    for table in ("results", "units"):
        for r in rows.get(table, []):
            for c in _cells(r):
                if c["column"] in BLANKABLE:
                    x0, x1 = out.get((c["page"], c["column"]), (c["x0"], c["x1"]))
                    out[(c["page"], c["column"])] = (min(x0, c["x0"]), max(x1, c["x1"]))
    return out


def _blank_cells(table: str, r: dict, extents: dict[tuple[int, str], tuple[float, float]]) -> list[dict]:
    """Boxes for a results or section row's blank % cells, on its first page, where its column stands: a blank
    the report left (or the read lost) is seen on the page and can be corrected like any cell."""
    if table not in ("results", "units") or not _cells(r):
        return []
    page = min(c["page"] for c in _cells(r))
    on_page = [c for c in _cells(r) if c["page"] == page]
    top, bottom = min(c["top"] for c in on_page), max(c["bottom"] for c in on_page)
    have = {c["column"] for c in _cells(r)}
    return [{"column": col, "page": page, "x0": extents[(page, col)][0], "top": top, "x1": extents[(page, col)][1],
             "bottom": min(bottom, top + 14), "blank": True}
            for col in BLANKABLE if col not in have and (page, col) in extents]


SHORT = 140  # characters of a long text shown in the rows beside the page (the whole text: hover, or click its cell)


def _short(text: str) -> str:
    text = xml_text(text)
    return escape(text) if len(text) <= SHORT else f"<span title='{escape(text)}'>{escape(text[:SHORT])}…</span>"


def _shown(table: str, r: dict, column: str, fixed: dict[tuple[str, str], dict]) -> str:
    """A cell of the rows beside the page: its value as read, or, corrected, the value read struck through and
    the one set beside it (a blank read included)."""
    read, now = _value_of(table, r, column, fixed)
    if (r[ID_COLUMN[table]], column) not in fixed:
        return _short(read)
    return f"<s>{_short(read) or '(en blanco)'}</s> <ins>{_short(now) or '(en blanco)'}</ins>"


def _row_cells(table: str, r: dict, fixed: dict[tuple[str, str], dict]) -> list[str]:
    if table == "results":
        return [_shown(table, r, c, fixed) for c in ("code", "expected", "obtained", "physical_pct")]
    if table == "deviations":
        return [_shown(table, r, c, fixed) for c in ("code", "expected", "cause", "corrective_measure")]
    return [_shown(table, r, "number", fixed), _shown(table, r, "name", fixed),
            _shown(table, r, "reported_physical_pct", fixed), escape(pct(r.get("recomputed_physical_pct")))]


def _value_of(table: str, r: dict, column: str, fixed: dict[tuple[str, str], dict]) -> tuple[str, str]:
    """(the cell as read from the PDF, as it is now): as printed, a correction's value where one was applied."""
    c = fixed.get((r[ID_COLUMN[table]], column))
    read = as_read(r, column) or ""
    return (c.get("original") or "", c["value"]) if c else (read, read)


def render_review(rows: dict[str, list[dict]], out: Path, every_page: bool = False) -> Path | None:
    """Write DIR/review/<doc_id>.html (and its page images) for one document's rows; None when the
    document was not read (unless `every_page`: `poa inspect` shows every page of a document, failed too)."""
    (doc,) = rows["documents"]
    if doc["status"] == "failed" and not every_page:
        return None
    source = find_source(doc["source_path"], doc["sha256"])
    doc_id = doc["doc_id"]
    folder = Path(out) / "review" / doc_id
    turns = dict(doc.get("pages_turned") or {})
    by_page: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    for table in ("units", "results", "deviations"):
        for r in rows.get(table, []):
            for page in sorted({c["page"] for c in _cells(r)}):
                by_page[page].append((table, r))
    extents = column_extents(rows)
    status = statuses(rows, extents)
    worst: dict[str, str] = {}  # a row's colour beside the page: its most telling cell's
    for (sid, _), st in status.items():
        worst[sid] = max(worst.get(sid, "ok"), st, key=["ok", "finding", "ocr", "corrected"].index)
    applied = [c for c in rows.get("corrections", []) if c.get("status") == "applied"]
    fixed = {(c["subject_id"], c["column"]): c for c in applied}  # the last of a cell's wins, as when applied
    h = [f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'>"
         f"<meta name='viewport' content='width=device-width'><meta name='poa-read' content='{read_mark(doc)}'>"
         f"<title>Revisión — {escape(xml_text(doc['source_path']))}"
         f"</title><style>{CSS}</style></head><body data-doc='{doc_id}' data-out='{escape(shlex.quote(str(out)))}'>"
         "<p class='app-only'><a href='/'>← Documentos de la carpeta</a></p><h1>Revisión de la lectura</h1>",
         f"<p>Archivo <code>{escape(xml_text(doc['source_path']))}</code> · documento <code>{doc_id}</code> · "
         f"{plural(doc.get('pages') or 0, 'página', 'páginas')} · estado: "
         f"<b>{escape(STATUS_ES.get(doc['status'], doc['status']))}</b></p>"]
    if doc["status"] == "review":
        h.append("<p class='review'>Lectura en revisión: " + escape("; ".join(doc.get("review_reasons") or [])) + "</p>")
    if doc["status"] == "failed":
        h.append("<p class='review'>No leído: " + escape(xml_text(doc.get("error") or "")) + "</p>")
    h.append("<p class='legend'>" + "".join(f"<span style='border-color:{c}'></span>{label}" for c, label in STATUS.values())
             + "</p><p class='static-only'>Haga clic en una celda para ver su valor, su clave y la orden <code>poa "
             "correct</code> que la corrige; <code>poa review DIR --serve</code> permite corregirla aquí mismo.</p>"
             "<p class='app-only'>Haga clic en una celda para corregirla; teclas <b>n</b> / <b>p</b>: celda dudosa "
             "siguiente / anterior; <b>Esc</b> cierra.</p>")
    findings = [f for f in rows.get("findings", []) if f["severity"] in ("error", "warning")]
    findings_at = len(h)  # the list goes here once the pages are drawn: it links to the cells that were
    drawn: set[tuple[str, str]] = set()
    if source is None:
        h.append("<p class='review'>El PDF ya no está en su ruta con los mismos bytes: se muestran las filas sin "
                 "la imagen de la página.</p>")
    try:
        pdf = open_pdf(source) if source else None
    except Exception:  # noqa: BLE001 - a file PDFium refuses: rows only
        pdf = None
    try:
        for page in (range(1, len(pdf) + 1) if every_page and pdf is not None else sorted(by_page)):
            h.append(f"<h2>Página {page}</h2><div class='page'><div>")
            image = None
            if pdf is not None:
                try:
                    scale = fitted(SCALE, *pdf[page - 1].get_size())  # a huge page drawn smaller
                    image = render_page(pdf, page, turn=turns.get(page, 0), scale=scale, grayscale=True)
                except Exception:  # noqa: BLE001 - a page PDFium cannot draw: its rows are shown without it
                    h.append(f"<p class='review'>PDFium no pudo dibujar la página {page}.</p>")
            if image is not None:
                with atomic(folder / f"p{page}.png") as tmp:
                    image.save(tmp, "PNG", compress_level=6)  # grey: ~70 kB, a third of JPEG's on text
                boxes = []
                for table, r in by_page[page]:
                    boxes += [_box(table, r, c, page, scale, image.size, status, fixed, drawn)
                              for c in _cells(r) + _blank_cells(table, r, extents) if c["page"] == page]
                h.append(f"<div class='sheet'><img src='{doc_id}/p{page}.png' width='{image.width}' "
                         f"height='{image.height}' alt='Página {page} del PDF'>" + "".join(boxes) + "</div>")
            h.append("</div><div class='rows'>")
            for table in ("units", "results", "deviations"):
                mine = [r for t, r in by_page[page] if t == table]
                if not mine:
                    continue
                title, heads = HEADS[table]
                h.append(f"<h3>{title}</h3><table><tr>" + "".join(f"<th>{x}</th>" for x in heads) + "</tr>")
                for r in mine:
                    sid = r[ID_COLUMN[table]]
                    first, *rest = _row_cells(table, r, fixed)
                    h.append(f"<tr id='{escape(sid)}' class='st-{worst.get(sid, 'ok')}'><td class='n' title='clave: "
                             f"{escape(_key(table, r))}'>{first}</td>" + "".join(f"<td>{c}</td>" for c in rest) + "</tr>")
                h.append("</table>")
            h.append("</div></div>")
    finally:
        if pdf is not None:
            pdf.close()
    listed = []
    if findings:
        listed = ["<h2>Hallazgos</h2><ul>"]
        for f in findings:
            target = finding_target(f, drawn)
            page = f" (pág. {f['page']})" if f.get("page") else ""
            label = escape(check_label(f["check"]))
            link = f"<a href='{target}' data-check='{escape(f['check'])}'>{label}</a>" if target else label
            listed.append(f"<li class='st-finding'>{link}{page}: {escape(xml_text(decimal_commas(f['message'])))}</li>")
        listed.append("</ul>")
    h[findings_at:findings_at] = listed + _corrections_list(rows.get("corrections", []))
    h.append(PANEL + f"<script>{SCRIPT}</script><p><small>Generado por poa.</small></p></body></html>")
    path = Path(out) / "review" / f"{doc_id}.html"
    with atomic(path) as tmp:
        tmp.write_text("\n".join(h), encoding="utf-8")
    return path


def _box(table: str, r: dict, c: dict, page: int, scale: float, size: tuple[int, int],
         status: dict[tuple[str, str], str], fixed: dict[tuple[str, str], dict], drawn: set[tuple[str, str]]) -> str:
    """A cell's box over the page image, placed in % of the image (it follows the image's width on screen), with
    what a click shows: its table, key, column, the value read and the value now."""
    sid, col = r[ID_COLUMN[table]], c["column"]
    x0, y0, x1, y1 = to_pixels((c["x0"], c["top"], c["x1"], c["bottom"]), scale)
    w, hh = size
    st = status.get((sid, col), "ok")
    drawn.add((sid, col))
    place = (f"left:{100 * (x0 - 2) / w:.3f}%;top:{100 * (y0 - 2) / hh:.3f}%;width:{100 * (x1 - x0 + 4) / w:.3f}%;"
             f"height:{100 * (y1 - y0 + 4) / hh:.3f}%")
    colour = STATUS["blank" if c.get("blank") and st == "ok" else st][0]
    blank = " blank" if c.get("blank") else ""
    column = CORRECTS[table].get(col)
    data = ""
    if column:
        read, now = _value_of(table, r, column, fixed)
        data = (f" data-t='{table}' data-k='{escape(_key(table, r))}' data-c='{column}' data-st='{st}' "
                f"data-label='{escape(COLUMN_ES.get(column, column))}' data-read='{escape(xml_text(read))}' "
                f"data-now='{escape(xml_text(now))}'")
    label = STATUS[st][1] if not c.get("blank") or st != "ok" else STATUS["blank"][1]
    shown = ""
    if st == "corrected" and column and (sid, column) in fixed and len(fixed[(sid, column)]["value"]) <= 24:
        shown = f"<span class='fix'>{escape(xml_text(fixed[(sid, column)]['value'])) or '∅'}</span>"  # the value set, on the page
    return (f"<a class='cell{blank}' id='{escape(sid)}-{escape(col)}' href='#{escape(sid)}' "
            f"title='{escape(COLUMN_ES.get(column or '', col))}: {label}' style='{place};border-color:{colour}'{data}>"
            f"{shown}</a>")


def _corrections_list(corrections: list[dict]) -> list[str]:
    """The document's corrections, each undoable from the page (the app) or by deleting its line (the file)."""
    if not corrections:
        return []
    out = ["<h2>Correcciones</h2><table><tr><th>Línea</th><th>Fila</th><th>Columna</th><th>Leído</th><th>Fijado</th>"
           "<th>Nota</th><th>Quién, cuándo</th><th>Estado</th><th class='app-only'></th></tr>"]
    for c in corrections:
        fields = {k: c.get(k) or "" for k in ("doc_id", "table", "key", "column", "value", "note", "author", "date")}
        state = "aplicada" if c.get("status") == "applied" else f"no aplicada: {c.get('reason') or ''}"
        out.append(f"<tr><td>{c.get('line') or ''}</td><td><code>{escape(xml_text(c['key']))}</code></td>"
                   f"<td>{escape(COLUMN_ES.get(c['column'], c['column']))}</td>"
                   f"<td>{escape(xml_text(c.get('original') or '')) or '(en blanco)'}</td>"
                   f"<td>{escape(xml_text(c['value'])) or '(en blanco)'}</td><td>{escape(xml_text(c.get('note') or ''))}</td>"
                   f"<td>{escape(xml_text(c.get('author') or ''))} {date_es(c.get('date'), '')}</td><td>{escape(state)}</td>"
                   f"<td class='app-only'><button class='undo' data-c='{escape(json.dumps(fields))}'>Deshacer</button></td></tr>")
    out.append("</table>")
    return out


def _key(table: str, r: dict) -> str:
    return r.get(KEY_COLUMN[table]) or ""


# The cell a finding is about, where its check names one: the printed %, or the code (a unit's number stands in
# the code column). Other findings (a text cell, a whole row) point at the row.
CELL_OF_CHECK = {
    **dict.fromkeys(("average_mismatch", "pct_out_of_range", "pct_missing", "pct_repaired", "progress_text_conflict",
                     "row_pct_mismatch"), "physical"),
    **dict.fromkeys(("budget_pct_mismatch", "budget_mismatch"), "budget"),
    **dict.fromkeys(("cumulative_mismatch",), "cumulative"),
    **dict.fromkeys(("code_invalid", "code_repaired", "duplicate_code", "deviation_code_mismatch", "deviation_missing",
                     "deviation_unneeded", "deviation_unmatched", "unit_number_inconsistent", "unit_number_duplicate",
                     "unit_name_duplicate", "unit_name_variant", "unit_unmatched"), "code"),
}


def finding_target(f: dict, drawn: set[tuple[str, str]]) -> str:
    """Where a finding links in the review page: its cell drawn over the page image (`#<subject>-<column>`)
    where its check names the cell and the cell was drawn, else its row (`#<subject>`), else nowhere."""
    if f.get("subject_type") not in ("result", "deviation", "unit"):
        return ""
    sid = f["subject_id"]
    column = CELL_OF_CHECK.get(f["check"])
    return f"#{escape(sid)}-{escape(column)}" if column is not None and (sid, column) in drawn else f"#{escape(sid)}"


def wants_review(rows: dict[str, list[dict]], which: str) -> bool:
    """Whether `poa run` writes the review page of a document: all, none, or doubtful — the documents whose
    read a person should check against the PDF: in review, with pages read by OCR, or with corrections. A
    finding about the report's own figures (a printed average that does not add up) is the auditor's, shown
    with a picture of its region in the audit report; it does not make the read doubtful, and a review page
    for every such report (most real ones) would hide the few whose read is in doubt."""
    if which == "all":
        return True
    if which == "none":
        return False
    (doc,) = rows["documents"]
    return doc["status"] == "review" or bool(doc.get("ocr_pages")) or bool(rows.get("corrections"))


def rows_from(out: Path, doc_id: str) -> dict[str, list[dict]]:
    """One document's rows as DIR holds them."""
    from .schema import TABLES
    from .store import read_poa_file

    rows: dict[str, list[dict]] = {}
    for table in TABLES:
        t = read_poa_file(Path(out) / table / f"{doc_id}.parquet")
        rows[table] = t.to_pylist() if t is not None else []
    return rows


def missing_pages(out: Path, doc_ids: list[str], which: str) -> int:
    """Write the review pages `which` asks for that documents done by an earlier run do not have (a batch
    skips them, but `--review all` after a run with none should still give every page); return how many were
    written. Only a document with no page is read back, and a doubtful one is told from its documents row."""
    from .store import read_poa_file

    made = 0
    for doc_id in doc_ids:
        if which == "none" or (Path(out) / "review" / f"{doc_id}.html").is_file():
            continue
        if which == "doubtful":
            doc = read_poa_file(Path(out) / "documents" / f"{doc_id}.parquet", ["status", "ocr_pages", "corrections"])
            row = doc.to_pylist()[0] if doc is not None and doc.num_rows else {}
            if not (row.get("status") == "review" or row.get("ocr_pages") or row.get("corrections")):
                continue
        try:
            made += render_review(rows_from(out, doc_id), out) is not None
        except Exception as e:  # noqa: BLE001 - a page that cannot be shown costs its page, never the batch
            logging.getLogger("poa").warning("review_page_failed", extra={"poa": {"doc_id": doc_id, "error": repr(e)}})
    return made
