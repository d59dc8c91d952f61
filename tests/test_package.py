"""The distribution installs one import namespace, `poa`; its stages are `poa.extract` … `poa.outputs`."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str, cwd) -> str:
    """Python of this venv, started outside the repository so that its top-level folders are not on the path."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout


def test_the_distribution_provides_only_the_poa_package(tmp_path):
    out = _run("import importlib.metadata as m; print(sorted(k for k, v in m.packages_distributions().items() "
               "if 'poa' in v))", tmp_path)
    assert out.split() == ["['poa']"]


def test_stage_names_are_free_for_other_distributions(tmp_path):
    """configobj installs a top-level `validate`: with ours under `poa`, it (or nothing) is what `import validate` finds."""
    out = _run("import importlib.util as u; print([u.find_spec(n) is None or 'poa' not in (u.find_spec(n).origin or '') "
               "for n in ('extract', 'normalize', 'validate', 'outputs')])", tmp_path)
    assert out.strip() == "[True, True, True, True]"


def test_stages_import_under_poa(tmp_path):
    out = _run("import poa.extract, poa.normalize, poa.validate, poa.outputs; print('ok')", tmp_path)
    assert out.strip() == "ok"


def test_pipeline_version_names_the_release_and_changes_with_the_pdf_libraries(monkeypatch):
    from poa import __version__, version

    before = version.pipeline_version()
    assert before.startswith(__version__ + "+")
    version.pipeline_version.cache_clear()
    monkeypatch.setattr(version, "library_versions", lambda: {"pdfplumber": "0.0.0"})
    try:
        assert version.pipeline_version() != before
    finally:
        version.pipeline_version.cache_clear()
