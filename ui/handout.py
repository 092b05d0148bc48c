"""What an Excel file handed on says besides its figures: the data date, the page's filters, the province's row
and the 示例/待审核 marks. Figures come from the marts (the builder's ui.tables.Table); nothing is added up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from etl import catalog, totals
from etl.cn_format import Kind
from ui import filters
from ui.tables import Table


def data_date(moment: datetime | None) -> str | None:
    """数据截至…: when the newest figure on show was reported (Beijing time, as stored)."""
    return None if moment is None else f"数据截至 {pd.Timestamp(moment):%Y-%m-%d %H:%M}（最近一次上报）"


def cities_text(names: list[str]) -> str:
    every = [c.name for c in catalog.cities()]
    if set(names) >= set(every):
        return f"全部 {len(every)} 个市州"
    return "、".join(names) if names else "未选择"


def filters_note() -> str:
    chosen = filters.current()
    year = f"年度 {chosen.year}年；" if chosen.year else ""
    scope = "；含待审核数据" if chosen.include_pending else "；已审核通过的数据"
    return f"页面筛选：{year}市州 {cities_text(chosen.city_names)}{scope}"


def _kinds(frame: pd.DataFrame, kind: Kind | Mapping[str, Kind] | None) -> dict[str, Kind]:
    if isinstance(kind, Mapping):
        return dict(kind)
    if kind is None:
        return {}
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) or frame[c].map(_number).any()]
    return dict.fromkeys(numeric, kind)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def layout(
    table: Table,
    *,
    kind: Kind | Mapping[str, Kind] | None = None,
    row_kinds: list[Kind] | None = None,
    notes: list[str],
) -> dict:
    """etl.workbook.Sheet fields for a table shown on a page: formats, notes, the province's row and marks.

    A table of 市州 rows gets each 市州's marks (from `table.scope`) in its 备注 column; any other table says
    once which marks its figures carry."""
    frame = table.frame
    kinds = _kinds(frame, kind)
    by_city = frame.index.name == totals.CITY_COLUMN
    marks = totals.row_marks(table.scope) if table.scope is not None else {}
    if by_city:
        marks = {city: mark for city, mark in marks.items() if city in set(frame.index)}
    lines = list(notes)
    if not by_city:  # no 市州 rows to mark: say it once for the table
        lines += [totals.MARK_NOTES[m] for m in dict.fromkeys(m for v in marks.values() for m in v.split("、"))]
    fields: dict = {
        "notes": [line for line in lines if line],
        "kinds": kinds,
        "row_kinds": row_kinds,
        "marks": marks if by_city else {},
        "pending": table.pending if table.has_pending else None,
    }
    if table.total is not None:
        fields["total"] = table.total
        fields["total_label"] = table.total_label
    return fields
