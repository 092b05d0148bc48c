"""The official Excel return, generated from the catalogue of its year: 填报说明 first, one sheet per 类别, a hidden
_meta sheet (and a hidden _lists sheet when a dropdown is too long for Excel's literal lists).

Each 类别 sheet: title; 填报单位 and 年度; fillable 填表人 / 联系电话 / 审核人 cells; the header (市州, then each
indicator followed by a read-only 上年数 column of last year's published figure); one row per 市州 (and its 县市区
where the 类别 has county-level indicators). The structure is protected without a password: headers and 上年数
are locked, the cells to fill are open.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from etl import catalog, config, levels
from etl.catalog import Catalogue, Domain, Indicator, Region
from etl.template_parts import (
    CONTACTS,
    META_SHEET,
    PREVIOUS_HEADER,
    contact_cells,
    header_cell,
    input_cell,
    instructions_sheet,
    lists_sheet,
    number_validation,
    previous_cell,
    protect,
    region_validation,
    set_layout,
    title_rows,
)

if TYPE_CHECKING:  # openpyxl is imported lazily so the CLI's load path never pays for it
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

INSTRUCTIONS_SHEET = "填报说明"
META_KEYS = ("template_version", "year", "region_code", "generated_at", "sample", "catalog_revision")
REGION_HEADER = "市州"
TITLE_ROW, UNIT_ROW, CONTACT_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5
LastYear = dict[tuple[str, str], float | None]  # (region_code, indicator) → last year's published figure

__all__ = [
    "CONTACTS", "FIRST_DATA_ROW", "HEADER_ROW", "INSTRUCTIONS_SHEET", "META_KEYS", "META_SHEET", "PREVIOUS_HEADER",
    "indicator_columns", "instructions", "template_bytes", "template_version", "write_template",
]  # fmt: skip


def template_version(year: int, cat: Catalogue) -> str:
    """2025年报表·指标目录第 3 版: the year and the catalogue it was made from."""
    return f"{year}年报表·指标目录第 {cat.revision} 版"


def write_template(  # noqa: PLR0913
    path: Path, year: int, region_code: str | None = None, sample: bool = False, *, cat: Catalogue | None = None,
    last_year: LastYear | None = None,
) -> Path:  # fmt: skip
    """Write the return for `year` (one 市州 when `region_code` is given, all 14 otherwise) to `path`."""
    path = Path(path)
    _build_workbook(year, region_code, sample, cat or catalog.active(), last_year or {}).save(path)
    return path


def template_bytes(
    year: int, region_code: str | None = None, sample: bool = False, *, cat: Catalogue | None = None,
    last_year: LastYear | None = None,
) -> bytes:  # fmt: skip
    """The same workbook as write_template, as .xlsx bytes for a download button."""
    buffer = io.BytesIO()
    _build_workbook(year, region_code, sample, cat or catalog.active(), last_year or {}).save(buffer)
    return buffer.getvalue()


def indicator_columns(indicators: tuple[Indicator, ...]) -> dict[str, tuple[int, int]]:
    """indicator code → (its input column, its 上年数 column), 1-based."""
    return {i.code: (2 + 2 * k, 3 + 2 * k) for k, i in enumerate(indicators)}


def _build_workbook(year: int, region_code: str | None, sample: bool, cat: Catalogue, last_year: LastYear) -> Workbook:
    from openpyxl import Workbook

    region = _check_args(year, region_code)
    edition = cat.edition(year)
    wb = Workbook()
    wb.remove(wb.active)
    instructions_sheet(wb.create_sheet(INSTRUCTIONS_SHEET), instructions(year, region, sample, cat))
    for domain in edition.domains:
        rows = sheet_rows(edition.domain_indicators(domain.code), year, region)
        indicators = tuple(i for i in edition.domain_indicators(domain.code) if any(levels.reports(i, r) for r in rows))
        if rows and indicators:
            _domain_sheet(wb, domain, year, region, rows, indicators, last_year)
    _meta_sheet(wb.create_sheet(META_SHEET), year, region, sample, cat)
    wb.active = 0
    wb.properties.creator = "湖南省妇联"
    wb.properties.title = f"{year}年湖南省妇联统计报表"
    return wb


def _check_args(year: int, region_code: str | None) -> Region | None:
    """The 市州 (or 省级单位) asked for, or None for all; wrong arguments fail here, not in a half-written file."""
    if isinstance(year, bool) or not isinstance(year, int) or not config.FIRST_YEAR <= year <= 9999:
        raise ValueError(f"year must be a four-digit year from {config.FIRST_YEAR}, got {year!r}")
    if region_code is None or region_code == "":
        return None
    region = catalog.region_by_code().get(str(region_code))
    if region is None or region.level not in (levels.CITY, levels.UNIT):
        raise ValueError(f"region_code must be the code of one of the 14 市州 or a 省级单位, got {region_code!r}")
    return region


def sheet_rows(indicators: tuple[Indicator, ...], year: int, region: Region | None = None) -> tuple[Region, ...]:
    """The rows of a 类别's sheet: each 市州 (or the one asked for) followed by its 县市区 of `year` when any
    indicator is reported by 县市区, then the 省级单位 (all, or the one asked for) when any is reported by 省级;
    nobody who reports none of them."""
    reported = {level for i in indicators for level in i.levels}
    own = region.level if region else None
    cities = (region,) if own == levels.CITY else () if region else catalog.cities()
    rows: list[Region] = []
    for city in cities:
        if levels.CITY in reported or levels.COUNTY in reported:
            rows.append(city)
        if levels.COUNTY in reported:
            rows.extend(catalog.counties_of(city.code, year))
    if levels.PROVINCE in reported and own != levels.CITY:
        rows.extend((region,) if own == levels.UNIT else catalog.units())
    return tuple(rows)


def _domain_sheet(  # noqa: PLR0913
    wb: Workbook, domain: Domain, year: int, region: Region | None, rows: tuple[Region, ...],
    indicators: tuple[Indicator, ...], last_year: LastYear,
) -> None:  # fmt: skip
    ws: Worksheet = wb.create_sheet(domain.name)
    columns = indicator_columns(indicators)
    last_column = 1 + 2 * len(indicators)
    title_rows(ws, f"{year}年湖南省妇联{domain.name}统计报表", f"填报单位：{_unit_name(region)}"
               f"\u3000\u3000年度：{year}", last_column)  # fmt: skip
    contact_cells(ws, CONTACT_ROW)
    header_cell(ws, HEADER_ROW, 1, REGION_HEADER)
    for indicator in indicators:
        value_col, previous_col = columns[indicator.code]
        header_cell(ws, HEADER_ROW, value_col, indicator.label, f"{indicator.definition}\n单位：{indicator.unit}")
        header_cell(ws, HEADER_ROW, previous_col, PREVIOUS_HEADER, f"{year - 1}年已审核通过的数，只读，仅供对照。")
    for row, place in enumerate(rows, start=FIRST_DATA_ROW):
        input_cell(ws, row, 1, place.name)
        for indicator in indicators:
            value_col, previous_col = columns[indicator.code]
            if levels.reports(indicator, place):
                input_cell(ws, row, value_col, None, indicator.places)  # blank: 未填报, never 0
            else:  # a level that does not report it: grey and locked, like 上年数 (and refused if filled)
                previous_cell(ws, row, value_col, None, indicator.places)
            before = catalog.region_in_year(place.code, year - 1).code  # 宁乡市 2017: 宁乡县's figure of 2016
            previous_cell(ws, row, previous_col, last_year.get((before, indicator.code)), indicator.places)
    last_row = FIRST_DATA_ROW + len(rows) - 1
    names = [r.name for r in rows]
    ws.add_data_validation(region_validation(names, f"A{FIRST_DATA_ROW}:A{last_row}", lists_sheet(wb, names)))
    for indicator in indicators:
        ws.add_data_validation(number_validation(indicator, columns[indicator.code][0], FIRST_DATA_ROW, last_row))
    set_layout(ws, last_column, HEADER_ROW, FIRST_DATA_ROW)
    protect(ws)


def _unit_name(region: Region | None) -> str:
    if region is None:
        return ""
    return f"{region.name}妇联" if region.level == levels.CITY else region.name


def instructions(
    year: int, region: Region | None = None, sample: bool = False, cat: Catalogue | None = None
) -> list[str]:
    """The 填报说明 lines, one per row."""
    cat = cat or catalog.active()
    edition = cat.edition(year)
    domains = [d for d in edition.domains if sheet_rows(edition.domain_indicators(d.code), year, region)]
    names = "、".join(d.name for d in domains)
    lines = [f"本文件为{year}年度湖南省妇联统计报表，共 {len(domains)} 张表：{names}。每张表一行填一个单位。"]
    if region:
        lines.append(f"本表由{_unit_name(region)}填报，只填本单位（及所辖县市区）的数据。")
    lines.append(
        "市州一行下列出所辖县市区的表：县市区的数可以只填县市区，市州数留空时由全部县市区相加得出；"
        "灰色单元格表示该级不填报此项。"
    )
    for d in domains:
        lines.append(f"“{d.name}”表：填报{'、'.join(i.name for i in edition.domain_indicators(d.code))}。")
    lines += [
        "每张表上方填写填表人、联系电话和审核人，随报表一并保存。",
        "空白表示未填报（不要填0，除非确为0）。",
        "只填准确数字，不写“近2000”“700多”等约数或文字。",
        "金额以万元计（如 12.5 万元填 12.5）；人数、场次、个数等填整数。",
        f"灰色的“{PREVIOUS_HEADER}”列是{year - 1}年已审核通过的数，只读，供对照；不需要填写。",
        "表头和上年数已锁定（不需要密码即可填写）；不要增删列或合并单元格。",
        "不涉及的单位留空即可（空白行不入库）；同一单位只填一行。",
        "鼠标停在表头单元格上可查看指标解释和单位。",
        "上报方式：在系统“数据上报”页面上传本文件，或交省妇联统计员。",
    ]
    if sample:
        lines.append("本文件为样表，仅供参考，请勿作为正式数据上报。")
    lines.append(f"模板版本：{template_version(year, cat)}")
    return lines


def _meta_sheet(ws: Worksheet, year: int, region: Region | None, sample: bool, cat: Catalogue) -> None:
    # Every value is text so openpyxl and calamine read back the same thing (calamine turns ints into floats).
    values = {
        "template_version": template_version(year, cat),
        "year": str(year),
        "region_code": region.code if region else None,
        "generated_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "sample": "1" if sample else "0",
        "catalog_revision": str(cat.revision),
    }
    for row, key in enumerate(META_KEYS, start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, values[key])
    ws.sheet_state = "hidden"
