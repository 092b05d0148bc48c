"""上报记录: every submission with its values, warnings and original file, and restoring a whole submission;
every version of a slice with its review state, and restoring one; 这个数哪来的？"""

import pandas as pd
import streamlit as st

from etl import actions, catalog, config, roles, warehouse
from etl.export import frame_csv
from etl.roles import RESTORE, VIEW
from ui import auth, data, filters, handout, plain, provenance, tables
from ui.common import NOT_FIGURES, XLSX_MIME, download
from ui.history import (
    CHANGE,
    FIGURES,
    SOURCES,
    held_by,
    original_file,
    receipt_download,
    review_line,
    submissions_table,
    submissions_xlsx,
    values_table,
    version_heading,
    version_table,
    when,
)

NOTICE_KEY = "history_notice"


def notice() -> None:
    kind, text = st.session_state.pop(NOTICE_KEY, (None, None))
    if kind:
        getattr(st, kind)(plain.markdown(text))


def say_restored(result: warehouse.StoreResult, what: str) -> None:
    if result.nothing_new:
        st.session_state[NOTICE_KEY] = ("info", f"{what}与当前数据完全相同，无需恢复，未生成新版本。")
    else:
        st.session_state[NOTICE_KEY] = (
            "success",
            f"已恢复{what}：新上报编号 {result.submission_id}，{result.slices} 组生成新版本，待审核通过后发布。",
        )


def restore_version(region_code: str, year: int, domain: str, version: int) -> None:
    """Button callback: runs before the rerun, so the versions listed below already include the restored one."""
    user = auth.acting_user(RESTORE, [region_code])
    if user is None:
        return
    try:
        result = actions.restore_version(user, config.warehouse_path(), region_code, year, domain, version)
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    say_restored(result, f"第 {version} 版")


def restore_submission(submission_id: int, regions: list[str]) -> None:
    """Button callback: every slice of the submission at once, as one new submission."""
    if not st.session_state.get(f"history_restore_confirm_{submission_id}"):
        st.session_state[NOTICE_KEY] = ("warning", "请先勾选确认，再恢复整次上报。")
        return
    user = auth.acting_user(RESTORE, regions)
    if user is None:
        return
    try:
        result = actions.restore_submission(user, config.warehouse_path(), submission_id)
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        st.session_state[NOTICE_KEY] = ("error", str(exc))
        return
    st.session_state[f"history_restore_confirm_{submission_id}"] = False
    say_restored(result, f"第 {submission_id} 号上报的全部数据")


def submission_detail(snap: data.Snapshot, submission_id: int) -> None:
    values, issues, (file_name, archive_path) = data.submission_detail(snap, submission_id)
    regions = sorted({catalog.find_region(v["region_name"]).code for v in values})
    st.markdown(plain.bold(f"第 {submission_id} 号上报所含数据（{len(values)} 项）"))
    tables.text_figures(values_table(values), [FIGURES], hide_index=True)
    if issues:
        st.markdown(plain.bold(f"上报时核实过的警告（{len(issues)} 条）"))
        frame = pd.DataFrame(
            [
                (
                    " ".join(filter(None, (f"{i['sheet']}!{i['cell']}" if i["cell"] else "整个文件", i["subject"]))),
                    i["message"],
                )
                for i in issues
            ],
            columns=["位置", "警告"],
        )
        st.dataframe(frame, hide_index=True, width="stretch")
    else:
        st.caption("上报时没有警告。")
    original, receipt, _ = st.columns([1, 1, 2])
    with original:
        original_file(archive_path, file_name, regions, "history_original")
    receipt_download(receipt, submission_id, regions, "history_receipt")
    if values and auth.may(RESTORE, regions):
        slices = len({(v["region_name"], v["year"], v["domain_name"]) for v in values})
        st.checkbox(
            f"确认把这次上报的全部 {slices} 组数据（所有市州、年度和类别）恢复为当前版本",
            key=f"history_restore_confirm_{submission_id}",
        )
        st.button(
            "恢复整次上报", key=f"history_restore_submission_{submission_id}", on_click=restore_submission,
            args=(submission_id, regions), icon=":material/restore:",
        )  # fmt: skip
        st.caption("一次操作恢复全部类别：与当前相同的组不生成新版本，其余各生成一个待审核的新版本，原有版本都保留。")


def submissions_tab(snap: data.Snapshot, chosen: filters.Filters) -> None:
    if not chosen.cities:
        st.info("请在左侧选择市州。")
        return
    this_year_only = st.toggle(f"只看{chosen.year}年", value=True, key="history_year_only")
    rows = held_by(data.submissions(snap, chosen.year if this_year_only else None), chosen.city_names)
    if not rows:
        st.info("所选范围内没有上报记录。")
        return
    st.caption(f"共 {len(rows)} 次上报，最新在前；“恢复版本”是在本页恢复旧版本时新增的记录。")
    table = submissions_table(rows)
    st.dataframe(table, hide_index=True, width="stretch", key="history_table")
    list_downloads(table, rows, chosen, this_year_only)
    labels = {r["submission_id"]: f"第 {r['submission_id']} 号 · {when(r['submitted_at'])} · {r['file_name']}"
              for r in rows}  # fmt: skip
    picked = st.selectbox(
        "查看一次上报", list(labels), format_func=labels.get, placeholder="请选择", key="history_submission"
    )
    submission_detail(snap, picked)


