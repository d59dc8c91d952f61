"""Result codes: `NN-NN.NN.NN-NN`, repaired from what a PDF or an OCR pass makes of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE = re.compile(r"^(\d{2}-\d{2}\.\d{2}\.\d{2})-(\d{2})$")
# Letters that stand for digits in a damaged code: O/o -> 0, l/I/| -> 1.
_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})


@dataclass(frozen=True)
class Code:
    code: str | None  # normalized, None when it cannot be read as a code
    objective: str | None  # "08-01.01.01"
    sequence: int | None  # 14
    repaired: bool  # the printed text needed more than whitespace removed


def normalize_code(raw: str) -> Code:
    """`08-01.01.01- 09`, `O8-01.0l.01-09` → `08-01.01.01-09`; the raw text is the caller's to keep."""
    compact = "".join(raw.split())
    fixed = compact.translate(_DIGITS)
    m = CODE.match(fixed)
    if not m:
        return Code(None, None, None, False)
    return Code(fixed, m.group(1), int(m.group(2)), fixed != compact)
