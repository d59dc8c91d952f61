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

from collections import defaultdict
from html import escape
from pathlib import Path

from poa.keys import KEY_COLUMN

from .pages import find_source, fitted, open_pdf, render_page, to_pixels
from .parquet import atomic
from .safe import xml_text

SCALE = 1.5  # pixels per point: 108 dpi, small print still legible, ~70 kB a page in grey
LOW_CONFIDENCE = 80.0  # an OCR'd cell below this is marked for a look
STATUS = {  # status -> (colour, Spanish label)
    "ok": ("#1e8e3e", "leída sin observaciones"),
    "finding": ("#d93025", "con hallazgo"),
    "ocr": ("#8e24aa", "OCR con baja confianza"),
    "corrected": ("#1a73e8", "corregida a mano"),
}
CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:16px;color:#1d1d1f;font-size:13px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px;border-bottom:2px solid #ddd}
.page{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start} .sheet{position:relative;flex:none;border:1px solid #bbb}
.sheet img{display:block} .cell{position:absolute;border:2px solid;box-sizing:border-box}
.cell:target,.cell:hover{background:rgba(255,235,59,.35)} .rows{flex:1;min-width:360px}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #ddd;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#f2f2f2} tr:target td{background:#fff3c4} code{font-size:11px;color:#555}
.legend span{display:inline-block;width:12px;height:12px;border:2px solid;margin:0 4px 0 12px;vertical-align:middle}
.st-finding{color:#d93025} .st-ocr{color:#8e24aa} .st-corrected{color:#1a73e8} .review{background:#fff4d6;padding:8px 12px}
"""


def _cells(row: dict) -> list[dict]:
    return list(row.get("cells") or [])


def statuses(rows: dict[str, list[dict]]) -> dict[tuple[str, str], str]:
    """(subject id, column) -> status of each cell read: corrected, OCR with low confidence, subject of a
    finding (error or warning), or ok."""
    flagged = {f["subject_id"] for f in rows.get("findings", []) if f["severity"] in ("error", "warning")}
    fixed = {(c["subject_id"], c["column"]) for c in rows.get("corrections", []) if c.get("status") == "applied"}
    column_of = {"physical_pct": "physical", "budget_pct": "budget", "reported_physical_pct": "physical",
                 "reported_budget_pct": "budget", "corrective_measure": "measure", "name": "expected"}
    fixed |= {(sid, column_of.get(col, col)) for sid, col in fixed}
    out: dict[tuple[str, str], str] = {}
    for table, key in (("results", "result_id"), ("deviations", "deviation_id"), ("units", "node_id")):
        for r in rows.get(table, []):
            sid, conf = r[key], dict(r.get("ocr_confidence") or {})
            for c in _cells(r):
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


def _summary(table: str, r: dict) -> list[str]:
    if table == "results":
        return [r.get("code_raw") or "", r.get("expected") or "", r.get("obtained") or "", r.get("physical_raw") or ""]
    if table == "deviations":
        return [r.get("code_raw") or "", r.get("expected") or "", r.get("cause") or "", r.get("corrective_measure") or ""]
    return [r.get("number") or "", r.get("name") or "", "", r.get("reported_physical_raw") or ""]


def _key(table: str, r: dict) -> str:
    return r.get(KEY_COLUMN[table]) or ""


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
    ids = {"results": "result_id", "deviations": "deviation_id", "units": "node_id"}
    by_page: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    for table in ("units", "results", "deviations"):
        for r in rows.get(table, []):
            for page in sorted({c["page"] for c in _cells(r)}):
                by_page[page].append((table, r))
    status = statuses(rows)
    h = [f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>Revisión — {escape(doc['source_path'])}"
         f"</title><style>{CSS}</style></head><body><h1>Revisión de la lectura</h1>",
         f"<p>Archivo <code>{escape(xml_text(doc['source_path']))}</code> · documento <code>{doc_id}</code> · "
         f"{doc.get('pages') or '?'} páginas · estado: <b>{escape(doc['status'])}</b></p>"]
    if doc["status"] == "review":
        h.append("<p class='review'>Lectura en revisión: " + escape("; ".join(doc.get("review_reasons") or [])) + "</p>")
    if doc["status"] == "failed":
        h.append("<p class='review'>No leído: " + escape(xml_text(doc.get("error") or "")) + "</p>")
    h.append("<p class='legend'>" + "".join(f"<span style='border-color:{c}'></span>{label}" for c, label in STATUS.values())
             + "</p><p>Para corregir una celda: <code>poa correct DIR &lt;doc_id&gt; &lt;tabla&gt; &lt;clave&gt; "
             "&lt;columna&gt; &lt;valor&gt; --note …</code> con la clave de la fila que se muestra abajo.</p>")
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
            h.append(f"<h2>Página {page}</h2><div class='page'>")
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
                    sid = r[ids[table]]
                    for c in _cells(r):
                        if c["page"] != page:
                            continue
                        x0, y0, x1, y1 = to_pixels((c["x0"], c["top"], c["x1"], c["bottom"]), scale)
                        st = status.get((sid, c["column"]), "ok")
                        drawn.add((sid, c["column"]))
                        boxes.append(f"<a class='cell' id='{escape(sid)}-{escape(c['column'])}' href='#{escape(sid)}' "
                                     f"title='{escape(c['column'])}: {STATUS[st][1]}' style='left:{x0 - 2}px;top:{y0 - 2}px;"
                                     f"width:{x1 - x0 + 4}px;height:{y1 - y0 + 4}px;border-color:{STATUS[st][0]}'></a>")
                h.append(f"<div class='sheet' style='width:{image.width}px;height:{image.height}px'>"
                         f"<img src='{doc_id}/p{page}.png' width='{image.width}' height='{image.height}' "
                         f"alt='Página {page} del PDF'>" + "".join(boxes) + "</div>")
            h.append("<div class='rows'><table><tr><th>Fila</th><th>Cód.</th><th>Texto</th><th>Otra columna</th>"
                     "<th>%</th></tr>")
            for table, r in by_page[page]:
                sid = r[ids[table]]
                cells = _summary(table, r)
                worst = max((status.get((sid, c["column"]), "ok") for c in _cells(r)),
                            key=["ok", "finding", "ocr", "corrected"].index, default="ok")
                h.append(f"<tr id='{escape(sid)}' class='st-{worst}'><td><code>{escape(_key(table, r))}</code></td>"
                         + "".join(f"<td>{escape(xml_text(c))}</td>" for c in cells) + "</tr>")
            h.append("</table></div></div>")
    finally:
        if pdf is not None:
            pdf.close()
    if findings:
        listed = ["<h2>Hallazgos</h2><ul>"]
        for f in findings:
            target = finding_target(f, drawn)
            page = f" (pág. {f['page']})" if f.get("page") else ""
            link = f"<a href='{target}'>{escape(f['check'])}</a>" if target else escape(f["check"])
            listed.append(f"<li class='st-finding'>{link}{page}: {escape(xml_text(f['message']))}</li>")
        h[findings_at:findings_at] = listed + ["</ul>"]
    h.append("<p><small>Generado por poa.</small></p></body></html>")
    path = Path(out) / "review" / f"{doc_id}.html"
    with atomic(path) as tmp:
        tmp.write_text("\n".join(h), encoding="utf-8")
    return path


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
    return f"#{escape(sid)}-{escape(column)}" if (sid, column) in drawn else f"#{escape(sid)}"


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
    from .parquet import read_poa_file
    from .schema import TABLES

    rows: dict[str, list[dict]] = {}
    for table in TABLES:
        t = read_poa_file(Path(out) / table / f"{doc_id}.parquet")
        rows[table] = t.to_pylist() if t is not None else []
    return rows
