"""How documents are read and checked: the choices a run makes for every document in it.

A document's outputs record the options that made them (`documents.engine`, `reader`, `ocr`, `gx`), and a
later run reads a document again when its options differ, saying so, rather than skipping it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from .profile import ProfileError
from .profiles import load

ENGINES = ("geometry", "camelot")  # the first is the default: poa's own geometry over a reader's words and rulings
# Earlier names of an engine, still accepted (with a warning) until the release named: "pdfplumber" was the
# geometry engine's name, though it never used pdfplumber (the pdfplumber *reader* is another thing, and stays).
ENGINE_ALIASES = {"pdfplumber": ("geometry", "0.3")}
READERS = ("pdfium", "pdfplumber")  # the first is the default: the fastest reader, which the tests hold to the others
OCR_MODES = ("auto", "never", "always")
REVIEW_PAGES = ("doubtful", "all", "none")
EXECUTORS = ("local", "dask")  # where a batch runs its documents: forked workers here, or a Dask cluster


@dataclass(frozen=True)
class Options:
    engine: str = ENGINES[0]  # the table engine (poa's own geometry; camelot's lattice for ruled tables)
    reader: str = READERS[0]  # the page reader
    ocr: str = "auto"  # which pages are recognised from their image: auto (no text layer), always, never
    gx: bool = False  # also run the row checks as great-expectations suites, keeping GX's validation result
    template: str | None = None  # the template profile to read documents as (a name or a file); None: the best fit

    def __post_init__(self) -> None:
        # an earlier name: today's, with a warning that points at the line making the Options
        object.__setattr__(self, "engine", engine_name(self.engine, stacklevel=4))

    def check(self) -> Options:
        """The options, or ValueError naming the one that is not known."""
        for name, value, known in (("--engine", self.engine, ENGINES), ("--reader", self.reader, READERS),
                                   ("--ocr", self.ocr, OCR_MODES)):
            if value not in known:
                raise ValueError(f"{name} {value!r}: choose one of {', '.join(known)}")
        if self.template is not None:
            try:
                load(self.template)
            except ProfileError as e:
                raise ValueError(f"--template: {e}") from None
        return self

    def profile(self):
        """The profile documents are read as, where one is forced (None: each document's best fit)."""
        return load(self.template) if self.template is not None else None

    def differences(self, engine: str | None, reader: str | None, ocr: str | None, gx: bool | None,
                    template: str | None = None) -> list[str]:
        """How these options differ from those a document was done with, in words ("read with pdfplumber
        before, now pdfium")."""
        out = []
        for what, before, now in (("engine", engine and engine_name(engine, warn=False), self.engine),
                                  ("reader", reader, self.reader),
                                  ("OCR", ocr, self.ocr)):
            if before != now:
                out.append(f"{what} {before or 'unknown'} before, now {now}")
        if self.gx and not gx:
            out.append("great-expectations asked for now")
        if self.template is not None and (forced := self.profile().name) != template:
            out.append(f"template {template or 'unknown'} before, now {forced}")
        return out


def engine_name(name: str, warn: bool = True, stacklevel: int = 3) -> str:
    """An engine's name as it is today: an earlier name (`ENGINE_ALIASES`) gives today's, with a FutureWarning
    that says until when it is accepted; any other name is returned as it is (checked where it is used)."""
    if name in ENGINE_ALIASES:
        new, until = ENGINE_ALIASES[name]
        if warn:
            warnings.warn(f"the engine {name!r} is now called {new!r}: the old name is accepted until poa {until}",
                          FutureWarning, stacklevel=stacklevel)
        return new
    return name
