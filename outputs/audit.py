"""The auditor's report: one self-contained HTML working paper per document, in Spanish, and its workbook.

The page is meant to go into an audit file: a header with the document's provenance (entity, period, file,
full SHA-256, poa version, date of generation), the criteria applied, the findings numbered H-001… in a
stable order with the region of the PDF each points at, every hierarchy row printed vs recomputed with the
working that re-performs it, and a sign-off block. No script, no web font, no CDN: it opens offline in any
browser; the pictures of the PDF are inline PNGs and the chart inline SVG. Printed (or `poa audit --pdf`),
it gives a clean document: carta pages numbered "Página n de m", table headers repeated on each page, the
chart kept whole.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path
from urllib.request import pathname2url

from poa.core.numbers import half_up
from poa.core.profile import Profile
from poa.core.records import Node, Report, Severity

from . import pages as pg
from .regions import region_images
from .safe import FORMULA_START, NOT_XML, XLSX_CELL_MAX, escape, xlsx_text, xml_text
from .spanish import (
    BOLIVIA,
    CHECK_ES,
    METHOD_ES,
    SEVERITY_ES,
    SEVERITY_PLURAL_ES,
    STATUS_ES,
    check_label,
    check_rule,
    corrections_note,
    criteria,
    date,
    decimal_commas,
    number,
    pct,
    period,
    plural,
    timestamp,
)
from .working import Index, Numbered, Working, node_label, numbered, rounding_words, workings
from .xlsx import write_xlsx

__all__ = ["render_html", "write_xlsx", "chart_svg", "escape", "xml_text", "xlsx_text",
           "FORMULA_START", "NOT_XML", "XLSX_CELL_MAX"]

NOT_PCT = {"ocr_low_confidence"}  # findings whose figure is not a percentage (a confidence, in the message)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;color:#1d1d1f;font-size:14px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:2px solid #ddd;padding-bottom:4px}
h3{font-size:14px;margin:16px 0 4px}
.meta{color:#555;margin:0 0 16px} table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #d0d0d0;padding:4px 6px;text-align:left;vertical-align:top}
thead th{background:#f0f0f0} td.num,th.num{text-align:right;white-space:nowrap}
tr.mismatch td{background:#fde2e1} tr.explained td{background:#fff4d6}
.cards{display:flex;gap:12px;margin:8px 0;flex-wrap:wrap}
.card{border-radius:8px;padding:10px 16px;min-width:120px;border:1px solid #ddd}
.card b{display:block;font-size:26px} .error{background:#fde2e1} .warning{background:#fff4d6} .info{background:#e4eefc}
.sev-error{color:#b3261e;font-weight:600} .sev-warning{color:#8a5a00;font-weight:600} .sev-info{color:#1a56b0}
.lvl-0 td{font-weight:700} .lvl-1 td{font-weight:600} .lvl-within td{color:#555}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
small,.small{color:#666;font-size:85%} code{font-size:90%}
.review{background:#fff4d6;border:2px solid #e0a800;border-radius:8px;padding:10px 16px;margin:12px 0}
.wp{border:2px solid #444;padding:10px 14px;margin-bottom:12px}
.wp .kicker{margin:0;text-transform:uppercase;letter-spacing:.05em;font-size:12px;color:#444}
table.prov th{width:210px;background:#f7f7f7} table.prov td{overflow-wrap:anywhere}
table.findings{table-layout:fixed} td.code,span.code{white-space:nowrap}
.findings td.no{font-weight:700;white-space:nowrap} .findings tr.group th{background:#fafafa;font-size:15px}
.findings tr.group.error th{background:#fde2e1} .findings tr.group.warning th{background:#fff4d6}
.findings tr.group.info th{background:#e4eefc} td.disp{min-width:150px}
.findings .rule{display:block;color:#555;font-size:85%;margin-top:4px}
figure{margin:6px 0 0} figure img{width:100%;border:1px solid #bbb;display:block}
td.fig{text-align:right} td.fig small{color:#666} tr.region td{border-top:none}
figcaption{font-size:80%;color:#666}
.calc{border-top:1px solid #ddd;margin-top:10px} .calc table{width:auto;min-width:50%} .calc td,.calc th{padding:2px 6px}
.calc .op{margin:2px 0;color:#333} .calc .res{margin:4px 0} .calc tr.out td{color:#888}
.ok{color:#1b6e20;font-weight:600} .bad{color:#b3261e;font-weight:600}
.signoff table td{height:42px}
@page{size:letter;margin:16mm 14mm 18mm 14mm;
 @bottom-right{content:"Página " counter(page) " de " counter(pages);font:8pt Arial,sans-serif;color:#555}
 @bottom-left{content:"__FOOTER__";font:8pt Arial,sans-serif;color:#555}}
@media print{
 body{margin:0;font-size:9pt} h1{font-size:15pt} h2{font-size:12pt;margin-top:14pt} .card b{font-size:16pt}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 thead{display:table-header-group} tr,figure,.wp,.cards,.signoff,tbody.finding{break-inside:avoid}
 .chart{break-inside:avoid} h2,h3,.calc .op{break-after:avoid} a{color:inherit;text-decoration:none}
 .screen{display:none}}
"""


