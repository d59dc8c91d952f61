"""Tesseract as a subprocess: an image in, words with their boxes and confidences out (its TSV output).

One process per page, each held to one thread (OMP_THREAD_LIMIT=1): pages run side by side in processes of
their own, which uses the cores better than Tesseract's own threads do, and a page that hangs is killed
alone.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from poa.core.errors import PoaError

PACKAGES = "tesseract-ocr tesseract-ocr-spa"
LANGUAGE = "spa"


class TesseractMissing(PoaError):
    """Tesseract, or its Spanish data, is not installed; the message names the Debian packages."""


@dataclass(frozen=True)
class OcrWord:
    """One recognised word, in the image's pixels; `line` identifies the text line Tesseract put it on."""

    text: str
    x0: int
    top: int
    x1: int
    bottom: int
    conf: float  # 0–100
    line: tuple[int, int, int, int]  # (block, paragraph, line, page)


@functools.lru_cache(maxsize=1)
def missing() -> str | None:
    """Why Tesseract cannot read Spanish on this machine, or None when it can."""
    exe = shutil.which("tesseract")
    if exe is None:
        return f"Tesseract is not installed (apt-get install {PACKAGES})"
    try:
        listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return f"Tesseract cannot be run ({e}); reinstall it (apt-get install {PACKAGES})"
    langs = {ln.strip() for ln in (listed.stdout + listed.stderr).splitlines()}
    if LANGUAGE not in langs:
        return f"Tesseract has no Spanish data (apt-get install {PACKAGES})"
    return None


# Processes still running, so that a document given up (a deadline, an error on another page) ends them.
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Kill every Tesseract this process started and is still waiting on."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for p in running:
        try:
            p.kill()
        except OSError:
            pass


def run(image: np.ndarray, dpi: float, psm: int = 6, timeout: float = 600.0) -> str:
    """Tesseract's TSV for a grey image (Spanish, one thread, page segmentation mode `psm`)."""
    why = missing()
    if why is not None:
        raise TesseractMissing(why)
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:
        raise RuntimeError("the page image could not be encoded for Tesseract")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    cmd = ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", str(psm), "--dpi", str(round(dpi)), "tsv"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    with _RUNNING_LOCK:
        _RUNNING.add(proc)
    try:
        out, err = proc.communicate(encoded.tobytes(), timeout=timeout)
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"Tesseract failed (exit status {proc.returncode}): {err.decode(errors='replace').strip()[-300:]}")
    return out.decode("utf-8", errors="replace")


def parse_tsv(tsv: str) -> list[OcrWord]:
    """The words of Tesseract's TSV (level 5 rows with text), in its reading order."""
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        page, block, par, line = (int(v) for v in f[1:5])
        x, y, w, h = (int(v) for v in f[6:10])
        words.append(OcrWord(f[11].strip(), x, y, x + w, y + h, max(0.0, float(f[10])), (block, par, line, page)))
    return words


def recognise_words(image: np.ndarray, dpi: float, psm: int = 6) -> list[OcrWord]:
    """The words Tesseract reads in a grey image, with their boxes (pixels) and confidences."""
    return parse_tsv(run(image, dpi, psm))
