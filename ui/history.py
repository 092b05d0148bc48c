"""上报记录, pure: tables of submissions, their values and versions, and where an original file is. The page
(app_pages/history.py) draws them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl import catalog, config, online, receipt
from etl.cn_format import table_text
from etl.export import frame_xlsx
from etl.totals import PENDING, SAMPLE
from ui.common import XLSX_MIME

SOURCES = {"cli": "命令行", "app": "网页上报", "demo": "示例数据", "restore": "恢复版本", online.SOURCE: online.ONLINE}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME = {
    ".xlsx": XLSX_MIME,
    ".xls": "application/vnd.ms-excel",
    ".csv": "text/csv",
}
STATES = {"pending": "待审核", "published": "已审核通过", "returned": "已退回", "superseded": "未审核，已被新版本取代"}
FIGURES, CHANGE = "数值", "与上一版相比"  # figures of mixed units, written as text in each row's unit


def when(moment) -> str:  # noqa: ANN001 - a datetime
    return f"{moment:%Y-%m-%d %H:%M}"


def version_heading(version: dict) -> str:
    """**第 2 版**（当前）· 待审核"""
    shown = []
    if version["is_current"]:
        shown.append("当前")
    if version["is_published"] and not version["is_current"]:
        shown.append("领导看到的版本")
    text = f"**第 {version['version']} 版**" + (f"（{'，'.join(shown)}）" if shown else "")
    return text + f" · {STATES.get(version['status'], version['status'])}"


def review_line(version: dict) -> str | None:
    """Who reviewed a version and, for a returned one, why."""
    if version["reviewed_by"] is None or version["status"] not in ("published", "returned"):
        return None
    verb = "审核通过" if version["status"] == "published" else "退回"
    line = f"{version['reviewed_by']} 于 {when(version['reviewed_at'])} {verb}"
    return line + (f"，原因：{version['review_note']}" if version["review_note"] else "")


def held_by(rows: list[dict], city_names: list[str]) -> list[dict]:
    """Submissions holding any of the chosen 市州; with all 14 chosen, every submission (county returns too)."""
    if len(city_names) == len(catalog.cities()):
        return rows
    chosen = set(city_names)
    return [r for r in rows if chosen & set(r["regions"].split("、"))]


def in_official_order(names: str, ordered: list[str], everything: str) -> str:
    """The warehouse lists names alphabetically; people expect the official order, and 14 names say less than 全部."""
    held = set(names.split("、"))
    if held == set(ordered):
        return everything
    return "、".join([n for n in ordered if n in held] + sorted(held - set(ordered)))


def regions_text(names: str) -> str:
    """全部 14 个市州（含 122 个县市区）、省妇联组织联络部: the 市州 in official order (or 全部), how many 县市区 came
    with them, and the 省级单位 (by name, or how many) — never a list of a hundred 县市区."""
    held = set(names.split("、"))
    by_name = {r.name: r for r in catalog.regions()}
    cities = [c.name for c in catalog.cities()]
    counties = {n for n in held if n in by_name and by_name[n].level == "county"}
    units = [u.name for u in catalog.units() if u.name in held]
    text = in_official_order("、".join(held - counties - set(units)), cities, f"全部 {len(cities)} 个市州")
    text += f"（含 {len(counties)} 个县市区）" if counties else ""
    named = units if len(units) <= 2 else [f"{len(units)} 个省级单位"]
    return "、".join(part for part in (text, *named) if part)


def domains_text(names: str) -> str:
    domains = [d.name for d in catalog.domains()]
    return in_official_order(names, domains, f"全部 {len(domains)} 类")


def submissions_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (when(r["submitted_at"]), r["submission_id"], regions_text(r["regions"]),
             r["years"], domains_text(r["domains"]), r["file_name"],
             r["submitted_by"], SOURCES.get(r["source"], r["source"]), r["warnings"], "是" if r["is_sample"] else "")
            for r in rows
        ],
        columns=["时间", "上报编号", "市州", "年度", "类别", "文件名", "上报人", "来源", "警告数", "示例数据"],
    )  # fmt: skip


def values_table(values: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (v["year"], v["region_name"], v["domain_name"], v["indicator_name"], v["unit"],
             table_text(v["value"], v["unit"]), online.place(v["sheet"], v["cell"]))
            for v in values
        ],
        columns=["年度", "市州", "类别", "指标", "单位", FIGURES, "来源单元格"],
    )  # fmt: skip


def submissions_xlsx(table: pd.DataFrame, rows: list[dict], notes: list[str]) -> bytes:
    """The list as a formatted .xlsx: filters, frozen header, widths for Chinese, the 示例 and 待审核 marks (a
    submission with a slice still waiting for review)."""
    marks = [
        "、".join(m for m, on in ((SAMPLE, r["is_sample"]), (PENDING, r.get("pending_slices", 0) > 0)) if on)
        for r in rows
    ]
    return frame_xlsx(
        table.drop(columns=["示例数据"]), title="上报记录", source="湖南省妇联统计平台上报记录", notes=notes,
        plain=("上报编号", "警告数"), marks=marks,
    )  # fmt: skip


def original_path(archive_path: str | None) -> Path | None:
    """The archived original, only if it exists inside the warehouse's folder (the path comes from the database)."""
    if not archive_path:
        return None
    folder = config.warehouse_path().resolve().parent
    path = (folder / archive_path).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def change(old: float | None, new: float | None, first: bool, unit: str) -> str:
    """What one indicator did between a version and the one before it."""
    if first:
        return "新增" if new is not None else "未填报"
    if old == new:
        return "未变"
    if old is None:
        return "新增"
    return f"{table_text(old, unit)} → {table_text(new, unit)}"


