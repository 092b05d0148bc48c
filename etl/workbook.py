"""Excel workbooks people can hand on: a title row, a line with the data date and filters, a frozen header,
number formats per unit kind (etl.cn_format), columns wide enough for Chinese, a 全省合计 row and the marks
(示例, 待审核) with their meaning. Every text cell is neutralised like the CSV (no formula runs).

The writer never computes a figure: the province's row comes from the caller (the marts, as the pages show
it) and so do the marks (etl.totals). A figure still 待审核 stays a number and reads "1,234（待审核）" through
its number format.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from etl.cn_format import Kind, kind_of
from etl.export import neutralise
from etl.totals import MARK_NOTES, PENDING

MARK_COLUMN = "备注"
MIN_WIDTH, MAX_WIDTH = 6, 66  # 66: a whole SHA-256 (64) shows; longer notes wrap at print
HEADER_FILL = "F2F2F2"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
PENDING_SUFFIX = "（待审核）"


@dataclass
class Sheet:
    """One table on one sheet. `kinds` formats columns of one unit; `row_kinds` a table with one unit per row
    (indicators × years); `unit_column` a long table row by row from its unit column; `plain` columns are
    whole numbers without separators (年度)."""

    name: str
    title: str
    frame: object  # a pandas DataFrame; its index is written first when it is named
    notes: list[str] = field(default_factory=list)
    kinds: Mapping[str, Kind] = field(default_factory=dict)
    row_kinds: list[Kind] | None = None
    unit_column: str | None = None
    plain: tuple[str, ...] = ()
    total: Mapping[str, float | None] | None = None
    total_label: str = "全省合计"
    marks: Mapping[str, str] | list[str] = field(default_factory=dict)  # by row label, or one per row: "示例" …
    pending: object = None  # a DataFrame of booleans shaped like `frame`: True where a figure is 待审核
    mark_notes: Mapping[str, str] = field(default_factory=lambda: dict(MARK_NOTES))  # mark → what it means
    source: str = ""


def display_width(text: str) -> int:
    """Columns a text takes in Excel: a Chinese character is two, a Latin one one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _cell_value(value: object) -> object:
    if _is_blank(value):
        return None  # blank = 未填报, never 0
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, int | float):
        return value
    return neutralise(value)


def _rows(sheet: Sheet) -> tuple[list[str], list[list[object]], list[str | None]]:
    """Header, data rows and each row's label (for marks), the index first when it is named."""
    frame = sheet.frame
    keep_index = bool(frame.index.name)
    header = ([str(frame.index.name)] if keep_index else []) + [str(c) for c in frame.columns]
    rows, labels = [], []
    for label, row in zip(frame.index, frame.itertuples(index=False), strict=True):
        rows.append(([label] if keep_index else []) + list(row))
        labels.append(str(label) if keep_index else None)
    return header, rows, labels


def _formats(sheet: Sheet, header: list[str], row: list[object], number: int) -> list[str | None]:
    """The number format of each cell of the number-th data row."""
    unit_at = header.index(sheet.unit_column) if sheet.unit_column in header else None
    formats: list[str | None] = []
    for name, value in zip(header, row, strict=True):
        figure = isinstance(value, int | float) and not isinstance(value, bool)
        if name in sheet.plain:
            formats.append("0")
        elif name in sheet.kinds:
            formats.append(sheet.kinds[name].excel_format)
        elif figure and sheet.row_kinds is not None:
            formats.append(sheet.row_kinds[number].excel_format)
        elif figure and unit_at is not None:
            formats.append(kind_of(str(row[unit_at])).excel_format)
        else:
            formats.append(None)
    return formats


def _pending_cells(sheet: Sheet) -> set[tuple[int, int]]:
    """(data row, written column) of every 待审核 figure; the index, when written, is column 0."""
    if sheet.pending is None:
        return set()
    offset = 1 if sheet.frame.index.name else 0
    flags = sheet.pending.to_numpy(dtype=bool)
    return {(int(r), int(c) + offset) for r, c in zip(*flags.nonzero(), strict=True)}


