"""Briefing benchmark: build the 2016 briefing from the demo warehouse, draw its four charts and write the Word
file; and, for the record of why kaleido was chosen, the same four bars drawn with matplotlib when it is
installed (it is not a dependency: `pip install matplotlib` to compare).

Run `python bench/bench_briefing.py` (needs Chromium: scripts/install_browser.sh).
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from etl import briefing_figures, chart_images, warehouse  # noqa: E402 - after the path is set
from etl.briefing import build_briefing, read_figures, to_docx  # noqa: E402
from etl.demo import build_demo  # noqa: E402

REPEATS = 3
YEAR = 2016


def best(action, repeats: int = REPEATS) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), result


def matplotlib_bars(figures: list) -> list[bytes]:  # noqa: ANN001
    """The same bars (values, colours, titles) redrawn with matplotlib and Noto Sans CJK SC."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.family"] = ["Noto Sans CJK SC"]
    images = []
    for _, figure in figures:
        bar = figure.data[0]
        drawing = Figure(figsize=(7.8, 4.2), dpi=250)
        axes = drawing.subplots()
        axes.bar(list(bar.x), list(bar.y), color=list(bar.marker.color))
        axes.set_title(figure.layout.title.text, loc="left")
        axes.tick_params(axis="x", rotation=45)
        drawing.tight_layout()
        buffer = io.BytesIO()
        drawing.savefig(buffer, format="png")
        images.append(buffer.getvalue())
    return images


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "warehouse.duckdb"
        build_demo(db)
        with warehouse.connect(db, read_only=True) as con:
            read, marts = best(lambda: read_figures(con, YEAR))
    print(f"read_figures {YEAR} (the marts): {read * 1000:.0f} ms")
    built, briefing = best(lambda: build_briefing(marts))
    made, figures = best(lambda: briefing_figures.figures(marts))
    print(f"build_briefing {YEAR}: {built * 1000:.0f} ms; its {len(figures)} plotly figures: {made * 1000:.0f} ms")
    reason = chart_images.unavailable_reason()
    images: list = []
    if reason:
        print(f"kaleido: not run ({reason})")
    else:
        drawn, pngs = best(lambda: chart_images.render_png([f for _, f in figures]))
        images = [(name, png) for (name, _), png in zip(figures, pngs, strict=True)]
        one, _ = best(lambda: chart_images.render_png([figures[0][1]]))
        per_figure = (drawn - one) / max(1, len(figures) - 1)
        print(
            f"kaleido + Chromium, {len(figures)} charts: {drawn:.2f} s "
            f"(browser start ≈ {one - per_figure:.2f} s, ≈ {per_figure:.2f} s a chart; "
            f"{statistics.mean(len(p) for p in pngs) / 1024:.0f} KiB a PNG)"
        )
    written, document = best(lambda: to_docx(briefing, images))
    print(f"to_docx with {len(images)} charts: {written * 1000:.0f} ms, {len(document) / 1024:.0f} KiB")
    try:
        start = time.perf_counter()
        import matplotlib  # noqa: F401

        imported = time.perf_counter() - start
    except ImportError:
        print("matplotlib: not installed (pip install matplotlib to compare)")
        return
    drawn, _ = best(lambda: matplotlib_bars(figures))
    print(f"matplotlib, same {len(figures)} bars: import {imported:.2f} s, drawing {drawn:.2f} s")


if __name__ == "__main__":
    main()
