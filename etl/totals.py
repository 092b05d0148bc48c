"""全省合计 and the marks a handed-on table carries (示例, 待审核): one place for pages, Excel and the briefing.

`province_total` is the one sum behind the overview's cards, the 全省合计 rows of Excel files and the
briefing's tables; when the aggregates move into SQL marts, this is the function to swap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import pandas as pd

from etl import catalog
from etl.cn_format import Kind

SAMPLE, PENDING = "示例", "待审核"
MARK_NOTES = {
    SAMPLE: "示例：含示例数据（虚构数字，仅供演示，不代表真实统计）",
    PENDING: "待审核：尚未经省妇联审核，数字可能变动",
}
CITY_COLUMN = "市州"


def province_total(values: Iterable[float | None]) -> float | None:
    """The sum over the 市州 that reported; None (未填报) when none did — never 0 for nothing."""
    reported = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return sum(reported) if reported else None


def total_label(cities: Iterable[str]) -> str:
    """全省合计 only when every 市州 is in the table; a chosen few are summed as what they are."""
    shown = set(cities)
    if shown >= {c.name for c in catalog.cities()}:
        return "全省合计"
    return f"合计（所选 {len(shown)} 个市州）"


def total_row(table: pd.DataFrame, kinds: Mapping[str, Kind]) -> dict[str, float | None]:
    """Per column of a 市州-indexed table: the province total where adding up means something (counts,
    amounts); averages, percentages and rates are not summed (their column stays blank)."""
    return {column: province_total(table[column]) for column, kind in kinds.items() if kind.additive}


def sample_marks(values: pd.DataFrame) -> dict[str, str]:
    """市州 name → 示例 when any figure of that 市州 in `values` (rows of the current-values frame) is sample."""
    used = values[values["value"].notna() & values["is_sample"].fillna(False).astype(bool)]
    return dict.fromkeys(sorted(set(used["region_name"])), SAMPLE)


def pending_marks(values: pd.DataFrame) -> dict[str, str]:
    """市州 name → 待审核 for figures not yet reviewed. The review workflow (issue 11) adds the status; until
    the current-values frame carries it, nothing is pending."""
    if "review_status" not in values:
        return {}
    waiting = values[values["value"].notna() & (values["review_status"] == "pending")]
    return dict.fromkeys(sorted(set(waiting["region_name"])), PENDING)


def row_marks(values: pd.DataFrame) -> dict[str, str]:
    """Every mark of each 市州, joined: "示例、待审核"."""
    marks: dict[str, list[str]] = {}
    for found in (sample_marks(values), pending_marks(values)):
        for city, mark in found.items():
            marks.setdefault(city, []).append(mark)
    return {city: "、".join(kinds) for city, kinds in marks.items()}
