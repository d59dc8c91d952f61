"""The review page's own style and script, as text the page carries inline (it opens offline, from any folder,
with nothing fetched): the layout beside each page image, the cell panel, and the script that opens a cell, moves
to the next doubtful one (n / p), and — where the review app serves the page (`window.POA_APP`) — saves a
correction or undoes one and reloads once the document is read again."""

CSS = """
body{font-family:system-ui,Arial,sans-serif;margin:16px;color:#1d1d1f;font-size:13px}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px;border-bottom:2px solid #ddd}
h3{font-size:13px;margin:10px 0 4px}
.page{display:grid;grid-template-columns:minmax(0,3fr) minmax(320px,2fr);gap:16px;align-items:start}
@media (max-width:900px){.page{grid-template-columns:1fr}}
.sheet{position:relative;border:1px solid #bbb} .sheet img{display:block;width:100%;height:auto}
.cell{position:absolute;border:2px solid;box-sizing:border-box} .cell.blank{border-style:dashed}
.cell:target,.cell:hover,.cell.sel{background:rgba(255,235,59,.35)} .rows{min-width:0;font-size:12px}
.cell .fix{position:absolute;left:100%;top:-2px;background:#fff;color:#1a73e8;font:600 11px system-ui,sans-serif;
padding:0 3px;border:1px solid #1a73e8;white-space:nowrap;text-decoration:none} td.n{white-space:nowrap}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #ddd;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#f2f2f2} tr:target td{background:#fff3c4} code{font-size:11px;color:#555}
.legend span{display:inline-block;width:12px;height:12px;border:2px solid;margin:0 4px 0 12px;vertical-align:middle}
.st-finding{color:#d93025} .st-ocr{color:#8e24aa} .st-corrected{color:#1a73e8} .review{background:#fff4d6;padding:8px 12px}
s{color:#888} ins{color:#1a73e8;text-decoration:none;font-weight:600}
#panel{position:fixed;right:16px;bottom:16px;width:380px;max-width:90vw;background:#fff;border:2px solid #1a73e8;
border-radius:6px;padding:10px 12px;box-shadow:0 4px 16px rgba(0,0,0,.2);display:none}
#panel.open{display:block} #panel label{display:block;margin-top:6px} #panel input,#panel textarea{width:100%;box-sizing:border-box}
#panel .read{white-space:pre-wrap;max-height:8em;overflow:auto;background:#f6f6f6;padding:3px}
#panel .msg{margin-top:6px} #panel .err{color:#d93025} .app-only{display:none} body.app .app-only{display:initial}
body.app .static-only{display:none}
"""
SCRIPT = r"""
(() => {
  const app = !!window.POA_APP, panel = document.getElementById('panel');
  if (app) document.body.classList.add('app');
  const q = s => panel.querySelector(s);
  let cell = null;
  const cells = [...document.querySelectorAll('a.cell[data-c]')];
  const doubtful = cells.filter(a => a.dataset.st !== 'ok');
  function show(a) {
    if (cell) cell.classList.remove('sel');
    cell = a; a.classList.add('sel'); panel.classList.add('open');
    q('.what').textContent = a.dataset.label + ' · ' + a.dataset.t;
    q('.key').textContent = a.dataset.k;
    q('.read').textContent = a.dataset.read || '(en blanco)';
    q('.now').textContent = a.dataset.now === a.dataset.read ? '' : 'Ahora: ' + (a.dataset.now || '(en blanco)');
    q('input[name=value]').value = a.dataset.now || '';
    q('textarea[name=note]').value = '';
    q('.msg').textContent = ''; q('.msg').className = 'msg';
    q('.cmd').textContent = 'poa correct ' + document.body.dataset.out + ' ' + document.body.dataset.doc + ' ' +
      a.dataset.t + " '" + a.dataset.k + "' " + a.dataset.c + " '…' --note '…'";
    if (app) q('input[name=value]').focus();
  }
  cells.forEach(a => a.addEventListener('click', e => { e.preventDefault(); show(a); }));
  function step(d) {
    if (!doubtful.length) return;
    const i = cell ? doubtful.indexOf(cell) : -1;
    const a = doubtful[(i + d + doubtful.length) % doubtful.length];
    a.scrollIntoView({block: 'center'}); show(a);
  }
  document.addEventListener('keydown', e => {
    if (e.key === 'Escape') { panel.classList.remove('open'); return; }
    if (/INPUT|TEXTAREA/.test(e.target.tagName)) return;
    if (e.key === 'n' || e.key === 'j') step(1);
    if (e.key === 'p' || e.key === 'k') step(-1);
  });
  function say(text, bad) { q('.msg').textContent = text; q('.msg').className = 'msg' + (bad ? ' err' : ''); }
  async function post(path, body) {
    const r = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    const j = await r.json().catch(() => ({error: r.statusText}));
    if (!r.ok) throw new Error(j.error || r.statusText);
    return j;
  }
  async function wait(job) {
    for (;;) {
      await new Promise(r => setTimeout(r, 300));
      const j = await (await fetch('/api/job/' + job)).json();
      if (j.state === 'done') { location.reload(); return; }
      if (j.state === 'failed') throw new Error(j.error);
    }
  }
  q('form').addEventListener('submit', async e => {
    e.preventDefault();
    say('Guardando…');
    try {
      const j = await post('/api/correct', {doc_id: document.body.dataset.doc, table: cell.dataset.t, key: cell.dataset.k,
        column: cell.dataset.c, value: q('input[name=value]').value, note: q('textarea[name=note]').value});
      say('Guardado en corrections.csv; leyendo el documento otra vez…');
      sessionStorage.setItem('poa-cell', cell.id);
      await wait(j.job);
    } catch (err) { say(err.message, true); }
  });
  document.querySelectorAll('button.undo').forEach(b => b.addEventListener('click', async () => {
    b.disabled = true; b.textContent = 'Deshaciendo…';
    try { await wait((await post('/api/undo', JSON.parse(b.dataset.c))).job); }
    catch (err) { b.textContent = err.message; }
  }));
  const again = sessionStorage.getItem('poa-cell');
  if (again && document.getElementById(again)) {
    sessionStorage.removeItem('poa-cell');
    const a = document.getElementById(again); a.scrollIntoView({block: 'center'}); show(a);
  }
})();
"""


PANEL = """<div id='panel' role='dialog' aria-label='Celda'><b class='what'></b><div><code class='key'></code></div>
<label>Leído en el PDF</label><div class='read'></div><div class='now'></div>
<form class='app-only'><label>Valor correcto <input name='value' autocomplete='off'></label>
<label>Nota (qué dice el PDF) <textarea name='note' rows='2'></textarea></label>
<p><button type='submit'>Guardar corrección</button></p></form>
<div class='static-only'><label>Para corregirla:</label><code class='cmd'></code></div><div class='msg'></div></div>"""
