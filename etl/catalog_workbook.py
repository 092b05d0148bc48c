"""The catalogue as a workbook, for bulk work: `python -m etl catalog export` writes every version of every entity
(one sheet per entity, Chinese headers, one row per version); `catalog import` reads such a workbook back as
strictly as a return — the hostile-file guard first, then every problem with its sheet!cell, nothing applied if
there is any."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from etl.catalog import Catalogue, normalize_text, rows
from etl.catalog.changes import merge
from etl.catalog.check import Problem, check
from etl.catalog.model import ENTITIES, Entity
from etl.ingest.context import cell_ref, text_of
from etl.issues import ERROR, Issue, RefusedFile
from etl.read import Sheet, read_file

INSTRUCTIONS_SHEET = "说明"
INSTRUCTIONS = (
    "本文件是湖南省妇联统计平台的指标目录，用 python -m etl catalog import 文件 导入（或在“指标目录”页上传）。",
    "“类别”“指标”“派生指标”“规则”四张表，每行是一个口径版本：代码 + 生效年度。",
    "修改口径：新增一行，代码相同、生效年度为新口径开始的年度，并写明“变更说明”；以前年度的报表仍按旧口径检查。",
    "更正错字（不改变口径）：直接改原来那一行。停用：新增一行，停用填“是”，生效年度为停止统计的年度。",
    "文件中没有的行保持不变；不会删除任何已有的定义。任何一处有误，整个文件不导入，并指出工作表和单元格。",
    "代码只用小写英文字母、数字和下划线；多个值（填报层级、表头别名、指标B）用分号隔开。",
    "规则类型：le（A ≤ B，B 可为几个指标之和）、band（A ÷ B 在下限与上限之间）、yoy（本年 ÷ 上年在下限与上限之间，"
    "指标A 填 * 表示全部指标）、county_sum（县市区之和与市州相差不超过容差）。级别：error 拒收，warning 提示审核。",
)


@dataclass
class Parsed:
    """What an import workbook holds: the versions, where each came from, and every problem found."""

    items: list[Entity] = field(default_factory=list)
    where: dict[tuple[str, str, int], tuple[str, int, dict[str, int]]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


# ---------------------------------------------------------------- export


def workbook_bytes(cat: Catalogue) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.cell(1, 1, f"指标目录（第 {cat.revision} 版）").font = Font(bold=True, size=14)
    for row, line in enumerate(INSTRUCTIONS, start=2):
        ws.cell(row, 1, f"{row - 1}. {line}").alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 110
    for entity in ENTITIES:
        sheet = wb.create_sheet(rows.SHEETS[entity])
        specs = rows.FIELDS[entity]
        for col, spec in enumerate(specs, start=1):
            cell = sheet.cell(1, col, spec.header)
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
            if spec.help:
                cell.comment = Comment(spec.help, "湖南省妇联", width=240, height=90)
            sheet.column_dimensions[cell.column_letter].width = 14 if spec.kind != "text" else 22
        versions = sorted(getattr(cat, f"{entity}_all"), key=lambda e: _order(cat, e))
        for row, item in enumerate(versions, start=2):
            texts = rows.to_text(item)
            for col, spec in enumerate(specs, start=1):
                sheet.cell(row, col, texts[spec.name])
        sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _order(cat: Catalogue, item: Entity) -> tuple:
    """Rows as the pages list them: by 类别 (rules for every 类别 first), then order, code and year."""
    domains = cat.edition(None).domain_by_code
    domain = getattr(item, "domain", None)
    group = domains[domain].sort_order if domain in domains else (item.sort_order if domain is None else -1)
    return group, item.sort_order, item.code, item.valid_from


# ---------------------------------------------------------------- import


def parse_workbook(data: bytes, file_name: str) -> Parsed:
    """The versions of an import workbook, or its problems; raises RefusedFile for a file that cannot be read."""
    book = read_file(data, file_name)
    out = Parsed()
    if book.kind == "csv":
        raise RefusedFile(
            _issue(file_name, "", "", "指标目录须为 Excel 工作簿（.xlsx），请用 catalog export 导出的文件修改。")
        )
    by_name = {normalize_text(s.name): s for s in book.sheets}
    found = False
    for entity in ENTITIES:
        sheet = by_name.get(normalize_text(rows.SHEETS[entity]))
        if sheet is not None:
            found = True
            _read_sheet(sheet, entity, file_name, out)
    if not found:
        names = "、".join(rows.SHEETS.values())
        out.issues.append(
            _issue(file_name, "", "", f"文件中没有“{names}”中的任何一张工作表，请用 catalog export 导出的文件修改。")
        )
    return out


def _issue(file_name: str, sheet: str, cell: str, message: str, subject: str = "") -> Issue:
    return Issue("catalog-invalid", ERROR, message, file_name, sheet, cell, subject)


def _read_sheet(sheet: Sheet, entity: str, file_name: str, out: Parsed) -> None:
    if not sheet.rows:
        return
    specs = {normalize_text(s.header): s for s in rows.FIELDS[entity]} | {s.name: s for s in rows.FIELDS[entity]}
    columns: dict[str, int] = {}
    for col, value in enumerate(sheet.rows[0]):
        text = normalize_text(text_of(value))
        if not text:
            continue
        spec = specs.get(text)
        if spec is None:
            if any(col < len(r) and r[col] not in (None, "") for r in sheet.rows[1:]):
                out.issues.append(
                    _issue(
                        file_name,
                        sheet.name,
                        cell_ref(0, col),
                        f"列名“{text}”不是{rows.SHEETS[entity]}表的列，这一列无法导入。",
                    )
                )
            continue
        if spec.name in columns:
            out.issues.append(_issue(file_name, sheet.name, cell_ref(0, col), f"“{spec.header}”列出现了两次。"))
            continue
        columns[spec.name] = col
    missing = [s.header for s in rows.FIELDS[entity] if s.required and s.name not in columns]
    if missing:
        out.issues.append(_issue(file_name, sheet.name, "A1", f"缺少“{'”“'.join(missing)}”列。"))
        return
    for r in range(1, len(sheet.rows)):
        _read_row(sheet, entity, r, columns, file_name, out)


def _read_row(sheet: Sheet, entity: str, r: int, columns: dict[str, int], file_name: str, out: Parsed) -> None:
    line = sheet.rows[r]
    raw = {name: (line[col] if col < len(line) else None) for name, col in columns.items()}
    if all(v in (None, "") for v in raw.values()):
        return
    item, problems = rows.parse(entity, raw)
    code = text_of(raw.get("code")).strip()
    for name, message in problems:
        out.issues.append(_issue(file_name, sheet.name, cell_ref(r, columns.get(name, 0)), message, code))
    if item is None:
        return
    key = (entity, item.code, item.valid_from)
    if key in out.where:
        other = out.where[key]
        message = (
            f"{item.code} {item.valid_from}年起的版本在第 {other[1] + 1} 行已有一行。每个代码每个生效年度只能有一行。"
        )
        out.issues.append(_issue(file_name, sheet.name, cell_ref(r, columns["code"]), message, item.code))
        return
    out.where[key] = (sheet.name, r, columns)
    out.items.append(item)


def located(problems: list[Problem], parsed: Parsed, file_name: str) -> list[Issue]:
    """Problems of the catalogue as a whole, at the cell of the workbook row that caused them (else by code)."""
    issues = []
    for p in problems:
        place = parsed.where.get((p.entity, p.code, p.valid_from))
        if place is None:
            message = f"{rows.ENTITY_NAMES[p.entity]} {p.code}（{p.valid_from}年起，已在目录中）：{p.message}"
            issues.append(_issue(file_name, rows.SHEETS[p.entity], "", message, p.code))
            continue
        sheet, r, columns = place
        issues.append(_issue(file_name, sheet, cell_ref(r, columns.get(p.field, columns["code"])), p.message, p.code))
    return issues


def preview(cat: Catalogue, parsed: Parsed, file_name: str) -> list[Issue]:
    """Every problem the import would meet, against the catalogue it would change (nothing written)."""
    if parsed.issues:
        return parsed.issues
    return located(check(merge(cat, parsed.items)), parsed, file_name)