# ------------------------------------------------------------------ pieces


def _status(w: Working) -> tuple[str, str]:
    """The row's class and its state, in words."""
    if w.holds is None:
        return "", "—"
    if w.holds:
        return "", "Coincide"
    return ("explained", "No coincide (regla alternativa)") if w.alternatives else ("mismatch", "No coincide")


def chart_svg(nodes: list[Node], unit_level: str | None, decimals: int = 0) -> str:
    """Printed vs recomputed physical % for each unit, as grouped horizontal bars."""
    units = [n for n in nodes if n.level == unit_level]
    if not units:
        return "<p>Sin unidades.</p>"
    row_h, label_w, bar_w = 26, 330, 420
    height = row_h * len(units) + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 90} {height}" '
           f'width="{label_w + bar_w + 90}" style="max-width:100%;height:auto" '
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
            bad = half_up(u.recomputed_physical_pct, decimals) != u.reported_physical_pct
            out.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" fill="{"#b3261e" if bad else "#555"}">'
                       f'{number(u.reported_physical_pct)} / {number(u.recomputed_physical_pct, 1)}</text>')
    out.append("</svg>")
    return "".join(out)


def _review_banner(report: Report) -> list[str]:
    """A document in review says so first: its rows may not be what the PDF prints."""
    if report.document.status != "review":
        return []
    doubts = [f.message for f in report.findings if f.check == "read_doubt"]
    return ["<div class='review'><b>Lectura en revisión.</b> La lectura de este documento es dudosa: sus filas "
            "pueden no ser las que imprime el PDF. Compare las filas indicadas con el documento antes de usar "
            "estas cifras.<ul>" + "".join(f"<li>{escape(decimal_commas(m))}</li>" for m in doubts) + "</ul></div>"]


def page_link(page: int | None, source_uri: str | None) -> str:
    """A page number, linked to that page of the source PDF where the file is at hand."""
    if page is None:
        return ""
    return f"<a href='{escape(source_uri)}#page={page}'>{page}</a>" if source_uri else str(page)


def _provenance(report: Report, generated: dt.datetime, pdf_path: str | None) -> list[str]:
    doc = report.document
    status = STATUS_ES.get(doc.status, doc.status)
    rows = [
        ("Entidad", escape(doc.entity or "entidad no identificada")),
        ("Periodo", escape(period(doc.period).capitalize()) +
         (f"; resultados esperados al {date(doc.expected_date)}, obtenidos al {date(doc.obtained_date)}"
          if doc.obtained_date else "")),
        ("Archivo", f"<code>{escape(Path(doc.source_path).name)}</code><br><small>{escape(doc.source_path)}</small>"),
        ("SHA-256 del archivo", f"<code>{escape(doc.sha256)}</code>"),
        ("Documento", f"<code>{escape(doc.doc_id)}</code>, {plural(doc.pages or 0, 'página', 'páginas')}; lector "
                      f"{escape(doc.reader or '?')}, motor {escape(doc.engine or '?')}"),
        ("Estado de la lectura", escape(status)),
        *_hand(report),
        ("Versión de poa", f"<code>{escape(doc.pipeline_version or '?')}</code>"),
        ("Fecha de generación", escape(timestamp(generated))),
        ("Ref. P/T", ""),
    ]
    if pdf_path is None:
        rows.insert(4, ("Imágenes del PDF", "no disponibles: el archivo ya no está en esa ruta con el mismo SHA-256"))
    return (["<table class='prov'>"] + [f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows] + ["</table>"])


def _hand(report: Report) -> list[tuple[str, str]]:
    note = corrections_note(report)
    return [("Correcciones a mano", f"<b>{escape(note)}</b>")] if note else []


