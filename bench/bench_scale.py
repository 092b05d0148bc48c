"""National scale on both backends: when does the embedded DuckDB file stop being enough?

Run: .venv/bin/python bench/bench_scale.py [--scale 1.0] [--backends duckdb,postgres] [--url postgresql://…]
(not part of the test suite; at --scale 1 about ten minutes on two cores; without --url a throwaway PostgreSQL
cluster is started with tests/pg.py and removed afterwards).

The catalogue is national — 31 省, ~330 地市, ~2,800 县市区 (scaled by --scale), ~100 indicators in the four
类别 (today's 23 and synthetic ones), 20 years — and every slice has two versions, the first published, the second a
pending correction: at --scale 1 that is 12.5M facts and 12.5M rows on show. Generated with numpy and loaded in
bulk (DuckDB: an Arrow frame; PostgreSQL: COPY of CSV written by pyarrow), never row by row. Then, on each backend:
  - bulk load rate (rows/s) of facts and of the rows on show;
  - slice replace: one real 市州 return stored as a new version (median of 5);
  - the marts' reads behind each page (warm median of 5);
  - 50 uploads of real returns started at once (one process each, as 50 统计员 pressing 提交 at the deadline):
    p50, p95 and max from the start to the commit. Automatic pre-load copies are off (HNFL_BACKUP_KEEP=0): the
    DuckDB file copy is timed once on its own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["HNFL_BACKUP_KEEP"] = "0"
os.environ["HNFL_LOCK_WAIT_SECONDS"] = "600"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from etl import backup, catalog, warehouse  # noqa: E402
from etl.extract import Observation  # noqa: E402
from etl.warehouse import NewSubmission, marts, store_submission  # noqa: E402

YEARS = list(range(2005, 2025))
DOMAINS = [d.code for d in catalog.domains()][:4]  # the four 类别 of the 2016 returns; the later ones alike
UPLOADS = 50


def national(scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(regions, indicators): Hunan as it is, plus 30 synthetic provinces; today's indicators plus synthetic ones."""
    real = catalog.regions()
    rows = [(r.code, r.name, r.short_name, r.parent_code, r.level, r.sort_order) for r in real]
    cities_left, counties_left = max(0, round(330 * scale) - 14), max(0, round(2800 * scale) - 122)
    provinces = [p for p in range(11, 66) if p != 43][:30]
    order = len(rows)
    for index, p in enumerate(provinces):
        rows.append((f"{p}0000", f"省{p}", f"省{p}", None, "province", order := order + 1))
        cities = cities_left // (30 - index)
        counties = counties_left // (30 - index)
        cities_left, counties_left = cities_left - cities, counties_left - counties
        for c in range(1, cities + 1):
            rows.append((f"{p}{c:02d}00", f"市{p}{c:02d}", f"市{p}{c:02d}", f"{p}0000", "city", order := order + 1))
            for k in range(1, counties // cities + (c <= counties % cities) + 1):
                rows.append((f"{p}{c:02d}{k:02d}", f"县{p}{c:02d}{k:02d}", "县", f"{p}{c:02d}00", "county",
                             order := order + 1))  # fmt: skip
    regions = pd.DataFrame(rows, columns=["code", "name", "short_name", "parent_code", "level", "sort_order"])
    # Every real indicator (the uploads send all 14 类别); the generated history holds ~100 in the four 类别.
    real_ind = [(i.code, i.domain, i.name, i.unit, i.kind, i.sort_order, i.definition) for i in catalog.indicators()]
    extra = [(f"x{n:03d}", DOMAINS[n % 4], f"指标{n}", "人", "count", 100 + n, "")
             for n in range(100 - len(_indicators()))]  # fmt: skip
    indicators = pd.DataFrame(real_ind + extra, columns=["code", "domain", "name", "unit", "kind", "sort_order",
                                                          "definition"])  # fmt: skip
    return regions, indicators


def history(regions: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Two versions of every (unit, year, 类别): the first published, the second pending. Vectorised."""
    indicators = indicators[indicators["domain"].isin(DOMAINS)].reset_index(drop=True)
    units = regions[regions["level"] != "province"].reset_index(drop=True)
    n_units, n_years, n_ind = len(units), len(YEARS), len(indicators)
    unit_ix = np.repeat(np.arange(n_units), n_years)
    year_ix = np.tile(np.arange(n_years), n_units)
    pairs = len(unit_ix)  # one submission per (unit, year, version), holding its four 类别
    stamp = pd.Timestamp("2025-01-01").as_unit("us")
    submissions = pd.DataFrame({
        "submission_id": np.arange(1, 2 * pairs + 1), "submitted_at": stamp, "submitted_by": "bench",
        "source": "cli", "file_name": "bench.xlsx", "file_sha256": [f"sha{i}" for i in range(2 * pairs)],
        "file_kind": "xlsx", "file_bytes": 0, "archive_path": None, "is_sample": False, "note": None,
    })  # fmt: skip
    slice_unit, slice_year = np.repeat(unit_ix, 4), np.repeat(year_ix, 4)
    slice_domain = np.tile(np.array(DOMAINS), pairs)
    slice_sub = np.repeat(np.arange(1, pairs + 1), 4)
    codes, years = units["code"].to_numpy(), np.array(YEARS)
    versions = []
    for version, offset, status in ((1, 0, "published"), (2, pairs, "pending")):
        versions.append(pd.DataFrame({
            "region_code": codes[slice_unit], "year": years[slice_year], "domain": slice_domain, "version": version,
            "submission_id": slice_sub + offset, "is_current": version == 2, "status": status,
            "is_published": version == 1, "reviewed_by": None, "reviewed_at": None, "review_note": None,
        }))  # fmt: skip
    ind_domain, ind_code = indicators["domain"].to_numpy(), indicators["code"].to_numpy()
    # The ranges of the returns the uploads send (tests/test_concurrency.figures): within 10× of each other, so that
    # no upload meets a year-on-year jump no 市州 could make.
    ranges = {"jobs_offered": (2000, 9000), "screened_total": (20000, 90000), "loan_amount": (1600, 7200)}
    low = np.array([ranges.get(code, (100, 900))[0] for code in ind_code], dtype="float64")
    high = np.array([ranges.get(code, (100, 900))[1] for code in ind_code], dtype="float64")
    f_pair, f_ind = np.repeat(np.arange(pairs), n_ind), np.tile(np.arange(n_ind), pairs)
    rng = np.random.default_rng(2016)
    facts, shown = [], []
    is_city = (units["level"] == "city").to_numpy()[unit_ix][f_pair]
    for version, offset in ((1, 0), (2, pairs)):
        frame = pd.DataFrame({
            "submission_id": f_pair + 1 + offset, "region_code": codes[unit_ix][f_pair],
            "year": years[year_ix][f_pair], "domain": ind_domain[f_ind], "indicator": ind_code[f_ind],
            "value": np.round(rng.uniform(low[f_ind], high[f_ind])), "sheet": "S", "cell": "B4",
        })  # fmt: skip
        facts.append(frame)
        on_show = frame.drop(columns=["sheet", "cell"]).assign(
            include_pending=version == 2, version=version, pending=version == 2, sheet="S", cell="B4",
            is_city=is_city, is_sample=False,
        )  # fmt: skip
        shown.append(
            on_show[
                [
                    "include_pending",
                    "region_code",
                    "year",
                    "domain",
                    "indicator",
                    "value",
                    "submission_id",
                    "version",
                    "pending",
                    "sheet",
                    "cell",
                    "is_city",
                    "is_sample",
                ]
            ]
        )
    issue_columns = ["submission_id", "level", "code", "sheet", "cell", "message", "region_code", "year", "domain",
                     "issue_no"]  # fmt: skip
    return {
        "submissions": submissions, "slice_versions": pd.concat(versions, ignore_index=True),
        "facts": pd.concat(facts, ignore_index=True), "visible_facts": pd.concat(shown, ignore_index=True),
        "submission_issues": pd.DataFrame(columns=issue_columns),
    }  # fmt: skip


def median_ms(work, runs: int = 5) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def load(location: Path, regions: pd.DataFrame, indicators: pd.DataFrame, data: dict) -> dict[str, float]:
    rates = {}
    with warehouse.connect(location) as con:
        con.begin()
        for table, frame in (("regions", regions), ("indicators", indicators)):
            con.execute(f"delete from {table}")
            con.append_frame(table, frame)
        con.execute("update indicators set levels = ?", [["city", "county"]])  # reported by 地市 and 县市区 alike
        con.commit()
        for table in ("submissions", "slice_versions", "facts", "visible_facts"):
            started = time.perf_counter()
            con.begin()
            con.append_frame(table, data[table])
            con.commit()
            rates[table] = len(data[table]) / (time.perf_counter() - started)
        started = time.perf_counter()
        if con.backend == "postgres":
            con.execute("analyze")
            con.execute("select setval('submission_id_seq', ?)", [len(data["submissions"]) + 1])
        else:
            con.execute("drop sequence submission_id_seq")
            con.execute(f"create sequence submission_id_seq start {len(data['submissions']) + 1}")
            con.raw.checkpoint()
        rates["finish_s"] = time.perf_counter() - started
    return rates


def _indicators() -> list:
    return [i for i in catalog.indicators() if i.domain in DOMAINS]


def observations(region: str, year: int, seed: int) -> list[Observation]:
    return [Observation(region, year, i.code, float(seed * 7 + n), "就业创业", f"B{n + 4}")
            for n, i in enumerate(_indicators())]  # fmt: skip


def replace_slice(location: Path, seed: int) -> None:
    sub = NewSubmission(f"r{seed}.xlsx", f"replace{seed}-{time.time_ns()}", "xlsx", 1, None, False, "cli", "bench")
    with warehouse.connect(location) as con:
        store_submission(con, sub, observations("430100", 2024, seed), [])


def page_reads(con) -> dict[str, callable]:  # noqa: ANN001
    year, city, measure = 2024, "430100", "women_employed"
    return {
        "overview: province figures of a year": lambda: marts.province(con, False, year=year),
        "overview: one measure's 地市 of a year": lambda: marts.city(con, False, measure=measure, year=year),
        "overview: coverage and years": lambda: (marts.coverage(con, False), marts.year_status(con, False)),
        "类别 page: one measure, every year": lambda: marts.city(con, False, measure=measure),
        "类别 page: province series": lambda: marts.province(con, False, measure=measure),
        "city profile: a year and the series": lambda: (
            marts.city(con, False, year=year, region_code=city), marts.city_values(con, False, region_code=city)),
        "with 含待审核: one measure, every year": lambda: marts.city(con, True, measure=measure),
        "export: a year's labelled values": lambda: warehouse.current_values(con, year=year, include_pending=True),
    }  # fmt: skip


def _upload(args: tuple) -> float:
    """One 统计员's upload of a real return (the whole pipeline: parse, check, store, audit), timed from the shared
    start to its commit."""
    location, start, region, year, data = args
    from etl.pipeline import load_bytes
    from etl.roles import SYSTEM

    while time.time() < start:
        time.sleep(0.0005)
    report = load_bytes(data, f"{region}-{year}.xlsx", location, actor=SYSTEM)
    assert report.status == "loaded", [i.describe() for i in report.issues]
    return time.time() - start


def concurrent_uploads(location: Path) -> tuple[float, float, float]:
    sys.path.insert(0, str(ROOT))
    from tests.test_concurrency import city_return

    jobs = []
    for n, (city, year) in enumerate([(c.code, y) for y in range(2021, 2025) for c in catalog.cities()][:UPLOADS]):
        jobs.append((city, year, city_return(city, seed=n, year=year)[0]))
    start = time.time() + 3  # every process forked and waiting
    with multiprocessing.get_context("fork").Pool(UPLOADS) as pool:
        times = sorted(pool.map(_upload, [(location, start, c, y, d) for c, y, d in jobs]))
    return statistics.median(times), times[int(0.95 * len(times)) - 1], times[-1]


def run(backend: str, location: Path, regions, indicators, data) -> dict:  # noqa: ANN001
    print(f"\n== {backend} ==", flush=True)
    rates = load(location, regions, indicators, data)
    for table in ("facts", "visible_facts"):
        print(f"bulk load {table}: {len(data[table]):,} rows at {rates[table]:,.0f} rows/s", flush=True)
    print(f"analyse / checkpoint after the bulk load: {rates['finish_s']:.1f} s")
    seeds = iter(range(1, 100))
    replace = median_ms(lambda: replace_slice(location, next(seeds)))
    print(f"slice replace (one 市州-year return, 4 类别, 23 values): {replace:.0f} ms")
    with warehouse.connect(location, read_only=True) as con:
        for name, read in page_reads(con).items():
            read()  # cold
            print(f"{name}: {median_ms(read):.0f} ms warm")
    if backend == "duckdb":
        with warehouse.connect(location) as con:
            copy = median_ms(lambda: backup.snapshot(con, "bench", keep=1), runs=1)
        print(
            f"automatic copy before a load (the whole file, {location.stat().st_size / 2**30:.2f} GiB): {copy:.0f} ms"
        )
    p50, p95, worst = concurrent_uploads(location)
    print(f"{UPLOADS} uploads at once: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    return {"p95": p95}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backends", default="duckdb,postgres")
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway cluster)")
    args = parser.parse_args()
    started = time.perf_counter()
    regions, indicators = national(args.scale)
    data = history(regions, indicators)
    print(f"national catalogue: {(regions['level'] == 'province').sum()} 省, {(regions['level'] == 'city').sum()} 地市,"
          f" {(regions['level'] == 'county').sum()} 县市区, {len(indicators)} indicators, {len(YEARS)} years;"
          f" {len(data['facts']):,} facts, {len(data['visible_facts']):,} rows on show, generated in"
          f" {time.perf_counter() - started:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="hnfl-scale-") as folder, ExitStack() as stack:
        for backend in args.backends.split(","):
            location = Path(folder) / backend / "warehouse.duckdb"
            if backend == "postgres":
                url = args.url
                if url is None:
                    from tests.pg import throwaway_cluster

                    url = stack.enter_context(throwaway_cluster("scale"))
                os.environ["HNFL_DATABASE_URL"] = url
            else:
                os.environ.pop("HNFL_DATABASE_URL", None)
            run(backend, location, regions, indicators, data)
            os.environ.pop("HNFL_DATABASE_URL", None)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
