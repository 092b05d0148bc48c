"""指标目录 widgets: a table of every version of an entity, a form to add or change one (a new 口径 from a year, or a
correction of a version in place), retire, and bulk import; the callbacks act as the user at the click."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import catalog, catalog_admin, config, roles, warehouse
from etl.catalog import Catalogue, rows
from etl.catalog.model import KINDS, LEVELS, RULE_KINDS, SEVERITIES
from etl.catalog.rows import Field
from etl.warehouse.catalog_store import CatalogueRejected
from ui import auth, flash

NOTICE_KEY = "catalog_notice"
NEW = ""  # the 代码 choice that adds an entity
LONG_TEXT = {"definition", "message", "note"}


def notice() -> None:
    flash.show(NOTICE_KEY)


def _say(kind: str, text: str, problems: list[tuple[str, str]] | None = None) -> None:
    flash.say(NOTICE_KEY, kind, text, problems)


def versions_table(cat: Catalogue, entity: str) -> pd.DataFrame:
    """Every version of every entity of one kind, oldest 口径 first: text cells only."""
    specs = rows.FIELDS[entity]
    items = sorted(getattr(cat, f"{entity}_all"), key=lambda e: (e.code, e.valid_from))
    return pd.DataFrame(
        [[str(rows.to_text(item)[s.name]) for s in specs] for item in items], columns=[s.header for s in specs]
    )


def _key(entity: str, field: str, pick: str) -> str:
    return f"catalog_{entity}_{field}_{pick or 'new'}"


def _options(entity: str, spec: Field, cat: Catalogue) -> dict[str, str] | None:
    """Choices of a field that has a fixed set (code → label), or None for free text."""
    domains = {d.code: d.name for d in cat.edition(None).domain_by_code.values()}
    if spec.name == "kind":
        return dict(RULE_KINDS) if entity == "rules" else dict(KINDS)
    if spec.name == "severity":
        return dict(SEVERITIES)
    if spec.name == "domain":
        return ({"": "全部类别"} if entity == "rules" else {}) | domains
    return None


def form(entity: str, cat: Catalogue) -> None:
    """Pick an entity (or 新增), edit its latest version's fields, save as a version from a year, or retire."""
    versions = cat.versions(entity)
    names = {code: f"{code}（{v[-1].name if hasattr(v[-1], 'name') else v[-1].kind}）" for code, v in versions.items()}
    pick = st.selectbox(
        "选择要修改的项", [NEW, *sorted(versions)], key=f"catalog_{entity}_pick",
        format_func=lambda c: f"（新增{rows.ENTITY_NAMES[entity]}）" if c == NEW else names[c],
    )  # fmt: skip
    current = rows.to_row(versions[pick][-1]) if pick else {}
    for spec in rows.FIELDS[entity]:
        if spec.name in ("retired", "note", "valid_from") or (spec.name == "code" and pick):
            continue
        _widget(entity, spec, pick, current.get(spec.name), cat)
    latest = versions[pick][-1].valid_from if pick else config.collecting_year()
    st.number_input(
        "生效年度：与现有版本相同则更正该版本；填新的年度则自该年的报表起按新口径检查，以前年度不变",
        min_value=config.FIRST_YEAR, max_value=rows.LAST_YEAR, value=latest, step=1,
        key=_key(entity, "valid_from", pick),
    )  # fmt: skip
    st.text_area(
        "修改说明（必填：为什么改、改了什么）", key=_key(entity, "note", pick), max_chars=catalog_admin.NOTE_LIMIT
    )
    left, right, _ = st.columns([1, 1, 4])
    left.button("保存", key=f"catalog_{entity}_save_{pick or 'new'}", on_click=save, args=(entity, pick, cat.token))
    if pick:
        right.button("停用", key=f"catalog_{entity}_retire_{pick}", on_click=save, args=(entity, pick, cat.token, True))