def _criteria(profile: Profile) -> list[str]:
    return (["<h2 id='criterios'>1. Criterios</h2><ul>"]
            + [f"<li><b>{escape(title)}.</b> {escape(text)}</li>" for title, text in criteria(profile)]
            + ["<li>Cada verificación y el criterio que aplica: sección 8.</li></ul>"])


def _checks(profile: Profile) -> list[str]:
    """Every check poa applies, with its criterion: what a finding's label refers to."""
    h = ["<h2 id='verificaciones'>8. Verificaciones aplicadas</h2><table><thead><tr><th>Verificación</th>"
         "<th>Criterio que aplica</th></tr></thead><tbody>"]
    h += [f"<tr><td>{escape(check_label(check, profile))}<br><small><code>{escape(check)}</code></small></td>"
          f"<td>{escape(check_rule(check, profile))}</td></tr>" for check in CHECK_ES]
    h.append("</tbody></table>")
    return h


def _summary(report: Report, found: list[Numbered]) -> list[str]:
    counts = Counter(f.severity for f in report.findings)
    h = ["<h2 id='resumen'>2. Resumen</h2><div class='cards'>"]
    for severity in Severity:
        n = counts.get(severity, 0)
        h.append(f"<div class='card {severity}'><b>{n}</b>{SEVERITY_PLURAL_ES[severity][n != 1]}</div>")
    h.append(f"<div class='card'><b>{len(report.results)}</b>{'resultado' if len(report.results) == 1 else 'resultados'}"
             f"</div><div class='card'><b>{len(report.deviations)}</b>"
             f"{'fila de desviación' if len(report.deviations) == 1 else 'filas de desviación'}</div></div>")
    by_check: dict[tuple[str, str], list[Numbered]] = {}
    for x in found:
        by_check.setdefault((x.finding.check, x.finding.severity), []).append(x)
    if by_check:
        h.append("<table><thead><tr><th>Verificación</th><th>Severidad</th><th class='num'>Hallazgos</th>"
                 "<th>Números</th></tr></thead><tbody>")
        for (check, sev), xs in by_check.items():
            nums = ", ".join(f"<a href='#{x.number}'>{x.number}</a>" for x in xs)
            h.append(f"<tr><td>{escape(check_label(check, report.template))} <small><code>{escape(check)}</code></small></td>"
                     f"<td class='sev-{sev}'>{SEVERITY_ES.get(sev, sev)}</td><td class='num'>{len(xs)}</td>"
                     f"<td>{nums}</td></tr>")
        h.append("</tbody></table>")
    return h


ROUNDED = ("average_mismatch", "row_pct_mismatch", "budget_pct_mismatch", "budget_mismatch")  # printed rounded


_CODE = re.compile(r"(?<![^\s(«])(?=[^\s<]{0,23}\d)(?=[^\s<]{0,23}-)[^\s<]{3,24}(?![^\s<])")


def whole_codes(html: str) -> str:
    """Escaped text with its codes (a token with a digit and a hyphen, short enough for a column:
    08-01.01.01-07, H-003) kept on one line: a code broken at its hyphen reads as two."""
    return _CODE.sub(lambda m: f"<span class='code'>{m[0]}</span>", html)


