"""上报记录: every submission with its values, warnings and original file; every version of a slice, and restore."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from etl import actions, catalog, config, roles, warehouse
from etl.cn_format import exact, table_text
from etl.export import frame_csv, frame_xlsx
from etl.roles import RESTORE, VIEW
from etl.totals import PENDING, SAMPLE
from ui import auth, data, filters, handout, metrics, provenance
from ui.common import NOT_FIGURES, XLSX_MIME, download, require_data

SOURCES = {"cli": "命令行", "app": "网页上报", "demo": "示例数据", "restore": "恢复版本"}
MIME = {
    ".xlsx": XLSX_MIME,
    ".xls": "application/vnd.ms-excel",
    ".csv": "text/csv",
}
NOTICE_KEY = "history_notice"
FIGURE_COLUMN = {"数值": st.column_config.TextColumn(alignment="right")}  # figures of mixed units, as text


def _when(moment) -> str:  # noqa: ANN001 - a datetime
    return f"{moment:%Y-%m-%d %H:%M}"


@st.cache_data(show_spinner=False, max_entries=16)
def _submissions(version: tuple, year: int | None) -> list[dict]:
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        return warehouse.submissions_list(con, year=year)


@st.cache_data(show_spinner=False, max_entries=32)
def _detail(version: tuple, submission_id: int) -> tuple[list[dict], list[dict], tuple[str, str | None]]:
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        return (
            warehouse.submission_values(con, submission_id),
            warehouse.submission_issues_of(con, submission_id),
            warehouse.submission_file(con, submission_id),
        )


@st.cache_data(show_spinner=False, max_entries=32)
def _versions(version: tuple, region_code: str, year: int, domain: str) -> list[dict]:
    with warehouse.connect(config.warehouse_path(), read_only=True) as con:
        return warehouse.slice_versions_of(con, region_code, year, domain)


def held_by(rows: list[dict], city_names: list[str]) -> list[dict]:
    """Submissions holding any of the chosen 市州; with all 14 chosen, every submission (county returns too)."""
    if len(city_names) == len(catalog.cities()):
        return rows
    chosen = set(city_names)
    return [r for r in rows if chosen & set(r["regions"].split("、"))]


def _in_official_order(names: str, ordered: list[str], everything: str) -> str:
    """The warehouse lists names alphabetically; people expect the official order, and 14 names say less than 全部."""
    held = set(names.split("、"))
    if held == set(ordered):
        return everything
    return "、".join([n for n in ordered if n in held] + sorted(held - set(ordered)))


def submissions_table(rows: list[dict]) -> pd.DataFrame:
    cities = [c.name for c in catalog.cities()]
    domains = [d.name for d in catalog.domains()]
    return pd.DataFrame(
        [
            (_when(r["submitted_at"]), r["submission_id"], _in_official_order(r["regions"], cities, "全部 14 个市州"),
             r["years"], _in_official_order(r["domains"], domains, "全部 4 类"), r["file_name"],
             r["submitted_by"], SOURCES.get(r["source"], r["source"]), r["warnings"], "是" if r["is_sample"] else "")
            for r in rows
        ],
        columns=["时间", "上报编号", "市州", "年度", "类别", "文件名", "上报人", "来源", "警告数", "示例数据"],
    )  # fmt: skip


def values_table(values: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (v["year"], v["region_name"], v["domain_name"], v["indicator_name"], v["unit"],
             table_text(v["value"], v["unit"]), f"{v['sheet']}!{v['cell']}" if v["cell"] else "（文件中没有这一列）")
            for v in values
        ],
        columns=["年度", "市州", "类别", "指标", "单位", "数值", "来源单元格"],
    )  # fmt: skip


def original_path(archive_path: str | None) -> Path | None:
    """The archived original, only if it exists inside the warehouse's folder (the path comes from the database)."""
    if not archive_path:
        return None
    folder = config.warehouse_path().resolve().parent
    path = (folder / archive_path).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def change(old: float | None, new: float | None, first: bool) -> str:
    """What one indicator did between a version and the one before it."""
    if first:
        return "新增" if new is not None else "未填报"
    if old == new:
        return "未变"
    if old is None:
        return "新增"
    return f"{exact(old)} → {exact(new)}"


