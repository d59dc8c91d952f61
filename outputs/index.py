"""The audit index, DIR/audit/index.html: every document of an output folder, what each report is (file, form,
entity, period), how it fared (read, in review, failed and why, in Spanish) and its findings by severity, linking
each working paper."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from .audit import CSS
from .safe import escape
from .spanish import BOLIVIA, error_es, period_part, plural, timestamp
from .store import read_poa_folder


def render_index(out: Path) -> str:
    """One page over every document in an output folder: what each report is, and how it fared."""
    def table(name: str, columns: list[str]) -> list[dict]:  # poa's files only: a stray one is left out
        return [row for part in read_poa_folder(out, name, columns) for row in part.to_pylist()]

    docs = table("documents", ["doc_id", "source_path", "template", "entity", "year", "period", "status", "error"])
    superseded = dict((r["doc_id"], r["superseded_by"]) for r in table("documents", ["doc_id", "superseded_by"]))
    counts = Counter((f["doc_id"], f["severity"]) for f in table("findings", ["doc_id", "severity"]))
    status = Counter(d["status"] for d in docs)
    h = ["<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>Auditoría de reportes POA</title>",
         f"<style>{CSS.replace('__FOOTER__', 'poa · índice de papeles de trabajo')}</style></head><body>"
         "<h1>Auditoría de reportes de seguimiento al POA</h1>",
         f"<p class='meta'>{plural(len(docs), 'documento', 'documentos')} en esta carpeta: "
         f"{plural(int(status.get('ok', 0)), 'leído', 'leídos')} sin dudas, "
         f"{int(status.get('review', 0))} en revisión (lectura dudosa), "
         f"{int(status.get('failed', 0))} con error de lectura. "
         f"Índice generado el {escape(timestamp(dt.datetime.now(BOLIVIA)))}.</p>",
         "<table><thead><tr><th>Archivo</th><th>Formulario</th><th>Entidad</th><th>Gestión</th><th>Período</th>"
         "<th>Estado</th>"
         "<th>Errores</th><th>Advertencias</th><th>Informativos</th><th>Papel de trabajo</th></tr></thead><tbody>"]

    def txt(v) -> str:
        return "" if v is None else escape(str(v))

    for d in sorted(docs, key=lambda d: d["source_path"] or ""):
        n = {sev: counts[(d["doc_id"], sev)] for sev in ("error", "warning", "info")}
        ok = d["status"] != "failed"
        state = (f"Reemplazado por una edición posterior del archivo ({txt(superseded[d['doc_id']])})"
                 if superseded.get(d["doc_id"]) else "Leído" if d["status"] == "ok" else
                 "<span class='sev-warning'>En revisión: lectura dudosa (ver el papel de trabajo)</span>" if ok else
                 f"<span class='sev-error'>No leído: {failure(d['error'])}</span>")
        link = ""
        if ok:
            doc_id = txt(d["doc_id"])
            link = f"<a href='{doc_id}.html'>abrir</a> · <a href='{doc_id}.xlsx'>xlsx</a>"
            if (Path(out) / "audit" / f"{d['doc_id']}.pdf").is_file():
                link += f" · <a href='{doc_id}.pdf'>pdf</a>"
        h.append(f"<tr class='{'' if ok else 'mismatch'}'><td>{txt(d['source_path'])}</td><td>{txt(d['template'])}</td>"
                 f"<td>{txt(d['entity'])}</td><td class='num'>{txt(d['year'])}</td>"
                 f"<td>{period_part(d['period'])}</td><td>{state}</td>"
                 f"<td class='num'>{n['error'] if ok else ''}</td><td class='num'>{n['warning'] if ok else ''}</td>"
                 f"<td class='num'>{n['info'] if ok else ''}</td><td>{link}</td></tr>")
    h.append("</tbody></table><p><small>Generado por poa.</small></p></body></html>")
    return "\n".join(h)


def failure(error: str | None) -> str:
    """A document's error for the auditor: in Spanish where poa knows the message, the English kept small."""
    if error is None or (isinstance(error, float)):
        return "motivo no registrado"
    es = error_es(error)
    if es is None:
        return f"{escape(error)}"
    return f"{escape(es)} <small>(en inglés: {escape(error)})</small>"
