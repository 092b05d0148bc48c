"""The catalogue 5× today's size (70 类别, 325 indicators, 25 rates, 43 rules): do the load and page budgets of
PERFORMANCE.md still hold? Side by side with the shipped catalogue, in one run.

Run `python bench/bench_catalog.py` (a few minutes; not part of the test suite). It prints, for the shipped and the
5× catalogue: the in-process ingest of a one-市州 return, a 14-市州 return and the 8,694-row long file into an
existing warehouse (and the ratio to the bare calamine parse), the same with the 5× template's 20 sheets, the wall
time of `python -m etl load` of the small return, then cached page reruns under AppTest on the demo warehouse.
"""

from __future__ import annotations

import io
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_load  # noqa: E402 - after the path is set
import bench_pages  # noqa: E402
import openpyxl  # noqa: E402

from etl import catalog, warehouse  # noqa: E402
from etl.catalog import Catalogue  # noqa: E402
from etl.demo import build_demo  # noqa: E402
from etl.pipeline import load_bytes  # noqa: E402
from etl.roles import SYSTEM  # noqa: E402
from etl.template import template_bytes  # noqa: E402
from etl.warehouse import catalog_store  # noqa: E402

COPIES = "乙丙丁戊"  # four more of every 类别: 5× the shipped catalogue
PAGES = ["account", "overview", "jobs", "loans", "upload", "export", "catalog"]
REPEATS = 5


def bigger() -> list:
    """Four renamed copies of every shipped 类别 with its indicators, rates and rules."""
    shipped, items = catalog.shipped(), []
    for k, tag in enumerate(COPIES, start=1):

        def code(c: str, k: int = k) -> str:
            return f"{c}_{k}"

        items += [
            replace(
                d,
                code=code(d.code),
                name=d.name + tag,
                sort_order=d.sort_order + len(shipped.domains_all) * k,
                headline_indicator=code(d.headline_indicator),
            )
            for d in shipped.domains_all
        ]
        items += [
            replace(i, code=code(i.code), domain=code(i.domain), name=i.name + tag) for i in shipped.indicators_all
        ]
        items += [
            replace(
                r,
                code=code(r.code),
                domain=code(r.domain),
                name=r.name + tag,
                numerator=code(r.numerator),
                denominator=code(r.denominator),
            )
            for r in shipped.rates_all
        ]
        items += [
            replace(
                r, code=code(r.code), domain=code(r.domain), left=code(r.left), right=tuple(code(c) for c in r.right)
            )
            for r in shipped.rules_all
            if r.domain
        ]
    return items  # fmt: skip


