"""Whether a PDF's compressed streams are whole.

A PDF reader that meets a content stream whose compressed data is cut or corrupt draws what it could decode
and says nothing: PDFium and pdfminer alike give the page's text up to the damage, so a results table loses
its last rows with no error anywhere. The file itself knows: a Flate stream that does not decompress to its
end is damaged. This module finds such streams in the raw bytes, with no PDF parser (the parsers are what
hides the damage), so that the read-quality record can put the document in review.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

# `stream` after a dictionary's close, then the end of line the PDF syntax requires
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(/\w+|\[(?:\s*/\w+)*\s*\])")
_END_A85 = re.compile(rb"~\s*>")
# The filter chains checked: what PDF writers use for text (pdfTeX, Word, LibreOffice: Flate; reportlab:
# ASCII85 then Flate). Images (DCT, JBIG2, CCITT) and rarer chains are left alone.
CHECKED = {(b"FlateDecode",), (b"ASCII85Decode", b"FlateDecode"), (b"ASCII85Decode",)}
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_ENCRYPT = re.compile(rb"/Encrypt\s")
DICT_REACH = 2048  # bytes before `stream` searched for the stream's dictionary
CHUNK = 1 << 16
MAX_OUTPUT = 64 << 20  # a stream decompressed this far is taken as whole: integrity is not worth a bomb's time


@dataclass(frozen=True)
class Damage:
    offset: int  # where the stream's data starts in the file
    obj: int | None  # its object number, where the bytes before it say
    reason: str

    def describe(self) -> str:
        where = f"object {self.obj} (byte {self.offset})" if self.obj is not None else f"byte {self.offset}"
        return f"{where}: {self.reason}"


def damaged_streams(path: str | Path) -> list[Damage] | None:
    """The Flate streams of the file that do not decompress to their end; None when the file's streams are
    encrypted (their bytes are not zlib's until decrypted, so nothing can be said)."""
    data = Path(path).read_bytes()
    if _ENCRYPT.search(data):
        return None
    out: list[Damage] = []
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - DICT_REACH): m.start()]
        start_of_object = head.rfind(b"obj")
        dictionary = head[start_of_object:] if start_of_object >= 0 else head
        f = _FILTER.search(dictionary)
        chain = tuple(re.findall(rb"/(\w+)", f.group(1))) if f else ()
        if chain not in CHECKED:
            continue
        reason = _check(data, m.end(), chain)
        if reason:
            numbers = _OBJ.findall(head)
            out.append(Damage(m.end(), int(numbers[-1]) if numbers else None, reason))
    return out


def _check(data: bytes, start: int, chain: tuple[bytes, ...]) -> str | None:
    """Why the stream data at `start`, encoded by `chain`, is not whole (corrupt, or cut short), or None."""
    if chain[0] == b"ASCII85Decode":
        end = _END_A85.search(data, start)
        if end is None:
            return "ASCII85 data cut short"
        try:
            data, start = a85decode(data[start: end.start()]), 0
        except ValueError as e:
            return f"corrupt ASCII85 data ({e})"
        if len(chain) == 1:
            return None
    return _inflates(data, start)


_SPACE = re.compile(rb"[\x00\t\n\f\r ]+")


def a85decode(text: bytes) -> bytes:
    """PDF's ASCII85 (no `<~`, the `~>` already cut off) on arrays: base64.a85decode works a group at a time in
    Python, and a report's streams are megabytes of it. Raises ValueError where the data is not ASCII85."""
    import numpy as np

    text = _SPACE.sub(b"", text).replace(b"z", b"!!!!!")
    digits = np.frombuffer(text, dtype=np.uint8)
    if len(digits) and (digits.min() < 33 or digits.max() > 117):
        bad = digits[(digits < 33) | (digits > 117)][0]
        raise ValueError(f"non-ASCII85 byte {bytes([bad])!r}")
    pad = -len(digits) % 5
    if pad == 4:
        raise ValueError("a lone ASCII85 digit at the end")
    groups = np.concatenate([digits, np.full(pad, 117, np.uint8)]).reshape(-1, 5).astype(np.uint64) - 33
    value = (((groups[:, 0] * 85 + groups[:, 1]) * 85 + groups[:, 2]) * 85 + groups[:, 3]) * 85 + groups[:, 4]
    if len(value) and value.max() > 0xFFFFFFFF:
        raise ValueError("ASCII85 group overflow")
    out = value.astype(">u4").tobytes()
    return out[: len(out) - pad]


def _inflates(data: bytes, start: int) -> str | None:
    """Why the zlib data at `start` is not whole, or None. Fed a chunk at a time, so a bomb's output is never
    held at once."""
    d = zlib.decompressobj()
    produced = 0
    try:
        for pos in range(start, len(data), CHUNK):
            produced += len(d.decompress(data[pos: pos + CHUNK]))
            if d.eof or produced >= MAX_OUTPUT:
                return None
    except zlib.error as e:
        return f"corrupt compressed data ({e})"
    return "compressed data cut short"
