"""Several files at once (a 统计员's four 类别, a 管理员's 14 市州): each checked on its own under the upload limit and
the one-reader gate, with a progress bar; each with its own verdict; the accepted ones reviewed, then submitted one
by one or together. All or nothing per file; every submission checks the session, role and 市州 at the click."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from etl import catalog, config, pipeline, warehouse
from etl.roles import UPLOAD
from ui import auth, data, plain, submit, upload
from ui.history import receipt_download

CHECKED, DONE, OUTCOMES = "batch_checked", "batch_done", "batch_outcomes"
VERDICT_COLUMNS = ["序号", "文件名", "结果", "所含数据", "说明"]


@dataclass
class Checked:
    """One file of the batch and what its check found (kept across reruns while the warehouse is unchanged)."""

    name: str
    data: bytes
    sha256: str
    report: pipeline.FileReport | None
    failure: str = ""  # the file could not be checked (the warehouse busy or damaged)
    current: dict = field(default_factory=dict)  # the values it would replace

    @property
    def accepted(self) -> bool:
        return self.report is not None and not self.report.refused


@dataclass
class Done:
    """A file submitted (or refused at the click), shown in its place until the batch is cleared."""

    name: str
    outcome: submit.Outcome
    refused: pipeline.FileReport | None = None


def _key(n: int, name: str) -> str:
    return f"batch{n}_{name}_{st.session_state.get(upload.ROUND, 0)}"


def check_all(files: list) -> list[Checked]:  # noqa: ANN001 - Streamlit's UploadedFile
    """Each file checked once per warehouse version; a progress bar while more than one is being checked."""
    version, user = data.snapshot().version, auth.user()
    known = st.session_state.get(CHECKED, {})
    contents = [(f.name, f.getvalue()) for f in files]
    keys = [(hashlib.sha256(body).hexdigest(), name, version, user.name) for name, body in contents]
    todo = [n for n, key in enumerate(keys) if key not in known]
    bar = st.progress(0.0, text="正在检查……") if todo else None
    for step, n in enumerate(todo):
        name, body = contents[n]
        waiting = "（另一份报表正在检查，排队中）" if pipeline.heavy_check_busy() else ""
        bar.progress(
            step / len(todo), text=f"正在检查第 {step + 1}/{len(todo)} 个文件：{plain.markdown(name)}{waiting}"
        )
        known[keys[n]] = _check(name, body, keys[n][0])
    if bar is not None:
        bar.empty()
    st.session_state[CHECKED] = {key: known[key] for key in keys}  # files taken out of the uploader are forgotten
    return [known[key] for key in keys]


def _check(name: str, body: bytes, sha256: str) -> Checked:
    try:
        report = pipeline.check_bytes(body, name, db_path=config.warehouse_path(), actor=auth.user())
        current = {} if report.refused else upload.current_values(report.observations)
    except warehouse.WarehouseError as exc:
        return Checked(name, body, sha256, None, str(exc))
    if report.refused:
        submit.audit_refusal_once(body, report)
    return Checked(name, body, sha256, report, current=current)


def held(report: pipeline.FileReport | None) -> str:
    """长沙市2025年：就业创业、两癌检查 — what a file holds, for its line in the table."""
    if report is None or not report.observations:
        return ""
    regions, domains = catalog.region_by_code(), catalog.domain_by_code()
    indicators = catalog.indicator_by_code()
    groups: dict[tuple[str, int], set[str]] = {}
    for o in report.observations:
        groups.setdefault((o.region_code, o.year), set()).add(indicators[o.indicator].domain)
    order = {d.code: d.sort_order for d in catalog.domains()}
    return "；".join(
        f"{regions[r].name}{y}年：{'、'.join(domains[d].name for d in sorted(ds, key=order.get))}"
        for (r, y), ds in sorted(groups.items(), key=lambda item: (regions[item[0][0]].sort_order, item[0][1]))
    )


def verdict(item: Checked, done: Done | None = None) -> tuple[str, str]:
    """(结果, 说明) of one file."""
    if done is not None:
        return ("已提交" if done.refused is None else "提交时被拒绝"), done.outcome.message
    if item.report is None:
        return "未能检查", item.failure
    locks, issues = upload.split_locks(item.report.issues)
    errors = sum(i.is_error for i in issues) + item.report.more_errors
    if item.report.refused:
        if errors:
            return "拒绝", f"{errors} 个错误，未写入任何数据" + ("；另有数据已审核锁定" if locks else "")
        return "拒绝", "数据已审核锁定，不能再上报"
    if item.report.warnings:
        return "通过", f"{len(item.report.warnings)} 个警告，提交前须核实并填写上报说明"
    return "通过", "没有问题，可以提交"


def verdict_table(items: list[Checked], done: dict[str, Done]) -> pd.DataFrame:
    """One line per file; text only (file names are shown as typed)."""
    rows = []
    for n, item in enumerate(items, start=1):
        result, note = verdict(item, done.get(item.sha256))
        rows.append((n, item.name, result, held(item.report), note))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


# ---------------------------------------------------------------- the screen


def review_and_submit(files: list) -> None:  # noqa: ANN001 - Streamlit's UploadedFile
    st.session_state.pop(submit.OUTCOME, None)
    st.session_state.pop(OUTCOMES, None)
    items = check_all(files)
    done = st.session_state.setdefault(DONE, {})
    accepted = [c for c in items if c.accepted]
    st.dataframe(verdict_table(items, done), hide_index=True, width="stretch", key=_key(0, "verdicts"))
    st.caption(
        f"共 {len(items)} 个文件：{len(accepted)} 个通过检查，{len(items) - len(accepted)} 个未通过。"
        "每个文件单独检查、单独写入：被拒绝的文件不影响其他文件。"
    )
    ready = {}
    for n, item in enumerate(items, start=1):
        result, _ = verdict(item, done.get(item.sha256))
        with st.expander(f"{n}. {plain.markdown(item.name)}：{result}", expanded=not item.accepted):
            ready[item.sha256] = _section(n, item, done.get(item.sha256))
    waiting = [c for c in accepted if c.sha256 not in done]
    if not waiting:
        return
    st.subheader("提交")
    st.text(f"上报人：{auth.user().label}")
    blocked = [c.name for c in waiting if not ready[c.sha256][0]]
    if blocked:
        names = "、".join(plain.markdown(name) for name in blocked)
        st.caption(f"以下文件有警告，须在其栏目中勾选“已核实，仍然提交”并填写上报说明：{names}")
    label = f"提交全部 {len(waiting)} 个通过检查的文件"
    if st.button(label, type="primary", disabled=bool(blocked), key=_key(0, "submit_all")):
        _submit([(c, ready[c.sha256][1]) for c in waiting], items)


def _section(n: int, item: Checked, done: Done | None) -> tuple[bool, str]:
    """One file's details; returns (ready to submit, 上报说明)."""
    if done is not None:
        getattr(st, done.outcome.level)(plain.markdown(done.outcome.message))
        if done.refused is not None:
            upload.show_issues(done.refused.issues, more=done.refused.more_errors, key=f"batch{n}_refused")
        elif done.outcome.submission_id is not None:
            receipt_download(st, done.outcome.submission_id, list(done.outcome.regions), _key(n, "receipt"))
        return False, ""
    if item.report is None:
        st.error(f"未能检查，未写入任何数据：{plain.markdown(item.failure)}")
        return False, ""
    report = item.report
    if report.refused:
        upload.show_refusal(item.data, item.name, report, key=f"batch{n}")
        return False, ""
    st.success(f"检查通过：{len(report.observations)} 项数据可以提交。")
    if report.warnings:
        st.warning(f"有 {len(report.warnings)} 个警告：请逐项核实。")
        upload.show_issues(report.warnings, key=f"batch{n}_warnings")
        upload.annotated_download(item.data, item.name, report.issues, key=f"batch{n}")
    table = upload.comparison(report.observations, item.current)
    st.caption(upload.change_summary(table) + "下表只列出有变化的项。")
    st.dataframe(table[table["变化"] != upload.SAME], hide_index=True, width="stretch", key=_key(n, "changes"))
    ready, note = submit.confirmation(report, lambda name: _key(n, name))
    if st.button("只提交这个文件", disabled=not ready, key=_key(n, "submit")):
        _submit([(item, note)], None)
    return ready, note


