"""What a return holds once read: one value per (region, year, indicator), with where it was found. Ground floor:
the warehouse stores these, extraction makes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Observation(NamedTuple):  # a tuple: created once per value, 100,000 times for a long file
    region_code: str
    year: int
    indicator: str
    value: float | None
    sheet: str
    cell: str  # "" when the indicator's column is missing: not reported


@dataclass(frozen=True)
class TotalRow:
    """A 合计 row: checked against the sum of the regions, never stored."""

    year: int
    indicator: str
    value: float
    sheet: str
    cell: str


def format_number(value: float) -> str:
    """Exact figure for messages and exports: 75700, 10211.5 (never 75700.0)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")
