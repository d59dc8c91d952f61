"""`poa review OUT --serve`: the review app. Look at the page, fix the cell, go on.

A small local web server (the standard library's: a handful of routes for one person on this machine need no
framework, no build step, nothing fetched from a CDN) serves OUT's review pages with their editing switched on.
A click on a cell and a value typed become a line of OUT/corrections.csv, exactly as `poa correct` writes it
(`poa.correcting.submit`: the same checks), and the document is read again in the background by `poa run`
with the options it was read with; the page then reloads with the new rows, averages and findings. Every
correction can be undone from the page (its line leaves the file, and the document is read again).

Safety: bound to 127.0.0.1 on a random port, every request needs the token printed in the URL (kept in a
SameSite cookie once the URL is opened), and a request for another host name is refused (a web page elsewhere
cannot post corrections through the browser). Nothing is lost between several tabs or a second `--serve` on
the same folder: corrections.csv is written under its lock, and a re-read waits while another run holds the
folder.
"""

from __future__ import annotations

import hmac
import http.server
import itertools
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from html import escape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from poa.core.corrections import FIELDS, Correction, remove
from poa.core.profile import ProfileError
from poa.core.profiles import load
from poa.core.vocab import plural
from poa.correcting import submit
from poa.outputs.pages import find_source
from poa.outputs.review import read_mark, render_review, rows_from
from poa.outputs.safe import xml_text
from poa.outputs.spanish import STATUS_ES, period
from poa.outputs.store import read_poa_file, read_poa_folder

DOC_ID = re.compile(r"[0-9a-f]{16}")
IMAGE = re.compile(r"/review/([0-9a-f]{16})/p(\d{1,6})\.png")
PAGE = re.compile(r"/review/([0-9a-f]{16})\.html")
BUSY_WAIT = 600.0  # seconds a re-read waits for another run on the folder to end before it gives up
COOKIE = "poa_token"


@dataclass
class Job:
    """A document read again after its corrections changed."""

    id: int
    doc_id: str
    state: str = "queued"  # queued | running | done | failed
    error: str = ""


class Rereader:
    """Reads documents again, one at a time, in a thread of its own, as `poa run` would: the corrections in
    the file when the read starts are the ones applied, so a correction made while another document (or the
    same one) is being read is applied by the next read, never lost."""

    def __init__(self, out: Path):
        self.out = out
        self.jobs: dict[int, Job] = {}
        self.queue: deque[Job] = deque()
        self.ids = itertools.count(1)
        self.ready = threading.Condition()
        threading.Thread(target=self._loop, name="poa-reread", daemon=True).start()

    def reread(self, doc_id: str) -> Job:
        """A job that reads the document again; one already queued for it and not started is shared (it will
        read the file as it is then). One already running read the file before this correction: a new job."""
        with self.ready:
            for job in self.queue:
                if job.doc_id == doc_id and job.state == "queued":
                    return job
            job = Job(next(self.ids), doc_id)
            self.jobs[job.id] = job
            self.queue.append(job)
            self.ready.notify()
            return job

    def _loop(self) -> None:
        while True:
            with self.ready:
                while not self.queue:
                    self.ready.wait()
                job = self.queue[0]
                job.state = "running"
            try:
                read_again(self.out, job.doc_id)
                job.state = "done"
            except Exception as e:  # noqa: BLE001 - said on the page that asked, and the app goes on
                job.state, job.error = "failed", str(e)
            with self.ready:
                self.queue.popleft()


def read_again(out: Path, doc_id: str) -> None:
    """`poa run` on one document of OUT with the options it was read with, its review page rewritten; waits
    while another run holds the folder. RuntimeError saying why where it cannot be read again."""
    table = read_poa_file(out / "documents" / f"{doc_id}.parquet")
    if table is None or not table.num_rows:
        raise RuntimeError(f"{doc_id}: no such document in {out}")
    doc = table.to_pylist()[0]
    source = find_source(doc["source_path"], doc["sha256"])
    if source is None:
        raise RuntimeError(f"its PDF ({doc['source_path']}) is no longer where it was read, with the same bytes")
    cmd = [sys.executable, "-m", "poa", "run", source, "--out", str(out), "--review", "all", "--quiet", "--jobs", "1"]
    for option in ("engine", "reader", "ocr"):
        if doc.get(option):
            cmd += [f"--{option}", doc[option]]
    if doc.get("gx"):
        cmd.append("--gx")
    if doc.get("template"):
        try:
            load(doc["template"])
            cmd += ["--template", doc["template"]]  # the profile it was read as, not this run's best fit
        except ProfileError:
            pass
    deadline = time.monotonic() + BUSY_WAIT
    while True:
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode in (0, 1, 3):  # read (ok, review) or failed: either way its outputs say so
            return
        if "another poa run" in done.stderr and time.monotonic() < deadline:
            time.sleep(0.5)  # another run (a batch, another --serve) holds the folder: the correction waits
            continue
        raise RuntimeError(done.stderr.strip() or f"poa run ended with status {done.returncode}")