def version_table(version: dict, older: dict | None, domain: str) -> pd.DataFrame:
    rows = []
    for item in catalog.domain_indicators(domain):
        new = version["values"].get(item.code)
        old = older["values"].get(item.code) if older else None
        rows.append((item.name, item.unit, table_text(new, item.unit), change(old, new, older is None)))
    return pd.DataFrame(rows, columns=["指标", "单位", "数值", "与上一版相比"])


def _restore(region_code: str, year: int, domain: str, version: int) -> None:
    """Button callback: runs before the rerun, so the versions listed below already include the restored one."""
    try:
        actions.restore_version(auth.user(), config.warehouse_path(), region_code, year, domain, version)
        with warehouse.connect(config.warehouse_path(), read_only=True) as con:
            newest = warehouse.slice_versions_of(con, region_code, year, domain)[0]["version"]
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[NOTICE_KEY] = ("success", f"已恢复为第 {newest} 版（新版本），内容与第 {version} 版相同。")


def _pick_city(key: str, chosen: filters.Filters, column=st) -> str:  # noqa: ANN001 - a column or st
    names = {c.code: c.name for c in catalog.cities()}
    default = chosen.cities[0] if chosen.cities else next(iter(names))
    return column.selectbox(
        "市州", list(names), index=list(names).index(default), format_func=names.get, placeholder="请选择", key=key
    )


def _pick_year(key: str, years: list[int], default: int, column=st) -> int:  # noqa: ANN001 - a column or st
    options = years[::-1]
    return column.selectbox(
        "年度", options, index=options.index(default), format_func=lambda y: f"{y}年", placeholder="请选择", key=key
    )


def _submission_detail(submission_id: int) -> None:
    values, issues, (file_name, archive_path) = _detail(data.version(), submission_id)
    st.markdown(f"**第 {submission_id} 号上报所含数据（{len(values)} 项）**")
    st.dataframe(values_table(values), hide_index=True, width="stretch", column_config=FIGURE_COLUMN)
    if issues:
        st.markdown(f"**上报时核实过的警告（{len(issues)} 条）**")
        frame = pd.DataFrame(
            [(f"{i['sheet']}!{i['cell']}" if i["cell"] else "整个文件", i["message"]) for i in issues],
            columns=["位置", "警告"],
        )
        st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.caption("上报时没有警告。")
    path = original_path(archive_path)
    if archive_path is None:
        st.info("这条记录是“恢复版本”操作，没有原始文件。")
    elif path is None:
        st.warning("原始文件不在归档目录中，无法下载。")
    elif not download(
        st,
        "下载原始文件",
        path.read_bytes,  # read only when clicked: originals can be megabytes
        file_name=file_name,
        mime=MIME.get(path.suffix, "application/octet-stream"),
        key="history_original",
        regions=sorted({catalog.find_region(v["region_name"]).code for v in values}),
    ):
        st.caption("原始文件含其他市州的数据，统计员只能下载本市州的原始文件。")


def _submissions_tab(chosen: filters.Filters) -> None:
    if not chosen.cities:
        st.info("请在左侧选择市州。")
        return
    this_year_only = st.toggle(f"只看{chosen.year}年", value=True, key="history_year_only")
    rows = held_by(_submissions(data.version(), chosen.year if this_year_only else None), chosen.city_names)
    if not rows:
        st.info("所选范围内没有上报记录。")
        return
    st.caption(f"共 {len(rows)} 次上报，最新在前；“恢复版本”是在本页恢复旧版本时新增的记录。")
    table = submissions_table(rows)
    st.dataframe(table, hide_index=True, width="stretch", key="history_table")
    _list_downloads(table, rows, chosen, this_year_only)
    labels = {
        r["submission_id"]: f"第 {r['submission_id']} 号 · {_when(r['submitted_at'])} · {r['file_name']}" for r in rows
    }
    picked = st.selectbox(
        "查看一次上报", list(labels), format_func=labels.get, placeholder="请选择", key="history_submission"
    )
    _submission_detail(picked)


