"""One number style for every screen and file: cards, hovers, chart axes, tables, the briefing and Excel.

A figure's *kind* (from its unit) fixes its decimals: counts are whole numbers, 万元 amounts have two
decimals, averages of counts one, percentages and rates per 万人 one. Large figures read in 万/亿 with two
decimals (7.57万人, 1.02亿元, 1.38万亿元, never 13800亿元); a change is written in the scale of the figure
it changes ("+0.71万人" beside "12.46万人"). Tables keep exact figures with thousands separators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WAN = 10_000
YI = 100_000_000
MISSING = "未填报"
SCALED_DIGITS = 2  # 7.57万人, 1.02亿元


@dataclass(frozen=True)
class Kind:
    """How figures of one kind are written; `table_format` is st.column_config's printf, `excel_format` Excel's."""

    code: str
    digits: int
    table_format: str
    excel_format: str
    scales: bool = True  # large figures read in 万/亿
    additive: bool = False  # a 全省合计 of the 市州 means something (counts, amounts; not averages or rates)


COUNT = Kind("count", 0, "%,d", "#,##0", additive=True)
AMOUNT = Kind("amount", 2, "%,.2f", "#,##0.00", additive=True)
AVERAGE = Kind("average", 1, "%,.1f", "#,##0.0")
PERCENT = Kind("percent", 1, "%.1f%%", '0.0"%"', scales=False)
RATE = Kind("rate", 1, "%,.1f", "#,##0.0", scales=False)
KINDS = {k.code: k for k in (COUNT, AMOUNT, AVERAGE, PERCENT, RATE)}


def kind_of(unit: str, *, derived: bool = False) -> Kind:
    """万元 → amount; % → percent; 每万人 → rate; any other unit counts, and a derived count is an average."""
    if unit == "%":
        return PERCENT
    if unit.startswith("每"):
        return RATE
    if unit == "万元":
        return AMOUNT
    return AVERAGE if derived else COUNT


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _steps(unit: str) -> tuple[tuple[float, str], ...]:
    """(divisor, unit text) from the largest: 万元 amounts go on to 亿元 and 万亿元, other units to 万 and 亿."""
    if unit == "万元":
        return ((YI, "万亿元"), (WAN, "亿元"))
    return ((YI, f"亿{unit}"), (WAN, f"万{unit}"))


def scale_of(value: float, unit: str, kind: Kind | None = None) -> tuple[float, str, int]:
    """(divisor, unit text, decimals) a figure is written in: the largest step it reaches as written in the
    step below, so 99,999,999人 is 1.00亿人 (not 10000.00万人) while 9999人 stays 9999人."""
    kind = kind or kind_of(unit)
    chosen = (1.0, unit, kind.digits)
    for size, text in reversed(_steps(unit)) if kind.scales else ():
        lower, _, digits = chosen
        if round(abs(value) / lower, digits) < size / lower:
            break
        chosen = (size, text, SCALED_DIGITS)
    return chosen


def cn_quantity(value: float | None, unit: str, kind: Kind | None = None) -> str:
    """A figure with its unit: 75700人 → 7.57万人, 10211万元 → 1.02亿元, 700.5万元 → 700.50万元; NaN → 未填报."""
    if is_missing(value):
        return MISSING
    size, text, digits = scale_of(value, unit, kind)
    return f"{value / size:.{digits}f}{text}"


def cn_number(value: float | None, kind: Kind = COUNT) -> str:
    """A figure without a unit, for prose like “7.92万名妇女”: 5890 → 5890, 79200 → 7.92万."""
    return cn_quantity(value, "", kind)


def cn_change(change: float | None, unit: str, reference: float | None, kind: Kind | None = None) -> str:
    """A change in the scale of the figure it changes: (7139, 人, 124600) → +0.71万人; (-120, 人, 9000) → -120人."""
    if is_missing(change):
        return MISSING
    size, text, digits = scale_of(change if is_missing(reference) else reference, unit, kind)
    shown = f"{abs(change) / size:.{digits}f}"
    sign = "-" if change < 0 and float(shown) != 0 else "+"  # a leading "-" is what st.metric colours red
    return f"{sign}{shown}{text}"


def cn_percent_change(percent: float | None) -> str:
    return "" if is_missing(percent) else f"{percent:+.1f}%"


def table_text(value: float | None, unit: str, kind: Kind | None = None) -> str:
    """A table cell where one column mixes units (an indicator per row): 75,700 / 10,211.50 / 未填报."""
    if is_missing(value):
        return MISSING
    kind = kind or kind_of(unit)
    text = f"{value:,.{kind.digits}f}"
    return text + "%" if kind is PERCENT else text


def exact(value: float | None) -> str:
    """A figure as typed, for messages about one cell: 75700, 10211.5; missing is 未填报, never 0."""
    if is_missing(value):
        return MISSING
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- chart axes


@dataclass(frozen=True)
class Axis:
    """Ticks of a value axis in one scale: tickvals in the data's unit, ticktext and title in 万/亿."""

    tickvals: list[float]
    ticktext: list[str]
    title: str
    range: tuple[float, float]


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2 or 5 × 10^k) giving about `count` intervals over span."""
    if span <= 0:
        return 1.0
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)


def _decimals(step: float) -> int:
    """Fewest decimals that write every multiple of step exactly (0.5 → 1, 0.25 → 2, 20 → 0)."""
    for digits in range(6):
        if abs(round(step, digits) - step) < step * 1e-9:
            return digits
    return 6


def value_axis(low: float, high: float, unit: str, kind: Kind | None = None, count: int = 5) -> Axis:
    """Round ticks from min(0, low) to past high, in the scale of the largest figure (title 单位：万人)."""
    kind = kind or kind_of(unit)
    low, high = min(0.0, low), max(0.0, high)
    step = nice_step(high - low, count)
    if kind is COUNT:
        step = max(step, 1.0)  # no tick at 0.5 of a person
    # Strictly past the extremes, so the top bar and the average's label never touch the frame.
    first = math.floor(low / step - 1e-9) if low < 0 else 0
    last = math.floor(high / step + 1e-9) + 1
    ticks = [round(i * step, 10) for i in range(first, last + 1)]
    labels, title = tick_labels(ticks, unit, kind, reference=max(abs(low), abs(high)))
    return Axis(ticks, labels, title, (ticks[0], ticks[-1]))


def tick_labels(
    ticks: list[float], unit: str, kind: Kind | None = None, reference: float | None = None
) -> tuple[list[str], str]:
    """Evenly spaced ticks written in the scale of the largest figure (`reference`, else the largest tick),
    so 9654人 reads on a plain axis and 13.7万人 on one in 万人; as few decimals as the step needs."""
    size, text, _ = scale_of(max(abs(t) for t in ticks) if reference is None else reference, unit, kind)
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    digits = _decimals(step / size)
    return [f"{t / size:.{digits}f}" for t in ticks], f"单位：{text}"
