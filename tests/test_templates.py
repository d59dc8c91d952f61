"""Templates as data: a user describes a report family poa has never seen in a profile file, and poa reads it
exactly; broken profiles are refused naming the field; no family is claimed by another's profile; and the code
knows no family but through a profile.

The family: a departmental government's quarterly POA evaluation (`samples/departmental.py`), printed by
LibreOffice Writer and by Chromium — columns retitled, codes 1.2.3.4, three levels (Secretaría Departamental →
Dirección → Unidad), the third quarter of 2019, the causes of deviation in a column of the results table, its
own rule (a result under 50 % states its cause), and three faults planted.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from samples import departmental

POA = [sys.executable, "-m", "poa.cli"]
PRODUCERS = {"writer": "soffice", "chromium": "chromium"}


def poa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*POA, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("templates")


@pytest.fixture(scope="module")
def profile_file(folder) -> Path:
    """The profile a user writes for the family (as the README's "Reading another template" shows)."""
    path = folder / "evaluacion-departamental.toml"
    path.write_text(departmental.PROFILE, encoding="utf-8")
    return path


@lru_cache(maxsize=None)
def printed(folder: Path, producer: str) -> Path:
    path = folder / f"departamental-{producer}.pdf"
    departmental.render(producer, path)
    return path


def needs(producer: str) -> None:
    if shutil.which(PRODUCERS[producer]) is None:
        pytest.skip(f"{PRODUCERS[producer]} is not installed (make test installs it with apt-get)")


# ---------------------------------------------------------------- a family read through a profile file


@pytest.mark.slow  # prints with LibreOffice or Chromium
@pytest.mark.parametrize("producer", PRODUCERS)
def test_a_family_described_in_a_profile_file_is_read_exactly(folder, profile_file, producer):
    from poa import process

    needs(producer)
    report = process(printed(folder, producer), template=str(profile_file))
    want = departmental.expected()
    doc = report.document
    assert doc.status == "ok", (doc.error, doc.quality.reasons)
    assert (doc.entity, doc.period, doc.obtained_date, doc.template) == (
        want["entity"], want["period"], want["obtained_date"], "evaluacion-departamental")
    bare = lambda t: "".join(t.split())  # noqa: E731  (a producer may break a line after a hyphen)
    assert [(r.code, bare(r.expected), bare(r.obtained), r.physical_pct, bare(r.cause), r.levels)
            for r in report.results] == [
        (w["code"], bare(w["expected"]), bare(w["obtained"]), w["physical_pct"], bare(w["cause"]), w["levels"])
        for w in want["results"]]
    # every printed average recomputed by the family's arithmetic, over its three levels and the total
    got = sorted((n.level, n.name, round(n.recomputed_physical_pct, 4), n.reported_physical_pct) for n in report.nodes)
    assert got == [(n["level"], n["name"], n["recomputed"], n["printed"]) for n in want["nodes"]]
    # the family's own rule (a cause for a result under 50 %, in its column) and the planted faults, no more
    subjects = {r.result_id: r.code for r in report.results} | {n.node_id: n.name for n in report.nodes}
    found = {(f.check, subjects[f.subject_id]) for f in report.findings
             if f.check in ("average_mismatch", "deviation_missing", "deviation_unneeded", "pct_missing")}
    assert sorted(found) == want["findings"]


@pytest.mark.slow  # prints with LibreOffice or Chromium
def test_a_family_no_installed_profile_covers_fails_saying_so(folder):
    from poa import process

    needs("chromium")
    doc = process(printed(folder, "chromium")).document
    assert doc.status == "failed"
    assert ("no header with the column titles of the templates evaluacion-acp, evaluacion-eficacia, evaluacion-poi, "
            "seguimiento-acp-ponderado, seguimiento-poa") in doc.error


@pytest.mark.slow  # prints with LibreOffice or Chromium
@pytest.mark.parametrize("which", ["seed-as-departmental", "departmental-as-seed"])
def test_no_family_is_read_as_another(folder, profile_file, which):
    """Every pair of templates: a document of one family is never claimed by the other's profile."""
    from poa import process

    if which == "seed-as-departmental":
        doc = process(SAMPLES / "mmm-2016-s1-ruled.pdf", template=str(profile_file)).document
    else:
        needs("writer")
        doc = process(printed(folder, "writer"), template="seguimiento-poa").document
    assert doc.status == "failed" and "no POA results or deviations table found" in doc.error


@pytest.mark.slow  # prints with LibreOffice or Chromium
def test_the_cli_reads_with_a_profile_file_and_records_it(folder, profile_file, tmp_path):
    needs("chromium")
    done = poa("run", printed(folder, "chromium"), "--out", tmp_path / "out", "--template", profile_file, "--quiet")
    assert done.returncode == 0, done.stderr
    import pyarrow.parquet as pq

    (doc,) = pq.read_table(tmp_path / "out" / "documents").to_pylist()
    assert (doc["template"], doc["period"], doc["template_fit"]) == ("evaluacion-departamental", "2019-Q3", 1.0)
    results = pq.read_table(tmp_path / "out" / "results").to_pylist()
    assert results[0]["levels"] and dict(results[0]["levels"])["unidad"].startswith("UNIDAD DE")


# ---------------------------------------------------------------- poa templates, check, inspect


def test_templates_lists_the_installed_profiles():
    done = poa("templates")
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        "evaluacion-acp", "evaluacion-eficacia", "evaluacion-poi", "seguimiento-acp-ponderado", "seguimiento-poa"]


