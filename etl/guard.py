"""Hostile-file guard: tell an upload's format from its bytes and refuse dangerous files before any parser sees them."""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree

from etl import catalog, config, sheet_scan
from etl.issues import RefusedFile, make_issue

MIB = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_CHUNK = MIB
_FEED = 64 * 1024  # compressed bytes handed to zlib at a time
_WORKBOOK_PART_LIMIT = 8 * MIB  # workbook.xml and its rels are parsed whole; real ones are a few KB
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SHEET_DIRS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")
SHEET_MARGIN = 10  # sheets beyond the template's own a file may have (notes, a copy) before it is refused
_DAMAGED = "文件已损坏或不完整（压缩包无法打开）"
_NOT_EXCEL = "不是 Excel 或 CSV 文件"
_OTHER_ZIPS = {"word/": "这是 Word 文档，不是 Excel 工作簿", "ppt/": "这是 PowerPoint 文件，不是 Excel 工作簿"}

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
        raise too_large(file_name, len(data))
    if data.startswith(ZIP_MAGIC):
        return _inspect_zip(data, file_name)
    if data.startswith(CFB_MAGIC):
        return _inspect_compound_file(data, file_name)
    _inspect_text(data, file_name)
    return Inspection("csv")


def too_large(file_name: str, size: int) -> RefusedFile:
    """The one refusal of a file over the upload limit, wherever it is noticed (app, command line)."""
    size_mb = math.ceil(size * 10 / MIB) / 10  # rounded up, so it never reads as equal to the limit
    return _refused("file-too-large", file_name, size_mb=f"{size_mb:.1f}", limit_mb=config.MAX_UPLOAD_MB)


def _refused(code: str, file_name: str, **fields: object) -> RefusedFile:
    return RefusedFile(make_issue(code, file=file_name, **fields))


# ---------------------------------------------------------------- .xlsx: the zip container


def _inspect_zip(data: bytes, file_name: str) -> Inspection:
    """Two streaming passes over the parts, holding none of them but the workbook's small directory: the first
    counts what every part inflates to (the bomb check) and looks for entity declarations; the second checks
    each worksheet. Peak memory is a few MB whatever the file inflates to (bench/bench_guard.py)."""
    if data.count(b"PK\x01\x02") > config.MAX_ZIP_ENTRIES:  # before zipfile builds an object per directory entry
        raise _too_many_entries(file_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, but also struct and unicode errors from a mangled directory
        raise _refused("unreadable-file", file_name, detail=_DAMAGED) from exc
    with archive:
        infos = archive.infolist()
    _check_entries(infos, file_name)
    view = memoryview(data)
    directory = _inflate_counting(view, infos, file_name)
    sheets = _workbook_sheets(directory, file_name)
    formulas, errors = _scan_sheets(view, infos, sheets, file_name)
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


_DIRECTORY = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")  # parsed whole, so kept (up to a limit)


def _inflate_counting(view: memoryview, infos: list[zipfile.ZipInfo], file_name: str) -> dict[str, bytes]:
    """Inflate every entry once, counting the real output (never the declared sizes) against the budget and
    checking XML parts for entity declarations as the bytes go by; keep only the workbook's directory parts.
    Every part is counted: a relationship may point calamine at a sheet part with any name."""
    if any(info.header_offset + info.compress_size > len(view) for info in infos):
        raise _refused("unreadable-file", file_name, detail=_DAMAGED)
    if sum(info.compress_size for info in infos) > len(view):  # entries sharing bytes multiply a bomb
        raise _refused("hostile-file", file_name, detail="压缩包内的文件互相重叠")
    budget = config.MAX_INFLATED_BYTES
    kept: dict[str, bytes] = {}
    for info in infos:
        name = _normal(info.filename)
        entities = sheet_scan.EntityCheck(name, file_name) if name.endswith(_XML_SUFFIXES) else None
        whole = bytearray() if name in _DIRECTORY else None
        for chunk in _inflate(view, info, budget, file_name):
            budget -= len(chunk)
            if entities:
                entities.feed(chunk)
            if whole is not None and len(whole) <= _WORKBOOK_PART_LIMIT:
                whole += chunk
        if whole is not None:
            kept[name] = bytes(whole)
    return kept


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
        if total > config.MAX_PART_INFLATED_BYTES:
            limit, part = f"{config.MAX_PART_INFLATED_BYTES / MIB:g}", _normal(info.filename)
            raise _refused("hostile-file", file_name, detail=f"其中的 {part} 解压后超过 {limit} MB，疑似压缩炸弹")
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


def sheet_limit() -> int:
    """config.MAX_SHEETS, or more when the catalogue's own template has more sheets (a 类别 each, 填报说明, _meta)
    with room to spare: a catalogue grown in the app must not make its template refused."""
    return max(config.MAX_SHEETS, len(catalog.domains()) + 2 + SHEET_MARGIN)


def _workbook_sheets(parts: dict[str, bytes], file_name: str) -> list[tuple[str, str]]:
    """(sheet name, part path) in workbook order, resolving relationship targets as calamine does."""
    workbook = _parse_xml(parts["xl/workbook.xml"], file_name)
    rels = parts.get("xl/_rels/workbook.xml.rels")
    targets = _relationship_targets(_parse_xml(rels, file_name)) if rels is not None else {}
    sheets = []
    for element in workbook.iter():
        if _local_name(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), "")
            sheets.append((element.get("name", ""), _sheet_path(targets.get(rel_id, ""))))
    limit = sheet_limit()
    if len(sheets) > limit:
        detail = f"工作簿有 {len(sheets)} 个工作表，超过上限 {limit} 个"
        raise _refused("too-many-cells", file_name, detail=detail)
    return sheets


def _parse_xml(xml: bytes, file_name: str) -> Element:
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
    view: memoryview, infos: list[zipfile.ZipInfo], sheets: list[tuple[str, str]], file_name: str
) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, str]]]:
    """Check every part calamine could read as a sheet, named ones and stray ones under the sheet folders alike,
    inflating it again and streaming it through etl.sheet_scan (a third time, walking, when cells lack refs)."""
    names: dict[str, list[str]] = {}
    for name, path in sheets:
        names.setdefault(path, []).append(name)
    formulas: dict[str, tuple[str, ...]] = {}
    errors: dict[str, dict[str, str]] = {}
    unlimited = config.MAX_INFLATED_BYTES  # the first pass has counted every part against the budget
    for info in infos:
        path = _normal(info.filename)
        if not (path in names or (path.startswith(_SHEET_DIRS) and not path.endswith(".rels"))):
            continue
        scan = sheet_scan.SheetScan(names.get(path, [path])[0], path, file_name)
        for chunk in _inflate(view, info, unlimited, file_name):
            scan.feed(chunk)
        scan.finish()
        positions: dict[int, tuple[int, int]] = {}
        if scan.walk:
            walk = scan.walker()
            for chunk in _inflate(view, info, unlimited, file_name):
                walk.feed(chunk)
            positions = walk.finish()
        refs = scan.formula_refs(positions)
        formulas |= {name: refs for name in names.get(path, []) if refs}
        errors |= {name: scan.errors for name in names.get(path, []) if scan.errors}
    return formulas, errors


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
