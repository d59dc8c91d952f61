"""The auditor's report: one self-contained HTML page per document, in Spanish, and the same tables as .xlsx.

No script, no web font, no CDN: the page opens offline in any browser and prints as it shows. The chart is
inline SVG.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from pathlib import Path

from poa.normalize.numbers import half_up
from poa.records import Node, Report

SEVERITY_ES = {"error": "Error", "warning": "Advertencia", "info": "Información"}
PLURAL_ES = {"error": "errores", "warning": "advertencias", "info": "informativos"}
LEVEL_ES = {"viceministry": "Viceministerio", "direction": "Dirección General", "unit": "Unidad",
            "area": "Área", "section": "Grupo", "total": "Total nivel central", "other": "Otra fila"}
METHOD_ES = {"code+text": "código y texto", "text": "texto", "code": "código (texto poco similar)"}
SEMESTER_ES = {1: "primer semestre", 2: "segundo semestre"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#1d1d1f;font-size:14px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 16px} table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #d0d0d0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0} td.num{text-align:right;white-space:nowrap}
tr.mismatch td{background:#fde2e1} tr.explained td{background:#fff4d6}
.cards{display:flex;gap:12px;margin:8px 0} .card{border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:26px} .error{background:#fde2e1} .warning{background:#fff4d6} .info{background:#e4eefc}
.sev-error{color:#b3261e;font-weight:600} .sev-warning{color:#8a5a00;font-weight:600} .sev-info{color:#1a56b0}
.lvl-viceministry td{font-weight:700} .lvl-direction td{font-weight:600} .lvl-area td{color:#555}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
small{color:#666}
"""


def _pct(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f} %" if digits else f"{x:g} %"


def _status(n: Node, mismatched: dict[str, str]) -> tuple[str, str]:
    if n.node_id in mismatched:
        return ("mismatch", "No coincide") if mismatched[n.node_id] == "error" else ("explained", "No coincide (regla alternativa)")
    if n.reported_physical_pct is None or n.recomputed_physical_pct is None:
        return "", "—"
    return "", "Coincide"


def chart_svg(nodes: list[Node]) -> str:
    """Printed vs recomputed physical % for each unit, as grouped horizontal bars."""
    units = [n for n in nodes if n.level == "unit"]
    if not units:
        return "<p>Sin unidades.</p>"
    row_h, label_w, bar_w = 26, 330, 420
    height = row_h * len(units) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 90}" height="{height}" '
           f'role="img" aria-label="Avance físico impreso y recalculado por unidad" font-size="12">']
    for tick in range(0, 101, 25):
        x = label_w + bar_w * tick / 100
        out.append(f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 10}" stroke="#e3e3e3"/>'
                   f'<text x="{x}" y="14" text-anchor="middle" fill="#666">{tick} %</text>')
    for i, u in enumerate(units):
        y = 24 + i * row_h
        label = escape(f"{u.number} {u.name}"[:52])
        out.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{label}</text>')
        for k, (value, colour) in enumerate(((u.reported_physical_pct, "#1a56b0"), (u.recomputed_physical_pct, "#e07b00"))):
            if value is None:
                continue
            w = bar_w * max(0.0, min(value, 100.0)) / 100
            out.append(f'<rect x="{label_w}" y="{y + k * 10}" width="{w:.1f}" height="9" fill="{colour}"/>')
        if u.reported_physical_pct is not None and u.recomputed_physical_pct is not None:
            bad = half_up(u.recomputed_physical_pct) != u.reported_physical_pct
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" fill="{"#b3261e" if bad else "#555"}">'
                       f'{u.reported_physical_pct:g} / {u.recomputed_physical_pct:.1f}</text>')
    out.append("</svg>")
    return "".join(out)