def version_table(version: dict, older: dict | None, domain: str) -> pd.DataFrame:
    rows = []
    for item in catalog.domain_indicators(domain):
        new = version["values"].get(item.code)
        old = older["values"].get(item.code) if older else None
        rows.append((item.name, item.unit, table_text(new, item.unit), change(old, new, older is None, item.unit)))
    return pd.DataFrame(rows, columns=["指标", "单位", FIGURES, CHANGE])


def original_file(archive_path: str | None, file_name: str, regions: list[str], key: str) -> None:
    """The widget offering a submission's original file (to whoever may export its 市州' figures)."""
    import streamlit as st

    from ui.common import download

    path = original_path(archive_path)
    if archive_path is None and file_name.startswith(online.ONLINE):
        st.info("这次是在线填报，没有原始文件；填报的数值见上表，也可下载回执。")
    elif archive_path is None:
        st.info("这条记录是“恢复版本”操作，没有原始文件。")
    elif path is None:
        st.warning("原始文件不在归档目录中，无法下载。")
    elif not download(
        st,
        "下载原始文件",
        path.read_bytes,  # read only when clicked: originals can be megabytes
        file_name=file_name,
        mime=MIME.get(path.suffix, "application/octet-stream"),
        key=key,
        regions=regions,
    ):
        st.caption("原始文件含其他市州的数据，统计员只能下载本市州的原始文件。")


def receipt_download(  # noqa: ANN001
    column, submission_id: int, regions: list[str], key: str, label: str = "下载回执（Word）"
) -> bool:
    """The submission's 回执 (.docx), built at the click for whoever may export its 市州' figures."""
    from ui import data
    from ui.common import download

    db = config.warehouse_path()

    def build() -> bytes:
        from etl.warehouse import now_beijing

        return receipt.receipt_docx(data.receipt(db, submission_id), f"{now_beijing():%Y-%m-%d %H:%M}")

    return download(
        column, label, build, file_name=receipt.file_name(submission_id), mime=DOCX_MIME, key=key,
        regions=regions,
    )  # fmt: skip
