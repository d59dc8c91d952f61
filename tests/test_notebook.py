"""The analyst notebook in docs/ runs from top to bottom on real outputs and draws its picture."""

from __future__ import annotations

import json
import os

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def test_the_analyst_notebook_runs_and_draws_execution_by_unit_and_two_forms_side_by_side(tmp_path, monkeypatch):
    pytest.importorskip("duckdb", reason="duckdb is a dev dependency (pip install -e '.[dev]')")
    pytest.importorskip("matplotlib", reason="matplotlib is a dev dependency (pip install -e '.[dev]')")
    notebook = json.loads((ROOT / "docs" / "analyst.ipynb").read_text(encoding="utf-8"))
    monkeypatch.setenv("POA_ROOT", str(ROOT))
    monkeypatch.delenv("POA_OUT", raising=False)
    monkeypatch.chdir(tmp_path)
    scope: dict = {"__name__": "__main__"}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "analyst.ipynb", "exec"), scope)  # noqa: S102 - our own notebook
    figure = scope["FIGURE"]
    assert figure.is_file() and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and figure.stat().st_size > 10_000
    assert len(scope["by_result"]) == 239  # every result of the first semester found again in the second
    assert set(scope["execution"].columns) == {"2016-S1", "2016-S2"} and len(scope["execution"]) >= 20
    side = scope["side"]  # the seed's units beside the CNS evaluation's nine actions, each form by its template
    assert side.groupby("template").size().to_dict() == {"seguimiento-poa": len(scope["seed_units"]), "evaluacion-acp": 9}
    assert side.pct.notna().all() and scope["SIDE_BY_SIDE"].stat().st_size > 10_000
    assert os.environ.get("POA_OUT") is None
