"""Tidy CSV export of current values, safe to open in Excel (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from etl.validate import format_number

EXPORT_HEADER = ["年度", "行政区划代码", "市州", "类别", "指标", "单位", "数值"]
# Excel and WPS treat a cell starting with these as a formula (or DDE) when a CSV is opened.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> str:
    """Text that cannot run as a formula: a leading quote makes Excel show it as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def export_cell(value: object) -> str:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def tidy_csv(rows: Iterable[tuple]) -> bytes:
    """Rows of (年度, 代码, 市州, 类别, 指标, 单位, 数值) → UTF-8 CSV with BOM, as Excel opens it cleanly."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        writer.writerow([export_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
