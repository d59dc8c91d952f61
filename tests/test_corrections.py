"""Corrections: a person's fix of a misread cell changes the value, the averages and the findings, is kept
beside its original, and one that no longer finds its row is reported, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, processed

from poa.core import corrections as fix
from poa.core.corrections import Correction, CorrectionError

PLANTED = SAMPLES / "mmm-2016-s1-planted.pdf"


def run(**kw):
    from poa.pipeline import process

    return process(PLANTED, reader="pdfium", **kw)


@pytest.fixture(scope="module")
def planted():
    return processed("mmm-2016-s1-planted", reader="pdfium")


def unit(report, number):
    return next(n for n in report.nodes if n.level == "unit" and n.number == number)


def test_a_corrected_percentage_changes_the_value_the_recomputed_average_and_the_findings(planted):
    # Unit 02 prints 58 % (planted); its eight results read 50 % each. Say two of them were misread and are
    # really 82 %: the mean is then (6 × 50 + 2 × 82) / 8 = 58, and the printed figure is right after all.
    targets = [r for r in planted.results if r.unit_number == "02"][:2]
    assert unit(planted, "02").recomputed_physical_pct == 50
    assert any(f.check == "average_mismatch" and f.subject_id == unit(planted, "02").node_id for f in planted.findings)
    cs = [Correction(planted.document.doc_id, "results", t.result_key, "physical_pct", "82", "vuelto a leer", "ana",
                     "2026-11-26") for t in targets]
    report = run(corrections=cs)
    fixed = [r for r in report.results if r.result_key in {t.result_key for t in targets}]
    assert [r.physical_pct for r in fixed] == [82, 82]
    assert [r.physical_raw for r in fixed] == [t.physical_raw for t in targets]  # the raw text stays as printed
    assert unit(report, "02").recomputed_physical_pct == pytest.approx(58)
    assert not any(f.check == "average_mismatch" and f.subject_id == unit(report, "02").node_id for f in report.findings)
    assert [(a.status, a.original, a.subject_id) for a in report.corrections] == [
        ("applied", "50%", r.result_id) for r in fixed]  # what the PDF printed, not the figure read from it
    notes = [f for f in report.findings if f.check == "correction_applied"]
    assert len(notes) == 2 and all("ana" in f.message and "vuelto a leer" in f.message for f in notes)
    assert "En el PDF se leyó «50%»; se fijó «82» (por ana el 26/11/2026)" in notes[0].message
    assert f"avance físico del resultado {targets[0].code_raw}" in notes[0].message
    import poa

    table = poa.tables(report)["corrections"]
    assert list(table.status) == ["applied"] * 2 and list(table.original) == ["50%"] * 2
    assert [list(r.corrected) for r in fixed] == [["physical_pct"]] * 2
    assert all(r.corrected == [] for r in report.results if r not in fixed)


def test_repeated_corrections_of_a_cell_keep_what_the_pdf_read_and_apply_the_last(planted):
    t = next(r for r in planted.results if r.unit_number == "02")
    doc = planted.document.doc_id
    cs = [Correction(doc, "results", t.result_key, "physical_pct", v, "", "ana", "2026-11-26") for v in ("150", "82")]
    report = run(corrections=cs)
    (fixed,) = [r for r in report.results if r.result_key == t.result_key]
    assert fixed.physical_pct == 82 and fixed.corrected == ["physical_pct"]
    assert [a.original for a in report.corrections] == [t.physical_raw, t.physical_raw]
    notes = [f.message for f in report.findings if f.check == "correction_applied"]
    assert all(f"se leyó «{t.physical_raw}»" in m for m in notes) and not any("«150" in m.split("se fijó")[0] for m in notes)


def test_a_blank_cell_corrected_says_it_was_blank(planted):
    t = next(r for r in planted.results if r.physical_pct is None)
    report = run(corrections=[Correction(planted.document.doc_id, "results", t.result_key, "physical_pct", "40")])
    (fixed,) = [r for r in report.results if r.result_key == t.result_key]
    assert (fixed.physical_pct, fixed.physical_raw, fixed.corrected) == (40, "", ["physical_pct"])
    (note,) = [f.message for f in report.findings if f.check == "correction_applied"]
    assert "En el PDF se leyó en blanco; se fijó «40»" in note and "None" not in note


def test_a_corrected_code_reads_as_a_code_and_keeps_its_printed_form(planted):
    dev = next(d for d in planted.deviations if d.code_raw.startswith("O8"))  # planted: O8-01.0l.01-07
    c = Correction(planted.document.doc_id, "deviations", dev.deviation_key, "code", "08-01.01.01-07")
    report = run(corrections=[c])
    fixed = next(d for d in report.deviations if d.deviation_key == dev.deviation_key)
    assert (fixed.code, fixed.code_raw) == ("08-01.01.01-07", "08-01.01.01-07")
    assert not any(f.check == "code_repaired" and f.subject_id == fixed.deviation_id for f in report.findings)


def test_a_correction_whose_row_is_gone_is_reported_stale_never_dropped(planted):
    c = Correction(planted.document.doc_id, "results", "ministerio/unidad-que-no-existe/08-01.01.01-01",
                   "physical_pct", "40")
    report = run(corrections=[c])
    (stale,) = report.corrections
    assert stale.status == "stale" and "no row" in stale.reason
    assert any(f.check == "correction_stale" and "no se pudo aplicar" in f.message for f in report.findings)


def test_a_correction_of_the_wrong_kind_is_refused_when_written(tmp_path):
    with pytest.raises(CorrectionError, match="not a percentage"):
        fix.add(tmp_path, Correction("d", "results", "k", "physical_pct", "cincuenta"))
    with pytest.raises(CorrectionError, match="columns a correction may set"):
        fix.add(tmp_path, Correction("d", "results", "k", "seq", "3"))
    assert not (tmp_path / fix.FILE).exists()


def test_corrections_file_keeps_every_correction_and_its_fingerprint_follows_it(tmp_path):
    a = fix.add(tmp_path, Correction("d1", "results", "k", "physical_pct", "50", "nota, con coma", "ana"))
    fix.add(tmp_path, Correction("d2", "units", "u", "name", "Unidad Financiera"))
    loaded = fix.load(tmp_path)
    assert [c.doc_id for c in loaded] == ["d1", "d2"] and loaded[0] == a and a.date  # dated when written
    assert fix.fingerprint(fix.for_document(loaded, "d1")) != fix.fingerprint([])
    assert fix.fingerprint(fix.for_document(loaded, "d1")) == fix.fingerprint([a])


@pytest.mark.slow
def test_a_correction_made_with_poa_correct_lasts_through_force_and_another_reader_and_shows_in_review(tmp_path, capsys):
    """The archivist's round trip, through the CLI: run, correct, run again (plain, --force, another reader):
    the value, the averages and the findings follow the correction every time, and the review page marks it."""
    import pandas as pd

    from poa.cli import main

    out = tmp_path / "out"
    assert main(["run", str(PLANTED), "--out", str(out), "--quiet"]) == 0
    results = pd.read_parquet(out / "results")
    target = results[(results.unit_number == "02")].iloc[0]
    doc_id = target.doc_id
    for key in results[(results.unit_number == "02")].result_key[:2]:
        assert main(["correct", str(out), doc_id[:8], "results", key, "physical_pct", "82", "--note", "leído 50",
                     "--author", "ana"]) == 0
    assert main(["correct", str(out), doc_id, "results", "m/no-existe/08-01.01.01-01", "physical_pct", "10"]) == 2
    assert "has no row with the key" in capsys.readouterr().err  # poa correct refuses it; by hand it is written…
    fix.add(out, Correction(doc_id, "results", "m/no-existe/08-01.01.01-01", "physical_pct", "10"))  # …and stale

    def check() -> None:
        units = pd.read_parquet(out / "units").set_index("number")
        assert units.loc["02"].recomputed_physical_pct == pytest.approx(58)
        fixes = pd.read_parquet(out / "corrections")
        assert sorted(fixes.status) == ["applied", "applied", "stale"]
        assert list(fixes[fixes.status == "applied"].original) == ["50%", "50%"]  # as printed
        checks = set(pd.read_parquet(out / "findings").check)
        assert {"correction_applied", "correction_stale"} <= checks
        html = (out / "review" / f"{doc_id}.html").read_text(encoding="utf-8")
        assert html.count("corregida a mano") >= 3  # the legend and the two corrected cells

    for extra in ([], ["--force"], ["--reader", "pdfplumber"]):
        assert main(["run", str(PLANTED), "--out", str(out), *extra]) == 0
        printed = capsys.readouterr().out
        check()
    assert "redone" in printed and "reader pdfium before, now pdfplumber" in printed


def test_poa_correct_refuses_what_it_cannot_apply(tmp_path, capsys):
    from poa.cli import main

    out = tmp_path / "out"
    assert main(["run", str(PLANTED), "--out", str(out), "--quiet"]) == 0
    import pandas as pd

    doc_id = pd.read_parquet(out / "documents").doc_id[0]
    assert main(["correct", str(out), doc_id, "results", "k", "physical_pct", "mucho"]) == 2
    assert main(["correct", str(out), "ffff", "results", "k", "physical_pct", "5"]) == 2
    err = capsys.readouterr().err
    assert "not a percentage" in err and "ffff: no document" in err and "has this id" in err
    # a key no row has: refused (it could only ever be stale), with the nearest keys
    key = pd.read_parquet(out / "results").result_key[0]
    typo = key.replace("despacho", "despaho")  # a letter lost copying it by hand
    assert typo != key and main(["correct", str(out), doc_id, "results", typo, "physical_pct", "5"]) == 2
    err = capsys.readouterr().err
    assert "has no row with the key" in err and err.split("the nearest: ")[1].startswith(repr(key))
    assert not (out / "corrections.csv").exists()
    # accepted: it says what the PDF printed, a blank as blank (it said "(now 'None')")
    results = pd.read_parquet(out / "results")
    blank = results[results.physical_pct.isna()].result_key.iloc[0]
    printed = results[results.physical_raw == "150%"].result_key.iloc[0]
    assert main(["correct", str(out), doc_id, "results", blank, "physical_pct", "40"]) == 0
    assert "(the PDF reads it blank)" in capsys.readouterr().out
    assert main(["correct", str(out), doc_id, "results", printed, "physical_pct", "15"]) == 0
    assert "(the PDF reads '150%')" in capsys.readouterr().out


# ---------------------------------------------------------------- the file under attack (concurrency, hand edits)


def _add_one(out: str, n: int) -> None:
    from poa.core.corrections import Correction, add

    add(Path(out), Correction("a" * 16, "results", f"k/08-01.01.01-{n:02d}", "physical_pct", f"{n}%"))


def test_concurrent_poa_correct_lose_no_correction(tmp_path):
    """Twelve writers at once: each reads the file and writes it again whole, one at a time under a lock."""
    import multiprocessing

    from poa.core.corrections import load

    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_one, args=(str(tmp_path), n)) for n in range(12)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert all(w.exitcode == 0 for w in workers)
    assert sorted(c.value for c in load(tmp_path)) == sorted(f"{n}%" for n in range(12))
    assert not list(tmp_path.glob(".corrections.csv.*"))  # no temp file left


def test_a_corrections_file_from_a_spreadsheet_reads_as_written(tmp_path):
    """A byte-order mark, a doc_id in capitals with spaces around it, a field of 200 KB: read, never dropped."""
    from poa.core.corrections import FILE, load

    big = "x" * 200_000
    (tmp_path / FILE).write_text("doc_id,table,key,column,value,note,author,date\n"
                                 f"  ABCDEF0123456789 ,results,k/1,expected,{big},,,\n", encoding="utf-8-sig")
    (c,) = load(tmp_path)
    assert (c.doc_id, c.table, c.value) == ("abcdef0123456789", "results", big)


def test_a_corrections_file_without_a_needed_column_is_refused_naming_it(tmp_path):
    from poa.core.corrections import FILE, CorrectionsFileError, load

    (tmp_path / FILE).write_text("doc_id,table,key,column\nabc,results,k,physical_pct\n", encoding="utf-8")
    with pytest.raises(CorrectionsFileError, match=r"corrections.csv: line 1, the header, has no column 'value'"):
        load(tmp_path)


@pytest.mark.parametrize("value", ["-50%", "9" * 400 + "%", "inf", "1001 %"])
def test_a_percentage_no_report_prints_is_refused_when_written_and_when_read(tmp_path, value):
    from poa.core.corrections import Correction, CorrectionError, add, check

    c = Correction("a" * 16, "results", "k/1", "physical_pct", value)
    with pytest.raises(CorrectionError):
        add(tmp_path, c)
    with pytest.raises(CorrectionError):
        check(c)


def test_a_correction_of_a_failed_document_or_of_no_document_is_reported_every_run(tmp_path, capsys):
    """Never dropped without a word: a failed document's corrections come back stale, saying it was not read; a
    doc_id no document of the folder has (mistyped, shortened) is named in the run's summary."""
    import pyarrow.parquet as pq

    from poa import run
    from poa.cli import main
    from poa.core.corrections import add

    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\nnot really a PDF\n")
    out = tmp_path / "out"
    (failed,) = run([tmp_path / "bad.pdf"], out=out, jobs=1)
    assert failed.document.status == "failed"
    doc_id = failed.document.doc_id
    add(out, Correction(doc_id, "results", "k/1", "physical_pct", "50%"))
    add(out, Correction("0123456789abcdef", "results", "k/1", "physical_pct", "50%"))
    for _ in range(2):
        assert main(["run", str(tmp_path / "bad.pdf"), "--out", str(out)]) == 1
        printed = capsys.readouterr().out
        assert "1 doc_id of corrections.csv match no document of the folder (0123456789abcdef)" in " ".join(printed.split())
        (row,) = pq.read_table(out / "corrections" / f"{doc_id}.parquet").to_pylist()
        assert row["status"] == "stale" and row["reason"].startswith("its document was not read")