def _finding_row(x: Numbered, ix: Index, image: str | None, source_uri: str | None) -> str:
    """A finding's row (number, check, page, figures, detail, the auditor's disposition) and, below it, the
    region of the PDF it points at across the whole table's width: a row of a landscape report shrunk into one
    column would be too small to read."""
    f = x.finding
    decimals = ix.report.template.arithmetic.decimals
    shown = decimals or None  # the report's own decimals (58,40 %); whole percents as they come (55 %, 62,5 %)
    figures = []
    if f.reported is not None and f.check not in NOT_PCT:
        figures.append(f"<small>impreso</small><br>{pct(f.reported, shown)}")
    if f.recomputed is not None and f.check not in NOT_PCT:
        figures.append(f"<small>recalculado</small><br>{pct(f.recomputed, decimals + 2)}")
        if f.check in ROUNDED:
            figures.append(f"<small>redondeado</small><br>{pct(half_up(f.recomputed, decimals), shown)}")
    detail = [f"<b>{whole_codes(escape(x.subject))}</b><br>{whole_codes(escape(decimal_commas(f.message)))}"]
    if rule := check_rule(f.check, ix.report.template):
        detail.append(f"<span class='rule'>Criterio: {escape(rule)}</span>")
    if f.subject_id in ix.nodes:
        detail.append(f"<span class='rule'><a href='#calc-{ix.nodes[f.subject_id].seq}'>Memoria de cálculo de la "
                      f"fila</a></span>")
    row = (f"<tr id='{x.number}'><td class='no'>{x.number}</td>"
           f"<td><span class='sev-{f.severity}'>{SEVERITY_ES.get(f.severity, f.severity)}</span><br>"
           f"<a href='#verificaciones'>{escape(check_label(f.check, ix.report.template))}</a></td>"
           f"<td class='num'>{page_link(f.page, source_uri)}</td><td class='fig'>{'<br>'.join(figures)}</td>"
           f"<td>{''.join(detail)}</td><td class='disp'></td></tr>")
    if not image or x.region is None:  # an image is of its region (region_images)
        return f"<tbody class='finding'>{row}</tbody>"
    where = "región" if x.region and x.region.box else "página completa"
    return (f"<tbody class='finding'>{row}<tr class='region'><td></td><td colspan='5'><figure><img src='{image}' "
            f"alt='Página {x.region.page} del PDF, {where} del hallazgo {x.number}'><figcaption>{x.number}: PDF, "
            f"página {page_link(x.region.page, source_uri)} ({where})</figcaption></figure></td></tr></tbody>")


FINDINGS_HEAD = ("<colgroup>" + "".join(f"<col style='width:{w}%'>" for w in (9, 18, 6, 13, 36, 18)) + "</colgroup>"
                 "<thead><tr><th>N°</th><th>Verificación</th><th>Pág.</th><th>Impreso y recalculado</th>"
                 "<th>Detalle y criterio</th><th>Disposición del auditor</th></tr></thead>")


def _findings(report: Report, found: list[Numbered], images: dict[str, str], source_uri: str | None) -> list[str]:
    h = ["<h2 id='hallazgos'>3. Hallazgos</h2>"]
    if not found:
        return h + ["<p>Sin hallazgos: todas las cifras impresas coinciden con las recalculadas.</p>"]
    h.append("<p><small>Numerados por severidad y página (el número es estable para el mismo documento y la misma "
             "versión de poa). La columna «Disposición del auditor» queda para sus anotaciones.</small></p>")
    ix = Index(report)
    h.append(f"<table class='findings'>{FINDINGS_HEAD}")
    for sev in Severity:
        xs = [x for x in found if x.finding.severity == sev]
        if not xs:
            continue
        h.append(f"<tbody><tr class='group {sev}'><th colspan='6'>{SEVERITY_PLURAL_ES[sev][1].capitalize()} "
                 f"({len(xs)})</th></tr></tbody>")
        h += [_finding_row(x, ix, images.get(x.number), source_uri) for x in xs]
    h.append("</table>")
    return h


def _hierarchy(ws: list[Working], decimals: int) -> list[str]:
    h = ["<h2 id='jerarquia'>4. Avance físico impreso y recalculado</h2>"
         "<p><small>Recalculado desde las filas de resultados hacia arriba con la aritmética del reporte; las cifras "
         f"impresas se comparan con el recalculado {rounding_words(decimals)}. Cada fila lleva a su "
         "memoria de cálculo.</small></p>"
         "<table><thead><tr><th>Nivel</th><th>N°</th><th>Nombre</th><th>Pág.</th><th>Impreso</th>"
         "<th>Recalculado</th><th>Redondeado</th><th>Estado</th><th>Pptario. impreso</th></tr></thead><tbody>"]
    for w in ws:
        n = w.node
        cls, status = _status(w)
        h.append(f"<tr class='{cls} {w.style}'><td>{escape(w.label)}</td><td>{escape(n.number or '')}"
                 f"</td><td><a href='#calc-{n.seq}'>{escape(n.name)}</a></td><td class='num'>{n.page}</td>"
                 f"<td class='num'>{pct(n.reported_physical_pct)}</td><td class='num'>{pct(w.value, 2)}</td>"
                 f"<td class='num'>{pct(w.rounded)}</td><td>{status}</td>"
                 f"<td class='num'>{pct(n.reported_budget_pct)}</td></tr>")
    h.append("</tbody></table>")
    return h


HAND = "<br><small class='hand'>corregido a mano</small>"  # a figure in the memoria set by a person, not read