def _submit(chosen: list[tuple[Checked, str]], items: list[Checked] | None) -> None:
    """Load each file on its own (all or nothing per file), with a progress bar for more than one."""
    done = st.session_state.setdefault(DONE, {})
    bar = st.progress(0.0, text="正在提交……") if len(chosen) > 1 else None
    for step, (item, note) in enumerate(chosen):
        if bar is not None:
            bar.progress(
                step / len(chosen), text=f"正在提交第 {step + 1}/{len(chosen)} 个文件：{plain.markdown(item.name)}"
            )
        regions = submit.regions_of(item.report.observations)
        actor = auth.acting_user(UPLOAD, regions)  # the session, role and 市州 as the accounts file says now
        if actor is None:
            st.rerun()  # the page then says why; the files already submitted are listed as such
        done[item.sha256] = _load(item, note, actor, regions)
    if items is not None or all(c.sha256 in done for c in _accepted()):
        _finish()
    st.rerun()


def _load(item: Checked, note: str, actor, regions: list[str]) -> Done:  # noqa: ANN001 - a User
    """Messages as plain text: they go to a table as they are, and through plain.markdown to a message box."""
    name = item.name
    try:
        result = pipeline.load_bytes(
            item.data, item.name, config.warehouse_path(), source="app", note=note or None, actor=actor
        )
    except warehouse.WarehouseError as exc:
        return Done(item.name, submit.Outcome("error", f"“{name}”提交失败，未写入任何数据：{exc}"))
    if result.refused:
        return Done(item.name, submit.Outcome("error", f"“{name}”提交时发现错误，未写入任何数据。"), result)
    outcome = submit.outcome_of(result, regions)
    outcome.message = f"“{name}”" + outcome.message
    return Done(item.name, outcome)


