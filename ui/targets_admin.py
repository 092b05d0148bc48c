"""任务数 page widgets (管理员): the table of the targets set, and the callbacks that import a 任务数 file, set one
target by hand and delete targets. Each callback acts as the user at the click (ui.auth.acting_user) and goes
through etl.actions, which checks the role again and audits what changed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import actions, catalog, config, roles, targets, warehouse
from etl.records import format_number
from ui import auth, data, flash

NOTICE_KEY = "targets_notice"
COLUMNS = ["年度", "代码", "市州/县市区/省级单位", "指标", "任务数", "单位", "设置人", "设置时间", "来源"]


def notice() -> None:
    flash.show(NOTICE_KEY)


def _say(kind: str, text: str, problems: list[tuple[str, str]] | None = None) -> None:
    flash.say(NOTICE_KEY, kind, text, problems)


def table(rows: list[dict]) -> pd.DataFrame:
    """The targets set, text cells only (names from the catalogue, set_by from the accounts)."""
    return pd.DataFrame(
        [
            (str(r["year"]), r["region_code"], r["region_name"], r["indicator_name"], format_number(r["target"]),
             r["unit"], r["set_by"], f"{r['set_at']:%Y-%m-%d %H:%M}", r["source"] or "")
            for r in rows
        ],
        columns=COLUMNS,
    )  # fmt: skip


def import_file(key: str) -> None:
    """Button callback: a 任务数 file, all or nothing."""
    user = auth.acting_user(roles.CATALOG)
    if user is None:
        return
    uploaded = st.session_state.get(key)
    if uploaded is None:
        _say("warning", "请先选择要导入的任务数表（.xlsx）。")
        return
    try:
        found = actions.import_targets(user, config.warehouse_path(), uploaded.getvalue(), uploaded.name)
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        _say("error", f"未导入：{exc}")
        return
    if found.refused:
        _say("error", f"“{uploaded.name}”有 {len(found.errors)} 处错误，未导入任何任务数。",
             [(i.place or "整个文件", i.message) for i in found.errors])  # fmt: skip
        return
    changed = sum(old != t.target for t, old in found.replaced)
    _say("success", f"已导入 {len(found.targets)} 项任务数（新设或改动 {changed} 项）。")


def set_one(year: int) -> None:
    """Button callback: the target typed in the form, checked as a file's cell would be."""
    user = auth.acting_user(roles.CATALOG)
    if user is None:
        return
    state = st.session_state
    region, indicator, raw = state.get("target_region"), state.get("target_indicator"), state.get("target_value")
    db = config.warehouse_path()
    found = targets.check_entry(year, region or "", indicator or "", raw, data.catalogue(data.snapshot()))
    if isinstance(found, str):
        _say("error", found)
        return
    try:
        ((target, old),) = actions.set_targets(user, db, [found])
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        _say("error", f"未保存：{exc}")
        return
    name = catalog.region_by_code()[target.region_code].name
    before = "" if old is None else f"（原为 {format_number(old)}）"
    _say("success", f"已设置{year}年{name}任务数 {format_number(target.target)}{before}。")


def delete(rows: list[dict], key: str) -> None:
    """Button callback: delete the targets picked in the table."""
    user = auth.acting_user(roles.CATALOG)
    if user is None:
        return
    picked = st.session_state.get(key) or {}
    chosen = [rows[i] for i in picked.get("selection", {}).get("rows", []) if i < len(rows)]
    if not chosen:
        _say("warning", "请先在表中选择要删除的任务数。")
        return
    keys = [(r["year"], r["region_code"], r["indicator"]) for r in chosen]
    try:
        removed = actions.delete_targets(user, config.warehouse_path(), keys)
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        _say("error", f"未删除：{exc}")
        return
    _say("success", f"已删除 {removed} 项任务数。")
