"""Percentages as printed → numbers, and the ministry's half-up rounding.

OCR misreads the percent sign in a few known ways: "50%" comes back as "5096", "509%", "50 o/o" or "S0%". A
figure read that way is repaired only where the report itself rules out the plain reading: a physical % lies
between 0 and 100, so "5096" cannot be five thousand and ninety-six but "50" with its sign read as "96".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PCT = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*%?$")
# The figure, then what OCR made of its percent sign: "96", "9%", "%6" (the sign's two circles), "o/o", "0/0",
# "°/o", "%o", "%." …
MISREAD_SIGN = re.compile(r"^(\d{1,3}(?:[.,]\d+)?)\s*(?:96|9%|%6|%o|%0|%\.|[o0°º]/[o0°º])$")
# Letters OCR gives for the digits of a figure followed by its sign ("S0%", "$0%", "l00%", "O%"); a small "5"
# is sometimes read as two of them ("S$0%").
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "s": "5", "$": "5",
                                  "B": "8"})
FIVE_TWICE = re.compile(r"[Ss$]{2}")
LETTERED = re.compile(r"^([\dOolI|SsB$]{1,4}(?:[.,]\d+)?)\s*%$")
MAX_PCT = 100.0


@dataclass(frozen=True)
class Pct:
    value: float | None  # None: blank, or nothing that reads as a percentage
    repaired: bool  # read only once a misread percent sign or a look-alike letter was undone


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def read_pct(raw: str, top: float | None = MAX_PCT) -> Pct:
    """"50%", "50 %", "50,5 %" → 50.0 / 50.5; "5096", "509%", "50 o/o", "S0%" → 50.0, repaired; blank or
    unreadable → None (the raw text is kept beside). `top`: the highest % the family prints (None where a %
    may pass 100, as achieved over target does: "109%" is then a hundred and nine, no misread sign)."""
    text = raw.strip()
    m = PCT.match(text)
    plain = _number(m.group(1)) if m else None
    if plain is not None and top is None:
        return Pct(plain, False)
    leading_zero = len(text) > 1 and text[0] == "0" and text[1].isdigit()  # "096": "0%", never ninety-six
    if plain is not None and not leading_zero and (0 <= plain <= MAX_PCT or text.endswith("%") and not text.endswith("9%")):
        return Pct(plain, False)  # in range, or out of range with its sign printed plainly: as printed
    if (r := MISREAD_SIGN.match(text)) is not None and 0 <= (value := _number(r.group(1))) <= MAX_PCT:
        return Pct(value, True)
    if plain is None and (r := LETTERED.match(text)) is not None and not r.group(1).isdigit():
        value = _number(FIVE_TWICE.sub("5", r.group(1), count=1).translate(DIGIT_LOOKALIKES))
        if 0 <= value <= MAX_PCT:
            return Pct(value, True)
    return Pct(plain, False)


def parse_pct(raw: str, top: float | None = MAX_PCT) -> float | None:
    """The percentage a cell reads as (see `read_pct`), None when blank or unreadable."""
    return read_pct(raw, top).value


def half_up(x: float, decimals: int = 0) -> float:
    """Round the way the reports do: half-up, to a whole percent (62.5 → 63, 48.5 → 49; Python's round() gives
    62, 48) or to `decimals` places (58.425 → 58.43).

    Goes through the shortest decimal repr of x, so 0.1 + 0.2 style noise does not tip a half either way.
    """
    q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(q) if decimals == 0 else float(q)


CURRENCY = re.compile(r"^(?:S/\.?|Bs\.?|\$|USD|US\$)\s*", re.IGNORECASE)


def read_amount(raw: str, decimal_mark: str = ",", blank: tuple[str, ...] = ()) -> float | None:
    """An amount or a count as printed → a number, with the report's decimal mark: "2.114.698,00" (",") or
    "2,114,698.00" ("."); a currency sign before it ("S/ 1,250", "Bs. 300") and a percent sign after it ("100%",
    a target given as a percentage) are set aside. Blank, one of the profile's `blank` marks ("NP": not
    programmed, "-") or anything that does not read as a number → None (the raw text is kept beside)."""
    text = CURRENCY.sub("", raw.strip()).rstrip("%").strip()
    if not text or text in blank:
        return None
    group = "." if decimal_mark == "," else ","
    esc_d, esc_g = re.escape(decimal_mark), re.escape(group)
    if not re.fullmatch(rf"-?(?:\d{{1,3}}(?:{esc_g}\d{{3}})+|\d+)(?:{esc_d}\d+)?", text):
        return None
    return float(text.replace(group, "").replace(decimal_mark, "."))
