"""The Parquet contract analysts rely on, and the CLI over it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT, SAMPLES, processed
from poa.outputs import TABLES, dictionary_markdown, schema, write_report

from poa.batch import run
from poa.pipeline import UsageError, expand_inputs


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """The ruled and variant samples written the way `poa run` writes them."""
    d = tmp_path_factory.mktemp("out")
    for name in ("mmm-2016-s1-ruled", "mmm-2016-s2-ruled"):
        write_report(processed(name), d)
    return d


def test_each_table_is_a_folder_of_one_file_per_document(out):
    for table in TABLES:
        assert sorted(p.name for p in (out / table).glob("*.parquet")) == sorted(
            f"{processed(n).document.doc_id}.parquet" for n in ("mmm-2016-s1-ruled", "mmm-2016-s2-ruled"))


def test_pandas_reads_every_document_with_its_hierarchy(out):
    results = pd.read_parquet(out / "results")
    assert len(results) == 2 * 239
    assert results["doc_id"].nunique() == 2
    row = results[(results.code == "08-01.01.01-55") & (results.unit_number == "10")].iloc[0]
    assert row.direction == "DIRECCIÓN GENERAL DE ASUNTOS ADMINISTRATIVOS"
    assert row.unit_name == "Unidad Administrativa y de Recursos Humanos"
    assert row.area == "Área de Archivos:"
    assert row.group == "Ejecución Física Promedio de las Unidades de Asesoramiento y de Apoyo a las Areas Sustantivas"
    docs = pd.read_parquet(out / "documents").set_index("semester")
    assert list(docs.sort_index().obtained_date.astype(str)) == ["2016-06-30", "2016-12-31"]
    assert (docs.status == "ok").all()


def test_files_carry_exactly_the_contract_schema(out):
    for table in TABLES:
        for f in (out / table).glob("*.parquet"):
            assert pq.read_schema(f).remove_metadata() == schema(table)


def test_later_stage_columns_exist_before_they_are_filled(out):
    devs = pd.read_parquet(out / "deviations")
    assert {"result_id", "match_score", "match_method"} <= set(devs.columns)
    units = pd.read_parquet(out / "units")
    assert units.loc[units.level == "unit", "recomputed_physical_pct"].notna().all()


def test_data_dictionary_documents_every_column():
    assert (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8") == dictionary_markdown()


def committed_contract() -> dict[str, list[tuple[str, str]]]:
    """The Parquet contract as the committed data dictionary states it: each table's columns and Arrow types, in
    order, read from docs/data-dictionary.md (not from outputs/schema.py, which writes the files)."""
    import re

    tables: dict[str, list[tuple[str, str]]] = {}
    for line in (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            tables[line[3:].strip()] = []
        elif tables and (m := re.match(r"^\| `([^`]+)` \| ([^|]+?) \|", line)):
            tables[list(tables)[-1]].append((m.group(1), m.group(2)))
    return tables


def test_the_files_written_keep_the_committed_contract(out):
    """Every table's files have the columns and types the committed dictionary states, in its order: a column
    renamed, dropped, retyped or moved in the code shows here until the dictionary (the analysts' contract) is
    regenerated and committed with it."""
    import pyarrow.parquet as pq
    from poa.outputs.schema import type_text

    contract = committed_contract()
    assert set(contract) == set(TABLES) and all(contract.values())
    for table, columns in contract.items():
        for f in sorted((out / table).glob("*.parquet")):
            schema = pq.read_schema(f)
            assert [(field.name, type_text(field.type)) for field in schema] == columns, (table, f.name)


def test_no_temporary_files_are_left_behind(out):
    assert not [p for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_inputs_expand_folders_and_globs_and_refuse_what_names_nothing(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for p in ("a/x.pdf", "a/b/y.PDF", "a/notes.txt"):
        (tmp_path / p).write_bytes(b"%PDF")
    assert [p.name for p in expand_inputs([tmp_path / "a"])] == ["y.PDF", "x.pdf"]
    assert [p.name for p in expand_inputs([str(tmp_path / "a" / "*.pdf")])] == ["x.pdf"]
    with pytest.raises(UsageError, match="no such file"):
        expand_inputs([tmp_path / "missing.pdf"])
    with pytest.raises(UsageError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.docx")])


def test_a_bad_file_is_recorded_as_failed_and_the_batch_goes_on(tmp_path):
    shutil.copy(SAMPLES / "mmm-2016-s1-fpdf.pdf", tmp_path / "good.pdf")
    (tmp_path / "bad.pdf").write_bytes(b"this is not a pdf")
    outcomes = run([tmp_path], out=tmp_path / "out")
    status = {o.document.source_path.rsplit("/", 1)[-1]: (o.document.status, o.document.error) for o in outcomes}
    assert status["good.pdf"] == ("ok", None)
    assert status["bad.pdf"][0] == "failed" and "not a PDF" in status["bad.pdf"][1]
    assert "no %PDF- signature" in status["bad.pdf"][1]
    docs = pd.read_parquet(tmp_path / "out" / "documents")
    assert sorted(docs.status) == ["failed", "ok"]
    assert len(pd.read_parquet(tmp_path / "out" / "results")) == 239


@pytest.mark.slow  # runs the CLI five times: 4 s
def test_cli_exit_codes(tmp_path):
    poa = [sys.executable, "-m", "poa.cli"]
    ok = subprocess.run(poa + ["run", str(SAMPLES / "mmm-2016-s1-fpdf.pdf"), "--out", str(tmp_path)],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "239 results, 69 deviations" in ok.stdout
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    bad = subprocess.run(poa + ["run", str(tmp_path / "bad.pdf"), "--out", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1 and "FAILED" in bad.stderr and "bad.pdf" in bad.stderr
    usage = subprocess.run(poa + ["run", str(tmp_path / "nope.pdf")], capture_output=True, text=True, cwd=ROOT)
    assert usage.returncode == 2 and "no such file" in usage.stderr


def test_a_document_that_fails_leaves_no_rows_of_an_earlier_success(tmp_path):
    from dataclasses import replace

    from poa.core.records import Report

    report = processed("mmm-2016-s1-fpdf")
    write_report(report, tmp_path)
    failed = Report(replace(report.document, status="failed", error="timed out after 5 s"))
    write_report(failed, tmp_path)
    doc_id = report.document.doc_id
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"documents/{doc_id}.parquet"]
    assert pd.read_parquet(tmp_path / "documents").status.tolist() == ["failed"]


def test_the_run_summary_reads_whole_at_80_columns():
    """On an 80-column terminal the summary turns: a row per measure, so that no title is cut to "doc…"."""
    import io

    from rich.console import Console

    from poa.terminal import SUMMARY, summary_table

    rows = {"this run": [48, 47, 0, 1, 12, 0, 1085, 10325, 2966, 1508, 88],
            "the folder": [47, 47, 0, 0, "", "", 1085, 10325, 2966, 1508, 88]}
    for width in (80, 140):
        console = Console(file=io.StringIO(), width=width, color_system=None)
        console.print(summary_table("poa run → out/", rows, width))
        text = console.file.getvalue()
        assert "…" not in text and all(measure in text for measure in SUMMARY), text
        assert max(len(line) for line in text.splitlines()) <= width


def test_every_field_of_a_record_reaches_a_column_of_its_table():
    """A field renamed, or added to a record, without its column would be dropped from the Parquet without a
    word (ReadQuality.chars_total was). Each field is a column of its table, under its own name or the one
    rows_of gives it."""
    from dataclasses import fields

    from poa.outputs.schema import TABLES

    from poa.core.records import Deviation, Document, Finding, Leftover, Node, RawCell, ReadQuality, Result

    written_as = {"bbox": {"x0", "top", "x1", "bottom"}, "reasons": {"review_reasons"}, "quality": set()}
    for record, table in ((Result, "results"), (Deviation, "deviations"), (Node, "units"), (Finding, "findings"),
                          (Leftover, "leftovers"), (RawCell, "tables"), (Document, "documents"),
                          (ReadQuality, "documents")):
        columns = {name for name, _, _ in TABLES[table]}
        lost = [f.name for f in fields(record) if not written_as.get(f.name, {f.name}) <= columns]
        assert lost == [], f"{record.__name__}: {lost} reach no column of {table}"
