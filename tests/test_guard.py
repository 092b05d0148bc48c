"""The hostile-file guard: format by bytes, bombs, entities, huge used ranges and formulas, on files built here."""

from __future__ import annotations

import io
import json
import random
import re
import struct
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl import config, guard, sheet_scan
from etl.issues import Issue, RefusedFile

PROJECT = Path(__file__).resolve().parent.parent
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET_PATH = "xl/worksheets/sheet1.xml"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# ---------------------------------------------------------------- building files


def ooxml(sheet_xml: str | bytes, *, extra: dict[str, str | bytes] | None = None, **options: str) -> bytes:
    """A minimal workbook written part by part, so a test can put anything in any part."""
    sheet_path = options.pop("sheet_path", SHEET_PATH)
    return zip_bytes(package_parts(**options) | {sheet_path: sheet_xml} | (extra or {}))


def package_parts(sheet_name: str = "两癌检查", main_type: str = XLSX_TYPE) -> dict[str, str | bytes]:
    """Every part of a one-sheet workbook but the sheet itself."""
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            f'<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }


def zip_bytes(parts: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sheet(cells: str, head: str = "") -> str:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{declaration}<worksheet xmlns="{MAIN_NS}">{head}<sheetData>{cells}</sheetData></worksheet>'


def openpyxl_bytes(fill) -> bytes:
    wb = openpyxl.Workbook()
    fill(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def two_sheets(wb: openpyxl.Workbook) -> None:
    wb.active.title = "两癌检查"
    wb.active.append(["市州", "两癌检查人数"])
    wb.active.append(["株洲市", 1200])
    wb.create_sheet("就业创业").append(["市州", "举办招聘会场次"])


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 OLE2 compound file: header, one FAT sector, one directory sector, then each stream in
    whole 512-byte sectors (streams are padded to 4096 bytes so none belongs in the mini stream)."""
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end]
    entries = [_directory_entry("Root Entry", 5, child=1, start=end, size=0)]
    data = b""
    for number, (name, content) in enumerate(streams.items(), start=1):
        content = content.ljust(4096, b"\0")
        first = len(fat)
        sectors = -(-len(content) // 512)
        fat += list(range(first + 1, first + sectors)) + [end]
        right = number + 1 if number < len(streams) else no_stream
        entries.append(_directory_entry(name, 2, right=right, start=first, size=len(content)))
        data += content.ljust(sectors * 512, b"\0")
    directory = b"".join(entries).ljust(512, b"\0")
    header = (
        guard.CFB_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *[free] * 108)
    )
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))
    return header + fat_bytes + directory + data


def _directory_entry(
    name: str, kind: int, *, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF, start: int, size: int
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, 0xFFFFFFFF, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, size)
    )


def refusal(data: bytes, name: str = "上报.xlsx") -> Issue:
    with pytest.raises(RefusedFile) as caught:
        guard.inspect(data, name)
    issue = caught.value.issue
    assert issue.file == name and name in issue.describe()
    assert CHINESE.search(issue.message), issue.message
    return issue


def run_child(script: str, *args: str, memory_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run Python in a fresh process, so a crash or a memory peak there cannot touch the test run."""
    prelude = "import resource, sys\n"
    if memory_limit:
        prelude += f"resource.setrlimit(resource.RLIMIT_AS, ({memory_limit}, {memory_limit}))\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + script, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=120,
    )


# ---------------------------------------------------------------- accepted files


def test_openpyxl_workbook_passes_with_sheets_in_order():
    inspection = guard.inspect(openpyxl_bytes(two_sheets), "报表.xlsx")
    assert inspection == guard.Inspection("xlsx", ("两癌检查", "就业创业"), {})


def test_hand_built_workbook_is_one_calamine_reads():
    """The crafted baseline is valid: every refusal below is due to the one hostile part, not a broken package."""
    import python_calamine

    data = ooxml(sheet('<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>株洲</t></is></c></row>'))
    assert guard.inspect(data, "a.xlsx").sheet_names == ("两癌检查",)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.get_sheet_by_name("两癌检查").to_python() == [[1.0, "株洲"]]


def test_xlsm_passes_as_xlsx():
    data = ooxml(sheet('<row r="1"><c r="A1"><v>1</v></c></row>'), main_type=XLSM_TYPE)
    assert guard.inspect(data, "宏.xlsm").kind == "xlsx"


def test_xls_written_by_xlwt():
    book = xlwt.Workbook()
    book.add_sheet("两癌检查").write(0, 0, "市州")
    buffer = io.BytesIO()
    book.save(buffer)
    assert guard.inspect(buffer.getvalue(), "老版本.xls") == guard.Inspection("xls")


@pytest.mark.parametrize(
    "data",
    [
        "市州,人数\n株洲市,1200\n".encode(),
        "\ufeff市州,人数\n株洲市,1200\n".encode(),
        "市州,人数\n株洲市,1200\n".encode("gbk"),
    ],
    ids=["utf-8", "utf-8 with BOM", "gbk"],
)
def test_csv_text(data):
    assert guard.inspect(data, "报表.csv") == guard.Inspection("csv")
    assert guard.decode_text(data) == "市州,人数\n株洲市,1200\n"


def test_text_renamed_xlsx_is_csv_for_the_reader_to_judge():
    assert guard.inspect("这只是一段文字，不是报表。\n".encode(), "上报.xlsx").kind == "csv"


@pytest.mark.parametrize(
    ("cells", "formula_at"),
    [
        ("<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c><c><f>A1+A2</f></c></row>", "B2"),
        ('<row r="3"><c r="B3"><v>1</v></c><c><f>B3*2</f></c></row>', "C3"),
        ('<row r="9"><c><v>1</v></c></row><row/><row><c><f>A9</f></c></row>', "A11"),
    ],
    ids=["no references at all", "after a referenced cell", "rows counted on"],
)
def test_cells_without_references_are_placed_in_order(cells, formula_at):
    """Some writers omit r="A1"; calamine then places cells one after another, and so does the guard."""
    assert guard.inspect(ooxml(sheet(cells)), "a.xlsx").formulas_without_value == {"两癌检查": (formula_at,)}


# ---------------------------------------------------------------- formulas without a cached value


def test_formula_without_value_from_openpyxl():
    def fill(wb: openpyxl.Workbook) -> None:
        wb.active.title = "两癌检查"
        wb.active["A1"] = 1
        wb.active["C7"] = "=SUM(A1:A2)"  # openpyxl stores no result, as a file never opened in Excel

    inspection = guard.inspect(openpyxl_bytes(fill), "公式.xlsx")
    assert inspection.formulas_without_value == {"两癌检查": ("C7",)}


def test_formula_with_cached_value_is_not_reported():
    cells = (
        '<row r="7"><c r="C7"><f>SUM(A1:A2)</f></c><c r="D7"><f>SUM(B1:B2)</f><v>3</v></c>'
        '<c r="E7"><f t="shared" ref="E7:E8" si="0">A1</f><v>0</v></c></row>'
        '<row r="8"><c r="E8"><f t="shared" si="0"/><v>5</v></c><c r="F8"><f>1</f><v></v></c></row>'
    )
    inspection = guard.inspect(ooxml(sheet(cells)), "公式.xlsx")
    assert inspection.formulas_without_value == {"两癌检查": ("C7", "F8")}


# ---------------------------------------------------------------- refused files


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-file"),
        (b"x" * (config.MAX_FILE_BYTES + 1), "file-too-large"),
        (random.Random(1).randbytes(5000), "unreadable-file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "unreadable-file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x01\x02", "unreadable-file"),
        (zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}), "unreadable-file"),
        (
            zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}),
            "unreadable-file",
        ),
        (zip_bytes({"readme.txt": "hello"}), "unreadable-file"),
        (zip_bytes({"xl/workbook.bin": b"\0", "[Content_Types].xml": "<Types/>"}), "unreadable-file"),
        (openpyxl_bytes(two_sheets)[:700], "unreadable-file"),
        (openpyxl_bytes(two_sheets)[:-30], "unreadable-file"),
        (compound_file({"WordDocument": b"\xec\xa5"}), "unreadable-file"),
        ("市州,人数\n".encode("utf-16"), "unreadable-file"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "unreadable-file"),
    ],
    ids=[
        "empty",
        "oversize",
        "random bytes",
        "png",
        "pdf",
        "docx-like zip",
        "ods-like zip",
        "plain zip",
        "xlsb",
        "truncated xlsx",
        "xlsx missing its end",
        "word compound file",
        "utf-16 csv",
        "html saved as xls",
    ],
)
def test_refused_files(data, code):
    assert refusal(data).code == code


