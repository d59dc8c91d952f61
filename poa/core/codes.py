"""A result code as a report family writes it: its pattern, its printed form, and how a misread one is
repaired (letters taken for digits, separators a scan changed, a number the unit's numbering brackets). Part
of a template profile (`profile.code`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Code:
    """A code as read: normalized (None where it cannot be read), its objective (the part before its number)
    and its number in that objective, and whether reading it took more than removing whitespace."""

    code: str | None
    objective: str | None
    sequence: int | None
    repaired: bool


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
_FEW_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})  # a code whose length is off
TRAILING_MARKS = ":;,.'`\"·"  # a speck of a scan read after the code, or before it


@dataclass(frozen=True)
class CodeSpec:
    """How a family numbers its results. `pattern` matches a whole code, whitespace removed, with the groups
    `objective` and `sequence` (the result's number within its objective); `starts` matches the start of a
    cell that holds one, as printed (tolerant of the spaces and look-alike letters a PDF or OCR gives);
    `template`, where every code has one length, says which places hold a digit (9) and which a separator, so
    that a look-alike letter in a digit's place is read as that digit."""

    pattern: str
    starts: str
    template: str | None = None
    whole: re.Pattern = field(init=False, repr=False, compare=False)
    start: re.Pattern = field(init=False, repr=False, compare=False)
    anywhere: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "whole", re.compile(self.pattern))
        set_(self, "start", re.compile(self.starts))
        set_(self, "anywhere", re.compile(rf"(?<![\w.-])(?:{self.pattern})(?![\w.-])"))

    def opens(self, cell: str) -> bool:
        """Whether a cell starts with a code (a result's or a deviation's row)."""
        return bool(self.start.match(cell))

    def is_word(self, word: str) -> bool:
        """Whether a printed word is a code, or its first part where a narrow column wrapped it
        ("08-01.01.01-"): a word ending on a separator that a number after it would make whole."""
        if self.whole.fullmatch(word):
            return True
        return bool(word) and not word[-1].isalnum() and any(self.whole.fullmatch(word + "0" * n) for n in (1, 2))

    def in_text(self, text: str) -> bool:
        """Whether a whole code stands anywhere in a text, wrapped or not ("08-01.01.01- 02")."""
        return bool(self.anywhere.search(_SEPARATED.sub(r"\1", text)))

    def wrapped(self, code_text: str) -> bool:
        """Whether a code cell's text is a piece of a code that a narrow column, or a page break, cut at a
        separator, the rest to come ("08-", "08-01.01.01-", "01.01.01-" on the next page): it has the shape of
        some stretch of the template ending on a separator (a digit, or a look-alike, where a digit stands),
        or, with no template, a number broken after a separator."""
        compact = "".join(code_text.split())
        if not compact or compact[-1].isalnum():
            return False
        if self.template is None:
            return compact[0].isdigit()
        n = len(compact)
        for at in range(len(self.template) - n):
            stretch = self.template[at:at + n]
            if all(ch.isdigit() if want == "9" else ch == want
                   for ch, want in zip(self.by_template(compact, stretch), stretch)):
                return True
        return False

    def read(self, raw: str) -> Code:
        """`08-01.01.01- 09`, `O8-01.0l.01-09`, `08-01,01.01-0S` → `08-01.01.01-0X`; the raw text is the
        caller's to keep."""
        compact = "".join(raw.split())
        fixed = compact
        if self.template is not None:
            n = len(self.template)
            fixed = self.by_template(compact.strip(TRAILING_MARKS) if len(compact) > n else compact)
        if not self.whole.fullmatch(fixed):
            fixed = compact.translate(_FEW_DIGITS)
        m = self.whole.fullmatch(fixed)
        if not m:
            return Code(None, None, None, False)
        return Code(fixed, m.group("objective"), int(m.group("sequence")), fixed != compact)

    def by_template(self, compact: str, template: str | None = None) -> str:
        """Each place of a text as long as the template read as the template says it must be: a look-alike
        letter in a digit's place as that digit, a look-alike mark in a separator's place as that separator."""
        template = template or self.template
        if template is None or len(compact) != len(template):
            return compact
        out = []
        for ch, want in zip(compact, template):
            if want == "9":
                out.append(ch.translate(DIGIT_LOOKALIKES))
            else:
                out.append(want if ch in SEPARATOR_LOOKALIKES.get(want, want) else ch)
        return "".join(out)

    def objective_of(self, raw: str) -> str | None:
        """The code's objective where that part reads (repaired by the template) though its number does not
        ("08-01.01.01-(0)" → "08-01.01.01")."""
        if self.template is None:
            return None
        n = max(i for i, ch in enumerate(self.template) if ch != "9")  # the separator before the number
        sep, compact = self.template[n], "".join(raw.split())
        head, rest = compact[:n], compact[n:]
        if not rest or rest[0] not in SEPARATOR_LOOKALIKES.get(sep, sep):
            return None
        head = self.by_template(head, self.template[:n])
        m = self.whole.fullmatch(head + sep + self.template[n + 1:].replace("9", "0"))
        return head if m is not None and m.group("objective") == head else None

    def between(self, raw: str, before: Code | None, after: Code | None) -> Code:
        """A code whose number cannot be read, from the results printed just before and after it in its unit:
        both of its objective, numbered n - 1 and n + 1 (the template gives the number's form). A code that
        reads nothing where the neighbours do not say."""
        objective = self.objective_of(raw)  # None without a template
        if (self.template is None or objective is None or before is None or after is None or before.sequence is None
                or after.sequence is None):
            return Code(None, None, None, False)
        if before.objective != objective or after.objective != objective or after.sequence - before.sequence != 2:
            return Code(None, None, None, False)
        n, cut = before.sequence + 1, max(i for i, ch in enumerate(self.template) if ch != "9")
        return Code(f"{objective}{self.template[cut]}{n:0{len(self.template) - cut - 1}d}", objective, n, True)

    @staticmethod
    def follows(code: Code, before: Code | None, after: Code | None) -> bool:
        """Whether the unit's numbering bears a code out: the result before it (or after it) has its objective
        and the number just below (or above) it."""
        if code.sequence is None:
            return False
        return any(n is not None and n.objective == code.objective and n.sequence == code.sequence + step
                   for n, step in ((before, -1), (after, 1)))

    def example(self) -> str:
        """What a code looks like, for messages ("NN-NN.NN.NN-NN")."""
        return self.template.replace("9", "N") if self.template else self.pattern


_SEPARATED = re.compile(r"\s*([-.])\s*")