def filled(year: int, region: str | None, cat: Catalogue, rng: random.Random) -> bytes:
    """The template of `cat` with every input filled (no rule breached: counts 100–900, 万元 within range)."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(year, region, cat=cat)))
    codes = [i.code for i in cat.edition(year).indicators]

    def values_of(_row: int) -> dict[str, float]:
        fair = {code: rng.randint(100, 900) for code in codes}
        return {code: _fair(code, fair) for code in codes}

    bench_load.fill(wb, cat, year, values_of)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _fair(code: str, values: dict[str, int]) -> float:
    """Values that break no shipped rule: parts below their wholes, 5 万元 a loan."""
    base = code.rsplit("_", 1)[0] if code[-2:-1] == "_" else code
    big = {"jobs_offered": 9000, "screened_total": 90000, "loan_count": 900, "cases_found": 800}
    if base in big:
        return big[base]
    if base == "loan_amount":
        return 4500.0
    return values[code]


def warehouse_with(cat_items: list, work: Path, name: str) -> Path:
    path = work / name / "warehouse.duckdb"
    path.parent.mkdir(parents=True)
    with warehouse.connect(path) as con:
        if cat_items:
            catalog_store.save(con, cat_items, "bench", "5× 目录")
    return path


def ingest_ms(data: bytes, template_db: Path, work: Path, label: str) -> float:
    """Best in-process load_bytes into a copy of `template_db` (the copy's path is new each time, as a CLI's is)."""
    times = []
    for attempt in range(REPEATS):
        db = work / f"{label}-{attempt}" / "warehouse.duckdb"
        db.parent.mkdir(parents=True)
        shutil.copy(template_db, db)
        started = time.perf_counter()
        report = load_bytes(data, f"{label}.xlsx", db, actor=SYSTEM)
        times.append((time.perf_counter() - started) * 1000)
        assert report.status == "loaded", [i.describe() for i in report.issues][:3]
    return min(times)


def main() -> None:
    rng = random.Random(2016)
    items = bigger()
    with tempfile.TemporaryDirectory(prefix="bench_catalog_") as folder:
        work = Path(folder)
        dbs = {"shipped": warehouse_with([], work, "shipped"), "5×": warehouse_with(items, work, "big")}
        with warehouse.connect(dbs["5×"], read_only=True) as con:
            big = catalog_store.catalogue(con)
        now = big.edition(None)
        shipped = catalog.shipped()
        was = shipped.edition(None)
        print(f"5× catalogue: {len(now.domains)} 类别, {len(now.indicators)} indicators, {len(now.rates)} rates, "
              f"{len(now.rules)} rules (shipped: {len(was.domains)}, {len(was.indicators)}, {len(was.rates)}, "
              f"{len(was.rules)})\n")  # fmt: skip
        rows = bench_load.long_rows(rng)
        files = {
            "small return (1 市州 + 县市区)": filled(2016, "430200", shipped, rng),
            "province (14 市州 + 县市区 + 省级)": filled(2016, None, shipped, rng),
            f"long {len(rows):,} rows": bench_load.long_xlsx(rows, len(rows)),
        }
        print(f"{'file':<34}{'bare ms':>9}{'shipped ms':>12}{'5× ms':>9}{'5×/shipped':>12}{'5×/bare':>9}")
        for label, data in files.items():
            bare = bench_load.best(lambda d=data: bench_load.bare_parse(d), REPEATS)
            times = {name: ingest_ms(data, db, work, f"{name}-{label[:5]}") for name, db in dbs.items()}
            print(f"{label:<34}{bare:>9.1f}{times['shipped']:>12.1f}{times['5×']:>9.1f}"
                  f"{times['5×'] / times['shipped']:>11.2f}×{times['5×'] / bare:>8.2f}×")  # fmt: skip
        wide = filled(2016, "430200", big, rng)
        bare = bench_load.best(lambda: bench_load.bare_parse(wide), REPEATS)
        ms = ingest_ms(wide, dbs["5×"], work, "wide")
        print(f"{'5× template (1 市州, 5× sheets)':<34}{bare:>9.1f}{'':>12}{ms:>9.1f}{'':>12}{ms / bare:>8.2f}×")
        small = work / "small.xlsx"
        small.write_bytes(files["small return (1 市州 + 县市区)"])
        print()
        for name, db in dbs.items():
            times, heavy = bench_load.cli_load(small, db, work / f"cli-{name}")
            print(f"python -m etl load, small return, {name} catalogue: best {min(times):.0f} ms "
                  f"(budget ≤ 200 ms); heavy imports: {', '.join(heavy) or 'none'}")  # fmt: skip
        pages(work, items)


def pages(work: Path, items: list) -> None:
    """Cached reruns of the pages on the demo warehouse, with the shipped and the 5× catalogue."""
    demo, demo_big = work / "demo.duckdb", work / "demo-5x.duckdb"
    build_demo(demo)
    shutil.copy(demo, demo_big)
    with warehouse.connect(demo_big) as con:
        catalog_store.save(con, items, "bench", "5× 目录")
    bench_pages.PAGES = PAGES
    results = {name: bench_pages.time_pages(db) for name, db in (("shipped", demo), ("5×", demo_big))}
    print(f"\n{'page':<12}{'shipped rerun':>15}{'5× rerun':>11}   budget rerun ≤ 25 ms")
    for page in PAGES:
        a, b = results["shipped"][page][1], results["5×"][page][1]
        print(f"{page:<12}{a:>13.1f}ms{b:>9.1f}ms   {'ok' if max(a, b) <= 25 else 'OVER'}")


if __name__ == "__main__":
    main()
