"""Pieces every page shares: the empty state, the sample-data notice, downloads of what a chart shows."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from etl import actions, catalog, config
from etl.export import frame_csv, frame_xlsx
from etl.roles import EXPORT, PermissionDenied
from ui import auth, metrics

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


ALL_CITIES = tuple(c.code for c in catalog.cities())
NOT_FIGURES = ()  # a template, a reminder, the audit log: no 市州's figures; `action` says who may have it
OWN_CITY_ONLY = "统计员只能导出本市州的数据：请到“数据导出”页，选择本市州导出。"


def download(  # noqa: PLR0913
    column,
    label: str,
    build,
    *,
    file_name: str,
    mime: str,
    key: str,
    regions: Iterable[str] = ALL_CITIES,
    action: str = EXPORT,
) -> bool:  # noqa: ANN001
    """One download button whose file is built only when someone clicks, not on every rerun.

    Offered only to a role that may take `action` (an export of `regions`' figures unless said otherwise). At
    the click, on the server, the session and role are read again from the accounts file before anything is
    built: a user disabled, logged out or timed out since the page was drawn gets nothing (and the page then
    says why). An export is audited. False when the button is not offered.
    """
    regions = tuple(regions)
    if not auth.may(action, regions):
        return False
    actor_now, db = auth.actor_at_click(action, regions), config.warehouse_path()

    def built() -> bytes | str:
        actor = actor_now()
        if actor is None:
            raise PermissionDenied("下载被拒绝：登录已失效或没有权限。")
        if action == EXPORT:
            actions.export(actor, regions, what=label, file_name=file_name, db_path=db)
        return build() if callable(build) else build

    column.download_button(
        label, built, file_name=file_name, mime=mime, key=key, icon=":material/download:", on_click="ignore"
    )
    return True


def downloads(frame: pd.DataFrame, *, name: str, title: str, key: str, regions: Iterable[str] = ALL_CITIES) -> None:
    """CSV and .xlsx of exactly the data shown."""
    left, right, _ = st.columns([1, 1, 4])
    offered = download(
        left, "下载 CSV", lambda: frame_csv(frame), file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
        regions=regions,
    )  # fmt: skip
    download(
        right,
        "下载 Excel",
        lambda: frame_xlsx(frame, title=title, source=SOURCE),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        regions=regions,
    )
    if not offered:
        st.caption(OWN_CITY_ONLY)


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """Exact figures for reading on screen, 未填报 where nothing was reported."""
    from etl.cn_format import exact

    return table.apply(lambda column: column.map(exact) if pd.api.types.is_numeric_dtype(column) else column)
