"""Figure JSON sizes and the server-built PDF, at full scale: all 14 市州 × 20 years × every indicator, with a
tenth of the (市州, 年度) slices waiting for review (so the pending marks are in the figures).

- figure JSON: every 类别 measure's bar and trend (all 14 市州 chosen → small multiples; one 市州 chosen →
  highlighted lines) and the 市州画像's share bar, as the page stores it (etl.charts.frozen) and as Streamlit
  sends it (plotly's to_json). Budget (issue 12 §3): ≤ 20 KiB each.
- 下载 PDF: the report of each 类别 page (first measure) and of the 市州画像 built cold (a browser start, the
  charts drawn as SVG, printed), with its page count and size.

Run: .venv/bin/python bench/bench_pdf.py   (needs Chromium: scripts/install_browser.sh; about a minute)
"""

from __future__ import annotations

import io
import json
import logging
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import catalog, chart_images, charts, pdf_report, warehouse  # noqa: E402
from etl.extract import Observation  # noqa: E402
from etl.warehouse import NewSubmission  # noqa: E402

YEARS = range(2005, 2025)
YEAR = 2024
BUDGET = 20 * 1024
HEADER = [
    "湖南省妇联统计平台 · 基准", "页面筛选：年度 2024年；市州 全部 14 个市州；含待审核数据", "数据截至 2024年12月31日",
]  # fmt: skip


def full_warehouse(path: Path) -> int:
    """Every 市州 × year × indicator published; then a tenth of the (市州, 年度) slices sent again, pending."""
    rng = random.Random(12)
    cities = catalog.cities()

    def observations(pairs: list[tuple[str, int]]) -> list[Observation]:
        indicators = catalog.indicators()
        return [
            Observation(c, y, i.code, float(rng.randint(1, 50000)), "S", "B4") for c, y in pairs for i in indicators
        ]

    every = [(c.code, y) for c in cities for y in YEARS]
    again = rng.sample(every, len(every) // 10)
    with warehouse.connect(path) as con:
        for n, (pairs, published) in enumerate(((every, True), (again, False))):
            sub = NewSubmission(f"bench-{n}.xlsx", f"bench{n:060d}", "xlsx", 0, None, False, "cli", "bench",
                                published=published)  # fmt: skip
            warehouse.store_submission(con, sub, observations(pairs), [])
        return con.execute("select count(*) from facts").fetchone()[0]


def kib(figure: dict) -> tuple[float, float]:
    """(stored, sent) sizes in KiB: the frozen dict as compact JSON, and plotly's JSON of the drawn figure."""
    stored = len(json.dumps(figure, ensure_ascii=False, separators=(",", ":")).encode())
    sent = len(charts.thawed(figure).to_json().encode())
    return stored / 1024, sent / 1024


def figure_sizes(snap, views: dict) -> list[tuple[str, float, float]]:  # noqa: ANN001
    from ui import domain_view

    rows = []
    every = tuple(c.code for c in catalog.cities())
    for domain in catalog.domains():
        for code in catalog.domain_measures(domain.code):
            for label, cities in (("全部", every), ("长沙", (every[0],))):
                view = domain_view.cached(snap, True, code, YEAR, cities)
                views.setdefault(domain.code, view)
                if label == "全部" and view.bar is not None:
                    rows.append((f"{code} bar", *kib(view.bar)))
                if view.lines is not None:
                    rows.append((f"{code} trend({label})", *kib(view.lines)))
    return rows


def pdf_times(views: dict, snap) -> list[tuple[str, float, int, int]]:  # noqa: ANN001
    from pypdf import PdfReader

    from ui import pdf, profile

    reports = {
        f"{name}": pdf.domain_report(
            views[code],
            page=name,
            code=next(iter(catalog.domain_measures(code))),
            year=YEAR,
            banner=None,
            header=HEADER,
        )  # fmt: skip
        for code, name in ((d.code, d.name) for d in catalog.domains())
    }
    city = catalog.cities()[0].code
    reports["市州画像"] = pdf.profile_report(
        profile.cached(snap, True, city, YEAR), region_code=city, year=YEAR, banner=None, header=HEADER
    )
    rows = []
    for name, report in reports.items():
        start = time.perf_counter()
        made = pdf_report.build(report)
        seconds = time.perf_counter() - start
        rows.append((name, seconds, len(PdfReader(io.BytesIO(made)).pages), len(made)))
    return rows


def main() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # st.cache_data outside a running app warns
    from ui import data, profile

    path = Path(tempfile.mkdtemp(prefix="bench-pdf-")) / "warehouse.duckdb"
    start = time.perf_counter()
    facts = full_warehouse(path)
    print(f"warehouse: {facts:,} facts (14 市州 × {len(YEARS)} years, a tenth pending) in "
          f"{time.perf_counter() - start:.1f} s\n")  # fmt: skip
    snap = data.Snapshot(str(path), data.warehouse_version(path))
    views: dict = {}
    rows = figure_sizes(snap, views)
    city = catalog.cities()[0].code
    shares = profile.cached(snap, True, city, YEAR).shares
    rows.append(("市州画像 share bar", *kib(shares)))
    print(f"{'figure':<40}{'stored KiB':>11}{'sent KiB':>10}   budget ≤ 20 KiB")
    for name, stored, sent in rows:
        print(f"{name:<40}{stored:>11.1f}{sent:>10.1f}   {'ok' if max(stored, sent) * 1024 <= BUDGET else 'OVER'}")
    print(f"largest: stored {max(r[1] for r in rows):.1f} KiB, sent {max(r[2] for r in rows):.1f} KiB\n")

    reason = chart_images.unavailable_reason()
    if reason:
        print(f"PDF: skipped ({reason})")
        return
    print(f"{'下载 PDF (cold: browser start + SVG charts + print)':<52}{'s':>6}{'pages':>7}{'KiB':>8}")
    for name, seconds, pages, size in pdf_times(views, snap):
        print(f"{name:<52}{seconds:>6.2f}{pages:>7}{size / 1024:>8.0f}")


if __name__ == "__main__":
    main()
