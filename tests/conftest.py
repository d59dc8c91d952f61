from __future__ import annotations

import fcntl
import json
import os
import pickle
import sys
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import pytest

from poa.core.options import READERS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))  # samples/ is not an installed package

SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.pdf"))
T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked long first, then the other slow ones, the quick ones last (each in the order collected).
    `pytest -n` with `--dist worksteal` (pyproject) hands each worker a run of this list and lets a worker that
    has run out take the far end of another's: a long test is never taken late, to run on alone while the other
    workers wait, and the quick ones at the end even the workers out."""
    items.sort(key=lambda item: (item.get_closest_marker("long") is None, item.get_closest_marker("slow") is None))


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this run that every worker of `pytest -n` sees (the parent of the workers' own temp folders),
    or the session's own without workers: what one worker makes there, the others find."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    folder.mkdir(exist_ok=True)
    return folder


def made_once(folder: Path, key: str, make: Callable[[], T]) -> T:
    """`make()` made once in the run, by whichever worker of `pytest -n` asks first: the others wait for it (a
    lock file per key) and read it back (pickled in `folder`) instead of making it again. Tests that share a
    costly read run on whichever worker the scheduler picks (`--dist loadgroup` cannot keep them together: under
    pytest 9.2 it groups nothing, pytest-xdist#1386). A `make()` that raises leaves nothing: the next one asking
    makes it again."""
    done = folder / f"{key}.pickle"
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if done.exists():
            return pickle.loads(done.read_bytes())
        value = make()
        part = folder / f"{key}.part"  # whole or absent, should this worker be killed as it writes
        part.write_bytes(pickle.dumps(value))
        part.replace(done)
        return value


class Cached:
    """A page source over pages read once: a read through it costs the geometry and the checks, not the reading
    (pdfplumber's reader takes seconds a document)."""

    def __init__(self, path: str, pages: list):
        self.path, self.pages = path, pages

    def __len__(self) -> int:
        return len(self.pages)

    def __iter__(self):
        return iter(self.pages)

    def close(self) -> None:
        pass


def pages_of(path: Path, reader: str | None = None) -> list:
    """Every page of `path` as `reader` (default: poa's) gives it."""
    from poa.extract.readers import open_source

    source = open_source(path, reader) if reader else open_source(path)
    try:
        return list(source)
    finally:
        source.close()


@contextmanager
def reading_from(path: Path, pages: list):
    """`poa.process(path)` inside reads `pages` instead of opening the file again."""
    from poa.extract.engines import geometry

    real = geometry.open_source
    geometry.open_source = lambda p, reader=None, ocr="auto", watch=None: (
        Cached(str(p), pages) if Path(p) == Path(path) else real(p, reader, ocr, *([watch] if watch else [])))
    try:
        yield
    finally:
        geometry.open_source = real


@lru_cache(maxsize=None)
def processed(name: str, engine: str = "geometry", reader: str = READERS[0]):
    """Each sample goes through the pipeline once per test session, whatever the number of tests reading it."""
    from poa import process

    return process(SAMPLES / f"{name}.pdf", engine=engine, reader=reader)


def expected(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(params=SAMPLE_NAMES)
def sample(request):
    return request.param


def mini_seed():
    """Two units of the seed, a group row and a few deviation rows: a report of two or three pages."""
    from dataclasses import replace

    from samples.seed import read_seed

    seed = read_seed()
    cut = next(i for i, r in enumerate(seed.results) if r.kind == "unit" and r.number == "03")
    results = seed.results[:cut] + [r for r in seed.results if r.kind == "group"][:1]
    return replace(seed, results=results, deviations=seed.deviations[:4])


@pytest.fixture(scope="module")
def mini_pdf(tmp_path_factory) -> Path:
    """The mini report, ruled landscape (reportlab)."""
    from samples.generate import render_reportlab

    path = tmp_path_factory.mktemp("mini") / "mini.pdf"
    render_reportlab(mini_seed(), path, landscape_ruled=True)
    return path


def pdf_of(objs: list[bytes]) -> bytes:
    """A well-formed PDF around the given objects (object 1 the catalog), with its cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def seed_profile():
    """The seed's family's template profile, as the pipeline loads it."""
    from poa.core.profiles import load

    return load()


def cells(kind: str, *texts: str) -> dict[str, str]:
    """A row's cells by role, in the seed profile's column order ("" for the ones not given)."""
    roles = seed_profile().table(kind).roles
    return {role: (texts[i] if i < len(texts) else "") for i, role in enumerate(roles)}
