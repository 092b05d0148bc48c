"""Mark cells of an .xlsx/.xlsm package where they are: a fill per level added to styles.xml, each marked cell
given a copy of its own cell format with that fill, and a comment (comments part, VML drawing, relationships,
content types). Every other part (sheets without marks, formulas, defined names, data validations, charts,
images, VBA) is copied unchanged; the worksheet parts are edited as text (etl.sheet_patch).
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from etl import sheet_patch
from etl.sheet_patch import SheetPatch

PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
AUTHOR = "湖南省妇联统计平台"
# No DTD, no entities, no network, no giant text nodes: the guard has refused such parts already; this says so again.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
_LEGACY_DRAWING = re.compile(rb"<(?:[\w.-]+:)?legacyDrawing\b[^>]*?\s[\w.-]+:id\s*=\s*[\"']([^\"']+)[\"']")
_SHAPE_ID = re.compile(rb"_x0000_s(\d+)")
_IDMAP = re.compile(rb"<o:idmap\b[^>]*\bdata\s*=\s*[\"']([\d,\s]*)[\"']")
_VML_NAMESPACES = {
    b"v": b"urn:schemas-microsoft-com:vml", b"o": b"urn:schemas-microsoft-com:office:office",
    b"x": b"urn:schemas-microsoft-com:office:excel",
}  # fmt: skip
_SHAPETYPE = (
    b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


class PackageError(Exception):
    """A package whose parts cannot be found or edited; the caller says so in Chinese."""


@dataclass(frozen=True)
class Mark:
    fill: str  # ARGB, e.g. FFFFC7CE
    text: str


@dataclass
class _Package:
    infos: list[zipfile.ZipInfo]
    parts: dict[str, bytes]  # normalised name → bytes, read on demand
    names: dict[str, str]  # normalised name → the name in the archive
    archive: zipfile.ZipFile
    changed: dict[str, bytes] = field(default_factory=dict)  # real name → new bytes (new parts included)

    def read(self, name: str) -> bytes | None:
        key = name.lower()
        if key not in self.names:
            return None
        if key not in self.parts:
            self.parts[key] = self.archive.read(self.names[key])
        return self.parts[key]

    def write(self, name: str, data: bytes) -> None:
        self.changed[self.names.get(name.lower(), name)] = data

    def free_name(self, pattern: str) -> str:
        n = 1
        while (pattern % n).lower() in self.names or pattern % n in self.changed:
            n += 1
        return pattern % n


def mark_package(data: bytes, marks: Mapping[str, Mapping[tuple[int, int], Mark]]) -> bytes:
    """The package with `marks` (sheet name → (row, col) → Mark) applied; sheets not found are left alone."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        package = _Package(infos, {}, {i.filename.replace("\\", "/").lower(): i.filename for i in infos}, archive)
        sheets = _sheet_parts(package)
        wanted = {sheets[name]: cells for name, cells in marks.items() if name in sheets and cells}
        if wanted:
            _apply(package, wanted)
        return _write(package)


def is_macro_enabled(data: bytes) -> bool:
    """An .xlsm (whatever its name says): Excel opens it only under an .xlsm name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = next((n for n in archive.namelist() if n.lower() == "[content_types].xml"), None)
        return name is not None and b"macroenabled.main+xml" in archive.read(name).lower()


def _apply(package: _Package, wanted: dict[str, Mapping[tuple[int, int], Mark]]) -> None:
    styles_part = _styles_part(package)
    styles = _parse(package.read(styles_part))
    fills: dict[str, int] = {}
    new_styles: dict[tuple[int, str], int] = {}
    types = _parse(package.read("[Content_Types].xml"))
    declared = len(types)
    for part, cells in wanted.items():
        xml = package.read(part)
        before = sheet_patch.original_styles(xml, set(cells))
        assigned = {}
        for cell, mark in cells.items():
            key = (before[cell], mark.fill)
            if key not in new_styles:
                if mark.fill not in fills:
                    fills[mark.fill] = _add_fill(styles, mark.fill)
                new_styles[key] = _add_format(styles, before[cell], fills[mark.fill])
            assigned[cell] = new_styles[key]
        drawing_rel = _add_comments(package, types, part, xml, cells)
        package.write(part, b"".join(sheet_patch.patch(xml, SheetPatch(assigned, drawing_rel))))
    package.write(styles_part, _serialise(styles))
    if len(types) != declared:  # rewritten only when a part was added: otherwise byte for byte as it was
        package.write("[Content_Types].xml", _serialise(types))


# ---------------------------------------------------------------- finding parts


def _parse(xml: bytes | None) -> etree._Element:
    if xml is None:
        raise PackageError("missing part")
    if xml.lstrip().startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PackageError("UTF-16 part")
    return etree.fromstring(xml, _PARSER)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _resolve(source: str, target: str) -> str:
    """A relationship target as a part name: absolute (/xl/…) or relative to the source part's folder."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _relationships(package: _Package, part: str) -> etree._Element | None:
    xml = package.read(_rels_name(part))
    return _parse(xml) if xml is not None else None


