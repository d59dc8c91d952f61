"""Percentages as printed → numbers, and the ministry's half-up rounding."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

PCT = re.compile(r"^(-?\d+(?:[.,]\d+)?)\s*%?$")


def parse_pct(raw: str) -> float | None:
    """"50%", "50 %", "50,5 %" → 50.0 / 50.5; blank or unreadable → None (the raw text is kept beside)."""
    m = PCT.match(raw.strip())
    return float(m.group(1).replace(",", ".")) if m else None


def half_up(x: float) -> int:
    """Round to a whole percent the way the reports do: 62.5 → 63, 48.5 → 49 (Python's round() gives 62, 48).

    Goes through the shortest decimal repr of x, so 0.1 + 0.2 style noise does not tip a half either way.
    """
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