def test_oversize_names_size_and_limit():
    assert "10.1 MB 超过上限 10 MB" in refusal(b"x" * (config.MAX_FILE_BYTES + 100_000)).message


def test_damaged_entry_is_unreadable():
    data = bytearray(ooxml(sheet('<row r="1"><c r="A1"><v>1</v></c></row>')))
    data[data.find(b"sheet1.xml") + 30] ^= 0xFF  # first compressed byte of the sheet: bad inflate or bad CRC
    assert refusal(bytes(data)).code == "unreadable-file"


def test_decode_text_refuses_binary():
    with pytest.raises(RefusedFile):
        guard.decode_text(b"\xff\xfe\x80\x80\xff", "a.csv")


def test_hand_built_compound_file_is_one_calamine_reads():
    """The compound-file builder below is sound: calamine finds a Workbook stream in it and reads the sheet."""
    import python_calamine

    book = xlwt.Workbook()
    book.add_sheet("两癌检查").write(0, 0, "株洲市")
    data = compound_file({"Workbook": book.get_biff_data()})
    assert guard.inspect(data, "a.xls") == guard.Inspection("xls")
    parsed = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert parsed.get_sheet_by_name("两癌检查").to_python() == [["株洲市"]]


def test_encrypted_ooxml_is_password_protected():
    data = compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x10" * 8})
    assert refusal(data).code == "password-protected"


