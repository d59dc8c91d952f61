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


def imported(node, package: str, known: set[str]) -> set[str]:
    """The modules an import statement of a module in `package` names: a module of the distribution where it is
    one (`from .x import y`, y a module: x.y), else the module or library it is written with."""
    import ast

    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join(parts + ([node.module] if node.module else []))
    return {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}


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
        if id(node) not in skip and isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= imported(node, package, known)
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


# Libraries imported where they are used, never at a module's top: each costs its import time (or more) in every
# process that loads the module, most of which never use it.
HEAVY = {
    "numpy": "a fifth of a second; only the OCR and the pixel work use it",
    "pandas": "half a second; only poa.tables, poa.read and the checks' DataFrames need it",
    "pyarrow": "a fifth of a second; only writing and reading Parquet",
    "pypdfium2": "the PDFium reader and the page images, loaded with the C library",
    "pypdfium2_raw": "PDFium's raw bindings, with the library",
    "pdfplumber": "the pdfplumber reader only (--reader pdfplumber)",
    "pdfminer": "the pdfplumber reader's PDF parser",
    "camelot": "the camelot engine only (--engine camelot), with OpenCV",
    "cv2": "OpenCV: the OCR's page cleaning and camelot",
    "PIL": "Pillow: page images",
    "great_expectations": "seconds; only --gx",
    "rapidfuzz": "the fuzzy matching of deviations to results",
    "dask": "only --executor dask",
    "distributed": "only --executor dask",
    "rich": "the terminal's progress and summary, not poa's library use",
    "openpyxl": "the workbook reader, only where one is read back",
    "cffi": "the C glyph loop's fallback",
}
# Modules that load on demand by design, each for one reason.
ON_DEMAND = {
    "poa": "import poa loads nothing until poa.run, process, read or tables is used (PEP 562)",
    "poa.cli": "each subcommand loads only what it needs: poa --help and poa correct never load the stages",
    "poa.extract.engines": "only the engine asked for (geometry or camelot) is loaded",
    "poa.extract.readers": "only the page reader asked for (pdfium or pdfplumber) is loaded",
    "poa.batch.worker": "the parent loads every module a worker needs before it forks, by name (preload)",
}


def top_level_imports(name: str, path, known: set[str]) -> set[str]:
    """What module `name` imports when it is loaded (its top, not its functions; not `if TYPE_CHECKING:`), each as a
    module of the distribution where it is one, else as the library's name."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            todo += node.body + node.orelse + getattr(node, "finalbody", []) + [
                n for h in getattr(node, "handlers", []) for n in h.body]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= imported(node, package, known)
    return out


def test_imports_stand_at_the_top_of_modules_but_heavy_libraries_and_loading_on_demand():
    """An import inside a function hides a module's dependencies and can hide a cycle: it is there only to keep a
    heavy library (HEAVY, or a module of poa that loads one as it is imported) out of processes that do not use
    it, or where a module loads on demand by design (ON_DEMAND), each with its reason."""
    import ast

    from conftest import ROOT

    found = modules()
    top = {name: top_level_imports(name, path, set(found)) for name, path in found.items()}
    heavy: dict[str, bool] = {}

    def is_heavy(module: str, seen: frozenset = frozenset()) -> bool:
        if module.split(".")[0] in HEAVY:
            return True
        if module not in found or module in seen:
            return False
        if module not in heavy:
            parents = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)} & set(found)
            heavy[module] = any(is_heavy(m, seen | {module}) for m in top[module] | parents)
        return heavy[module]

    misplaced = []
    for name, path in found.items():
        if name in ON_DEMAND:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        in_functions = {id(n): n for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                        for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for node in in_functions.values():
            if not all(is_heavy(t) for t in imported(node, package, set(found))):
                misplaced.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert misplaced == [], "\n".join(misplaced)


def test_every_library_poa_imports_is_declared():
    """A library imported by poa's code is one of its declared dependencies (or of an extra, for the code that
    only runs with it), not one that merely arrives with another: that one could drop it in any release."""
    import ast
    import importlib.metadata as metadata
    import re
    import sys
    import tomllib

    from conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["cluster"]
    # a requirement's name, and the names of the extras it asks for (dask[distributed] brings distributed)
    declared = {n.lower().replace("_", "-") for r in requirements for n in re.findall(r"^[\w.-]+|(?<=[\[,])\s*[\w.-]+", r)}
    by_module = metadata.packages_distributions()
    own = {name.split(".")[0] for name in modules()} | set(FOLDERS.values())
    undeclared = set()
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                for top in {(a.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
                            for a in node.names}:
                    if top in sys.stdlib_module_names or top in own or top == "__future__":
                        continue
                    dists = {d.lower().replace("_", "-") for d in by_module.get(top, [top])}
                    if not dists & declared:
                        undeclared.add(f"{top} ({', '.join(sorted(dists))}) in {path.relative_to(ROOT)}")
    assert sorted(undeclared) == []


def test_no_module_is_over_450_lines():
    """A module of one job reads whole; past 450 lines it holds more than one (split it by what each part does)."""
    long = {str(path): n for path in modules().values() if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}
