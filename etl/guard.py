"""Hostile-file guard: tell an upload's format from its bytes and refuse dangerous files before any parser sees them."""

from __future__ import annotations

import io
import itertools
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree

from etl import config
from etl.issues import RefusedFile, make_issue

MIB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384  # column XFD
_CHUNK = MIB
_FEED = 64 * 1024  # compressed bytes handed to zlib at a time
_WORKBOOK_PART_LIMIT = 8 * MIB  # workbook.xml and its rels are parsed whole; real ones are a few KB
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_DIRS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
_DAMAGED = "文件已损坏或不完整（压缩包无法打开）"
_NOT_EXCEL = "不是 Excel 或 CSV 文件"
_OTHER_ZIPS = {"word/": "这是 Word 文档，不是 Excel 工作簿", "ppt/": "这是 PowerPoint 文件，不是 Excel 工作簿"}

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_R_ATTR = re.compile(rb"""\sr\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]{0,3})([0-9]{1,7})")
_PLAIN_REF = re.compile(rb'([A-Z]{1,3})([0-9]{1,7})"')
# calamine matches tags by local name, so `<x:c r="XFD1">` is a cell too; such sheets take the slow walk
_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s/>]")
# Quantifiers are bounded or possessive throughout: hostile XML must not make a regex quadratic.
_TAG_LIMIT = 4096  # real cell and row tags are under 300 bytes; a longer one is refused, never skipped
_CELL_OR_ROW_TAG = re.compile(rb"<(/?)(?:[^\s<>/:=\"']++:)?(c|row)(?=[\s/>])([^>]{0,%d}+)(>?)" % _TAG_LIMIT)
_DIMENSION = re.compile(rb"""<(?:[^\s<>/:]++:)?dimension\s[^<>]{0,512}?ref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# anchored on the rare "f" rather than on "<", which starts every tag: a quarter faster
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"f(?<=<f)(?:\s[^<>]{0,512}+)?(?:/>|>[^<]{0,65536}+</f>)(?!\s*<v(?:\s[^<>]{0,512}+)?(?<!/)>\s*[^<\s])"
)
# python-calamine reads an error cell (t="e", e.g. #DIV/0!) as an empty string: it would pass for "not reported"
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CACHED_VALUE = re.compile(rb"<v>([^<]{0,64}+)</v>")
_FORMULAS_REPORTED = 1000  # per sheet: enough to say what to fix, bounded for a file full of them
_ODD_CELLS_CHECKED = 10_000  # unusual cell tags looked at one by one before the walk takes over
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r") + b"\x7f"


@dataclass(frozen=True)
class Inspection:
    """What the guard learned about an upload it let through."""

    kind: str  # "xlsx" (also .xlsm), "xls" (BIFF in an OLE2 compound file) or "csv" (text)
    sheet_names: tuple[str, ...] = ()  # xlsx only, in workbook order
    formulas_without_value: dict[str, tuple[str, ...]] = field(default_factory=dict)  # sheet → A1 refs
    error_cells: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → {A1 ref: "#DIV/0!"}


def inspect(data: bytes, file_name: str) -> Inspection:
    """Decide the format by the bytes; raise RefusedFile with a Chinese issue for anything unsafe or unreadable."""
    try:
        return _inspect(data, file_name)
    except RefusedFile:
        raise
    except Exception as exc:  # hostile bytes must never take the process down: any surprise is a refusal
        detail = f"文件已损坏或格式不受支持（{type(exc).__name__}）"
        raise _refused("unreadable-file", file_name, detail=detail) from exc


