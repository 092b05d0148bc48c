"""审计日志 (管理员): the append-only log, filtered by time, user and action; read here, edited nowhere."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from etl import audit, catalog
from etl.warehouse import now_beijing

COLUMNS = ["时间", "用户", "角色", "操作", "结果", "市州", "年度", "说明", "文件名", "文件哈希（SHA-256）"]


def table(entries: list[dict]) -> pd.DataFrame:
    regions = catalog.region_by_code()
    frame = pd.DataFrame(
        [
            (e["at"], e["actor"], e["role"], audit.ACTIONS.get(e["action"], e["action"]),
             audit.OUTCOMES.get(e["outcome"], e["outcome"]),
             regions[e["region_code"]].name if e["region_code"] in regions else "", e["year"],
             e["detail"], e["file_name"] or "", e["file_sha256"] or "")
            for e in entries
        ],
        columns=COLUMNS,
    )  # fmt: skip
    # A year or nothing: a nullable integer column (numbers mixed with "" cannot become an Arrow column).
    return frame.astype({"年度": "Int64"})


def csv(frame: pd.DataFrame) -> bytes:
    """Formula-safe like every export: names and file names typed by users reach this file."""
    from etl.export import frame_csv

    return frame_csv(frame.astype(object).where(frame.notna(), None))  # no year: a blank cell


def describe(chosen: dict) -> str:
    """The filters in words, for the Excel file's second row."""
    since = chosen["since"] or "最早"
    until = (date.fromisoformat(chosen["until"]) - timedelta(days=1)).isoformat() if chosen["until"] else "现在"
    actions = "、".join(audit.ACTIONS.get(a, a) for a in chosen["actions"] or []) or "全部"
    return f"筛选：时间 {since} 至 {until}；用户 {chosen['actor'] or '全部'}；操作 {actions}"


def xlsx(frame: pd.DataFrame, chosen: dict, exported_at: str) -> bytes:
    """The log as a formatted .xlsx (etl.workbook): title, filters, frozen header, widths for Chinese."""
    from etl.export import frame_xlsx

    notes = [describe(chosen), f"导出时间 {exported_at}"]
    blank_year = frame.astype(object).where(frame.notna(), None)  # no year: a blank cell, as in the CSV
    return frame_xlsx(
        blank_year, title="审计日志", source="湖南省妇联统计平台审计日志（只能追加）", notes=notes, plain=("年度",)
    )


def filters() -> dict:
    """since/until (Beijing dates), actor and actions as etl.audit.entries takes them."""
    today = now_beijing().date()  # the log is in Beijing time; the server's own date lags it for 8 hours a day
    left, middle, right = st.columns([2, 1, 2])
    span = left.date_input("时间范围", value=(today - timedelta(days=30), today), key="audit_span", format="YYYY-MM-DD")
    actor = middle.text_input("用户", key="audit_actor", placeholder="全部用户", max_chars=50).strip()
    labels = {label: code for code, label in audit.ACTIONS.items()}
    actions = right.multiselect("操作", list(labels), key="audit_actions", placeholder="全部操作")
    first, last = (span[0], span[-1]) if span else (None, None)
    return {
        "since": first.isoformat() if first else None,
        "until": (last + timedelta(days=1)).isoformat() if last else None,
        "actor": actor or None,
        "actions": [labels[a] for a in actions] or None,
    }
