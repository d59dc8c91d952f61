"""Result codes: `NN-NN.NN.NN-NN`, repaired from what a PDF or an OCR pass makes of them.

The code's own pattern says which places hold a digit and which a separator, so a letter standing where a
digit must be is read as the digit it resembles (O → 0, l → 1, S → 5, B → 8 …), a comma where a dot must be as
the dot; a unit's results are numbered in sequence, so a last part that cannot be read at all is what its
neighbours bracket (…-04, ?, …-06 → …-05). Every repair is flagged; the printed text is the caller's to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE = re.compile(r"^(\d{2}-\d{2}\.\d{2}\.\d{2})-(\d{2})$")
TEMPLATE = "99-99.99.99-99"  # 9: a digit; anything else: that separator
# What OCR and damaged fonts put where a digit stands, and the digit it resembles.
DIGIT_LOOKALIKES = str.maketrans({
    "O": "0", "o": "0", "Q": "0", "D": "0",
    "l": "1", "I": "1", "i": "1", "|": "1", "!": "1", "]": "1", "[": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "B": "8",
    "g": "9", "q": "9",
})
# Where a separator stands: dashes of every width for the hyphen, a comma or a middle dot for the dot.
SEPARATOR_LOOKALIKES = {"-": "-‐‑‒–—―−~_", ".": ".,·"}
# The older, pattern-blind repair, for a code whose length is off (a character dropped or doubled).
_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
TRAILING_MARKS = ":;,.'`\"·"  # a speck of the scan read after the code, or before it
OBJECTIVE = re.compile(r"^\d{2}-\d{2}\.\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Code:
    code: str | None  # normalized, None when it cannot be read as a code
    objective: str | None  # "08-01.01.01"
    sequence: int | None  # 14
    repaired: bool  # the printed text needed more than whitespace removed


def by_template(compact: str, template: str = TEMPLATE) -> str:
    """Each place of a text as long as the template read as the template says it must be: a look-alike letter
    in a digit's place as that digit, a look-alike mark in a separator's place as that separator. Other text is
    left as is."""
    if len(compact) != len(template):
        return compact
    out = []
    for ch, want in zip(compact, template):
        if want == "9":
            out.append(ch.translate(DIGIT_LOOKALIKES))
        else:
            out.append(want if ch in SEPARATOR_LOOKALIKES[want] else ch)
    return "".join(out)


def normalize_code(raw: str) -> Code:
    """`08-01.01.01- 09`, `O8-01.0l.01-09`, `08-01,01.01-0S` → `08-01.01.01-0X`; the raw text is the caller's."""
    compact = "".join(raw.split())
    fixed = by_template(compact.strip(TRAILING_MARKS) if len(compact) > len(TEMPLATE) else compact)
    if not CODE.match(fixed):
        fixed = compact.translate(_DIGITS)
    m = CODE.match(fixed)
    if not m:
        return Code(None, None, None, False)
    return Code(fixed, m.group(1), int(m.group(2)), fixed != compact)


def objective_of(raw: str) -> str | None:
    """The code's part before its last hyphen (`08-01.01.01`), where that part reads, repaired by the
    template, though what follows the hyphen does not."""
    compact = "".join(raw.split())
    n = len(TEMPLATE) - 3  # "99-99.99.99"
    head, rest = compact[:n], compact[n:]
    if not rest or rest[0] not in SEPARATOR_LOOKALIKES["-"]:
        return None
    head = by_template(head, TEMPLATE[:n])
    return head if OBJECTIVE.match(head) else None


def from_sequence(raw: str, before: Code | None, after: Code | None) -> Code:
    """A code whose last part cannot be read, from the results printed just before and after it in its
    unit: both of its objective, numbered n - 1 and n + 1. None where the neighbours do not say."""
    objective = objective_of(raw)
    if objective is None or before is None or after is None or before.sequence is None or after.sequence is None:
        return Code(None, None, None, False)
    if before.objective != objective or after.objective != objective or after.sequence - before.sequence != 2:
        return Code(None, None, None, False)
    n = before.sequence + 1
    return Code(f"{objective}-{n:02d}", objective, n, True)


def in_sequence(code: Code, before: Code | None, after: Code | None) -> bool:
    """Whether the unit's numbering bears a code out: the result before it (or after it) has its objective
    and the number just below (or above) it."""
    if code.sequence is None:
        return False
    return any(n is not None and n.objective == code.objective and n.sequence == code.sequence + step
               for n, step in ((before, -1), (after, 1)))
