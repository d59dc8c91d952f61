"""Whether a PDF's compressed streams are whole.

A PDF reader that meets a content stream whose compressed data is cut or corrupt draws what it could decode
and says nothing: PDFium and pdfminer alike give the page's text up to the damage, so a results table loses
its last rows with no error anywhere. The file itself knows: a Flate stream that does not decompress to its
end is damaged. This module finds such streams in the raw bytes, with no PDF parser (the parsers are what
hides the damage), so that the read-quality record can put the document in review.

Memory stays bounded whatever the file holds: streams are decoded and inflated a piece at a time, and a
stream that inflates past MAX_OUTPUT is taken as whole (a bomb's integrity is not worth its time).
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterator

# `stream` after a dictionary's close, then the end of line the PDF syntax requires
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(/\w+|\[(?:\s*/\w+)*\s*\])")
_OBJ = re.compile(rb"(\d+)\s+\d+\s+obj\b")
_ENCRYPT = re.compile(rb"/Encrypt(?![A-Za-z])")
_WHITE = rb"[\x00\t\n\f\r ]"  # PDF's white-space characters
_SPACE = re.compile(_WHITE + rb"+")
_START_A85 = re.compile(_WHITE + rb"*<~")  # Adobe's framing, which readers skip
_END_A85 = re.compile(rb"~" + _WHITE + rb"*>")
# The filter chains checked: what PDF writers use for text (pdfTeX, Word, LibreOffice: Flate; reportlab:
# ASCII85 then Flate). Images (DCT, JBIG2, CCITT) and rarer chains are left alone.
CHECKED = {(b"FlateDecode",), (b"ASCII85Decode", b"FlateDecode"), (b"ASCII85Decode",)}
DICT_REACH = 2048  # bytes before `stream` searched for the stream's dictionary
CHUNK = 1 << 20  # bytes of a stream's data read (or of its ASCII85 text decoded) at a time
OUT_CHUNK = 1 << 22  # bytes inflated at a time
MAX_OUTPUT = 64 << 20  # a stream inflated this far is taken as whole
MAX_FILE = 512 << 20  # a larger file is not checked (no report is that large; reading it would cost the memory)


@dataclass(frozen=True)
class Damage:
    offset: int  # where the stream's data starts in the file
    obj: int | None  # its object number, where the bytes before it say
    reason: str

    def describe(self) -> str:
        where = f"object {self.obj} (byte {self.offset})" if self.obj is not None else f"byte {self.offset}"
        return f"{where}: {self.reason}"


def damaged_streams(path: str | Path) -> list[Damage] | None:
    """The Flate streams of the file that do not decompress to their end; None when nothing can be said: the
    file's streams are encrypted (their bytes are not zlib's until decrypted), or the file is too large."""
    if os.stat(path).st_size > MAX_FILE:
        return None
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
        end = data.find(b"endstream", m.end())
        end = len(data) if end < 0 else end
        if not data[m.end(): end].strip():
            continue  # an empty stream (/Length 0): nothing to be damaged
        reason = _check(data, m.end(), end, chain)
        if reason:
            numbers = _OBJ.findall(head)
            out.append(Damage(m.end(), int(numbers[-1]) if numbers else None, reason))
    return out


def _check(data: bytes, start: int, end: int, chain: tuple[bytes, ...]) -> str | None:
    """Why the stream data at `start` (its `endstream` at `end`), encoded by `chain`, is not whole, or None."""
    try:
        if chain[0] == b"ASCII85Decode":
            lead = _START_A85.match(data, start, end)
            start = lead.end() if lead else start
            eod = _END_A85.search(data, start, end)
            pieces = _a85_pieces(data, start, end if eod is None else eod.start())  # no `~>`: taken as it is
            if len(chain) == 1:
                for _ in pieces:
                    pass
                return None
        else:
            pieces = (data[pos: pos + CHUNK] for pos in range(start, len(data), CHUNK))
        return _inflates(pieces)
    except ValueError as e:
        return f"corrupt ASCII85 data ({e})"


def _inflates(pieces: Iterator[bytes]) -> str | None:
    """Why the zlib data in `pieces` is not whole, or None. Data with no zlib header is tried as raw deflate,
    which readers accept as well."""
    pieces = iter(pieces)
    first = (next(pieces, b""),)
    for wbits in (zlib.MAX_WBITS, -zlib.MAX_WBITS):
        d = zlib.decompressobj(wbits)
        produced = 0
        try:
            for piece in chain(first, pieces):  # a header refused on the first piece: `pieces` is untouched
                buf = piece
                while buf:
                    produced += len(d.decompress(buf, OUT_CHUNK))
                    if d.eof or produced >= MAX_OUTPUT:
                        return None
                    buf = d.unconsumed_tail
        except zlib.error as e:
            if wbits > 0 and produced == 0 and "header" in str(e):
                continue  # no zlib header: raw deflate?
            if "data check" in str(e):
                return "its checksum does not match its data (the data was altered)"
            return f"corrupt compressed data ({e})"
        return "compressed data cut short"
    return "corrupt compressed data (neither zlib nor deflate)"


def _a85_pieces(data: bytes, start: int, end: int) -> Iterator[bytes]:
    """PDF's ASCII85 between `start` and `end` (its `~>`), decoded a piece at a time."""
    rest = b""
    for pos in range(start, end, CHUNK):
        digits = rest + _SPACE.sub(b"", data[pos: min(pos + CHUNK, end)]).replace(b"z", b"!!!!!")
        cut = len(digits) - len(digits) % 5
        rest = digits[cut:]
        if cut:
            yield a85decode(digits[:cut])
    if rest:
        yield a85decode(rest)


def a85decode(text: bytes) -> bytes:
    """ASCII85 digits (white space taken out, `z` spelt out) on arrays: base64.a85decode works a group at a
    time in Python, and a report's streams are megabytes of it. Raises ValueError where it is not ASCII85."""
    import numpy as np

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
