"""The upload flow: check a file, show its problems, what it would change and how leaders would see it; submit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from etl import catalog, charts, config, pipeline, warehouse
from etl.annotate import NOT_CELL_ERRORS, annotate, annotated_name
from etl.cn_format import exact
from etl.export import frame_csv
from etl.extract import Observation
from etl.issues import Issue
from etl.online import place
from etl.roles import UPLOAD
from ui import auth, chrome, data, plain, submit
from ui.common import NOT_FIGURES, XLSX_MIME, download

LEVELS = {"error": "错误", "warning": "警告"}
XLSM_MIME = "application/vnd.ms-excel.sheet.macroEnabled.12"
ADDED, CHANGED, SAME, CLEARED = "新增", "更改", "未变", "清空"
COMPARE_COLUMNS = ["年度", "市州", "类别", "指标", "单位", "现值", "新值", "变化", "来源单元格"]
LIMIT_MB = config.MAX_UPLOAD_MB
ROUND = "upload_round"

Key = tuple[str, int, str]  # (region_code, year, indicator)


def this_year() -> int:
    return date.today().year


def uploader_key() -> str:
    """A new key after each submission empties the uploader, so the same file isn't sent twice by accident."""
    return f"upload_file_{st.session_state.get(ROUND, 0)}"


def _key(name: str) -> str:
    """Widgets of one uploaded file start afresh with the next one."""
    return f"upload_{name}_{st.session_state.get(ROUND, 0)}"


def show_issues(issues: list[Issue], *, more: int = 0, key: str = "issues") -> None:
    """The first ISSUES_SHOWN issues in a table (text cells: nothing in them is interpreted), the total, and the
    whole list as a CSV download: a file with an error in every row must not hang the browser."""
    shown = issues[: config.ISSUES_SHOWN]
    st.dataframe(
        issue_table(shown),
        hide_index=True,
        width="stretch",
        key=_key(key),
        column_config={
            "类型": st.column_config.TextColumn(width="small"),
            "位置": st.column_config.TextColumn(width="small"),
            "问题与处理办法": st.column_config.TextColumn(width="large"),
        },
    )
    total = len(issues) + more
    if total <= len(shown):
        return
    listed = f"下载的清单列出全部 {len(issues)} 个" if not more else f"下载的清单列出前 {len(issues)} 个"
    st.caption(f"共 {total} 个问题，上表只列出前 {len(shown)} 个；{listed}。")
    download(
        st,
        "下载问题清单（CSV）",
        lambda: frame_csv(issue_table(issues)),  # formula-safe: cell values from the file are in the messages
        file_name="问题清单.csv",
        mime="text/csv",
        key=_key(f"{key}_csv"),
        regions=NOT_FIGURES,
        action=UPLOAD,
    )


def split_locks(issues: list[Issue]) -> tuple[list[str], list[Issue]]:
    """(what the review locks in the way say, once each; every other issue): a lock is no cell error."""
    locks = list(dict.fromkeys(i.message for i in issues if i.code in NOT_CELL_ERRORS))
    return locks, [i for i in issues if i.code not in NOT_CELL_ERRORS]


def show_refusal(data: bytes, file_name: str, report: pipeline.FileReport, *, key: str = "issues") -> None:
    """Why nothing was written: review locks in words, then the cell errors to correct one by one, with the
    workbook marked where they are."""
    name = plain.markdown(file_name)
    locks, issues = split_locks(report.issues)
    if locks:
        st.error(f"“{name}”的数据已审核锁定，不能再上报，未写入任何数据。", icon=":material/lock:")
        for text in locks:
            st.text(text)  # who locked it and when, as the warehouse says it: plain text
    errors = sum(i.is_error for i in issues) + report.more_errors
    if errors:
        st.error(f"“{name}”有 {errors} 个错误，未写入任何数据。请按下表逐项更正后重新上传。")
        show_issues(issues, more=report.more_errors, key=key)
        annotated_download(data, file_name, issues, key=key)


def annotated_download(data: bytes, file_name: str, issues: list[Issue], *, key: str = "issues") -> None:
    """下载标注后的报表: the file back with its problem cells marked (built only when clicked)."""
    if not any(i.cell and i.code not in NOT_CELL_ERRORS for i in issues):
        return
    out_name = annotated_name(data, file_name)
    download(
        st,
        "下载标注后的报表",
        lambda: annotate(data, file_name, issues).data,
        file_name=out_name,
        mime=XLSM_MIME if out_name.endswith(".xlsm") else XLSX_MIME,
        key=_key(f"{key}_annotated"),
        regions=NOT_FIGURES,  # the uploader's own file, returned to them
        action=UPLOAD,
    )
    st.caption(
        "标注后的报表：错误的单元格标红、警告标黄，批注中写明问题和改正方法，其余内容不变；改好后可直接重新上传。"
    )