def test_a_malformed_line_of_a_hand_edited_file_is_reported_with_its_line_number(mini_pdf, tmp_path):
    import pyarrow.parquet as pq

    from poa import run
    from poa.core.corrections import FILE

    out = tmp_path / "out"
    (first,) = run([mini_pdf], out=out, jobs=1)
    doc_id = first.document.doc_id
    (out / FILE).write_text("doc_id,table,key,column,value,note,author,date\n"
                            f"{doc_id},results,k/1,physical_pct,50%,,,\n"
                            f"{doc_id},resultados,k/1,physical_pct,50%,,,\n"  # a table poa has no such name for
                            f"{doc_id},results,k/2\n", encoding="utf-8")  # a line cut short
    run([mini_pdf], out=out, jobs=1)
    rows = sorted(pq.read_table(out / "corrections" / f"{doc_id}.parquet").to_pylist(), key=lambda r: r["line"])
    assert [(r["line"], r["status"]) for r in rows] == [(2, "stale"), (3, "stale"), (4, "stale")]
    assert rows[1]["reason"].startswith("corrections.csv line 3: table 'resultados'")
    assert rows[2]["reason"].startswith("corrections.csv line 4:")
    assert rows[0]["reason"] == fix.NO_ROW  # well formed, but no row has that key


