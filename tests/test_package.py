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


def test_every_subpackage_of_the_stages_is_installed():
    """A folder with an __init__.py under a stage is a package the distribution must list (an editable
    install finds it anyway; a wheel would not)."""
    import tomllib

    from conftest import ROOT

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    for stage in ("extract", "normalize", "validate", "outputs"):
        for init in (ROOT / stage).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            assert "poa." + ".".join(parts) in listed, init


def test_the_code_is_lint_clean():
    """ruff, with the rules in pyproject.toml: unused names, import order, likely bugs."""
    import shutil

    from conftest import ROOT

    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    if ruff is None:
        import pytest

        pytest.skip("ruff is a dev dependency (pip install -e '.[dev]')")
    done = subprocess.run([ruff, "check", "--output-format", "concise", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
