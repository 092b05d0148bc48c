"""Numbers written the Chinese way: 7.57万, 1.02亿, with units — for cards, hovers and the briefing."""

from __future__ import annotations

import math

WAN = 10_000
YI = 100_000_000


def _trim(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(value: float, steps: tuple[tuple[float, str], ...], digits: int) -> str:
    """Pick the largest step the value reaches *after* rounding: 99,999,999 is 1亿, not 10000万."""
    for size, suffix in steps:
        if round(abs(value) / size, digits) >= 1:
            return _trim(value / size, digits) + suffix
    return _trim(value, digits)


def cn_number(value: float | None, digits: int = 2) -> str:
    """75700 → 7.57万, 102110000 → 1.02亿, 9999 → 9999, 0 → 0; None/NaN → 未填报."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "未填报"
    if round(abs(value), digits) >= WAN:
        return _scaled(value, ((YI, "亿"), (WAN, "万")), digits)
    return _trim(value, digits)


def cn_quantity(value: float | None, unit: str, digits: int = 2) -> str:
    """A figure with its unit; 万元 amounts scale to 亿元: 10211万元 → 1.02亿元, 700.5万元 → 700.5万元."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "未填报"
    if unit == "万元":
        return (
            _scaled(value, ((WAN, "亿元"),), digits)
            if round(abs(value), digits) >= WAN
            else _trim(value, digits) + "万元"
        )
    return cn_number(value, digits) + unit


def exact(value: float | None) -> str:
    """Tables keep exact figures: 75700, 10211.5; missing is 未填报, never 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "未填报"
    return str(int(value)) if float(value).is_integer() else _trim(value, 4)
