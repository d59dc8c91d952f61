"""How a page source reports its progress, page by page: to a batch's worker, which holds each page to its time
limit and moves the progress bar; to nobody, outside a batch. The readers are handed one of these (`Reader.watch`)
and know nothing of who listens."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class PageWatch(Protocol):
    def reading_page(self, number: int, pages: int, ocr: bool = False) -> AbstractContextManager[None]:
        """Around the reading of page `number` (1-based) of `pages` (`ocr`: recognised from its image)."""
        ...

    def ocr_page(self, number: int) -> None:
        """Page `number` is to be recognised by OCR: said before the work starts."""
        ...

    def page_read(self, number: int) -> None:
        """Page `number` is read and handed over."""
        ...


class NoWatch:
    """Nobody listening: a document read outside a batch."""

    def reading_page(self, number: int, pages: int, ocr: bool = False) -> AbstractContextManager[None]:
        return nullcontext()

    def ocr_page(self, number: int) -> None:
        pass

    def page_read(self, number: int) -> None:
        pass


NO_WATCH: PageWatch = NoWatch()
