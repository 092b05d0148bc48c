"""任务数 files: the return's own template, retitled, read and checked exactly as a return is.

A 管理员 fills the figures each 市州, 县市区 or 省级单位 is asked to reach in a year. The file goes through the
same reader and extraction as a return (header words, region names of the year, levels, whole numbers, no
约数), so every problem is named by sheet!cell and nothing of a refused file is kept. A blank cell sets no target.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from etl import catalog, levels, template
from etl.catalog import Catalogue
from etl.extract import TARGETS_KIND, Context, extract
from etl.issues import TEMPLATES, Issue, RefusedFile, make_issue
from etl.numbers import parse_value
from etl.read import read_file
from etl.warehouse.targets import Target

KIND_KEY, KIND = TARGETS_KIND  # in the _meta sheet of a 任务数 template
TITLE_WORD, TARGET_WORD = "统计报表", "任务数表"


@dataclass
class TargetFile:
    file_name: str
    targets: list[Target] = field(default_factory=list)
    places: dict[tuple[int, str, str], str] = field(default_factory=dict)  # where each target was written
    issues: list[Issue] = field(default_factory=list)
    replaced: list[tuple[Target, float | None]] = field(default_factory=list)  # once saved: each with its old one

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def read_targets(data: bytes, file_name: str, year: int | None = None, *, cat: Catalogue | None = None) -> TargetFile:
    """The targets a file sets, or its errors (each with sheet!cell), read against `cat` (the warehouse's
    catalogue). A 市州 left blank whose every 县市区 has a target gets their sum, as in a return."""
    out = TargetFile(file_name)
    try:
        book = read_file(data, file_name)
    except RefusedFile as refusal:
        out.issues.append(refusal.issue)
        return out
    if book.meta.get("template_version") and book.meta.pop(KIND_KEY, None) != KIND:
        out.issues.append(make_issue("targets-not-a-target-file", file=file_name))
        return out
    extraction = extract(book, Context(file_name, year), cat)
    out.issues += [i for i in extraction.issues if i.code not in _RETURN_ONLY]
    for obs in extraction.observations:
        if obs.value is None:
            continue
        out.targets.append(Target(obs.year, obs.region_code, obs.indicator, obs.value))
        out.places[(obs.year, obs.region_code, obs.indicator)] = f"{obs.sheet}!{obs.cell}" if obs.sheet else obs.cell
    if not out.targets and not out.refused:
        out.issues.append(make_issue("targets-empty", file=file_name))
    return out


# Warnings of a return that say nothing about a target: a 市州's target may well exceed its 县市区' sum.
_RETURN_ONLY = {"county-sum-exceeds", "county-sum-partial"}


def check_entry(year: int, region_code: str, indicator: str, raw: object, cat: Catalogue) -> Target | str:
    """One target typed on the page: the Target, or why not (in Chinese, as the file's checks would say it)."""
    found = cat.indicator_in(indicator, year)
    region = catalog.region_by_code().get(region_code)
    if found is None or region is None:
        return f"{year}年不统计该指标，不能设置任务数。" if region else "请选择市州、县市区或省级单位。"
    region = catalog.region_in_year(region_code, year)
    if not levels.reports(found, region):
        level = levels.LEVEL_NAMES[levels.REPORTS[region.level]]
        return f"{region.name}是{level}，“{found.name}”只由{levels.levels_text(found)}填报，不能给它设置任务数。"
    parsed = parse_value(raw, found)
    if parsed.problem:
        text = TEMPLATES[parsed.problem][1]
        fixed = "" if parsed.value is None else f"{parsed.value:g}"
        return text.format(value=parsed.text, indicator=found.name, unit=found.unit, fixed=fixed)
    if parsed.value is None:
        return "请填写任务数。"
    return Target(year, region.code, indicator, parsed.value)


def template_bytes(year: int, region_code: str | None = None) -> bytes:
    """The 任务数 template of `year`: the return's layout (a 市州's with its 县市区; the province's with the 14 市州
    and the 省级单位), retitled, its instructions about targets, and marked as a 任务数 file."""
    import openpyxl

    region = catalog.region_by_code()[region_code] if region_code else None
    data = template.template_bytes(year, region_code)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        title = ws.cell(template.TITLE_ROW, 1).value
        if isinstance(title, str) and title.endswith(TITLE_WORD):
            ws.cell(template.TITLE_ROW, 1).value = title.removesuffix(TITLE_WORD) + TARGET_WORD
    _instructions(wb[template.INSTRUCTIONS_SHEET], year, region)
    meta = wb[template.META_SHEET]
    meta.append([KIND_KEY, KIND])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _instructions(ws, year: int, region: catalog.Region | None) -> None:  # noqa: ANN001 - an openpyxl sheet
    lines = [
        f"本文件为{year}年度任务数表：每格填该市州（县市区、省级单位）本年度该项指标的任务数，不是完成数。",
        "只填下达了任务数的格，其余留空；留空不会删除已有的任务数（删除请在系统“任务数”页面操作）。",
        "县市区都填了任务数而市州一行留空时，市州任务数为各县市区之和。",
        "只填准确数字，不写约数；金额以万元计；人数、场次、个数等填整数。灰色单元格表示该级不填报此项。",
        "填好后由管理员在系统“任务数”页面上传，或在服务器上运行 python -m etl targets import 文件名。",
    ]
    if region is not None:
        owner = f"{region.name}妇联" if region.level == levels.CITY else region.name
        lines.append(f"本表为{owner}（含所辖县市区）的任务数。")
    ws.delete_rows(2, ws.max_row)
    for row, line in enumerate(lines, start=2):
        ws.cell(row, 1, f"{row - 1}. {line}")
