from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))  # samples/ is not an installed package

SAMPLE_NAMES = sorted(p.stem for p in SAMPLES.glob("*.pdf"))


@lru_cache(maxsize=None)
def processed(name: str, engine: str = "pdfplumber", reader: str = "pdfplumber"):
    """Each sample goes through the pipeline once per test session, whatever the number of tests reading it."""
    from poa import process

    return process(SAMPLES / f"{name}.pdf", engine=engine, reader=reader)


def expected(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(params=SAMPLE_NAMES)
def sample(request):
    return request.param