def render_html(report: Report) -> str:
    doc = report.document
    counts = Counter(f.severity for f in report.findings)
    by_check = Counter(f.check for f in report.findings)
    mismatched = {f.subject_id: f.severity for f in report.findings if f.check == "average_mismatch"}
    results = {r.result_id: r for r in report.results}
    title = f"Auditoría del seguimiento al POA — {doc.entity or doc.source_path}"
    period = (f"{SEMESTER_ES.get(doc.semester, 'semestre ?')} de la gestión {doc.year}"
              if doc.year else "periodo no identificado")
    h = [f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>{escape(title)}</title>",
         f"<style>{CSS}</style></head><body>",
         f"<h1>{escape(title)}</h1>",
         f"<p class='meta'>Seguimiento al avance del POA, {escape(period)}. Archivo <code>{escape(doc.source_path)}</code>, "
         f"{doc.pages} páginas, documento <code>{doc.doc_id}</code>. Corte al {escape(doc.obtained_date or '?')}.</p>",
         "<h2>Resumen</h2><div class='cards'>"]
    for sev in ("error", "warning", "info"):
        h.append(f"<div class='card {sev}'><b>{counts.get(sev, 0)}</b>{PLURAL_ES[sev]}</div>")
    h.append(f"<div class='card'><b>{len(report.results)}</b>resultados</div>"
             f"<div class='card'><b>{len(report.deviations)}</b>filas de desviación</div></div>")
    if by_check:
        h.append("<table><tr><th>Verificación</th><th>Hallazgos</th></tr>")
        h += [f"<tr><td><code>{escape(c)}</code></td><td class='num'>{k}</td></tr>" for c, k in sorted(by_check.items())]
        h.append("</table>")

    h.append("<h2>Avance físico impreso y recalculado</h2>"
             "<p><small>Recalculado desde las filas de resultados hacia arriba con la aritmética del reporte; las "
             "cifras impresas se comparan con el recalculado redondeado al entero (mitad hacia arriba).</small></p>"
             "<table><tr><th>Nivel</th><th>N°</th><th>Nombre</th><th>Pág.</th><th>Impreso</th>"
             "<th>Recalculado</th><th>Redondeado</th><th>Estado</th><th>Pptario. impreso</th></tr>")
    for n in report.nodes:
        cls, status = _status(n, mismatched)
        rounded = half_up(n.recomputed_physical_pct) if n.recomputed_physical_pct is not None else None
        h.append(f"<tr class='{cls} lvl-{n.level}'><td>{LEVEL_ES.get(n.level, n.level)}</td><td>{escape(n.number or '')}</td>"
                 f"<td>{escape(n.name)}</td><td class='num'>{n.page}</td><td class='num'>{_pct(n.reported_physical_pct)}</td>"
                 f"<td class='num'>{_pct(n.recomputed_physical_pct, 2)}</td><td class='num'>{_pct(rounded)}</td>"
                 f"<td>{status}</td><td class='num'>{_pct(n.reported_budget_pct)}</td></tr>")
    h.append("</table>")

    h.append("<h2>Gráfico por unidad</h2><p class='legend'><span style='background:#1a56b0'></span>impreso"
             "<span style='background:#e07b00'></span>recalculado</p>")
    h.append(chart_svg(report.nodes))

    h.append("<h2>Hallazgos</h2>")
    if report.findings:
        h.append("<table><tr><th>Severidad</th><th>Verificación</th><th>Pág.</th><th>Impreso</th><th>Recalculado</th>"
                 "<th>Detalle</th></tr>")
        for f in report.findings:
            h.append(f"<tr><td class='sev-{f.severity}'>{SEVERITY_ES[f.severity]}</td><td><code>{escape(f.check)}</code></td>"
                     f"<td class='num'>{f.page or ''}</td><td class='num'>{_pct(f.reported) if f.reported is not None else ''}</td>"
                     f"<td class='num'>{_pct(f.recomputed, 2) if f.recomputed is not None else ''}</td>"
                     f"<td>{escape(f.message)}</td></tr>")
        h.append("</table>")
    else:
        h.append("<p>Sin hallazgos: todas las cifras impresas coinciden con las recalculadas.</p>")

    h.append("<h2>Vínculos entre desviaciones y resultados</h2><table><tr><th>Pág.</th><th>Unidad (tabla de "
             "desviaciones)</th><th>Código</th><th>Resultado vinculado</th><th>Avance</th><th>Método</th>"
             "<th>Similitud</th></tr>")
    for d in report.deviations:
        r = results.get(d.result_id)
        unit = escape(f"{d.unit_number or ''} {d.unit_name or ''}".strip())
        score = "" if d.match_score is None else f"{d.match_score:.0f}"
        target = (f"{escape(r.code_raw)} — {escape(r.unit_number or '')} {escape(r.unit_name or '')}, pág. {r.page_first}"
                  if r else "<span class='sev-error'>sin vincular</span>")
        h.append(f"<tr><td class='num'>{d.page}</td><td>{unit}</td>"
                 f"<td>{escape(d.code_raw)}</td><td>{target}</td><td class='num'>{_pct(r.physical_pct) if r else ''}</td>"
                 f"<td>{METHOD_ES.get(d.match_method or '', '—')}</td>"
                 f"<td class='num'>{score}</td></tr>")
    h.append("</table><p><small>Generado por poa.</small></p></body></html>")
    return "\n".join(h)