def test_too_many_zip_entries():
    extra = {f"xl/media/image{i}.png": b"" for i in range(config.MAX_ZIP_ENTRIES)}
    issue = refusal(ooxml(sheet(""), extra=extra))
    assert issue.code == "hostile-file"


def test_duplicate_part_names():
    data = ooxml(sheet(""))
    with warnings.catch_warnings(), zipfile.ZipFile(buffer := io.BytesIO(data), "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we want
        archive.writestr(SHEET_PATH, sheet('<row r="1"><c r="XFD1"><v>1</v></c></row>'))
    assert refusal(buffer.getvalue()).code == "hostile-file"


def test_too_many_sheets():
    sheets = "".join(f'<sheet name="表{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, config.MAX_SHEETS + 2))
    workbook = f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'
    issue = refusal(ooxml(sheet(""), extra={"xl/workbook.xml": workbook}))
    assert issue.code == "too-many-cells" and "51 个工作表" in issue.message


# ---------------------------------------------------------------- entity expansion


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def test_billion_laughs_in_sheet():
    data = ooxml(
        LAUGHS + f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>"
    )
    issue = refusal(data)
    assert issue.code == "hostile-file" and "XML 实体声明" in issue.message


def test_billion_laughs_in_shared_strings():
    strings = LAUGHS + f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    data = ooxml(sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'), extra={"xl/sharedStrings.xml": strings})
    assert refusal(data).code == "hostile-file"


# ---------------------------------------------------------------- used range


def test_cell_at_last_excel_cell_is_refused_and_the_process_survives(tmp_path):
    """calamine allocates the whole used range: A1 + XFD1048576 asks for 512 GB and aborts the process. The child
    runs the guard and would only call calamine if the guard let the file through; this process never does."""
    path = tmp_path / "远.xlsx"
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path.write_bytes(ooxml(sheet(cells)))
    child = run_child(
        "import io, json, python_calamine\n"
        "from etl import guard\nfrom etl.issues import RefusedFile\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "try:\n    guard.inspect(data, '远.xlsx')\n"
        "except RefusedFile as exc:\n    print(json.dumps(exc.issue.as_dict()))\n    sys.exit(0)\n"
        "book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))\n"
        "book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)\n"
        "print('parsed')\n",
        str(path),
        memory_limit=4 * 1024**3,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    issue = json.loads(child.stdout)
    assert (issue["code"], issue["location"]) == ("too-many-cells", "两癌检查!XFD1048576")
    assert "工作表“两癌检查”有内容的单元格远至 XFD1048576" in issue["message"]


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "hostile-file"),
        ('<row r="1"><c r="A1048577"><v>1</v></c></row>', "hostile-file"),
        ('<row r="1"><c r="A0"><v>1</v></c></row>', "hostile-file"),
        ('<row r="1"><c r="A1:B2"><v>1</v></c></row>', "hostile-file"),
        ('<row r="1"><c s="0" r="xfe1"><v>1</v></c></row>', "hostile-file"),
        ('<row r="1"><c r="GS1"><v>1</v></c></row>', "too-many-cells"),
        ('<row r="200001"><c r="A200001"><v>1</v></c></row>', "too-many-cells"),
        ('<row r="1"><c r="A1"/><c r="GR1"/></row><row r="30000"><c r="A30000"><v>1</v></c></row>', "too-many-cells"),
        ('<row r="150000"><c r="A150000"><v>1</v></c></row><row r="2"><c r="GR2"><v>1</v></c></row>', "too-many-cells"),
        ('<row r="1">' + "<c><v>1</v></c>" * 201 + "</row>", "too-many-cells"),
        ('<row r="200001"><c><v>1</v></c></row>', "too-many-cells"),
        ('<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>', "too-many-cells"),
        ('<row r="1"><c\nr="XFD1"><v>1</v></c></row>', "too-many-cells"),
        ("<row r='1'><c r='XFD1'><v>1</v></c></row>", "too-many-cells"),
    ],
    ids=[
        "column past XFD",
        "row past 1048576",
        "row zero",
        "range as a cell",
        "lower case, not first",
        "column past the limit",
        "row past the limit",
        "rows × columns",
        "rows out of order",
        "cells without r in one row",
        "cell without r in a far row",
        "namespace prefix",
        "newline before r",
        "single quotes",
    ],
)
def test_used_range(cells, code):
    issue = refusal(ooxml(sheet(cells)))
    assert issue.code == code
    assert issue.sheet == "两癌检查"


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ("<c " * 1_000_000, "hostile-file"),
        ("<c " + " " * 5000 + 'r="XFD1"/>', "hostile-file"),
        ('<c s="1"><v>1</v></c>' * 300_000, "too-many-cells"),
        ("<row/>" * 1_000_000 + "<c/>", "too-many-cells"),
        ("<f " * 1_000_000, None),
        ('<row r="1">' + '<c r="A1"><f>1</f></c>' * 300_000 + "</row>", None),
        ("".join(f'<row r="{i}"><c s="1" r="A{i}"><v>1</v></c></row>' for i in range(1, 30_001)), None),
    ],
    ids=[
        "unclosed cell tags",
        "overlong cell tag",
        "cells without r, one row",
        "a million empty rows",
        "unclosed formula tags",
        "many formulas without value",
        "r not the first attribute",
    ],
)
def test_pathological_sheets_take_linear_time(cells, code):
    """Inputs built to make a backtracking regex or a per-cell loop crawl must still be decided in moments."""
    data = ooxml(sheet(cells))
    started = time.perf_counter()
    try:
        guard.inspect(data, "怪.xlsx")
        outcome = None
    except RefusedFile as exc:
        outcome = exc.issue.code
    assert (outcome, time.perf_counter() - started < 2) == (code, True)


