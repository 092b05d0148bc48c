"""Pieces every page shares: the empty state, the incomplete-year banner, the sample-data notice, the 待审核
label, downloads of what a chart shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd
import streamlit as st

from etl import actions, catalog, config, totals
from etl.cn_format import Kind
from etl.export import frame_csv, frame_xlsx
from etl.roles import EXPORT, PENDING, UPLOAD, PermissionDenied
from ui import auth, data, filters, handout
from ui.data import Years
from ui.tables import Table, as_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SOURCE = "湖南省妇联统计平台（各市州妇联上报）"
CITY_COUNT = len(catalog.cities())
PAGE_KEY = "page_url"  # app.py records the address of the page it runs, for the page shared by the four 类别
SELECTION = "所选市州"  # a figure over the sidebar's 市州, never passed off as the province's


def today() -> date:
    """Today in Beijing, for 截至 X月X日."""
    from etl.warehouse import now_beijing

    return now_beijing().date()


def page_url() -> str:
    return st.session_state.get(PAGE_KEY, "")


def require_data(years: Years, include_pending: bool) -> bool:
    """False (after saying so kindly) when there is nothing to show in this scope yet."""
    if years.published or (include_pending and years.with_pending):
        return True
    if years.with_pending:
        hint = "打开左侧“含待审核数据”可查看已上报、待审核的数据。" if auth.may(PENDING) else ""
        st.info("尚无审核通过的数据。" + hint)
        return False
    st.info("尚无数据，请先上报。")
    if auth.may(UPLOAD):
        st.page_link("app_pages/upload.py", label="前往“数据上报”", icon=":material/upload_file:")
    return False


def incomplete_text(years: Years, year: int, today: date) -> str | None:
    """What every view of an incomplete year says (on the page and in its PDF); None when the year is complete."""
    status = years.published.get(year)
    approved = status["cities_complete"] if status else 0
    if approved >= CITY_COUNT:
        return None
    return (
        f"截至 {today.month}月{today.day}日，{CITY_COUNT} 个市州中 {approved} 个已审核通过。"
        f"{year}年数据尚不完整：合计只含已报市州，不是全省全年数字。"
    )


def year_banner(years: Years, year: int, today: date) -> bool:
    """The banner every view of an incomplete year carries; True when the year is complete."""
    text = incomplete_text(years, year, today)
    if text:
        st.info(text, icon=":material/hourglass_top:")
    return text is None


total_label = totals.total_label  # what a province total adds up: 全省合计 only when all 14 reported


def sample_notice(is_sample: bool) -> None:
    """Invented demo figures must never pass for real ones."""
    if is_sample:
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


def downloads(  # noqa: PLR0913
    table: Table | pd.DataFrame,
    *,
    name: str,
    title: str,
    key: str,
    regions: Iterable[str] = ALL_CITIES,
    kind: Kind | Mapping[str, Kind] | None = None,
    row_kinds: list[Kind] | None = None,
) -> None:
    """CSV and .xlsx of exactly the data shown; the .xlsx formatted to hand on (ui.handout): `kind`/`row_kinds`
    its units, the Table's mart rows and province row its marks and closing row."""
    table = as_table(table)
    left, right, _ = st.columns([1, 1, 4])
    # Taken now: the file is built on another thread at the click, where the session's filters are not.
    chosen = filters.current()
    notes = [handout.data_date(data.data_date(data.snapshot(), chosen.include_pending)), handout.filters_note()]

    def xlsx() -> bytes:
        layout = handout.layout(table, kind=kind, row_kinds=row_kinds, notes=notes)
        return frame_xlsx(table.frame, title=title, source=SOURCE, **layout)

    offered = download(
        left, "下载 CSV", lambda: frame_csv(table.marked()), file_name=f"{name}.csv", mime="text/csv",
        key=f"{key}_csv", regions=regions,
    )  # fmt: skip
    download(right, "下载 Excel", xlsx, file_name=f"{name}.xlsx", mime=XLSX_MIME, key=f"{key}_xlsx", regions=regions)
    if not offered:
        st.caption(OWN_CITY_ONLY)
