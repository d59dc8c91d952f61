"""Which edition of a report is current: a file saved over with other bytes, and two files of one entity and
period. The folder keeps every document; its marks say which to keep (`superseded_by`, `duplicate_of`)."""

from __future__ import annotations

import os
import shutil

import pyarrow.parquet as pq
import pytest
from conftest import SAMPLES
from poa.outputs.store import folder_totals

from poa import run


def documents(out) -> dict[str, dict]:
    return {r["doc_id"]: r for r in pq.read_table(out / "documents").to_pylist()}


def dated(src, dst, year: str) -> None:
    """A copy of a reportlab sample whose PDF states another date (its /ModDate and /CreationDate rewritten in
    place: the same length, so the file stays well formed)."""
    data = src.read_bytes().replace(b"D:20000101000000", f"D:{year}0101000000".encode())
    dst.write_bytes(data)


def test_a_file_saved_over_with_a_new_edition_supersedes_the_earlier_one(tmp_path):
    """The same path read twice with other bytes: two documents, the earlier marked superseded_by the later and
    left out of the folder's figures (before, both stayed ok, one the duplicate of the other by hash order, and
    the folder's totals doubled)."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    shutil.copy(SAMPLES / "mmm-2016-s1-ruled.pdf", folder / "report.pdf")
    os.utime(folder / "report.pdf", (1_600_000_000, 1_600_000_000))
    (first,) = run([folder / "report.pdf"], out=out, jobs=1)
    shutil.copy(SAMPLES / "mmm-2016-s1-fpdf.pdf", folder / "report.pdf")  # the revised edition, saved over it
    os.utime(folder / "report.pdf", (1_700_000_000, 1_700_000_000))
    (second,) = run([folder / "report.pdf"], out=out, jobs=1)
    docs = documents(out)
    old, new = docs[first.document.doc_id], docs[second.document.doc_id]
    assert old["superseded_by"] == new["doc_id"] and new["superseded_by"] is None
    assert old["duplicate_of"] is None and new["duplicate_of"] is None
    assert old["file_modified"] < new["file_modified"]
    totals = folder_totals(out)
    assert (totals["documents"], totals["superseded"], totals["results"]) == (1, 1, 239)
    import poa

    assert set(poa.read(out, "units").doc_id) == {new["doc_id"]}  # the earlier edition left out


@pytest.mark.slow  # two batches over three editions: 2.5 s
def test_of_two_files_of_one_entity_and_period_the_later_by_its_own_date_is_kept(tmp_path):
    """`a.pdf` states 2016, `z.pdf` 2017: z is the later edition whatever the names or the hashes, so a is the
    duplicate; where the dates tie (copies), the first by file name is kept."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    dated(SAMPLES / "mmm-2016-s1-ruled.pdf", folder / "a.pdf", "2016")
    dated(SAMPLES / "mmm-2016-s1-ruled.pdf", folder / "z.pdf", "2017")
    dated(SAMPLES / "mmm-2016-s1-borderless.pdf", folder / "m.pdf", "2016")
    outcomes = {o.document.source_path.rsplit("/", 1)[-1]: o.document.doc_id for o in run([folder], out=out, jobs=1)}
    docs = documents(out)
    assert docs[outcomes["z.pdf"]]["duplicate_of"] is None and docs[outcomes["z.pdf"]]["pdf_modified"].startswith("2017")
    assert docs[outcomes["a.pdf"]]["duplicate_of"] == outcomes["z.pdf"]
    assert docs[outcomes["m.pdf"]]["duplicate_of"] == outcomes["z.pdf"]
    assert folder_totals(out)["duplicates"] == 2
    # poa.read keeps the one the folder counts; every file with current=False
    import poa

    results = poa.read(out, "results")
    assert set(results.doc_id) == {outcomes["z.pdf"]} and len(results) == 239
    assert len(poa.read(out, "results", current=False)) == 3 * 239
    assert results.attrs["table"] == "results"
    assert results.attrs["descriptions"]["result_key"].startswith("Stable key of the result")
    assert set(results.attrs["descriptions"]) == set(results.columns)
    assert str(results.dtypes["year"]) == "Int32"
    assert list(poa.read(out, "documents", columns=["entity"]).columns) == ["entity"]
    assert list(poa.read(out, "findings").doc_id.unique()) == [outcomes["z.pdf"]]


def test_the_end_of_a_batch_reads_the_documents_table_by_the_columns_it_needs(tmp_path, monkeypatch):
    """A folder of thousands of documents: the marks, the index and the totals read a few columns of each row
    (the documents rows carry every read-quality list: all of them were 398 MiB for 2,000 documents)."""
    import poa.outputs.duplicates as duplicates
    import poa.outputs.store as parquet

    from poa.batch import describe_folder

    out = tmp_path / "out"
    run([SAMPLES / "mmm-2016-s1-fpdf.pdf"], out=out, jobs=1)
    asked: list[tuple[str, object]] = []
    real = parquet.read_poa_folder

    def recording(folder, name, columns):
        asked.append((name, columns))
        return real(folder, name, columns)

    monkeypatch.setattr(parquet, "read_poa_folder", recording)
    monkeypatch.setattr(duplicates, "read_poa_folder", recording)
    describe_folder(out)
    folder_totals(out)
    documents = [columns for name, columns in asked if name == "documents"]
    assert documents and all(columns and len(columns) <= 10 for columns in documents), documents


def test_a_documents_file_that_cannot_be_read_whole_is_left_as_it_is_and_the_others_are_marked(tmp_path):
    """A documents file whose columns the marks need read, but not the file whole (a damaged page of another
    column): left as it is, and the rows after it still get their marks (before, its whole read gave None and
    the step stopped there with an AttributeError, every later row left unmarked)."""
    import pyarrow as pa
    from poa.outputs.duplicates import COLUMNS, mark_duplicates
    from poa.outputs.schema import schema
    from poa.outputs.store import read_poa_file, write_parquet

    folder = tmp_path / "documents"
    folder.mkdir()
    for doc_id, year in (("00000000000000aa", "2015"), ("00000000000000bb", "2016"), ("00000000000000cc", "2017")):
        row = {"doc_id": doc_id, "source_path": f"{doc_id}.pdf", "status": "ok", "entity_key": "mmm", "period": "2016-S1",
               "pdf_modified": f"{year}-01-01T00:00:00", "mission": "Una misión. " * 20}
        write_parquet(pa.Table.from_pylist([row], schema=schema("documents")), folder / f"{doc_id}.parquet")
    damaged = folder / "00000000000000aa.parquet"
    meta = pq.ParquetFile(damaged).metadata
    chunk = meta.row_group(0).column(meta.schema.names.index("mission"))
    data = bytearray(damaged.read_bytes())
    data[chunk.data_page_offset:chunk.data_page_offset + chunk.total_compressed_size] = b"\xff" * chunk.total_compressed_size
    damaged.write_bytes(bytes(data))
    assert read_poa_file(damaged, COLUMNS) is not None and read_poa_file(damaged) is None
    mark_duplicates(tmp_path)
    assert damaged.read_bytes() == bytes(data)
    assert read_poa_file(folder / "00000000000000bb.parquet").to_pylist()[0]["duplicate_of"] == "00000000000000cc"
    assert read_poa_file(folder / "00000000000000cc.parquet").to_pylist()[0]["duplicate_of"] is None
