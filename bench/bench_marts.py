"""Time every mart read the pages, the briefing, exports and the CLI make, on a warehouse of 10M fact rows.

Run: .venv/bin/python bench/bench_marts.py [--facts 10000000]   (not part of the test suite; about a minute)
Budget (issue 11, PERFORMANCE.md budget 6): each mart read ≤ 25 ms warm at 10M fact rows.

The warehouse holds all 14 市州 and 122 县市区 × 20 years × 23 indicators, sent again and again (≈160 versions
of every slice). The version on show is spread over the whole history — each slice's published version is a
different, random one and a tenth of the slices have a newer pending version — so no read can get away with
scanning only the newest submissions. The floor printed first is a query that does nothing but open a cursor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import catalog, warehouse  # noqa: E402
from etl.warehouse import marts, visible  # noqa: E402

YEARS = range(2005, 2025)
BUDGET_MS = 25


def build(path: Path, facts_wanted: int) -> tuple[int, float]:
    """Generate the history in SQL (the loader itself is measured in bench_load.py); returns (facts, rebuild ms)."""
    regions = [r.code for r in catalog.regions() if r.level in ("city", "county")]
    per_version = len(regions) * len(YEARS) * len(catalog.indicators())
    versions = max(2, round(facts_wanted / per_version))
    with warehouse.connect(path) as con:
        con.execute("create temp table bench_regions (code varchar)")
        con.raw.executemany("insert into bench_regions values (?)", [(r,) for r in regions])
        con.execute(
            """
            insert into submissions
            select range, timestamp '2025-01-01' + to_minutes(range), 'bench', 'cli', 'bench-' || range || '.xlsx',
                'sha' || range, 'xlsx', 0, null, true, null
            from range(1, ? + 1)
            """,
            [versions],
        )
        con.execute(
            """
            insert into facts
            select s.range, r.code, y.range, i.domain, i.code, (hash(s.range, r.code, y.range, i.code) % 5000) + 1,
                'S', 'B4'
            from range(1, ? + 1) as s, bench_regions as r, range(2005, 2025) as y, indicators as i
            """,
            [versions],
        )
        # Published: a random version of each slice; current: that one, or (one slice in ten) a newer pending one.
        con.execute(
            """
            insert into slice_versions (region_code, year, domain, version, submission_id, is_current, status,
                is_published)
            with slices as (
                select r.code as region_code, y.range as year, d.code as domain,
                    (hash(r.code, y.range, d.code) % (? - 1)) + 1 as published,
                    hash(d.code, y.range, r.code) % 10 = 0 as has_pending
                from bench_regions as r, range(2005, 2025) as y, domains as d
            )
            select s.region_code, s.year, s.domain, v.range, v.range,
                v.range = case when s.has_pending then ? else s.published end,
                case when v.range = s.published then 'published' when v.range = ? and s.has_pending then 'pending'
                    when v.range < s.published then 'published' else 'superseded' end,
                v.range = s.published
            from slices as s, range(1, ? + 1) as v
            """,
            [versions, versions, versions, versions],
        )
        (facts,) = con.execute("select count(*) from facts").fetchone()
        start = time.perf_counter()
        con.begin()
        visible.rebuild(con)
        con.commit()
        rebuild_ms = (time.perf_counter() - start) * 1000
        con.raw.checkpoint()
    return facts, rebuild_ms


def reads() -> dict[str, callable]:
    """What each consumer asks, in both scopes."""
    cases = {}
    for pending in (False, True):
        tag = "含待审核" if pending else "已发布"
        cases |= {
            f"domain page: one measure, all years ({tag})": lambda con, p=pending: marts.city(
                con, p, measure="loan_amount"
            ),
            f"domain page: a rate, all years ({tag})": lambda con, p=pending: marts.city(
                con, p, measure="average_loan"
            ),
            f"province: one measure, all years ({tag})": lambda con, p=pending: marts.province(
                con, p, measure="women_employed"
            ),
            f"overview/briefing: one year, every measure ({tag})": lambda con, p=pending: marts.city(con, p, year=2024),
            f"province: one year, every measure ({tag})": lambda con, p=pending: marts.province(con, p, year=2024),
            f"city profile: one 市州's ranks of a year ({tag})": lambda con, p=pending: marts.city(
                con, p, region_code="430200", year=2024
            ),
            f"city profile: one 市州's figures, all years ({tag})": lambda con, p=pending: marts.city_values(
                con, p, region_code="430200"
            ),
            f"coverage of every year ({tag})": lambda con, p=pending: marts.coverage(con, p),
            f"year status, default year ({tag})": lambda con, p=pending: marts.year_status(con, p),
        }
    return cases


def time_ms(con, read, repeats: int = 7) -> tuple[float, float]:  # noqa: ANN001
    """(median, best) of warm runs, after one to warm the buffers."""
    read(con)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        read(con)
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--facts", type=int, default=10_000_000)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="bench-marts-")) / "warehouse.duckdb"
    start = time.perf_counter()
    facts, rebuild_ms = build(path, args.facts)
    print(f"generated {facts:,} facts in {time.perf_counter() - start:.1f} s; rebuilding the facts on show: "
          f"{rebuild_ms:.0f} ms (run only when the schema changes)")  # fmt: skip
    with warehouse.connect(path, read_only=True) as con:
        (shown,) = con.execute("select count(*) from visible_facts").fetchone()
        print(f"facts on show (both scopes): {shown:,}\n")
        floor, _ = time_ms(con, lambda c: c.execute("select 1").fetchall())
        print(f"{'floor: select 1':<58}{floor:>8.2f} ms")
        worst = 0.0
        for name, read in reads().items():
            median, best = time_ms(con, read)
            worst = max(worst, median)
            verdict = "ok" if median <= BUDGET_MS else "OVER"
            print(f"{name:<58}{median:>8.2f} ms  (best {best:.2f})  {verdict}")
    print(f"\nslowest mart read {worst:.1f} ms, budget {BUDGET_MS} ms: {'ok' if worst <= BUDGET_MS else 'OVER'}")


if __name__ == "__main__":
    main()
