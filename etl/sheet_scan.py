"""One worksheet's XML, checked as it streams out of the zip: the used range (what the parser would allocate),
formulas without a cached value and Excel error cells — without ever holding the whole part in memory.

The part arrives in chunks and is scanned in windows of a few MB. A match is handled in the window where it
starts; each window keeps OVERLAP bytes past its end (longer than any pattern can reach forward) and BACK bytes
before its start (for look-behinds and the walk back to a formula's cell tag), so the result is the same as
scanning the whole part at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etl import config
from etl.issues import RefusedFile, make_issue

MIB = 1024 * 1024
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384  # column XFD
WINDOW = 4 * MIB
OVERLAP = 128 * 1024  # > the longest reach of a pattern: a formula's text (64 KiB) and its value, an error cell's
BACK = 8 * 1024  # > the walk back from a formula to its cell tag (_TAG_LIMIT)

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
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_FORMULAS_REPORTED = 1000  # per sheet: enough to say what to fix, bounded for a file full of them
_ODD_CELLS_CHECKED = 10_000  # unusual cell tags looked at one by one before the walk takes over


def _refused(code: str, file_name: str, **fields: object) -> RefusedFile:
    return RefusedFile(make_issue(code, file=file_name, **fields))


class EntityCheck:
    """OOXML never carries a DTD, so any entity declaration in a part is an attack (billion laughs, external
    entities). Fed chunk by chunk; the tail of each chunk is kept so a declaration split between two is seen."""

    def __init__(self, part: str, file_name: str) -> None:
        self.part, self.file_name, self.tail = part, file_name, b""

    def feed(self, chunk: bytes | bytearray) -> None:
        for piece in (self.tail + bytes(chunk[:9]), chunk):  # the seam with the previous chunk, then the chunk
            if b"!" in piece and _DTD.search(piece):  # the memchr for "!" skips the regex on almost every chunk
                detail = f"文件中的 {self.part} 含有 XML 实体声明"
                raise _refused("hostile-file", self.file_name, detail=detail)
        self.tail = bytes(chunk[-9:])


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


class _Windows:
    """Chunks in, windows out: `scan(buf, lo, hi)` sees each byte once as the start of a match (lo ≤ start < hi),
    with BACK bytes before lo and OVERLAP bytes after hi still in `buf`; `base` is buf[0]'s offset in the part."""

    def __init__(self) -> None:
        self.buf, self.base, self.done = bytearray(), 0, 0

    def feed(self, chunk: bytes | bytearray) -> None:
        self.buf += chunk
        if len(self.buf) - (self.done - self.base) >= WINDOW + OVERLAP:
            self._next(final=False)

    def finish(self) -> None:
        self._next(final=True)

    def _next(self, *, final: bool) -> None:
        end = self.base + len(self.buf)
        limit = end if final else end - OVERLAP
        self.scan(self.buf, self.done - self.base, limit - self.base)
        self.done = limit
        drop = max(0, limit - BACK - self.base)
        del self.buf[:drop]
        self.base += drop

    def scan(self, buf: bytearray, lo: int, hi: int) -> None:
        raise NotImplementedError