def list_downloads(table: pd.DataFrame, rows: list[dict], chosen: filters.Filters, one_year: bool) -> None:
    """The list as CSV and Excel: no figures in it (what the page shows every role), so no export to audit."""
    notes = [f"筛选：市州 {handout.cities_text(chosen.city_names)}；{f'{chosen.year}年' if one_year else '全部年度'}"]
    notes.append(f"导出时间 {warehouse.now_beijing():%Y-%m-%d %H:%M}")
    left, right, _ = st.columns([1, 1, 4])
    download(
        left, "下载 CSV", lambda: frame_csv(table), file_name="上报记录.csv", mime="text/csv", key="history_csv",
        regions=NOT_FIGURES, action=VIEW,
    )  # fmt: skip
    download(
        right, "下载 Excel", lambda: submissions_xlsx(table, rows, notes), file_name="上报记录.xlsx", mime=XLSX_MIME,
        key="history_xlsx", regions=NOT_FIGURES, action=VIEW,
    )  # fmt: skip


def pick_city(key: str, chosen: filters.Filters, column) -> str:  # noqa: ANN001 - a column
    names = {c.code: c.name for c in catalog.cities()}
    default = chosen.cities[0] if chosen.cities else next(iter(names))
    return column.selectbox(
        "市州", list(names), index=list(names).index(default), format_func=names.get, placeholder="请选择", key=key
    )


def pick_year(key: str, years: list[int], default: int, column) -> int:  # noqa: ANN001 - a column
    options = years[::-1]
    index = options.index(default) if default in options else 0
    return column.selectbox("年度", options, index=index, format_func=lambda y: f"{y}年", placeholder="请选择", key=key)


def versions_tab(snap: data.Snapshot, chosen: filters.Filters, years: list[int]) -> None:
    left, middle, right = st.columns(3)
    region = pick_city("history_slice_city", chosen, left)
    year = pick_year("history_slice_year", years, chosen.year, middle)
    domains = {d.code: d.name for d in catalog.domains()}
    domain = right.selectbox(
        "类别", list(domains), format_func=domains.get, placeholder="请选择", key="history_slice_domain"
    )
    versions = data.versions(snap, region, year, domain)
    if not versions:
        st.info(f"{catalog.region_by_code()[region].name}{year}年尚未上报{domains[domain]}。")
        return
    st.caption(f"共 {len(versions)} 个版本，最新在前。恢复旧版本会新增一个待审核的版本，原有版本都保留。")
    may_restore = auth.may(RESTORE, [region])
    if not may_restore:
        st.caption("您的角色不能恢复这个市州的版本。")
    for index, version in enumerate(versions):
        older = versions[index + 1] if index + 1 < len(versions) else None
        with st.container(border=True):
            st.markdown(version_heading(version))
            source = SOURCES.get(version["source"], version["source"])
            st.text(f"{when(version['submitted_at'])} · {source} · 上报人：{version['submitted_by']}")
            st.text(f"文件：{version['file_name']}" + (f"\n说明：{version['note']}" if version["note"] else ""))
            if line := review_line(version):
                st.text(line)
            tables.text_figures(version_table(version, older, domain), [FIGURES, CHANGE], hide_index=True)
            if not version["is_current"] and may_restore:
                st.button(
                    "恢复此版本",
                    key=f"history_restore_{region}_{year}_{domain}_{version['version']}",
                    on_click=restore_version,
                    args=(region, year, domain, version["version"]),
                )


def provenance_tab(snap: data.Snapshot, chosen: filters.Filters, years: list[int]) -> None:
    left, middle, right = st.columns(3)
    region = pick_city("history_prov_city", chosen, left)
    year = pick_year("history_prov_year", years, chosen.year, middle)
    domains = catalog.domain_by_code()
    items = {i.code: f"{domains[i.domain].name} · {i.name}" for i in catalog.indicators()}
    code = right.selectbox(
        "指标", list(items), format_func=items.get, placeholder="请选择", key="history_prov_indicator"
    )
    provenance.explain(snap, region, year, code, chosen.include_pending)


auth.require(VIEW)
st.title("上报记录")
snap, chosen = data.snapshot(), filters.current()
known = data.years(snap)
if not known.with_pending:
    st.info("尚无数据，请先上报。")
    st.stop()
notice()
years = sorted(set(known.with_pending) | {chosen.year})
submissions, versions, origin = st.tabs(["上报记录", "版本与恢复", "这个数哪来的？"])
with submissions:
    submissions_tab(snap, chosen)
with versions:
    versions_tab(snap, chosen, years)
with origin:
    provenance_tab(snap, chosen, years)
