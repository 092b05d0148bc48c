"""下载标注后的报表: patching the package (etl.annotate) against openpyxl's load-mark-save round trip.

Two questions decide the approach, so both are measured side by side:

1. What survives. A workbook as statisticians really send them: the official template filled in, plus a chart,
   a picture, a conditional format kept in an x14 extension (Excel 2010+ data bars), a second sheet and a VBA
   project (.xlsm). For each approach: the parts that vanished, the parts rewritten although nothing in them was
   marked, and whether the x14 extension is still there.
2. What it costs. Time and peak memory (each run in a fresh child process, growth of VmHWM) for the 20-row
   template and for the 100,000-row long return of bench_guard.py with 1,000 cells marked.

    .venv/bin/python bench/bench_annotate.py

Budget (the guard's): marking a file grows the process by at most 128 MB; a template-sized file in < 100 ms.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "bench"))

X14_DATA_BAR = (
    b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:cfRule '
    b'type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" maxLength="100" '
    b'gradient="0"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
    b"<xm:sqref>C4:C17</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
)

CHILD = r"""
import io, json, sys, time
sys.path.insert(0, sys.argv[1])
def peak():
    with open("/proc/self/status") as status:
        return int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) * 1024
from etl import annotate, pipeline
import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
data = open(sys.argv[2], "rb").read()
report = pipeline.check_bytes(data, sys.argv[3])
issues = report.issues
before = peak()
started = time.perf_counter()
if sys.argv[4] == "patch":
    out = annotate.annotate(data, sys.argv[3], issues).data
else:
    wb = openpyxl.load_workbook(io.BytesIO(data), keep_vba=sys.argv[3].endswith(".xlsm"))
    for issue in issues:
        if issue.cell:
            cell = wb[issue.sheet][issue.cell]
            cell.fill = PatternFill("solid", fgColor=annotate.RED if issue.is_error else annotate.YELLOW)
            cell.comment = Comment(issue.message, "湖南省妇联统计平台")
    buffer = io.BytesIO()
    wb.save(buffer)
    out = buffer.getvalue()
seconds = time.perf_counter() - started
open(sys.argv[5], "wb").write(out)
print(json.dumps({"seconds": seconds, "growth": peak() - before, "issues": len(issues)}))
"""


def everything_workbook() -> bytes:
    """The filled template with a chart, a picture, an x14 data bar and a VBA project: an .xlsm."""
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    from tests.conftest import filled_template
    from tests.test_accepted_variants import as_xlsm

    data = filled_template(
        2024, {("就业创业", "衡阳市", "举办招聘会场次"): "近2000", ("就业创业", "长沙市", "提供就业岗位数"): 9}
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["就业创业"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=3, max_row=17), titles_from_data=True)
    ws.add_chart(chart, "J3")
    picture = io.BytesIO()
    Picture.new("RGB", (40, 20), "red").save(picture, "PNG")
    ws.add_image(Image(picture), "J20")
    buffer = io.BytesIO()
    wb.save(buffer)
    return as_xlsm(_with_extension(buffer.getvalue()))


def _with_extension(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</worksheet>", X14_DATA_BAR + b"</worksheet>")
            target.writestr(item, content)
    return out.getvalue()


def long_with_errors(rows: int, errors: int) -> bytes:
    """bench_guard's long return with `errors` values made negative (each an error on its cell)."""
    import openpyxl

    from etl import catalog

    cities, indicators = [c.name for c in catalog.cities()], [i.name for i in catalog.indicators()]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("长表")
    ws.append(["年度", "市州", "指标", "数值"])
    step = rows // errors
    for n in range(rows):
        year = 2000 + (n // (14 * len(indicators))) % 25
        ws.append([year, cities[n % 14], indicators[(n // 14) % len(indicators)], -1 if n % step == 0 else n % 900])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(path: Path, name: str, how: str, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(PROJECT_ROOT), str(path), name, how, str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def compare(original: bytes, marked: bytes, marked_sheets: set[str]) -> dict:
    with zipfile.ZipFile(io.BytesIO(original)) as a, zipfile.ZipFile(io.BytesIO(marked)) as b:
        old = {n: a.read(n) for n in a.namelist()}
        new = {n: b.read(n) for n in b.namelist()}
    ours = {"xl/styles.xml", "[Content_Types].xml", *marked_sheets}
    untouched = [n for n in old if n in new and old[n] != new[n] and n not in ours and "comment" not in n.lower()]
    untouched = [n for n in untouched if "_rels/sheet" not in n and not n.endswith(".vml")]
    return {
        "vanished": sorted(set(old) - set(new)),
        "rewritten": sorted(untouched),
        "x14_kept": b"x14:dataBar" in new.get("xl/worksheets/sheet1.xml", b""),
    }


def main() -> None:
    cases = [
        ("template + chart + picture + x14 + VBA", "长沙.xlsm", everything_workbook(), {"xl/worksheets/sheet1.xml"}),
        ("100,000-row long return, 1,000 errors", "长表.xlsx", long_with_errors(100_000, 1_000),
         {"xl/worksheets/sheet1.xml"}),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for label, name, data, sheets in cases:
            path = Path(folder) / name
            path.write_bytes(data)
            print(f"\n{label} ({len(data) / 1024:.0f} KB)")
            for how in ("patch", "openpyxl"):
                out = Path(folder) / f"{how}-{name}"
                best = min((run(path, name, how, out) for _ in range(3)), key=lambda r: r["seconds"])
                kept = compare(data, out.read_bytes(), sheets)
                print(
                    f"  {how:8} {best['seconds'] * 1000:8.0f} ms  +{best['growth'] / 2**20:6.1f} MB  "
                    f"{best['issues']} issues  vanished {kept['vanished'] or '-'}  "
                    f"rewritten though unmarked {len(kept['rewritten'])} parts  x14 kept {kept['x14_kept']}"
                )


if __name__ == "__main__":
    main()
