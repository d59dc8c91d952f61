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
    """Every folder with an __init__.py under a stage is a package of the distribution (an editable install finds
    it anyway; a wheel would not): setup.py finds them, and this holds what it finds to the folders."""
    from conftest import ROOT

    found = set(_setup()["packages"]())
    folders = {"poa" + "".join(f".{p}" for p in init.parent.relative_to(ROOT / stage).parts) if stage == "poa"
               else "poa." + ".".join(init.parent.relative_to(ROOT).parts)
               for stage in FOLDERS.values() for init in (ROOT / stage).rglob("__init__.py")}
    assert found == folders and {"poa.templates", "poa.extract.readers", "poa.core"} <= found


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


# ---------------------------------------------------------------- the structure: a kernel, one-way stages, no cycle

def _setup() -> dict:
    """setup.py's names (its FOLDERS, its packages()), without running setup()."""
    import runpy

    from conftest import ROOT

    return runpy.run_path(str(ROOT / "setup.py"), run_name="poa_setup")


FOLDERS = _setup()["FOLDERS"]  # import package → its folder


def modules() -> dict:
    """Every module of the distribution by its import name, from the folders pyproject.toml maps under `poa`."""
    from pathlib import Path

    from conftest import ROOT

    out: dict[str, Path] = {}
    for package, folder in FOLDERS.items():
        for f in (ROOT / folder).rglob("*.py"):
            parts = [p for p in f.relative_to(ROOT / folder).with_suffix("").parts if p != "__init__"]
            if package == "poa" and parts and parts[0] in ("templates",):
                continue
            out[".".join([package, *parts])] = f
    return out


def imports(name: str, path, known: set[str]) -> set[str]:
    """The modules of the distribution `name` imports, at its top or inside a function (either can close a
    cycle), leaving out `if TYPE_CHECKING:` blocks (never run) and its own ancestor packages (always loaded
    before it)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            subs = {f"{base}.{a.name}" for a in node.names} & known
            out |= subs or {base}
    return (out & known) - ancestors - {name}


def test_no_module_of_poa_imports_one_that_imports_it_back():
    """Import cycles hide in imports placed inside functions; there are none, at the top or inside."""
    found = modules()
    graph = {name: imports(name, path, set(found)) for name, path in found.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                cycles.append(sorted(part))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []




def test_stages_import_only_the_kernel_and_earlier_stages():
    """extract → normalize → validate → outputs, one way; the kernel (poa.core) imports no stage and nothing of
    the orchestration."""
    found = modules()
    order = ["poa.core", "poa.extract", "poa.normalize", "poa.validate", "poa.outputs"]

    def layer(name: str) -> int | None:
        return next((i for i, p in enumerate(order) if name == p or name.startswith(p + ".")), None)

    wrong = []
    for name, path in found.items():
        mine = layer(name)
        if mine is None:
            continue
        for other in imports(name, path, set(found)):
            theirs = layer(other)
            if theirs is None or theirs > mine:
                wrong.append(f"{name} imports {other}")
    assert wrong == []


def test_the_kernel_loads_no_stage_and_no_orchestrator(tmp_path):
    out = _run("import sys, poa.core.records, poa.core.keys, poa.core.profile, poa.core.vocab; "
               "print(' '.join(sorted(m for m in sys.modules if m.startswith('poa'))))", tmp_path)
    loaded = out.split()
    assert {"poa.core.records", "poa.core.profile"} <= set(loaded)
    assert [m for m in loaded if m != "poa" and not m.startswith("poa.core")] == []  # no stage, no orchestrator