def _working_block(w: Working) -> list[str]:
    n = w.node
    h = [f"<div class='calc' id='calc-{n.seq}'><h3>{escape(w.label)} {escape(node_label(n))} "
         f"<small>(pág. {n.page})</small></h3><p class='op'>{escape(w.operation)}</p>"]
    if not w.operands:
        return h + ["<p class='res'>Sin componentes: no hay nada que promediar.</p></div>"]
    if w.kind == "results":
        h.append("<table><thead><tr><th>Resultado</th><th class='num'>Pág.</th><th class='num'>Avance físico</th>"
                 "<th>Entra</th></tr></thead><tbody>")
        for o in w.operands:
            h.append(f"<tr class='{'' if o.counted else 'out'}'><td class='code'>{escape(o.label)}</td>"
                     f"<td class='num'>{o.page}</td>"
                     f"<td class='num'>{pct(o.value)}{HAND if o.corrected else ''}</td>"
                     f"<td>{'sí' if o.counted else 'no: ' + o.why_not}</td></tr>")
    else:
        h.append("<table><thead><tr><th>Componente</th><th class='num'>Pág.</th><th class='num'>Recalculado sin "
                 "redondear</th><th class='num'>Impreso</th><th>Entra</th></tr></thead><tbody>")
        for o in w.operands:
            h.append(f"<tr class='{'' if o.counted else 'out'}'><td><a href='#calc-{o.seq}'>{escape(o.label)}</a>"
                     f"</td><td class='num'>{o.page}</td><td class='num'>{pct(o.value, 4)}</td>"
                     f"<td class='num'>{pct(o.printed)}{HAND if o.corrected else ''}</td>"
                     f"<td>{'sí' if o.counted else 'no: ' + o.why_not}</td></tr>")
    h.append("</tbody></table>")
    if w.value is None:
        h.append("<p class='res'>Ningún valor entra en el promedio: no hay cifra recalculada.</p></div>")
        return h
    digits = None if w.kind == "results" else 4  # results as printed; parts as the 4 decimals shown above
    total = number(w.total, digits)
    if w.weighted:
        weights = number(w.weights)
        line = (f"Suma de cada valor que entra por su peso ({w.count} valores): {total}; suma de sus pesos: "
                f"{weights}; {total} ÷ {weights}")
    else:
        line = (f"Suma de los {w.count} valores que entran: {total}; {total} ÷ {w.count}" if w.count > 1 else
                f"Un solo valor entra: {total}; {total} ÷ 1")
    line += f" = <b>{pct(w.value, 4)}</b>; redondeado mitad hacia arriba: <b>{pct(w.rounded)}</b>."
    if w.printed is not None:
        verdict = "<span class='ok'>Coincide.</span>" if w.holds else "<span class='bad'>No coincide.</span>"
        line += f" Impreso: <b>{pct(w.printed)}</b>. {verdict}"
    else:
        line += " La fila no imprime cifra."
    h.append(f"<p class='res'>{line}</p>")
    if w.kind == "parts":
        h.append("<p><small>Los valores se muestran con 4 decimales; el cálculo usa los valores completos.</small></p>")
    for desc, v in w.alternatives:
        h.append(f"<p class='res'>Regla alternativa que da la cifra impresa: {escape(desc)}: {pct(v, 4)}, "
                 f"redondeado {pct(half_up(v, w.decimals))}.</p>")
    if w.holds is False and not w.alternatives:
        h.append("<p class='res'>Ninguna regla alternativa da la cifra impresa.</p>")
    h.append("</div>")
    return h


def _workings(ws: list[Working]) -> list[str]:
    h = ["<h2 id='memoria'>5. Memoria de cálculo</h2><p><small>Para cada fila de la jerarquía: los valores que promedia, la "
         "operación y el resultado, de modo que el cálculo pueda re-ejecutarse a mano o en el libro xlsx (hoja "
         "«Impreso vs recalculado», cuyas columnas de recalculado son fórmulas).</small></p>"]
    for w in ws:
        h += _working_block(w)
    return h