def decode_text(data: bytes, file_name: str = "") -> str:
    """CSV text: UTF-8 (with or without BOM) first, then GB18030 (which covers GBK); refuse anything else."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refused("unreadable-file", file_name, detail=f"{_NOT_EXCEL}（文字编码无法识别）")


def _inspect(data: bytes, file_name: str) -> Inspection:
    if not data:
        raise _refused("empty-file", file_name)
    if len(data) > config.MAX_FILE_BYTES:
        size_mb = math.ceil(len(data) * 10 / MIB) / 10  # rounded up, so it never reads as equal to the limit
        raise _refused("file-too-large", file_name, size_mb=size_mb, limit_mb=f"{config.MAX_FILE_BYTES / MIB:g}")
    if data.startswith(ZIP_MAGIC):
        return _inspect_zip(data, file_name)
    if data.startswith(CFB_MAGIC):
        return _inspect_compound_file(data, file_name)
    _inspect_text(data, file_name)
    return Inspection("csv")


def _refused(code: str, file_name: str, **fields: object) -> RefusedFile:
    return RefusedFile(make_issue(code, file=file_name, **fields))


# ---------------------------------------------------------------- .xlsx: the zip container


def _inspect_zip(data: bytes, file_name: str) -> Inspection:
    if data.count(b"PK\x01\x02") > config.MAX_ZIP_ENTRIES:  # before zipfile builds an object per directory entry
        raise _too_many_entries(file_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, but also struct and unicode errors from a mangled directory
        raise _refused("unreadable-file", file_name, detail=_DAMAGED) from exc
    with archive:
        infos = archive.infolist()
    _check_entries(infos, file_name)
    parts = _inflate_all(data, infos, file_name)
    for name, content in parts.items():
        if name.endswith(_XML_SUFFIXES):
            _check_entities(content, name, file_name)
    sheets = _workbook_sheets(parts, file_name)
    formulas, errors = _scan_sheets(parts, sheets, file_name)
    return Inspection("xlsx", tuple(name for name, _ in sheets), formulas, errors)


def _normal(name: str) -> str:
    """A part name as calamine looks it up: backslashes as slashes, ASCII case ignored."""
    return name.replace("\\", "/").lower()


def _too_many_entries(file_name: str) -> RefusedFile:
    return _refused("hostile-file", file_name, detail=f"压缩包内文件超过 {config.MAX_ZIP_ENTRIES} 个")


def _check_entries(infos: list[zipfile.ZipInfo], file_name: str) -> None:
    names = [_normal(info.filename) for info in infos]
    if len(names) > config.MAX_ZIP_ENTRIES:
        raise _too_many_entries(file_name)
    if "xl/workbook.bin" in names:
        detail = "这是 Excel 二进制工作簿（.xlsb），请在 Excel 中“另存为” .xlsx 格式"
        raise _refused("unreadable-file", file_name, detail=detail)
    if "xl/workbook.xml" not in names:
        raise _refused("unreadable-file", file_name, detail=_other_zip_detail(names))
    if len(set(names)) != len(names):  # two parts of one name: the parser might read the one we did not check
        raise _refused("hostile-file", file_name, detail="压缩包内有重名文件")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refused("unreadable-file", file_name, detail="压缩包内的文件被加密")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # nor would zlib read them
            raise _refused("unreadable-file", file_name, detail="压缩包使用了 Excel 不支持的压缩方式")


def _other_zip_detail(names: list[str]) -> str:
    if "content.xml" in names and "mimetype" in names:
        return "这是 OpenDocument 表格（.ods），请在 WPS 或 Excel 中“另存为” .xlsx 格式"
    for prefix, detail in _OTHER_ZIPS.items():
        if any(name.startswith(prefix) for name in names):
            return detail
    return "这是一个压缩包，但不是 Excel 工作簿"


def _inflate_all(data: bytes, infos: list[zipfile.ZipInfo], file_name: str) -> dict[str, bytearray]:
    """Inflate every entry, counting the real output (never the declared sizes). All parts are kept (the total is
    capped): a relationship may point calamine at a sheet part with any name."""
    if any(info.header_offset + info.compress_size > len(data) for info in infos):
        raise _refused("unreadable-file", file_name, detail=_DAMAGED)
    if sum(info.compress_size for info in infos) > len(data):  # entries sharing bytes multiply a bomb
        raise _refused("hostile-file", file_name, detail="压缩包内的文件互相重叠")
    budget = config.MAX_INFLATED_BYTES
    parts: dict[str, bytearray] = {}
    view = memoryview(data)
    for info in infos:
        content = parts[_normal(info.filename)] = bytearray()
        for chunk in _inflate(view, info, budget, file_name):
            budget -= len(chunk)
            content += chunk
    return parts


def _inflate(view: memoryview, info: zipfile.ZipInfo, budget: int, file_name: str) -> Iterator[bytes]:
    """One entry's content in chunks of at most 1 MiB, refused as a bomb once it passes the budget."""
    start = _data_offset(view, info.header_offset)
    raw = view[start : start + info.compress_size]
    if start < 0 or len(raw) < info.compress_size:
        raise _refused("unreadable-file", file_name, detail=_DAMAGED)
    total = crc = 0
    for chunk in _stored(raw) if info.compress_type == zipfile.ZIP_STORED else _deflated(raw, file_name):
        total += len(chunk)
        if total > budget:
            limit = f"{config.MAX_INFLATED_BYTES / MIB:g}"
            raise _refused("hostile-file", file_name, detail=f"解压后超过 {limit} MB，疑似压缩炸弹")
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if crc != info.CRC:
        raise _refused("unreadable-file", file_name, detail=_DAMAGED)


