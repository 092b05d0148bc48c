"""Pieces every page shares: the empty state, the sample-data notice, downloads of what a chart shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st

from etl import actions, catalog, config
from etl.cn_format import Kind
from etl.export import frame_csv, frame_xlsx
from etl.roles import EXPORT
from ui import auth, data, handout, metrics

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
NOT_FIGURES = ()  # a template or a reminder: no 市州's figures, anyone may have it
OWN_CITY_ONLY = "统计员只能导出本市州的数据：请到“数据导出”页，选择本市州导出。"


def download(  # noqa: PLR0913
    column, label: str, build, *, file_name: str, mime: str, key: str, regions: Iterable[str] = ALL_CITIES
) -> bool:  # noqa: ANN001
    """One download button whose file is built only when someone clicks, not on every rerun.

    A file of figures (of `regions`) is an export: offered only to a role that may export them, and checked
    and audited again at the click, on the server, before the file is built. False when not offered.
    """
    regions = tuple(regions)
    if regions and not auth.may(EXPORT, regions):
        return False
    user, db = auth.user(), config.warehouse_path()

    def audited() -> bytes | str:
        if regions:
            actions.export(user, regions, what=label, file_name=file_name, db_path=db)
        return build() if callable(build) else build

    column.download_button(
        label, audited, file_name=file_name, mime=mime, key=key, icon=":material/download:", on_click="ignore"
    )
    return True


def downloads(  # noqa: PLR0913
    frame: pd.DataFrame,
    *,
    name: str,
    title: str,
    key: str,
    regions: Iterable[str] = ALL_CITIES,
    scope: pd.DataFrame | None = None,
    kind: Kind | Mapping[str, Kind] | None = None,
    row_kinds: list[Kind] | None = None,
) -> None:
    """CSV and .xlsx of exactly the data shown; the .xlsx formatted to hand on (ui.handout): `scope` is the
    rows of the current-values frame the table shows (data date, 示例 marks), `kind`/`row_kinds` its units."""
    left, right, _ = st.columns([1, 1, 4])
    # Taken now: the file is built on another thread at the click, where the session's filters are not.
    notes, shown = [handout.filters_note()], data.values() if scope is None else scope

    def xlsx() -> bytes:
        layout = handout.layout(frame, shown, kind=kind, row_kinds=row_kinds, notes=notes)
        return frame_xlsx(frame, title=title, source=SOURCE, **layout)

    offered = download(
        left, "下载 CSV", lambda: frame_csv(frame), file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
        regions=regions,
    )  # fmt: skip
    download(
        right,
        "下载 Excel",
        xlsx,
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        regions=regions,
    )
    if not offered:
        st.caption(OWN_CITY_ONLY)
