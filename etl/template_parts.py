"""Cells, styles, validations and protection of the official template (etl/template.py lays them out)."""

from __future__ import annotations

from collections.abc import Callable
from copy import copy
from typing import TYPE_CHECKING

from etl.catalog import Indicator

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

META_SHEET = "_meta"
LISTS_SHEET = "_lists"
PREVIOUS_HEADER = "上年数"
CONTACTS = ("填表人", "联系电话", "审核人")  # label cells; the cell right of each is filled in
_HEADER_FILL, _PREVIOUS_FILL, _INPUT_FILL = "DDEBF7", "EDEDED", "FFFFFF"
_AUTHOR = "湖南省妇联"
_LIST_FORMULA_LIMIT = 255  # Excel refuses a literal list validation longer than this


def number_format(places: int) -> str:
    return "0" if places == 0 else "0." + "0" * places


def _border():  # noqa: ANN202 - an openpyxl Border
    from openpyxl.styles import Border, Side

    side = Side(style="thin")
    return Border(left=side, right=side, top=side, bottom=side)


def title_rows(ws: Worksheet, title: str, unit_line: str, last_column: int) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    end = get_column_letter(max(last_column, 6))
    ws.cell(1, 1, title)
    ws.cell(2, 1, unit_line)
    ws.merge_cells(f"A1:{end}1")
    ws.merge_cells(f"A2:{end}2")
    ws.cell(1, 1).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 30


def contact_cells(ws: Worksheet, row: int) -> None:
    """填表人：[ ]  联系电话：[ ]  审核人：[ ] — labels locked, the cells beside them open."""
    from openpyxl.styles import Alignment, Font

    for k, label in enumerate(CONTACTS):
        label_cell = ws.cell(row, 1 + 2 * k, f"{label}：")
        label_cell.font = Font(bold=True)
        label_cell.alignment = Alignment(horizontal="right")
        input_cell(ws, row, 2 + 2 * k, None)


def header_cell(ws: Worksheet, row: int, column: int, text: str, comment: str | None = None) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = ws.cell(row, column, text)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    fill = _PREVIOUS_FILL if text == PREVIOUS_HEADER else _HEADER_FILL
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.border = _border()
    if comment:
        # Hovering the header is where statisticians look for "what exactly do I count here".
        cell.comment = Comment(comment, _AUTHOR, width=260, height=110)
    ws.row_dimensions[row].height = 45


def _style_once(cell: Cell, key: tuple, apply: Callable[[Cell], None]) -> None:
    """Give `cell` the style `apply` sets, built once per workbook and copied after: setting style objects cell by
    cell makes openpyxl hash them each time (seconds for a sheet listing every 县市区)."""
    made = cell.parent.parent.__dict__.setdefault("_made_styles", {})
    if key in made:
        cell._style = copy(made[key])
    else:
        apply(cell)
        made[key] = copy(cell._style)


def input_cell(ws: Worksheet, row: int, column: int, value: object, places: int | None = None) -> None:
    """A cell the statistician fills: open under the sheet's protection."""
    from openpyxl.styles import Protection

    def apply(cell: Cell) -> None:
        cell.border = _border()
        cell.protection = Protection(locked=False)
        if places is not None:
            cell.number_format = number_format(places)

    _style_once(ws.cell(row, column, value), ("input", places), apply)


def previous_cell(ws: Worksheet, row: int, column: int, value: float | None, places: int) -> None:
    """Last year's published figure (or a cell the row's level does not fill): grey, locked; blank when none."""
    from openpyxl.styles import Font, PatternFill

    def apply(cell: Cell) -> None:
        cell.border = _border()
        cell.fill = PatternFill("solid", fgColor=_PREVIOUS_FILL)
        cell.font = Font(color="595959")
        cell.number_format = number_format(places)

    _style_once(ws.cell(row, column, value), ("previous", places), apply)


def lists_sheet(wb: Workbook, names: list[str]) -> str | None:
    """A hidden list for a dropdown too long for a literal list; its range, or None when a literal will do."""
    if len('"' + ",".join(names) + '"') <= _LIST_FORMULA_LIMIT:
        return None
    ws = wb[LISTS_SHEET] if LISTS_SHEET in wb.sheetnames else wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    column = ws.max_column + 1 if ws.max_row > 1 or ws.cell(1, 1).value else 1
    for row, name in enumerate(names, start=1):
        ws.cell(row, column, name)
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(column)
    return f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(names)}"


def region_validation(names: list[str], cells: str, listed: str | None) -> DataValidation:
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = listed or '"' + ",".join(names) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.promptTitle, dv.prompt = "市州", "请从下拉列表中选择单位的规范名称。"
    dv.errorTitle, dv.error = "名称不正确", f"请从下拉列表中选择，如“{names[0]}”。"
    dv.showInputMessage = dv.showErrorMessage = True
    dv.add(cells)
    return dv


def number_validation(indicator: Indicator, column: int, first_row: int, last_row: int) -> DataValidation:
    from openpyxl.utils import get_column_letter
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
        places = "一两三四五六"[indicator.places - 1] if 0 < indicator.places <= 6 else str(indicator.places)
        dv.error = f"请填写不小于 0 的数字（单位：{indicator.unit}，可保留{places}位小数），不要写文字或约数。"
    letter = get_column_letter(column)
    dv.add(f"{letter}{first_row}:{letter}{last_row}")
    return dv


def set_layout(ws: Worksheet, last_column: int, header_row: int, first_data_row: int) -> None:
    from openpyxl.utils import get_column_letter

    ws.freeze_panes = f"B{first_data_row}"
    ws.column_dimensions["A"].width = 24  # fits 湘西土家族苗族自治州
    for column in range(2, max(last_column, 6) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 16 if column % 2 == 0 else 10
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"


def protect(ws: Worksheet) -> None:
    """Headers and 上年数 locked, inputs open; no password, so anyone can fill in (or lift it)."""
    protection = ws.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False  # widths and heights may still change
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def instructions_sheet(ws: Worksheet, lines: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.cell(1, 1, ws.title).font = Font(bold=True, size=14)
    for row, line in enumerate(lines, start=2):
        ws.cell(row, 1, f"{row - 1}. {line}").alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 100
