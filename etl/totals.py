"""What a handed-on table says about its figures besides the figures: the label of the province's row and the
marks (示例, 待审核) of the 市州 rows. One place for pages, Excel files and the briefing.

The province's figures themselves are never added up here: they come from the marts (mart_province, over every
reporting 市州, whatever 市州 a table shows), like every figure a page shows.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from etl import catalog

SAMPLE, PENDING = "示例", "待审核"
MARK_NOTES = {
    SAMPLE: "示例：含示例数据（虚构数字，仅供演示，不代表真实统计）",
    PENDING: "待审核：尚未经省妇联审核，数字可能变动",
}
CITY_COLUMN = "市州"
CITY_COUNT = len(catalog.cities())


def total_label(reported: int) -> str:
    """What a province total adds up: 全省合计 only when all 14 reported."""
    return "全省合计" if reported >= CITY_COUNT else f"已报 {reported} 个市州合计"


def columns_label(reported: Iterable[int]) -> str:
    """The label of a total row whose columns may have different 市州 behind them (one per indicator)."""
    counts = set(reported)
    if len(counts) == 1:
        return total_label(counts.pop())
    return "已报市州合计"


def _names(values: pd.DataFrame) -> pd.Series:
    if "region_name" in values:
        return values["region_name"]
    names = {c.code: c.name for c in catalog.cities()}
    return values["region_code"].map(names)


def _flagged(values: pd.DataFrame, column: str, mark: str) -> dict[str, str]:
    if column not in values or values.empty:
        return {}
    used = values["value"].notna() & values[column].fillna(False).astype(bool)
    names = _names(values)[used]
    order = {c.name: c.sort_order for c in catalog.cities()}
    return dict.fromkeys(sorted(set(names.dropna()), key=lambda n: order.get(n, 0)), mark)


def sample_marks(values: pd.DataFrame) -> dict[str, str]:
    """市州 name → 示例 when any figure of that 市州 in `values` (mart or current-values rows) is sample."""
    return _flagged(values, "is_sample", SAMPLE)


def pending_marks(values: pd.DataFrame) -> dict[str, str]:
    """市州 name → 待审核 when any figure of that 市州 in `values` is not yet reviewed (its `pending` flag)."""
    return _flagged(values, "pending", PENDING)


def row_marks(values: pd.DataFrame) -> dict[str, str]:
    """Every mark of each 市州, joined: "示例、待审核"."""
    marks: dict[str, list[str]] = {}
    for found in (sample_marks(values), pending_marks(values)):
        for city, mark in found.items():
            marks.setdefault(city, []).append(mark)
    return {city: "、".join(kinds) for city, kinds in marks.items()}
