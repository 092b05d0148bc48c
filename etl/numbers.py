"""Turn what a statistician typed into a cell into a number, "not reported", or the reason it is neither."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from etl.catalog import Indicator

# Placeholders that mean "not reported" in Chinese returns.
NOT_REPORTED = {"", "-", "--", "—", "——", "–", "/", "无", "空", "暂无", "N/A"}
EXCEL_ERRORS = {
    "#DIV/0!",
    "#N/A",
    "#NAME?",
    "#NULL!",
    "#NUM!",
    "#REF!",
    "#VALUE!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}
# An estimate: 近2000, 约300, 2000余, 700多, 700多万元, 1.2万余人, 300左右 (the qualifier may come before a unit).
_APPROXIMATE = re.compile(r"^(近|约|大约|大概|逾|超过|将近|接近|约合)|\d[十百千万亿]?(余|多|左右|以上|上下|来)")
# Scale words: 万 and 亿 multiply; the unit text itself is accepted and dropped.
_SCALES = {"": Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER = re.compile(r"^(?P<number>\d+(?:\.\d+)?|\.\d+)(?P<scale>万|亿)?(?P<unit>.*)$")


class Parsed(NamedTuple):
    """Either a value (None = not reported) or a problem code with the text that caused it (and, for yuan-in-wan,
    the value in 万元 as `value`)."""

    value: float | None = None
    problem: str | None = None
    text: str = ""


def _clean(text: str) -> str:
    # NFKC folds full-width digits (７５７００) and punctuation; thousands separators are dropped.
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s,，'’]", "", text)


def parse_value(raw: object, indicator: Indicator) -> Parsed:
    """Parse one cell for one indicator; the unit decides how 万/亿 and decimals are read."""
    if raw is None:
        return NOTHING
    if type(raw) is float and math.isfinite(raw):
        return _check_float(raw, indicator)
    if isinstance(raw, (bool, datetime, date, time, timedelta)):
        return Parsed(problem="not-a-number", text=str(raw))
    if isinstance(raw, (int, float)):
        return _check(Decimal(str(raw)) if math.isfinite(raw) else None, indicator, str(raw))
    return _parse_text(str(raw), indicator)


def _parse_text(original: str, indicator: Indicator) -> Parsed:
    text = _clean(original)
    if text in NOT_REPORTED:
        return Parsed()
    if text.upper() in EXCEL_ERRORS:
        return Parsed(problem="excel-error", text=text)
    if _APPROXIMATE.search(text):
        return Parsed(problem="approximate-value", text=original.strip())
    if text.startswith("-") and _NUMBER.match(text[1:]):
        return Parsed(problem="negative-value", text=original.strip())
    match = _NUMBER.match(text)
    if match and indicator.unit == "万元" and match["unit"] == "元" and not match["scale"]:
        # 5000元 in a 万元 column: the message says what to write, 0.5 (carried in `value`)
        return Parsed(float(Decimal(match["number"]) / 10_000), "yuan-in-wan", original.strip())
    if not match or not _unit_fits(match["scale"] or "", match["unit"], indicator):
        return Parsed(problem="not-a-number", text=original.strip())
    number = Decimal(match["number"]) * _scale(match["scale"] or "", indicator)
    return _check(number, indicator, original.strip())


def _unit_fits(scale: str, unit: str, indicator: Indicator) -> bool:
    """`10211万元` in a 万元 column, `44场`, `1.2万人` are fine; `5000元` in a 万元 column is not."""
    if indicator.unit == "万元":
        return (scale + unit) in ("", "万", "万元", "亿", "亿元")
    return unit in ("", indicator.unit)


def _scale(scale: str, indicator: Indicator) -> Decimal:
    if indicator.unit == "万元":
        # The column is already in 万元: 1.2万 / 1.2万元 is 1.2, 1.02亿 is 10200.
        return Decimal(10_000) if scale == "亿" else Decimal(1)
    return _SCALES[scale]


NOTHING = Parsed()


def _check_float(number: float, indicator: Indicator) -> Parsed:
    """The common case, a number cell, without the cost of Decimal."""
    if number < 0:
        return Parsed(problem="negative-value", text=_float_text(number))
    if indicator.is_count and not number.is_integer():
        return Parsed(problem="fraction-in-count", text=_float_text(number))
    return Parsed(value=number)


def _float_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def _check(number: Decimal | None, indicator: Indicator, text: str) -> Parsed:
    if number is None or not number.is_finite():
        return Parsed(problem="not-a-number", text=text)
    if number < 0:
        return Parsed(problem="negative-value", text=text)
    if indicator.is_count and number != number.to_integral_value():
        return Parsed(problem="fraction-in-count", text=text)
    try:
        return Parsed(value=float(number))
    except (InvalidOperation, OverflowError):
        return Parsed(problem="not-a-number", text=text)


def parse_year(raw: object) -> int | None:
    """A year as typed in a 年度 cell: 2016, 2016.0, '2016', '2016年', '２０１６年度'."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return int(raw) if math.isfinite(raw) and float(raw).is_integer() else None
    text = _clean(str(raw or ""))
    match = re.fullmatch(r"(\d{4})(?:年|年度)?", text)
    return int(match[1]) if match else None