BROKEN = [
    ("code.pattern", "the regular expression", lambda s: s.replace(r"(?P<sequence>\d+)'", r"(?P<sequence>\d+'")),
    ("tables[0].columns[3].role", "'fisico' is not a role", lambda s: s.replace('role = "physical"', 'role = "fisico"')),
    ("deviations.where", "no column with the role 'cause'",
     lambda s: s.replace('    { role = "cause", titles = [\'^(causa|desviac)\'] },\n', "")),
    ("deviations.threshold", "no column with the role 'physical'",
     lambda s: s.replace('    { role = "physical", titles = [\'^fisic\'] },\n', "")),
    ("code.pattern", "no group named 'objective'", lambda s: s.replace("?P<objective>", "?P<objetivo>")),
    ("levels", "exactly one level that results hang under", lambda s: s.replace("results = true\n", "")),
    ("levels[1].name", "is taken", lambda s: s.replace('name = "direccion"', 'name = "secretaria"')),
    ("title", "missing", lambda s: s.replace('title = "Evaluación', 'titulo = "Evaluación').replace("titulo", "#")),
    ("tables[0].columns[0].titles[0]", "does not compile", lambda s: s.replace("titles = ['^codigo']", "titles = ['^(codigo']")),
    ("deviations.threshold", "must be a int or float", lambda s: s.replace("threshold = 50", 'threshold = "50"')),
    ("rows.totl", "unknown field", lambda s: s.replace("total = '^total", "totl = '^total")),
]


@pytest.mark.parametrize("field,problem,breaking", BROKEN, ids=[b[0] + ":" + b[1][:20] for b in BROKEN])
def test_templates_check_refuses_a_broken_profile_naming_the_field(tmp_path, field, problem, breaking):
    broken = breaking(departmental.PROFILE)
    assert broken != departmental.PROFILE
    path = tmp_path / "broken.toml"
    path.write_text(broken, encoding="utf-8")
    done = poa("templates", "check", path)
    assert done.returncode == 1, done.stdout
    assert f"{field}:" in done.stderr and problem in done.stderr, done.stderr


def test_templates_check_accepts_every_profile_it_ships_and_a_users(profile_file):
    for path in sorted((ROOT / "poa" / "templates").glob("*.toml")) + [profile_file]:
        done = poa("templates", "check", path)
        assert done.returncode == 0 and done.stdout.startswith("valid "), done.stderr


def test_inspect_shows_how_a_document_that_fails_was_read(tmp_path):
    """The departmental evaluation (a family no installed profile covers) fails: inspect still says which
    profiles fit how well, why it failed, and draws its pages."""
    pdf = ROOT / "docs" / "examples" / "departamental-2019-q3.pdf"
    done = poa("inspect", pdf, "--out", tmp_path)
    assert done.returncode == 1, done.stderr
    assert "status: failed" in done.stdout and "seguimiento-poa" in done.stdout and "evaluacion-acp" in done.stdout
    (page,) = (tmp_path / "review").glob("*.html")
    assert "No leído" in page.read_text(encoding="utf-8") and list((tmp_path / "review").glob("*/p1.png"))


@pytest.mark.slow  # prints with LibreOffice or Chromium
def test_inspect_maps_every_header_title_to_its_role(folder, profile_file):
    needs("writer")
    done = poa("inspect", printed(folder, "writer"), "--template", profile_file, "--rows", "3")
    assert done.returncode == 0, done.stderr
    for title, role in (("'CÓDIGO'", "code"), ("'RESULTADO PROGRAMADO'", "expected"), ("'CAUSAS DE DESVIACIÓN'", "cause")):
        assert re.search(rf"{re.escape(title)}\s+→ {role}", done.stdout), done.stdout
    assert "hierarchy: 2 Secretaría Departamental, 4 Dirección, 8 Unidad, 1 Total" in done.stdout


# ---------------------------------------------------------------- no family's knowledge in the code


# What recognised the seed's family in code before profiles: its code pattern, the stem that named its results
# table, its levels' and group rows' words (the Spanish names of poa's own roles, "resultado obtenido", are no such
# knowledge: they label the role, whatever a family titles its column).
FAMILY_WORDS = re.compile(r"\\d\{2\}-\\d\{2\}|NN-NN|\bobtenid\b|viceminister|direcci[oó]n general|"
                          r"ejecuci[oó]n f[ií]sica promedio", re.IGNORECASE)
SCHEMA_COLUMNS = {"viceministry", "direction", "area"}  # the Parquet contract's names for a result's levels


def _code_strings(path: Path):
    """Every string and number constant of a module's code, docstrings left out (they may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_report_family_is_known_to_the_code_but_through_its_profile():
    found = []
    for folder in ("extract", "normalize", "validate", "outputs", "poa"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for line, value in _code_strings(path):
                where = f"{path.relative_to(ROOT)}:{line}"
                if isinstance(value, str) and FAMILY_WORDS.search(value) and not path.name == "schema.py":
                    found.append((where, value[:60]))
                elif isinstance(value, str) and value in SCHEMA_COLUMNS and path.name != "schema.py":
                    found.append((where, value))
                elif isinstance(value, (int, float)) and not isinstance(value, bool) and value == 35:
                    found.append((where, value))
    assert found == []


def test_the_readmes_worked_example_reads_as_it_says():
    """The README's "Reading another template", as written: the example profile is the family's, the example
    report fails without it and reads whole with it."""
    from poa import process

    example = ROOT / "docs" / "examples"
    assert (example / "evaluacion-departamental.toml").read_text(encoding="utf-8") == departmental.PROFILE
    pdf = example / "departamental-2019-q3.pdf"
    assert process(pdf).document.status == "failed"
    report = process(pdf, template=str(example / "evaluacion-departamental.toml"))
    assert (report.document.status, len(report.results), report.document.period) == ("ok", 45, "2019-Q3")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    levels = ", ".join(f"{n} {report.template.label(level)}" for level, n in Counter(u.level for u in report.nodes).items())
    assert f"(`{levels}`)" in readme