def test_poa_version_says_the_pipeline_version_a_documents_row_records(capsys):
    from poa.cli import main
    from poa.version import pipeline_version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    said = capsys.readouterr().out
    assert said.startswith(f"poa {pipeline_version()} (") and "pypdfium2" in said


def test_a_blank_cell_corrected_shows_in_the_working_paper_and_the_workbook(planted, tmp_path):
    """The header counts the values set by hand and names who set them; the finding says, in Spanish, what was
    read (a blank) and what was set; the memoria de cálculo marks the corrected value; the workbook's cell holds
    it, in blue, and its Documento sheet says so."""
    import openpyxl
    from poa.outputs.audit import render_html, write_xlsx

    t = next(r for r in planted.results if r.physical_pct is None)
    report = run(corrections=[Correction(planted.document.doc_id, "results", t.result_key, "physical_pct", "40",
                                         "dice 40 %", "ana", "2026-12-01")])
    html = render_html(report, pdf_path=None)
    assert "Este papel incluye 1 valor corregido a mano por ana" in html
    assert "Valor corregido a mano" in html and "En el PDF se leyó en blanco; se fijó «40» (por ana el 01/12/2026)" in html
    memoria = html.split("id='memoria'", 1)[1]
    block = next(b for b in memoria.split("<div class='calc'")[1:] if f">{t.code_raw}<" in b)
    row = next(r for r in block.split("<tr")[1:] if f">{t.code_raw}<" in r)
    assert "40\u00a0%" in row and "corregido a mano" in row
    assert "corregido a mano" not in "".join(r for r in block.split("<tr")[1:] if f">{t.code_raw}<" not in r)
    assert "corregido" not in render_html(planted, pdf_path=None).split("id='criterios'")[0]  # none, no line

    write_xlsx(report, tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(tmp_path / "p.xlsx")
    sheet = book["Resultados"]
    (line,) = [r for r in sheet.iter_rows(min_row=2) if r[7].value == t.code_raw and r[10].value is not None
               and r[3].value == t.unit_number]
    assert line[10].value == 40 and line[10].fill.fgColor.rgb.endswith("D2E3FC")
    assert sum(c.fill.fgColor.rgb.endswith("D2E3FC") for r in sheet.iter_rows(min_row=2) for c in r) == 1
    doc = {r[0].value: r[1].value for r in book["Documento"].iter_rows() if r[0].value}
    assert doc["Correcciones a mano"].startswith("Este papel incluye 1 valor corregido a mano por ana")


def test_a_correction_with_a_carriage_return_is_kept_whole_in_the_file(tmp_path):
    """A note pasted with CRLF line ends: written quoted, read back as one correction (unquoted, it was read as
    two, and the next write made the damage permanent)."""
    from poa.core.corrections import Correction, add, load

    add(tmp_path, Correction("a" * 16, "results", "k/1", "expected", "dos\r\nlíneas", "nota\rcon CR", "ana"))
    add(tmp_path, Correction("a" * 16, "results", "k/2", "physical_pct", "50"))
    first, second = load(tmp_path)
    assert (first.value, first.note, second.key) == ("dos\r\nlíneas", "nota\rcon CR", "k/2")
