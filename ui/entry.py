"""在线填报, the widgets: one 类别's grid (catalogue order, units, last year's published figure beside each input),
a draft saved per account, and submission through the same checks and review as a file (etl.online)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import config, online, warehouse
from etl.cn_format import table_text
from etl.online import ONLINE, Field, Key
from etl.pipeline import FileReport
from etl.roles import UPLOAD, PermissionDenied
from ui import auth, data, plain, submit
from ui.desk import SliceStatus, lock_text

NOTICE, RESULT, OUTCOME = "entry_notice", "entry_result", "entry_outcome"


def input_key(key: Key, code: str) -> str:
    region, year, domain = key
    return f"entry_{region}_{year}_{domain}_{code}"


def entries_of(key: Key) -> dict[str, object]:
    """What the grid holds now (None = left blank: 未填报)."""
    return {f.code: st.session_state.get(input_key(key, f.code)) for f in online.fields(key[2])}


def _figures(region: str, year: int, include_pending: bool) -> dict[str, float | None]:
    frame = data.city_values(data.snapshot(), include_pending, None, region)
    rows = frame[frame["year"] == year]
    return {m: (None if pd.isna(v) else float(v)) for m, v in zip(rows["measure"], rows["value"], strict=True)}


def starting_values(user, key: Key) -> tuple[dict[str, object], str | None]:  # noqa: ANN001 - a User
    """The account's draft if it kept one (and when it was saved); else the figures on show now, pending included
    (correcting starts from what was sent); else blanks."""
    found = online.draft(user, config.warehouse_path(), key)
    if found is not None:
        return found
    return _figures(key[0], key[1], True), None


def _typed(field: Field, value: object) -> int | float | None:
    if value is None:
        return None
    return int(value) if field.whole and float(value).is_integer() else float(value)


# ---------------------------------------------------------------- callbacks (they run before the page script)


def save(key: Key) -> None:
    st.session_state.pop(OUTCOME, None)
    actor = auth.acting_user(UPLOAD, [key[0]])
    if actor is None:
        return
    try:
        at = online.save_draft(actor, config.warehouse_path(), key, entries_of(key))
    except (PermissionDenied, warehouse.WarehouseError) as exc:
        st.session_state[NOTICE] = ("error", f"草稿未保存：{exc}")
        return
    st.session_state[NOTICE] = ("success", f"草稿已保存（{at}）。刷新页面或退出后再登录，都可以接着填写。")


def check(key: Key) -> None:
    """检查并提交: a clean return is stored at once; one with errors or warnings waits on the page."""
    st.session_state.pop(OUTCOME, None)
    actor = auth.acting_user(UPLOAD, [key[0]])
    if actor is None:
        return
    entries = entries_of(key)
    try:
        report = online.check_entries(actor, config.warehouse_path(), key, entries)
    except warehouse.WarehouseError as exc:
        st.session_state[NOTICE] = ("error", f"检查失败，未写入任何数据：{exc}")
        return
    if report.refused or report.warnings:
        st.session_state[RESULT] = (key, entries, report)
        return
    _submit(actor, key, entries, None)


def confirm(key: Key, note_key: str) -> None:
    """确认提交 of a return with warnings: exactly the figures that were checked, with the 上报说明."""
    found = st.session_state.get(RESULT)
    actor = auth.acting_user(UPLOAD, [key[0]])
    if actor is None or found is None:
        return
    _, entries, _ = found
    _submit(actor, key, entries, st.session_state.get(note_key, "").strip())


def _submit(actor, key: Key, entries: dict, note: str | None) -> None:  # noqa: ANN001 - a User
    try:
        result = online.submit(actor, config.warehouse_path(), key, entries, note)
    except warehouse.WarehouseError as exc:
        st.session_state[NOTICE] = ("error", f"提交失败，未写入任何数据：{exc}")
        return
    if result.refused:  # locked, or changed, since the check
        st.session_state[RESULT] = (key, entries, result)
        return
    st.session_state.pop(RESULT, None)
    for field in online.fields(key[2]):  # the grid starts again from what is now on show
        st.session_state.pop(input_key(key, field.code), None)
    st.session_state[OUTCOME] = submit.outcome_of(result, [key[0]])


# ---------------------------------------------------------------- the screen


def grid(user, key: Key, status: SliceStatus | None) -> None:  # noqa: ANN001 - a User
    """The form of one 类别, with what happened to the last save or submission above it."""
    locked = status is not None and status.locked
    if locked:
        st.warning(
            plain.markdown(f"{online.title(key)}{status.remark}（{lock_text(status.lock)}）"), icon=":material/lock:"
        )
    kind, text = st.session_state.pop(NOTICE, (None, None))
    if kind:
        getattr(st, kind)(plain.markdown(text))
    submit.show_outcome(OUTCOME, OUTCOME)
    values, saved_at = starting_values(user, key)
    last_year = _figures(key[0], key[1] - 1, False)
    st.caption(
        f"草稿保存于 {saved_at}。" if saved_at else "尚无草稿：下面是平台现有的数（如有），改好后保存草稿或提交。"
    )
    with st.form(f"entry_form_{key[0]}_{key[1]}_{key[2]}"):
        for field in online.fields(key[2]):
            _input(key, field, _typed(field, values.get(field.code)), last_year.get(field.code), locked)
        left, right, _ = st.columns([1, 1, 3])
        left.form_submit_button("保存草稿", on_click=save, args=(key,), disabled=locked)
        right.form_submit_button("检查并提交", on_click=check, args=(key,), type="primary", disabled=locked)
    st.caption("空白表示未填报，不要填 0。提交后与上传文件一样，经省妇联审核通过后发布；提交成功后草稿自动删除。")
    _result(key)


def _input(key: Key, field: Field, value: int | float | None, last: float | None, locked: bool) -> None:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.number_input(
        field.label, value=value, min_value=0 if field.whole else 0.0, step=1 if field.whole else 0.01,
        format="%d" if field.whole else "%.2f", key=input_key(key, field.code), disabled=locked, placeholder="未填报",
    )  # fmt: skip
    shown = "未填报" if last is None else f"{table_text(last, field.unit)} {field.unit}"
    right.text(f"上年（已发布）：{shown}")


def _result(key: Key) -> None:
    """The last check of this 类别: errors to correct, or warnings to confirm with a 上报说明."""
    found = st.session_state.get(RESULT)
    if found is None or found[0] != key:
        return
    _, entries, report = found
    st.dataframe(issue_table(report), hide_index=True, width="stretch", key="entry_issues")
    if report.refused:
        st.error(f"有 {report.error_count} 个问题，未写入任何数据。请按上表改正后再提交。")
        return
    st.warning(f"有 {len(report.warnings)} 个警告：请逐项核实，确认无误后勾选并说明原因，再确认提交。")
    changed = entries != entries_of(key)
    ready, _ = submit.confirmation(report, lambda name: f"entry_{name}")
    if changed:
        st.caption("检查后数值又改动过：请重新点“检查并提交”。")
    st.button(
        "确认提交", type="primary", disabled=changed or not ready, on_click=confirm, args=(key, "entry_note"),
        key="entry_confirm_submit",
    )  # fmt: skip


def issue_table(report: FileReport) -> pd.DataFrame:
    """Each problem with the indicator it is about (a file's would say sheet!cell)."""
    return pd.DataFrame(
        [
            ("错误" if i.is_error else "警告", i.cell if i.sheet == ONLINE else (i.location or "整体"), i.message)
            for i in report.issues
        ],
        columns=["类型", "指标", "问题与处理办法"],
    )
