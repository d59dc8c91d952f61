"""Pictures of a report's pages: a page, or a region of it, rendered to PNG with PDFium.

Boxes are the pipeline's own: PDF points from the top-left of the page as displayed (its /Rotate applied),
and, where the reader turned a page so that its text reads left to right (`Page.orientation`, 90: text that
ran upwards, turned clockwise), in the turned page's frame. Rendering with the same turn puts a row's box
over that row. The audit report shows finding regions with it; a review page can draw a page's cells over
`render_page`'s image with `to_pixels`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import os
import re
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy
    import pypdfium2
    from PIL import Image

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in points, top-left origin

DEFAULT_SCALE = 2.0  # pixels per point: 144 dpi, sharp when printed, a few kB for a table row


@dataclass(frozen=True)
class Region:
    """Where to look: a page (1-based), optionally a box on it, and the turn its boxes are measured in."""

    page: int
    box: BBox | None = None
    turn: int = 0  # degrees clockwise the displayed page was turned (Page.orientation)


def open_pdf(path: str | Path) -> pypdfium2.PdfDocument:
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(str(path))


def page_size(pdf: pypdfium2.PdfDocument, page: int, turn: int = 0) -> tuple[float, float]:
    """Width and height in points of the page as displayed and turned (the frame boxes are measured in)."""
    return turned_size(pdf[page - 1], turn)


def turned_size(p: pypdfium2.PdfPage, turn: int = 0) -> tuple[float, float]:
    """`page_size` of a page already loaded: loading one costs PDFium about as much as rendering a row."""
    w, h = p.get_size()
    return (h, w) if turn % 180 else (w, h)


def clamp(box: BBox, width: float, height: float, margin: float = 0.0) -> BBox:
    """A box grown by `margin` on each side and kept on the page."""
    x0, top, x1, bottom = box
    return (max(0.0, min(x0, x1) - margin), max(0.0, min(top, bottom) - margin),
            min(width, max(x0, x1) + margin), min(height, max(top, bottom) + margin))


MAX_PIXELS = 8_000_000  # a picture of a page or a region: an A3 sheet at 2 px/pt is 2 million; a 200 × 200 inch
# page (PDF allows 14,400 pt a side) would be 466 million at 1.5, minutes of work and gigabytes


def fitted(scale: float, width: float, height: float, max_pixels: int = MAX_PIXELS) -> float:
    """The scale to draw a `width` × `height` point area at: `scale`, or less where the picture would pass
    `max_pixels`."""
    fit = math.sqrt(max_pixels / max(width * height, 1.0))
    while math.ceil(width * fit) * math.ceil(height * fit) > max_pixels:  # PDFium rounds a side up
        fit *= 0.999
    return min(scale, fit)


def render_page(pdf: pypdfium2.PdfDocument, page: int, *, box: BBox | None = None, turn: int = 0,
                scale: float = DEFAULT_SCALE, margin: float = 0.0, grayscale: bool = False) -> Image.Image:
    """The page (or the `box` of it, grown by `margin` points) as a PIL image. Only the region is rasterised,
    so a row costs milliseconds where the whole page costs tens."""
    return render_loaded(pdf[page - 1], page, box=box, turn=turn, scale=scale, margin=margin, grayscale=grayscale)


def render_loaded(p: pypdfium2.PdfPage, page: int, *, box: BBox | None = None, turn: int = 0,
                  scale: float = DEFAULT_SCALE, margin: float = 0.0, grayscale: bool = False) -> Image.Image:
    """`render_page` of a page already loaded (`page`, its number, names it in errors only): a report's
    findings point at a few rows of each page, and PDFium would load the page again for every one. A picture
    that would pass MAX_PIXELS is drawn smaller (`fitted`)."""
    width, height = turned_size(p, turn)
    crop = (0.0, 0.0, 0.0, 0.0)
    area = (width, height)
    if box is not None:
        x0, top, x1, bottom = clamp(box, width, height, margin)
        if x1 - x0 < 1 or bottom - top < 1:
            raise ValueError(f"empty region {box} on page {page}")
        crop = (x0, height - bottom, width - x1, top)  # pypdfium2: left, bottom, right, top cut off
        area = (x1 - x0, bottom - top)
    bitmap = p.render(scale=fitted(scale, *area), rotation=turn % 360, crop=crop, grayscale=grayscale)
    return bitmap.to_pil()


def to_pixels(box: BBox, scale: float = DEFAULT_SCALE, origin: BBox | None = None) -> tuple[int, int, int, int]:
    """A box in points as pixels of an image rendered at `scale` (of the whole page, or of the region
    `origin` was cropped to): for drawing cells over a page image."""
    ox, oy = (origin[0], origin[1]) if origin else (0.0, 0.0)
    x0, top, x1, bottom = box
    return (round((x0 - ox) * scale), round((top - oy) * scale), round((x1 - ox) * scale), round((bottom - oy) * scale))


def png(image: Image.Image) -> bytes:
    """The picture as PNG bytes, grayscale ones (every finding's region) through `gray_png`."""
    if image.mode == "L":
        import numpy as np

        return gray_png(np.asarray(image))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)  # 6 costs 60 % more time for 10 % fewer bytes; optimize=True 10x
    return out.getvalue()


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def gray_png(pixels: numpy.ndarray, level: int = 1) -> bytes:
    """8-bit grayscale pixels (rows × columns) as a PNG whose rows are stored unfiltered. Pillow tries all
    five PNG filters on every row and keeps the best, which was most of its encoding time; a picture of
    printed text is mostly white, and unfiltered it deflates as small (the corpus' 1,218 finding regions:
    12.5 MB against Pillow's 12.9 MB at level 3) in 40 % of the time. Same pixels either way. Level 1 takes
    a fifth less time than 3 for 6 % more bytes."""
    import numpy as np

    height, width = pixels.shape
    rows = np.zeros((height, width + 1), np.uint8)  # each row opens with its filter type: 0, none
    rows[:, 1:] = pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits gray, deflate, no interlace
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
            + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data and the CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def data_uri(png_bytes: bytes) -> str:
    """The PNG inline, so the HTML stays one self-contained file."""
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode("ascii")


def candidates(source_path: str) -> list[str]:
    """The paths a document's `source_path` may name: as stored, and with the backslash escapes that stand
    for a name's undecodable bytes (`caf\\xe9.pdf`) turned back into those bytes."""
    out = [source_path]
    if "\\x" in source_path:
        raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]),
                     source_path.encode("utf-8", "surrogateescape"))
        out.append(os.fsdecode(raw))
    return out


def find_source(source_path: str, sha256: str) -> str | None:
    """The file the document was read from, if it is still there with the same bytes (a file changed
    since must not illustrate a report made from another)."""
    for path in candidates(source_path):
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO put in its place would block the open
                continue
            h = hashlib.sha256()
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            continue
        if sha256 and h.hexdigest() == sha256:
            return path
    return None
