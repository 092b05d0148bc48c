"""Load-path benchmark: bare calamine parse vs our read vs full ingest, and the CLI's wall time.

Run `python bench/bench_load.py`; the budgets are those of PERFORMANCE.md (ratios travel, times drift).
"""

from __future__ import annotations

import io
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import openpyxl  # noqa: E402 - after the path is set
import python_calamine  # noqa: E402

from etl import catalog, levels, warehouse  # noqa: E402
from etl.config import FIRST_YEAR  # noqa: E402
from etl.pipeline import LOADED, load_bytes  # noqa: E402
from etl.read import read_file  # noqa: E402
from etl.roles import SYSTEM  # noqa: E402
from etl.template import FIRST_DATA_ROW, indicator_columns, template_bytes  # noqa: E402

REPEATS = 5
LONG_ROWS = 100_000
LONG_HEADER = ["年度", "市州", "指标", "数值"]
YEARS = range(FIRST_YEAR, date.today().year + 1)
HEAVY_MODULES = ("pandas", "openpyxl", "plotly", "streamlit")
READ_BUDGET, INGEST_BUDGET, SMALL_INGEST_MS, CLI_MS = 1.2, 3.0, 10.0, 200.0


def figures(rng: random.Random) -> dict[str, float]:
    """One 市州-year of valid figures raising no warning (every range spans under 10×: no year-on-year jump)."""
    values: dict[str, float] = {i.code: rng.randint(100, 900) for i in catalog.indicators()}
    values["jobs_offered"] = rng.randint(2000, 9000)
    values["screened_total"] = rng.randint(20000, 90000)
    values["loan_count"] = rng.randint(400, 900)
    values["women_borrowers"] = values["loan_count"] - rng.randint(0, 100)
    values["loan_amount"] = round(values["loan_count"] * rng.uniform(4, 8), 2)
    values["patients_aided"] = values["cases_found"] - rng.randint(0, 50)
    for code in ("interest_subsidy", "aid_funds"):
        values[code] = round(rng.uniform(100, 900), 2)
    return values


def filled_template(year: int, region_code: str | None, rng: random.Random) -> bytes:
    """The official template with every data cell filled, as a statistician returns it."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, region_code)))
    fill(wb, catalog.active(), year, lambda _row: figures(rng))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill(wb: openpyxl.Workbook, cat: catalog.Catalogue, year: int, values_of) -> None:  # noqa: ANN001
    """Fill each row's own cells (the indicators its level reports: a 县市区 row only its county ones), with
    `values_of(row)` → indicator code → value; the columns are the sheet's (the template drops an indicator no
    row of it reports)."""
    edition = cat.edition(year)
    for domain in edition.domains:
        if domain.name not in wb.sheetnames:
            continue
        ws = wb[domain.name]
        regions = [catalog.find_region(ws.cell(r, 1).value, year) for r in range(FIRST_DATA_ROW, ws.max_row + 1)]
        present = [r for r in regions if r is not None]
        indicators = tuple(
            i for i in edition.domain_indicators(domain.code) if any(levels.reports(i, r) for r in present)
        )
        columns = indicator_columns(indicators)
        for row, region in enumerate(regions, start=FIRST_DATA_ROW):
            values = values_of(row)
            for indicator in indicators:
                if region is not None and levels.reports(indicator, region):
                    ws.cell(row, columns[indicator.code][0]).value = values[indicator.code]


def long_rows(rng: random.Random) -> list[list[object]]:
    """Every valid (年度, 市州, 指标) once: 8,694 rows in 2026."""
    rows = []
    for year in YEARS:
        for city in catalog.cities():
            values = figures(rng)
            rows += ([year, city.name, i.name, values[i.code]] for i in catalog.indicators() if "city" in i.levels)
    return rows


def long_xlsx(rows: list[list[object]], total: int) -> bytes:
    """`total` rows of 年度/市州/指标/数值, one full key space per sheet (a key repeats only across sheets)."""
    wb = openpyxl.Workbook(write_only=True)
    for start in range(0, total, len(rows)):
        ws = wb.create_sheet(f"数据{start // len(rows) + 1}")
        ws.append(LONG_HEADER)
        for row in rows[: min(len(rows), total - start)]:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def best(run: Callable[[], object], repeats: int) -> float:
    """Best of `repeats` wall times, in ms."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def bare_parse(data: bytes) -> None:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


class Ingest:
    """load_bytes into a new warehouse each time: `fresh` creates it, else a copy of one with the schema."""

    def __init__(self, work: Path, fresh: bool):
        self.work, self.fresh, self.count = work, fresh, 0
        self.schema_only = work / "schema-only" / "warehouse.duckdb"
        if not self.schema_only.exists():
            with warehouse.connect(self.schema_only):
                pass

    def time(self, data: bytes, name: str, repeats: int) -> tuple[float, str]:
        times, statuses = [], set()
        for _ in range(repeats):
            self.count += 1
            db_path = self.work / f"ingest{self.count}" / "warehouse.duckdb"
            db_path.parent.mkdir()
            if not self.fresh:
                shutil.copy(self.schema_only, db_path)
            started = time.perf_counter()
            statuses.add(load_bytes(data, name, db_path, actor=SYSTEM).status)
            times.append(time.perf_counter() - started)
        return min(times) * 1000, "/".join(sorted(statuses))