def _widget(entity: str, spec: Field, pick: str, value: object, cat: Catalogue) -> None:
    key = _key(entity, spec.name, pick)
    options = _options(entity, spec, cat)
    # The workbook's help names the codes to type (count 计数 …); a choice on the page is made among Chinese words
    chosen = options is not None or spec.name == "levels"
    label = spec.header + ("（必填）" if spec.required else "") + (f"：{spec.help}" if spec.help and not chosen else "")
    if options is not None:
        keys = list(options)
        st.selectbox(label, keys, index=keys.index(value) if value in keys else 0, key=key,
                     format_func=lambda c: options[c] or c)  # fmt: skip
    elif spec.name == "levels":
        st.multiselect(label, list(LEVELS), default=list(value or ("city",)), key=key, format_func=LEVELS.get)
    elif spec.kind in ("int", "float"):
        st.number_input(label, value=value, key=key, step=1 if spec.kind == "int" else None,
                        format=None if spec.kind == "int" else "%g")  # fmt: skip
    elif spec.kind == "list":
        st.text_input(label, value=";".join(value or ()), key=key)
    elif spec.name in LONG_TEXT:
        st.text_area(label, value=value or "", key=key)
    else:
        st.text_input(label, value=value or "", key=key)


def save(entity: str, pick: str, token: str, retire: bool = False) -> None:
    """Button callback: the version the form describes (or a retirement), as the user at the click."""
    user = auth.acting_user(roles.CATALOG)
    if user is None:
        return
    state = st.session_state
    raw = {spec.name: state.get(_key(entity, spec.name, pick)) for spec in rows.FIELDS[entity]}
    raw = {name: ";".join(value) if isinstance(value, list | tuple) else value for name, value in raw.items()}
    if pick:
        raw["code"] = pick
    raw["retired"] = retire
    item, problems = rows.parse(entity, raw)
    headers = {s.name: s.header for s in rows.FIELDS[entity]}
    if problems:
        _say("error", "未保存：请更正以下各项。", [(headers[name], message) for name, message in problems])
        return
    try:
        revision, summary = catalog_admin.save(user, config.warehouse_path(), [item], raw["note"] or "",
                                               expected_token=token)  # fmt: skip
    except CatalogueRejected as rejected:
        found = [(f"{rows.ENTITY_NAMES[p.entity]} {p.code} {headers.get(p.field, '')}", p.message)
                 for p in rejected.problems]  # fmt: skip
        _say("error", "未保存：修改后的目录有以下问题。", found)
        return
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        _say("error", f"未保存：{exc}")
        return
    if not summary:
        _say("info", "与现有定义完全相同，未作修改。")
        return
    _say("success", f"已保存，指标目录第 {revision} 版：{summary}。")


def import_file(key: str) -> None:
    """Button callback: the uploaded catalogue workbook, all or nothing."""
    user = auth.acting_user(roles.CATALOG)
    if user is None:
        return
    uploaded = st.session_state.get(key)
    if uploaded is None:
        _say("warning", "请先选择要导入的指标目录文件（.xlsx）。")
        return
    try:
        result = catalog_admin.import_workbook(user, config.warehouse_path(), uploaded.getvalue(), uploaded.name,
                                               st.session_state.get("catalog_import_note", ""))  # fmt: skip
    except (warehouse.WarehouseError, roles.PermissionDenied) as exc:
        _say("error", f"未导入：{exc}")
        return
    if result.refused:
        _say("error", f"“{uploaded.name}”有 {len(result.issues)} 处错误，指标目录未作任何修改。",
             [(i.place or "整个文件", i.message) for i in result.issues])  # fmt: skip
    elif result.revision is None:
        _say("info", f"“{uploaded.name}”中的定义与现有目录相同，未作修改。")
    else:
        _say("success", f"已导入，指标目录第 {result.revision} 版：{result.summary}。")


def revisions_table(revisions: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (r["revision"], f"{r['changed_at']:%Y-%m-%d %H:%M}", r["changed_by"], r["summary"], r["note"])
            for r in revisions
        ],
        columns=["版本", "时间", "修改人", "修改内容", "说明"],
    )


def current_summary(cat: Catalogue) -> str:
    now = cat.edition(None)
    return (
        f"指标目录第 {cat.revision} 版：{len(now.domains)} 个类别、{len(now.indicators)} 项指标、"
        f"{len(now.rates)} 项派生指标、{len(now.rules)} 条规则；{len(catalog.cities())} 个市州。"
    )
