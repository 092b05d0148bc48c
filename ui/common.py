"""Pieces every page shares: the empty state, the sample-data notice, downloads of what a chart shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl.export import frame_csv, frame_xlsx
from ui import metrics

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCE = "湖南省妇联统计平台（各市州妇联上报）"


def require_data(df: pd.DataFrame) -> bool:
    """False (after saying so kindly) when the warehouse holds nothing yet."""
    if len(df):
        return True
    st.info("尚无数据，请先上报。")
    st.page_link("app_pages/upload.py", label="前往“数据上报”", icon=":material/upload_file:")
    return False


def sample_notice(df: pd.DataFrame) -> None:
    """Invented demo figures must never pass for real ones."""
    if metrics.sample_share(df):
        st.warning(
            "示例数据：当前显示的数字含示例数据（除原文给出的 2016 年数字外均为虚构），仅供演示，不代表真实统计。"
        )


def download(column, label: str, build, *, file_name: str, mime: str, key: str) -> None:  # noqa: ANN001
    """One download button whose file is built only when someone clicks, not on every rerun."""
    column.download_button(
        label, build, file_name=file_name, mime=mime, key=key, icon=":material/download:", on_click="ignore"
    )


def downloads(frame: pd.DataFrame, *, name: str, title: str, key: str) -> None:
    """CSV and .xlsx of exactly the data shown."""
    left, right, _ = st.columns([1, 1, 4])
    download(left, "下载 CSV", lambda: frame_csv(frame), file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    download(
        right,
        "下载 Excel",
        lambda: frame_xlsx(frame, title=title, source=SOURCE),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
    )


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """Exact figures for reading on screen, 未填报 where nothing was reported."""
    from etl.cn_format import exact

    return table.apply(lambda column: column.map(exact) if pd.api.types.is_numeric_dtype(column) else column)