def _stored(raw: memoryview) -> Iterator[bytes]:
    for start in range(0, len(raw), _CHUNK):
        yield bytes(raw[start : start + _CHUNK])


def _deflated(raw: memoryview, file_name: str) -> Iterator[bytes]:
    """Feed the compressed bytes in small slices so neither input copies nor output ever exceed a chunk."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending: bytes | memoryview = b""
    fed = 0
    try:
        while not inflater.eof:
            if not pending:
                if fed >= len(raw):
                    raise _refused("unreadable-file", file_name, detail=_DAMAGED)  # stream ends too soon
                pending, fed = raw[fed : fed + _FEED], fed + _FEED
            yield inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise _refused("unreadable-file", file_name, detail=_DAMAGED) from exc


def _data_offset(view: memoryview, offset: int) -> int:
    """Where an entry's data starts: after its local header, whose name and extra field lengths vary."""
    header = bytes(view[offset : offset + 30])
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        return -1
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return offset + 30 + name_length + extra_length


def _check_entities(xml: bytearray, name: str, file_name: str) -> None:
    """OOXML never carries a DTD, so any entity declaration is an attack (billion laughs, external entities)."""
    if b"!" in xml and _DTD.search(xml):  # the memchr for "!" skips the regex on almost every part
        raise _refused("hostile-file", file_name, detail=f"文件中的 {name} 含有 XML 实体声明")


