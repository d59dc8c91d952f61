"""What every reader shares: open once, then hand over one Drawing per page; the geometry does the rest."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Iterator

from ..glyphs import DEFAULT, ReadSettings, page_of
from ..page import Drawing, Page, SourceError, check_signature, page_error


class Reader(ABC):
    """A page source over one PDF. Subclasses open the file (raising SourceError with a plain reason) and
    read each page's drawing; a page that cannot be read fails the document with its number."""

    name: str

    def __init__(self, path: str | Path, settings: ReadSettings = DEFAULT):
        self.path = str(path)
        self.settings = settings
        check_signature(self.path)
        self._open()

    @abstractmethod
    def _open(self) -> None:
        """Open the file; raise SourceError for an encrypted, damaged or empty PDF."""

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def drawing(self, index: int) -> Drawing:
        """Glyphs and paths of page `index` (0-based) in the displayed page's frame."""

    def __iter__(self) -> Iterator[Page]:
        for i in range(len(self)):
            try:
                d = self.drawing(i)
            except SourceError:
                raise
            except Exception as e:  # a damaged content stream surfaces only when the page is read
                raise page_error(i + 1, e) from e
            yield page_of(d, self.settings)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
