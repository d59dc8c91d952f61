"""Pictures of the PDF for the working paper: each finding's region of its page (or the whole page, where the
finding points at no row), rendered once per region and inlined as PNG, within a bound of pictures and of time:
a broken report costs its pictures, never its paper."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from . import pages as pg
from .working import Numbered

if TYPE_CHECKING:
    import pypdfium2
    from PIL import Image

MAX_IMAGES = 400  # pictures of the PDF per report: enough for any real report, bounded for a broken one
IMAGE_SECONDS = 10.0  # and the time they may take (a report's take a tenth of a second): never a document's timeout
PAGE_SCALE = 1.2  # a whole page (a finding with no row box), legible across the text column


def region_images(found: list[Numbered], pdf_path: str | None) -> dict[str, str]:
    """H-number → data: URI of the PDF region the finding points at (each region rendered once). A picture
    that cannot be made is left out: the page number and the link remain."""
    if pdf_path is None:
        return {}
    out: dict[str, str] = {}
    done: dict[pg.Region, str | None] = {}
    try:
        pdf = pg.open_pdf(pdf_path)
    except Exception:  # noqa: BLE001 - a file PDFium refuses gets no pictures, never a failed report
        return {}
    started = time.monotonic()
    loaded: dict[int, pypdfium2.PdfPage] = {}  # page number → the page, loaded once for all the regions on it
    try:
        for h in found:
            region = h.region
            if region is None or not 1 <= region.page <= len(pdf):
                continue
            if region not in done:
                if len(done) >= MAX_IMAGES or time.monotonic() - started > IMAGE_SECONDS:
                    break
                try:
                    done[region] = pg.data_uri(pg.png(_region_image(pdf, loaded, region)))
                except Exception:  # noqa: BLE001
                    done[region] = None
            if image := done[region]:
                out[h.number] = image
    finally:
        for page in loaded.values():
            page.close()
        pdf.close()
    return out


def _region_image(pdf: pypdfium2.PdfDocument, loaded: dict[int, pypdfium2.PdfPage], region: pg.Region) -> Image.Image:
    """The picture of one finding's region, its page taken from `loaded` (or loaded into it)."""
    if region.page not in loaded:
        loaded[region.page] = pdf[region.page - 1]
    page = loaded[region.page]
    if region.box is None:
        return pg.render_loaded(page, region.page, turn=region.turn, scale=PAGE_SCALE, grayscale=True)
    return pg.render_loaded(page, region.page, box=region.box, turn=region.turn, margin=4, grayscale=True)
