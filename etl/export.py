"""Tidy CSV export of current values, safe to open in Excel (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from etl.records import format_number

# 县市区: the 县市区 of a county row (its 市州 in 市州); blank for a 市州 or a 省级单位 (whose name is in 市州).
# 口径: the version of the indicator's definition the figure was reported under ("2020年起").
EXPORT_HEADER = ["年度", "行政区划代码", "市州", "县市区", "类别", "指标", "单位", "数值", "口径"]
STATUS_HEADER = "审核状态"  # only in exports that include pending figures
PENDING, PUBLISHED = "待审核", "已审核"
# Excel and WPS treat a cell starting with these as a formula (or DDE) when a CSV is opened.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> str:
    """Text that cannot run as a formula: a leading quote makes Excel show it as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def export_cell(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else format_number(value)  # NaN: a blank cell (a 市州 row's 县市区)
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def tidy_csv(rows: Iterable[tuple], *, with_status: bool = False) -> bytes:
    """Rows of (年度, 代码, 市州, 县市区, 类别, 指标, 单位, 数值, 口径, pending) → UTF-8 CSV with BOM for Excel.

    With `with_status`, a last column says 待审核 or 已审核; without, the pending flag is left out (a published
    export holds nothing pending).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER + ([STATUS_HEADER] if with_status else []))
    for row in rows:
        cells = [export_cell(v) for v in row[: len(EXPORT_HEADER)]]
        if with_status:
            cells.append(PENDING if row[len(EXPORT_HEADER)] else PUBLISHED)
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def frame_csv(frame) -> bytes:  # noqa: ANN001 - a pandas DataFrame (pandas loads lazily)
    """Exactly the table a page shows, as UTF-8 CSV with BOM; blanks stay blank (未填报), text neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    index_name = frame.index.name or ""
    keep_index = bool(frame.index.name)
    writer.writerow(([neutralise(index_name)] if keep_index else []) + [neutralise(c) for c in frame.columns])
    for label, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [_frame_cell(v) for v in row]
        writer.writerow(([neutralise(label)] if keep_index else []) + cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _frame_cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return export_cell(value)


def frame_xlsx(frame, *, title: str, source: str, **layout: object) -> bytes:  # noqa: ANN001 - a DataFrame
    """The same table as a formatted .xlsx (etl.workbook): title, data date and filters, frozen header, number
    formats, 全省合计 and marks as `layout` (the fields of etl.workbook.Sheet) gives them."""
    from etl.workbook import Sheet, write_workbook

    return write_workbook([Sheet("数据", title, frame, source=source, **layout)])