def issue_table(issues: list[Issue]) -> pd.DataFrame:
    """Issues as text for st.dataframe: never rendered as HTML or Markdown."""
    return pd.DataFrame(
        [(LEVELS[i.level], i.place or "整个文件", i.message) for i in issues],
        columns=["类型", "位置", "问题与处理办法"],
    )


def change_of(old: float | None, new: float | None) -> str:
    if old == new:
        return SAME
    if old is None:
        return ADDED
    return CLEARED if new is None else CHANGED


def comparison(observations: list[Observation], current: dict[Key, float | None]) -> pd.DataFrame:
    """Each value of the file beside what the warehouse holds now, and what storing it would do."""
    regions, indicators, domains = catalog.region_by_code(), catalog.indicator_by_code(), catalog.domain_by_code()
    rows = []
    for o in observations:
        indicator = indicators[o.indicator]
        old = current.get((o.region_code, o.year, o.indicator))
        rows.append(
            (o.year, regions[o.region_code].name, domains[indicator.domain].name, indicator.name, indicator.unit,
             exact(old), exact(o.value), change_of(old, o.value), place(o.sheet, o.cell))
        )  # fmt: skip
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def current_values(observations: list[Observation]) -> dict[Key, float | None]:
    """One read-only query: the values on show to staff (pending included) of the file's years, for its regions
    and all 14 市州 (the charts)."""
    if not observations:
        return {}
    regions = frozenset({o.region_code for o in observations} | {c.code for c in catalog.cities()})
    return data.current_for_upload(data.snapshot(), regions, frozenset(o.year for o in observations))


def chart_indicator(domain: str, changes: dict[str, str]) -> str:
    """The headline indicator, unless the upload leaves it alone and moves another one: then the first moved."""
    headline = catalog.domain_by_code()[domain].headline_indicator
    moved = [i.code for i in catalog.domain_indicators(domain) if changes.get(i.code, SAME) != SAME]
    return headline if headline in moved or not moved else moved[0]


def city_values(observations: list[Observation], current: dict[Key, float | None], year: int, indicator: str):  # noqa: ANN201
    """The 14 市州 for one year and indicator as leaders would see them once the file is stored (NaN = 未填报)."""
    new = {o.region_code: o.value for o in observations if o.year == year and o.indicator == indicator}
    rows = [
        (c.code, c.name, new[c.code] if c.code in new else current.get((c.code, year, indicator)))
        for c in catalog.cities()
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "region_name", "value"])
    return frame.astype({"value": "float64"})


def preview_chart(frame: pd.DataFrame, region_code: str, year: int, indicator: str, old: float | None):  # noqa: ANN201
    """(figure or None, caption): the domain page's bar chart with the uploaded figures, and where this 市州 stands."""
    item = catalog.indicator_by_code()[indicator]
    city = catalog.region_by_code()[region_code].name
    reported = frame.dropna(subset=["value"])
    if reported.empty:
        return None, f"{year}年各市州均未填报{item.name}。"
    average = float(reported["value"].mean())
    figure = charts.bar_by_city(
        frame, title=f"{year}年{item.name}", subtitle=f"上报后各市州从高到低；红色为{city}", unit=item.unit,
        average=average, reported=len(reported), chosen={region_code},
    )  # fmt: skip
    value = frame.loc[frame["region_code"] == region_code, "value"].iloc[0]
    if pd.isna(value):
        caption = f"{city}本次未填报{item.name}（图中标为未填报）。"
    else:
        rank = int((reported["value"] > value).sum()) + 1
        was = "与现值相同" if old == value else f"现值 {exact(old)}{item.unit if old is not None else ''}"
        caption = f"{city}：{exact(value)}{item.unit}（{was}），在已填报的 {len(reported)} 个市州中排第 {rank} 位。"
    missing = frame.loc[frame["value"].isna(), "region_name"].tolist()
    return figure, caption + (f"未填报：{'、'.join(missing)}。" if missing else "")


# ---------------------------------------------------------------- the screen


def review_and_submit(data: bytes, file_name: str) -> None:
    """Everything the statistician must see before anything is written, then the submit button."""
    st.session_state.pop(submit.OUTCOME, None)
    db = config.warehouse_path()
    waiting = "另一份报表正在检查，本报表正在排队，请稍候……" if pipeline.heavy_check_busy() else "正在检查报表……"
    try:
        with st.spinner(waiting):
            report = pipeline.check_bytes(data, file_name, db_path=db, actor=auth.user())
            current = {} if report.refused else current_values(report.observations)
    except warehouse.WarehouseError as exc:
        st.error(plain.markdown(exc))
        return
    if report.refused:
        submit.audit_refusal_once(data, report)
        show_refusal(data, file_name, report)
        return
    st.success(f"检查通过：{len(report.observations)} 项数据可以提交。提交前请核对下面的变化和图表。")
    if report.is_sample:
        st.info("此文件标记为示例数据：提交后页面会注明“示例数据”。")
    if report.warnings:
        st.warning(f"有 {len(report.warnings)} 个警告：请逐项核实，确认无误后在下方勾选并说明原因。")
        show_issues(report.warnings, key="warnings")
        annotated_download(data, file_name, report.issues)
    table = comparison(report.observations, current)
    _changes(table)
    _charts(report.observations, current)
    _submit(data, file_name, report, db)