def audit_tables(report: Report):
    """The findings, printed-vs-recomputed and links tables as DataFrames with Spanish headers."""
    import pandas as pd

    results = {r.result_id: r for r in report.results}
    findings = pd.DataFrame([
        {"Severidad": SEVERITY_ES[f.severity], "Verificación": f.check, "Página": f.page, "Sujeto": f.subject_id,
         "Impreso %": f.reported, "Recalculado %": f.recomputed, "Detalle": f.message} for f in report.findings
    ], columns=["Severidad", "Verificación", "Página", "Sujeto", "Impreso %", "Recalculado %", "Detalle"])
    mismatched = {f.subject_id for f in report.findings if f.check == "average_mismatch"}
    hierarchy = pd.DataFrame([
        {"Nivel": LEVEL_ES.get(n.level, n.level), "N°": n.number, "Nombre": n.name, "Página": n.page,
         "Impreso %": n.reported_physical_pct, "Recalculado %": n.recomputed_physical_pct,
         "Redondeado %": half_up(n.recomputed_physical_pct) if n.recomputed_physical_pct is not None else None,
         "Coincide": None if n.reported_physical_pct is None or n.recomputed_physical_pct is None
         else n.node_id not in mismatched,
         "Pptario. impreso %": n.reported_budget_pct} for n in report.nodes
    ])
    links = pd.DataFrame([
        {"Página": d.page, "Unidad": f"{d.unit_number or ''} {d.unit_name or ''}".strip(), "Código": d.code_raw,
         "Resultado vinculado": results[d.result_id].code_raw if d.result_id in results else None,
         "Unidad del resultado": results[d.result_id].unit_name if d.result_id in results else None,
         "Método": METHOD_ES.get(d.match_method or "", None), "Similitud": d.match_score} for d in report.deviations
    ])
    return {"Hallazgos": findings, "Impreso vs recalculado": hierarchy, "Vínculos": links}


def write_xlsx(report: Report, path: Path) -> None:
    """The audit tables as a workbook. Control characters a damaged PDF can carry, which Excel's format does
    not allow, show as U+FFFD there (the Parquet keeps the text as printed)."""
    import pandas as pd
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v  # noqa: E731
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for sheet, df in audit_tables(report).items():
            df.map(clean).to_excel(xw, sheet_name=sheet, index=False)
            ws = xw.sheets[sheet]
            ws.freeze_panes = "A2"
            for col in ws.columns:
                width = max(len(str(c.value or "")) for c in col[:200])
                ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 90)


def render_index(out: Path) -> str:
    """One page over every document in an output folder: what each report is, and how it fared."""
    import pandas as pd

    docs = pd.read_parquet(out / "documents") if (out / "documents").exists() else pd.DataFrame()
    findings = pd.read_parquet(out / "findings") if (out / "findings").exists() else pd.DataFrame()
    counts = (findings.groupby(["doc_id", "severity"]).size().unstack(fill_value=0)
              if len(findings) else pd.DataFrame())
    h = ["<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>Auditoría de reportes POA</title>",
         f"<style>{CSS}</style></head><body><h1>Auditoría de reportes de seguimiento al POA</h1>",
         f"<p class='meta'>{len(docs)} documentos en esta carpeta; "
         f"{int((docs.status == 'ok').sum()) if len(docs) else 0} procesados, "
         f"{int((docs.status != 'ok').sum()) if len(docs) else 0} con error de lectura.</p>",
         "<table><tr><th>Archivo</th><th>Entidad</th><th>Gestión</th><th>Semestre</th><th>Estado</th>"
         "<th>Errores</th><th>Advertencias</th><th>Informativos</th><th>Reporte</th></tr>"]
    def txt(v) -> str:
        return "" if v is None or (isinstance(v, float) and pd.isna(v)) else escape(str(v))

    for d in docs.sort_values("source_path").itertuples() if len(docs) else []:
        c = counts.loc[d.doc_id] if d.doc_id in counts.index else {}
        n = {sev: int(c.get(sev, 0)) for sev in ("error", "warning", "info")}
        ok = d.status == "ok"
        state = "Procesado" if ok else f"<span class='sev-error'>No leído: {txt(d.error)}</span>"
        link = f"<a href='{d.doc_id}.html'>abrir</a> · <a href='{d.doc_id}.xlsx'>xlsx</a>" if ok else ""
        h.append(f"<tr class='{'' if ok else 'mismatch'}'><td>{txt(d.source_path)}</td><td>{txt(d.entity)}</td>"
                 f"<td class='num'>{'' if pd.isna(d.year) else int(d.year)}</td>"
                 f"<td class='num'>{'' if pd.isna(d.semester) else int(d.semester)}</td><td>{state}</td>"
                 f"<td class='num'>{n['error'] if ok else ''}</td><td class='num'>{n['warning'] if ok else ''}</td>"
                 f"<td class='num'>{n['info'] if ok else ''}</td><td>{link}</td></tr>")
    h.append("</table><p><small>Generado por poa.</small></p></body></html>")
    return "\n".join(h)