class SheetScan(_Windows):
    """The first pass over a worksheet: used range (fast path), formulas and error cells. When cells cannot be
    placed by their references alone (`walk` is then True), a second pass with `walker()` places them."""

    def __init__(self, sheet: str, part: str, file_name: str) -> None:
        super().__init__()
        self.extent = _Extent(sheet, file_name)
        self.entities = EntityCheck(part, file_name)
        self.data_at = -1  # offset of the first "sheetData": cells come after it, the dimension before
        self.dimension_seen = self.walk = False
        self.odd = 0
        self.formulas: list[tuple[int, str]] = []  # (offset of the formula's cell tag, its r reference or "")
        self.errors: dict[str, str] = {}
        self.error_tags = 0

    def feed(self, chunk: bytes | bytearray) -> None:
        self.entities.feed(chunk)
        super().feed(chunk)

    def scan(self, buf: bytearray, lo: int, hi: int) -> None:
        if self.data_at < 0:
            found = buf.find(b"sheetData", max(0, lo - 8), hi + 8)
            self.data_at = self.base + found if 0 <= found < hi else -1
        if not self.dimension_seen:
            self._dimension(buf, lo, hi)
        self._formulas(buf, lo, hi)
        self._error_cells(buf, lo, hi)
        if not self.walk:
            self.walk = self._has_prefixed_cells(buf, lo, hi) or not self._plain_cells_within(buf, lo, hi)

    def _dimension(self, buf: bytearray, lo: int, hi: int) -> None:
        """The declared used range counts too; calamine reads it before sheetData."""
        end = self.data_at - self.base if self.data_at >= 0 else len(buf)
        match = _DIMENSION.search(buf, lo, max(lo, end))
        if self.data_at >= 0:
            self.dimension_seen = True  # none after sheetData counts
        if match is None or match.start() >= hi:
            return
        self.dimension_seen = True
        corners = (match[1] if match[1] is not None else match[2]).split(b":")
        if len(corners) > 2:
            self.extent.position(b"")  # refuses: not a range
        for corner in corners:
            self.extent.add(*self.extent.position(corner))

    def _formulas(self, buf: bytearray, lo: int, hi: int) -> None:
        for match in _FORMULA_WITHOUT_VALUE.finditer(buf, lo):
            if match.start() >= hi or len(self.formulas) >= _FORMULAS_REPORTED:
                return
            start = _cell_start(buf, match.start())
            self.formulas.append((self.base + start if start >= 0 else -1, _tag_ref(buf, start)))

    def _error_cells(self, buf: bytearray, lo: int, hi: int) -> None:
        """A1 ref → error text of cells typed as Excel errors; anchored on the rare t="e"."""
        for match in _ERROR_TYPE.finditer(buf, lo):
            if match.start() >= hi or self.error_tags >= _FORMULAS_REPORTED:
                return
            self.error_tags += 1
            ref = _tag_ref(buf, _cell_start(buf, match.start() + 1))
            end = buf.find(b"</c>", match.end(), match.end() + 65_536)
            value = _CACHED_VALUE.search(buf, match.end(), end) if end > 0 else None
            if ref:
                self.errors[ref] = value[1].decode("utf-8", "replace") if value else "#错误"

    def _has_prefixed_cells(self, buf: bytearray, lo: int, hi: int) -> bool:
        """calamine reads cells only after sheetData starts; a memchr for ":" there spares most files the regex."""
        start = max(lo, self.data_at - self.base) if self.data_at >= 0 else lo
        colon = buf.find(b":", start, hi)
        match = _PREFIXED_TAG.search(buf, colon) if colon >= 0 else None
        return match is not None and match.start() < hi

    def _plain_cells_within(self, buf: bytearray, lo: int, hi: int) -> bool:
        """Fast path: True when every cell of the window has a plain r="A1" inside the bounds known so far;
        False when positions must be walked.

        Rows come in order from Excel, WPS and openpyxl, so the window's last cell gives the row bound, and the
        columns seen so far give the column bound. One regex pass finds the rare cells outside them (the first
        row's, a wider row, cells written another way); Python looks only at those.
        """
        extent = self.extent
        last = buf.rfind(b'<c r="', lo, hi + 5)
        plain = _PLAIN_REF.match(buf, last + 6) if 0 <= last < hi else None
        if plain:
            extent.add(*extent.position(plain[1] + plain[2]))
        row_bound, pos = max(extent.rows, 1), lo
        while (match := _outside_pattern(row_bound, max(extent.cols, 1)).search(buf, pos)) and match.start() < hi:
            self.odd += 1
            tag_end = buf.find(b">", match.start(), match.start() + _TAG_LIMIT)
            if tag_end < 0:
                raise _long_tag(extent)
            refs = _r_values(buf[match.start() : tag_end])
            if not refs or self.odd > _ODD_CELLS_CHECKED:
                return False  # positioned by order, not by reference; or a writer whose every cell looks odd
            for raw in refs:
                row, col = extent.position(raw)
                extent.add(row, col)  # refuses a column past the limits; widens the column bound otherwise
                if row > row_bound:
                    return False  # rows out of order: the row bound was too loose
            pos = match.end()
        return True

    def walker(self) -> Walk:
        """The second pass, placing every cell as calamine does; it finds where the reference-less formula
        cells of this pass are."""
        return Walk(self.extent, {start for start, ref in self.formulas if not ref and start >= 0})

    def formula_refs(self, positions: dict[int, tuple[int, int]]) -> tuple[str, ...]:
        """A1 refs of the formulas without a value, in order, once each."""
        refs = (_a1(*positions[start]) if start in positions else ref for start, ref in self.formulas)
        return tuple(dict.fromkeys(ref for ref in refs if ref))