def test_declared_dimension_counts():
    issue = refusal(ooxml(sheet('<row r="1"><c r="A1"><v>1</v></c></row>', head='<dimension ref="A1:XFD1048576"/>')))
    assert issue.code == "too-many-cells" and "XFD1048576" in issue.message


def test_sheet_part_found_whatever_its_case():
    """calamine looks parts up ignoring case and slash direction, so the guard must check them that way too."""
    data = ooxml(sheet('<row r="1"><c r="XFD1"><v>1</v></c></row>'), sheet_path="XL\\Worksheets\\Sheet1.xml")
    assert refusal(data).code == "too-many-cells"


def test_sheet_part_with_any_name():
    """A relationship can point calamine at a part without the .xml suffix; it is read, so it is checked."""
    import python_calamine

    rels = (
        f'<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" Type="{REL_NS}/worksheet" '
        'Target="worksheets/data"/></Relationships>'
    )

    def workbook(cells: str) -> bytes:
        return ooxml(sheet(cells), sheet_path="xl/worksheets/data", extra={"xl/_rels/workbook.xml.rels": rels})

    benign = workbook('<row r="1"><c r="A1"><v>7</v></c></row>')
    assert guard.inspect(benign, "a.xlsx").sheet_names == ("两癌检查",)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(benign))
    assert book.get_sheet_by_name("两癌检查").to_python() == [[7.0]]
    assert refusal(workbook('<row r="1"><c r="XFD1"><v>7</v></c></row>')).code == "too-many-cells"


@pytest.mark.parametrize("limit", [1, 9, 10, 26, 27, 200, 702, 703, 16384, 99999, 100001, 200000])
def test_fast_path_bound_matches_exactly_the_numbers_within(limit):
    """The fast path trusts a generated regex for "at most N", in digits and in column letters."""
    digits = re.compile(sheet_scan._not_above(str(limit), "1", "0", "9"))
    letters = re.compile(sheet_scan._not_above(sheet_scan._column_name(limit), "A", "A", "Z"))
    for number in [*range(1, 1000), *range(max(1, limit - 1000), limit + 1000)]:
        assert bool(digits.fullmatch(str(number))) == (number <= limit), number
        assert bool(letters.fullmatch(sheet_scan._column_name(number))) == (number <= limit), number


