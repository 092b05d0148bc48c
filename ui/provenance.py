"""这个数哪来的？ One current figure's file, cell, sender and time, and the value it replaced."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from etl import catalog
from etl.cn_format import exact
from ui import data, plain

YEAR_COLUMN = re.compile(r"^(\d{4})年$")


STATES = {"pending": "待审核", "published": "已审核通过", "returned": "已退回", "superseded": "已被新版本取代"}


def _with_unit(value: float | None, unit: str) -> str:
    return exact(value) + (unit if value is not None else "")


def change_text(found: dict, unit: str) -> str:
    """“原为 X（第 N 版）” when the figure replaced a different published one; else say there was nothing to replace."""
    if found["previous"] is None:
        return "首次上报，没有更早的已审核版本"
    old, version = found["previous"]
    if old == found["value"]:
        return f"与第 {version} 版相同，未改动"
    return f"原为 {_with_unit(old, unit)}（第 {version} 版）"


def review_text(found: dict) -> str:
    state = STATES.get(found["status"], found["status"])
    if found["status"] == "published" and found["reviewed_at"] is not None:
        return f"{state}（{found['reviewed_by']}，{found['reviewed_at']:%Y-%m-%d %H:%M}）"
    return state


def details(found: dict, unit: str) -> pd.DataFrame:
    """Label → text rows; file names and senders are user text, so they go to a table, never to Markdown."""
    rows = [
        ("数值", _with_unit(found["value"], unit)),
        ("来源文件", found["file_name"]),
        ("位置", f"{found['sheet']}!{found['cell']}" if found["cell"] else "（文件中没有这一列）"),
        ("上报人", found["submitted_by"]),
        ("上报时间", f"{found['submitted_at']:%Y-%m-%d %H:%M}（北京时间）"),
        ("上报编号", str(found["submission_id"])),
        ("版本", f"第 {found['version']} 版"),
        ("审核状态", review_text(found)),
        ("修改情况", change_text(found, unit)),
    ]
    if found["is_sample"]:
        rows.append(("示例数据", "是：虚构数字，仅供演示"))
    return pd.DataFrame(rows, columns=["项目", "内容"])


def explain(snap: data.Snapshot, region_code: str, year: int, indicator: str, include_pending: bool) -> None:
    """Render where the figure on show of one indicator for one 市州 and year came from."""
    city = catalog.region_by_code()[region_code].name
    item = catalog.indicator_by_code()[indicator]
    found = data.provenance(snap, region_code, year, indicator, include_pending)
    if found is None:
        domain = catalog.domain_by_code()[item.domain].name
        shown = "上报" if include_pending else "审核通过"
        st.info(f"{city}{year}年尚无{shown}的“{domain}”数据，{item.name}没有来源可查。")
        return
    st.markdown(plain.bold(f"{city}{year}年{item.name}：{_with_unit(found['value'], item.unit)}"))
    st.dataframe(details(found, item.unit), hide_index=True, width="stretch")


def _selected(selection: dict, rows: int) -> tuple[int, int] | None:
    """(row, year) of the single selected cell when it sits in a year column of a table of `rows` rows."""
    cells = selection.get("cells") or []
    if not cells:
        return None
    row, column = cells[0]
    match = YEAR_COLUMN.match(str(column))
    if match is None or not 0 <= row < rows:
        return None
    return row, int(match.group(1))


def picked_cell(selection: dict, table: pd.DataFrame) -> tuple[str, int] | None:
    """(region code, year) of the cell selected in a 市州 × 年度 table, or None when no figure cell is selected."""
    picked = _selected(selection, len(table))
    if picked is None:
        return None
    codes = {c.name: c.code for c in catalog.cities()}
    code = codes.get(table.index[picked[0]])  # the province's rows below the 市州 have no single source
    return (code, picked[1]) if code else None


def picked_indicator_cell(selection: dict, indicators: tuple) -> tuple[str, int] | None:
    """(indicator code, year) of the cell selected in an 指标 × 年度 table (rows in catalog order), or None."""
    picked = _selected(selection, len(indicators))
    return (indicators[picked[0]].code, picked[1]) if picked else None


def explain_cell(snap: data.Snapshot, region_code: str, year: int, code: str, include_pending: bool) -> None:
    """A derived rate has no cell of its own: explain the two reported figures it is computed from."""
    rate = catalog.rate_by_code().get(code)
    if rate is None:
        explain(snap, region_code, year, code, include_pending)
        return
    st.caption("这是计算得出的比率，下面分别是参与计算的两项上报数。")
    for part in (rate.numerator, rate.denominator):
        explain(snap, region_code, year, part, include_pending)
