"""The upload flow: check a file, show its problems and preview, submit only what the user confirmed."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from etl import catalog, config, pipeline
from etl.cn_format import exact
from etl.issues import Issue

LEVELS = {"error": "错误", "warning": "警告"}


def this_year() -> int:
    return date.today().year


def issue_table(issues: list[Issue]) -> pd.DataFrame:
    """Issues as text for st.dataframe: never rendered as HTML or Markdown."""
    return pd.DataFrame(
        [(LEVELS[i.level], i.location or "整个文件", i.message) for i in issues],
        columns=["类型", "位置", "问题与处理办法"],
    )


def preview(report: pipeline.FileReport) -> pd.DataFrame:
    names = catalog.region_by_code()
    indicators = catalog.indicator_by_code()
    rows = [
        (o.year, names[o.region_code].name, indicators[o.indicator].name, indicators[o.indicator].unit, exact(o.value),
         f"{o.sheet}!{o.cell}" if o.cell else "（无此列）")
        for o in report.observations
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["年度", "市州", "指标", "单位", "数值", "来源单元格"])


def review_and_submit(data: bytes, file_name: str) -> None:
    if len(data) > config.MAX_FILE_BYTES:
        st.error(f"文件超过 {config.MAX_FILE_BYTES // 2**20} MB 上限，请只保留报表数据后再上报。")
        return
    db = config.warehouse_path()
    with st.spinner("正在检查报表……"):
        report = pipeline.check_bytes(data, file_name, db_path=db)
    if report.refused:
        st.error(f"“{file_name}”有 {len(report.errors)} 个错误，未写入任何数据。请按下表逐项更正后重新上传。")
        st.dataframe(issue_table(report.issues), hide_index=True, width="stretch")
        return
    st.success(f"检查通过：{len(report.observations)} 项数据可以提交。")
    if report.warnings:
        st.warning(f"有 {len(report.warnings)} 个警告：请逐项核实。")
        st.dataframe(issue_table(report.warnings), hide_index=True, width="stretch")
    st.dataframe(preview(report), hide_index=True, width="stretch")
    _submit(data, file_name, report, db)


def _submit(data: bytes, file_name: str, report: pipeline.FileReport, db) -> None:  # noqa: ANN001
    note = ""
    if report.warnings:
        confirmed = st.checkbox("已核实，仍然提交", key="upload_confirm")
        note = st.text_input("上报说明（必填，说明警告的原因）", key="upload_note", max_chars=500)
        ready = confirmed and note.strip()
    else:
        ready = True
    who = st.text_input("上报人", key="upload_who", max_chars=50)
    if st.button("提交", type="primary", disabled=not ready, key="upload_submit"):
        result = pipeline.load_bytes(
            data, file_name, db, source="app", submitted_by=who or "网页上报", note=note or None
        )
        if result.status == pipeline.ALREADY_LOADED:
            st.info("这个文件已经上报过，未重复写入。")
        elif result.refused:
            st.error("提交时发现错误，未写入任何数据。")
            st.dataframe(issue_table(result.issues), hide_index=True, width="stretch")
        else:
            s = result.store
            st.success(
                f"已提交（上报编号 {s.submission_id}）：新增 {s.added} 项，更改 {s.changed} 项，未变 {s.unchanged} 项。"
            )
