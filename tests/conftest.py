from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from poa.options import READERS

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))  # samples/ is not an installed package

SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.pdf"))


@lru_cache(maxsize=None)
def processed(name: str, engine: str = "pdfplumber", reader: str = READERS[0]):
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
    from poa.profile import load

    return load()


def cells(kind: str, *texts: str) -> dict[str, str]:
    """A row's cells by role, in the seed profile's column order ("" for the ones not given)."""
    roles = seed_profile().table(kind).roles
    return {role: (texts[i] if i < len(texts) else "") for i, role in enumerate(roles)}
