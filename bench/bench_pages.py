"""Time a full rerun of every page under AppTest, on the demo warehouse and on one ~100× its size.

Run: .venv/bin/python bench/bench_pages.py   (not part of the test suite; prints ms per page)
Budget (PERFORMANCE.md): a page rerun with cached data ≤ 25 ms; each extra page test ≤ 100 ms.

The floor is printed first: a one-line script under AppTest (Streamlit alone), and the lightest real page
(我的账号: a title, a line of text and a form) behind app.py's log-in check, navigation and sidebar filters.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from etl import catalog, warehouse  # noqa: E402
from etl.demo import build_demo  # noqa: E402
from etl.extract import Observation  # noqa: E402
from etl.warehouse import NewSubmission  # noqa: E402
from tests.apptest import new_app, seed_accounts, switch  # noqa: E402

PAGES = [
    "account", "overview", "briefing", "jobs", "loans", "screening", "ecommerce", "city_profile",
    "upload", "progress", "review", "history", "export",
]  # fmt: skip
YEARS = range(2005, 2025)
VERSIONS = 4


def large_warehouse(path: Path) -> int:
    """All 14 市州 and 122 县市区 × 20 years × 23 indicators, each slice in 4 versions."""
    rng = random.Random(7)
    regions = [r for r in catalog.regions() if r.level in ("city", "county")]
    with warehouse.connect(path) as con:
        for version in range(VERSIONS):
            observations = [
                Observation(r.code, y, i.code, float(rng.randint(1, 5000)), "S", "B4")
                for r in regions
                for y in YEARS
                for i in catalog.indicators()
            ]
            sub = NewSubmission(
                f"bench-{version}.xlsx", f"bench{version:060d}", "xlsx", 0, None, True, "cli", "bench", published=True
            )
            warehouse.store_submission(con, sub, observations, [])
        return con.execute("select count(*) from facts").fetchone()[0]


def time_pages(db: Path, repeats: int = 7) -> dict[str, tuple[float, float]]:
    """page → (first run ms, best cached rerun ms), as a 管理员 on 2024 (every page has data for that year)."""
    os.environ["HNFL_WAREHOUSE"] = str(db)
    seed_accounts(db)
    results = {}
    for page in PAGES:
        at = new_app("admin")
        at.run()
        at.selectbox(key="filter_year").set_value(2024).run()
        switch(at, f"app_pages/{page}.py")
        start = time.perf_counter()
        at.run()
        first = time.perf_counter() - start
        assert not at.exception, [e.value for e in at.exception]
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            at.run()
            best = min(best, time.perf_counter() - start)
        results[page] = (first * 1000, best * 1000)
    return results


def bare_ms(repeats: int = 7) -> float:
    """A one-line Streamlit script under AppTest: what any rerun costs before the app does anything."""
    at = AppTest.from_string("import streamlit as st\nst.title('x')")
    at.run()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def query_ms(db: Path) -> float:
    """A cache miss of the domain page's reads: open the file, one measure's 市州 and province marts."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        with warehouse.connect(db, read_only=True) as con:
            warehouse.marts.city(con, False, measure="loan_amount")
            warehouse.marts.province(con, False, measure="loan_amount")
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    demo, large = work / "demo.duckdb", work / "large.duckdb"
    build_demo(demo)
    with duckdb.connect(str(demo), read_only=True) as con:
        demo_facts = con.execute("select count(*) from facts").fetchone()[0]
    start = time.perf_counter()
    large_facts = large_warehouse(large)
    print(f"generated large warehouse: {large_facts:,} facts in {time.perf_counter() - start:.1f} s")
    print(f"demo warehouse: {demo_facts:,} facts ({large_facts / demo_facts:.0f}× smaller)\n")
    rows = {name: time_pages(db) for name, db in (("demo", demo), ("large", large))}
    print(f"floor: a one-line script under AppTest {bare_ms():.1f} ms; the lightest page (account) behind app.py "
          f"{rows['demo']['account'][1]:.1f} ms\n")  # fmt: skip
    header = f"{'page':<14}{'demo first':>12}{'demo rerun':>12}{'large first':>13}{'large rerun':>13}"
    print(header + "   budget rerun ≤ 25 ms")
    for page in PAGES:
        (df, dr), (lf, lr) = rows["demo"][page], rows["large"][page]
        verdict = "ok" if max(dr, lr) <= 25 else "OVER"
        print(f"{page:<14}{df:>10.0f}ms{dr:>10.1f}ms{lf:>11.0f}ms{lr:>11.1f}ms   {verdict}")
    print(f"\nvalues query (cache miss: open + read): demo {query_ms(demo):.1f} ms, large {query_ms(large):.1f} ms")


if __name__ == "__main__":
    main()
