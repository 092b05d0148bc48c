"""The official Excel return: one sheet per domain, a 填报说明 sheet and a hidden _meta sheet."""

from __future__ import annotations

import io
from copy import copy
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from etl import catalog, config, levels
from etl.catalog import Domain, Indicator, Region

if TYPE_CHECKING:  # openpyxl is imported lazily so the CLI's load path never pays for it
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.styles import Border, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

INSTRUCTIONS_SHEET = "填报说明"
META_SHEET = "_meta"
META_KEYS = ("template_version", "year", "region_code", "generated_at", "sample")
REGION_HEADER = "市州"
COUNTY_HEADER, UNIT_HEADER = "市州/县市区", "填报单位"  # sheets with 县市区 rows, with 省级单位 rows
COUNTY_INDENT = "\u3000\u3000"  # a 县市区 row's name sits under its 市州's (full-width spaces, read as nothing)
TITLE_ROW, UNIT_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
NUMBER_FORMATS = {"count": "0", "amount": "0.00"}

_HEADER_FILL = "DDEBF7"
_NOT_REPORTED_FILL = "D9D9D9"
_AUTHOR = "湖南省妇联"
_GAP = "\u3000\u3000"  # full-width spaces, as the paper form separates its fields
_LIST_FORMULA_LIMIT = 255  # Excel refuses a literal list validation longer than this


def write_template(
    path: Path, year: int, region_code: str | None = None, sample: bool = False, *, full: bool = False
) -> Path:
    """Write the return for `year` to `path`: one 市州 (with its 县市区) or one 省级单位 when `region_code` is given,
    the 14 市州 otherwise (`full`: with every 县市区 and 省级单位 too)."""
    path = Path(path)
    _build_workbook(year, region_code, sample, full).save(path)
    return path


def template_bytes(year: int, region_code: str | None = None, sample: bool = False, *, full: bool = False) -> bytes:
    """The same workbook as write_template, as .xlsx bytes for a download button."""
    buffer = io.BytesIO()
    _build_workbook(year, region_code, sample, full).save(buffer)
    return buffer.getvalue()


def _build_workbook(year: int, region_code: str | None, sample: bool, full: bool) -> Workbook:
    from openpyxl import Workbook

    region = _check_args(year, region_code)
    wb = Workbook()
    wb.remove(wb.active)
    for domain in catalog.domains():
        rows = sheet_rows(domain.code, year, region, full=full)
        if rows:
            _domain_sheet(wb.create_sheet(domain.name), domain, year, region, rows)
    _instructions_sheet(wb.create_sheet(INSTRUCTIONS_SHEET), year, region, sample)
    _meta_sheet(wb.create_sheet(META_SHEET), year, region, sample)
    wb.active = 0
    wb.properties.creator = _AUTHOR
    wb.properties.title = f"{year}年湖南省妇联统计报表"
    return wb


def _check_args(year: int, region_code: str | None) -> Region | None:
    """The 市州 asked for, or None for all; wrong arguments fail here rather than in a half-written file."""
    if isinstance(year, bool) or not isinstance(year, int) or not config.FIRST_YEAR <= year <= 9999:
        raise ValueError(f"year must be a four-digit year from {config.FIRST_YEAR}, got {year!r}")
    if region_code is None or region_code == "":
        return None
    region = catalog.region_by_code().get(str(region_code))
    if region is None or region.level not in (levels.CITY, levels.UNIT):
        raise ValueError(f"region_code must be the code of one of the 14 市州 or a 省级单位, got {region_code!r}")
    return region


def sheet_rows(domain: str, year: int, region: Region | None = None, *, full: bool = False) -> tuple[Region, ...]:
    """The rows of a domain's sheet. A 市州's return: the 市州, then its 县市区 of `year` where the domain has
    county-level indicators. A 省级单位's: itself, where the domain has unit-level ones. The province's: the 14 市州
    (`full`: each followed by its 县市区, then the 省级单位, as above)."""
    reported = {level for i in catalog.domain_indicators(domain) for level in i.levels}
    own = region.level if region else None
    cities = (region,) if own == levels.CITY else () if region else catalog.cities()
    with_counties = levels.COUNTY in reported and (own == levels.CITY or full)
    rows: list[Region] = []
    for city in cities:
        if levels.CITY in reported or with_counties:
            rows.append(city)
        if with_counties:
            rows.extend(catalog.counties_of(city.code, year))
    if levels.UNIT in reported and (own == levels.UNIT or full):
        rows.extend((region,) if own == levels.UNIT else catalog.units())
    return tuple(rows)


def row_label(region: Region) -> str:
    return COUNTY_INDENT + region.name if region.level == levels.COUNTY else region.name


