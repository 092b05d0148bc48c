"""What one upload costs the server at the caps: peak memory and time of checking a file.

Each case runs in a fresh child process, which reports its own peak resident memory (VmHWM) after
`etl.pipeline.check_bytes` and subtracts the peak it had after reading the file and importing the ETL:

- a workbook whose sheet inflates to just under 200 MB, the only cap before issue 10 (now refused at 64 MB),
- a workbook whose sheet inflates to just under the 64 MB cap on one part (spaces between tags): the parser
  holds a sheet's whole XML, so this is the most one sheet can make it hold,
- a workbook whose three extra parts (not sheets) inflate to just under the 200 MB cap on all parts,
- a 100,000-row long-format workbook, the largest real return we have seen,
- a 200,000-row CSV with an error in every row (refused), and what the page would have to show of it,
- four checks of the first file at once, in threads of one process (four statisticians uploading together).

    .venv/bin/python bench/bench_guard.py                 # this checkout
    .venv/bin/python bench/bench_guard.py --code /tmp/old  # another checkout (e.g. `git archive` of main)

Budget: no check grows the process by more than 128 MB, four at once included (they take turns). Before issue 10
the guard held every inflated part (200 MB for a file under the cap, 800 MB for four at once) and a refused file
kept every one of its issues.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
BUDGET_MB = 128

CHILD = r"""
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
def peak():
    with open("/proc/self/status") as status:
        return int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) * 1024
from etl import pipeline
data = open(sys.argv[2], "rb").read()
threads = int(sys.argv[4])
before = peak()
started = time.perf_counter()
reports = []
def check():
    reports.append(pipeline.check_bytes(data, sys.argv[3]))
workers = [threading.Thread(target=check) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
seconds = time.perf_counter() - started
report = reports[0]
kept = len(report.issues)
print(json.dumps({
    "seconds": seconds, "growth": peak() - before, "status": report.status,
    "errors": getattr(report, "error_count", len(report.errors)), "kept": kept,
}))
"""


def sheet_xml_head() -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'.encode()


def package(sheet: bytes | None, extras: dict[str, int], padding: int = 0) -> bytes:
    """A one-sheet workbook; `padding` spaces inside the sheet, and `extras` parts of that many spaces each."""
    sys.path.insert(0, str(PROJECT_ROOT))
    from tests.test_guard import SHEET_PATH, package_parts

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in package_parts(sheet_name="就业创业").items():
            archive.writestr(name, content)
        with archive.open(SHEET_PATH, "w") as part:
            part.write(sheet_xml_head() + (sheet or b""))
            _spaces(part, padding)
            part.write(b"</sheetData></worksheet>")
        for name, size in extras.items():
            with archive.open(name, "w") as part:
                part.write(b"<a>")
                _spaces(part, size)
                part.write(b"</a>")
    return buffer.getvalue()


def _spaces(part, count: int) -> None:  # noqa: ANN001 - a zip member opened for writing
    block = b" " * MIB
    for _ in range(count // MIB):
        part.write(block)
    part.write(b" " * (count % MIB))


def long_rows(rows: int) -> bytes:
    sys.path.insert(0, str(PROJECT_ROOT))
    import openpyxl

    from etl import catalog

    cities, indicators = [c.name for c in catalog.cities()], [i.name for i in catalog.indicators()]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("长表")
    ws.append(["年度", "市州", "指标", "数值"])
    for n in range(rows):
        ws.append([2000 + n % 27, cities[n % 14], indicators[n % len(indicators)], 100 + n % 900])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refused_csv(rows: int) -> bytes:
    sys.path.insert(0, str(PROJECT_ROOT))
    from etl import catalog

    cities, indicators = [c.name for c in catalog.cities()], [i.name for i in catalog.indicators()]
    lines = ["年度,市州,指标,数值"]
    lines += [f"{2000 + n % 20},{cities[n % 14]},{indicators[n % len(indicators)]},abc{n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def measure(code: Path, path: Path, name: str, threads: int = 1) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(code), str(path), name, str(threads)],
        capture_output=True,
        text=True,
        cwd=code,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=PROJECT_ROOT, help="checkout whose etl/ is measured")
    code = parser.parse_args().code.resolve()
    sheet_bomb = lambda: package(None, {}, 64 * MIB - 64 * 1024)  # noqa: E731 - just under the per-part cap
    pads = {f"xl/media/pad{n}.xml": 66 * MIB - 64 * 1024 for n in range(3)}  # 198 MB: just under the total cap
    big_sheet = lambda: package(None, {}, 200 * MIB - 64 * 1024)  # noqa: E731 - what issue 10 measured
    cases = [
        ("sheet just under 200 MB (the old cap)", "两百兆.xlsx", big_sheet, 1),
        ("sheet just under the 64 MB part cap", "炸弹边缘.xlsx", sheet_bomb, 1),
        ("3 parts, just under the 200 MB total", "附件.xlsx", lambda: package(None, pads), 1),
        ("100,000-row long .xlsx, keys repeat", "长表.xlsx", lambda: long_rows(100_000), 1),
        ("200,000-row refused CSV", "全错.csv", lambda: refused_csv(200_000), 1),
        ("4 × the sheet bomb at once", "炸弹边缘.xlsx", sheet_bomb, 4),
    ]
    print(f"code measured: {code}")
    print(f"{'case':36} {'file MB':>8} {'seconds':>8} {'growth MB':>10}  outcome")
    worst = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for label, name, build, threads in cases:
            path = Path(folder) / name
            if not path.exists():
                path.write_bytes(build())
            result = measure(code, path, name, threads)
            growth = result["growth"] / MIB
            worst = max(worst, growth)
            outcome = f"{result['status']}, {result['errors']} errors ({result['kept']} kept)"
            print(f"{label:36} {path.stat().st_size / MIB:8.2f} {result['seconds']:8.2f} {growth:10.1f}  {outcome}")
    verdict = "within" if worst <= BUDGET_MB else "OVER"
    print(f"largest growth {worst:.1f} MB: {verdict} the {BUDGET_MB} MB budget")


if __name__ == "__main__":
    main()
