"""The pages' plotly figures as PNG images for the Word briefing, drawn by kaleido in a headless Chromium.

Why kaleido (bench/bench_briefing.py on this 2-core machine, the briefing's four bars of 14 市州): kaleido
draws the very figure a page shows, with plotly.js in Chromium, so the briefing's charts are the pages'
charts (colours, 万/亿 axes, labels, Noto CJK through fontconfig): 1.7–2.1 s to start the browser and
0.25–0.36 s a chart, 3–3.6 s for a briefing, once per warehouse version (ui/data.py caches the PNGs).
matplotlib (+ Noto CJK) redraws the same bars in about 0.6 s (+ 0.1–0.6 s import) without a browser, but is a
second drawing of every chart to keep in step with etl/charts.py by hand, and still needs CJK fonts installed.

Needs: the `kaleido` package (requirements.txt) and a Chromium-based browser with CJK fonts on the server;
`scripts/install_browser.sh` installs Debian's chromium and fonts-noto-cjk (the same the browser tests use).
Without them `render_png` raises ChartsUnavailable with the reason in Chinese, and the briefing is made
without charts (the page says so); nothing is downloaded at run time (plotly.js comes from the installed
plotly package, MathJax is switched off).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

WIDTH, HEIGHT, SCALE = 780, 420, 2.5  # CSS px × scale: 1950 px across 156 mm of A4 text width, about 300 dpi
TIMEOUT = 120.0
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SWITCH = "HNFL_BRIEFING_CHARTS"  # "0": briefings without charts (a server that may not run a browser)
# A browser takes ~300 MB and a core for a few seconds: at most two at once, whoever asks (briefings, PDFs).
BROWSERS_AT_ONCE = threading.BoundedSemaphore(2)
A4_INCHES = (8.27, 11.69)


class ChartsUnavailable(Exception):
    """The charts cannot be drawn here; the message says why, in Chinese."""


def browser_path() -> str | None:
    """A Chromium-based browser: $BROWSER_PATH, else the first of BROWSERS on PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given and os.access(given, os.X_OK):
        return given
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def unavailable_reason() -> str | None:
    """None when charts can be drawn; otherwise why not (cheap: no browser is started)."""
    if os.environ.get(SWITCH, "1") == "0":
        return f"图表已按设置关闭（环境变量 {SWITCH}=0）"
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "服务器缺少 kaleido 组件（重新运行 make install）"
    if browser_path() is None:
        return "服务器未安装 Chromium（运行 scripts/install_browser.sh 安装）"
    return None


async def _render(figures: Sequence[object], browser: str) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, timeout=TIMEOUT, mathjax=False, path=browser) as engine:
        return [await engine.calc_fig(figure, opts=_options(figure)) for figure in figures]


def _options(figure: object, image: str = "png", width: int = WIDTH, scale: float = SCALE) -> dict:
    """A figure is drawn as tall as its layout says (a bar of 14 市州 is taller than a trend), `width` wide."""
    height = _height(figure) or HEIGHT
    return {"format": image, "width": width, "height": height, "scale": scale}


def _height(figure: object) -> int | None:
    if isinstance(figure, dict):
        return figure.get("layout", {}).get("height")
    return getattr(getattr(figure, "layout", None), "height", None)


def _run(job: Callable[[str], object]) -> object:
    """`job(browser path)` (a coroutine function) on its own event loop on a worker thread, so it works from a
    Streamlit script thread, a download callback's thread and the command line alike; at most
    BROWSERS_AT_ONCE browsers run at a time. Failures become ChartsUnavailable, with the reason in Chinese."""
    reason = unavailable_reason()
    if reason:
        raise ChartsUnavailable(reason)
    with BROWSERS_AT_ONCE:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        future = pool.submit(asyncio.run, job(browser_path()))
        try:
            return future.result(timeout=TIMEOUT + 30)
        except concurrent.futures.TimeoutError as exc:
            raise ChartsUnavailable("绘制图表超时") from exc
        except Exception as exc:  # the browser failed to start or crashed: the caller goes on without it
            raise ChartsUnavailable(f"绘制图表失败（{type(exc).__name__}）") from exc
        finally:
            pool.shutdown(wait=False)  # a hung browser must not hold the caller past the timeout


def render_png(figures: Sequence[object]) -> list[bytes]:
    """PNG bytes of each plotly figure, one browser for all of them."""
    if not figures:
        return []
    return _run(lambda browser: _render(figures, browser))


def print_pdf(figures: Sequence[object], page: Callable[[list[bytes]], str], width: int) -> bytes:
    """A PDF printed by Chromium from the HTML `page(svgs)` makes of the figures drawn as SVG, `width` CSS px
    wide: one browser draws the charts and prints. The page runs no script (switched off) and loads nothing but
    what it holds (images as data: URLs); its @page rules set the paper, margins and page numbers."""
    return _run(lambda browser: _print(figures, page, width, browser))


async def _print(figures: Sequence[object], page: Callable[[list[bytes]], str], width: int, browser: str) -> bytes:
    import kaleido

    async with kaleido.Kaleido(n=1, timeout=TIMEOUT, mathjax=False, path=browser) as engine:
        svgs = [await engine.calc_fig(f, opts=_options(f, "svg", width, 1)) for f in figures]
        with tempfile.TemporaryDirectory(prefix="hnfl-pdf-") as folder:  # private (0700): the report is data
            html = Path(folder) / "report.html"
            html.write_text(page(svgs), encoding="utf-8")
            tab = await engine.create_tab()
            await tab.send_command("Emulation.setScriptExecutionDisabled", params={"value": True})
            await tab.send_command("Page.enable")
            loaded = tab.subscribe_once("Page.loadEventFired")
            await tab.send_command("Page.navigate", params={"url": html.as_uri()})
            await asyncio.wait_for(loaded, TIMEOUT)
            paper_width, paper_height = A4_INCHES
            printed = await tab.send_command(
                "Page.printToPDF",
                params={"preferCSSPageSize": True, "printBackground": True, "paperWidth": paper_width,
                        "paperHeight": paper_height},
            )  # fmt: skip
    if "error" in printed:
        raise RuntimeError(str(printed["error"]))
    return base64.b64decode(printed["result"]["data"])
