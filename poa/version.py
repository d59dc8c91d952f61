"""Which pipeline made a row: the release plus a fingerprint of the code of every stage.

A re-run skips documents done "by the same pipeline version"; with the code's fingerprint in the version, a
changed extractor or check redoes the archive even when nobody remembered to bump the release number.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import import_module
from pathlib import Path

STAGES = ("poa", "extract", "normalize", "validate", "outputs")


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    from . import __version__

    h = hashlib.sha256()
    for name in STAGES:
        root = Path(import_module(name).__file__).parent
        for f in sorted(root.rglob("*.py")):
            h.update(f"{name}/{f.relative_to(root).as_posix()}\0".encode())
            h.update(f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"