def _targets(rels: etree._Element | None, source: str) -> dict[str, tuple[str, str]]:
    """rId → (type, part name) of internal relationships."""
    if rels is None:
        return {}
    return {
        r.get("Id", ""): (r.get("Type", ""), _resolve(source, r.get("Target", "")))
        for r in _elements(rels)
        if r.get("TargetMode") != "External"
    }


def _elements(parent: etree._Element) -> list[etree._Element]:
    """Child elements, without the comments and processing instructions lxml also iterates over."""
    return [child for child in parent if isinstance(child.tag, str)]


def _sheet_parts(package: _Package) -> dict[str, str]:
    """Sheet name → worksheet part name, as workbook.xml and its relationships say."""
    workbook = "xl/workbook.xml"
    root = _parse(package.read(workbook))
    targets = _targets(_relationships(package, workbook), workbook)
    found = {}
    for sheet in root.iter("{*}sheet"):
        rel = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        kind, part = targets.get(rel, ("", ""))
        if kind.endswith("/worksheet") and package.read(part) is not None:
            found[sheet.get("name", "")] = part
    return found


def _styles_part(package: _Package) -> str:
    workbook = "xl/workbook.xml"
    for kind, part in _targets(_relationships(package, workbook), workbook).values():
        if kind.endswith("/styles") and package.read(part) is not None:
            return part
    raise PackageError("no styles part")


# ---------------------------------------------------------------- styles


def _child(parent: etree._Element, name: str, before: tuple[str, ...] = ()) -> etree._Element:
    """The child element `name` of parent (in the main namespace), created at its place if missing."""
    ns = etree.QName(parent).namespace or MAIN
    found = parent.find(f"{{{ns}}}{name}")
    if found is not None:
        return found
    element = etree.Element(f"{{{ns}}}{name}")
    following = next((c for c in _elements(parent) if etree.QName(c).localname in before), None)
    if following is None:
        parent.append(element)
    else:
        following.addprevious(element)
    return element


