"""What every way of submitting shares (one file, several files, 在线填报): the confirmation warnings need, the
市州 a submission is checked against, what it did — kept across the rerun that follows — and its 回执."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from etl import catalog, config, pipeline
from etl.cn_format import exact
from etl.extract import Observation
from etl.roles import city_of
from ui import auth
from ui.history import receipt_download

OUTCOME = "upload_outcome"
NOTE_LIMIT = 500


@dataclass
class Outcome:
    """What a submission did, kept across the rerun that empties the uploader."""

    level: str  # success | info
    message: str
    changes: pd.DataFrame | None = None
    submission_id: int | None = None  # a 回执 to offer
    regions: tuple[str, ...] = field(default_factory=tuple)  # whose figures it holds (who may have the 回执)


def regions_of(observations: Iterable[Observation]) -> list[str]:
    """The 市州 a submission's figures belong to (a 县市区 counts as its 市州): what the role is checked against."""
    return sorted({city_of(o.region_code) for o in observations})


def confirmation(report: pipeline.FileReport, key: Callable[[str], str]) -> tuple[bool, str]:
    """(ready to submit, 上报说明): with warnings, each must be confirmed and explained first. `key` names the
    widgets of this file."""
    if not report.warnings:
        return True, ""
    confirmed = st.checkbox("已核实，仍然提交", key=key("confirm"))
    note = st.text_input("上报说明（必填，说明警告的原因）", key=key("note"), max_chars=NOTE_LIMIT).strip()
    ready = confirmed and bool(note)
    if not ready:
        st.caption("有警告的报表：勾选“已核实，仍然提交”并填写上报说明后才能提交。")
    return ready, note


def outcome_of(result: pipeline.FileReport, regions: Iterable[str] = ()) -> Outcome:
    s = result.store
    if result.status == pipeline.ALREADY_LOADED:
        return Outcome("info", f"这个文件已经上报过（上报编号 {s.submission_id}），未重复写入。")
    if result.status == pipeline.UNCHANGED:
        return Outcome("info", "与平台现有数据完全相同，未生成新版本，无需再次上报。")
    cleared = sum(new is None for *_, new in s.changes)
    message = (
        f"已提交（上报编号 {s.submission_id}）：新增 {s.added} 项，更改 {s.changed} 项"
        + (f"（其中清空 {cleared} 项）" if cleared else "")
        + f"，未变 {s.unchanged} 项。"
        + (f"其中 {s.same_slices} 组与现有数据相同，未生成新版本。" if s.same_slices else "")
        + "待省妇联审核通过后发布，领导才会看到。"
    )
    return Outcome("success", message, change_list(s.changes), s.submission_id, tuple(regions))


def show_outcome(key: str = "upload_outcome", state: str = OUTCOME) -> None:
    """The last submission's result and 回执 (kept in session state under `state` until the next one)."""
    outcome = st.session_state.get(state)
    if outcome is None:
        return
    getattr(st, outcome.level)(outcome.message)
    if outcome.submission_id is not None:
        receipt_download(st, outcome.submission_id, list(outcome.regions), f"{key}_receipt")
    if outcome.changes is not None and len(outcome.changes):
        st.markdown("**更改的数据（旧 → 新）**")
        st.dataframe(outcome.changes, hide_index=True, width="stretch", key=f"{key}_changes")


def change_list(changes: list[tuple[str, int, str, float | None, float | None]]) -> pd.DataFrame:
    regions, indicators, domains = catalog.region_by_code(), catalog.indicator_by_code(), catalog.domain_by_code()
    rows = [
        (year, regions[region].name, domains[indicators[code].domain].name, indicators[code].name,
         indicators[code].unit, f"{exact(old)} → {exact(new)}")
        for region, year, code, old, new in changes
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["年度", "市州", "类别", "指标", "单位", "旧 → 新"])


def audit_refusal_once(data: bytes, report: pipeline.FileReport) -> None:
    """A file refused at the check is a refused upload: audited once per session, not on every rerun."""
    sha256 = hashlib.sha256(data).hexdigest()
    logged = st.session_state.setdefault("upload_refusals_logged", set())
    if sha256 not in logged:
        pipeline.log_load(report, auth.user(), sha256, config.warehouse_path())
        logged.add(sha256)