class Walk(_Windows):
    """Slow path: place every cell as calamine does (a cell without `r` follows the previous one; `</row>` moves
    down a row). Records the positions of the tags at the offsets in `wanted`."""

    def __init__(self, extent: _Extent, wanted: set[int]) -> None:
        super().__init__()
        self.extent, self.wanted = extent, wanted
        self.row = self.col = 0  # calamine's cursor: 0-based row; col = cells placed in the row so far
        self.unplaced = False  # cells placed by order since the extent last heard of the cursor
        self.found: dict[int, tuple[int, int]] = {}
        self.cells = self.rows = 0

    def feed(self, chunk: bytes | bytearray) -> None:
        # bounds the walk's time (each tag costs Python work); "row" is counted in both <row> and </row>
        start = len(self.buf)
        self.buf += chunk
        self.cells += _count(self.buf, start, b"<c") + _count(self.buf, start, b":c")
        self.rows += _count(self.buf, start, b"row")
        if self.cells > config.MAX_CELLS or self.rows > 2 * config.MAX_ROWS + 2:
            detail = f"工作表“{self.extent.sheet}”的单元格或行数超过上限"
            raise _refused("too-many-cells", self.extent.file_name, sheet=self.extent.sheet, detail=detail)
        if len(self.buf) - (self.done - self.base) >= WINDOW + OVERLAP:
            self._next(final=False)

    def scan(self, buf: bytearray, lo: int, hi: int) -> None:
        extent = self.extent
        for match in _CELL_OR_ROW_TAG.finditer(buf, lo):
            if match.start() >= hi:
                break
            closing, name, attrs, tag_end = match.groups()
            if not tag_end:
                raise _long_tag(extent)
            refs = _r_values(attrs) if b"r" in attrs else []
            if self.unplaced and (name == b"row" or refs):
                extent.add(self.row + 1, self.col)  # once per run of cells rather than per cell
                self.unplaced = False
            if name == b"row":
                if not closing and refs:
                    self.row = max(extent.position(raw, need_col=False)[0] for raw in refs) - 1
                if closing or attrs.endswith(b"/"):
                    self.row, self.col = self.row + 1, 0
                continue
            if closing:
                continue
            if refs:
                for cell_row, self.col in (extent.position(raw) for raw in refs):
                    extent.add(cell_row, self.col)
                position = (cell_row, self.col)
            else:
                self.col += 1
                position, self.unplaced = (self.row + 1, self.col), True
                if self.col > config.MAX_COLUMNS:
                    extent.add(*position)
            if self.wanted and self.base + match.start() in self.wanted:
                self.found[self.base + match.start()] = position

    def finish(self) -> dict[int, tuple[int, int]]:
        super().finish()
        if self.unplaced:
            self.extent.add(self.row + 1, self.col)
        return self.found


def _count(buf: bytearray, new_from: int, needle: bytes) -> int:
    """Occurrences of `needle` that end in the bytes appended at `new_from` (so none is counted twice)."""
    return buf.count(needle, max(0, new_from - len(needle) + 1))


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


def _tag_ref(xml: bytearray, start: int) -> str:
    """The last `r` reference in the cell tag at `start`, upper-cased; '' when it has none."""
    if start < 0:
        return ""
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
