"""What every reader shares: open once, then hand over one Drawing per page; the geometry does the rest.

A page with no text layer (a scan) is recognised from its image instead (`extract.ocr`), as the reader's `ocr`
mode says: several pages at once, each Tesseract in a process of its own, the pages still handed over in
order.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Iterator

from poa.core.watch import NO_WATCH, PageWatch

from ..glyphs import DEFAULT, ReadSettings, page_of
from ..page import Drawing, Glyphs, Page, SourceError, check_signature, page_error
from ..pdfium_lock import PDFIUM_LOCK

UNREADABLE_SHARE = 0.5  # of a page's glyphs with no Unicode text: under --ocr auto, the page is read from its image
READ_AHEAD = 8  # text pages read past a page still being recognised, at most, besides the ones recognised
# PDFium is not thread-safe, even across documents: a PDFium reader reads a page's drawing, and the recogniser
# renders a page (`extract.ocr.render`), holding this lock.


class Reader(ABC):
    """A page source over one PDF. Subclasses open the file (raising SourceError with a plain reason) and
    read each page's drawing; a page that cannot be read fails the document with its number."""

    name: str
    watch: PageWatch = NO_WATCH  # who hears of each page as it is read (a batch's worker: its page limit)

    def __init__(self, path: str | Path, settings: ReadSettings = DEFAULT, ocr: str = "auto", ocr_options=None):
        self.path = str(path)
        self.settings = settings
        self.ocr = ocr  # auto: recognise pages with no text layer; always: every page; never: none
        self.ocr_options = ocr_options  # extract.ocr.OcrOptions; None: its defaults (imported with the first scan)
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

    def needs_ocr(self, d: Drawing) -> bool:
        """Whether the page is to be recognised from its image: every page (always), none (never), or a page
        whose text layer holds no glyph the page shows (auto: a scan, or a scan under an invisible OCR layer) or
        is mostly unreadable (a font with no Unicode map: its glyphs say nothing, its image does); a page with
        readable text keeps it."""
        if self.ocr == "always":
            return True
        if self.ocr != "auto":
            return False
        g = Glyphs.of(d.glyphs)
        shown = g.text if g.hidden is None else [t for t, h in zip(g.text, g.hidden) if not h]
        glyphs = sum(bool(t.strip()) for t in shown)  # all of it invisible: an OCR layer over a scan
        return glyphs == 0 or d.unmapped >= UNREADABLE_SHARE * glyphs  # a font with no map: what shows is the image

    def _drawing(self, i: int) -> Drawing:
        try:
            with PDFIUM_LOCK if self.name == "pdfium" else nullcontext():  # pages may be rendered for OCR meanwhile
                return self.drawing(i)
        except SourceError:
            raise
        except Exception as e:  # a damaged content stream surfaces only when the page is read
            raise page_error(i + 1, e) from e

    def __iter__(self) -> Iterator[Page]:
        ocr_page, page_read, reading_page = self.watch.ocr_page, self.watch.page_read, self.watch.reading_page
        n = len(self)
        pool: ThreadPoolExecutor | None = None
        jobs = 1
        queue: deque[tuple[int, Page | Future]] = deque()  # pages in order: read, or being recognised
        layers: dict[int, Drawing] = {}  # a page sent to OCR that has a text layer (an unreadable font) keeps it

        def recognising() -> int:
            return sum(isinstance(x, Future) for _, x in queue)

        def finish(i: int, x: Page | Future) -> Page:
            if not isinstance(x, Future):
                page_read(i + 1)
                return x
            with reading_page(i + 1, n, ocr=True):  # an OCR'd page has a larger allowance
                layer = layers.pop(i, None)
                try:
                    d = x.result()
                except SourceError:
                    raise
                except Exception as e:
                    if layer is None:
                        raise SourceError(f"page {i + 1} could not be recognised by OCR: {e}") from e
                    d = layer  # its image cannot be drawn: its text layer, unreadable as it is, is what there is
                page = page_of(d, self.settings)
            page_read(i + 1)
            return page

        try:
            for i in range(n):
                with reading_page(i + 1, n):  # in a batch's worker, a page that makes no progress fails in seconds
                    d = self._drawing(i)
                    image_only = self.needs_ocr(d)
                    if not image_only:
                        queue.append((i, page_of(d, self.settings)))
                if image_only:
                    from .. import ocr  # the recogniser (OpenCV and all), imported when a page first needs it

                    if self.ocr == "auto" and any(t.strip() for t in Glyphs.of(d.glyphs).text):
                        layers[i] = d  # an unreadable font: its image if it can be recognised, else the layer
                    try:
                        ocr.check(i + 1)  # no Tesseract: the document fails here, naming the packages…
                    except SourceError:
                        if layers.pop(i, None) is None:
                            raise
                        queue.append((i, page_of(d, self.settings)))  # …unless the page has a layer of its own
                        image_only = False
                if image_only:
                    ocr_page(i + 1)  # in a batch's worker, the document's time limit grows before the work starts
                    options = self.ocr_options or ocr.DEFAULT
                    jobs = max(1, options.jobs or os.cpu_count() or 1)
                    pool = pool or ThreadPoolExecutor(jobs, thread_name_prefix="poa-ocr")
                    queue.append((i, pool.submit(ocr.recognise, self.path, i, options)))
                # hand pages over in order; wait on a page being recognised only once enough work is in flight
                while queue and (not isinstance(queue[0][1], Future) or queue[0][1].done()
                                 or recognising() >= jobs or len(queue) > jobs + READ_AHEAD):
                    yield finish(*queue.popleft())
            while queue:
                yield finish(*queue.popleft())
        finally:
            if pool is not None:
                unfinished = [x for _, x in queue if isinstance(x, Future) and not x.cancel() and not x.done()]
                if unfinished:
                    from .. import ocr  # imported already: the pool recognises pages

                    ocr.stop_all()  # a document given up (a deadline, another page's error) leaves no Tesseract behind
                pool.shutdown(wait=True, cancel_futures=True)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
