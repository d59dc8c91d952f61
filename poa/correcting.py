"""Corrections made against an output folder: checked against what its documents read (the document, the
row's key, the column, the kind of value), then written to OUT/corrections.csv. `poa correct` and the review
app (`poa review --serve`) both go through here, so a correction one refuses the other refuses too."""

from __future__ import annotations

import difflib
from pathlib import Path

from poa.core.corrections import Correction, add, check
from poa.core.keys import KEY_COLUMN
from poa.core.profile import Profile, ProfileError
from poa.core.profiles import load
from poa.outputs.store import pick_ids, read_poa_file, read_poa_folder


def doc_ids(out: Path, wanted: list[str]) -> list[str]:
    """The doc_ids of OUT's documents: every one, or those named (a unique prefix of an id will do);
    ValueError naming the folder where it has none, or an id that is not there."""
    have = [t.column("doc_id")[0].as_py() for t in read_poa_folder(out, "documents", ["doc_id"]) if t.num_rows]
    if not have:
        raise ValueError(f"{out}: no document; run `poa run … --out {out}` first")
    return pick_ids(have, wanted, f"{out}")


def template_of(out: Path, doc_id: str) -> Profile | None:
    """The profile a document of OUT was read with (the seed family's for one written before profiles)."""
    doc = read_poa_file(Path(out) / "documents" / f"{doc_id}.parquet")
    name = (doc.to_pylist()[0].get("template") if doc is not None and doc.num_rows else None) or None
    try:
        return load(name) if name else load()
    except ProfileError:
        return None  # a profile no longer installed: the code is checked when the document is read again


def row_of(out: Path, c: Correction) -> dict | None:
    """The row of the document's table the correction names, as the Parquet holds it; ValueError where the
    document was read and no row has that key (naming the nearest keys): a correction that could only ever be
    stale is not written. None for a document not read (failed): its correction is written, and reported
    stale on every run until the document is read."""
    doc = read_poa_file(Path(out) / "documents" / f"{c.doc_id}.parquet", ["status"])
    if doc is None or doc.column("status")[0].as_py() == "failed":
        return None
    column = KEY_COLUMN[c.table]
    table = read_poa_file(Path(out) / c.table / f"{c.doc_id}.parquet")
    rows = table.to_pylist() if table is not None else []
    for r in rows:
        if r.get(column) == c.key:
            return r
    near = difflib.get_close_matches(c.key, [r[column] for r in rows if r.get(column)], n=3, cutoff=0.5)
    raise ValueError(f"{c.table} of {c.doc_id} has no row with the key {c.key!r}"
                     + (f"; the nearest: {', '.join(map(repr, near))}" if near else "")
                     + " (the keys are in the Parquet and on the review page)")


def submit(out: Path, c: Correction) -> tuple[Correction, dict | None]:
    """Check a correction against OUT (its doc_id may be a unique prefix) and append it to corrections.csv;
    return it as written and the row it corrects (None for a failed document). ValueError (a
    CorrectionError among them) says why one is refused, before anything is written; OSError where the folder
    cannot take it."""
    out = Path(out)
    (doc_id,) = doc_ids(out, [c.doc_id])
    profile = template_of(out, doc_id)
    c = check(Correction(doc_id, c.table, c.key, c.column, c.value, c.note, c.author, c.date), profile)
    row = row_of(out, c)
    return add(out, c, profile), row

