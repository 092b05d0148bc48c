"""What an Excel file handed on says besides its figures: the data date, the page's filters, the 全省合计
row and the 示例/待审核 marks, all from the same functions as the pages (etl.totals)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from etl import catalog, totals
from etl.cn_format import Kind
from ui import filters


def data_date(values: pd.DataFrame) -> str | None:
    """数据截至…: when the newest figure in `values` was reported (Beijing time, as stored)."""
    moments = values["submitted_at"].dropna() if "submitted_at" in values else pd.Series(dtype=object)
    if moments.empty:
        return None
    return f"数据截至 {pd.Timestamp(moments.max()):%Y-%m-%d %H:%M}（最近一次上报）"


def cities_text(names: list[str]) -> str:
    every = [c.name for c in catalog.cities()]
    if set(names) >= set(every):
        return f"全部 {len(every)} 个市州"
    return "、".join(names) if names else "未选择"


def filters_note() -> str:
    chosen = filters.current()
    year = f"年度 {chosen.year}年；" if chosen.year else ""
    return f"页面筛选：{year}市州 {cities_text(chosen.city_names)}"


def layout(
    frame: pd.DataFrame,
    scope: pd.DataFrame,
    *,
    kind: Kind | Mapping[str, Kind] | None = None,
    row_kinds: list[Kind] | None = None,
    notes: list[str] | None = None,
) -> dict:
    """etl.workbook.Sheet fields for a table shown on a page: formats, notes, 全省合计 and marks.

    `scope` is the rows of the current-values frame the table shows; a table of 市州 rows gets a total of
    its additive columns and each 市州's marks."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    kinds = dict(kind) if isinstance(kind, Mapping) else dict.fromkeys(numeric, kind) if kind else {}
    by_city = frame.index.name == totals.CITY_COLUMN
    marks = totals.row_marks(scope)
    lines = [data_date(scope), *(notes if notes is not None else [filters_note()])]
    if not by_city:  # no 市州 rows to mark: say it once for the table
        lines += [totals.MARK_NOTES[m] for m in dict.fromkeys(m for v in marks.values() for m in v.split("、"))]
    fields: dict = {
        "notes": [line for line in lines if line],
        "kinds": kinds,
        "row_kinds": row_kinds,
        "marks": marks if by_city else {},
    }
    if by_city and frame.index.is_unique and any(k.additive for k in kinds.values()):
        fields["total"] = totals.total_row(frame, kinds)
        fields["total_label"] = totals.total_label(frame.index)
    return fields