def _region_header(rows: tuple[Region, ...]) -> str:
    found = {r.level for r in rows}
    return UNIT_HEADER if levels.UNIT in found else COUNTY_HEADER if levels.COUNTY in found else REGION_HEADER


def _domain_sheet(ws: Worksheet, domain: Domain, year: int, region: Region | None, rows: tuple[Region, ...]) -> None:
    indicators = tuple(i for i in catalog.domain_indicators(domain.code) if any(levels.reports(i, r) for r in rows))
    last_column = 1 + len(indicators)
    _write_title(ws, domain, year, region, last_column)
    _write_header(ws, indicators, _region_header(rows))
    _write_region_rows(ws, indicators, rows)
    last_row = FIRST_DATA_ROW + len(rows) - 1
    _add_validations(ws, indicators, last_row, _region_names(rows))
    _set_layout(ws, last_column)


def _write_title(ws: Worksheet, domain: Domain, year: int, region: Region | None, last_column: int) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    end = get_column_letter(last_column)
    unit = (f"{region.name}妇联" if region.level == levels.CITY else region.name) if region else ""
    ws.cell(TITLE_ROW, 1, f"{year}年湖南省妇联{domain.name}统计报表")
    ws.cell(UNIT_ROW, 1, f"填报单位：{unit}{_GAP}年度：{year}{_GAP}填表人：{_GAP}联系电话：")
    ws.merge_cells(f"A{TITLE_ROW}:{end}{TITLE_ROW}")
    ws.merge_cells(f"A{UNIT_ROW}:{end}{UNIT_ROW}")
    ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=16)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(UNIT_ROW, 1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30


def _write_header(ws: Worksheet, indicators: tuple[Indicator, ...], region_header: str) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    labels = [region_header, *(i.label for i in indicators)]
    for column, label in enumerate(labels, start=1):
        cell = ws.cell(HEADER_ROW, column, label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.border = _thin_border()
    for column, indicator in enumerate(indicators, start=2):
        # Hovering the header is where statisticians look for "what exactly do I count here".
        text = f"{indicator.definition}\n单位：{indicator.unit}\n填报：{levels.levels_text(indicator)}"
        ws.cell(HEADER_ROW, column).comment = Comment(text, _AUTHOR, width=260, height=110)
    ws.row_dimensions[HEADER_ROW].height = 45


def _write_region_rows(ws: Worksheet, indicators: tuple[Indicator, ...], rows: tuple[Region, ...]) -> None:
    from openpyxl.styles import PatternFill

    # Data cells get no value at all: a blank cell means 未填报, never 0. A cell the row's level does not report
    # is grey (and refused if filled). Each style is built once and copied: setting a style object per cell makes
    # openpyxl hash it each time (seconds for a sheet of every 县市区).
    border, grey = _thin_border(), PatternFill("solid", fgColor=_NOT_REPORTED_FILL)
    styles: dict[tuple[str, bool], object] = {}
    for row, region in enumerate(rows, start=FIRST_DATA_ROW):
        label = ws.cell(row, 1, row_label(region))
        styles.setdefault(("label", False), _styled(label, border)._style)
        label._style = copy(styles[("label", False)])
        for column, indicator in enumerate(indicators, start=2):
            cell, key = ws.cell(row, column), (indicator.kind, not levels.reports(indicator, region))
            if key not in styles:
                styles[key] = _styled(cell, border, NUMBER_FORMATS[indicator.kind], grey if key[1] else None)._style
            cell._style = copy(styles[key])


def _styled(cell: Cell, border: Border, number_format: str | None = None, fill: PatternFill | None = None) -> Cell:
    cell.border = border
    if number_format:
        cell.number_format = number_format
    if fill:
        cell.fill = fill
    return cell


def _region_names(rows: tuple[Region, ...]) -> tuple[str, ...]:
    """The names the region column's dropdown offers: the 14 市州, or a 市州's own and its 县市区'."""
    if all(r.level == levels.CITY for r in rows):
        return tuple(r.name for r in catalog.cities())
    return tuple(r.name for r in rows)


def _add_validations(ws: Worksheet, indicators: tuple[Indicator, ...], last_row: int, names: tuple[str, ...]) -> None:
    from openpyxl.utils import get_column_letter

    if len(",".join(names)) + 2 <= _LIST_FORMULA_LIMIT:  # every 县市区 of the province is more than a list holds
        ws.add_data_validation(_region_validation(f"A{FIRST_DATA_ROW}:A{last_row}", names))
    for column, indicator in enumerate(indicators, start=2):
        letter = get_column_letter(column)
        ws.add_data_validation(_number_validation(indicator, f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}"))


def _region_validation(cells: str, names: tuple[str, ...]) -> DataValidation:
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = '"' + ",".join(names) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    cities_only = set(names) == {r.name for r in catalog.cities()}
    if cities_only:
        dv.promptTitle, dv.prompt = "市州", "请从下拉列表中选择市州的规范名称。"
        dv.errorTitle, dv.error = "市州名称不正确", "请从下拉列表中选择 14 个市州之一，如“株洲市”。"
    else:
        dv.promptTitle, dv.prompt = "填报单位", "请从下拉列表中选择本市州或所辖县市区（或本单位）的规范名称。"
        dv.errorTitle, dv.error = "名称不正确", f"请从下拉列表中选择，如“{names[0]}”。"
    dv.showInputMessage = dv.showErrorMessage = True
    dv.add(cells)
    return dv


def _number_validation(indicator: Indicator, cells: str) -> DataValidation:
    from openpyxl.worksheet.datavalidation import DataValidation

    kind = "whole" if indicator.is_count else "decimal"
    dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    # Excel caps promptTitle/errorTitle at 32 characters and prompt/error at 255.
    dv.promptTitle = indicator.label[:32]
    dv.prompt = f"{indicator.definition}单位：{indicator.unit}。空白表示未填报。"[:255]
    dv.errorTitle = "数值不正确"
    if indicator.is_count:
        dv.error = f"请填写不小于 0 的整数（单位：{indicator.unit}），不要写文字或约数。"
    else:
        dv.error = f"请填写不小于 0 的数字（单位：{indicator.unit}，可保留两位小数），不要写文字或约数。"
    dv.showInputMessage = dv.showErrorMessage = True
    dv.add(cells)
    return dv


def _set_layout(ws: Worksheet, last_column: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = f"B{FIRST_DATA_ROW}"
    ws.column_dimensions["A"].width = 24  # fits 湘西土家族苗族自治州
    for column in range(2, last_column + 1):
        ws.column_dimensions[get_column_letter(column)].width = 16
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"


def instructions(year: int, region: Region | None = None, sample: bool = False) -> list[str]:
    """The 填报说明 lines, one per row."""
    domains = [d for d in catalog.domains() if sheet_rows(d.code, year, region)]
    names = "、".join(d.name for d in domains)
    lines = [
        f"本文件为{year}年度湖南省妇联统计报表，共 {len(domains)} 张表：{names}。每张表一行填一个市州"
        "（或县市区、省级单位）。",
        "标有县市区的表，市州一行下列出所辖县市区：县市区的数可以只填县市区，市州数留空时由全部县市区相加得出；"
        "市州数与县市区之和不符时会提示核对。灰色单元格表示该级不填报此项。",
    ]
    if region:
        owner = f"{region.name}妇联" if region.level == levels.CITY else region.name
        lines.append(f"本表由{owner}填报，只填本单位（含所辖县市区）数据。")
    for d in domains:
        lines.append(f"“{d.name}”表：填报{'、'.join(i.name for i in catalog.domain_indicators(d.code))}。")
    lines += [
        "空白表示未填报（不要填0，除非确为0）。",
        "只填准确数字，不写“近2000”“700多”等约数或文字。",
        "金额以万元计（如 12.5 万元填 12.5）；人数、场次、个数等填整数。",
        "不要改表头（标题、“市州”列和各指标名称），不要增删列或合并单元格。",
        "可以删除不涉及的市州行（或县市区行）；同一市州（县市区、单位）只填一行。",
        "鼠标停在表头单元格上可查看指标解释和单位。",
        "上报方式：在系统“数据上报”页面上传本文件，或交省妇联统计员。",
    ]
    if sample:
        lines.append("本文件为样表，仅供参考，请勿作为正式数据上报。")
    lines.append(f"模板版本：{config.TEMPLATE_VERSION}")
    return lines


def _instructions_sheet(ws: Worksheet, year: int, region: Region | None, sample: bool) -> None:
    from openpyxl.styles import Alignment, Font

    ws.cell(1, 1, INSTRUCTIONS_SHEET).font = Font(bold=True, size=14)
    for row, line in enumerate(instructions(year, region, sample), start=2):
        ws.cell(row, 1, f"{row - 1}. {line}").alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100


def _meta_sheet(ws: Worksheet, year: int, region: Region | None, sample: bool) -> None:
    # Every value is text so openpyxl and calamine read back the same thing (calamine turns ints into floats).
    values = {
        "template_version": config.TEMPLATE_VERSION,
        "year": str(year),
        "region_code": region.code if region else None,
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "sample": "1" if sample else "0",
    }
    for row, key in enumerate(META_KEYS, start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, values[key])
    ws.sheet_state = "hidden"


def _thin_border() -> Border:
    from openpyxl.styles import Border, Side

    side = Side(style="thin")
    return Border(left=side, right=side, top=side, bottom=side)