def fresh_page(out: Path, doc_id: str) -> Path | None:
    """OUT/review/<doc_id>.html, made again where it is missing or shows another read of the document than
    its outputs hold (another version of poa, other corrections: the page's `poa-read` mark)."""
    page = out / "review" / f"{doc_id}.html"
    row = read_poa_file(out / "documents" / f"{doc_id}.parquet", ["pipeline_version", "corrections", "status"])
    if row is None or not row.num_rows:
        return None
    try:
        with open(page, encoding="utf-8") as f:
            if f"<meta name='poa-read' content='{read_mark(row.to_pylist()[0])}'>" in f.read(4096):
                return page
    except OSError:
        pass
    rows = rows_from(out, doc_id)
    return render_review(rows, out) if rows["documents"] else None


def index_page(out: Path) -> str:
    """The folder's documents, each linking to its review page: what the archivist starts from."""
    columns = ["doc_id", "source_path", "entity", "period", "status", "review_reasons", "error", "duplicate_of",
               "superseded_by"]
    docs = [r for t in read_poa_folder(out, "documents", None) for r in t.select(
        [c for c in columns if c in t.column_names]).to_pylist()]
    fixes: dict[str, int] = {}
    for t in read_poa_folder(out, "corrections", ["doc_id", "status"]):
        for r in t.to_pylist():
            fixes[r["doc_id"]] = fixes.get(r["doc_id"], 0) + 1
    order = {"review": 0, "failed": 1, "ok": 2}
    docs.sort(key=lambda d: (order.get(d["status"], 3), d.get("source_path") or ""))
    h = ["<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>poa — revisión</title><style>"
         "body{font-family:system-ui,Arial,sans-serif;margin:16px;font-size:14px}table{border-collapse:collapse}"
         "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f2f2}"
         ".review{color:#b06000}.failed{color:#d93025}</style></head><body>",
         f"<h1>Revisión de la lectura</h1><p>Carpeta <code>{escape(xml_text(str(out)))}</code>: "
         f"{plural(len(docs), 'documento', 'documentos')}. Abra uno para ver sus páginas y corregir sus "
         "celdas.</p><table><tr><th>Archivo</th><th>Entidad</th><th>Período</th><th>Estado</th><th>Motivos</th>"
         "<th>Correcciones</th></tr>"]
    for d in docs:
        name = escape(xml_text(Path(d.get("source_path") or "?").name))
        link = f"<a href='/review/{d['doc_id']}.html'>{name}</a>" if d["status"] != "failed" else name
        why = "; ".join(d.get("review_reasons") or []) or (d.get("error") or "")
        if d.get("duplicate_of") or d.get("superseded_by"):
            why = (why + "; " if why else "") + "copia de otro documento de la carpeta"
        h.append(f"<tr class='{d['status']}'><td>{link}</td><td>{escape(xml_text(d.get('entity') or ''))}</td>"
                 f"<td>{escape(period(d.get('period')))}</td><td>{STATUS_ES.get(d['status'], d['status'])}</td>"
                 f"<td>{escape(xml_text(why))}</td><td>{fixes.get(d['doc_id'], '')}</td></tr>")
    h.append("</table></body></html>")
    return "".join(h)


class App:
    """What the handler serves: one output folder, its token, its re-reads."""

    def __init__(self, out: Path, author: str = ""):
        self.out = Path(out)
        self.token = secrets.token_urlsafe(18)
        self.author = author
        self.rereads = Rereader(self.out)


