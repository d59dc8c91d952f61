"""Which pipeline made a row: the release, a fingerprint of the code of every stage, and the versions of the
libraries whose reading of a PDF decides the rows.

A re-run skips documents done "by the same pipeline version"; with the code's fingerprint in the version, a
changed extractor or check redoes the archive even when nobody remembered to bump the release number, and with
the readers' versions in it, the same poa over another pdfplumber or PDFium does too.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

from . import __version__

STAGES = ("poa", "poa.extract", "poa.normalize", "poa.validate", "poa.outputs")
# Distributions whose behaviour changes what is read from a PDF or how rows are linked.
READING_LIBRARIES = ("pdfplumber", "pdfminer.six", "pypdfium2", "camelot-py", "rapidfuzz")


def library_versions() -> dict[str, str]:
    out = {}
    for name in READING_LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


@lru_cache(maxsize=1)
def pipeline_version() -> str:

    h = hashlib.sha256()
    for name in STAGES:
        spec = find_spec(name)  # found, not imported: a run imports only what it uses
        assert spec is not None and spec.origin is not None, f"{name}: a stage of poa, installed with it"
        root = Path(spec.origin).parent
        files = sorted(root.glob("*.py")) if name == "poa" else sorted(root.rglob("*.py"))
        for f in files:
            h.update(f"{name}/{f.relative_to(root).as_posix()}\0".encode())
            h.update(f.read_bytes())
    for name, version in sorted(library_versions().items()):
        h.update(f"{name}=={version}\0".encode())
    return f"{__version__}+{h.hexdigest()[:12]}"
