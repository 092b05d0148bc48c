"""Plain-text Chinese reports of file checks and loads, for the command line."""

from __future__ import annotations

from etl import catalog
from etl.pipeline import ALREADY_LOADED, CHECKED, LOADED, REFUSED, UNCHANGED, FileReport
from etl.validate import format_number

MAX_LISTED_ISSUES = 200
# A file's outcome in one word, for progress lines (the pipeline's codes are English identifiers).
STATUS_WORDS = {
    REFUSED: "已拒绝", CHECKED: "检查通过", LOADED: "已导入", ALREADY_LOADED: "已导入过，未重复写入",
    UNCHANGED: "与当前数据相同，未生成新版本",
}  # fmt: skip


def format_report(report: FileReport) -> str:
    lines = [_headline(report)]
    listed = report.errors + report.warnings
    for issue in listed[:MAX_LISTED_ISSUES]:
        kind = "错误" if issue.is_error else "警告"
        where = f" {issue.place}" if issue.place else ""
        lines.append(f"  {kind}{where}：{issue.message}")
    unlisted = len(listed) - min(len(listed), MAX_LISTED_ISSUES) + report.more_errors
    if unlisted:
        lines.append(f"  ……另有 {unlisted} 个问题未列出，请先更正以上问题。")
    if report.store and report.store.changes:
        lines.append("  更改的数值：")
        lines += [f"    {_change(c)}" for c in report.store.changes[:MAX_LISTED_ISSUES]]
    return "\n".join(lines)


def _counts(report: FileReport) -> str:
    parts = []
    if report.error_count:
        parts.append(f"{report.error_count} 个错误")
    if report.warnings:
        parts.append(f"{len(report.warnings)} 个警告")
    return "，".join(parts)


def _headline(report: FileReport) -> str:
    name = report.file_name
    if report.status == REFUSED:
        return f"✗ {name}：已拒绝，未写入任何数据（{_counts(report)}）。"
    if report.status == ALREADY_LOADED:
        return f"= {name}：该文件已导入过（上报编号 {report.store.submission_id}），未重复写入。"
    slices = len(
        {(o.region_code, o.year, catalog.indicator_by_code()[o.indicator].domain) for o in report.observations}
    )
    values = sum(o.value is not None for o in report.observations)
    warned = f"，{_counts(report)}" if report.warnings else ""
    sample = "（示例数据）" if report.is_sample else ""
    if report.status == CHECKED:
        return f"✓ {name}：检查通过，可导入 {slices} 组（市州×年度×类别）、{values} 个数值{warned}。"
    s = report.store
    return (
        f"✓ {name}：已导入{sample}，上报编号 {s.submission_id}：{slices} 组、{values} 个数值"
        f"（新增 {s.added}，更改 {s.changed}，未变 {s.unchanged}）{warned}。"
    )


def _change(change: tuple) -> str:
    region, year, indicator, old, new = change
    ind = catalog.indicator_by_code()[indicator]
    old_text = "未填报" if old is None else format_number(old)
    new_text = "未填报" if new is None else format_number(new)
    return f"{catalog.region_by_code()[region].name} {year}年 {ind.name}：{old_text} → {new_text}（{ind.unit}）"