def test_long_sheet_is_legitimate():
    """A 100,000-row sheet is within the caps: the guard lets it through (its cost is in bench/bench_load.py)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("两癌检查")
    ws.append(["市州", "检查人数", "查出人数", "救助人数"])
    for i in range(100_000):
        ws.append(["株洲市", i, i // 2, i // 4])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert guard.inspect(buffer.getvalue(), "长表.xlsx") == guard.Inspection("xlsx", ("两癌检查",), {})


# ---------------------------------------------------------------- zip bombs


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A sheet of 1 GB of spaces, deflated to a few MB: within the upload limit, far past the inflated one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in package_parts().items():
            archive.writestr(name, content)
        with archive.open(SHEET_PATH, "w") as part:
            part.write(sheet("").split("<sheetData>")[0].encode() + b"<sheetData>")
            spaces = b" " * (1 << 20)
            for _ in range(1024):
                part.write(spaces)
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite an entry's uncompressed size in both its directory record and its local header."""
    patched = bytearray(data)
    record = patched.find(b"PK\x01\x02")
    while patched[record + 46 : record + 46 + len(name)] != name.encode():
        record = patched.find(b"PK\x01\x02", record + 1)
    local = struct.unpack("<I", patched[record + 42 : record + 46])[0]
    patched[record + 24 : record + 28] = struct.pack("<I", size)
    patched[local + 22 : local + 26] = struct.pack("<I", size)
    return bytes(patched)


BOMB_CHILD = (
    "import json, time\nfrom etl import guard\nfrom etl.issues import RefusedFile\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "started = time.perf_counter()\n"
    "try:\n    guard.inspect(data, '炸弹.xlsx')\n    code = None\n"
    "except RefusedFile as exc:\n    code = exc.issue.as_dict()\n"
    "seconds = time.perf_counter() - started\n"
    "growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024\n"
    "print(json.dumps({'issue': code, 'seconds': seconds, 'growth_mb': growth_mb}))\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("lie", [False, True], ids=["honest sizes", "header claims 1 KB"])
def test_zip_bomb_refused_quickly_in_bounded_memory(bomb, tmp_path, lie):
    data = lie_about_size(bomb, SHEET_PATH, 1024) if lie else bomb
    assert len(data) <= config.MAX_FILE_BYTES
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(data)
    child = run_child(BOMB_CHILD, str(path))
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout)
    assert result["issue"]["code"] == "hostile-file"
    assert f"其中的 {SHEET_PATH} 解压后超过 64 MB，疑似压缩炸弹" in result["issue"]["message"]
    assert result["seconds"] < 5
    assert result["growth_mb"] < 32  # streamed: the inflated bytes are counted, never held


def padded_workbook(path: Path, pads: int) -> Path:
    """A one-cell workbook with `pads` extra parts of 60 MB of spaces each: every part under its 64 MB cap."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in package_parts().items():
            archive.writestr(name, content)
        archive.writestr(SHEET_PATH, sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
        for number in range(pads):
            with archive.open(f"xl/media/pad{number}.xml", "w") as part:
                part.write(b"<a>")
                for _ in range(60):
                    part.write(b" " * (1 << 20))
                part.write(b"</a>")
    return path


@pytest.mark.slow
def test_parts_each_under_their_cap_but_too_much_together_are_refused_in_bounded_memory(tmp_path):
    """Defect 8: a file just under the caps used to cost its whole inflated size in memory (200 MB and more)."""
    result = json.loads(run_child(BOMB_CHILD, str(padded_workbook(tmp_path / "四块.xlsx", 4))).stdout)
    assert "解压后超过 200 MB，疑似压缩炸弹" in result["issue"]["message"]  # 240 MB in all
    assert result["growth_mb"] < 32
    result = json.loads(run_child(BOMB_CHILD, str(padded_workbook(tmp_path / "三块.xlsx", 3))).stdout)
    assert result["issue"] is None  # 180 MB: under both caps, accepted, still in bounded memory
    assert result["growth_mb"] < 32


# ---------------------------------------------------------------- nothing but RefusedFile, whatever the bytes


def test_any_bytes_give_an_inspection_or_a_refusal():
    rng = random.Random(20240601)
    valid = openpyxl_bytes(two_sheets)
    samples = [valid[:length] for length in range(0, len(valid), 61)]
    for prefix in (b"", guard.ZIP_MAGIC, guard.CFB_MAGIC, b"\xef\xbb\xbf"):
        samples += [prefix + rng.randbytes(rng.randrange(1, 2000)) for _ in range(50)]
    for _ in range(200):
        damaged = bytearray(valid)
        for _ in range(rng.randrange(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        samples.append(bytes(damaged))
    for data in samples:
        try:
            assert isinstance(guard.inspect(data, "模糊.xlsx"), guard.Inspection)
        except RefusedFile as exc:
            assert exc.issue.file == "模糊.xlsx"
            assert "格式不受支持" not in exc.issue.message  # the catch-all: an unforeseen exception inside the guard
