"""The output folder describes itself: column descriptions in the Parquet files and in datapackage.json
(a Frictionless Data Package), keys that hold, types that read back as declared."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from conftest import processed
from poa.outputs import write_report
from poa.outputs.datapackage import field_type, write_datapackage
from poa.outputs.schema import TABLES


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("package")
    for name in ("mmm-2016-s1-planted", "mmm-2016-s2-renamed"):
        write_report(processed(name), folder, audit=False)
    write_datapackage(folder, "test")
    return folder


def resources(out):
    return {r["name"]: r for r in json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["resources"]}


def test_every_column_of_every_file_carries_its_description(out):
    for table in TABLES:
        for f in (out / table).glob("*.parquet"):
            schema = pq.read_schema(f)
            assert [fl.name for fl in schema] == [c for c, _, _ in TABLES[table]]
            assert all(fl.metadata and fl.metadata[b"description"] for fl in schema), f
            assert schema.metadata[b"poa.table"] == table.encode()


def test_the_package_lists_every_file_with_a_field_for_every_column(out):
    res = resources(out)
    assert set(res) == set(TABLES)
    for table, r in res.items():
        assert r["format"] == "parquet" and all((out / p).is_file() for p in r["path"])
        assert len(r["path"]) == 2
        schema = pq.read_schema(out / r["path"][0])
        assert [f["name"] for f in r["schema"]["fields"]] == schema.names
        for f, fl in zip(r["schema"]["fields"], schema):
            assert f["description"]
            assert f["type"] == ("string" if f.get("categorical") else field_type(fl.type)), (table, f["name"])


def test_primary_keys_are_unique_and_foreign_keys_resolve(out):
    res = resources(out)
    data = {t: pq.read_table([out / p for p in r["path"]]).to_pandas() for t, r in res.items()}
    for table, r in res.items():
        schema = r["schema"]
        for key in schema.get("primaryKey", []):
            assert data[table][key].notna().all() and data[table][key].is_unique, (table, key)
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"] or table
            values = set(data[target][fk["reference"]["fields"]])
            used = set(data[table][fk["fields"]].dropna())
            assert used <= values, (table, fk["fields"], sorted(used - values)[:3])


def test_failed_documents_keep_year_an_integer_and_closed_sets_read_as_categories(out, tmp_path):
    from poa.pipeline import process

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    write_report(process(bad), out, audit=False)
    import pandas as pd

    docs = pd.read_parquet(out / "documents")
    assert str(docs.year.dtype) == "Int32" and docs.year.isna().sum() == 1
    assert str(pd.read_parquet(out / "findings").severity.dtype) == "category"
    assert str(pd.read_parquet(out / "units").level.dtype) == "category"