def _links(report: Report, source_uri: str | None) -> list[str]:
    ix = Index(report)
    h = ["<h2 id='vinculos'>7. Vínculos entre desviaciones y resultados</h2><table><thead><tr><th>Pág.</th>"
         "<th>Unidad (tabla de desviaciones)</th><th>Código</th><th>Resultado vinculado</th><th>Avance</th><th>Método</th>"
         "<th class='num'>Similitud</th></tr></thead><tbody>"]
    for d in report.deviations:
        r = ix.results.get(d.result_id) if d.result_id is not None else None
        unit = escape(f"{d.unit_number or ''} {d.unit_name or ''}".strip())
        score = "" if d.match_score is None else number(d.match_score, 0)
        target = (f"<span class='code'>{escape(r.code_raw)}</span> — {escape(r.unit_number or '')} "
                  f"{escape(r.unit_name or '')}, pág. "
                  f"{page_link(r.page_first, source_uri)}" if r else "<span class='sev-error'>sin vincular</span>")
        h.append(f"<tr><td class='num'>{page_link(d.page, source_uri)}</td><td>{unit}</td>"
                 f"<td class='code'>{escape(d.code_raw)}</td>"
                 f"<td>{target}</td><td class='num'>{pct(r.physical_pct) if r else ''}</td>"
                 f"<td>{METHOD_ES.get(d.match_method or '', '—')}</td><td class='num'>{score}</td></tr>")
    h.append("</tbody></table>")
    return h


SIGNOFF = ("<div class='signoff'><h2 id='conformidad'>9. Conformidad</h2><table><thead><tr><th></th><th>Nombre y cargo</th>"
           "<th>Firma</th><th>Fecha (dd/mm/aaaa)</th></tr></thead><tbody>"
           "<tr><th>Preparado por</th><td></td><td></td><td></td></tr>"
           "<tr><th>Revisado por</th><td></td><td></td><td></td></tr></tbody></table></div>")


def source_uri(pdf_path: str | None, base: Path | None = None) -> str | None:
    """The link to the source PDF: relative to `base`, the folder the paper is written to (it still works once
    the output folder and the PDFs are shared or moved together), or a file:// URI where there is no base."""
    if pdf_path is None:
        return None
    try:
        if base is not None:
            return pathname2url(os.path.relpath(Path(pdf_path).resolve(), Path(base).resolve()))
        return Path(pdf_path).resolve().as_uri()
    except ValueError:
        return None


def render_html(report: Report, *, generated: dt.datetime | None = None, pdf_path: str | None | bool = True,
                images: bool = True, base: Path | None = None) -> str:
    """The working paper of one document. `pdf_path`: the PDF to picture findings from (True: the document's
    own file, if it is still there with the same SHA-256; None/False: no pictures); `generated`: the date
    the header gives (now); `base`: the folder the paper goes to, which its links to the PDF are relative to."""
    doc = report.document
    generated = generated or dt.datetime.now(BOLIVIA)
    if pdf_path is True:
        pdf_path = pg.find_source(doc.source_path, doc.sha256)
    pdf_path = pdf_path or None
    uri = source_uri(pdf_path, base)
    found = numbered(report)
    ws = workings(report)
    pictures = region_images(found, pdf_path) if images else {}
    title = f"Papel de trabajo — Seguimiento al POA — {doc.entity or Path(doc.source_path).name}"
    # Printed in every page's margin: hex digits and a date only, nothing a CSS string must escape.
    footer = f"poa · documento {doc.doc_id} · generado el {generated.astimezone(BOLIVIA):%d/%m/%Y}"
    h = [f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>{escape(title)}</title>",
         f"<style>{CSS.replace('__FOOTER__', footer)}</style></head><body>",
         "<div class='wp'><p class='kicker'>Unidad de Auditoría Interna · papel de trabajo</p>",
         f"<h1>Auditoría del seguimiento al avance del POA — {escape(doc.entity or 'entidad no identificada')}</h1>",
         f"<p class='meta'>{escape(period(doc.period).capitalize())}. Cifras impresas del reporte frente "
         f"a las recalculadas desde sus propias filas.</p>",
         *_provenance(report, generated, pdf_path), "</div>",
         *_review_banner(report), *_criteria(report.template), *_summary(report, found),
         *_findings(report, found, pictures, uri), *_hierarchy(ws, report.template.arithmetic.decimals), *_workings(ws),
         "<h2 id='grafico'>6. Gráfico por unidad</h2><div class='chart'><p class='legend'><span style='background:#1a56b0'></span>"
         "impreso<span style='background:#e07b00'></span>recalculado</p>",
         chart_svg(report.nodes, report.template.unit_name, report.template.arithmetic.decimals), "</div>",
         *_links(report, uri), *_checks(report.template), SIGNOFF,
         f"<p><small>Generado por poa {escape(doc.pipeline_version or '')} el {escape(timestamp(generated))}."
         "</small></p></body></html>"]
    return "\n".join(h)