def _workbook_sheets(parts: dict[str, bytearray], file_name: str) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order, resolving relationship targets as calamine does."""
    workbook = _parse_xml(parts["xl/workbook.xml"], file_name)
    rels = parts.get("xl/_rels/workbook.xml.rels")
    targets = _relationship_targets(_parse_xml(rels, file_name)) if rels is not None else {}
    sheets = []
    for element in workbook.iter():
        if _local_name(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
            sheets.append((element.get("name", ""), _sheet_path(targets.get(rel_id, ""))))
    if len(sheets) > config.MAX_SHEETS:
        detail = f"工作簿有 {len(sheets)} 个工作表，超过上限 {config.MAX_SHEETS} 个"
        raise _refused("too-many-cells", file_name, detail=detail)
    return sheets


def _parse_xml(xml: bytearray, file_name: str) -> Element:
    if len(xml) > _WORKBOOK_PART_LIMIT:
        raise _refused("hostile-file", file_name, detail="工作簿目录文件异常庞大")
    try:
        return SafeElementTree.fromstring(bytes(xml), forbid_dtd=True)
    except Exception as exc:  # ParseError or defusedxml's refusals
        raise _refused("unreadable-file", file_name, detail="文件已损坏（工作簿目录无法解析）") from exc


def _relationship_targets(root: Element) -> dict[str, str]:
    return {el.get("Id", ""): el.get("Target", "") for el in root.iter() if _local_name(el.tag) == "Relationship"}


def _local_name(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _sheet_path(target: str) -> str:
    if not target:
        return ""
    if target.startswith("/xl/"):
        target = target[1:]
    elif not target.startswith("xl/"):
        target = "xl/" + target
    return _normal(target)


def _scan_sheets(
    parts: dict[str, bytearray], sheets: list[tuple[str, str]], file_name: str
) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, str]]]:
    """Check every part calamine could read as a sheet, named ones and stray ones under the sheet folders alike."""
    names: dict[str, list[str]] = {}
    for name, path in sheets:
        names.setdefault(path, []).append(name)
    formulas: dict[str, tuple[str, ...]] = {}
    errors: dict[str, dict[str, str]] = {}
    for path, xml in parts.items():
        if path in names or (path.startswith(_SHEET_DIRS) and not path.endswith(".rels")):
            _check_entities(xml, path, file_name)
            refs = _scan_sheet(xml, names.get(path, [path])[0], file_name)
            formulas |= {name: refs for name in names.get(path, []) if refs}
            found = _error_cells(xml)
            errors |= {name: found for name in names.get(path, []) if found}
    return formulas, errors


def _error_cells(xml: bytearray) -> dict[str, str]:
    """A1 ref → error text of cells typed as Excel errors; anchored on the rare t="e"."""
    found: dict[str, str] = {}
    for match in itertools.islice(_ERROR_TYPE.finditer(xml), _FORMULAS_REPORTED):
        start = _cell_start(xml, match.start() + 1)
        ref = _formula_ref(xml, start, {})
        end = xml.find(b"</c>", match.end(), match.end() + 65_536)
        value = _CACHED_VALUE.search(xml, match.end(), end) if end > 0 else None
        if ref:
            found[ref] = value[1].decode("utf-8", "replace") if value else "#错误"
    return found


# ---------------------------------------------------------------- one worksheet: used range and formulas


@dataclass
class _Extent:
    """The used range seen so far; refuses as soon as it passes a limit."""

    sheet: str
    file_name: str
    rows: int = 0
    cols: int = 0

    def add(self, row: int, col: int) -> None:
        if row > config.MAX_ROWS or col > config.MAX_COLUMNS:
            detail = f"工作表“{self.sheet}”有内容的单元格远至 {_a1(row, col)}"
            detail += f"（上限 {config.MAX_ROWS} 行、{config.MAX_COLUMNS} 列）"
            raise _refused("too-many-cells", self.file_name, sheet=self.sheet, cell=_a1(row, col), detail=detail)
        self.rows, self.cols = max(self.rows, row), max(self.cols, col)
        if self.rows * self.cols > config.MAX_CELLS:
            detail = f"工作表“{self.sheet}”的范围达 {self.rows} 行 × {self.cols} 列，超过 {config.MAX_CELLS} 个单元格"
            raise _refused("too-many-cells", self.file_name, sheet=self.sheet, detail=detail)

    def position(self, raw: bytes, need_col: bool = True) -> tuple[int, int]:
        """(row, column), 1-based, of an `r` reference; a reference off Excel's grid is an attack."""
        match = _REF.fullmatch(raw)
        row = int(match[2]) if match else 0
        col = _column_number(match[1]) if match else 0
        if not (1 <= row <= EXCEL_ROWS and int(need_col) <= col <= EXCEL_COLUMNS):
            shown = raw[:20].decode("utf-8", "replace")
            detail = f"工作表“{self.sheet}”的单元格引用“{shown}”超出 Excel 表格范围"
            raise _refused("hostile-file", self.file_name, sheet=self.sheet, detail=detail)
        return row, col


def _scan_sheet(xml: bytearray, sheet: str, file_name: str) -> tuple[str, ...]:
    """Refuse a sheet whose used range would make the parser allocate too much; list formulas lacking a value."""
    extent = _Extent(sheet, file_name)
    _add_dimension(xml, extent)
    found = itertools.islice(_FORMULA_WITHOUT_VALUE.finditer(xml), _FORMULAS_REPORTED)
    formula_cells = [_cell_start(xml, m.start()) for m in found]
    positions: dict[int, tuple[int, int]] = {}
    if _has_prefixed_cells(xml) or not _plain_cells_within(xml, extent):
        positions = _walk_cells(xml, extent, set(formula_cells))
    refs = (_formula_ref(xml, start, positions) for start in formula_cells)
    return tuple(dict.fromkeys(ref for ref in refs if ref))