def submissions_xlsx(table: pd.DataFrame, rows: list[dict], notes: list[str]) -> bytes:
    """The list as a formatted .xlsx: filters, frozen header, widths for Chinese, 示例 (and, once submissions
    carry a review status, 待审核) marks."""
    marks = [
        "、".join(m for m, on in ((SAMPLE, r["is_sample"]), (PENDING, r.get("review_status") == "pending")) if on)
        for r in rows
    ]
    return frame_xlsx(
        table.drop(columns=["示例数据"]), title="上报记录", source="湖南省妇联统计平台上报记录", notes=notes,
        plain=("上报编号", "警告数"), marks=marks,
    )  # fmt: skip


def _list_downloads(table: pd.DataFrame, rows: list[dict], chosen: filters.Filters, one_year: bool) -> None:
    """The list as CSV and Excel: no figures in it (what the page shows every role), so not an export."""
    notes = [f"筛选：市州 {handout.cities_text(chosen.city_names)}；{f'{chosen.year}年' if one_year else '全部年度'}"]
    notes.append(f"导出时间 {warehouse.now_beijing():%Y-%m-%d %H:%M}")
    left, right, _ = st.columns([1, 1, 4])
    download(
        left, "下载 CSV", lambda: frame_csv(table), file_name="上报记录.csv", mime="text/csv", key="history_csv",
        regions=NOT_FIGURES,
    )  # fmt: skip
    download(
        right, "下载 Excel", lambda: submissions_xlsx(table, rows, notes), file_name="上报记录.xlsx", mime=XLSX_MIME,
        key="history_xlsx", regions=NOT_FIGURES,
    )  # fmt: skip


def _versions_tab(chosen: filters.Filters, years: list[int]) -> None:
    left, middle, right = st.columns(3)
    region = _pick_city("history_slice_city", chosen, left)
    year = _pick_year("history_slice_year", years, chosen.year, middle)
    domains = {d.code: d.name for d in catalog.domains()}
    domain = right.selectbox(
        "类别", list(domains), format_func=domains.get, placeholder="请选择", key="history_slice_domain"
    )
    kind, text = st.session_state.pop(NOTICE_KEY, (None, None))
    if kind:
        getattr(st, kind)(text)
    versions = _versions(data.version(), region, year, domain)
    if not versions:
        st.info(f"{catalog.region_by_code()[region].name}{year}年尚未上报{domains[domain]}。")
        return
    st.caption(f"共 {len(versions)} 个版本，最新在前。恢复旧版本会新增一个版本，原有版本都保留。")
    may_restore = auth.may(RESTORE, [region])
    if not may_restore:
        st.caption("您的角色不能恢复这个市州的版本。")
    for index, version in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        with st.container(border=True):
            st.markdown(f"**第 {version['version']} 版**" + ("（当前）" if version["is_current"] else ""))
            source = SOURCES.get(version["source"], version["source"])
            st.text(f"{_when(version['submitted_at'])} · {source} · 上报人：{version['submitted_by']}")
            st.text(f"文件：{version['file_name']}" + (f"\n说明：{version['note']}" if version["note"] else ""))
            st.dataframe(
                version_table(version, older, domain), hide_index=True, width="stretch", column_config=FIGURE_COLUMN
            )
            if not version["is_current"] and may_restore:
                st.button(
                    "恢复此版本",
                    key=f"history_restore_{region}_{year}_{domain}_{version['version']}",
                    on_click=_restore,
                    args=(region, year, domain, version["version"]),
                )


def _provenance_tab(chosen: filters.Filters, years: list[int]) -> None:
    left, middle, right = st.columns(3)
    region = _pick_city("history_prov_city", chosen, left)
    year = _pick_year("history_prov_year", years, chosen.year, middle)
    domains = catalog.domain_by_code()
    items = {i.code: f"{domains[i.domain].name} · {i.name}" for i in catalog.indicators()}
    code = right.selectbox(
        "指标", list(items), format_func=items.get, placeholder="请选择", key="history_prov_indicator"
    )
    provenance.explain(region, year, code)


def render() -> None:
    auth.require(VIEW)
    st.title("上报记录")
    df = data.values()
    if not require_data(df):
        return
    chosen = filters.current()
    submissions, versions, origin = st.tabs(["上报记录", "版本与恢复", "这个数哪来的？"])
    try:
        with submissions:
            _submissions_tab(chosen)
        with versions:
            _versions_tab(chosen, metrics.years(df))
        with origin:
            _provenance_tab(chosen, metrics.years(df))
    except warehouse.WarehouseError as exc:
        st.error(str(exc))