def _marked(number_format: str | None, value: object) -> str | None:
    """A number format that writes the figure and says it is 待审核; a blank or a text cell stays as it is."""
    if not isinstance(value, int | float) or isinstance(value, bool) or _is_blank(value):
        return number_format
    return f'{number_format or "General"}"{PENDING_SUFFIX}"'


def _shown_text(value: object, number_format: str | None) -> str:
    """What Excel will show, to size the column: 75700 with #,##0 reads 75,700."""
    if value is None:
        return ""
    suffix = PENDING_SUFFIX if number_format and number_format.endswith(f'"{PENDING_SUFFIX}"') else ""
    number_format = number_format.removesuffix(f'"{PENDING_SUFFIX}"') if suffix else number_format
    if isinstance(value, int | float) and number_format and number_format not in ("0", "General"):
        digits = number_format.split(".")[1].count("0") if "." in number_format else 0
        return f"{value:,.{digits}f}{suffix}"
    return f"{value}{suffix}"


def write_sheet(ws, sheet: Sheet) -> None:  # noqa: ANN001 - an openpyxl worksheet
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    header, rows, labels = _rows(sheet)
    with_marks = any(sheet.marks) if isinstance(sheet.marks, list) else bool(sheet.marks)
    if with_marks:
        header = [*header, MARK_COLUMN]
    width = len(header)
    ws.append([neutralise(sheet.title)])
    ws.append([neutralise("；".join(sheet.notes))] if sheet.notes else [])
    ws.append([neutralise(h) for h in header])
    shown: list[list[str]] = [[h] for h in header]
    pending = _pending_cells(sheet)
    for number, (row, label) in enumerate(zip(rows, labels, strict=True)):
        formats = _formats(sheet, header[: len(row)], row, number)
        formats = [_marked(f, row[i]) if (number, i) in pending else f for i, f in enumerate(formats)]
        mark = sheet.marks[number] if isinstance(sheet.marks, list) else sheet.marks.get(label or "", "")
        values = [_cell_value(v) for v in row] + ([mark] if with_marks else [])
        ws.append(values)
        for index, (value, number_format) in enumerate(zip(values, [*formats, None], strict=False)):
            if number_format:
                ws.cell(ws.max_row, index + 1).number_format = number_format
            shown[index].append(_shown_text(value, number_format))
    if sheet.total is not None:
        _total_row(ws, sheet, header, rows, shown)
    ws.append([])
    footer = [f"数据来源：{sheet.source}；空白表示未填报。" if sheet.source else "空白表示未填报。"]
    given = sheet.marks if isinstance(sheet.marks, list) else list(sheet.marks.values())
    used = {m for marks in given for m in marks.split("、")} | ({PENDING} if pending else set())
    footer += [note for mark, note in sheet.mark_notes.items() if mark in used]
    for line in footer:
        ws.append([neutralise(line)])

    bold, thin = Font(bold=True), Side(style="thin", color="999999")
    ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    for cell in ws[HEADER_ROW]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, texts in enumerate(shown, start=1):
        widest = max(display_width(t) for t in texts)
        ws.column_dimensions[_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2 if header and sheet.frame.index.name else 1)
    _print_setup(ws, width)


def _total_row(ws, sheet: Sheet, header: list[str], rows: list[list[object]], shown: list[list[str]]) -> None:  # noqa: ANN001
    from openpyxl.styles import Border, Font, Side

    offset = 1 if sheet.frame.index.name else 0
    values: list[object] = [sheet.total_label] + [None] * (len(header) - 1)
    for name, total in sheet.total.items():
        if name in header:
            values[header.index(name)] = total
    ws.append([_cell_value(v) for v in values])
    line = Side(style="thin", color="000000")
    for index, cell in enumerate(ws[ws.max_row]):
        cell.font = Font(bold=True)
        cell.border = Border(top=line)
        name = header[index]
        if index >= offset and name in sheet.kinds:
            cell.number_format = sheet.kinds[name].excel_format
        shown[index].append(_shown_text(cell.value, cell.number_format if cell.value is not None else None))


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _print_setup(ws, columns: int) -> None:  # noqa: ANN001
    """A4, one page wide, the title and header rows repeated on every printed page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if columns > 8 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def write_workbook(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet.name[:31]), sheet)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