class Handler(http.server.BaseHTTPRequestHandler):
    app: App  # set on the class made for each server
    server: http.server.ThreadingHTTPServer  # the one server() makes, on 127.0.0.1
    server_version = "poa-review"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass  # quiet: the terminal shows the URL and errors, not every image fetched

    # ---------------------------------------------------------------- plumbing
    def _send(self, status: int, body: bytes | str, kind: str = "text/html; charset=utf-8",
              cookie: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if cookie:  # one per port: a browser keeps cookies per host, and two apps on 127.0.0.1 must not share one
            self.send_header("Set-Cookie", f"{self._cookie()}={self.app.token}; Path=/; HttpOnly; SameSite=Strict")
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False), "application/json; charset=utf-8")

    def _allowed(self) -> tuple[bool, bool]:
        """(the request may be served, its URL carried the token: set the cookie). The Host must be this
        machine's loopback (no DNS rebinding), and the token in the URL or the cookie."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            return False, False
        given = parse_qs(urlsplit(self.path).query).get("token", [""])[0]
        if given and hmac.compare_digest(given, self.app.token):
            return True, True
        jar = SimpleCookie(self.headers.get("Cookie") or "")
        kept = jar[self._cookie()].value if self._cookie() in jar else ""
        return bool(kept) and hmac.compare_digest(kept, self.app.token), False

    def _cookie(self) -> str:
        return f"{COOKIE}_{self.server.server_address[1]}"

    def _refuse(self) -> None:
        self._send(403, "<p>poa review: abra la dirección con el token que imprimió <code>poa review --serve</code>."
                        "</p>")

    def _body(self) -> dict:
        size = int(self.headers.get("Content-Length") or 0)
        if not 0 <= size <= 1 << 20:
            raise ValueError("request too large, or of no size")
        data = json.loads(self.rfile.read(size) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        return data

    # ---------------------------------------------------------------- routes
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        ok, with_token = self._allowed()
        if not ok:
            return self._refuse()
        path = urlsplit(self.path).path
        out = self.app.out
        if path == "/":
            return self._send(200, index_page(out), cookie=with_token)
        if m := PAGE.fullmatch(path):
            page = fresh_page(out, m[1])
            if page is None:
                return self._send(404, "<p>No hay página de revisión para ese documento (no se leyó).</p>")
            html = page.read_text(encoding="utf-8").replace("</head>", "<script>window.POA_APP=1</script></head>", 1)
            return self._send(200, html, cookie=with_token)
        if m := IMAGE.fullmatch(path):
            try:
                return self._send(200, (out / "review" / m[1] / f"p{m[2]}.png").read_bytes(), "image/png")
            except OSError:
                return self._send(404, "")
        if path.startswith("/api/job/") and path[9:].isdigit():
            job = self.app.rereads.jobs.get(int(path[9:]))
            if job is None:
                return self._json(404, {"error": "no such job"})
            return self._json(200, {"state": job.state, "error": job.error, "doc_id": job.doc_id})
        return self._send(404, "<p>No encontrado.</p>")

    def do_POST(self) -> None:  # noqa: N802
        ok, _ = self._allowed()
        here = f"http://{self.headers.get('Host')}"
        if not ok or self.headers.get("Origin", here) != here:  # a page of another site posting through the browser
            return self._refuse()
        path = urlsplit(self.path).path
        try:
            body = self._body()
            given = {k: str(body.get(k) or "") for k in FIELDS}
        except (ValueError, TypeError) as e:
            return self._json(400, {"error": f"No se entendió el pedido: {e}"})
        if path == "/api/correct":
            try:
                c, _ = submit(self.app.out, Correction(**{**given, "author": given["author"] or self.app.author,
                                                          "date": ""}, line=0))
            except ValueError as e:
                return self._json(400, {"error": f"No se guardó: {e}"})
            except OSError as e:
                return self._json(500, {"error": f"No se pudo escribir corrections.csv: {e.strerror or e}"})
            job = self.app.rereads.reread(c.doc_id)
            return self._json(202, {"job": job.id, "doc_id": c.doc_id})
        if path == "/api/undo":
            if not DOC_ID.fullmatch(given["doc_id"]):
                return self._json(400, {"error": "doc_id no válido"})
            try:
                gone = remove(self.app.out, Correction(**given, line=0))
            except OSError as e:
                return self._json(500, {"error": f"No se pudo escribir corrections.csv: {e.strerror or e}"})
            if not gone:
                return self._json(409, {"error": "Esa corrección ya no está en corrections.csv (¿deshecha en otra "
                                                 "pestaña?)"})
            return self._json(202, {"job": self.app.rereads.reread(given["doc_id"]).id, "doc_id": given["doc_id"]})
        return self._json(404, {"error": "no such route"})


def server(out: Path, port: int = 0, author: str = "") -> tuple[http.server.ThreadingHTTPServer, str]:
    """The review app's server for OUT, bound to 127.0.0.1 (port 0: a free one), and the URL to open."""
    app = App(out, author)
    handler = type("BoundHandler", (Handler,), {"app": app})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/?token={app.token}"


def can_open_browser() -> bool:
    """Whether a graphical browser can be opened here (never a text one in the terminal the URL is printed to)."""
    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