def _has_prefixed_cells(xml: bytearray) -> bool:
    """calamine reads cells only after sheetData starts; a memchr for ":" there spares most files the regex."""
    colon = xml.find(b":", max(xml.find(b"sheetData"), 0))
    return colon >= 0 and _PREFIXED_TAG.search(xml, colon) is not None


def _add_dimension(xml: bytearray, extent: _Extent) -> None:
    """The declared used range counts too; calamine reads it before sheetData."""
    end = xml.find(b"sheetData")
    match = _DIMENSION.search(xml, 0, end if end >= 0 else len(xml))
    if match:
        corners = (match[1] if match[1] is not None else match[2]).split(b":")
        if len(corners) > 2:
            extent.position(b"")  # refuses: not a range
        for corner in corners:
            extent.add(*extent.position(corner))


def _plain_cells_within(xml: bytearray, extent: _Extent) -> bool:
    """Fast path: True when every cell has a plain r="A1" inside the bounds; False when positions must be walked.

    One regex pass finds the rare cells that are not plain or lie past a bound derived from the last cell's row
    (rows come in order from Excel, WPS and openpyxl), so a 100,000-row sheet costs one C-speed scan.
    """
    last = xml.rfind(b'<c r="')
    plain = _PLAIN_REF.match(xml, last + 6) if last >= 0 else None
    if plain:
        extent.add(*extent.position(plain[1] + plain[2]))
    row_bound = max(extent.rows, 1)
    col_bound = min(config.MAX_COLUMNS, config.MAX_CELLS // row_bound)
    for count, match in enumerate(_outside_pattern(row_bound, col_bound).finditer(xml)):
        tag_end = xml.find(b">", match.start(), match.start() + _TAG_LIMIT)
        if tag_end < 0:
            raise _long_tag(extent)
        refs = _r_values(xml[match.start() : tag_end])
        if not refs or count >= _ODD_CELLS_CHECKED:
            return False  # positioned by order, not by reference; or a writer whose every cell looks odd
        for raw in refs:
            row, col = extent.position(raw)
            extent.add(row, col)  # refuses a column past col_bound: rows ≥ row_bound already
            if row > row_bound:
                return False  # rows out of order: the column bound was too loose
    return True


@lru_cache(maxsize=64)
def _outside_pattern(max_row: int, max_col: int) -> re.Pattern[bytes]:
    """`<c` tags whose first attribute is not a plain r="A1" within max_row × max_col (the negative lookahead
    runs in C; Python only sees the rare matches)."""
    cols = _not_above(_column_name(max_col), "A", "A", "Z")
    rows = _not_above(str(max_row), "1", "0", "9")
    return re.compile(rb'<c(?! r="' + cols.encode() + rows.encode() + rb'")[\s/>]')


def _not_above(limit: str, first: str, low: str, high: str) -> str:
    """Regex for numerals (no leading 'zero') whose value is at most `limit`: shorter, or as long and not greater."""
    shorter = f"[{first}-{high}]" + (f"[{low}-{high}]{{0,{len(limit) - 2}}}+" if len(limit) > 2 else "")
    options = [shorter] if len(limit) > 1 else []
    for i, char in enumerate(limit):
        floor = first if i == 0 else low
        if char > floor:
            rest = len(limit) - i - 1
            options.append(f"{limit[:i]}[{floor}-{chr(ord(char) - 1)}]" + (f"[{low}-{high}]{{{rest}}}" if rest else ""))
    options.append(limit)
    return "(?:" + "|".join(options) + ")"


def _walk_cells(xml: bytearray, extent: _Extent, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Slow path: place every cell as calamine does (a cell without `r` follows the previous one; `</row>` moves
    down a row). Returns the positions of the tags in `wanted`."""
    # bounds the walk's time (each tag costs Python work); "row" is counted in both <row> and </row>
    if xml.count(b"<c") + xml.count(b":c") > config.MAX_CELLS or xml.count(b"row") > 2 * config.MAX_ROWS + 2:
        detail = f"工作表“{extent.sheet}”的单元格或行数超过上限"
        raise _refused("too-many-cells", extent.file_name, sheet=extent.sheet, detail=detail)
    row = col = 0  # calamine's cursor: 0-based row; col = cells placed in the row so far
    unplaced = False  # cells placed by order since the extent last heard of the cursor
    found: dict[int, tuple[int, int]] = {}
    for match in _CELL_OR_ROW_TAG.finditer(xml):
        closing, name, attrs, tag_end = match.groups()
        if not tag_end:
            raise _long_tag(extent)
        refs = _r_values(attrs) if b"r" in attrs else []
        if unplaced and (name == b"row" or refs):
            extent.add(row + 1, col)  # once per run of cells rather than per cell
            unplaced = False
        if name == b"row":
            if not closing and refs:
                row = max(extent.position(raw, need_col=False)[0] for raw in refs) - 1
            if closing or attrs.endswith(b"/"):
                row, col = row + 1, 0
            continue
        if closing:
            continue
        if refs:
            for cell_row, col in (extent.position(raw) for raw in refs):
                extent.add(cell_row, col)
            position = (cell_row, col)
        else:
            col += 1
            position, unplaced = (row + 1, col), True
            if col > config.MAX_COLUMNS:
                extent.add(*position)
        if wanted and match.start() in wanted:
            found[match.start()] = position
    if unplaced:
        extent.add(row + 1, col)
    return found


def _long_tag(extent: _Extent) -> RefusedFile:
    detail = f"工作表“{extent.sheet}”中有长度异常的单元格标签"
    return _refused("hostile-file", extent.file_name, sheet=extent.sheet, detail=detail)


def _r_values(tag: bytes | bytearray) -> list[bytes]:
    return [bytes(double or single) for double, single in _R_ATTR.findall(tag)]


def _cell_start(xml: bytearray, pos: int) -> int:
    """Offset of the `<c` tag that encloses a formula at `pos`, or -1."""
    floor = max(0, pos - _TAG_LIMIT)  # a formula sits right after its cell tag
    while (start := xml.rfind(b"<c", floor, pos)) >= 0:
        if xml[start + 2 : start + 3] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            return start
        pos = start
    return -1


def _formula_ref(xml: bytearray, start: int, positions: dict[int, tuple[int, int]]) -> str:
    if start < 0:
        return ""
    if start in positions:
        return _a1(*positions[start])
    refs = _r_values(xml[start : xml.find(b">", start) + 1])
    return refs[-1].decode("ascii", "replace").upper() if refs else ""


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + char - 64
    return number


def _column_name(number: int) -> str:
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _a1(row: int, col: int) -> str:
    return f"{_column_name(col)}{row}"


# ---------------------------------------------------------------- .xls and CSV


def _inspect_compound_file(data: bytes, file_name: str) -> Inspection:
    if _has_cfb_entry(data, "EncryptionInfo") or _has_cfb_entry(data, "EncryptedPackage"):
        raise _refused("password-protected", file_name)  # an .xlsx saved with an open password
    if not (_has_cfb_entry(data, "Workbook") or _has_cfb_entry(data, "Book")):
        raise _refused("unreadable-file", file_name, detail="这是 Office 文件，但不是 Excel 工作簿")
    return Inspection("xls")


def _has_cfb_entry(data: bytes, name: str) -> bool:
    """A directory entry of that name: CFB puts entries in 128-byte slots, name first (UTF-16-LE), its byte
    length at +64 and the object type (1 storage, 2 stream) at +66. Cell text that merely spells it won't fit."""
    needle = (name + "\0").encode("utf-16-le")
    start = data.find(needle, 512)
    while start >= 0:
        if start % 128 == 0 and data[start + 64 : start + 67] == len(needle).to_bytes(2, "little") + b"\x02":
            return True
        start = data.find(needle, start + 1)
    return False


def _inspect_text(data: bytes, file_name: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        detail = "CSV 文件是 UTF-16 编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”格式"
        raise _refused("unreadable-file", file_name, detail=detail)
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or controls > 1 + len(data) // 1000:  # binary, whatever its extension says
        raise _refused("unreadable-file", file_name, detail=_NOT_EXCEL)
    decode_text(data, file_name)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table", b"<meta")):
        detail = "这是网页（HTML/XML）格式的文件，不是真正的 Excel 文件，请用 Excel 打开后“另存为” .xlsx 格式"
        raise _refused("unreadable-file", file_name, detail=detail)
