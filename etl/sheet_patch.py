"""Give chosen cells of a worksheet part a new style, and a sheet its comments' drawing, by editing the XML text.

A worksheet part can hold 64 MB of XML (the guard's cap on one part); a DOM of it would take ten times that. So
the part is patched as bytes: rows are found by their tags, only the rows holding a marked cell are rewritten,
every other byte is copied as it was. Cells are placed as calamine places them: by their `r` reference, or
after the previous row or cell when a writer left `r` out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

MAIN_NAMESPACES = (
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    b"http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict OOXML
)
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet\b[^>]*>")
_SHEET_DATA = re.compile(rb"<(?:([\w.-]+):)?sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row\b([^>]*?)(/?)>")
_ROW_END = re.compile(rb"</(?:[\w.-]+:)?row\s*>")
_CELL = re.compile(rb"<((?:[\w.-]+:)?)c\b([^>]*?)(?:/>|>.*?</\1c>)", re.DOTALL)
_REF_ATTR = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_STYLE_ATTR = re.compile(rb"""\ss\s*=\s*["'](\d*)["']""")
_A1 = re.compile(r"([A-Z]{1,3})(\d+)")
_TAG = re.compile(rb"<(!--.*?--|!\[CDATA\[.*?\]\]|\?.*?\?|/?)([\w.:-]*)[^>]*?(/?)>", re.DOTALL)
# Worksheet children that come after legacyDrawing in the schema's sequence (CT_Worksheet); mc:AlternateContent
# at that level wraps oleObjects or controls, which come after it too.
_AFTER_LEGACY_DRAWING = {
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
    "AlternateContent",
}  # fmt: skip


class PatchError(Exception):
    """A part this module cannot edit safely (not a worksheet it understands)."""


def parse_ref(ref: str) -> tuple[int, int]:
    """'B4' → (4, 2), both 1-based."""
    match = _A1.fullmatch(ref)
    if match is None:
        raise ValueError(ref)
    col = 0
    for letter in match[1]:
        col = col * 26 + ord(letter) - 64
    return int(match[2]), col


def column_letters(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class SheetPatch:
    """What to do to one worksheet part: cells → new style index, and a legacyDrawing relationship to add."""

    styles: Mapping[tuple[int, int], int]  # (row, col) → index into cellXfs
    drawing_rel: str | None = None


def original_styles(xml: bytes, cells: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The style index each of `cells` has now (0 for a cell that has none or is not written at all)."""
    found = dict.fromkeys(cells, 0)
    rows = {row for row, _ in cells}
    for number, body in _rows_with_body(xml, rows):
        for (row, col), attrs in _cells(body, number):
            if (row, col) in found:
                style = _STYLE_ATTR.search(attrs)
                found[(row, col)] = int(style[1]) if style and style[1] else 0
    return found


def patch(xml: bytes, change: SheetPatch) -> Iterator[bytes]:
    """The worksheet part with the change applied, in pieces (the unchanged stretches are slices of `xml`)."""
    root = _ROOT.search(xml)
    data = _SHEET_DATA.search(xml)
    if root is None or data is None or not any(ns in xml[root.start() : root.end()] for ns in MAIN_NAMESPACES):
        raise PatchError("not a worksheet")
    prefix = (data[1] + b":") if data[1] else b""
    by_row: dict[int, dict[int, int]] = {}
    for (row, col), style in change.styles.items():
        by_row.setdefault(row, {})[col] = style
    if data[2]:  # <sheetData/>: nothing written in the sheet yet
        yield xml[: data.start()]
        yield b"<" + prefix + b"sheetData>" + _new_rows(by_row, prefix) + b"</" + prefix + b"sheetData>"
        yield from _tail(xml, data.end(), change.drawing_rel, prefix)
        return
    end = xml.find(b"</" + prefix + b"sheetData>", data.end())
    if end < 0:
        raise PatchError("sheetData not closed")
    yield xml[: data.end()]
    yield from _patched_rows(xml, data.end(), end, by_row, prefix)
    yield from _tail(xml, end, change.drawing_rel, prefix)


def _row_spans(xml: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, bytes | None]]:
    """(row number, start, end, body or None when self-closing) of every row between start and end."""
    number = 0
    position = start
    while True:
        match = _ROW.search(xml, position, end)
        if match is None:
            return
        ref = _REF_ATTR.search(match[1])
        number = int(ref[1]) if ref and ref[1].isdigit() else number + 1
        if match[2]:
            yield number, match.start(), match.end(), None
            position = match.end()
            continue
        close = _ROW_END.search(xml, match.end(), end)
        if close is None:
            raise PatchError("row not closed")
        yield number, match.start(), close.end(), xml[match.start() : close.end()]
        position = close.end()


def _rows_with_body(xml: bytes, wanted: set[int]) -> Iterator[tuple[int, bytes]]:
    data = _SHEET_DATA.search(xml)
    if data is None or data[2]:
        return
    end = xml.find(b"</" + ((data[1] + b":") if data[1] else b"") + b"sheetData>", data.end())
    for number, _, _, body in _row_spans(xml, data.end(), end if end >= 0 else len(xml)):
        if number in wanted and body is not None:
            yield number, body


def _cells(row_xml: bytes, number: int) -> Iterator[tuple[tuple[int, int], bytes]]:
    col = 0
    for match in _CELL.finditer(row_xml):
        ref = _REF_ATTR.search(match[2])
        col = parse_ref(ref[1].decode("ascii"))[1] if ref else col + 1
        yield (number, col), match[2]


def _patched_rows(
    xml: bytes, start: int, end: int, by_row: dict[int, dict[int, int]], prefix: bytes
) -> Iterator[bytes]:
    """The rows between start and end, the marked ones rewritten and missing ones inserted in order."""
    pending = sorted(by_row)
    copied = start
    for number, row_start, row_end, body in _row_spans(xml, start, end):
        while pending and pending[0] < number:  # a marked row that was never written: insert it before this one
            yield xml[copied:row_start] + _new_rows({pending[0]: by_row[pending[0]]}, prefix)
            copied = row_start
            pending.pop(0)
        if pending and pending[0] == number:
            pending.pop(0)
            yield xml[copied:row_start]
            yield _patched_row(xml[row_start:row_end], body, number, by_row[number], prefix)
            copied = row_end
    yield xml[copied:end] + _new_rows({n: by_row[n] for n in pending}, prefix)


def _patched_row(row_xml: bytes, body: bytes | None, number: int, styles: dict[int, int], prefix: bytes) -> bytes:
    if body is None:  # <row r="4"/>: open it up
        opened = row_xml[:-2].rstrip() + b">"
        return opened + _new_cells(number, styles, prefix) + b"</" + prefix + b"row>"
    pieces: list[bytes] = []
    todo = dict(styles)
    position = 0
    open_end = row_xml.index(b">") + 1
    col = 0
    for match in _CELL.finditer(row_xml, open_end):
        ref = _REF_ATTR.search(match[2])
        col = parse_ref(ref[1].decode("ascii"))[1] if ref else col + 1
        before = {c: s for c, s in todo.items() if c < col}
        if before:
            pieces += [row_xml[position : match.start()], _new_cells(number, before, prefix)]
            position = match.start()
            for c in before:
                del todo[c]
        if col in todo:
            pieces += [row_xml[position : match.start()], _restyled(match[0], todo.pop(col))]
            position = match.end()
    close = row_xml.rindex(b"</")
    pieces += [row_xml[position:close], _new_cells(number, todo, prefix), row_xml[close:]]
    return b"".join(pieces)


def _restyled(cell_xml: bytes, style: int) -> bytes:
    """The cell with its s attribute set (its value, formula and every other attribute untouched)."""
    tag_end = cell_xml.index(b">")
    if cell_xml[tag_end - 1 : tag_end] == b"/":
        tag_end -= 1
    tag = cell_xml[:tag_end]
    new = b' s="%d"' % style
    tag = _STYLE_ATTR.sub(new, tag, count=1) if _STYLE_ATTR.search(tag) else tag + new
    return tag + cell_xml[tag_end:]


def _new_cells(number: int, styles: Mapping[int, int], prefix: bytes) -> bytes:
    return b"".join(
        b'<%sc r="%s%d" s="%d"/>' % (prefix, column_letters(col).encode(), number, styles[col])
        for col in sorted(styles)
    )


def _new_rows(by_row: Mapping[int, Mapping[int, int]], prefix: bytes) -> bytes:
    return b"".join(
        b'<%srow r="%d">' % (prefix, number) + _new_cells(number, by_row[number], prefix) + b"</%srow>" % prefix
        for number in sorted(by_row)
    )


def _tail(xml: bytes, start: int, drawing_rel: str | None, prefix: bytes) -> Iterator[bytes]:
    """Everything after sheetData, with <legacyDrawing r:id="…"/> at its place in the schema's order."""
    if drawing_rel is None:
        yield xml[start:]
        return
    at = _legacy_drawing_position(xml, start)
    element = b'<%slegacyDrawing xmlns:r="%s" r:id="%s"/>' % (prefix, RELATIONSHIPS.encode(), drawing_rel.encode())
    yield xml[start:at]
    yield element
    yield xml[at:]


def _legacy_drawing_position(xml: bytes, start: int) -> int:
    """Before the first worksheet child that the schema puts after legacyDrawing, else before </worksheet>."""
    depth = 0
    for match in _TAG.finditer(xml, start):
        kind, name, empty = match[1], match[2].decode("ascii", "replace"), match[3]
        if kind.startswith((b"!", b"?")):
            continue
        local = name.rsplit(":", 1)[-1]
        if kind == b"/":
            depth -= 1
            if depth < 0:  # </sheetData> (depth 0 → -1 at its own close) or </worksheet>
                if local == "worksheet":
                    return match.start()
                depth = 0
            continue
        if depth == 0 and local in _AFTER_LEGACY_DRAWING:
            return match.start()
        if not empty:
            depth += 1
    raise PatchError("worksheet not closed")