def python_wall(args: list[str], repeats: int) -> list[float]:
    """Wall times in ms of `python ARGS` in fresh processes."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=PROJECT_ROOT, check=True, capture_output=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def cli_load(path: Path, schema_only: Path, work: Path) -> tuple[list[float], list[str]]:
    """Wall times of `python -m etl load PATH` into copies of a warehouse that has the schema, and heavy imports."""

    def args(attempt: int) -> list[str]:
        db_path = work / str(attempt) / "warehouse.duckdb"
        db_path.parent.mkdir(parents=True)
        shutil.copy(schema_only, db_path)
        return ["-m", "etl", "load", str(path), "--db", str(db_path)]

    times = [python_wall(args(attempt), 1)[0] for attempt in range(REPEATS)]
    return times, heavy_imports(args(REPEATS))


def heavy_imports(args: list[str]) -> list[str]:
    """Top-level packages in HEAVY_MODULES that `python -X importtime …` reports importing."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    return sorted(names & set(HEAVY_MODULES))


def measure(files: dict[str, tuple[bytes, int]], work: Path) -> list[dict[str, object]]:
    fresh, existing = Ingest(work / "fresh", True), Ingest(work / "existing", False)
    results = []
    for label, (data, rows) in files.items():
        repeats = REPEATS if len(data) < 1_000_000 else 3
        name = f"{label}.xlsx"
        load_bytes(data, name, work / f"warm-{len(results)}.duckdb", actor=SYSTEM)  # warm caches and lazy imports
        bare = best(lambda d=data: bare_parse(d), repeats)
        read = best(lambda d=data, n=name: read_file(d, n), repeats)
        ingest, status = fresh.time(data, name, repeats)
        ingest_existing, _ = existing.time(data, name, repeats)
        results.append(
            {
                "file": label,
                "rows": rows,
                "kb": len(data) / 1024,
                "bare": bare,
                "read": read,
                "ingest": ingest,
                "existing": ingest_existing,
                "status": status,
            }
        )
    return results


def print_table(results: list[dict[str, object]]) -> None:
    header = (
        f"{'file':<28}{'rows':>8}{'KiB':>7}{'bare ms':>9}{'read ms':>9}{'read/bare':>10}"
        f"{'ingest ms':>10}{'ingest/bare':>12}{'rows/s':>10}{'into existing wh ms':>21}  status"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['file']:<28}{r['rows']:>8,}{r['kb']:>7.0f}{r['bare']:>9.1f}{r['read']:>9.1f}"
            f"{r['read'] / r['bare']:>9.2f}×{r['ingest']:>10.1f}{r['ingest'] / r['bare']:>11.2f}×"
            f"{r['rows'] / r['ingest'] * 1000:>10,.0f}{r['existing']:>21.1f}  {r['status']}"
        )


def verdicts(results: list[dict[str, object]], cli: list[float], heavy: list[str]) -> list[str]:
    lines = []
    for r in results:
        ratio = r["read"] / r["bare"]
        lines.append(f"read ≤ {READ_BUDGET}× bare, {r['file']}: {ratio:.2f}× {_ok(ratio <= READ_BUDGET)}")
        if r["rows"] >= 2000:
            ratio = r["ingest"] / r["bare"]
            lines.append(f"ingest ≤ {INGEST_BUDGET}× bare, {r['file']}: {ratio:.2f}× {_ok(ratio <= INGEST_BUDGET)}")
    small = results[0]
    for label, key in (("new warehouse", "ingest"), ("existing warehouse", "existing")):
        ms = small[key]
        lines.append(f"small return ≤ {SMALL_INGEST_MS:.0f} ms in process, {label}: {ms:.1f} ms {_ok(ms <= 10)}")
    lines.append(
        f"CLI load of the small return ≤ {CLI_MS:.0f} ms wall: best {min(cli):.0f}, "
        f"median {statistics.median(cli):.0f} ms {_ok(min(cli) <= CLI_MS)}"
    )
    lines.append(f"heavy modules imported by `python -m etl load`: {', '.join(heavy) or 'none'} {_ok(not heavy)}")
    return lines


def _ok(passed: bool) -> str:
    return "ok" if passed else "OVER BUDGET"


def main() -> None:
    rng = random.Random(2016)
    with tempfile.TemporaryDirectory(prefix="bench_load_") as folder:
        work = Path(folder)
        small = filled_template(2016, "430200", rng)
        province = filled_template(2016, None, rng)
        rows = long_rows(rng)
        files = {
            "small return (1 市州)": (small, 4),
            "province (14 市州 × 4)": (province, 56),
            f"long {len(rows):,} (all keys)": (long_xlsx(rows, len(rows)), len(rows)),
            f"long {LONG_ROWS:,} ({-(-LONG_ROWS // len(rows))} sheets)": (long_xlsx(rows, LONG_ROWS), LONG_ROWS),
        }
        print(
            f"python-calamine {version('python-calamine')}, duckdb {version('duckdb')}; "
            f"best of {REPEATS} (3 for files over 1 MB)\n"
        )
        results = measure(files, work)
        print_table(results)

        small_path = work / "small.xlsx"
        small_path.write_bytes(small)
        cli, heavy = cli_load(small_path, work / "existing" / "schema-only" / "warehouse.duckdb", work / "cli")
        interpreter = min(python_wall(["-c", "pass"], REPEATS))
        imports = min(python_wall(["-c", "import etl.cli"], REPEATS))
        print(
            f"\npython -m etl load small return, fresh process, existing warehouse: best {min(cli):.0f} ms "
            f"(bare interpreter {interpreter:.0f} ms, import etl.cli {imports:.0f} ms)"
        )
        print("\nbudgets (PERFORMANCE.md):")
        for line in verdicts(results, cli, heavy):
            print("  " + line)
        if any(r["status"] != LOADED for r in results[:3]):
            print("\nnote: a generated file was not loaded; see its status")


if __name__ == "__main__":
    main()
