"""The working papers as PDF: `poa audit OUT --pdf` prints each OUT/audit/<doc_id>.html with headless Chromium.

The HTML written by `poa run` is the working paper (its header gives the date it was generated); the PDF is
that page printed, not a second rendering of the data, so the two never differ. Chromium's own header and
footer are off: the page's print CSS numbers the pages ("Página n de m") and repeats the tables' headers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from poa.core.errors import PoaError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DOC_ID = re.compile(r"^[0-9a-f]{16}$")
PRINT_TIMEOUT = 180.0  # seconds for one page to print; a report prints in a few


class PrintError(PoaError):
    """A working paper that could not be printed; the message says why."""


def find_chromium() -> str | None:
    """The headless browser to print with (Debian's `chromium`), or None."""
    return next((p for name in CHROMIUM_NAMES if (p := shutil.which(name))), None)


def chromium_command(chromium: str, profile: Path) -> list[str]:
    """Chromium headless with nothing that reaches the network or keeps state beyond `profile`."""
    return [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]


def run_chromium(args: list[str], timeout: float = PRINT_TIMEOUT) -> subprocess.CompletedProcess:
    """Run Chromium in its own process group: on a timeout the group (the browser and the helpers it
    started, nothing else) is killed, so no renderer outlives the call."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise PrintError(f"Chromium did not finish within {timeout:g} s") from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


PAPERS = {"carta": "letter", "a4": "A4", "oficio": "8.5in 13in"}  # the sizes Bolivian offices print on


def print_pdf(html: Path, pdf: Path, *, chromium: str | None = None, timeout: float = PRINT_TIMEOUT,
              paper: str = "carta") -> Path:
    """Print one HTML page to `pdf` (written atomically: a reader never sees half a PDF) on `paper` (carta,
    the paper's own; a4; oficio): another size is the page's CSS with its @page size changed, printed from a
    copy beside it, so that its relative links stay right."""
    from .store import atomic

    chromium = chromium or find_chromium()
    if chromium is None:
        raise PrintError("headless Chromium is not installed (Debian: apt-get install chromium)")
    if paper not in PAPERS:
        raise PrintError(f"paper {paper!r}: choose one of {', '.join(PAPERS)}")
    html = Path(html)
    copy = None
    if paper != "carta":
        copy = html.with_name(f".{html.stem}.{paper}.html")
        text = html.read_text(encoding="utf-8")
        copy.write_text(text.replace("</head>", f"<style>@page{{size:{PAPERS[paper]}}}</style></head>", 1),
                        encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory(prefix="poa-chromium-") as profile, atomic(pdf) as tmp:
            args = chromium_command(chromium, Path(profile)) + [
                "--no-pdf-header-footer", f"--print-to-pdf={tmp}", (copy or html).resolve().as_uri()]
            done = run_chromium(args, timeout)
            _check_printed(tmp, done)
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)
    return pdf


def _check_printed(tmp: Path, done: subprocess.CompletedProcess) -> None:
    """PrintError unless Chromium wrote a PDF."""
    with open(tmp, "rb") as f:
        printed = f.read(5) == b"%PDF-"
    if not printed:
        err = done.stderr.decode(errors="replace").strip().splitlines()
        raise PrintError(f"Chromium printed nothing (exit status {done.returncode})" + (f": {err[-1]}" if err else ""))


def working_papers(out: Path, doc_ids: list[str] | None = None) -> list[str]:
    """The doc_ids of OUT's working papers (OUT/audit/<doc_id>.html): every one, or those named (a unique
    prefix of an id will do). Raises ValueError naming what is not there."""
    folder = Path(out) / "audit"
    try:
        have = sorted(p.name[:-5] for p in os.scandir(folder) if p.name.endswith(".html") and DOC_ID.match(p.name[:-5]))
    except OSError as e:
        raise ValueError(f"{out}: no audit folder ({e.strerror or e}); run `poa run … --out {out}` first") from None
    from .store import pick_ids

    return pick_ids(have, doc_ids, str(folder), "working paper")
