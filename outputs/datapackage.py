"""`OUT/datapackage.json`: the output folder described as a Frictionless Data Package.

One resource per table, listing its Parquet files; each with a Table Schema made from `outputs/schema.py` (the
one place columns are defined): field types, descriptions, primary and foreign keys, and the missing-value
convention. Analysts' tools read it to learn what the folder holds without reading this code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from .schema import CATEGORIES, FOREIGN_KEYS, PRIMARY_KEYS, TABLE_VERSION, TABLES
from .store import DOC_FILE_RE, atomic

PROFILE = "data-package"


def field_type(typ: pa.DataType) -> str:
    """The Table Schema type of an Arrow type."""
    if pa.types.is_integer(typ):
        return "integer"
    if pa.types.is_floating(typ):
        return "number"
    if pa.types.is_boolean(typ):
        return "boolean"
    if pa.types.is_date(typ):
        return "date"
    if pa.types.is_list(typ):
        return "array"
    if pa.types.is_map(typ) or pa.types.is_struct(typ):
        return "object"
    return "string"


def table_schema(table: str) -> dict:
    fields = []
    for name, typ, doc in TABLES[table]:
        f: dict[str, object] = {"name": name, "type": field_type(typ), "description": doc}
        if name in PRIMARY_KEYS[table]:
            f["constraints"] = {"required": True, "unique": True}
        if name in CATEGORIES.get(table, ()):
            f["categorical"] = True
        fields.append(f)
    schema: dict[str, object] = {"fields": fields, "missingValues": [""]}
    if PRIMARY_KEYS[table]:
        schema["primaryKey"] = PRIMARY_KEYS[table]
    fks = [{"fields": column, "reference": {"resource": "" if ref == table else ref, "fields": ref_column}}
           for column, (ref, ref_column) in FOREIGN_KEYS.get(table, {}).items()]
    if fks:
        schema["foreignKeys"] = fks
    return schema


def descriptor(out: Path, version: str) -> dict:
    out = Path(out)
    resources = []
    for table in TABLES:
        folder = out / table
        found = folder.glob("*.parquet") if folder.is_dir() else []
        files = sorted(f"{table}/{p.name}" for p in found if DOC_FILE_RE.match(p.name))
        if not files:
            continue
        resources.append({
            "name": table, "path": files, "format": "parquet", "mediatype": "application/vnd.apache.parquet",
            "profile": "tabular-data-resource", "schema": table_schema(table),
        })
    return {
        "profile": PROFILE, "name": "poa-output",
        "title": "POA follow-up reports read by poa",
        "description": "Every document's results, hierarchy, deviation rows, findings, unclaimed tables and leftovers; one Parquet "
                       "file per document and table. See docs/data-dictionary.md.",
        "version": TABLE_VERSION, "poa_version": version, "resources": resources,
    }


def write_datapackage(out: Path, version: str) -> Path:
    path = Path(out) / "datapackage.json"
    with atomic(path) as tmp:
        tmp.write_text(json.dumps(descriptor(out, version), ensure_ascii=False, indent=1), encoding="utf-8")
    return path