def _add_fill(styles: etree._Element, argb: str) -> int:
    fills = _child(styles, "fills", ("borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "extLst"))
    ns = etree.QName(fills).namespace
    if not _elements(fills):  # Excel reserves the first two fills (none, gray125) whatever the file says
        for reserved in ("none", "gray125"):
            etree.SubElement(etree.SubElement(fills, f"{{{ns}}}fill"), f"{{{ns}}}patternFill", patternType=reserved)
    fill = etree.SubElement(fills, f"{{{ns}}}fill")
    pattern = etree.SubElement(fill, f"{{{ns}}}patternFill", patternType="solid")
    etree.SubElement(pattern, f"{{{ns}}}fgColor", rgb=argb)
    etree.SubElement(pattern, f"{{{ns}}}bgColor", indexed="64")
    count = len(_elements(fills))
    fills.set("count", str(count))
    return count - 1


def _add_format(styles: etree._Element, original: int, fill: int) -> int:
    """A copy of the cell's own format (number format, font, border, alignment, protection) with the fill."""
    xfs = _child(styles, "cellXfs", ("cellStyles", "dxfs", "tableStyles", "colors", "extLst"))
    formats = [x for x in _elements(xfs) if etree.QName(x).localname == "xf"]
    if original < len(formats):
        xf = copy.deepcopy(formats[original])
    else:
        xf = etree.Element(f"{{{etree.QName(xfs).namespace}}}xf", numFmtId="0", fontId="0", borderId="0", xfId="0")
    xf.set("fillId", str(fill))
    xf.set("applyFill", "1")
    xfs.append(xf)
    xfs.set("count", str(len(formats) + 1))
    return len(formats)


# ---------------------------------------------------------------- comments and their drawing


def _add_comments(
    package: _Package, types: etree._Element, part: str, sheet_xml: bytes, cells: Mapping[tuple[int, int], Mark]
) -> str | None:
    """Write the comments; returns the new legacyDrawing relationship id when the sheet had no drawing."""
    rels = _relationships(package, part)
    if rels is None:
        rels = etree.Element(f"{{{PKG_RELS}}}Relationships", nsmap={None: PKG_RELS})
    related = len(rels)
    targets = _targets(rels, part)
    comments_part = next((p for kind, p in targets.values() if kind.endswith("/comments")), None)
    if comments_part is None or package.read(comments_part) is None:
        comments_part = package.free_name("xl/comments%d.xml")
        _relate(rels, part, comments_part, "comments")
        _override(types, comments_part, COMMENTS_TYPE)
        root = etree.Element(f"{{{MAIN}}}comments", nsmap={None: MAIN})
    else:
        root = _parse(package.read(comments_part))
    already = _write_comments(root, cells)
    package.write(comments_part, _serialise(root))
    drawing = _LEGACY_DRAWING.search(sheet_xml)
    vml_part = targets.get(drawing[1].decode(), ("", None))[1] if drawing else None
    new_rel = None
    if vml_part is None or package.read(vml_part) is None:
        vml_part = package.free_name("xl/drawings/vmlDrawing%d.vml")
        new_rel = _relate(rels, part, vml_part, "vmlDrawing")
        _default(types, "vml", VML_TYPE)
        vml = _new_vml(package)
    else:
        vml = package.read(vml_part)
    package.write(vml_part, _with_shapes(vml, {c: m for c, m in cells.items() if c not in already}))
    if len(rels) != related:
        package.write(_rels_name(part), _serialise(rels))
    return new_rel


def _write_comments(root: etree._Element, cells: Mapping[tuple[int, int], Mark]) -> set[tuple[int, int]]:
    """Add a comment per cell (our text first where the cell had one); returns the cells that had one."""
    ns = etree.QName(root).namespace or MAIN
    authors = _child(root, "authors")
    names = [a.text for a in _elements(authors)]
    if AUTHOR not in names:
        etree.SubElement(authors, f"{{{ns}}}author").text = AUTHOR
        names.append(AUTHOR)
    listing = _child(root, "commentList")
    existing = {c.get("ref", ""): c for c in _elements(listing)}
    had = set()
    for (row, col), mark in sorted(cells.items()):
        ref = f"{sheet_patch.column_letters(col)}{row}"
        comment = existing.get(ref)
        if comment is not None:
            had.add((row, col))
            text = comment.find(f"{{{ns}}}text")
            if text is not None:
                text.insert(0, _run(ns, mark.text + "\n"))
                continue
            listing.remove(comment)
        comment = etree.SubElement(listing, f"{{{ns}}}comment", ref=ref, authorId=str(names.index(AUTHOR)))
        etree.SubElement(comment, f"{{{ns}}}text").append(_run(ns, mark.text))
    return had


def _run(ns: str, text: str) -> etree._Element:
    run = etree.Element(f"{{{ns}}}r")
    properties = etree.SubElement(run, f"{{{ns}}}rPr")
    etree.SubElement(properties, f"{{{ns}}}sz", val="10")
    etree.SubElement(properties, f"{{{ns}}}rFont", val="宋体")
    t = etree.SubElement(run, f"{{{ns}}}t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _relate(rels: etree._Element, source: str, target: str, kind: str) -> str:
    used = {r.get("Id") for r in _elements(rels)}
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    relative = posixpath.relpath(target, posixpath.dirname(source))
    etree.SubElement(rels, f"{{{PKG_RELS}}}Relationship", Id=f"rId{n}", Type=f"{OFFICE_RELS}/{kind}", Target=relative)
    return f"rId{n}"


def _override(types: etree._Element, part: str, content_type: str) -> None:
    etree.SubElement(types, f"{{{CONTENT_TYPES}}}Override", PartName="/" + part, ContentType=content_type)


def _default(types: etree._Element, extension: str, content_type: str) -> None:
    if not any((d.get("Extension") or "").lower() == extension for d in types.iter(f"{{{CONTENT_TYPES}}}Default")):
        element = etree.Element(f"{{{CONTENT_TYPES}}}Default", Extension=extension, ContentType=content_type)
        types.insert(0, element)


def _new_vml(package: _Package) -> bytes:
    """An empty comments drawing whose shape ids do not collide with another drawing's (o:idmap blocks)."""
    used = {0}
    for name in package.names:
        if name.endswith(".vml"):
            for match in _IDMAP.finditer(package.read(name) or b""):
                used |= {int(n) for n in re.findall(rb"\d+", match[1])}
    for data in package.changed.values():
        for match in _IDMAP.finditer(data):
            used |= {int(n) for n in re.findall(rb"\d+", match[1])}
    block = max(used) + 1
    declarations = b" ".join(b'xmlns:%s="%s"' % item for item in _VML_NAMESPACES.items())
    return (
        b"<xml " + declarations + b'><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%d"/>' % block
        + b"</o:shapelayout>" + _SHAPETYPE + b"</xml>"
    )  # fmt: skip


def _with_shapes(vml: bytes, cells: Mapping[tuple[int, int], Mark]) -> bytes:
    """The drawing with a hidden note shape per new comment, inserted before its closing </xml>."""
    if not cells:
        return vml
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise PackageError("VML drawing not understood")
    ids = [int(n) for n in _SHAPE_ID.findall(vml)]
    idmap = _IDMAP.search(vml)
    block = int(re.findall(rb"\d+", idmap[1])[0]) if idmap and re.findall(rb"\d+", idmap[1]) else 1
    next_id = max([*ids, block * 1024]) + 1
    head = vml[: vml.find(b">") + 1]
    declare = b"".join(b' xmlns:%s="%s"' % (p, u) for p, u in _VML_NAMESPACES.items() if b'xmlns:%s="' % p not in head)
    shapes = [] if b'id="_x0000_t202"' in vml else [_SHAPETYPE]
    for n, ((row, col), mark) in enumerate(sorted(cells.items())):
        shapes.append(_shape(next_id + n, row, col, mark, declare))
    return vml[:end] + b"".join(shapes) + vml[end:]


def _shape(shape_id: int, row: int, col: int, mark: Mark, declare: bytes) -> bytes:
    lines = sum(max(1, -(-len(line) // 20)) for line in mark.text.split("\n"))
    height = min(400, 16 * lines + 12)
    style = f"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:{height}pt;z-index:1;"
    return (
        b'<v:shape%s id="_x0000_s%d" type="#_x0000_t202" style="%svisibility:hidden" fillcolor="#ffffe1"'
        b' o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
        b'<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        b'</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        b"<x:AutoFill>False</x:AutoFill><x:Row>%d</x:Row><x:Column>%d</x:Column></x:ClientData></v:shape>"
    ) % (declare, shape_id, style.encode(), row - 1, col - 1)


# ---------------------------------------------------------------- writing


def _write(package: _Package) -> bytes:
    """The archive again: same entries in the same order with the same dates and compression, new parts last."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in package.infos:
            data = package.changed.pop(info.filename, None)
            copied = zipfile.ZipInfo(info.filename, info.date_time)
            copied.compress_type, copied.external_attr = info.compress_type, info.external_attr
            target.writestr(copied, data if data is not None else package.archive.read(info))
        for name, data in package.changed.items():
            target.writestr(zipfile.ZipInfo(name, package.infos[0].date_time), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()