def _accepted() -> list[Checked]:
    return [c for c in st.session_state.get(CHECKED, {}).values() if c.accepted]


def _finish() -> None:
    """Every accepted file has gone: empty the uploader, keep what happened (and the refused files' details)."""
    done = st.session_state.pop(DONE, {})
    checked = list(st.session_state.pop(CHECKED, {}).values())
    st.session_state[OUTCOMES] = [(c, done.get(c.sha256)) for c in checked]
    st.session_state[upload.ROUND] = st.session_state.get(upload.ROUND, 0) + 1


def show_outcome() -> None:
    """After a batch: each file's result, its 回执, and what to do about the files that were refused."""
    outcomes = st.session_state.get(OUTCOMES)
    if not outcomes:
        return
    items = [c for c, _ in outcomes]
    done = {c.sha256: d for c, d in outcomes if d is not None}
    submitted = sum(d.refused is None and d.outcome.level != "error" for d in done.values())
    st.success(f"已处理 {len(items)} 个文件：提交 {submitted} 个，待审核通过后发布。")
    st.dataframe(verdict_table(items, done), hide_index=True, width="stretch", key="batch_outcome_table")
    for n, (item, finished) in enumerate(outcomes, start=1):
        if finished is not None and finished.outcome.submission_id is not None:
            receipt_download(
                st, finished.outcome.submission_id, list(finished.outcome.regions), f"batch_receipt_{n}",
                label=f"下载回执：{plain.markdown(item.name)}",  # a label is Markdown
            )  # fmt: skip
        elif item.report is not None and item.report.refused:
            st.text(f"“{item.name}”未提交：请按问题更正后重新上传。")
            upload.annotated_download(item.data, item.name, item.report.issues, key=f"batch_outcome_{n}")