def change_summary(table: pd.DataFrame) -> str:
    counts = table["变化"].value_counts()
    return (
        "与平台现有数据相比："
        + "，".join(f"{label} {int(counts.get(label, 0))} 项" for label in (ADDED, CHANGED, CLEARED, SAME))
        + "。“清空”表示现有数值将变为未填报。"
    )


def _changes(table: pd.DataFrame) -> None:
    st.subheader("提交后的变化")
    st.caption(change_summary(table))
    if (table["变化"] == SAME).all():
        st.info("与平台现有数据相比没有任何变化：提交不会生成新版本，无需再次上报。")
    elif st.checkbox("只显示有变化的项", key=_key("only_changes")):
        table = table[table["变化"] != SAME]
    st.dataframe(table, hide_index=True, width="stretch", key=_key("comparison"))


def _charts(observations: list[Observation], current: dict[Key, float | None]) -> None:
    """Per 市州 × 类别 in the file: the 14-市州 bar chart leaders see, with this file's figures in it."""
    regions = catalog.region_by_code()
    pairs = sorted(
        {(o.region_code, o.year) for o in observations if regions[o.region_code].level == "city"},
        key=lambda p: (regions[p[0]].sort_order, p[1]),
    )
    if not pairs:
        return
    st.subheader("提交后领导看到的图表")
    pair = pairs[0]
    if len(pairs) > 1:
        pair = st.selectbox(
            "查看市州",
            pairs,
            format_func=lambda p: f"{regions[p[0]].name}（{p[1]}年）",
            placeholder="请选择",
            key=_key("chart_pair"),
        )
    region_code, year = pair
    indicators = catalog.indicator_by_code()
    mine = {o.indicator: o.value for o in observations if (o.region_code, o.year) == pair}
    changes = {i: change_of(current.get((region_code, year, i)), v) for i, v in mine.items()}
    domains = [d for d in catalog.domains() if any(indicators[i].domain == d.code for i in mine)]
    for start in range(0, len(domains), 2):
        for column, domain in zip(st.columns(2), domains[start : start + 2], strict=False):
            with column:
                _chart(observations, current, region_code, year, domain.code, changes)


def _chart(observations, current, region_code: str, year: int, domain: str, changes: dict[str, str]) -> None:  # noqa: ANN001
    options = {i.code: i for i in catalog.domain_indicators(domain)}
    default = chart_indicator(domain, changes)
    code = st.selectbox(
        f"{catalog.domain_by_code()[domain].name}·图表指标",
        list(options),
        index=list(options).index(default),
        format_func=lambda c: options[c].label,
        placeholder="请选择",
        key=_key(f"chart_{region_code}_{year}_{domain}"),
    )
    frame = city_values(observations, current, year, code)
    figure, caption = preview_chart(frame, region_code, year, code, current.get((region_code, year, code)))
    if figure is not None:
        st.plotly_chart(figure, key=_key(f"figure_{region_code}_{year}_{domain}"), config=chrome.PLOTLY_CONFIG)
    st.caption(caption)


def _submit(data: bytes, file_name: str, report: pipeline.FileReport, db: Path) -> None:
    st.subheader("提交")
    ready, note = submit.confirmation(report, _key)
    st.text(f"上报人：{auth.user().label}")
    if not st.button("提交", type="primary", disabled=not ready, key=_key("submit")):
        return
    regions = submit.regions_of(report.observations)
    actor = auth.acting_user(UPLOAD, regions)  # the session, role and 市州 as the accounts file says now
    if actor is None:
        st.rerun()  # the page then says why (the log-in page, or the refusal at its top)
    try:
        result = pipeline.load_bytes(data, file_name, db, source="app", note=note or None, actor=actor)
    except warehouse.WarehouseError as exc:
        st.error(f"提交失败，未写入任何数据：{plain.markdown(exc)}")
        return
    if result.refused:
        st.error("提交时发现错误，未写入任何数据。")
        show_issues(result.issues, more=result.more_errors, key="submit_issues")
        return
    st.session_state[submit.OUTCOME] = submit.outcome_of(result, regions)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.rerun()
